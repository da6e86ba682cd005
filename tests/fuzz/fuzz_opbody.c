/* Fuzz target: every request the operator's API takes from outside
 * (PROTOCOL §7 and the admin endpoints): the first byte picks a route, the
 * rest is a path parameter and a body, handed to the route's handler over
 * a real ledger in a scratch directory (admin token given, development
 * switches on). Each handler must answer with a valid status and, for an
 * error, an error object; nothing may crash. */
#include <ftw.h>
#include <unistd.h>

#include "api.h"
#include "fuzz_http.h"
#include "plasma/ledger.h"

static op_api api;
static char dir[] = "/tmp/plasma-fuzz-opbody-XXXXXX";

static int rm_cb(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static void cleanup(void)
{
    plasma_ledger_free(api.ledger);
    nftw(dir, rm_cb, 16, FTW_DEPTH | FTW_PHYS);
}

static void no_stop(void *ctx)
{
    (void)ctx;
}

static bool setup(void)
{
    if (api.ledger)
        return true;
    if (!mkdtemp(dir))
        return false;
    plasma_ledger_config cfg;
    char err[256];
    plasma_ledger_config_default(&cfg);
    cfg.data_dir = dir;
    cfg.seal_interval_ms = 0;
    cfg.commit_linger_us = 0;
    cfg.sig_threads = 1;
    plasma_domain_dev(&cfg.domain);
    if (plasma_ledger_open(&api.ledger, &cfg, err, sizeof err) != 0)
        return false;
    api.domain = cfg.domain;
    api.admin_token = "t";
    api.max_batch = 64;
    api.dev = true;
    api.request_stop = no_stop;
    atexit(cleanup);
    return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const headers[] = {"Content-Type", "application/json", "X-Admin-Token", "t", NULL};
    fuzz_req r;
    if (!setup() || !fuzz_req_split(&r, data, size))
        return 0;
    const plasma_http_route *route = &op_api_routes[r.route % op_api_n_routes];
    if (strcmp(route->pattern, "/metrics") == 0 || strcmp(route->pattern, "/health") == 0)
        return 0; /* these read the sync thread's state, absent here */
    fuzz_call_route(route, &api, &r, headers);
    return 0;
}
