/* plasma-bench: benchmark programs that print figures as JSON.
 *
 *   plasma-bench COMMAND [--time SECONDS]
 *
 * Each command measures one area and prints one JSON object on stdout.
 * A timing never fails anything: the exit status is 0 unless the command
 * could not run (1) or was called wrongly (2). */
#include <stdio.h>
#include <string.h>

#include "bench.h"

static const bench_cmd commands[] = {
    {"primitives", "keccak, Merkle tree, tx codec, signatures, EIP-712 (single core)", bench_primitives},
    {"exits", "standard exits at scale: start + process N, gas per call, peak RSS", plasma_bench_exits},
    {"operator", "operator end to end over HTTP: tps, seal time, latency, RSS", plasma_bench_operator},
    {"watcher", "watchers following an operator at full load: verified tps, lag, RSS", plasma_bench_watcher},
};

#define N_COMMANDS (sizeof commands / sizeof commands[0])

static void usage(FILE *f)
{
    fprintf(f, "usage: plasma-bench COMMAND [--time SECONDS]\n\ncommands:\n");
    for (size_t i = 0; i < N_COMMANDS; i++)
        fprintf(f, "  %-12s %s\n", commands[i].name, commands[i].summary);
    fprintf(f, "\nEach command prints one JSON object; plasma-bench COMMAND --help for its options.\n");
}

static const bench_cmd *find_command(const char *name)
{
    for (size_t i = 0; i < N_COMMANDS; i++)
        if (strcmp(commands[i].name, name) == 0)
            return &commands[i];
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "help") == 0) {
        usage(stdout);
        return 0;
    }
    const bench_cmd *cmd = find_command(argv[1]);
    if (!cmd) {
        fprintf(stderr, "plasma-bench: unknown command '%s'\n\n", argv[1]);
        usage(stderr);
        return 2;
    }
    return cmd->run(argc - 1, argv + 1);
}
