/* In-flight exits through the node's API and the C client: every call sent
 * with its client function, the in-flight exit, queue, finalized flag and
 * claim queries, the events of the feed, the status and gas figures, and
 * bad requests answered with their codes. */
#include "test_rootchain_kit.h"

#define MEP 1000u

typedef struct world {
    rck k;
    plasma_tx dep;       /* Alice's deposit of 1 ETH */
    uint64_t dep_blknum; /* its deposit block */
    uint8_t dep_proof[PLASMA_MERKLE_PROOF_LEN];
    plasma_tx t;    /* Alice pays Bob 600 of it, keeps 400, in flight */
    plasma_u256 id; /* ife_id of t */
} world;

static plasma_rootchain_sender sender(world *w, unsigned who)
{
    return (plasma_rootchain_sender){&w->k.key[who], 0, 0};
}

static void wait_ok(world *w, const plasma_hash *h)
{
    rck_mine(&w->k, 1);
    plasma_receipt r;
    assert_int_equal(plasma_rootchain_client_wait_receipt(w->k.cli, h, 5000, &r), 0);
    if (r.err != 0)
        fail_msg("call kind %d failed: %s", (int)r.kind, plasma_err_code(r.err));
}

static void setup_world(world *w)
{
    rck_opts o = {.dev = true, .min_exit_period = MEP};
    rck_start(&w->k, &o);
    plasma_rootchain_status st = rck_status(&w->k);
    w->dep_blknum = st.next_deposit_block;
    plasma_u256 one = rck_meth(1000);
    rck_deposit(&w->k, 1, &w->k.eth, one);
    plasma_tx_make_deposit(&w->dep, &w->k.addr[1], &w->k.eth, &one);
    plasma_buf b = {0};
    assert_int_equal(plasma_tx_encode_unsigned(&b, &w->dep), 0);
    plasma_hash leaf;
    plasma_merkle_leaf(&leaf, b.data, b.len);
    plasma_merkle *tree;
    assert_int_equal(plasma_merkle_build(&tree, &leaf, 1), 0);
    assert_int_equal(plasma_merkle_proof(w->dep_proof, tree, 0), 0);
    plasma_merkle_free(tree);
    plasma_buf_free(&b);

    memset(&w->t, 0, sizeof w->t);
    w->t.tx_type = PLASMA_TX_PAYMENT;
    w->t.n_inputs = 1;
    w->t.inputs[0] = plasma_utxo_pos(w->dep_blknum, 0, 0);
    w->t.n_outputs = 2;
    w->t.outputs[0] = (plasma_output){w->k.addr[2], w->k.eth, rck_meth(600)};
    w->t.outputs[1] = (plasma_output){w->k.addr[1], w->k.eth, rck_meth(400)};
    assert_int_equal(plasma_tx_sign_input(&w->t, &w->k.dom, 0, &w->k.key[1]), 0);
    assert_int_equal(plasma_ife_id(&w->id, &w->t), 0);
}

static void start_and_piggyback(world *w)
{
    plasma_rootchain_sender alice = sender(w, 1), bob = sender(w, 2);
    plasma_hash h;
    const uint8_t(*proofs)[PLASMA_MERKLE_PROOF_LEN] = &w->dep_proof;
    assert_int_equal(plasma_rootchain_client_start_ife(w->k.cli, &alice, &w->t, &w->dep, proofs, &h), 0);
    wait_ok(w, &h);
    assert_int_equal(plasma_rootchain_client_piggyback(w->k.cli, &bob, &w->t, false, 0, &h), 0);
    wait_ok(w, &h);
    assert_int_equal(plasma_rootchain_client_piggyback(w->k.cli, &alice, &w->t, true, 0, &h), 0);
    wait_ok(w, &h);
}

static void test_ife_queries(void **state)
{
    (void)state;
    world w;
    setup_world(&w);
    plasma_rootchain_status st = rck_status(&w.k);
    rck_assert_u256(st.ife_bond, w.k.cfg.ife_bond);
    rck_assert_u256(st.piggyback_bond, w.k.cfg.piggyback_bond);
    plasma_ife_info info;
    assert_int_equal(plasma_rootchain_client_ife(w.k.cli, &w.id, &info), PLASMA_ERR_IFE_NOT_FOUND);
    plasma_tx tx;
    assert_int_equal(plasma_rootchain_client_ife_tx(w.k.cli, &w.id, &tx), PLASMA_ERR_IFE_NOT_FOUND);
    start_and_piggyback(&w);

    /* the record through the client equals the chain's */
    assert_int_equal(plasma_rootchain_client_ife(w.k.cli, &w.id, &info), 0);
    plasma_ife_info direct;
    plasma_rootnode_lock(w.k.node);
    assert_int_equal(plasma_chain_ife(&direct, plasma_rootnode_chain(w.k.node), &w.id), 0);
    plasma_rootnode_unlock(w.k.node);
    assert_memory_equal(&info, &direct, sizeof info);
    assert_int_equal(info.inputs_piggybacked, 1);
    assert_int_equal(info.outputs_piggybacked, 1);
    assert_int_equal(info.exit_path, PLASMA_IFE_PATH_UNDECIDED);
    assert_true(info.canonical);

    /* the list, and its paging */
    plasma_ife_info *list = NULL;
    size_t n = 0;
    bool more = true;
    assert_int_equal(plasma_rootchain_client_ifes(w.k.cli, NULL, 0, &list, &n, &more), 0);
    assert_int_equal(n, 1);
    assert_false(more);
    assert_memory_equal(&list[0], &direct, sizeof direct);
    free(list);
    assert_int_equal(plasma_rootchain_client_ifes(w.k.cli, &w.id, 5, &list, &n, &more), 0);
    assert_int_equal(n, 0);
    assert_null(list);

    /* the queue's head is the in-flight exit */
    plasma_exit_queue_info q;
    assert_int_equal(plasma_rootchain_client_queue(w.k.cli, NULL, &q), 0);
    assert_int_equal(q.size, 1);
    assert_true(q.head_is_ife);
    rck_assert_u256(q.head_id, w.id);
    assert_int_equal(q.head_exitable_at, info.exitable_at);

    /* the raw JSON: an output never piggybacked is null */
    char path[128], hex[67];
    uint8_t be[32];
    plasma_u256_to_be(be, &w.id);
    snprintf(path, sizeof path, "/v1/in-flight-exits/%s", plasma_hex_encode(hex, be, 32));
    rck_resp r;
    rck_raw(&w.k, "GET", path, NULL, &r);
    assert_int_equal(r.status, 200);
    const json_t *outs = json_object_get(r.json, "outputs");
    assert_int_equal(json_array_size(outs), 2);
    assert_true(json_is_true(json_object_get(json_array_get(outs, 0), "piggybacked")));
    assert_true(json_is_null(json_array_get(outs, 1)));
    assert_string_equal(json_string_value(json_object_get(r.json, "exit_path")), "undecided");
    json_decref(r.json);
    rck_stop(&w.k);
}

static int find_kind(const plasma_event *evs, size_t n, plasma_event_kind kind)
{
    for (size_t i = 0; i < n; i++)
        if (evs[i].kind == kind)
            return (int)i;
    return -1;
}

static void test_ife_processed_through_the_api(void **state)
{
    (void)state;
    world w;
    setup_world(&w);
    start_and_piggyback(&w);

    /* the events, with the inputs the start call carried */
    plasma_event *evs = NULL;
    size_t n = 0;
    uint64_t next;
    assert_int_equal(plasma_rootchain_client_events(w.k.cli, 0, UINT64_MAX, 0, &evs, &n, &next), 0);
    int s = find_kind(evs, n, PLASMA_EVENT_IFE_STARTED);
    assert_true(s >= 0);
    rck_assert_u256(evs[s].ife_started.ife_id, w.id);
    assert_int_equal(evs[s].ife_started.n_inputs, 1);
    assert_int_equal(evs[s].ife_started.inputs[0], w.t.inputs[0]);
    assert_true(plasma_addr_eq(&evs[s].ife_started.initiator, &w.k.addr[1]));
    plasma_hash txhash;
    assert_int_equal(plasma_tx_hash(&txhash, &w.t), 0);
    assert_true(plasma_hash_eq(&evs[s].ife_started.txhash, &txhash));
    int p = find_kind(evs, n, PLASMA_EVENT_IFE_OUTPUT_PIGGYBACKED);
    assert_true(p >= 0 && evs[p].ife_index.index == 0 && plasma_addr_eq(&evs[p].ife_index.who, &w.k.addr[2]));
    free(evs);

    /* nothing to withdraw is refused at submission */
    plasma_rootchain_sender bob = sender(&w, 2), carol = sender(&w, 3);
    plasma_hash h;
    assert_int_equal(plasma_rootchain_client_withdraw(w.k.cli, &bob, NULL, &h),
                     PLASMA_ERR_NOTHING_TO_WITHDRAW);
    /* deletion while piggybacked */
    assert_int_equal(plasma_rootchain_client_delete_ife(w.k.cli, &carol, &w.id, &h),
                     PLASMA_ERR_FIRST_PHASE_NOT_OVER);

    assert_int_equal(plasma_rootchain_client_dev_advance_time(w.k.cli, 3 * MEP), 0);
    rck_mine(&w.k, 1);
    plasma_u256 bob0 = rck_bal(&w.k, &w.k.addr[2], NULL);
    plasma_call c;
    plasma_call_init(&c, PLASMA_CALL_PROCESS_EXITS, NULL, 0, 0, 0);
    c.process_exits.max_exits = 5;
    assert_int_equal(plasma_rootchain_client_call(w.k.cli, &carol, &c, &h), 0);
    wait_ok(&w, &h);
    plasma_u256 bob1 = rck_bal(&w.k, &w.k.addr[2], NULL);
    rck_assert_u256(bob1, rck_add(rck_add(bob0, rck_meth(600)), w.k.cfg.piggyback_bond));
    plasma_ife_info info;
    assert_int_equal(plasma_rootchain_client_ife(w.k.cli, &w.id, &info), PLASMA_ERR_IFE_NOT_FOUND);
    /* the tx it was started with outlives it: what a watcher piggybacks
     * and challenges with */
    plasma_tx got;
    plasma_buf want = {0}, have = {0};
    assert_int_equal(plasma_rootchain_client_ife_tx(w.k.cli, &w.id, &got), 0);
    assert_int_equal(plasma_tx_encode_signed(&want, &w.t), 0);
    assert_int_equal(plasma_tx_encode_signed(&have, &got), 0);
    assert_int_equal(have.len, want.len);
    assert_memory_equal(have.data, want.data, want.len);
    plasma_buf_free(&want);
    plasma_buf_free(&have);

    /* the flags: the input and the paid output by the IFE, the other not */
    plasma_u256 by;
    plasma_hash in_id, out0, out1;
    plasma_buf b = {0};
    assert_int_equal(plasma_tx_encode_unsigned(&b, &w.dep), 0);
    plasma_output_id(&in_id, b.data, b.len, false, 0, w.t.inputs[0]);
    b.len = 0;
    assert_int_equal(plasma_tx_encode_unsigned(&b, &w.t), 0);
    plasma_output_id(&out0, b.data, b.len, true, 0, 0);
    plasma_output_id(&out1, b.data, b.len, true, 1, 0);
    plasma_buf_free(&b);
    assert_int_equal(plasma_rootchain_client_finalized(w.k.cli, &in_id, &by), 0);
    rck_assert_u256(by, w.id);
    assert_int_equal(plasma_rootchain_client_finalized(w.k.cli, &out0, &by), 0);
    rck_assert_u256(by, w.id);
    assert_int_equal(plasma_rootchain_client_finalized(w.k.cli, &out1, &by), 0);
    rck_assert_u256(by, rck_u(0));
    plasma_u256 claim;
    assert_int_equal(plasma_rootchain_client_withdrawable(w.k.cli, &w.k.addr[2], NULL, &claim), 0);
    rck_assert_u256(claim, rck_u(0));

    /* gas by kind counts the new kinds */
    rck_resp r;
    rck_raw(&w.k, "GET", "/v1/gas", NULL, &r);
    const json_t *kinds = json_object_get(r.json, "by_kind");
    assert_int_equal(json_integer_value(json_object_get(json_object_get(kinds, "start_ife"), "calls")), 1);
    assert_int_equal(json_integer_value(json_object_get(json_object_get(kinds, "piggyback_output"), "calls")),
                     1);
    json_decref(r.json);
    rck_stop(&w.k);
}

/* The other calls' client functions, each reaching the contract's checks:
 * the node's dry run refuses them with the error they would fail with. */
static void test_call_functions_reach_the_contract(void **state)
{
    (void)state;
    world w;
    setup_world(&w);
    start_and_piggyback(&w);
    plasma_rootchain_sender eve = sender(&w, 5);
    plasma_hash h;
    plasma_tx comp = w.t;
    comp.outputs[0].owner = w.k.addr[5];
    assert_int_equal(plasma_tx_sign_input(&comp, &w.k.dom, 0, &w.k.key[1]), 0);
    /* a competitor at a position with no block */
    uint8_t proof[PLASMA_MERKLE_PROOF_LEN] = {0};
    assert_int_equal(plasma_rootchain_client_challenge_ife(w.k.cli, &eve, &w.t, 0, &comp, 0,
                                                           plasma_utxo_pos(5000, 0, 0), proof, &h),
                     PLASMA_ERR_BAD_PROOF);
    assert_int_equal(
        plasma_rootchain_client_respond_ife(w.k.cli, &eve, &w.t, plasma_utxo_pos(5000, 0, 0), proof, &h),
        PLASMA_ERR_BAD_PROOF);
    assert_int_equal(plasma_rootchain_client_challenge_ife_input(w.k.cli, &eve, &w.t, 0, &w.t, 0, &h),
                     PLASMA_ERR_BAD_CHALLENGE);
    assert_int_equal(plasma_rootchain_client_challenge_ife_output(
                         w.k.cli, &eve, &w.t, plasma_utxo_pos(5000, 0, 0), proof, &comp, 0, &h),
                     PLASMA_ERR_BAD_PROOF);
    /* and the valid ones go through */
    assert_int_equal(plasma_rootchain_client_challenge_ife(w.k.cli, &eve, &w.t, 0, &comp, 0, 0, NULL, &h), 0);
    wait_ok(&w, &h);
    assert_int_equal(plasma_rootchain_client_challenge_ife_input(w.k.cli, &eve, &w.t, 0, &comp, 0, &h), 0);
    wait_ok(&w, &h);
    plasma_ife_info info;
    assert_int_equal(plasma_rootchain_client_ife(w.k.cli, &w.id, &info), 0);
    assert_false(info.canonical);
    assert_int_equal(info.inputs_piggybacked, 1 << PLASMA_IFE_BLOCKED_SHIFT);
    assert_true(plasma_addr_eq(&info.bond_owner, &w.k.addr[5]));
    /* their events read back whole through the feed (a watcher pages it) */
    plasma_event *evs = NULL;
    size_t n = 0;
    uint64_t next;
    assert_int_equal(plasma_rootchain_client_events(w.k.cli, 0, UINT64_MAX, 0, &evs, &n, &next), 0);
    int ch = find_kind(evs, n, PLASMA_EVENT_IFE_CHALLENGED),
        bl = find_kind(evs, n, PLASMA_EVENT_IFE_INPUT_BLOCKED);
    assert_true(ch >= 0 && bl > ch);
    assert_true(plasma_addr_eq(&evs[ch].ife_challenged.challenger, &w.k.addr[5]));
    plasma_u256 never; /* a competitor never included counts as 2^256 - 1 */
    memset(never.w, 0xff, sizeof never.w);
    rck_assert_u256(evs[ch].ife_challenged.position, never);
    assert_true(evs[bl].ife_index.index == 0 && plasma_addr_eq(&evs[bl].ife_index.who, &w.k.addr[5]));
    free(evs);
    rck_stop(&w.k);
}

static void test_bad_requests(void **state)
{
    (void)state;
    world w;
    setup_world(&w);
    rck_expect(&w.k, "GET", "/v1/in-flight-exits/0x12", NULL, 400, "bad_request");
    rck_expect(&w.k, "GET", "/v1/in-flight-exits/1234", NULL, 400, "bad_request");
    rck_expect(&w.k, "GET",
               "/v1/in-flight-exits/0x8000000000000000000000000000000000000000000000000000000000000001", NULL,
               404, "ife_not_found");
    rck_expect(&w.k, "GET", "/v1/in-flight-exits/0x12/tx", NULL, 400, "bad_request");
    rck_expect(&w.k, "GET",
               "/v1/in-flight-exits/0x8000000000000000000000000000000000000000000000000000000000000001/tx",
               NULL, 404, "ife_not_found");
    rck_expect(&w.k, "GET", "/v1/in-flight-exits?after=7", NULL, 400, "bad_request");
    rck_expect(&w.k, "GET", "/v1/in-flight-exits?limit=0", NULL, 400, "bad_request");
    rck_expect(&w.k, "GET", "/v1/finalized/0x00", NULL, 400, "bad_request");
    rck_expect(&w.k, "GET", "/v1/withdrawable/0x1234", NULL, 400, "bad_request");
    rck_expect(&w.k, "POST", "/v1/in-flight-exits", "{}", 405, "method_not_allowed");
    rck_stop(&w.k);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ife_queries),
        cmocka_unit_test(test_ife_processed_through_the_api),
        cmocka_unit_test(test_call_functions_reach_the_contract),
        cmocka_unit_test(test_bad_requests),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
