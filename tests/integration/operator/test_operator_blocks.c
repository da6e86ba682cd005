/* GET /v1/blocks/{blknum} in its two forms, against the real
 * plasma-operator in --dev: the JSON object (the default) and the binary
 * rlp([blknum, root, timestamp, [SignedTx, ...]]) that an Accept header
 * asking for application/octet-stream gets. Both must carry the same
 * transactions, byte for byte, for a child block (payments and a fee
 * transaction) and a deposit block; the Accept header is negotiated as
 * HTTP says, and a malformed one is refused. */
#include "itest_chain.h"

static it_daemon daemon_;

static int setup(void **state)
{
    (void)state;
    static const char *const f[] = {
        "--dev", "--rc-block-interval-ms", "600000", "--poll-ms",   "20",   "--seal-interval-ms",
        "0",     "--admin-token",          "s3cret", "--log-level", "warn", NULL};
    it_start(&daemon_, f);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    it_cleanup(&daemon_);
    return 0;
}

/* GET path with the Accept header accept (NULL: none). */
static it_resp get_accept(const char *path, const char *accept)
{
    char extra[256];
    it_resp r;
    snprintf(extra, sizeof extra, "Accept: %s\r\n", accept ? accept : "");
    if (!it_request(daemon_.port, "GET", path, NULL, 0, NULL, accept ? extra : NULL, &r))
        fail_msg("GET %s: no response", path);
    return r;
}

/* Out: the Content-Type of a response, read again with a raw request
 * (it_resp keeps the body only). */
static void content_type(const char *path, const char *accept, char *out, size_t len)
{
    char head[512], buf[1024];
    int fd = it_connect(daemon_.port);
    assert_true(fd >= 0);
    int n = snprintf(head, sizeof head,
                     "GET %s HTTP/1.1\r\nHost: x\r\nConnection: close\r\nAccept: %s\r\n\r\n", path, accept);
    assert_true(it_send_all(fd, head, (size_t)n));
    ssize_t got = recv(fd, buf, sizeof buf - 1, MSG_WAITALL);
    close(fd);
    assert_true(got > 0);
    buf[got] = '\0';
    const char *ct = strcasestr(buf, "\r\nContent-Type: ");
    assert_non_null(ct);
    ct += 16;
    size_t k = strcspn(ct, "\r\n");
    snprintf(out, len, "%.*s", (int)k, ct);
}

/* The binary form of block blknum decoded, checked field by field against
 * its JSON form. Returns the number of transactions. */
static size_t same_block(uint64_t blknum, const char *accept)
{
    char path[64];
    snprintf(path, sizeof path, "/v1/blocks/%llu", (unsigned long long)blknum);
    it_resp js = get_accept(path, NULL), bin = get_accept(path, accept);
    assert_int_equal(js.status, 200);
    assert_int_equal(bin.status, 200);
    assert_non_null(js.json);
    assert_null(bin.json);

    plasma_rlp_item top, item, txs;
    plasma_rlp_iter it, ti;
    uint64_t v;
    assert_int_equal(plasma_rlp_decode(&top, (const uint8_t *)bin.body, bin.len), 0);
    assert_true(top.is_list);
    plasma_rlp_iter_init(&it, &top);
    assert_int_equal(plasma_rlp_iter_next(&it, &item), 1);
    assert_int_equal(plasma_rlp_to_u64(&v, &item), 0);
    assert_int_equal(v, blknum);
    assert_int_equal(it_json_u64(js.json, "blknum"), blknum);
    plasma_hash root, jroot;
    assert_int_equal(plasma_rlp_iter_next(&it, &item), 1);
    assert_int_equal(plasma_rlp_to_fixed(root.b, 32, &item), 0);
    assert_int_equal(plasma_hash_parse(&jroot, json_string_value(json_object_get(js.json, "root"))), 0);
    assert_true(plasma_hash_eq(&root, &jroot));
    plasma_hash stored = it_rc_root(&daemon_, blknum);
    assert_true(plasma_hash_eq(&root, &stored));
    assert_int_equal(plasma_rlp_iter_next(&it, &item), 1);
    assert_int_equal(plasma_rlp_to_u64(&v, &item), 0);
    assert_int_equal(v, it_json_u64(js.json, "timestamp"));
    assert_int_equal(plasma_rlp_iter_next(&it, &txs), 1);
    assert_true(txs.is_list);
    assert_int_equal(plasma_rlp_iter_next(&it, &item), 0);

    json_t *jtxs = json_object_get(js.json, "txs");
    size_t n = 0;
    plasma_rlp_iter_init(&ti, &txs);
    for (;; n++) {
        const uint8_t *start = ti.p;
        int more = plasma_rlp_iter_next(&ti, &item);
        assert_true(more >= 0);
        if (!more)
            break;
        plasma_tx tx;
        assert_int_equal(plasma_tx_decode_block_tx(&tx, start, (size_t)(ti.p - start)), 0);
        char *hex = it_hex(start, (size_t)(ti.p - start));
        assert_string_equal(hex, json_string_value(json_array_get(jtxs, n)));
        free(hex);
    }
    assert_int_equal(n, json_array_size(jtxs));
    it_resp_free(&js);
    it_resp_free(&bin);
    return n;
}

static void test_both_forms(void **state)
{
    (void)state;
    it_daemon *d = &daemon_;
    uint64_t dep = it_rc_deposit(d, 1, 0, 1000000);
    it_wait_utxo_status(d, dep, 200, 5);
    /* Two payments, the second with a fee: the block ends with a fee tx. */
    it_out outs[2] = {{2, 0, 400000}, {1, 0, 600000}};
    it_resp r = it_pay(d, dep, 1, outs, 2);
    assert_int_equal(r.status, 200);
    uint64_t blk = it_json_u64(r.json, "blknum"), change = plasma_utxo_pos(blk, 0, 1);
    it_resp_free(&r);
    it_out outs2[1] = {{3, 0, 599000}};
    r = it_pay(d, change, 1, outs2, 1);
    assert_int_equal(r.status, 200);
    it_resp_free(&r);
    assert_int_equal(it_admin_seal(d), blk);
    it_wait_submitted(d, blk, 10);

    assert_int_equal(same_block(blk, "application/octet-stream"), 3);
    assert_int_equal(same_block(plasma_pos_blknum(dep), "application/octet-stream"), 1);
    assert_int_equal(same_block(blk, "application/json;q=0.5, application/octet-stream"), 3);
    assert_int_equal(
        same_block(blk, "text/html;q=0.1, application/octet-stream;q=0.2, application/json;q=0.1"), 3);

    /* The Content-Type says which form came. */
    char path[64], ct[128];
    snprintf(path, sizeof path, "/v1/blocks/%llu", (unsigned long long)blk);
    content_type(path, "application/octet-stream", ct, sizeof ct);
    assert_string_equal(ct, "application/octet-stream");
    content_type(path, "*/*", ct, sizeof ct);
    assert_string_equal(ct, "application/json");

    /* JSON whenever the header does not prefer the binary form. */
    static const char *const json_accepts[] = {"*/*",
                                               "application/json",
                                               "application/*",
                                               "text/html",
                                               "application/octet-stream;q=0",
                                               "application/json, application/octet-stream"};
    for (size_t i = 0; i < sizeof json_accepts / sizeof json_accepts[0]; i++) {
        r = get_accept(path, json_accepts[i]);
        if (r.status != 200 || !json_is_array(json_object_get(r.json, "txs")))
            fail_msg("Accept %s: %ld %s", json_accepts[i], r.status, r.body);
        it_resp_free(&r);
    }
}

static void test_bad_accept_and_missing_block(void **state)
{
    (void)state;
    static const char *const bad[] = {"application/octet-stream;q=2", "application", "*/octet-stream",
                                      "application/octet-stream;q=x", "application/octet-stream garbage"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        it_resp r = get_accept("/v1/blocks/1", bad[i]);
        it_assert_error(r, 400, "bad_request");
        it_resp_free(&r);
    }
    /* A block that does not exist is a JSON error in either form. */
    it_resp r = get_accept("/v1/blocks/999000", "application/octet-stream");
    it_assert_error(r, 404, "not_found");
    it_resp_free(&r);
    r = get_accept("/v1/blocks/notanumber", "application/octet-stream");
    it_assert_error(r, 400, "bad_request");
    it_resp_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_both_forms),
        cmocka_unit_test(test_bad_accept_and_missing_block),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
