/* Where each value of a JSON text starts: a map from field paths
 * ("users.tokens[1].weight") to line numbers, so that a scenario error can
 * name the line even though jansson keeps no positions for values. */
#ifndef PLASMA_SIM_JSONLOC_H
#define PLASMA_SIM_JSONLOC_H

#include <stddef.h>

#define SIM_PATH_MAX 256

typedef struct sim_jloc {
    char *path;
    unsigned line;
} sim_jloc;

typedef struct sim_jlocs {
    sim_jloc *v;
    size_t n, cap;
} sim_jlocs;

/* Indexes text, which must be JSON that a parser has already accepted.
 * Paths longer than SIM_PATH_MAX and values nested deeper than 64 levels
 * are skipped. Returns 0 or PLASMA_ERR_NOMEM (out then empty). */
int sim_jlocs_build(sim_jlocs *out, const char *text, size_t len);
/* Returns the line where the value at path starts, or 0 when unknown. The
 * root object is the path "". */
unsigned sim_jlocs_line(const sim_jlocs *locs, const char *path);
void sim_jlocs_free(sim_jlocs *locs);

#endif
