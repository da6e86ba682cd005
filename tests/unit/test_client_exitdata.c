/* Exit data is verified against the root the root chain stores, never the
 * operator's word: an in-process root chain (dev, auto-mined) and a fake
 * operator that serves honest or forged exit data for a deposit; a
 * challenge finds the deposit's spend in a block that also holds a tx the
 * operator dropped. */
#include "testutil.h"

#include <string.h>

#include "plasma/client.h"

enum forgery { HONEST, BAD_PROOF_BYTE, OTHER_AMOUNT, NOT_A_TX, MISSING };

static enum forgery mode;
static plasma_addr owner;
static plasma_u256 deposited;

static void hex_into(json_t *obj, const char *key, const uint8_t *data, size_t len)
{
    char hex[2 * 1100 + 3];
    json_object_set_new(obj, key, json_string(plasma_hex_encode(hex, data, len)));
}

/* GET /v1/utxos/{}/exit-data for the single deposit tx, forged per mode. */
static void exit_data(void *ctx, const plasma_http_req *req, plasma_http_resp *resp)
{
    (void)ctx;
    plasma_tx tx;
    plasma_buf buf = {0};
    plasma_hash leaf;
    plasma_merkle *tree = NULL;
    uint8_t proof[PLASMA_MERKLE_PROOF_LEN];
    plasma_u256 amount = deposited;
    if (mode == MISSING) {
        plasma_http_error(resp, PLASMA_ERR_NOT_FOUND, NULL);
        return;
    }
    if (mode == OTHER_AMOUNT)
        amount = plasma_u256_from_u64(1000000);
    plasma_tx_make_deposit(&tx, &owner, &(plasma_addr){{0}}, &amount);
    assert_int_equal(plasma_tx_encode_unsigned(&buf, &tx), 0);
    plasma_merkle_leaf(&leaf, buf.data, buf.len);
    assert_int_equal(plasma_merkle_build(&tree, &leaf, 1), 0);
    assert_int_equal(plasma_merkle_proof(proof, tree, 0), 0);
    if (mode == BAD_PROOF_BYTE)
        proof[100] ^= 1;
    if (mode == NOT_A_TX)
        buf.data[buf.len - 1] ^= 0xff;
    json_t *body = json_pack("{s:s}", "utxo_pos", req->params[0]);
    hex_into(body, "tx", buf.data, buf.len);
    hex_into(body, "proof", proof, sizeof proof);
    plasma_http_reply(resp, 200, body);
    plasma_merkle_free(tree);
    plasma_buf_free(&buf);
}

/* GET /v1/status: block 1000 is the latest. */
static void status(void *ctx, const plasma_http_req *req, plasma_http_resp *resp)
{
    (void)ctx;
    (void)req;
    plasma_http_reply(
        resp, 200,
        json_pack("{s:i,s:s,s:s,s:i,s:{s:i,s:s},s:i}", "chain_id", PLASMA_CHAIN_DEFAULT_CHAIN_ID,
                  "verifying_contract", PLASMA_CHAIN_DEFAULT_CONTRACT, "operator",
                  "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266", "child_block_interval", 1000, "latest_block",
                  "blknum", 1000, "root",
                  "0x0000000000000000000000000000000000000000000000000000000000000000", "pending_txs", 0));
}

/* GET /v1/blocks/1000: a tx the operator dropped (null), then the owner's
 * payment that spends the deposit. */
static plasma_tx spend;

static void block(void *ctx, const plasma_http_req *req, plasma_http_resp *resp)
{
    (void)ctx;
    if (strcmp(req->params[0], "1000") != 0) {
        plasma_http_error(resp, PLASMA_ERR_NOT_FOUND, NULL);
        return;
    }
    plasma_buf b = {0};
    assert_int_equal(plasma_tx_encode_signed(&b, &spend), 0);
    json_t *txs = json_array();
    json_array_append_new(txs, json_null());
    json_t *body = json_pack("{s:i,s:o}", "blknum", 1000, "txs", txs);
    char hex[2 * 1100 + 3];
    json_array_append_new(txs, json_string(plasma_hex_encode(hex, b.data, b.len)));
    plasma_http_reply(resp, 200, body);
    plasma_buf_free(&b);
}

static const plasma_http_route fake_operator[] = {
    {"GET", "/v1/utxos/{}/exit-data", exit_data},
    {"GET", "/v1/status", status},
    {"GET", "/v1/blocks/{}", block},
};

static void test_exit_data_checked_against_root_chain(void **state)
{
    (void)state;
    plasma_rootnode_config nc;
    plasma_rootnode *node = NULL;
    plasma_http_server *srv = NULL;
    plasma_http_mount mounts[2];
    plasma_http_config hc = {0};
    plasma_client *c = NULL;
    plasma_privkey key;
    uint64_t blknum = 0;
    uint8_t tx[PLASMA_CALL_MAX_TX], proof[PLASMA_MERKLE_PROOF_LEN];
    size_t tx_len = 0;
    char url[64];

    plasma_rootnode_config_default(&nc);
    nc.dev = true;
    nc.mine_interval_ms = 20;
    assert_int_equal(plasma_rootnode_new(&node, &nc), 0);
    plasma_rootnode_mount(node, "/rootchain", &mounts[0]);
    mounts[1] = (plasma_http_mount){"", fake_operator, sizeof fake_operator / sizeof fake_operator[0], NULL};
    assert_int_equal(plasma_http_server_start(&srv, &hc, mounts, 2), 0);
    snprintf(url, sizeof url, "http://127.0.0.1:%u", plasma_http_server_port(srv));
    assert_int_equal(plasma_client_new(&c, url, NULL), 0);

    assert_int_equal(plasma_dev_key(&key, 1), 0);
    assert_int_equal(plasma_dev_addr(&owner, 1), 0);
    deposited = plasma_u256_from_u64(777);
    assert_int_equal(plasma_client_deposit(c, &key, &(plasma_addr){{0}}, &deposited, &blknum, NULL), 0);
    assert_int_equal(blknum, 1);
    uint64_t pos = plasma_utxo_pos(blknum, 0, 0);

    mode = HONEST;
    assert_int_equal(plasma_client_exit_data(c, pos, tx, &tx_len, proof), 0);
    mode = BAD_PROOF_BYTE;
    assert_int_equal(plasma_client_exit_data(c, pos, tx, &tx_len, proof), PLASMA_ERR_BAD_PROOF);
    assert_non_null(strstr(plasma_client_errmsg(c), "root chain"));
    mode = OTHER_AMOUNT; /* self-consistent, but not what the root chain holds */
    assert_int_equal(plasma_client_exit_data(c, pos, tx, &tx_len, proof), PLASMA_ERR_BAD_PROOF);
    mode = NOT_A_TX;
    assert_int_equal(plasma_client_exit_data(c, pos, tx, &tx_len, proof), PLASMA_ERR_BAD_PROOF);
    mode = MISSING;
    assert_int_equal(plasma_client_exit_data(c, pos, tx, &tx_len, proof), PLASMA_ERR_NOT_FOUND);
    mode = HONEST;
    assert_int_equal(plasma_client_exit_data(c, pos + 1, tx, &tx_len, proof),
                     PLASMA_ERR_BAD_PROOF); /* oindex 1 */
    assert_int_equal(plasma_client_exit_data(c, 0, tx, &tx_len, proof), PLASMA_ERR_BAD_REQUEST);

    /* A forged proof never reaches the root chain as a startExit. */
    plasma_exit_info info;
    mode = OTHER_AMOUNT;
    assert_int_equal(plasma_client_start_exit(c, &key, pos, &info), PLASMA_ERR_BAD_PROOF);
    mode = HONEST;
    plasma_client_set_gas_price(c, 0);
    assert_int_equal(plasma_client_start_exit(c, &key, pos, &info), 0);
    assert_int_equal(info.exit_id, pos);
    assert_int_equal(info.state, PLASMA_EXIT_IN_PROGRESS);
    assert_true(plasma_addr_eq(&info.owner, &owner));

    /* The exit's output was spent in block 1000, after a tx the operator
     * dropped (null there): the challenge reads past it and finds the spend. */
    memset(&spend, 0, sizeof spend);
    spend.tx_type = PLASMA_TX_PAYMENT;
    spend.n_inputs = 1;
    spend.inputs[0] = pos;
    spend.n_outputs = 1;
    spend.outputs[0] = (plasma_output){owner, {{0}}, deposited};
    plasma_client_status st;
    assert_int_equal(plasma_client_status_get(c, &st), 0);
    assert_int_equal(plasma_tx_sign_input(&spend, &st.domain, 0, &key), 0);
    plasma_privkey challenger;
    assert_int_equal(plasma_dev_key(&challenger, 2), 0);
    assert_int_equal(plasma_client_challenge(c, &challenger, pos), 0);
    plasma_rootchain_client *rc = NULL;
    char rc_url[96];
    snprintf(rc_url, sizeof rc_url, "%s/rootchain", url);
    assert_int_equal(plasma_rootchain_client_new(&rc, rc_url, 0), 0);
    assert_int_equal(plasma_rootchain_client_exit(rc, pos, &info), 0);
    assert_int_equal(info.state, PLASMA_EXIT_CHALLENGED);
    plasma_rootchain_client_free(rc);

    plasma_client_free(c);
    plasma_http_server_free(srv);
    plasma_rootnode_free(node);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_exit_data_checked_against_root_chain),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
