/* The signed call envelope: encoding, strict decoding, signing hash,
 * signatures, call hashes, and nonces (replays refused). */
#include "test_exitgame_kit.h"

#define N_SAMPLES 15

static void fill_tx(plasma_call_tx *t, size_t len, uint8_t byte)
{
    t->len = len;
    memset(t->b, byte, len);
}

/* One call of every in-flight exit kind, at calls[6..14]: maximal arrays,
 * empty and full proofs, integers of every width. */
static void sample_ife_calls(const egk *k, plasma_call *calls)
{
    plasma_call_init(&calls[6], PLASMA_CALL_START_IFE, NULL, 2, EGK_GWEI, 900000);
    plasma_call_start_ife *s = &calls[6].start_ife;
    fill_tx(&s->tx, 300, 0xf1);
    s->n_input_txs = s->n_input_pos = s->n_input_proofs = PLASMA_MAX_INPUTS;
    for (unsigned i = 0; i < PLASMA_MAX_INPUTS; i++) {
        fill_tx(&s->input_txs[i], i == 3 ? PLASMA_CALL_MAX_TX : 100 + i, (uint8_t)(0x10 + i));
        s->input_pos[i] = plasma_utxo_pos(1000 * (i + 1), i, i);
        memset(s->input_proofs[i], 0x20 + (int)i, PLASMA_MERKLE_PROOF_LEN);
    }
    s->bond = k->cfg.ife_bond;
    plasma_call_init(&calls[7], PLASMA_CALL_PIGGYBACK_INPUT, NULL, 3, 1, 200000);
    fill_tx(&calls[7].piggyback.tx, 1, 0x05);
    calls[7].piggyback.index = 3;
    calls[7].piggyback.bond = k->cfg.piggyback_bond;
    plasma_call_init(&calls[8], PLASMA_CALL_PIGGYBACK_OUTPUT, NULL, 4, 1, 200000);
    fill_tx(&calls[8].piggyback.tx, 200, 0x06);
    calls[8].piggyback.index = UINT64_MAX;
    plasma_call_init(&calls[9], PLASMA_CALL_CHALLENGE_IFE, NULL, 5, 1, 400000);
    plasma_call_challenge_ife *ch = &calls[9].challenge_ife;
    fill_tx(&ch->tx, 250, 0x07);
    ch->input_index = 1;
    fill_tx(&ch->competing_tx, 260, 0x08);
    ch->competing_input_index = 2;
    ch->competitor_pos = plasma_utxo_pos(3000, 7, 0);
    ch->competitor_proof.len = PLASMA_MERKLE_PROOF_LEN;
    memset(ch->competitor_proof.b, 0x09, PLASMA_MERKLE_PROOF_LEN);
    plasma_call_init(&calls[10], PLASMA_CALL_RESPOND_IFE, NULL, 6, 1, 300000);
    fill_tx(&calls[10].respond_ife.tx, 250, 0x0a);
    calls[10].respond_ife.tx_pos = 0; /* with an empty proof */
    plasma_call_init(&calls[11], PLASMA_CALL_CHALLENGE_IFE_INPUT, NULL, 7, 1, 300000);
    fill_tx(&calls[11].challenge_ife_input.tx, 250, 0x0b);
    calls[11].challenge_ife_input.input_index = 0;
    fill_tx(&calls[11].challenge_ife_input.spending_tx, 0, 0);
    calls[11].challenge_ife_input.spending_input_index = 0x1234;
    plasma_call_init(&calls[12], PLASMA_CALL_CHALLENGE_IFE_OUTPUT, NULL, 8, 1, 300000);
    plasma_call_challenge_ife_output *co = &calls[12].challenge_ife_output;
    fill_tx(&co->tx, 250, 0x0c);
    co->output_utxo_pos = plasma_utxo_pos(2000, 65535, 3);
    co->proof.len = PLASMA_MERKLE_PROOF_LEN;
    memset(co->proof.b, 0x0d, PLASMA_MERKLE_PROOF_LEN);
    fill_tx(&co->spending_tx, 333, 0x0e);
    co->spending_input_index = 3;
    plasma_call_init(&calls[13], PLASMA_CALL_DELETE_IFE, NULL, 9, 1, 100000);
    memset(calls[13].delete_ife.ife_id.w, 0xff, sizeof calls[13].delete_ife.ife_id.w);
    plasma_call_init(&calls[14], PLASMA_CALL_WITHDRAW, NULL, 10, 1, 100000);
    calls[14].withdraw.token = k->token;
}

static void sample_calls(const egk *k, plasma_call calls[N_SAMPLES])
{
    plasma_call_init(&calls[0], PLASMA_CALL_TRANSFER, NULL, 0, 7, 21000);
    calls[0].transfer.to = k->addr[2];
    calls[0].transfer.token = k->token;
    calls[0].transfer.amount = egk_wei(1234);
    plasma_call_init(&calls[1], PLASMA_CALL_DEPOSIT, NULL, 1, EGK_GWEI, 100000);
    calls[1].deposit.amount = egk_u(0x80);
    plasma_call_init(&calls[2], PLASMA_CALL_SUBMIT_BLOCK, NULL, 300, 1, 90000);
    memset(calls[2].submit_block.root.b, 0x5a, 32);
    plasma_call_init(&calls[3], PLASMA_CALL_START_EXIT, NULL, 0x1234567890ull, 3, 300000);
    calls[3].start_exit.utxo_pos = plasma_utxo_pos(1000, 3, 1);
    calls[3].start_exit.bond = k->cfg.exit_bond;
    calls[3].start_exit.tx_len = PLASMA_CALL_MAX_TX;
    memset(calls[3].start_exit.tx, 0xc3, PLASMA_CALL_MAX_TX);
    for (int i = 0; i < PLASMA_MERKLE_PROOF_LEN; i++)
        calls[3].start_exit.proof[i] = (uint8_t)i;
    plasma_call_init(&calls[4], PLASMA_CALL_CHALLENGE_EXIT, NULL, 9, 0, 100000);
    calls[4].challenge_exit.exit_id = plasma_utxo_pos(1, 0, 0);
    calls[4].challenge_exit.input_index = 3;
    calls[4].challenge_exit.tx_len = 0;
    plasma_call_init(&calls[5], PLASMA_CALL_PROCESS_EXITS, NULL, UINT64_MAX, UINT64_MAX, UINT64_MAX);
    calls[5].process_exits.max_exits = 0;
    sample_ife_calls(k, calls);
}

static void encode(plasma_buf *b, const plasma_call_domain *d, const plasma_call *c)
{
    b->len = 0;
    assert_int_equal(plasma_call_encode(b, d, c), 0);
}

static void assert_same_call(const plasma_call_domain *d, const plasma_call *a, const plasma_call *b)
{
    plasma_buf x = {0}, y = {0};
    encode(&x, d, a);
    encode(&y, d, b);
    assert_int_equal(x.len, y.len);
    assert_memory_equal(x.data, y.data, x.len);
    plasma_buf_free(&x);
    plasma_buf_free(&y);
}

static void test_roundtrip(void **state)
{
    (void)state;
    egk k;
    egk_init(&k);
    plasma_call calls[N_SAMPLES];
    sample_calls(&k, calls);
    plasma_buf b = {0};
    for (int i = 0; i < N_SAMPLES; i++) {
        encode(&b, &k.cd, &calls[i]);
        plasma_call back;
        assert_int_equal(plasma_call_decode(&back, &k.cd, b.data, b.len), 0);
        assert_int_equal(back.kind, calls[i].kind);
        assert_int_equal(back.nonce, calls[i].nonce);
        assert_int_equal(back.gas_limit, calls[i].gas_limit);
        assert_true(plasma_addr_is_zero(&back.from));
        assert_same_call(&k.cd, &back, &calls[i]);
    }
    /* a known shape: [31337, contract, 1, 1e9, 100000, 2, token, 0x80] */
    encode(&b, &k.cd, &calls[1]);
    tu_assert_hex(b.data, b.len,
                  "0xf83a827a69945fbdb2315678afecb367f032d93f642f64180aa301843b9aca00830186a00294"
                  "00000000000000000000000000000000000000008180");
    plasma_buf_free(&b);
    egk_free(&k);
}

static void expect_bad(const plasma_call_domain *d, const uint8_t *buf, size_t len)
{
    plasma_call c;
    assert_int_equal(plasma_call_decode(&c, d, buf, len), PLASMA_ERR_BAD_CALL);
}

/* Re-encodes a call's envelope with item `at` replaced by raw (removed
 * when raw is NULL); at == -1 appends raw instead. */
static void envelope_with(plasma_buf *out, const plasma_call_domain *d, const plasma_call *c, int at,
                          const uint8_t *raw, size_t raw_len)
{
    plasma_buf env = {0};
    encode(&env, d, c);
    plasma_rlp_item top, it;
    assert_int_equal(plasma_rlp_decode(&top, env.data, env.len), 0);
    plasma_rlp_iter iter;
    plasma_rlp_iter_init(&iter, &top);
    out->len = 0;
    size_t mark = plasma_rlp_list_begin(out);
    const uint8_t *p = top.data;
    for (int i = 0; plasma_rlp_iter_next(&iter, &it) == 1; i++) {
        if (i != at)
            plasma_buf_append(out, p, (size_t)(iter.p - p));
        else if (raw)
            plasma_buf_append(out, raw, raw_len);
        p = iter.p;
    }
    if (at == -1)
        plasma_buf_append(out, raw, raw_len);
    assert_int_equal(plasma_rlp_list_end(out, mark), 0);
    plasma_buf_free(&env);
}

/* Framing: domain, trailing bytes, item counts, kind. */
static void test_strict_envelope(void **state)
{
    (void)state;
    egk k;
    egk_init(&k);
    plasma_call calls[N_SAMPLES];
    sample_calls(&k, calls);
    plasma_buf b = {0}, m = {0};

    encode(&b, &k.cd, &calls[1]);
    plasma_call_domain other = k.cd;
    other.chain_id = 1;
    expect_bad(&other, b.data, b.len);
    other = k.cd;
    other.contract.b[0] ^= 1;
    expect_bad(&other, b.data, b.len);
    plasma_buf_append(&b, (const uint8_t *)"\x00", 1);
    expect_bad(&k.cd, b.data, b.len); /* trailing byte */
    expect_bad(&k.cd, b.data, 0);
    expect_bad(&k.cd, (const uint8_t *)"\xc0", 1);

    envelope_with(&m, &k.cd, &calls[1], 7, NULL, 0); /* amount missing */
    expect_bad(&k.cd, m.data, m.len);
    envelope_with(&m, &k.cd, &calls[1], -1, (const uint8_t *)"\x01", 1); /* one item too many */
    expect_bad(&k.cd, m.data, m.len);
    envelope_with(&m, &k.cd, &calls[1], 5, NULL, 0); /* kind missing: token read as kind */
    expect_bad(&k.cd, m.data, m.len);

    /* an unknown kind */
    plasma_call c = calls[5];
    c.kind = (plasma_call_kind)PLASMA_CALL_KINDS;
    assert_int_equal(plasma_call_encode(&b, &k.cd, &c), PLASMA_ERR_BAD_CALL);
    plasma_buf_free(&b);
    plasma_buf_free(&m);
    egk_free(&k);
}

/* Fields: fixed lengths, integer canonicity and ranges. */
static void test_strict_arguments(void **state)
{
    (void)state;
    egk k;
    egk_init(&k);
    plasma_call calls[N_SAMPLES];
    sample_calls(&k, calls);
    plasma_buf b = {0}, m = {0};

    /* a proof one byte short, a tx one byte too long */
    plasma_call c = calls[3];
    encode(&b, &k.cd, &c);
    plasma_call back;
    assert_int_equal(plasma_call_decode(&back, &k.cd, b.data, b.len), 0);
    c.start_exit.tx_len = PLASMA_CALL_MAX_TX + 1;
    size_t before = b.len;
    assert_int_equal(plasma_call_encode(&b, &k.cd, &c), PLASMA_ERR_BAD_CALL);
    assert_int_equal(b.len, before);

    uint8_t short_proof[1 + 2 + 511];
    short_proof[0] = 0xb9;
    short_proof[1] = 0x01;
    short_proof[2] = 0xff;
    memset(short_proof + 3, 1, 511);
    envelope_with(&m, &k.cd, &calls[3], 8, short_proof, sizeof short_proof);
    expect_bad(&k.cd, m.data, m.len);
    envelope_with(&m, &k.cd, &calls[3], 8, NULL, 0); /* no proof at all */
    expect_bad(&k.cd, m.data, m.len);
    /* the unchanged proof, re-inserted raw, decodes: the helper is sound */
    {
        plasma_buf proof = {0};
        plasma_rlp_put_bytes(&proof, calls[3].start_exit.proof, PLASMA_MERKLE_PROOF_LEN);
        envelope_with(&m, &k.cd, &calls[3], 8, proof.data, proof.len);
        assert_int_equal(plasma_call_decode(&back, &k.cd, m.data, m.len), 0);
        plasma_buf_free(&proof);
    }

    /* a non-canonical integer: nonce 1 wrapped as a one-byte string */
    envelope_with(&m, &k.cd, &calls[1], 2, (const uint8_t *)"\x81\x01", 2);
    expect_bad(&k.cd, m.data, m.len);
    /* a leading zero in gas_price; an input index past 32 bits */
    envelope_with(&m, &k.cd, &calls[1], 3, (const uint8_t *)"\x82\x00\x01", 3);
    expect_bad(&k.cd, m.data, m.len);
    envelope_with(&m, &k.cd, &calls[4], 8, (const uint8_t *)"\x85\x01\x00\x00\x00\x00", 6);
    expect_bad(&k.cd, m.data, m.len);
    /* an address of 19 bytes */
    uint8_t addr19[20] = {0x93};
    envelope_with(&m, &k.cd, &calls[0], 6, addr19, sizeof addr19);
    expect_bad(&k.cd, m.data, m.len);

    plasma_buf_free(&b);
    plasma_buf_free(&m);
    egk_free(&k);
}

/* The in-flight exit kinds: array sizes, proof lengths, integer widths. */
static void test_strict_ife_arguments(void **state)
{
    (void)state;
    egk k;
    egk_init(&k);
    plasma_call calls[N_SAMPLES], back;
    sample_calls(&k, calls);
    plasma_buf b = {0}, m = {0};

    /* encoding refuses what decoding would */
    plasma_call c = calls[6];
    c.start_ife.n_input_txs = PLASMA_MAX_INPUTS + 1;
    assert_int_equal(plasma_call_encode(&b, &k.cd, &c), PLASMA_ERR_BAD_CALL);
    c = calls[6];
    c.start_ife.input_txs[1].len = PLASMA_CALL_MAX_TX + 1;
    assert_int_equal(plasma_call_encode(&b, &k.cd, &c), PLASMA_ERR_BAD_CALL);
    c = calls[9];
    c.challenge_ife.competitor_proof.len = 100;
    assert_int_equal(plasma_call_encode(&b, &k.cd, &c), PLASMA_ERR_BAD_CALL);
    c = calls[12];
    c.challenge_ife_output.spending_tx.len = PLASMA_CALL_MAX_TX + 1;
    assert_int_equal(plasma_call_encode(&b, &k.cd, &c), PLASMA_ERR_BAD_CALL);
    assert_int_equal(b.len, 0);

    /* five input positions: start_ife's third argument is item 8 */
    plasma_buf five = {0};
    size_t mark = plasma_rlp_list_begin(&five);
    for (int i = 0; i < 5; i++)
        plasma_rlp_put_u64(&five, 1000000000ull + (uint64_t)i);
    assert_int_equal(plasma_rlp_list_end(&five, mark), 0);
    envelope_with(&m, &k.cd, &calls[6], 8, five.data, five.len);
    expect_bad(&k.cd, m.data, m.len);
    /* positions given as a string, not a list */
    envelope_with(&m, &k.cd, &calls[6], 8, (const uint8_t *)"\x80", 1);
    expect_bad(&k.cd, m.data, m.len);
    /* an empty list of positions decodes (its length is the contract's check) */
    envelope_with(&m, &k.cd, &calls[6], 8, (const uint8_t *)"\xc0", 1);
    assert_int_equal(plasma_call_decode(&back, &k.cd, m.data, m.len), 0);
    assert_int_equal(back.start_ife.n_input_pos, 0);
    assert_int_equal(back.start_ife.n_input_txs, PLASMA_MAX_INPUTS);
    /* an input proof of 511 bytes */
    uint8_t p511[3 + 511] = {0xb9, 0x01, 0xff};
    memset(p511 + 3, 2, 511);
    plasma_buf proofs = {0};
    mark = plasma_rlp_list_begin(&proofs);
    plasma_buf_append(&proofs, p511, sizeof p511);
    assert_int_equal(plasma_rlp_list_end(&proofs, mark), 0);
    envelope_with(&m, &k.cd, &calls[6], 9, proofs.data, proofs.len);
    expect_bad(&k.cd, m.data, m.len);
    /* a competitor proof of 511 bytes; a respond proof of 511 bytes */
    envelope_with(&m, &k.cd, &calls[9], 11, p511, sizeof p511);
    expect_bad(&k.cd, m.data, m.len);
    envelope_with(&m, &k.cd, &calls[10], 8, p511, sizeof p511);
    expect_bad(&k.cd, m.data, m.len);
    /* an index past 64 bits; an ife_id of 33 bytes; a token of 21 bytes */
    static const uint8_t nine[] = {0x89, 1, 0, 0, 0, 0, 0, 0, 0, 0};
    envelope_with(&m, &k.cd, &calls[7], 7, nine, sizeof nine);
    expect_bad(&k.cd, m.data, m.len);
    uint8_t id33[34] = {0xa1, 1};
    envelope_with(&m, &k.cd, &calls[13], 6, id33, sizeof id33);
    expect_bad(&k.cd, m.data, m.len);
    uint8_t tok21[22] = {0x95, 1};
    envelope_with(&m, &k.cd, &calls[14], 6, tok21, sizeof tok21);
    expect_bad(&k.cd, m.data, m.len);
    /* a tx argument one byte too long */
    uint8_t *long_tx = calloc(1, 3 + PLASMA_CALL_MAX_TX + 1);
    long_tx[0] = 0xb9;
    long_tx[1] = (uint8_t)((PLASMA_CALL_MAX_TX + 1) >> 8);
    long_tx[2] = (uint8_t)(PLASMA_CALL_MAX_TX + 1);
    envelope_with(&m, &k.cd, &calls[11], 8, long_tx, 3 + PLASMA_CALL_MAX_TX + 1);
    expect_bad(&k.cd, m.data, m.len);
    free(long_tx);
    /* one argument too few for deleteNonPiggybackedInFlightExit */
    envelope_with(&m, &k.cd, &calls[13], 6, NULL, 0);
    expect_bad(&k.cd, m.data, m.len);

    plasma_buf_free(&five);
    plasma_buf_free(&proofs);
    plasma_buf_free(&b);
    plasma_buf_free(&m);
    egk_free(&k);
}

/* ---- call data against an independent ABI encoder ---- */

/* Argument j of a vector as a call's field; false when the value does not
 * fit the call (a position past 64 bits, a proof that is not 512 bytes). */
static bool vec_u64(const json_t *args, size_t j, uint64_t *out)
{
    plasma_u256 v;
    assert_int_equal(plasma_u256_parse_dec(&v, json_string_value(json_array_get(args, j))), 0);
    return plasma_u256_to_u64(&v, out);
}

static bool vec_bytes(const json_t *item, uint8_t *dst, size_t *len, size_t max)
{
    size_t n;
    uint8_t *b = tu_hex(json_string_value(item), &n);
    bool ok = n <= max;
    if (ok) {
        memcpy(dst, b, n);
        *len = n;
    }
    free(b);
    return ok;
}

static bool vec_tx(const json_t *args, size_t j, plasma_call_tx *t)
{
    return vec_bytes(json_array_get(args, j), t->b, &t->len, PLASMA_CALL_MAX_TX);
}

static bool vec_proof(const json_t *args, size_t j, plasma_call_proof *p)
{
    return vec_bytes(json_array_get(args, j), p->b, &p->len, PLASMA_MERKLE_PROOF_LEN) &&
           (p->len == 0 || p->len == PLASMA_MERKLE_PROOF_LEN);
}

static bool vec_start_ife(const json_t *a, plasma_call_start_ife *s)
{
    const json_t *txs = json_array_get(a, 1), *pos = json_array_get(a, 2), *proofs = json_array_get(a, 3);
    if (!vec_tx(a, 0, &s->tx) || json_array_size(txs) > PLASMA_MAX_INPUTS ||
        json_array_size(pos) > PLASMA_MAX_INPUTS || json_array_size(proofs) > PLASMA_MAX_INPUTS)
        return false;
    s->n_input_txs = (uint8_t)json_array_size(txs);
    s->n_input_pos = (uint8_t)json_array_size(pos);
    s->n_input_proofs = (uint8_t)json_array_size(proofs);
    bool ok = true;
    for (unsigned i = 0; i < s->n_input_txs; i++)
        ok = ok && vec_tx(txs, i, &s->input_txs[i]);
    for (unsigned i = 0; i < s->n_input_pos; i++)
        ok = ok && vec_u64(pos, i, &s->input_pos[i]);
    for (unsigned i = 0; i < s->n_input_proofs && ok; i++) {
        size_t len = 0;
        ok = vec_bytes(json_array_get(proofs, i), s->input_proofs[i], &len, PLASMA_MERKLE_PROOF_LEN) &&
             len == PLASMA_MERKLE_PROOF_LEN;
    }
    return ok;
}

static bool vec_ife_call(const char *sig, const json_t *a, plasma_call *c)
{
    if (strncmp(sig, "piggybackInFlightExitOn", 23) == 0) {
        c->kind = sig[23] == 'I' ? PLASMA_CALL_PIGGYBACK_INPUT : PLASMA_CALL_PIGGYBACK_OUTPUT;
        return vec_tx(a, 0, &c->piggyback.tx) && vec_u64(a, 1, &c->piggyback.index);
    }
    if (strncmp(sig, "challengeInFlightExitNotCanonical(", 34) == 0) {
        plasma_call_challenge_ife *x = &c->challenge_ife;
        c->kind = PLASMA_CALL_CHALLENGE_IFE;
        return vec_tx(a, 0, &x->tx) && vec_u64(a, 1, &x->input_index) && vec_tx(a, 2, &x->competing_tx) &&
               vec_u64(a, 3, &x->competing_input_index) && vec_u64(a, 4, &x->competitor_pos) &&
               vec_proof(a, 5, &x->competitor_proof);
    }
    if (strncmp(sig, "respondToNonCanonicalChallenge(", 31) == 0) {
        c->kind = PLASMA_CALL_RESPOND_IFE;
        return vec_tx(a, 0, &c->respond_ife.tx) && vec_u64(a, 1, &c->respond_ife.tx_pos) &&
               vec_proof(a, 2, &c->respond_ife.proof);
    }
    if (strncmp(sig, "challengeInFlightExitInputSpent(", 32) == 0) {
        plasma_call_challenge_ife_input *x = &c->challenge_ife_input;
        c->kind = PLASMA_CALL_CHALLENGE_IFE_INPUT;
        return vec_tx(a, 0, &x->tx) && vec_u64(a, 1, &x->input_index) && vec_tx(a, 2, &x->spending_tx) &&
               vec_u64(a, 3, &x->spending_input_index);
    }
    if (strncmp(sig, "challengeInFlightExitOutputSpent(", 33) == 0) {
        plasma_call_challenge_ife_output *x = &c->challenge_ife_output;
        c->kind = PLASMA_CALL_CHALLENGE_IFE_OUTPUT;
        return vec_tx(a, 0, &x->tx) && vec_u64(a, 1, &x->output_utxo_pos) && vec_proof(a, 2, &x->proof) &&
               vec_tx(a, 3, &x->spending_tx) && vec_u64(a, 4, &x->spending_input_index);
    }
    if (strncmp(sig, "startInFlightExit(", 18) == 0) {
        c->kind = PLASMA_CALL_START_IFE;
        return vec_start_ife(a, &c->start_ife);
    }
    return false;
}

/* The call a vector of §9's functions describes; false for a view, or
 * arguments a call cannot carry. */
static bool vec_call(const char *sig, const json_t *a, plasma_call *c)
{
    size_t len;
    memset(c, 0, sizeof *c);
    if (strcmp(sig, "deposit(address,uint256)") == 0) {
        c->kind = PLASMA_CALL_DEPOSIT;
        assert_int_equal(plasma_addr_parse(&c->deposit.token, json_string_value(json_array_get(a, 0))), 0);
        assert_int_equal(plasma_u256_parse_dec(&c->deposit.amount, json_string_value(json_array_get(a, 1))),
                         0);
        return true;
    }
    if (strcmp(sig, "submitBlock(bytes32)") == 0) {
        c->kind = PLASMA_CALL_SUBMIT_BLOCK;
        return vec_bytes(json_array_get(a, 0), c->submit_block.root.b, &len, 32);
    }
    if (strcmp(sig, "startStandardExit(uint256,bytes,bytes)") == 0) {
        c->kind = PLASMA_CALL_START_EXIT;
        return vec_u64(a, 0, &c->start_exit.utxo_pos) &&
               vec_bytes(json_array_get(a, 1), c->start_exit.tx, &c->start_exit.tx_len, PLASMA_CALL_MAX_TX) &&
               vec_bytes(json_array_get(a, 2), c->start_exit.proof, &len, PLASMA_MERKLE_PROOF_LEN) &&
               len == PLASMA_MERKLE_PROOF_LEN;
    }
    if (strcmp(sig, "challengeStandardExit(uint256,bytes,uint256)") == 0) {
        uint64_t index;
        c->kind = PLASMA_CALL_CHALLENGE_EXIT;
        bool ok = vec_u64(a, 0, &c->challenge_exit.exit_id) &&
                  vec_bytes(json_array_get(a, 1), c->challenge_exit.tx, &c->challenge_exit.tx_len,
                            PLASMA_CALL_MAX_TX) &&
                  vec_u64(a, 2, &index) && index <= UINT32_MAX;
        c->challenge_exit.input_index = (uint32_t)index;
        return ok;
    }
    if (strcmp(sig, "processExits(address,uint256)") == 0) {
        c->kind = PLASMA_CALL_PROCESS_EXITS;
        assert_int_equal(plasma_addr_parse(&c->process_exits.token, json_string_value(json_array_get(a, 0))),
                         0);
        return vec_u64(a, 1, &c->process_exits.max_exits);
    }
    if (strcmp(sig, "deleteNonPiggybackedInFlightExit(uint256)") == 0) {
        c->kind = PLASMA_CALL_DELETE_IFE;
        assert_int_equal(
            plasma_u256_parse_dec(&c->delete_ife.ife_id, json_string_value(json_array_get(a, 0))), 0);
        return true;
    }
    if (strcmp(sig, "withdraw(address)") == 0) {
        c->kind = PLASMA_CALL_WITHDRAW;
        assert_int_equal(plasma_addr_parse(&c->withdraw.token, json_string_value(json_array_get(a, 0))), 0);
        return true;
    }
    return vec_ife_call(sig, a, c);
}

/* plasma_call_calldata is the ABI encoding ethers gives for every vector
 * of vectors/abi-encoding.json that a call can carry (a kind each). */
static void test_calldata_vectors(void **state)
{
    (void)state;
    json_t *root = tu_load_json("abi-encoding.json");
    const json_t *list = json_object_get(root, "calls");
    bool seen[PLASMA_CALL_KINDS] = {false};
    plasma_call *c = malloc(sizeof *c);
    assert_non_null(c);
    plasma_buf data = {0};
    for (size_t i = 0; i < json_array_size(list); i++) {
        const json_t *v = json_array_get(list, i);
        if (!vec_call(tu_str(v, "signature"), json_object_get(v, "args"), c))
            continue;
        data.len = 0;
        assert_int_equal(plasma_call_calldata(&data, c), 0);
        tu_assert_hex_at(data.data, data.len, tu_str(v, "calldata"), __FILE__, __LINE__);
        seen[c->kind] = true;
    }
    for (int k = PLASMA_CALL_DEPOSIT; k < PLASMA_CALL_KINDS; k++)
        if (!seen[k])
            fail_msg("no vector of call kind %d", k);
    plasma_buf_free(&data);
    free(c);
    json_decref(root);
}

/* Intrinsic gas is the base plus the price of the call data an Ethereum
 * transaction would carry (16 per non-zero byte, 4 per zero byte), for
 * every kind; a plain ETH transfer carries none. */
static void test_intrinsic_gas(void **state)
{
    (void)state;
    egk k;
    egk_init(&k);
    plasma_call calls[N_SAMPLES];
    sample_calls(&k, calls);
    plasma_buf data = {0};
    for (int i = 0; i < N_SAMPLES; i++) {
        data.len = 0;
        assert_int_equal(plasma_call_calldata(&data, &calls[i]), 0);
        assert_true(data.len >= 4 + 32);
        uint64_t want = PLASMA_GAS_BASE;
        for (size_t j = 0; j < data.len; j++)
            want += data.data[j] ? PLASMA_GAS_CALLDATA_NONZERO : PLASMA_GAS_CALLDATA_ZERO;
        assert_int_equal(plasma_call_intrinsic_gas(&calls[i]), want);
    }
    plasma_call eth;
    plasma_call_init(&eth, PLASMA_CALL_TRANSFER, NULL, 0, 1, 21000);
    eth.transfer.amount = egk_u(5);
    data.len = 0;
    assert_int_equal(plasma_call_calldata(&data, &eth), 0);
    assert_int_equal(data.len, 0);
    assert_int_equal(plasma_call_intrinsic_gas(&eth), PLASMA_GAS_BASE);
    /* a call that cannot be encoded has none */
    calls[3].start_exit.tx_len = PLASMA_CALL_MAX_TX + 1;
    data.len = 0;
    assert_int_equal(plasma_call_calldata(&data, &calls[3]), PLASMA_ERR_BAD_CALL);
    assert_int_equal(data.len, 0);
    assert_int_equal(plasma_call_intrinsic_gas(&calls[3]), 0);
    /* the value a call carries */
    plasma_u256 v;
    plasma_call_value(&v, &calls[6]);
    egk_assert_u256(v, k.cfg.ife_bond);
    plasma_call_value(&v, &calls[7]);
    egk_assert_u256(v, k.cfg.piggyback_bond);
    plasma_call_value(&v, &calls[3]);
    egk_assert_u256(v, k.cfg.exit_bond);
    plasma_call_value(&v, &calls[14]);
    egk_assert_u256(v, egk_u(0));
    plasma_buf_free(&data);
    egk_free(&k);
}

/* Default gas limits cover a call's intrinsic gas and never ask for more
 * than nine tenths of a default block. */
static void test_default_gas_limits(void **state)
{
    (void)state;
    egk k;
    egk_init(&k);
    plasma_call calls[N_SAMPLES];
    sample_calls(&k, calls);
    const uint64_t cap = PLASMA_CHAIN_DEFAULT_BLOCK_GAS_LIMIT / 10 * 9;
    for (int i = 0; i < N_SAMPLES; i++) {
        uint64_t lim = plasma_call_default_gas_limit(&calls[i]);
        assert_true(lim >= plasma_call_intrinsic_gas(&calls[i]));
        assert_true(lim <= cap);
    }
    plasma_call c;
    plasma_call_init(&c, PLASMA_CALL_PROCESS_EXITS, NULL, 0, 0, 0);
    static const struct {
        uint64_t max, limit;
    } want[] = {{1, 700000},    {10, 6100000},    {44, 26500000},
                {45, 27000000}, {1000, 27000000}, {UINT64_MAX, 27000000}};
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        c.process_exits.max_exits = want[i].max;
        assert_int_equal(plasma_call_default_gas_limit(&c), want[i].limit);
    }
    egk_free(&k);
}

static void test_sign_and_recover(void **state)
{
    (void)state;
    egk k;
    egk_init(&k);
    plasma_call calls[N_SAMPLES];
    sample_calls(&k, calls);
    plasma_buf b = {0};
    for (int i = 0; i < N_SAMPLES; i++) {
        plasma_sig sig;
        assert_int_equal(plasma_call_sign(&sig, &k.cd, &calls[i], &k.key[3]), 0);
        plasma_addr who;
        assert_int_equal(plasma_call_recover(&who, &k.cd, &calls[i], &sig), 0);
        assert_true(plasma_addr_eq(&who, &k.addr[3]));
        b.len = 0;
        assert_int_equal(plasma_call_encode_signed(&b, &k.cd, &calls[i], &sig), 0);
        plasma_call back;
        plasma_sig sig2;
        assert_int_equal(plasma_call_decode_signed(&back, &sig2, &k.cd, b.data, b.len), 0);
        assert_true(plasma_addr_eq(&back.from, &k.addr[3]));
        assert_memory_equal(sig.b, sig2.b, 65);
        assert_same_call(&k.cd, &back, &calls[i]);

        /* a changed envelope recovers someone else (or nobody) */
        b.data[5] ^= 1;
        int rc = plasma_call_decode_signed(&back, NULL, &k.cd, b.data, b.len);
        assert_true(rc != 0 || !plasma_addr_eq(&back.from, &k.addr[3]));
    }

    /* signing hash = keccak256(0x19 ‖ "PlasmaRootchainCall" ‖ envelope) */
    b.len = 0;
    plasma_buf_append(&b, (const uint8_t *)"\x19PlasmaRootchainCall", 20);
    assert_int_equal(plasma_call_encode(&b, &k.cd, &calls[2]), 0);
    plasma_hash want, got;
    plasma_keccak256(&want, b.data, b.len);
    assert_int_equal(plasma_call_signing_hash(&got, &k.cd, &calls[2]), 0);
    assert_true(plasma_hash_eq(&want, &got));

    /* the call hash tells senders apart */
    plasma_hash h1, h2;
    calls[2].from = k.addr[1];
    assert_int_equal(plasma_call_hash(&h1, &k.cd, &calls[2]), 0);
    calls[2].from = k.addr[2];
    assert_int_equal(plasma_call_hash(&h2, &k.cd, &calls[2]), 0);
    assert_false(plasma_hash_eq(&h1, &h2));

    /* a bad signature */
    plasma_sig junk;
    memset(junk.b, 0xff, sizeof junk.b);
    plasma_addr who;
    assert_int_equal(plasma_call_recover(&who, &k.cd, &calls[2], &junk), PLASMA_ERR_BAD_SIGNATURE);
    plasma_buf_free(&b);
    egk_free(&k);
}

static void test_nonces_and_replay(void **state)
{
    (void)state;
    egk k;
    egk_init(&k);
    plasma_call c;
    egk_call(&k, &c, PLASMA_CALL_TRANSFER, 1);
    c.transfer.to = k.addr[2];
    c.transfer.amount = egk_u(5);
    c.gas_limit = 30000;
    plasma_sig sig;
    assert_int_equal(plasma_call_sign(&sig, &k.cd, &c, &k.key[1]), 0);
    plasma_buf b = {0};
    assert_int_equal(plasma_call_encode_signed(&b, &k.cd, &c, &sig), 0);

    plasma_call wire;
    assert_int_equal(plasma_call_decode_signed(&wire, NULL, &k.cd, b.data, b.len), 0);
    /* a future nonce is refused, the next one accepted even while the
     * previous is pending */
    plasma_call ahead = wire;
    ahead.nonce = 1;
    assert_int_equal(plasma_chain_submit(k.chain, &ahead, NULL), PLASMA_ERR_BAD_NONCE);
    plasma_hash h;
    assert_int_equal(plasma_chain_submit(k.chain, &wire, &h), 0);
    assert_int_equal(plasma_chain_submit(k.chain, &wire, NULL), PLASMA_ERR_BAD_NONCE);
    assert_int_equal(plasma_chain_submit(k.chain, &ahead, NULL), 0);
    assert_int_equal(plasma_chain_mine(k.chain, NULL), 0);
    assert_int_equal(egk_receipt(&k, &h).err, 0);
    assert_int_equal(plasma_chain_nonce(k.chain, &k.addr[1]), 2);

    /* the same signed bytes again: a replay */
    assert_int_equal(plasma_call_decode_signed(&wire, NULL, &k.cd, b.data, b.len), 0);
    assert_int_equal(plasma_chain_submit(k.chain, &wire, NULL), PLASMA_ERR_BAD_NONCE);
    assert_int_equal(plasma_chain_check_call(k.chain, &wire, NULL), PLASMA_ERR_BAD_NONCE);
    plasma_u256 two = egk_bal(&k, &k.addr[2], NULL), want = egk_add(egk_wei(10000000), egk_u(10));
    egk_assert_u256(two, want);
    plasma_buf_free(&b);
    egk_free(&k);
}

/* The worked example of docs/rootchain-calls.md: account 1 deposits 1 ETH. */
static void test_known_answer(void **state)
{
    (void)state;
    egk k;
    egk_init(&k);
    plasma_call c;
    plasma_call_init(&c, PLASMA_CALL_DEPOSIT, &k.addr[1], 0, EGK_GWEI, 100000);
    c.deposit.amount = egk_u(EGK_ETH);
    plasma_buf b = {0};
    assert_int_equal(plasma_call_encode(&b, &k.cd, &c), 0);
    tu_assert_hex(b.data, b.len,
                  "0xf841827a69945fbdb2315678afecb367f032d93f642f64180aa380843b9aca00830186a002940000000000"
                  "000000000000000000000000000000880de0b6b3a7640000");
    plasma_hash h;
    assert_int_equal(plasma_call_signing_hash(&h, &k.cd, &c), 0);
    tu_assert_hex(h.b, 32, "0xa86f5c74a4a219188a65f0810848be4f0f3b93ad867c2b67093a9651ab598b91");
    plasma_sig sig;
    assert_int_equal(plasma_call_sign(&sig, &k.cd, &c, &k.key[1]), 0);
    tu_assert_hex(
        sig.b, 65,
        "0x3b75d7af1c3a84fab8d66ef6b3e8de83280a08fa4f1bc0e72036d4c6c8945a935ea013b4bb23b760fb64a7e07a"
        "07016d4be127244b0322066a3cff6f4bf1c6c21c");
    b.len = 0;
    assert_int_equal(plasma_call_encode_signed(&b, &k.cd, &c, &sig), 0);
    tu_assert_hex(b.data, b.len,
                  "0xf886f841827a69945fbdb2315678afecb367f032d93f642f64180aa380843b9aca00830186a00294000000"
                  "0000000000000000000000000000000000880de0b6b3a7640000b8413b75d7af1c3a84fab8d66ef6b3e8de8328"
                  "0a08fa4f1bc0e72036d4c6c8945a935ea013b4bb23b760fb64a7e07a07016d4be127244b0322066a3cff6f4bf1"
                  "c6c21c");
    assert_int_equal(plasma_call_hash(&h, &k.cd, &c), 0);
    tu_assert_hex(h.b, 32, "0xd70ff13edd6dc080cf0175f3c2d0103e57a7f5822c67de084640e60da9f804b0");
    /* deposit(address 0, 10^18): the selector (4 non-zero bytes), a zero
     * word, and a word of 6 non-zero and 26 zero bytes. */
    assert_int_equal(plasma_call_intrinsic_gas(&c), 21000 + 4 * 16 + 32 * 4 + 6 * 16 + 26 * 4);
    plasma_buf_free(&b);
    egk_free(&k);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_known_answer),         cmocka_unit_test(test_roundtrip),
        cmocka_unit_test(test_strict_envelope),      cmocka_unit_test(test_strict_arguments),
        cmocka_unit_test(test_strict_ife_arguments), cmocka_unit_test(test_intrinsic_gas),
        cmocka_unit_test(test_calldata_vectors),     cmocka_unit_test(test_sign_and_recover),
        cmocka_unit_test(test_nonces_and_replay),    cmocka_unit_test(test_default_gas_limits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
