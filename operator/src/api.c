/* Handlers of the operator API. Each parses its input, calls the ledger and
 * renders JSON; every error goes out as {"error": {"code", "message"}} with
 * the status of plasma_err_http_status. */
#include "api.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plasma/core.h"
#include "plasma/json.h"

#define MAX_UTXOS_PER_OWNER 10000

/* Parses a decimal u64 path segment; false on anything else. */
static bool parse_u64(const char *s, uint64_t *out)
{
    plasma_u256 v;
    return plasma_u256_parse_dec(&v, s) == 0 && plasma_u256_to_u64(&v, out);
}

/* Development: whether blknum is the block the operator withholds. */
static bool is_withheld(op_api *api, uint64_t blknum)
{
    uint64_t w = atomic_load(&api->withheld);
    return w != 0 && w == blknum;
}

static json_t *receipt_json(const plasma_ledger_receipt *r)
{
    return json_pack("{s:o,s:I,s:I}", "txhash", plasma_json_hash(&r->txhash), "blknum", (json_int_t)r->blknum,
                     "txindex", (json_int_t)r->txindex);
}

/* --- GET /v1/status --- */

static void h_status(void *ctx, const plasma_http_req *req, plasma_http_resp *resp)
{
    (void)req;
    op_api *api = ctx;
    plasma_ledger_status st;
    plasma_ledger_status_get(api->ledger, &st);
    char contract[43];
    json_t *body = json_pack(
        "{s:I,s:s,s:o,s:I,s:{s:I,s:o},s:I}", "chain_id", (json_int_t)api->domain.chain_id,
        "verifying_contract", plasma_addr_format(contract, &api->domain.verifying_contract), "operator",
        plasma_json_addr(&api->operator_addr), "child_block_interval",
        (json_int_t)PLASMA_CHILD_BLOCK_INTERVAL, "latest_block", "blknum", (json_int_t)st.latest_blknum,
        "root", plasma_json_hash(&st.latest_root), "pending_txs", (json_int_t)st.pending_txs);
    plasma_http_reply(resp, 200, body);
}

/* --- POST /v1/transactions and /batch --- */

/* Decodes a "0x..." transaction string. Returns 0 or PLASMA_ERR_MALFORMED_TX. */
static int tx_bytes_of(const json_t *v, uint8_t **data, size_t *len)
{
    if (!json_is_string(v))
        return PLASMA_ERR_MALFORMED_TX;
    const char *s = json_string_value(v);
    if (strncmp(s, "0x", 2) != 0 || plasma_hex_decode_alloc(data, len, s) != 0)
        return PLASMA_ERR_MALFORMED_TX;
    return PLASMA_OK;
}

typedef int (*submit_fn)(plasma_ledger *l, plasma_ledger_receipt *out, const uint8_t *rlp, size_t len);

/* Reads {"tx": "0x<rlp SignedTx>"}, hands it to submit and replies with the
 * receipt or the error. */
static void submit_body(op_api *api, const plasma_http_req *req, plasma_http_resp *resp, submit_fn submit)
{
    json_t *body = plasma_http_body_json(req, resp);
    if (!body)
        return;
    json_t *tx = json_object_get(body, "tx");
    uint8_t *data = NULL;
    size_t len = 0;
    int rc = tx ? tx_bytes_of(tx, &data, &len) : PLASMA_ERR_BAD_REQUEST;
    plasma_ledger_receipt r;
    if (rc == 0)
        rc = submit(api->ledger, &r, data, len);
    if (rc == 0)
        plasma_http_reply(resp, 200, receipt_json(&r));
    else if (rc == PLASMA_ERR_BAD_REQUEST)
        plasma_http_error(resp, rc, "body must be {\"tx\": \"0x<rlp SignedTx>\"}");
    else if (rc == PLASMA_ERR_MALFORMED_TX && !data)
        plasma_http_error(resp, rc, "tx must be a 0x-prefixed hex string");
    else
        plasma_http_error(resp, rc, NULL);
    free(data);
    json_decref(body);
}

static void h_submit(void *ctx, const plasma_http_req *req, plasma_http_resp *resp)
{
    submit_body(ctx, req, resp, plasma_ledger_submit);
}

/* --- the batch body --- */

/* One entry of "txs" as text: a string's characters (no quotes, no
 * escapes), or is_string false for any other JSON value. */
typedef struct tx_text {
    const char *s;
    size_t len;
    bool is_string;
} tx_text;

typedef struct batch_in {
    size_t n;
    tx_text *text;
    uint8_t *arena; /* all decoded transactions, back to back */
    plasma_tx_bytes *txs;
    int *errs;
    plasma_ledger_receipt *receipts;
} batch_in;

static void batch_free(batch_in *b)
{
    free(b->text);
    free(b->arena);
    free(b->txs);
    free(b->errs);
    free(b->receipts);
}

static const char *skip_ws(const char *p, const char *end)
{
    while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
        p++;
    return p;
}

/* Recognises the body every client sends, {"txs": ["…", …]} with JSON
 * whitespace anywhere and strings of printable ASCII without escapes, and
 * fills out[0..n) with views into it (out NULL: only counts). Returns n, or
 * -1 for any other body, one of more than max entries included: the caller
 * then parses it with jansson, which accepts everything JSON allows and
 * names what is wrong. On full batches jansson's parse and its copy of
 * every string cost more than the hex decoding itself. */
static long scan_batch(const char *p, size_t len, tx_text *out, size_t max)
{
    const char *end = p + len;
    p = skip_ws(p, end);
    if (p == end || *p++ != '{')
        return -1;
    p = skip_ws(p, end);
    if (end - p < 5 || memcmp(p, "\"txs\"", 5) != 0)
        return -1;
    p = skip_ws(p + 5, end);
    if (p == end || *p++ != ':')
        return -1;
    p = skip_ws(p, end);
    if (p == end || *p++ != '[')
        return -1;
    p = skip_ws(p, end);
    size_t n = 0;
    if (p < end && *p == ']') {
        p++;
    } else {
        for (;;) {
            if (p == end || *p++ != '"' || n == max)
                return -1;
            const char *s = p;
            while (p < end && *p != '"') {
                unsigned char c = (unsigned char)*p++;
                if (c < 0x20 || c > 0x7e || c == '\\')
                    return -1;
            }
            if (p == end)
                return -1;
            if (out)
                out[n] = (tx_text){s, (size_t)(p - s), true};
            n++;
            p = skip_ws(p + 1, end);
            if (p == end)
                return -1;
            if (*p == ']') {
                p++;
                break;
            }
            if (*p++ != ',')
                return -1;
            p = skip_ws(p, end);
        }
    }
    p = skip_ws(p, end);
    if (p == end || *p++ != '}')
        return -1;
    return skip_ws(p, end) == end ? (long)n : -1;
}

/* The entries of a "txs" array parsed by jansson, as views into it. */
static void texts_of_array(const json_t *arr, tx_text *out)
{
    for (size_t i = 0; i < json_array_size(arr); i++) {
        const json_t *v = json_array_get(arr, i);
        out[i] = json_is_string(v) ? (tx_text){json_string_value(v), json_string_length(v), true}
                                   : (tx_text){NULL, 0, false};
    }
}

static int batch_alloc(batch_in *b, size_t max)
{
    b->text = calloc(max + 1, sizeof *b->text);
    b->txs = calloc(max + 1, sizeof *b->txs);
    b->errs = calloc(max + 1, sizeof *b->errs);
    b->receipts = calloc(max + 1, sizeof *b->receipts);
    return b->text && b->txs && b->errs && b->receipts ? PLASMA_OK : PLASMA_ERR_NOMEM;
}

/* Decodes every "0x…" entry into one arena; an entry that is not a string of
 * 0x and an even number of hex digits gets malformed_tx. */
static int batch_decode(batch_in *b)
{
    size_t total = 1;
    for (size_t i = 0; i < b->n; i++)
        total += b->text[i].len / 2;
    b->arena = malloc(total);
    if (!b->arena)
        return PLASMA_ERR_NOMEM;
    uint8_t *dst = b->arena;
    for (size_t i = 0; i < b->n; i++) {
        const tx_text *t = &b->text[i];
        if (!t->is_string || t->len < 2 || t->s[0] != '0' || t->s[1] != 'x' ||
            plasma_hex_decode_digits(dst, t->s + 2, t->len - 2) != 0) {
            b->errs[i] = PLASMA_ERR_MALFORMED_TX;
            continue;
        }
        b->txs[i] = (plasma_tx_bytes){dst, (t->len - 2) / 2};
        dst += (t->len - 2) / 2;
    }
    return PLASMA_OK;
}

/* Entries that failed to decode are left out of the ledger call, so that
 * the ledger sees a dense array and the results keep request order. */
static void batch_submit(op_api *api, batch_in *b)
{
    size_t *idx = calloc(b->n + 1, sizeof *idx), m = 0;
    plasma_tx_bytes *txs = calloc(b->n + 1, sizeof *txs);
    int *errs = calloc(b->n + 1, sizeof *errs);
    plasma_ledger_receipt *rs = calloc(b->n + 1, sizeof *rs);
    if (!idx || !txs || !errs || !rs) {
        for (size_t i = 0; i < b->n; i++)
            b->errs[i] = b->errs[i] ? b->errs[i] : PLASMA_ERR_NOMEM;
    } else {
        for (size_t i = 0; i < b->n; i++)
            if (b->errs[i] == 0) {
                idx[m] = i;
                txs[m++] = b->txs[i];
            }
        plasma_ledger_submit_batch(api->ledger, rs, errs, txs, m);
        for (size_t k = 0; k < m; k++) {
            b->errs[idx[k]] = errs[k];
            b->receipts[idx[k]] = rs[k];
        }
    }
    free(idx);
    free(txs);
    free(errs);
    free(rs);
}

/* {"results": [...]} written directly: a receipt is three fixed fields, and
 * building a jansson object per entry to serialise it again cost more than
 * the text. Errors (rare) go through jansson. The same bytes as the server's
 * own serialisation (compact, one newline at the end). */
static int results_text(const batch_in *b, plasma_buf *out)
{
    static const char head[] = "{\"results\":[";
    plasma_buf_append(out, (const uint8_t *)head, sizeof head - 1);
    for (size_t i = 0; i < b->n; i++) {
        if (i > 0)
            plasma_buf_append(out, (const uint8_t *)",", 1);
        if (b->errs[i] != 0) {
            json_t *e = plasma_http_error_json(b->errs[i], NULL);
            char *t = e ? json_dumps(e, JSON_COMPACT) : NULL;
            if (t)
                plasma_buf_append(out, (const uint8_t *)t, strlen(t));
            free(t);
            json_decref(e);
            if (!t)
                return PLASMA_ERR_NOMEM;
            continue;
        }
        const plasma_ledger_receipt *r = &b->receipts[i];
        char hash[67], line[160];
        int len =
            snprintf(line, sizeof line, "{\"txhash\":\"%s\",\"blknum\":%" PRIu64 ",\"txindex\":%" PRIu32 "}",
                     plasma_hash_format(hash, &r->txhash), r->blknum, r->txindex);
        plasma_buf_append(out, (const uint8_t *)line, (size_t)len);
    }
    plasma_buf_append(out, (const uint8_t *)"]}\n", 3);
    return out->failed ? PLASMA_ERR_NOMEM : PLASMA_OK;
}

/* Any body scan_batch does not take. Returns false having filled resp with
 * the error. */
static bool batch_from_json(op_api *api, const plasma_http_req *req, plasma_http_resp *resp, batch_in *b,
                            json_t **body)
{
    *body = plasma_http_body_json(req, resp);
    if (!*body)
        return false;
    json_t *arr = json_object_get(*body, "txs");
    if (!json_is_array(arr)) {
        plasma_http_error(resp, PLASMA_ERR_BAD_REQUEST, "body must be {\"txs\": [\"0x...\", ...]}");
        return false;
    }
    if (json_array_size(arr) > api->max_batch) {
        char msg[96];
        snprintf(msg, sizeof msg, "a batch holds at most %zu transactions", api->max_batch);
        plasma_http_error(resp, PLASMA_ERR_BAD_REQUEST, msg);
        return false;
    }
    b->n = json_array_size(arr);
    if (batch_alloc(b, b->n) < 0) {
        plasma_http_error(resp, PLASMA_ERR_NOMEM, NULL);
        return false;
    }
    texts_of_array(arr, b->text);
    return true;
}

static void h_submit_batch(void *ctx, const plasma_http_req *req, plasma_http_resp *resp)
{
    op_api *api = ctx;
    if (!plasma_http_json_content_type(req, resp))
        return;
    batch_in b = {0};
    json_t *body = NULL;
    plasma_buf text = {0};
    const char *raw = (const char *)req->body;
    long n = scan_batch(raw, req->body_len, NULL, api->max_batch);
    bool ok;
    if (n >= 0) {
        b.n = (size_t)n;
        ok = batch_alloc(&b, b.n) == 0;
        if (ok)
            scan_batch(raw, req->body_len, b.text, b.n);
        else
            plasma_http_error(resp, PLASMA_ERR_NOMEM, NULL);
    } else {
        ok = batch_from_json(api, req, resp, &b, &body);
    }
    if (ok && batch_decode(&b) < 0) {
        plasma_http_error(resp, PLASMA_ERR_NOMEM, NULL);
        ok = false;
    }
    if (ok) {
        batch_submit(api, &b);
        if (results_text(&b, &text) < 0) {
            plasma_http_error(resp, PLASMA_ERR_NOMEM, NULL);
        } else {
            plasma_http_reply(resp, 200, NULL);
            resp->raw = (char *)text.data;
            resp->raw_len = text.len;
            text.data = NULL;
        }
    }
    plasma_buf_free(&text);
    batch_free(&b);
    json_decref(body);
}

/* --- GET /v1/transactions/{txhash} --- */

/* The path's txhash; false (the answer given) when it is malformed. */
static bool txhash_param(const plasma_http_req *req, plasma_http_resp *resp, plasma_hash *h)
{
    if (plasma_hash_parse(h, req->params[0]) == 0)
        return true;
    plasma_http_error(resp, PLASMA_ERR_BAD_REQUEST, "txhash must be 0x + 64 hex digits");
    return false;
}

static void h_get_tx(void *ctx, const plasma_http_req *req, plasma_http_resp *resp)
{
    op_api *api = ctx;
    plasma_hash h;
    if (!txhash_param(req, resp, &h))
        return;
    plasma_buf rlp = {0};
    uint64_t blknum;
    uint32_t txindex;
    int rc = plasma_ledger_get_tx(api->ledger, &h, &blknum, &txindex, &rlp);
    if (rc == 0)
        plasma_http_reply(resp, 200,
                          json_pack("{s:o,s:I,s:I,s:o}", "txhash", plasma_json_hash(&h), "blknum",
                                    (json_int_t)blknum, "txindex", (json_int_t)txindex, "tx",
                                    plasma_json_hex(rlp.data, rlp.len)));
    else
        plasma_http_error(resp, rc, rc == PLASMA_ERR_NOT_FOUND ? "no transaction with this hash" : NULL);
    plasma_buf_free(&rlp);
}

/* --- GET /v1/transactions/{txhash}/in-flight-exit-data --- */

typedef struct ife_args {
    json_t *txs, *pos, *proofs;
} ife_args;

/* The tx and proof of one input of the in-flight tx; an input in a block
 * the operator withholds (development) is not served. */
static int add_input(op_api *api, ife_args *a, uint64_t pos)
{
    if (is_withheld(api, plasma_pos_blknum(pos)))
        return PLASMA_ERR_NOT_FOUND;
    plasma_buf tx = {0};
    uint8_t proof[PLASMA_MERKLE_PROOF_LEN];
    int rc = plasma_ledger_exit_data(api->ledger, pos, &tx, proof);
    if (rc == 0 && (json_array_append_new(a->txs, plasma_json_hex(tx.data, tx.len)) |
                    json_array_append_new(a->pos, plasma_json_u64_str(pos)) |
                    json_array_append_new(a->proofs, plasma_json_hex(proof, sizeof proof))))
        rc = PLASMA_ERR_NOMEM;
    plasma_buf_free(&tx);
    return rc;
}

static json_t *ife_data_json(const plasma_hash *h, const plasma_buf *rlp, uint64_t blknum, uint32_t txindex,
                             bool sealed, ife_args *a)
{
    json_t *o = json_pack("{s:o,s:I,s:I,s:b,s:o,s:o,s:o,s:o}", "txhash", plasma_json_hash(h), "blknum",
                          (json_int_t)blknum, "txindex", (json_int_t)txindex, "sealed", sealed, "tx",
                          plasma_json_hex(rlp->data, rlp->len), "input_txs", a->txs, "input_utxo_pos", a->pos,
                          "input_proofs", a->proofs);
    a->txs = a->pos = a->proofs = NULL;
    return o;
}

static void h_ife_data(void *ctx, const plasma_http_req *req, plasma_http_resp *resp)
{
    op_api *api = ctx;
    plasma_hash h;
    if (!txhash_param(req, resp, &h))
        return;
    plasma_buf rlp = {0};
    uint64_t blknum;
    uint32_t txindex;
    plasma_tx tx;
    ife_args a = {json_array(), json_array(), json_array()};
    int rc = a.txs && a.pos && a.proofs ? plasma_ledger_get_tx(api->ledger, &h, &blknum, &txindex, &rlp)
                                        : PLASMA_ERR_NOMEM;
    if (rc == 0 && plasma_tx_decode_signed(&tx, rlp.data, rlp.len) != 0)
        rc = PLASMA_ERR_NOT_FOUND; /* a fee tx: nothing to exit in flight */
    for (unsigned i = 0; rc == 0 && i < tx.n_inputs; i++)
        rc = add_input(api, &a, tx.inputs[i]);
    plasma_ledger_status st;
    plasma_ledger_status_get(api->ledger, &st);
    json_t *out = rc == 0 ? ife_data_json(&h, &rlp, blknum, txindex, blknum <= st.latest_blknum, &a) : NULL;
    if (rc == 0 && !out)
        rc = PLASMA_ERR_NOMEM;
    if (rc == 0)
        plasma_http_reply(resp, 200, out);
    else
        plasma_http_error(resp, rc,
                          rc == PLASMA_ERR_NOT_FOUND
                              ? "no payment with this hash, or an input's block is not sealed yet"
                              : NULL);
    json_decref(a.txs);
    json_decref(a.pos);
    json_decref(a.proofs);
    plasma_buf_free(&rlp);
}

/* --- GET /v1/blocks/{blknum} --- */

/* The forms a block is served in; JSON is the default. */
static const char *const block_types[] = {"application/json", "application/octet-stream"};
enum { BLOCK_JSON = 0, BLOCK_RLP = 1 };

/* A tx dropped from its block before the seal (its input was finalized on
 * the root chain) left the empty leaf: listed as null. */
static bool add_block_tx(void *arg, const uint8_t *rlp, size_t len)
{
    return json_array_append_new(arg, len ? plasma_json_hex(rlp, len) : json_null()) == 0;
}

/* In the binary form a dropped tx is the empty string (0x80): never a
 * transaction, which is a list. */
static bool add_block_tx_rlp(void *arg, const uint8_t *rlp, size_t len)
{
    return (len ? plasma_buf_append(arg, rlp, len) : plasma_rlp_put_bytes(arg, NULL, 0)) == 0;
}

static void reply_block_json(op_api *api, uint64_t blknum, plasma_http_resp *resp)
{
    json_t *txs = json_array();
    plasma_block_info info;
    int rc = plasma_ledger_get_block(api->ledger, blknum, &info, add_block_tx, txs);
    if (rc == 0)
        plasma_http_reply(resp, 200,
                          json_pack("{s:I,s:o,s:I,s:o}", "blknum", (json_int_t)info.blknum, "root",
                                    plasma_json_hash(&info.root), "timestamp", (json_int_t)info.timestamp,
                                    "txs", txs));
    else {
        json_decref(txs);
        plasma_http_error(resp, rc,
                          rc == PLASMA_ERR_NOT_FOUND ? "no sealed or deposit block with this number" : NULL);
    }
}

/* The binary form, rlp([blknum, root, timestamp, [SignedTx, ...]]): each
 * transaction's RLP exactly as stored, no hex and no JSON (docs/api.md). */
static void reply_block_rlp(op_api *api, uint64_t blknum, plasma_http_resp *resp)
{
    plasma_buf b = {0};
    plasma_block_info info;
    int rc = plasma_ledger_get_block(api->ledger, blknum, &info, NULL, NULL);
    if (rc == 0) {
        size_t outer = plasma_rlp_list_begin(&b);
        plasma_rlp_put_u64(&b, info.blknum);
        plasma_rlp_put_bytes(&b, info.root.b, sizeof info.root.b);
        plasma_rlp_put_u64(&b, info.timestamp);
        size_t txs = plasma_rlp_list_begin(&b);
        if ((rc = plasma_ledger_get_block(api->ledger, blknum, &info, add_block_tx_rlp, &b)) == 0 &&
            (b.failed || plasma_rlp_list_end(&b, txs) != 0 || plasma_rlp_list_end(&b, outer) != 0))
            rc = PLASMA_ERR_NOMEM;
    }
    if (rc) {
        plasma_buf_free(&b);
        plasma_http_error(resp, rc,
                          rc == PLASMA_ERR_NOT_FOUND ? "no sealed or deposit block with this number" : NULL);
        return;
    }
    resp->status = 200;
    resp->content_type = block_types[BLOCK_RLP];
    resp->raw = (char *)b.data;
    resp->raw_len = b.len;
}

static void h_get_block(void *ctx, const plasma_http_req *req, plasma_http_resp *resp)
{
    op_api *api = ctx;
    uint64_t blknum;
    int form = plasma_http_negotiate(req, block_types, 2);
    if (!parse_u64(req->params[0], &blknum)) {
        plasma_http_error(resp, PLASMA_ERR_BAD_REQUEST, "blknum must be a decimal number");
        return;
    }
    if (form < 0) {
        plasma_http_error(resp, PLASMA_ERR_BAD_REQUEST, "the Accept header does not parse");
        return;
    }
    if (is_withheld(api, blknum)) {
        plasma_http_error(resp, PLASMA_ERR_NOT_FOUND, "no sealed or deposit block with this number");
        return;
    }
    if (form == BLOCK_RLP)
        reply_block_rlp(api, blknum, resp);
    else
        reply_block_json(api, blknum, resp);
}

/* --- UTXOs --- */

static json_t *utxo_json(const plasma_utxo *u)
{
    return json_pack("{s:o,s:I,s:I,s:I,s:o,s:o,s:o}", "utxo_pos", plasma_json_u64_str(u->pos), "blknum",
                     (json_int_t)plasma_pos_blknum(u->pos), "txindex", (json_int_t)plasma_pos_txindex(u->pos),
                     "oindex", (json_int_t)plasma_pos_oindex(u->pos), "owner", plasma_json_addr(&u->owner),
                     "token", plasma_json_addr(&u->token), "amount", plasma_json_u256(&u->amount));
}

static bool add_utxo(void *arg, const plasma_utxo *u)
{
    return json_array_append_new(arg, utxo_json(u)) == 0;
}

static void h_utxos(void *ctx, const plasma_http_req *req, plasma_http_resp *resp)
{
    op_api *api = ctx;
    const char *owner_s = plasma_http_query(req, "owner");
    plasma_addr owner;
    if (!owner_s || plasma_addr_parse(&owner, owner_s) != 0) {
        plasma_http_error(resp, PLASMA_ERR_BAD_REQUEST, "owner=0x<address> is required");
        return;
    }
    json_t *list = json_array();
    int rc = plasma_ledger_utxos_by_owner(api->ledger, &owner, MAX_UTXOS_PER_OWNER, add_utxo, list);
    if (rc == 0)
        plasma_http_reply(resp, 200, json_pack("{s:o}", "utxos", list));
    else {
        json_decref(list);
        plasma_http_error(resp, rc, NULL);
    }
}

/* Parses the position in the path; an output of a withheld block is
 * answered as missing. */
static bool parse_pos(op_api *api, const plasma_http_req *req, plasma_http_resp *resp, uint64_t *pos)
{
    if (!parse_u64(req->params[0], pos) || !plasma_utxo_pos_valid(*pos)) {
        plasma_http_error(resp, PLASMA_ERR_BAD_REQUEST, "utxo_pos must be a valid decimal position");
        return false;
    }
    if (!is_withheld(api, plasma_pos_blknum(*pos)))
        return true;
    plasma_http_error(resp, PLASMA_ERR_NOT_FOUND, "no such output in a sealed block");
    return false;
}

static void h_utxo(void *ctx, const plasma_http_req *req, plasma_http_resp *resp)
{
    op_api *api = ctx;
    uint64_t pos;
    if (!parse_pos(api, req, resp, &pos))
        return;
    plasma_utxo u;
    int rc = plasma_ledger_get_utxo(api->ledger, pos, &u);
    if (rc == 0)
        plasma_http_reply(resp, 200, utxo_json(&u));
    else
        plasma_http_error(resp, rc, NULL);
}

static void h_exit_data(void *ctx, const plasma_http_req *req, plasma_http_resp *resp)
{
    op_api *api = ctx;
    uint64_t pos;
    if (!parse_pos(api, req, resp, &pos))
        return;
    plasma_buf tx = {0};
    uint8_t proof[PLASMA_MERKLE_PROOF_LEN];
    int rc = plasma_ledger_exit_data(api->ledger, pos, &tx, proof);
    if (rc == 0)
        plasma_http_reply(resp, 200,
                          json_pack("{s:o,s:o,s:o}", "utxo_pos", plasma_json_u64_str(pos), "tx",
                                    plasma_json_hex(tx.data, tx.len), "proof",
                                    plasma_json_hex(proof, sizeof proof)));
    else
        plasma_http_error(resp, rc, rc == PLASMA_ERR_NOT_FOUND ? "no such output in a sealed block" : NULL);
    plasma_buf_free(&tx);
}

/* --- operational endpoints --- */

static void h_health(void *ctx, const plasma_http_req *req, plasma_http_resp *resp)
{
    (void)req;
    op_api *api = ctx;
    plasma_ledger_status st;
    plasma_ledger_status_get(api->ledger, &st);
    op_sync_stats ss = {0};
    if (api->sync)
        op_sync_stats_get(api->sync, &ss);
    bool ok = !st.failed && !ss.diverged;
    json_t *body = json_pack("{s:s,s:b,s:b,s:b,s:I,s:I}", "status", ok ? "ok" : "failing", "ledger_failed",
                             st.failed, "rootchain_reachable", api->sync ? ss.rc_reachable : 0,
                             "rootchain_diverged", ss.diverged, "latest_blknum", (json_int_t)st.latest_blknum,
                             "last_submitted", (json_int_t)st.last_submitted);
    plasma_http_reply(resp, ok ? 200 : 503, body);
}

static void h_openapi(void *ctx, const plasma_http_req *req, plasma_http_resp *resp)
{
    (void)ctx;
    (void)req;
    size_t len = strlen(op_openapi_json);
    resp->raw = malloc(len);
    if (!resp->raw) {
        plasma_http_error(resp, PLASMA_ERR_NOMEM, NULL);
        return;
    }
    memcpy(resp->raw, op_openapi_json, len);
    resp->raw_len = len;
    resp->status = 200;
}

/* Constant-time comparison: the admin token must not leak by timing. */
static bool token_ok(const op_api *api, const plasma_http_req *req)
{
    const char *got = plasma_http_header(req, "X-Admin-Token");
    size_t n = strlen(api->admin_token);
    if (!n || !got || strlen(got) != n)
        return false;
    unsigned char diff = 0;
    for (size_t i = 0; i < n; i++)
        diff |= (unsigned char)(got[i] ^ api->admin_token[i]);
    return diff == 0;
}

static void h_admin_seal(void *ctx, const plasma_http_req *req, plasma_http_resp *resp)
{
    op_api *api = ctx;
    if (!token_ok(api, req)) {
        plasma_http_error(resp, PLASMA_ERR_UNAUTHORIZED, NULL);
        return;
    }
    uint64_t blknum = 0;
    int rc = plasma_ledger_seal(api->ledger, &blknum);
    if (rc == 0)
        plasma_http_reply(resp, 200, json_pack("{s:I}", "sealed_blknum", (json_int_t)blknum));
    else
        plasma_http_error(resp, rc, NULL);
}

static void h_admin_shutdown(void *ctx, const plasma_http_req *req, plasma_http_resp *resp)
{
    op_api *api = ctx;
    if (!token_ok(api, req)) {
        plasma_http_error(resp, PLASMA_ERR_UNAUTHORIZED, NULL);
        return;
    }
    api->request_stop(api->stop_ctx);
    plasma_http_reply(resp, 200, json_pack("{s:s}", "status", "stopping"));
}

/* --- development switches (--dev only) --- */

/* The admin token is required as elsewhere; outside --dev the switches
 * answer 403. */
static bool dev_allowed(const op_api *api, const plasma_http_req *req, plasma_http_resp *resp)
{
    if (!token_ok(api, req)) {
        plasma_http_error(resp, PLASMA_ERR_UNAUTHORIZED, NULL);
        return false;
    }
    if (api->dev)
        return true;
    plasma_http_error(resp, PLASMA_ERR_FORBIDDEN, "development switches exist only with --dev");
    return false;
}

static void h_dev_withhold(void *ctx, const plasma_http_req *req, plasma_http_resp *resp)
{
    op_api *api = ctx;
    if (!dev_allowed(api, req, resp))
        return;
    json_t *body = plasma_http_body_json(req, resp);
    if (!body)
        return;
    json_t *v = json_object_get(body, "blknum");
    if (!json_is_integer(v) || json_integer_value(v) <= 0) {
        plasma_http_error(resp, PLASMA_ERR_BAD_REQUEST, "body must be {\"blknum\": N}");
    } else {
        atomic_store(&api->withheld, (uint64_t)json_integer_value(v));
        plasma_http_reply(resp, 200, json_pack("{s:I}", "withheld_blknum", json_integer_value(v)));
    }
    json_decref(body);
}

static void h_dev_steal(void *ctx, const plasma_http_req *req, plasma_http_resp *resp)
{
    op_api *api = ctx;
    if (dev_allowed(api, req, resp))
        submit_body(api, req, resp, plasma_ledger_submit_unchecked_owner);
}

const plasma_http_route op_api_routes[] = {
    {"GET", "/v1/status", h_status},
    {"POST", "/v1/transactions/batch", h_submit_batch},
    {"POST", "/v1/transactions", h_submit},
    {"GET", "/v1/transactions/{}", h_get_tx},
    {"GET", "/v1/transactions/{}/in-flight-exit-data", h_ife_data},
    {"GET", "/v1/blocks/{}", h_get_block},
    {"GET", "/v1/utxos", h_utxos},
    {"GET", "/v1/utxos/{}", h_utxo},
    {"GET", "/v1/utxos/{}/exit-data", h_exit_data},
    {"GET", "/health", h_health},
    {"GET", "/metrics", op_api_metrics},
    {"GET", "/openapi.json", h_openapi},
    {"POST", "/admin/seal", h_admin_seal},
    {"POST", "/admin/shutdown", h_admin_shutdown},
    {"POST", "/admin/dev/withhold", h_dev_withhold},
    {"POST", "/admin/dev/steal", h_dev_steal},
};
const size_t op_api_n_routes = sizeof op_api_routes / sizeof op_api_routes[0];
