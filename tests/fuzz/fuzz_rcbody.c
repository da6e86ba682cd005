/* Fuzz target: every request the root chain's API takes from outside
 * (docs/rootchain-api.md): the first byte picks a route of a development
 * node in memory (calls, queries, the dev controls), the rest is a path
 * parameter and a body. Each handler must answer with a valid status and,
 * for an error, an error object; nothing may crash. */
#include "fuzz_http.h"
#include "plasma/rootchain.h"

static plasma_rootnode *node;
static plasma_http_mount mount;

static void cleanup(void)
{
    plasma_rootnode_free(node);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const headers[] = {"Content-Type", "application/json", NULL};
    if (!node) {
        plasma_rootnode_config nc;
        plasma_rootnode_config_default(&nc);
        nc.dev = true;
        nc.mine_interval_ms = 0;
        if (plasma_rootnode_new(&node, &nc) != 0)
            return 0;
        plasma_rootnode_mount(node, "", &mount);
        atexit(cleanup);
    }
    fuzz_req r;
    if (!fuzz_req_split(&r, data, size) || mount.n_routes == 0)
        return 0;
    fuzz_call_route(&mount.routes[r.route % mount.n_routes], mount.ctx, &r, headers);
    return 0;
}
