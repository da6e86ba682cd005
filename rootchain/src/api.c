/* The route table of the JSON API (docs/rootchain-api.md). */
#include "internal.h"

static const plasma_http_route ROUTES[] = {
    {"POST", "/v1/calls", rc_h_submit_call},
    {"GET", "/v1/calls/{}", rc_h_get_call},
    {"GET", "/v1/status", rc_h_status},
    {"GET", "/v1/blocks/{}", rc_h_block},
    {"GET", "/v1/plasma/blocks/{}", rc_h_plasma_block},
    {"GET", "/v1/exits", rc_h_exits},
    {"GET", "/v1/exits/{}", rc_h_exit},
    {"GET", "/v1/queues/{}", rc_h_queue},
    {"GET", "/v1/accounts/{}", rc_h_account},
    {"GET", "/v1/events", rc_h_events},
    {"GET", "/v1/gas", rc_h_gas},
    {"GET", "/v1/in-flight-exits", rc_h_ifes},
    {"GET", "/v1/in-flight-exits/{}", rc_h_ife},
    {"GET", "/v1/in-flight-exits/{}/tx", rc_h_ife_tx},
    {"GET", "/v1/finalized/{}", rc_h_finalized},
    {"GET", "/v1/withdrawable/{}", rc_h_withdrawable},
    {"POST", "/v1/dev/mine", rc_h_dev_mine},
    {"POST", "/v1/dev/advance-time", rc_h_dev_advance_time},
    {"POST", "/v1/dev/fund", rc_h_dev_fund},
    {"POST", "/v1/dev/mint", rc_h_dev_mint},
};

void plasma_rootnode_mount(plasma_rootnode *node, const char *prefix, plasma_http_mount *out)
{
    *out = (plasma_http_mount){prefix, ROUTES, sizeof ROUTES / sizeof ROUTES[0], node};
}
