/* The ABI codec of eth/ against an independent encoder (ethers, in
 * vectors/abi-encoding.json) and the shared §9 vectors (abi.json): calldata
 * of every function and view, view returns, event logs and revert data;
 * then malformed data refused and a corrupted-input property test. */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plasma/eth.h"

/* --- values from the vectors' JSON --- */

/* Every allocation made while building values, freed at once. */
typedef struct pool {
    void *p[256];
    size_t n;
} pool;

static void *pool_keep(pool *pl, void *p)
{
    assert_non_null(p);
    assert_true(pl->n < sizeof pl->p / sizeof pl->p[0]);
    pl->p[pl->n++] = p;
    return p;
}

static void pool_free(pool *pl)
{
    for (size_t i = 0; i < pl->n; i++)
        free(pl->p[i]);
    pl->n = 0;
}

static plasma_eth_abi_value value_of(pool *pl, const char *type, const json_t *j)
{
    size_t tl = strlen(type);
    plasma_eth_abi_value v;
    memset(&v, 0, sizeof v);
    if (tl > 2 && strcmp(type + tl - 2, "[]") == 0) {
        char elem[32];
        snprintf(elem, sizeof elem, "%.*s", (int)(tl - 2), type);
        size_t n = json_array_size(j);
        plasma_eth_abi_value *items = pool_keep(pl, calloc(n + 1, sizeof *items));
        for (size_t i = 0; i < n; i++)
            items[i] = value_of(pl, elem, json_array_get(j, i));
        return plasma_eth_abi_list(items, n);
    }
    if (strcmp(type, "bool") == 0) {
        v.kind = PLASMA_ETH_ABI_UINT;
        v.uint = plasma_u256_from_u64(json_is_true(j));
    } else if (strncmp(type, "uint", 4) == 0) {
        v.kind = PLASMA_ETH_ABI_UINT;
        assert_int_equal(plasma_u256_parse_dec(&v.uint, json_string_value(j)), 0);
    } else if (strcmp(type, "address") == 0) {
        v.kind = PLASMA_ETH_ABI_ADDRESS;
        assert_int_equal(plasma_addr_parse(&v.addr, json_string_value(j)), 0);
    } else if (strcmp(type, "bytes32") == 0) {
        v.kind = PLASMA_ETH_ABI_BYTES32;
        assert_int_equal(plasma_hash_parse(&v.word, json_string_value(j)), 0);
    } else {
        assert_string_equal(type, "bytes");
        size_t len;
        uint8_t *b = pool_keep(pl, tu_hex(json_string_value(j), &len));
        v = plasma_eth_abi_bytes(b, len);
    }
    return v;
}

/* Splits "a,b[],c" (no tuples in the vectors) into types[]. */
static size_t split_types(char types[][32], size_t max, const char *list)
{
    size_t n = 0;
    while (*list && n < max) {
        size_t k = strcspn(list, ",");
        snprintf(types[n++], 32, "%.*s", (int)k, list);
        list += k + (list[k] == ',');
    }
    return n;
}

static size_t values_of(pool *pl, plasma_eth_abi_value *out, const char *types, const json_t *arr)
{
    char t[16][32];
    size_t n = split_types(t, 16, types);
    assert_int_equal(n, json_array_size(arr));
    for (size_t i = 0; i < n; i++)
        out[i] = value_of(pl, t[i], json_array_get(arr, i));
    return n;
}

static const char *types_of(const char *signature, char *buf, size_t size)
{
    const char *open = strchr(signature, '(');
    snprintf(buf, size, "%.*s", (int)(strlen(open) - 2), open + 1);
    return buf;
}

static void assert_values_equal(const plasma_eth_abi_value *a, const plasma_eth_abi_value *b)
{
    assert_int_equal(a->kind, b->kind);
    switch (a->kind) {
    case PLASMA_ETH_ABI_UINT:
        assert_int_equal(plasma_u256_cmp(&a->uint, &b->uint), 0);
        break;
    case PLASMA_ETH_ABI_ADDRESS:
        assert_true(plasma_addr_eq(&a->addr, &b->addr));
        break;
    case PLASMA_ETH_ABI_BYTES32:
        assert_true(plasma_hash_eq(&a->word, &b->word));
        break;
    case PLASMA_ETH_ABI_BYTES:
        assert_int_equal(a->len, b->len);
        assert_true(a->len == 0 || memcmp(a->bytes, b->bytes, a->len) == 0);
        break;
    case PLASMA_ETH_ABI_LIST:
        assert_int_equal(a->len, b->len);
        for (size_t i = 0; i < a->len; i++)
            assert_values_equal(&a->items[i], &b->items[i]);
        break;
    }
}

/* --- calls --- */

static plasma_eth_fn fn_by_signature(const char *sig)
{
    for (unsigned f = 0; f < PLASMA_ETH_FN_COUNT; f++)
        if (strcmp(plasma_eth_fn_signature((plasma_eth_fn)f), sig) == 0)
            return (plasma_eth_fn)f;
    fail_msg("no plasma_eth_fn for %s", sig);
    return PLASMA_ETH_FN_COUNT;
}

static void test_calls_match_ethers(void **state)
{
    (void)state;
    json_t *vec = tu_load_json("abi-encoding.json");
    json_t *calls = json_object_get(vec, "calls");
    bool seen[PLASMA_ETH_FN_COUNT] = {0};
    assert_true(json_array_size(calls) >= PLASMA_ETH_FN_COUNT);
    for (size_t i = 0; i < json_array_size(calls); i++) {
        json_t *c = json_array_get(calls, i);
        const char *sig = tu_str(c, "signature");
        char types[256];
        pool pl = {0};
        plasma_eth_abi_value args[16];
        size_t n = values_of(&pl, args, types_of(sig, types, sizeof types), json_object_get(c, "args"));
        plasma_eth_fn fn = fn_by_signature(sig);
        seen[fn] = true;

        plasma_buf out = {0};
        assert_int_equal(plasma_eth_encode(&out, fn, args, n), 0);
        tu_assert_hex(out.data, out.len, tu_str(c, "calldata"));

        /* And back: the decoder finds the function and every argument. */
        plasma_eth_fn got;
        plasma_eth_abi_value *dec = NULL;
        size_t dn = 0;
        assert_int_equal(plasma_eth_decode_calldata(&got, &dec, &dn, out.data, out.len), 0);
        assert_int_equal(got, fn);
        assert_int_equal(dn, n);
        for (size_t k = 0; k < n; k++)
            assert_values_equal(&dec[k], &args[k]);
        plasma_eth_abi_values_free(dec);
        plasma_buf_free(&out);
        pool_free(&pl);
    }
    for (unsigned f = 0; f < PLASMA_ETH_FN_COUNT; f++)
        if (!seen[f])
            fail_msg("no vector calls %s", plasma_eth_fn_signature((plasma_eth_fn)f));
    json_decref(vec);
}

/* The typed encoders give the same bytes as the generic one. */
static void test_typed_encoders(void **state)
{
    (void)state;
    json_t *vec = tu_load_json("abi-encoding.json");
    json_t *calls = json_object_get(vec, "calls");
    int checked = 0;
    for (size_t i = 0; i < json_array_size(calls); i++) {
        json_t *c = json_array_get(calls, i);
        const char *sig = tu_str(c, "signature");
        char types[256];
        pool pl = {0};
        plasma_eth_abi_value a[16];
        values_of(&pl, a, types_of(sig, types, sizeof types), json_object_get(c, "args"));
        plasma_eth_fn fn = fn_by_signature(sig);
        plasma_buf out = {0};
        uint64_t u[4] = {0};
        bool small = true;
        for (int k = 0; k < 4; k++)
            if (a[k].kind == PLASMA_ETH_ABI_UINT)
                small &= plasma_u256_to_u64(&a[k].uint, &u[k]);
#define B(k) ((plasma_eth_bytes){a[k].bytes, a[k].len})
        int rc = -1;
        switch (fn) {
        case PLASMA_ETH_FN_DEPOSIT:
            rc = plasma_eth_encode_deposit(&out, &a[0].addr, &a[1].uint);
            break;
        case PLASMA_ETH_FN_SUBMIT_BLOCK:
            rc = plasma_eth_encode_submit_block(&out, &a[0].word);
            break;
        case PLASMA_ETH_FN_START_STANDARD_EXIT:
            if (small)
                rc = plasma_eth_encode_start_standard_exit(&out, u[0], B(1), B(2));
            break;
        case PLASMA_ETH_FN_CHALLENGE_STANDARD_EXIT:
            rc = plasma_eth_encode_challenge_standard_exit(&out, u[0], B(1), u[2]);
            break;
        case PLASMA_ETH_FN_START_IN_FLIGHT_EXIT: {
            plasma_eth_bytes txs[4], proofs[4];
            uint64_t pos[4];
            bool fits = true;
            for (size_t k = 0; k < a[1].len; k++)
                txs[k] = (plasma_eth_bytes){a[1].items[k].bytes, a[1].items[k].len};
            for (size_t k = 0; k < a[2].len; k++)
                fits &= plasma_u256_to_u64(&a[2].items[k].uint, &pos[k]);
            for (size_t k = 0; k < a[3].len; k++)
                proofs[k] = (plasma_eth_bytes){a[3].items[k].bytes, a[3].items[k].len};
            if (fits)
                rc = plasma_eth_encode_start_in_flight_exit(&out, B(0), txs, a[1].len, pos, a[2].len, proofs,
                                                            a[3].len);
            break;
        }
        case PLASMA_ETH_FN_PIGGYBACK_INPUT:
        case PLASMA_ETH_FN_PIGGYBACK_OUTPUT:
            rc = plasma_eth_encode_piggyback(&out, fn == PLASMA_ETH_FN_PIGGYBACK_OUTPUT, B(0), u[1]);
            break;
        case PLASMA_ETH_FN_CHALLENGE_IFE_NOT_CANONICAL: {
            uint64_t cpos;
            assert_true(plasma_u256_to_u64(&a[4].uint, &cpos));
            plasma_eth_noncanonical_args nc = {B(0), u[1], B(2), u[3], cpos, B(5)};
            rc = plasma_eth_encode_challenge_ife_not_canonical(&out, &nc);
            break;
        }
        case PLASMA_ETH_FN_RESPOND_NON_CANONICAL:
            rc = plasma_eth_encode_respond_non_canonical(&out, B(0), u[1], B(2));
            break;
        case PLASMA_ETH_FN_CHALLENGE_IFE_INPUT_SPENT:
            rc = plasma_eth_encode_challenge_ife_input_spent(&out, B(0), u[1], B(2), u[3]);
            break;
        case PLASMA_ETH_FN_CHALLENGE_IFE_OUTPUT_SPENT: {
            uint64_t last;
            assert_true(plasma_u256_to_u64(&a[4].uint, &last));
            rc = plasma_eth_encode_challenge_ife_output_spent(&out, B(0), u[1], B(2), B(3), last);
            break;
        }
        case PLASMA_ETH_FN_DELETE_NON_PIGGYBACKED_IFE:
            rc = plasma_eth_encode_delete_ife(&out, &a[0].uint);
            break;
        case PLASMA_ETH_FN_PROCESS_EXITS:
            if (small)
                rc = plasma_eth_encode_process_exits(&out, &a[0].addr, u[1]);
            break;
        case PLASMA_ETH_FN_WITHDRAW:
            rc = plasma_eth_encode_withdraw(&out, &a[0].addr);
            break;
        default:
            break;
        }
#undef B
        if (rc != -1) {
            assert_int_equal(rc, 0);
            tu_assert_hex(out.data, out.len, tu_str(c, "calldata"));
            checked++;
        }
        plasma_buf_free(&out);
        pool_free(&pl);
    }
    assert_true(checked >= 18);
    json_decref(vec);
}

/* abi.json (shared): every selector and topic, the example calldata, and
 * the development deployment address. */
static void test_shared_abi_vectors(void **state)
{
    (void)state;
    json_t *vec = tu_load_json("abi.json");
    json_t *fns = json_object_get(vec, "functions");
    for (size_t i = 0; i < json_array_size(fns); i++) {
        json_t *f = json_array_get(fns, i);
        uint8_t sel[4];
        plasma_eth_fn fn = fn_by_signature(tu_str(f, "signature"));
        plasma_eth_abi_selector(sel, plasma_eth_fn_signature(fn));
        tu_assert_hex(sel, 4, tu_str(f, "selector"));
    }
    json_t *evs = json_object_get(vec, "events");
    assert_int_equal(json_array_size(evs), PLASMA_ETH_EV_COUNT);
    for (size_t i = 0; i < json_array_size(evs); i++) {
        json_t *e = json_array_get(evs, i);
        const char *sig = tu_str(e, "signature");
        bool found = false;
        for (unsigned k = 0; k < PLASMA_ETH_EV_COUNT; k++) {
            if (strcmp(plasma_eth_event_signature((plasma_eth_event_kind)k), sig) != 0)
                continue;
            plasma_hash topic;
            plasma_eth_abi_topic(&topic, sig);
            tu_assert_hex(topic.b, 32, tu_str(e, "topic0"));
            found = true;
        }
        if (!found)
            fail_msg("no event kind for %s", sig);
    }

    json_t *ex = json_object_get(vec, "example_calldata");
    json_t *args = json_object_get(ex, "args");
    plasma_u256 pos;
    uint64_t pos64;
    size_t tx_len, proof_len;
    assert_int_equal(plasma_u256_parse_dec(&pos, tu_str(args, "utxoPos")), 0);
    assert_true(plasma_u256_to_u64(&pos, &pos64));
    uint8_t *tx = tu_hex(tu_str(args, "tx"), &tx_len), *proof = tu_hex(tu_str(args, "proof"), &proof_len);
    plasma_buf out = {0};
    assert_int_equal(plasma_eth_encode_start_standard_exit(&out, pos64, (plasma_eth_bytes){tx, tx_len},
                                                           (plasma_eth_bytes){proof, proof_len}),
                     0);
    tu_assert_hex(out.data, out.len, tu_str(ex, "calldata"));
    plasma_buf_free(&out);
    free(tx);
    free(proof);

    json_t *dep = json_object_get(vec, "deploy");
    plasma_addr deployer, addr;
    assert_int_equal(plasma_addr_parse(&deployer, tu_str(dep, "deployer")), 0);
    plasma_eth_create_address(&addr, &deployer, (uint64_t)json_integer_value(json_object_get(dep, "nonce")));
    tu_assert_hex(addr.b, 20, tu_str(dep, "address"));
    json_decref(vec);
}

/* --- returns --- */

static void check_typed_return(const char *sig, const plasma_eth_abi_value *v, const uint8_t *data,
                               size_t len)
{
    if (strcmp(sig, "blocks(uint256)") == 0) {
        plasma_eth_block_view b;
        assert_int_equal(plasma_eth_decode_block_view(&b, data, len), 0);
        assert_true(plasma_hash_eq(&b.root, &v[0].word));
        assert_int_equal(b.timestamp, v[1].uint.w[0]);
    } else if (strcmp(sig, "exits(uint256)") == 0) {
        plasma_eth_exit_view e;
        assert_int_equal(plasma_eth_decode_exit_view(&e, data, len), 0);
        assert_true(plasma_addr_eq(&e.owner, &v[0].addr) && plasma_addr_eq(&e.token, &v[1].addr));
        assert_int_equal(plasma_u256_cmp(&e.amount, &v[2].uint), 0);
        assert_int_equal(e.exitable_at, v[3].uint.w[0]);
        assert_true(plasma_hash_eq(&e.output_id, &v[4].word));
        assert_int_equal(e.state, v[5].uint.w[0]);
        assert_int_equal(e.queued, v[6].uint.w[0]);
    } else if (strcmp(sig, "inFlightExits(uint256)") == 0) {
        plasma_eth_ife_view f;
        assert_int_equal(plasma_eth_decode_ife_view(&f, data, len), 0);
        assert_int_equal(f.exitable_at, v[0].uint.w[0]);
        assert_int_equal(f.start, v[1].uint.w[0]);
        assert_int_equal(f.youngest, v[2].uint.w[0]);
        assert_int_equal(plasma_u256_cmp(&f.oldest_competitor, &v[3].uint), 0);
        assert_true(plasma_addr_eq(&f.bond_owner, &v[4].addr));
        assert_int_equal(f.canonical, v[5].uint.w[0]);
        uint8_t got[6] = {f.inputs_piggybacked, f.outputs_piggybacked, f.n_inputs,
                          f.n_outputs,          f.pending_tokens,      f.exit_path};
        for (int k = 0; k < 6; k++)
            assert_int_equal(got[k], v[6 + k].uint.w[0]);
    } else if (strncmp(sig, "inFlightExitInput", 17) == 0 || strncmp(sig, "inFlightExitOutput", 18) == 0) {
        plasma_eth_ife_io_view io;
        assert_int_equal(plasma_eth_decode_ife_io_view(&io, data, len), 0);
        assert_true(plasma_hash_eq(&io.output_id, &v[0].word));
        assert_true(plasma_addr_eq(&io.owner, &v[1].addr) && plasma_addr_eq(&io.token, &v[2].addr));
        assert_int_equal(plasma_u256_cmp(&io.amount, &v[3].uint), 0);
    } else if (strcmp(sig, "queueHead(address)") == 0) {
        plasma_eth_queue_head h;
        assert_int_equal(plasma_eth_decode_queue_head(&h, data, len), 0);
        assert_int_equal(h.exitable_at, v[0].uint.w[0]);
        assert_int_equal(plasma_u256_cmp(&h.exit_id, &v[1].uint), 0);
    } else if (v[0].kind == PLASMA_ETH_ABI_ADDRESS) {
        plasma_addr a;
        assert_int_equal(plasma_eth_decode_address(&a, data, len), 0);
        assert_true(plasma_addr_eq(&a, &v[0].addr));
    } else if (v[0].kind == PLASMA_ETH_ABI_BYTES32) {
        plasma_hash h;
        assert_int_equal(plasma_eth_decode_word(&h, data, len), 0);
        assert_true(plasma_hash_eq(&h, &v[0].word));
    } else {
        plasma_u256 u;
        assert_int_equal(plasma_eth_decode_uint(&u, data, len), 0);
        assert_int_equal(plasma_u256_cmp(&u, &v[0].uint), 0);
    }
}

static void test_returns_match_ethers(void **state)
{
    (void)state;
    json_t *vec = tu_load_json("abi-encoding.json");
    json_t *rets = json_object_get(vec, "returns");
    for (size_t i = 0; i < json_array_size(rets); i++) {
        json_t *r = json_array_get(rets, i);
        const char *sig = tu_str(r, "signature");
        const char *types = tu_str(r, "types");
        assert_string_equal(plasma_eth_fn_returns(fn_by_signature(sig)), types);
        pool pl = {0};
        plasma_eth_abi_value want[16];
        size_t n = values_of(&pl, want, types, json_object_get(r, "values"));

        plasma_buf enc = {0};
        assert_int_equal(plasma_eth_abi_encode(&enc, types, want, n), 0);
        tu_assert_hex(enc.data, enc.len, tu_str(r, "data"));

        size_t len, dn;
        uint8_t *data = tu_hex(tu_str(r, "data"), &len);
        plasma_eth_abi_value *got = NULL;
        assert_int_equal(plasma_eth_abi_decode(&got, &dn, types, data, len), 0);
        assert_int_equal(dn, n);
        for (size_t k = 0; k < n; k++)
            assert_values_equal(&got[k], &want[k]);
        check_typed_return(sig, want, data, len);
        plasma_eth_abi_values_free(got);
        plasma_buf_free(&enc);
        free(data);
        pool_free(&pl);
    }
    json_decref(vec);
}

/* --- events --- */

static void log_from_vector(plasma_eth_log *log, const json_t *e)
{
    memset(log, 0, sizeof *log);
    json_t *topics = json_object_get(e, "topics");
    log->n_topics = json_array_size(topics);
    for (size_t t = 0; t < log->n_topics; t++)
        assert_int_equal(plasma_hash_parse(&log->topics[t], json_string_value(json_array_get(topics, t))), 0);
    size_t len;
    uint8_t *d = tu_hex(tu_str(e, "data"), &len);
    assert_int_equal(plasma_buf_append(&log->data, d, len), 0);
    free(d);
    log->block_number = 77;
    log->log_index = 5;
}

/* The fields of an event in the vector's order, as the C struct has them. */
static size_t event_fields(const plasma_eth_event *ev, plasma_eth_abi_value *out)
{
    size_t n = 0;
#define ADDR(x) out[n++] = plasma_eth_abi_addr(&(x))
#define U(x) out[n++] = plasma_eth_abi_uint(&(x))
#define U64(x) out[n++] = plasma_eth_abi_u64(x)
#define W(x) out[n++] = plasma_eth_abi_word(&(x))
    switch (ev->kind) {
    case PLASMA_ETH_EV_DEPOSIT_CREATED:
        ADDR(ev->u.deposit_created.depositor), U64(ev->u.deposit_created.blknum);
        ADDR(ev->u.deposit_created.token), U(ev->u.deposit_created.amount);
        break;
    case PLASMA_ETH_EV_BLOCK_SUBMITTED:
        U64(ev->u.block_submitted.blknum), W(ev->u.block_submitted.root),
            U64(ev->u.block_submitted.timestamp);
        break;
    case PLASMA_ETH_EV_EXIT_STARTED:
        ADDR(ev->u.exit_started.owner), U(ev->u.exit_started.exit_id);
        ADDR(ev->u.exit_started.token), U(ev->u.exit_started.amount);
        break;
    case PLASMA_ETH_EV_EXIT_CHALLENGED:
        U(ev->u.exit_challenged.exit_id), ADDR(ev->u.exit_challenged.challenger);
        break;
    case PLASMA_ETH_EV_EXIT_FINALIZED:
    case PLASMA_ETH_EV_IFE_FINALIZED:
    case PLASMA_ETH_EV_IFE_DELETED:
        U(ev->u.id);
        break;
    case PLASMA_ETH_EV_IFE_STARTED:
        ADDR(ev->u.ife_started.initiator), U(ev->u.ife_started.ife_id), W(ev->u.ife_started.txhash);
        break;
    case PLASMA_ETH_EV_IFE_INPUT_WITHDRAWN:
    case PLASMA_ETH_EV_IFE_OUTPUT_WITHDRAWN:
        U(ev->u.ife_withdrawn.ife_id), U(ev->u.ife_withdrawn.index);
        break;
    case PLASMA_ETH_EV_PAYMENT_DEFERRED:
    case PLASMA_ETH_EV_WITHDRAWAL:
        ADDR(ev->u.payment.owner), ADDR(ev->u.payment.token), U(ev->u.payment.amount);
        break;
    default:
        ADDR(ev->u.ife_action.account), U(ev->u.ife_action.ife_id), U(ev->u.ife_action.value);
        break;
    }
#undef ADDR
#undef U
#undef U64
#undef W
    return n;
}

static void test_events_match_ethers(void **state)
{
    (void)state;
    json_t *vec = tu_load_json("abi-encoding.json");
    json_t *evs = json_object_get(vec, "events");
    bool seen[PLASMA_ETH_EV_COUNT] = {0};
    for (size_t i = 0; i < json_array_size(evs); i++) {
        json_t *e = json_array_get(evs, i);
        plasma_eth_log log;
        log_from_vector(&log, e);
        plasma_eth_event ev;
        assert_int_equal(plasma_eth_event_decode(&ev, &log), 0);
        assert_string_equal(plasma_eth_event_signature(ev.kind), tu_str(e, "signature"));
        assert_int_equal(ev.block_number, 77);
        assert_int_equal(ev.log_index, 5);
        seen[ev.kind] = true;

        json_t *fields = json_object_get(e, "fields");
        plasma_eth_abi_value got[4];
        size_t n = event_fields(&ev, got);
        assert_int_equal(n, json_array_size(fields));
        pool pl = {0};
        for (size_t k = 0; k < n; k++) {
            json_t *fd = json_array_get(fields, k);
            plasma_eth_abi_value want = value_of(&pl, tu_str(fd, "type"), json_object_get(fd, "value"));
            assert_values_equal(&got[k], &want);
        }
        pool_free(&pl);

        /* One topic fewer, or one data byte more, is refused. */
        log.n_topics--;
        assert_int_equal(plasma_eth_event_decode(&ev, &log),
                         log.n_topics ? PLASMA_ERR_BAD_REQUEST : PLASMA_ERR_NOT_FOUND);
        log.n_topics++;
        uint8_t zero = 0;
        plasma_buf_append(&log.data, &zero, 1);
        assert_int_equal(plasma_eth_event_decode(&ev, &log), PLASMA_ERR_BAD_REQUEST);
        plasma_eth_log_clear(&log);
    }
    for (unsigned k = 0; k < PLASMA_ETH_EV_COUNT; k++)
        assert_true(seen[k]);
    json_decref(vec);
}

/* Out-of-range words in logs: an address with upper bits, a blknum past
 * 64 bits; an unknown topic is NOT_FOUND. */
static void test_event_words_checked(void **state)
{
    (void)state;
    plasma_eth_log log;
    memset(&log, 0, sizeof log);
    plasma_eth_abi_topic(&log.topics[0], "DepositCreated(address,uint256,address,uint256)");
    log.n_topics = 4;
    log.topics[1].b[31] = 1;
    log.topics[2].b[31] = 2;
    uint8_t amount[32] = {0};
    plasma_buf_append(&log.data, amount, 32);
    plasma_eth_event ev;
    assert_int_equal(plasma_eth_event_decode(&ev, &log), 0);
    log.topics[1].b[0] = 1; /* an address's upper byte */
    assert_int_equal(plasma_eth_event_decode(&ev, &log), PLASMA_ERR_BAD_REQUEST);
    log.topics[1].b[0] = 0;
    log.topics[2].b[23] = 1; /* blknum ≥ 2^64 */
    assert_int_equal(plasma_eth_event_decode(&ev, &log), PLASMA_ERR_BAD_REQUEST);
    log.topics[2].b[23] = 0;
    log.topics[0].b[0] ^= 1;
    assert_int_equal(plasma_eth_event_decode(&ev, &log), PLASMA_ERR_NOT_FOUND);
    log.n_topics = 0;
    assert_int_equal(plasma_eth_event_decode(&ev, &log), PLASMA_ERR_NOT_FOUND);
    plasma_eth_log_clear(&log);
}

/* Logs as a node sends them, good and bad. */
static void test_log_json(void **state)
{
    (void)state;
    const char *good =
        "{\"address\":\"0x5FbDB2315678afecb367f032d93F642f64180aa3\",\"topics\":"
        "[\"0x36805ae734d39c3675a2dfe79c18d15a03680ff0589e7119958435a3bdd61b36\","
        "\"0x00000000000000000000000000000000000000000000000000000000000003e8\"],"
        "\"data\":\"0x\",\"blockNumber\":\"0x1b\",\"blockHash\":"
        "\"0x1111111111111111111111111111111111111111111111111111111111111111\","
        "\"transactionHash\":\"0x2222222222222222222222222222222222222222222222222222222222222222\","
        "\"logIndex\":\"0x2\",\"removed\":false}";
    json_t *j = json_loads(good, 0, NULL);
    plasma_eth_log log;
    assert_int_equal(plasma_eth_log_from_json(&log, j), 0);
    plasma_eth_event ev;
    assert_int_equal(plasma_eth_event_decode(&ev, &log), 0);
    assert_int_equal(ev.kind, PLASMA_ETH_EV_EXIT_FINALIZED);
    assert_int_equal(ev.u.id.w[0], 1000);
    assert_int_equal(ev.block_number, 27);
    assert_int_equal(ev.log_index, 2);
    assert_int_equal(ev.tx_hash.b[0], 0x22);
    plasma_eth_log_clear(&log);

    static const char *const breakers[][2] = {
        {"blockNumber", "null"},
        {"blockHash", "null"},
        {"logIndex", "\"12\""},
        {"data", "\"0x123\""},
        {"address", "\"0x5fbd\""},
        {"removed", "\"no\""},
        {"topics", "[1]"},
        {"transactionHash", "7"},
        {"topics", "[\"0x36805ae734d39c3675a2dfe79c18d15a03680ff0589e7119958435a3bdd61b36\","
                   "\"0x36805ae734d39c3675a2dfe79c18d15a03680ff0589e7119958435a3bdd61b36\","
                   "\"0x36805ae734d39c3675a2dfe79c18d15a03680ff0589e7119958435a3bdd61b36\","
                   "\"0x36805ae734d39c3675a2dfe79c18d15a03680ff0589e7119958435a3bdd61b36\","
                   "\"0x36805ae734d39c3675a2dfe79c18d15a03680ff0589e7119958435a3bdd61b36\"]"},
    };
    for (size_t i = 0; i < sizeof breakers / sizeof breakers[0]; i++) {
        json_t *bad = json_deep_copy(j);
        json_object_set_new(bad, breakers[i][0], json_loads(breakers[i][1], JSON_DECODE_ANY, NULL));
        assert_int_equal(plasma_eth_log_from_json(&log, bad), PLASMA_ERR_BAD_REQUEST);
        assert_int_equal(log.data.len, 0);
        json_decref(bad);
    }
    json_decref(j);
}

/* --- revert data --- */

static void test_reverts_match_ethers(void **state)
{
    (void)state;
    json_t *vec = tu_load_json("abi-encoding.json");
    json_t *revs = json_object_get(vec, "reverts");
    for (size_t i = 0; i < json_array_size(revs); i++) {
        json_t *r = json_array_get(revs, i);
        size_t len;
        uint8_t *data = tu_hex(tu_str(r, "data"), &len);
        plasma_eth_revert rv;
        plasma_eth_revert_decode(&rv, data, len);
        assert_string_equal(rv.name, tu_str(r, "name"));
        assert_string_equal(rv.reason, tu_str(r, "reason"));
        free(data);
    }
    json_decref(vec);
}

static void test_custom_errors_follow_the_error_table(void **state)
{
    (void)state;
    char name[48];
    uint8_t sel[4], want[4];
    assert_int_equal(plasma_eth_error_name(name, sizeof name, sel, PLASMA_ERR_BAD_BOND), 0);
    assert_string_equal(name, "BadBond");
    assert_int_equal(plasma_eth_error_name(name, sizeof name, NULL, PLASMA_ERR_AMOUNTS_DO_NOT_ADD_UP), 0);
    assert_string_equal(name, "AmountsDoNotAddUp");
    assert_int_equal(plasma_eth_error_name(name, sizeof name, NULL, PLASMA_ERR_PAYMENT_FAILED), 0);
    assert_string_equal(name, "PaymentFailed");
    assert_int_equal(plasma_eth_error_name(name, sizeof name, NULL, PLASMA_OK), PLASMA_ERR_NOT_FOUND);
    assert_int_equal(plasma_eth_error_name(name, sizeof name, NULL, -12345), PLASMA_ERR_NOT_FOUND);

    /* Every code of the table round-trips: its custom error's data decodes
     * to the same plasma_err; and the Error/Panic selectors are the
     * keccak of their signatures. */
    for (size_t i = 0; i < plasma_err_count(); i++) {
        int e = plasma_err_nth(i);
        assert_int_equal(plasma_eth_error_name(name, sizeof name, sel, e), 0);
        char sig[64];
        snprintf(sig, sizeof sig, "%s()", name);
        plasma_eth_abi_selector(want, sig);
        assert_memory_equal(sel, want, 4);
        plasma_eth_revert rv;
        plasma_eth_revert_decode(&rv, sel, 4);
        assert_int_equal(rv.err, e);
        assert_string_equal(rv.name, name);
    }
    plasma_eth_abi_selector(want, "Error(string)");
    assert_memory_equal(want, "\x08\xc3\x79\xa0", 4);
    plasma_eth_abi_selector(want, "Panic(uint256)");
    assert_memory_equal(want, "\x4e\x48\x7b\x71", 4);

    plasma_eth_revert rv;
    plasma_eth_revert_decode(&rv, NULL, 0);
    assert_int_equal(rv.err, PLASMA_ERR_REVERTED);
    assert_string_equal(rv.name, "");
    plasma_eth_revert_decode(&rv, (const uint8_t *)"\x01\x02", 2);
    assert_string_equal(rv.name, "malformed");
    plasma_eth_revert_decode(&rv, (const uint8_t *)"\xde\xad\xbe\xef\x00", 5);
    assert_int_equal(rv.err, PLASMA_ERR_REVERTED);
    assert_string_equal(rv.name, "0xdeadbeef");
    /* Error(string) whose string runs past the data. */
    uint8_t bad[4 + 64] = {0x08, 0xc3, 0x79, 0xa0};
    bad[4 + 31] = 0x20;
    bad[4 + 63] = 0x40;
    plasma_eth_revert_decode(&rv, bad, sizeof bad);
    assert_string_equal(rv.name, "malformed");
}

/* --- malformed input and encoding errors --- */

static void test_decoder_refuses_malformed(void **state)
{
    (void)state;
    plasma_eth_abi_value *v = NULL;
    size_t n;
    uint8_t w[160] = {0};
    /* address with upper bits, uint8 over 255, bool 2 */
    w[0] = 1;
    assert_int_equal(plasma_eth_abi_decode(&v, &n, "address", w, 32), PLASMA_ERR_BAD_REQUEST);
    w[0] = 0;
    w[30] = 1;
    assert_int_equal(plasma_eth_abi_decode(&v, &n, "uint8", w, 32), PLASMA_ERR_BAD_REQUEST);
    assert_int_equal(plasma_eth_abi_decode(&v, &n, "uint16", w, 32), 0);
    plasma_eth_abi_values_free(v);
    w[30] = 0;
    w[31] = 2;
    assert_int_equal(plasma_eth_abi_decode(&v, &n, "bool", w, 32), PLASMA_ERR_BAD_REQUEST);
    /* too short */
    assert_int_equal(plasma_eth_abi_decode(&v, &n, "uint256", w, 31), PLASMA_ERR_BAD_REQUEST);
    /* bytes: offset past the end, length past the end, non-zero padding */
    memset(w, 0, sizeof w);
    w[31] = 0xa0;
    assert_int_equal(plasma_eth_abi_decode(&v, &n, "bytes", w, 64), PLASMA_ERR_BAD_REQUEST);
    w[31] = 0x20;
    w[63] = 0x21;
    assert_int_equal(plasma_eth_abi_decode(&v, &n, "bytes", w, 96), PLASMA_ERR_BAD_REQUEST);
    w[63] = 0x1f;
    w[64 + 31] = 7;
    assert_int_equal(plasma_eth_abi_decode(&v, &n, "bytes", w, 96), PLASMA_ERR_BAD_REQUEST);
    w[64 + 31] = 0;
    assert_int_equal(plasma_eth_abi_decode(&v, &n, "bytes", w, 96), 0);
    assert_int_equal(v[0].len, 31);
    plasma_eth_abi_values_free(v);
    /* an offset whose upper bytes are set */
    w[0] = 1;
    assert_int_equal(plasma_eth_abi_decode(&v, &n, "bytes", w, 96), PLASMA_ERR_BAD_REQUEST);
    /* an array count the data cannot hold */
    memset(w, 0, sizeof w);
    w[31] = 0x20;
    w[63] = 4;
    assert_int_equal(plasma_eth_abi_decode(&v, &n, "uint256[]", w, 64 + 96), PLASMA_ERR_BAD_REQUEST);
    assert_int_equal(plasma_eth_abi_decode(&v, &n, "uint256[]", w, 64 + 128 - 32), PLASMA_ERR_BAD_REQUEST);
    uint8_t w2[64 + 128] = {0};
    memcpy(w2, w, 64);
    assert_int_equal(plasma_eth_abi_decode(&v, &n, "uint256[]", w2, sizeof w2), 0);
    assert_int_equal(v[0].len, 4);
    plasma_eth_abi_values_free(v);
    /* type lists the codec does not read */
    static const char *const BAD_TYPES[] = {"uint",       "uint7",    "uint264",  "int256",
                                            "bytes3",     "address,", "(uint256", "()",
                                            "uint256[2]", "tuple",    "uint256 x"};
    for (size_t i = 0; i < sizeof BAD_TYPES / sizeof BAD_TYPES[0]; i++)
        assert_int_equal(plasma_eth_abi_decode(&v, &n, BAD_TYPES[i], w2, sizeof w2), PLASMA_ERR_BAD_REQUEST);
    /* the selector of decode_call */
    assert_int_equal(plasma_eth_abi_decode_call(&v, &n, "withdraw(address)", w2, 36), PLASMA_ERR_BAD_REQUEST);
    plasma_eth_fn fn;
    assert_int_equal(plasma_eth_decode_calldata(&fn, &v, &n, w2, 3), PLASMA_ERR_NOT_FOUND);
    assert_int_equal(plasma_eth_decode_calldata(&fn, &v, &n, w2, 36), PLASMA_ERR_NOT_FOUND);
}

static void test_encoder_refuses_mismatches(void **state)
{
    (void)state;
    plasma_buf out = {0};
    uint8_t keep[3] = {1, 2, 3};
    plasma_buf_append(&out, keep, 3);
    plasma_u256 big = plasma_u256_from_u64(256);
    plasma_eth_abi_value v[2] = {plasma_eth_abi_uint(&big), plasma_eth_abi_u64(1)};
    assert_int_equal(plasma_eth_abi_encode(&out, "uint8", v, 1), PLASMA_ERR_OVERFLOW);
    assert_int_equal(plasma_eth_abi_encode(&out, "bool", &v[1], 1), 0);
    assert_int_equal(out.len, 35);
    out.len = 3;
    big = plasma_u256_from_u64(2);
    v[0] = plasma_eth_abi_uint(&big);
    assert_int_equal(plasma_eth_abi_encode(&out, "bool", v, 1), PLASMA_ERR_OVERFLOW);
    assert_int_equal(plasma_eth_abi_encode(&out, "address", v, 1), PLASMA_ERR_BAD_REQUEST);
    assert_int_equal(plasma_eth_abi_encode(&out, "uint256,uint256", v, 1), PLASMA_ERR_BAD_REQUEST);
    assert_int_equal(plasma_eth_abi_encode(&out, "uint256[]", v, 1), PLASMA_ERR_BAD_REQUEST);
    assert_int_equal(plasma_eth_abi_encode(&out, "bytes", v, 1), PLASMA_ERR_BAD_REQUEST);
    assert_int_equal(plasma_eth_abi_encode_call(&out, "nameonly", v, 1), PLASMA_ERR_BAD_REQUEST);
    assert_int_equal(plasma_eth_encode(&out, PLASMA_ETH_FN_COUNT, v, 1), PLASMA_ERR_BAD_REQUEST);
    /* a failed encoding leaves the buffer as it was */
    assert_int_equal(out.len, 3);
    assert_memory_equal(out.data, keep, 3);
    /* tuples encode and decode (not in §9, but part of the codec) */
    plasma_eth_abi_value inner[2] = {plasma_eth_abi_u64(5), plasma_eth_abi_bytes(keep, 3)};
    plasma_eth_abi_value tup[1] = {plasma_eth_abi_list(inner, 2)};
    out.len = 0;
    assert_int_equal(plasma_eth_abi_encode(&out, "(uint256,bytes)", tup, 1), 0);
    plasma_eth_abi_value *dec = NULL;
    size_t n;
    assert_int_equal(plasma_eth_abi_decode(&dec, &n, "(uint256,bytes)", out.data, out.len), 0);
    assert_int_equal(n, 1);
    assert_values_equal(&dec[0], &tup[0]);
    plasma_eth_abi_values_free(dec);
    plasma_buf_free(&out);
}

/* Random corruption of the call vectors never crashes the decoder, and
 * whatever still decodes round-trips through the encoder. Rerun a failure
 * with PLASMA_TEST_SEED=<the printed seed>. */
static void test_corruption_never_crashes(void **state)
{
    (void)state;
    const char *env = getenv("PLASMA_TEST_SEED");
    uint64_t seed = env ? strtoull(env, NULL, 0) : 0x5eed0e7;
    printf("test_corruption_never_crashes: seed %llu (PLASMA_TEST_SEED)\n", (unsigned long long)seed);
    uint64_t rng = seed ? seed : 1;
    json_t *vec = tu_load_json("abi-encoding.json");
    json_t *calls = json_object_get(vec, "calls");
    int decoded = 0;
    for (int round = 0; round < 4000; round++) {
        json_t *c = json_array_get(calls, tu_rand(&rng) % json_array_size(calls));
        size_t len;
        uint8_t *data = tu_hex(tu_str(c, "calldata"), &len);
        int flips = 1 + (int)(tu_rand(&rng) % 4);
        for (int k = 0; k < flips && len > 4; k++)
            data[4 + tu_rand(&rng) % (len - 4)] = (uint8_t)tu_rand(&rng);
        if (tu_rand(&rng) % 4 == 0)
            len -= tu_rand(&rng) % len;
        plasma_eth_fn fn;
        plasma_eth_abi_value *v = NULL;
        size_t n;
        int rc = plasma_eth_decode_calldata(&fn, &v, &n, data, len);
        assert_true(rc == 0 || rc == PLASMA_ERR_BAD_REQUEST || rc == PLASMA_ERR_NOT_FOUND);
        if (rc == 0) {
            /* What decodes re-encodes canonically, and that decodes to
             * the same values. */
            plasma_buf again = {0};
            plasma_eth_fn fn2;
            plasma_eth_abi_value *v2 = NULL;
            size_t n2;
            assert_int_equal(plasma_eth_encode(&again, fn, v, n), 0);
            assert_int_equal(plasma_eth_decode_calldata(&fn2, &v2, &n2, again.data, again.len), 0);
            assert_int_equal(fn2, fn);
            assert_int_equal(n2, n);
            for (size_t k = 0; k < n; k++)
                assert_values_equal(&v2[k], &v[k]);
            plasma_eth_abi_values_free(v2);
            plasma_buf_free(&again);
            decoded++;
        }
        plasma_eth_abi_values_free(v);
        free(data);
    }
    assert_true(decoded > 0);
    json_decref(vec);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_calls_match_ethers),
        cmocka_unit_test(test_typed_encoders),
        cmocka_unit_test(test_shared_abi_vectors),
        cmocka_unit_test(test_returns_match_ethers),
        cmocka_unit_test(test_events_match_ethers),
        cmocka_unit_test(test_event_words_checked),
        cmocka_unit_test(test_log_json),
        cmocka_unit_test(test_reverts_match_ethers),
        cmocka_unit_test(test_custom_errors_follow_the_error_table),
        cmocka_unit_test(test_decoder_refuses_malformed),
        cmocka_unit_test(test_encoder_refuses_mismatches),
        cmocka_unit_test(test_corruption_never_crashes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
