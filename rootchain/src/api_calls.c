/* POST /v1/calls and GET /v1/calls/{hash}: signed calls in, receipts out.
 *
 * A call is decoded and its sender recovered outside the lock (ecrecover
 * is the expensive part), then dry-run against the current state: a call
 * that would fail is refused with the error it would fail with, so that a
 * client learns of a bad proof or a missing bond at once and pays nothing. */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* Longest signed envelope: the largest startInFlightExit with room to
 * spare (its tx and four input txs, four proofs, a signature and a few
 * integers). */
#define MAX_SIGNED_CALL                                                                                      \
    ((PLASMA_MAX_INPUTS + 1) * PLASMA_CALL_MAX_TX + PLASMA_MAX_INPUTS * PLASMA_MERKLE_PROOF_LEN + 512)

static const rc_field CALL_FIELDS[] = {{"call", RC_F_STRING}};

/* Out: the call with its recovered sender. Fills resp on failure. */
static bool decode_call(plasma_rootnode *node, const char *hex, plasma_call *out, plasma_http_resp *resp)
{
    size_t digits = strlen(hex);
    if (digits >= 2 && hex[0] == '0' && (hex[1] == 'x' || hex[1] == 'X'))
        digits -= 2;
    if (digits / 2 > MAX_SIGNED_CALL) {
        plasma_http_error(resp, PLASMA_ERR_BAD_CALL, "call is longer than any valid signed call");
        return false;
    }
    uint8_t *raw = NULL;
    size_t len = 0;
    int rc = plasma_hex_decode_alloc(&raw, &len, hex);
    if (rc == PLASMA_ERR_BAD_REQUEST) {
        rc_bad_request(resp, "field \"call\" must be 0x-hex of whole bytes");
        return false;
    }
    if (rc == PLASMA_OK)
        rc = plasma_call_decode_signed(out, NULL, &node->domain, raw, len);
    free(raw);
    if (rc == PLASMA_ERR_BAD_CALL) {
        plasma_http_error(resp, rc, "call is not a signed call envelope for this chain and contract");
        return false;
    }
    if (rc != PLASMA_OK) {
        plasma_http_error(resp, rc, NULL);
        return false;
    }
    return true;
}

void rc_h_submit_call(void *ctx, const plasma_http_req *req, plasma_http_resp *resp)
{
    plasma_rootnode *node = ctx;
    plasma_call *call = NULL;
    json_t *body = rc_body(req, resp, CALL_FIELDS, 1);
    if (!body)
        return;
    call = malloc(sizeof *call);
    if (!call) {
        plasma_http_error(resp, PLASMA_ERR_NOMEM, NULL);
        goto cleanup;
    }
    if (!decode_call(node, json_string_value(json_object_get(body, "call")), call, resp))
        goto cleanup;
    plasma_hash h;
    uint64_t gas = 0;
    int rc = plasma_rootnode_submit(node, call, &h, &gas);
    if (rc == PLASMA_ERR_BLOCK_FULL) {
        plasma_http_error(resp, rc, "the call pool is full; retry after the next block");
        goto cleanup;
    }
    if (rc != PLASMA_OK) {
        plasma_http_error(resp, rc, NULL);
        goto cleanup;
    }
    json_t *out = json_pack("{s:o,s:I}", "call_hash", plasma_json_hash(&h), "gas_estimate", (json_int_t)gas);
    if (out)
        plasma_http_reply(resp, 200, out);
    else
        plasma_http_error(resp, PLASMA_ERR_NOMEM, NULL);
cleanup:
    free(call);
    json_decref(body);
}

void rc_h_get_call(void *ctx, const plasma_http_req *req, plasma_http_resp *resp)
{
    plasma_rootnode *node = ctx;
    plasma_hash h;
    if (plasma_hash_parse(&h, req->params[0]) != PLASMA_OK) {
        rc_bad_request(resp, "call hash must be 0x + 64 hex digits");
        return;
    }
    plasma_receipt r;
    pthread_mutex_lock(&node->mu);
    rc_node_sync_locked(node);
    int rc = plasma_chain_receipt(&r, node->chain, &h);
    bool pending = rc != PLASMA_OK && rc_node_is_pending_locked(node, &h);
    pthread_mutex_unlock(&node->mu);
    json_t *out = NULL;
    if (rc == PLASMA_OK)
        out = rc_receipt_json(&r);
    else if (pending)
        out = json_pack("{s:o,s:s}", "call_hash", plasma_json_hash(&h), "status", "pending");
    else {
        plasma_http_error(resp, PLASMA_ERR_NOT_FOUND, "no call with this hash is pending or mined");
        return;
    }
    if (out)
        plasma_http_reply(resp, 200, out);
    else
        plasma_http_error(resp, PLASMA_ERR_NOMEM, NULL);
}
