/* GET /metrics in the Prometheus text format. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "api.h"
#include "plasma/err.h"

typedef struct text {
    char *buf;
    size_t len;
    size_t cap;
    bool failed;
} text;

static void emit(text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void emit(text *t, const char *fmt, ...)
{
    for (int attempt = 0; attempt < 2 && !t->failed; attempt++) {
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(t->buf + t->len, t->cap - t->len, fmt, ap);
        va_end(ap);
        if (n < 0) {
            t->failed = true;
            return;
        }
        if ((size_t)n < t->cap - t->len) {
            t->len += (size_t)n;
            return;
        }
        size_t cap = (t->cap + (size_t)n) * 2;
        char *nb = realloc(t->buf, cap);
        if (!nb) {
            t->failed = true;
            return;
        }
        t->buf = nb;
        t->cap = cap;
    }
}

static void metric(text *t, const char *name, const char *type, const char *help, double v)
{
    emit(t, "# HELP %s %s\n# TYPE %s %s\n%s %.17g\n", name, help, name, type, name, v);
}

/* The rejection codes reported even at zero, so dashboards see every series. */
static const int reject_codes[] = {
    PLASMA_ERR_MALFORMED_TX,
    PLASMA_ERR_TOO_MANY_INPUTS,
    PLASMA_ERR_TOO_MANY_OUTPUTS,
    PLASMA_ERR_DUPLICATE_INPUTS,
    PLASMA_ERR_AMOUNT_ZERO,
    PLASMA_ERR_MISSING_SIGNATURE,
    PLASMA_ERR_SUPERFLUOUS_SIGNATURE,
    PLASMA_ERR_BAD_SIGNATURE,
    PLASMA_ERR_UTXO_NOT_FOUND,
    PLASMA_ERR_UTXO_SPENT,
    PLASMA_ERR_INPUT_FINALIZED,
    PLASMA_ERR_UNAUTHORIZED_SPEND,
    PLASMA_ERR_AMOUNTS_DO_NOT_ADD_UP,
    PLASMA_ERR_FEE_TOO_LOW,
    PLASMA_ERR_BLOCK_FULL,
    PLASMA_ERR_IO,
    PLASMA_ERR_NOMEM,
};

static void ledger_metrics(text *t, plasma_ledger *l)
{
    plasma_ledger_stats s;
    plasma_ledger_status st;
    plasma_ledger_stats_get(l, &s);
    plasma_ledger_status_get(l, &st);
    metric(t, "plasma_operator_txs_accepted_total", "counter", "Transactions accepted (durable).",
           (double)s.accepted);
    emit(t, "# HELP plasma_operator_txs_rejected_total Transactions rejected, by error code.\n"
            "# TYPE plasma_operator_txs_rejected_total counter\n");
    for (size_t i = 0; i < sizeof reject_codes / sizeof reject_codes[0]; i++)
        emit(t, "plasma_operator_txs_rejected_total{code=\"%s\"} %llu\n", plasma_err_code(reject_codes[i]),
             (unsigned long long)s.rejected[-reject_codes[i]]);
    metric(t, "plasma_operator_blocks_sealed_total", "counter", "Child blocks sealed since start.",
           (double)s.blocks_sealed);
    metric(t, "plasma_operator_block_seal_seconds_last", "gauge",
           "Time to seal the last block (fee txs, Merkle root, persistence).",
           (double)s.seal_ms_last / 1000.0);
    metric(t, "plasma_operator_block_seal_seconds_total", "counter", "Time spent sealing blocks.",
           (double)s.seal_ms_total / 1000.0);
    metric(t, "plasma_operator_pending_txs", "gauge", "Transactions accepted into blocks not yet sealed.",
           (double)st.pending_txs);
    metric(t, "plasma_operator_latest_block", "gauge", "Last sealed child block number.",
           (double)st.latest_blknum);
    metric(t, "plasma_operator_unsubmitted_blocks", "gauge",
           "Sealed blocks not yet confirmed on the root chain.",
           (double)((st.latest_blknum - st.last_submitted) / 1000));
    metric(t, "plasma_operator_group_commits_total", "counter", "Synced database writes.", (double)s.commits);
    metric(t, "plasma_operator_utxo_cache_entries", "gauge", "Outputs held in the in-memory index.",
           (double)s.utxo_cached);
    metric(t, "plasma_operator_utxo_cache_bytes", "gauge", "Memory of the in-memory index.",
           (double)s.utxo_cache_bytes);
    metric(t, "plasma_operator_ledger_failed", "gauge", "1 once the store failed (restart to recover).",
           st.failed ? 1 : 0);
}

static void sync_metrics(text *t, op_sync *sync)
{
    op_sync_stats ss;
    op_sync_stats_get(sync, &ss);
    uint64_t seen = ss.deposit_next < ss.exit_next ? ss.deposit_next : ss.exit_next;
    metric(t, "plasma_operator_rootchain_head", "gauge", "Latest root-chain block seen.", (double)ss.rc_head);
    metric(t, "plasma_operator_rootchain_lag_blocks", "gauge",
           "Root-chain blocks whose events are not applied yet (deposits wait for the finality margin).",
           (double)(ss.rc_head + 1 > seen ? ss.rc_head + 1 - seen : 0));
    metric(t, "plasma_operator_rootchain_reachable", "gauge", "1 when the last root-chain call succeeded.",
           ss.rc_reachable ? 1 : 0);
    metric(t, "plasma_operator_block_submissions_total", "counter", "submitBlock calls sent.",
           (double)ss.submissions);
    metric(t, "plasma_operator_outputs_finalized_total", "counter",
           "Outputs the root chain finalized (exits, in-flight exits) since start.", (double)ss.finalized);
    metric(t, "plasma_operator_txs_dropped_total", "counter",
           "Transactions of the open block dropped since start: an input was finalized.", (double)ss.dropped);
    metric(t, "plasma_operator_ifes_watched", "gauge",
           "In-flight exits whose inputs and outputs are watched.", (double)ss.ifes_watched);
}

void op_api_metrics(void *ctx, const plasma_http_req *req, plasma_http_resp *resp)
{
    (void)req;
    op_api *api = ctx;
    text t = {0};
    ledger_metrics(&t, api->ledger);
    if (api->sync)
        sync_metrics(&t, api->sync);
    if (t.failed || !t.buf) {
        free(t.buf);
        plasma_http_error(resp, PLASMA_ERR_NOMEM, NULL);
        return;
    }
    resp->raw = t.buf;
    resp->raw_len = t.len;
    resp->content_type = "text/plain; version=0.0.4";
    resp->status = 200;
}
