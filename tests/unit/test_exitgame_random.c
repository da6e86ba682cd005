/* A long randomized run: honest and malicious calls by several accounts
 * (deposits, exits of own, others' and spent outputs, bad proofs and bonds,
 * valid and invalid challenges, processing, transfers, time jumps) checked
 * block by block against an independent model of the rules: every
 * receipt's error, every payout, every exit's state and priority, and every
 * ETH and token balance (fees included), the contract's among them. */
#include "test_exitgame_kit.h"

#define N_ACTORS 7 /* dev accounts 0..6; 0 is the operator */
#define TARGET_CALLS 20000
#define MAX_OUTPUTS 8192

enum { H_NONE, H_BAD_PROOF, H_BAD_BOND, H_BAD_CHALLENGE, H_BAD_SIGNATURE };

typedef struct m_out {
    uint64_t pos;
    unsigned owner;
    bool token;
    uint64_t amount;
    uint64_t block_ts;
    bool is_deposit;
    uint8_t tx[PLASMA_CALL_MAX_TX];
    size_t tx_len;
    uint8_t proof[PLASMA_MERKLE_PROOF_LEN];
    /* the signed child-chain tx spending it, once one is in a block */
    bool spent, in_block_build;
    uint8_t spend[PLASMA_CALL_MAX_TX];
    size_t spend_len;
    /* its exit, as the rules say it must be */
    int exit_state;
    uint64_t exitable_at;
    bool queued, paid;
} m_out;

typedef struct pend {
    plasma_hash hash;
    plasma_call call;
    int hint;
    /* submitBlock: the outputs it creates and the outputs it spends */
    size_t n_new;
    m_out new_out[4];
    size_t spent_idx[4];
} pend;

typedef struct model {
    egk k;
    uint64_t seed;
    m_out *outs;
    size_t n_outs;
    plasma_u256 eth[N_ACTORS], tok[N_ACTORS];
    plasma_u256 held_eth, held_tok;
    uint64_t next_child, next_k, now;
    size_t calls, paid, challenged, deposits, exits;
    size_t errors[128]; /* receipts by -err */
} model;

static uint64_t rnd(model *m, uint64_t n)
{
    return tu_rand(&m->seed) % n;
}

static m_out *find_out(model *m, uint64_t pos)
{
    for (size_t i = 0; i < m->n_outs; i++)
        if (m->outs[i].pos == pos)
            return &m->outs[i];
    return NULL;
}

static plasma_u256 u(uint64_t v)
{
    return plasma_u256_from_u64(v);
}

static void credit(plasma_u256 *bal, uint64_t v)
{
    *bal = egk_add(*bal, u(v));
}
static void debit(plasma_u256 *bal, uint64_t v)
{
    *bal = egk_sub(*bal, u(v));
}
static void credit256(plasma_u256 *bal, plasma_u256 v)
{
    *bal = egk_add(*bal, v);
}
static void debit256(plasma_u256 *bal, plasma_u256 v)
{
    *bal = egk_sub(*bal, v);
}

static unsigned actor_of(const model *m, const plasma_addr *a)
{
    for (unsigned i = 0; i < N_ACTORS; i++)
        if (plasma_addr_eq(a, &m->k.addr[i]))
            return i;
    fail_msg("unknown actor");
    return 0;
}

/* ---- generating calls ---- */

static pend *new_pend(model *m, pend *p, plasma_call_kind kind, unsigned who)
{
    memset(p, 0, sizeof *p);
    egk_call(&m->k, &p->call, kind, who);
    p->call.gas_price = (1 + rnd(m, 5)) * EGK_GWEI;
    return p;
}

static m_out *random_out(model *m)
{
    return m->n_outs ? &m->outs[rnd(m, m->n_outs)] : NULL;
}

static void gen_deposit(model *m, pend *p)
{
    new_pend(m, p, PLASMA_CALL_DEPOSIT, 1 + (unsigned)rnd(m, N_ACTORS - 1));
    if (rnd(m, 10) < 3) {
        p->call.deposit.token = m->k.token;
        p->call.deposit.amount = u(1 + rnd(m, 1000000));
    } else {
        p->call.deposit.amount = u(1 + rnd(m, EGK_ETH));
    }
}

static void gen_exit(model *m, pend *p, const m_out *o, unsigned who, int hint)
{
    new_pend(m, p, PLASMA_CALL_START_EXIT, who);
    p->hint = hint;
    plasma_call *c = &p->call;
    c->start_exit.utxo_pos = o->pos;
    c->start_exit.bond = m->k.cfg.exit_bond;
    memcpy(c->start_exit.tx, o->tx, o->tx_len);
    c->start_exit.tx_len = o->tx_len;
    memcpy(c->start_exit.proof, o->proof, PLASMA_MERKLE_PROOF_LEN);
    if (hint == H_BAD_PROOF)
        c->start_exit.proof[rnd(m, PLASMA_MERKLE_PROOF_LEN)] ^= (uint8_t)(1 + rnd(m, 255));
    if (hint == H_BAD_BOND)
        c->start_exit.bond = u(rnd(m, 2) ? 1 : 2 * PLASMA_CHAIN_DEFAULT_EXIT_BOND);
}

/* A challenge of exit `id`: with the real spend, or a forged one. */
static void gen_challenge(model *m, pend *p, uint64_t id, const m_out *o, int hint)
{
    new_pend(m, p, PLASMA_CALL_CHALLENGE_EXIT, (unsigned)rnd(m, N_ACTORS));
    p->hint = hint;
    plasma_call *c = &p->call;
    c->challenge_exit.exit_id = id;
    if (hint == H_NONE) {
        memcpy(c->challenge_exit.tx, o->spend, o->spend_len);
        c->challenge_exit.tx_len = o->spend_len;
        return;
    }
    plasma_tx tx;
    uint64_t input = hint == H_BAD_CHALLENGE ? id + 1 : id;
    egk_payment(&tx, input, &m->k.addr[1], NULL, u(5));
    unsigned signer = o ? (o->owner + 1 + (unsigned)rnd(m, N_ACTORS - 1)) % N_ACTORS : 1;
    if (hint == H_BAD_CHALLENGE && o)
        signer = o->owner;
    assert_int_equal(plasma_tx_sign_input(&tx, &m->k.dom, 0, &m->k.key[signer]), 0);
    plasma_buf b = {0};
    assert_int_equal(plasma_tx_encode_signed(&b, &tx), 0);
    memcpy(c->challenge_exit.tx, b.data, b.len);
    c->challenge_exit.tx_len = b.len;
    plasma_buf_free(&b);
}

static void gen_process(model *m, pend *p)
{
    new_pend(m, p, PLASMA_CALL_PROCESS_EXITS, (unsigned)rnd(m, N_ACTORS));
    if (rnd(m, 3) == 0)
        p->call.process_exits.token = m->k.token;
    p->call.process_exits.max_exits = rnd(m, 6);
}

static void gen_transfer(model *m, pend *p)
{
    new_pend(m, p, PLASMA_CALL_TRANSFER, (unsigned)rnd(m, N_ACTORS));
    p->call.transfer.to = m->k.addr[rnd(m, N_ACTORS)];
    p->call.transfer.amount = u(rnd(m, EGK_ETH));
}

/* An output whose exit is in progress, if there is one. */
static m_out *random_exiting(model *m)
{
    size_t start = m->n_outs ? rnd(m, m->n_outs) : 0;
    for (size_t j = 0; j < m->n_outs; j++) {
        m_out *o = &m->outs[(start + j) % m->n_outs];
        if (o->exit_state == PLASMA_EXIT_IN_PROGRESS)
            return o;
    }
    return NULL;
}

/* One random call of an actor. */
static void gen_one(model *m, pend *p)
{
    m_out *o = random_out(m);
    unsigned r = (unsigned)rnd(m, 100);
    if (r < 22 || !o)
        return gen_deposit(m, p);
    if (r < 36)
        return gen_exit(m, p, o, o->owner, H_NONE); /* own output, spent or not */
    if (r < 42)
        return gen_exit(m, p, o, (o->owner + 1 + (unsigned)rnd(m, N_ACTORS - 1)) % N_ACTORS, H_NONE);
    if (r < 48)
        return gen_exit(m, p, o, o->owner, H_BAD_PROOF);
    if (r < 51)
        return gen_exit(m, p, o, o->owner, H_BAD_BOND);
    if (r < 58) {
        m_out *e = random_exiting(m);
        if (e)
            o = e;
        return gen_challenge(m, p, o->pos, o, rnd(m, 2) ? H_BAD_CHALLENGE : H_BAD_SIGNATURE);
    }
    if (r < 60)
        return gen_challenge(m, p, o->pos + 2, NULL, H_BAD_SIGNATURE); /* no such exit */
    if (r < 82)
        return gen_process(m, p);
    return gen_transfer(m, p);
}

/* The operator spends up to four live outputs into a new child block. */
static bool gen_child_block(model *m, pend *p)
{
    new_pend(m, p, PLASMA_CALL_SUBMIT_BLOCK, 0);
    size_t picked = 0;
    plasma_tx txs[4];
    for (size_t tries = 0; tries < 20 && picked < 4 && m->n_outs > 0; tries++) {
        size_t i = rnd(m, m->n_outs);
        m_out *o = &m->outs[i];
        if (o->spent || o->in_block_build || o->exit_state != PLASMA_EXIT_NONE)
            continue;
        o->in_block_build = true;
        p->spent_idx[picked] = i;
        egk_payment(&txs[picked], o->pos, &m->k.addr[1 + rnd(m, N_ACTORS - 1)], o->token ? &m->k.token : NULL,
                    u(o->amount));
        picked++;
    }
    if (picked == 0)
        return false;
    plasma_hash leaves[4];
    for (size_t i = 0; i < picked; i++) {
        m_out *n = &p->new_out[i];
        memset(n, 0, sizeof *n);
        egk_encode(&txs[i], n->tx, &n->tx_len);
        plasma_merkle_leaf(&leaves[i], n->tx, n->tx_len);
        n->pos = plasma_utxo_pos(m->next_child, (uint32_t)i, 0);
        n->owner = actor_of(m, &txs[i].outputs[0].owner);
        n->token = m->outs[p->spent_idx[i]].token;
        n->amount = m->outs[p->spent_idx[i]].amount;
    }
    plasma_merkle *tree;
    assert_int_equal(plasma_merkle_build(&tree, leaves, picked), 0);
    for (size_t i = 0; i < picked; i++)
        assert_int_equal(plasma_merkle_proof(p->new_out[i].proof, tree, i), 0);
    p->call.submit_block.root = *plasma_merkle_tree_root(tree);
    plasma_merkle_free(tree);
    p->n_new = picked;
    for (size_t i = 0; i < picked; i++) {
        m_out *o = &m->outs[p->spent_idx[i]];
        plasma_tx spend = txs[i];
        assert_int_equal(plasma_tx_sign_input(&spend, &m->k.dom, 0, &m->k.key[o->owner]), 0);
        plasma_buf b = {0};
        assert_int_equal(plasma_tx_encode_signed(&b, &spend), 0);
        memcpy(o->spend, b.data, b.len);
        o->spend_len = b.len;
        plasma_buf_free(&b);
    }
    return true;
}

/* ---- the model applying a mined call ---- */

static void pay_fee(model *m, const plasma_receipt *r)
{
    debit256(&m->eth[actor_of(m, &r->from)], egk_fee(r));
}

static int model_deposit(model *m, const pend *p, unsigned who)
{
    if (m->next_k >= 1000)
        return PLASMA_ERR_DEPOSIT_LIMIT;
    const plasma_call *c = &p->call;
    uint64_t amount;
    assert_true(plasma_u256_to_u64(&c->deposit.amount, &amount));
    bool token = !plasma_addr_is_zero(&c->deposit.token);
    if (token) {
        debit(&m->tok[who], amount);
        credit(&m->held_tok, amount);
    } else {
        debit(&m->eth[who], amount);
        credit(&m->held_eth, amount);
    }
    assert_true(m->n_outs < MAX_OUTPUTS);
    m_out *o = &m->outs[m->n_outs++];
    memset(o, 0, sizeof *o);
    o->pos = plasma_utxo_pos(m->next_child - 1000 + m->next_k, 0, 0);
    m->next_k++;
    o->owner = who;
    o->token = token;
    o->amount = amount;
    o->block_ts = m->now;
    o->is_deposit = true;
    plasma_tx tx;
    plasma_merkle *tree = egk_deposit_tree(&m->k.addr[who], token ? &m->k.token : NULL, u(amount), &tx);
    egk_encode(&tx, o->tx, &o->tx_len);
    assert_int_equal(plasma_merkle_proof(o->proof, tree, 0), 0);
    plasma_merkle_free(tree);
    plasma_block_record rec;
    assert_int_equal(plasma_chain_block_root(&rec, m->k.chain, plasma_pos_blknum(o->pos)), 0);
    assert_true(rec.is_deposit);
    assert_int_equal(rec.timestamp, m->now);
    m->deposits++;
    return PLASMA_OK;
}

static int model_submit(model *m, pend *p)
{
    for (size_t i = 0; i < p->n_new; i++) {
        assert_true(m->n_outs < MAX_OUTPUTS);
        m_out *o = &m->outs[m->n_outs++];
        *o = p->new_out[i];
        o->block_ts = m->now;
        m_out *in = &m->outs[p->spent_idx[i]];
        in->spent = true;
        in->in_block_build = false;
    }
    m->next_child += 1000;
    m->next_k = 1;
    return PLASMA_OK;
}

static int model_start(model *m, const pend *p, unsigned who)
{
    if (p->hint == H_BAD_BOND)
        return PLASMA_ERR_BAD_BOND;
    m_out *o = find_out(m, p->call.start_exit.utxo_pos);
    assert_non_null(o);
    if (o->owner != who)
        return PLASMA_ERR_NOT_OWNER;
    if (o->exit_state == PLASMA_EXIT_FINALIZED)
        return PLASMA_ERR_OUTPUT_FINALIZED;
    if (o->exit_state != PLASMA_EXIT_NONE)
        return PLASMA_ERR_EXIT_EXISTS;
    if (p->hint == H_BAD_PROOF)
        return PLASMA_ERR_BAD_PROOF;
    uint64_t mep = m->k.cfg.min_exit_period, soonest = m->now + mep;
    o->exitable_at = o->is_deposit || o->block_ts + 2 * mep < soonest ? soonest : o->block_ts + 2 * mep;
    o->exit_state = PLASMA_EXIT_IN_PROGRESS;
    o->queued = true;
    debit256(&m->eth[who], m->k.cfg.exit_bond);
    credit256(&m->held_eth, m->k.cfg.exit_bond);
    m->exits++;
    return PLASMA_OK;
}

static int model_challenge(model *m, const pend *p, unsigned who)
{
    m_out *o = find_out(m, p->call.challenge_exit.exit_id);
    if (!o || o->exit_state == PLASMA_EXIT_NONE)
        return PLASMA_ERR_EXIT_NOT_FOUND;
    if (o->exit_state != PLASMA_EXIT_IN_PROGRESS)
        return PLASMA_ERR_EXIT_NOT_ACTIVE;
    if (p->hint == H_BAD_CHALLENGE)
        return PLASMA_ERR_BAD_CHALLENGE;
    if (p->hint == H_BAD_SIGNATURE)
        return PLASMA_ERR_BAD_SIGNATURE;
    o->exit_state = PLASMA_EXIT_CHALLENGED;
    credit256(&m->eth[who], m->k.cfg.exit_bond);
    debit256(&m->held_eth, m->k.cfg.exit_bond);
    m->challenged++;
    return PLASMA_OK;
}

static m_out *queue_head(model *m, bool token)
{
    m_out *best = NULL;
    for (size_t i = 0; i < m->n_outs; i++) {
        m_out *o = &m->outs[i];
        if (!o->queued || o->token != token)
            continue;
        if (!best || o->exitable_at < best->exitable_at ||
            (o->exitable_at == best->exitable_at && o->pos < best->pos))
            best = o;
    }
    return best;
}

typedef struct finalized {
    uint64_t ids[64];
    size_t n;
    uint32_t call_index;
} finalized;

static int collect_finalized(const plasma_event *e, void *payload)
{
    finalized *f = payload;
    if (e->kind == PLASMA_EVENT_EXIT_FINALIZED && e->call_index == f->call_index) {
        assert_true(f->n < 64);
        f->ids[f->n++] = e->exit_finalized.exit_id;
    }
    return 0;
}

static int model_process(model *m, const pend *p, const plasma_receipt *r)
{
    bool token = !plasma_addr_is_zero(&p->call.process_exits.token);
    finalized f = {.call_index = r->index};
    assert_int_equal(plasma_chain_events_since(m->k.chain, r->block_number, collect_finalized, &f), 0);
    size_t n_paid = 0;
    for (uint64_t done = 0; done < p->call.process_exits.max_exits; done++) {
        m_out *o = queue_head(m, token);
        if (!o || o->exitable_at > m->now)
            break;
        o->queued = false;
        if (o->exit_state != PLASMA_EXIT_IN_PROGRESS)
            continue;
        assert_false(o->paid);
        o->paid = true;
        o->exit_state = PLASMA_EXIT_FINALIZED;
        assert_true(n_paid < f.n);
        assert_int_equal(f.ids[n_paid], o->pos);
        n_paid++;
        plasma_u256 bond = m->k.cfg.exit_bond;
        credit256(&m->eth[o->owner], bond);
        debit256(&m->held_eth, bond);
        if (o->token) {
            credit(&m->tok[o->owner], o->amount);
            debit(&m->held_tok, o->amount);
        } else {
            credit(&m->eth[o->owner], o->amount);
            debit(&m->held_eth, o->amount);
        }
        m->paid++;
    }
    assert_int_equal(n_paid, f.n);
    return PLASMA_OK;
}

static int model_transfer(model *m, const pend *p, unsigned who)
{
    unsigned to = actor_of(m, &p->call.transfer.to);
    debit256(&m->eth[who], p->call.transfer.amount);
    credit256(&m->eth[to], p->call.transfer.amount);
    return PLASMA_OK;
}

static int model_apply(model *m, pend *p, const plasma_receipt *r)
{
    unsigned who = actor_of(m, &p->call.from);
    switch (p->call.kind) {
    case PLASMA_CALL_DEPOSIT:
        return model_deposit(m, p, who);
    case PLASMA_CALL_SUBMIT_BLOCK:
        return model_submit(m, p);
    case PLASMA_CALL_START_EXIT:
        return model_start(m, p, who);
    case PLASMA_CALL_CHALLENGE_EXIT:
        return model_challenge(m, p, who);
    case PLASMA_CALL_PROCESS_EXITS:
        return model_process(m, p, r);
    case PLASMA_CALL_TRANSFER:
        return model_transfer(m, p, who);
    default:
        fail(); /* the run sends no other kind */
        return 0;
    }
}

/* ---- checks after each block ---- */

static void check_balances(model *m)
{
    for (unsigned i = 0; i < N_ACTORS; i++) {
        egk_assert_u256(egk_bal(&m->k, &m->k.addr[i], NULL), m->eth[i]);
        egk_assert_u256(egk_bal(&m->k, &m->k.addr[i], &m->k.token), m->tok[i]);
    }
    egk_assert_u256(egk_bal(&m->k, &m->k.cfg.contract, NULL), m->held_eth);
    egk_assert_u256(egk_bal(&m->k, &m->k.cfg.contract, &m->k.token), m->held_tok);
}

static void check_exit(model *m, const m_out *o)
{
    plasma_exit_info e;
    if (o->exit_state == PLASMA_EXIT_NONE) {
        if (plasma_chain_exit(&e, m->k.chain, o->pos) == 0)
            fail_msg("pos %llu exit state %d in chain, none in model (calls %zu)", (unsigned long long)o->pos,
                     e.state, m->calls);
        return;
    }
    assert_int_equal(plasma_chain_exit(&e, m->k.chain, o->pos), 0);
    assert_int_equal(e.state, o->exit_state);
    assert_int_equal(e.exitable_at, o->exitable_at);
    assert_int_equal(e.queued, o->queued);
}

/* ---- one round: submit, mine, compare ---- */

static pend *find_pend(pend *ps, size_t n, const plasma_hash *h)
{
    for (size_t i = 0; i < n; i++)
        if (plasma_hash_eq(&ps[i].hash, h))
            return &ps[i];
    fail_msg("receipt of an unknown call");
    return NULL;
}

typedef struct round_ctx {
    model *m;
    pend *ps;
    size_t n;
    const m_out *touched[64]; /* exits to compare once the block is done */
    size_t n_touched;
} round_ctx;

static int on_receipt(const plasma_receipt *r, void *payload)
{
    round_ctx *rc = payload;
    model *m = rc->m;
    pend *p = find_pend(rc->ps, rc->n, &r->call_hash);
    pay_fee(m, r);
    int want = model_apply(m, p, r);
    if (r->err != want)
        fail_msg("call kind %d: error %d, the rules say %d", p->call.kind, r->err, want);
    if (-r->err >= 0 && -r->err < 128)
        m->errors[-r->err]++;
    if (p->call.kind == PLASMA_CALL_START_EXIT || p->call.kind == PLASMA_CALL_CHALLENGE_EXIT) {
        uint64_t id = p->call.kind == PLASMA_CALL_START_EXIT ? p->call.start_exit.utxo_pos
                                                             : p->call.challenge_exit.exit_id;
        const m_out *o = find_out(m, id);
        if (o && rc->n_touched < 64)
            rc->touched[rc->n_touched++] = o;
    }
    return 0;
}

static size_t plan_round(model *m, pend *ps, size_t max)
{
    size_t n = 0;
    /* the watcher challenges every exit of a spent output */
    for (size_t i = 0; i < m->n_outs && n < max / 2; i++) {
        m_out *o = &m->outs[i];
        if (o->spent && o->exit_state == PLASMA_EXIT_IN_PROGRESS)
            gen_challenge(m, &ps[n++], o->pos, o, H_NONE);
    }
    if (rnd(m, 100) < 15 && gen_child_block(m, &ps[n]))
        n++;
    for (size_t want = n + 1 + rnd(m, 8); n < want && n < max; n++)
        gen_one(m, &ps[n]);
    return n;
}

static void run_round(model *m)
{
    enum { MAX_ROUND = 24 };
    pend *ps = calloc(MAX_ROUND, sizeof *ps);
    assert_non_null(ps);
    size_t n = plan_round(m, ps, MAX_ROUND);
    for (size_t i = 0; i < n; i++) {
        ps[i].call.nonce = plasma_chain_next_nonce(m->k.chain, &ps[i].call.from);
        assert_int_equal(plasma_chain_submit(m->k.chain, &ps[i].call, &ps[i].hash), 0);
    }
    plasma_chain_block blk;
    assert_int_equal(plasma_chain_mine(m->k.chain, &blk), 0);
    assert_int_equal(blk.n_calls, n);
    m->now = blk.timestamp;
    round_ctx rc = {.m = m, .ps = ps, .n = n};
    assert_int_equal(plasma_chain_block_receipts(m->k.chain, blk.number, on_receipt, &rc), 0);
    for (size_t i = 0; i < rc.n_touched; i++)
        check_exit(m, rc.touched[i]);
    for (size_t i = 0; i < m->n_outs; i++)
        m->outs[i].in_block_build = false;
    check_balances(m);
    m->calls += n;
    free(ps);
}

static void test_random_run(void **state)
{
    (void)state;
    model *m = calloc(1, sizeof *m);
    assert_non_null(m);
    m->outs = calloc(MAX_OUTPUTS, sizeof *m->outs);
    assert_non_null(m->outs);
    m->seed = tu_seed("exitgame_random", 0x5eed1234abcdull);
    egk_init(&m->k);
    plasma_u256 minted = egk_u(1000000000000ull);
    for (unsigned i = 0; i < N_ACTORS; i++) {
        assert_int_equal(plasma_chain_dev_mint(m->k.chain, &m->k.addr[i], &m->k.token, &minted), 0);
        m->eth[i] = egk_bal(&m->k, &m->k.addr[i], NULL);
        m->tok[i] = minted;
    }
    m->next_child = 1000;
    m->next_k = 1;
    uint64_t expect_ts = egk_now(&m->k);
    while (m->calls < TARGET_CALLS) {
        uint64_t jump = 0;
        if (rnd(m, 100) < 30) {
            jump = rnd(m, m->k.cfg.min_exit_period / 3);
            assert_int_equal(plasma_chain_dev_advance_time(m->k.chain, jump), 0);
        }
        expect_ts += m->k.cfg.block_time + jump;
        run_round(m);
        assert_int_equal(m->now, expect_ts);
    }
    for (size_t i = 0; i < m->n_outs; i++)
        check_exit(m, &m->outs[i]);
    print_message("random run: %zu calls, %zu deposits, %zu exits, %zu challenged, %zu paid\n", m->calls,
                  m->deposits, m->exits, m->challenged, m->paid);
    assert_true(m->paid > 50 && m->challenged > 20 && m->exits > 200);
    static const int seen[] = {
        PLASMA_ERR_NOT_OWNER,     PLASMA_ERR_BAD_PROOF,        PLASMA_ERR_BAD_BOND,
        PLASMA_ERR_EXIT_EXISTS,   PLASMA_ERR_OUTPUT_FINALIZED, PLASMA_ERR_BAD_CHALLENGE,
        PLASMA_ERR_BAD_SIGNATURE, PLASMA_ERR_EXIT_NOT_FOUND,   PLASMA_ERR_EXIT_NOT_ACTIVE};
    for (size_t i = 0; i < sizeof seen / sizeof seen[0]; i++) {
        print_message("  %-18s %zu\n", plasma_err_code(seen[i]), m->errors[-seen[i]]);
        assert_true(m->errors[-seen[i]] > 0);
    }
    egk_free(&m->k);
    free(m->outs);
    free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_random_run),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
