/* The operator's HTTP API (PROTOCOL §7 and the operator's own endpoints) as a
 * route table for plasma_http. */
#ifndef PLASMA_OP_API_H
#define PLASMA_OP_API_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "plasma/http.h"
#include "plasma/ledger.h"
#include "sync.h"

typedef struct op_api {
    plasma_ledger *ledger;
    op_sync *sync; /* may be NULL */
    plasma_domain domain;
    plasma_addr operator_addr;
    const char *admin_token; /* empty: admin endpoints disabled */
    size_t max_batch;
    bool dev;                  /* --dev: the /admin/dev/ switches are on */
    _Atomic uint64_t withheld; /* development: a block not served, 0 none */
    void (*request_stop)(void *ctx);
    void *stop_ctx;
} op_api;

/* The routes; mount them with ctx = an op_api that outlives the server. */
extern const plasma_http_route op_api_routes[];
extern const size_t op_api_n_routes;

/* GET /metrics (metrics.c). */
void op_api_metrics(void *ctx, const plasma_http_req *req, plasma_http_resp *resp);

/* The OpenAPI document served at /openapi.json. */
extern const char op_openapi_json[];

#endif
