/* The daemon's command line: a table of flags with kinds, bounds, defaults
 * and help, so that every bad value is a clear startup error. */
#ifndef PLASMA_RC_FLAGS_H
#define PLASMA_RC_FLAGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "plasma/log.h"
#include "plasma/types.h"

#define RC_PATH_MAX 1024

typedef struct rc_daemon_config {
    bool help;
    bool dev;
    uint64_t port; /* 0: the system picks */
    char port_file[RC_PATH_MAX];
    char bind[64];
    char data_dir[RC_PATH_MAX];
    uint64_t mine_interval_ms;
    uint64_t block_gas_limit;
    uint64_t block_time;
    uint64_t min_exit_period;
    plasma_u256 exit_bond;
    plasma_u256 ife_bond;
    plasma_u256 piggyback_bond;
    uint64_t chain_id;
    plasma_addr contract;
    plasma_addr operator_addr;
    uint64_t genesis_time;
    uint64_t history_blocks;
    uint64_t max_body;
    uint64_t max_pending;
    uint64_t max_conns;
    uint64_t max_conns_per_ip;
    uint64_t rate_per_ip;
    uint64_t header_timeout_s;
    uint64_t body_timeout_s;
    uint64_t idle_timeout_s;
    plasma_log_level log_level;
} rc_daemon_config;

/* Parses argv into *out, defaults first. Returns 0, or -1 with a one-line
 * reason in err (a flag that is unknown, repeated, missing its value, or
 * whose value is malformed or out of bounds). */
int rc_flags_parse(rc_daemon_config *out, int argc, char **argv, char *err, size_t err_len);

/* Writes the usage text: every flag with its value, bounds and default. */
void rc_flags_usage(FILE *f, const char *prog);

#endif
