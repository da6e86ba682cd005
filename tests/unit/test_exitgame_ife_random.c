/* Randomized games on the exit game: a child chain of random payments, a
 * byzantine operator who withholds a block (and may put a forged output
 * in it), a byzantine user who double-spends and tries to exit twice, and
 * honest users and a watcher who react in the first phase the way
 * PROTOCOL §6b says. After processing, two things must hold in every game:
 *   - conservation: the contract never paid out more than it received, per
 *     token, and no value appeared anywhere (all balances add up);
 *   - every honest user who reacted is paid in full: at least what it
 *     owned when the block was withheld, with no payment left as a claim.
 * The seed is printed; PLASMA_TEST_SEED=<seed> replays a failing run. */
#include <sys/random.h>
#include <time.h>

#include "test_ife_kit.h"

#define N_GAMES 60
#define MAX_OUTS 160
#define MAX_TXS 64
#define UNIT 1000000000000000ull /* amounts are 0.001 ETH (or token) steps */

enum { OP = 0, BYZ = 5, ACC = 6, WATCH = 7, PROC = 9 };

static bool honest(unsigned who)
{
    return (who >= 1 && who <= 4) || who == WATCH;
}

/* An output of the child chain as the game knows it. */
typedef struct g_out {
    uint64_t pos;
    unsigned owner;
    bool token;
    uint64_t amount; /* in UNIT */
    int made_by;     /* g_tx index, -1 for a deposit */
    ifk_incl incl;
    int spent_pub;  /* published tx spending it, or -1 */
    int spent_held; /* tx of the withheld block spending it, or -1 */
} g_out;

typedef struct g_tx {
    plasma_tx tx;
    unsigned sender;
    int ins[2]; /* g_out indices */
    bool published, withheld, ife_started;
    ifk_incl incl;
} g_tx;

#define MAX_QUEUED 256

typedef struct game {
    ifk f;
    plasma_call queued[MAX_QUEUED]; /* submitted, checked when mined */
    plasma_hash queued_hash[MAX_QUEUED];
    size_t n_queued;
    uint64_t seed;
    g_out outs[MAX_OUTS];
    size_t n_outs;
    g_tx txs[MAX_TXS];
    size_t n_txs;
    bool offline[10];
    plasma_u256 eth0[10], tok0[10], fees[10], dep_eth[10], dep_tok[10];
    plasma_u256 received_eth, received_tok;
    size_t moves[8];
} game;

static uint64_t rnd(game *g, uint64_t n)
{
    return tu_rand(&g->seed) % n;
}

static plasma_u256 units(uint64_t n)
{
    plasma_u256 v = egk_u(n);
    plasma_u256_mul_u64(&v, &v, UNIT);
    return v;
}

static const plasma_addr *token_of(const game *g, bool token)
{
    return token ? &g->f.k.token : NULL;
}

/* Submits a call for the next block (calls of one phase share blocks, so
 * that a phase fits in the first phase of the exits it reacts to). */
static void must(game *g, const plasma_call *c)
{
    assert_true(g->n_queued < MAX_QUEUED);
    assert_int_equal(plasma_chain_submit(g->f.k.chain, c, &g->queued_hash[g->n_queued]), 0);
    g->queued[g->n_queued++] = *c;
}

/* Mines until every queued call is mined; each must have succeeded. Their
 * fees and the value they carried into the contract are recorded. */
static bool verbose;
static int current_game; /* named in failures: PLASMA_TEST_GAME=<n> replays it alone, verbosely */

static void flush(game *g)
{
    for (size_t i = 0; i < g->n_queued; i++) {
        if (verbose)
            print_message("  call kind %d from %02x nonce %llu\n", (int)g->queued[i].kind,
                          g->queued[i].from.b[0], (unsigned long long)g->queued[i].nonce);
        plasma_receipt r;
        while (plasma_chain_receipt(&r, g->f.k.chain, &g->queued_hash[i]) != 0)
            assert_int_equal(plasma_chain_mine(g->f.k.chain, NULL), 0);
        const plasma_call *c = &g->queued[i];
        if (r.err != 0)
            fail_msg("game %d: call kind %d failed with %s", current_game, (int)c->kind,
                     plasma_err_code(r.err));
        for (unsigned who = 0; who < 10; who++)
            if (plasma_addr_eq(&c->from, &g->f.k.addr[who]))
                g->fees[who] = egk_add(g->fees[who], egk_fee(&r));
        plasma_u256 v;
        plasma_call_value(&v, c);
        g->received_eth = egk_add(g->received_eth, v);
    }
    g->n_queued = 0;
}

static int add_out(game *g, unsigned owner, bool token, uint64_t amount, int made_by, const ifk_incl *incl,
                   uint32_t oindex)
{
    assert_true(g->n_outs < MAX_OUTS);
    g_out *o = &g->outs[g->n_outs];
    *o = (g_out){ifk_pos(incl, oindex), owner, token, amount, made_by, *incl, -1, -1};
    return (int)g->n_outs++;
}

static void deposit(game *g, unsigned who, bool token, uint64_t amount)
{
    plasma_call c;
    egk_call(&g->f.k, &c, PLASMA_CALL_DEPOSIT, who);
    if (token)
        c.deposit.token = g->f.k.token;
    c.deposit.amount = units(amount);
    plasma_chain_head h;
    plasma_chain_get_head(&h, g->f.k.chain);
    must(g, &c);
    flush(g);
    ifk_incl in = {.blknum = h.next_deposit_block};
    in.tree = ifk_keep(&g->f, egk_deposit_tree(&g->f.k.addr[who], token_of(g, token), units(amount), &in.tx));
    add_out(g, who, token, amount, -1, &in, 0);
    (token ? g->dep_tok : g->dep_eth)[who] = egk_add((token ? g->dep_tok : g->dep_eth)[who], units(amount));
    if (token)
        g->received_tok = egk_add(g->received_tok, units(amount));
    else
        g->received_eth = egk_add(g->received_eth, units(amount));
}

/* An unspent output of who (not spent by a published or withheld tx), or -1. */
static int pick_own(game *g, unsigned who)
{
    int found[MAX_OUTS], n = 0;
    for (size_t i = 0; i < g->n_outs; i++) {
        const g_out *o = &g->outs[i];
        if (o->owner == who && o->spent_pub < 0 && o->spent_held < 0)
            found[n++] = (int)i;
    }
    return n ? found[rnd(g, (uint64_t)n)] : -1;
}

/* A payment by the owner of out[in] to `to`, change back; not yet in a block. */
static int make_tx(game *g, int in, unsigned to)
{
    const g_out *o = &g->outs[in];
    uint64_t pay = o->amount > 1 ? 1 + rnd(g, o->amount - 1) : 1;
    plasma_output outs[2];
    memset(outs, 0, sizeof outs);
    outs[0] = ifk_out(&g->f, to, token_of(g, o->token), 0);
    outs[0].amount = units(pay);
    size_t n_out = 1;
    if (pay < o->amount) {
        outs[1] = ifk_out(&g->f, o->owner, token_of(g, o->token), 0);
        outs[1].amount = units(o->amount - pay);
        n_out = 2;
    }
    assert_true(g->n_txs < MAX_TXS);
    g_tx *t = &g->txs[g->n_txs];
    memset(t, 0, sizeof *t);
    t->tx = ifk_pay(&g->f, &o->pos, &o->owner, 1, outs, n_out);
    t->sender = o->owner;
    t->ins[0] = in;
    t->ins[1] = -1;
    return (int)g->n_txs++;
}

/* Puts txs into a child block, published or withheld, and records the
 * outputs they create and the outputs they spend. */
static void block(game *g, const int *ids, size_t n, bool withheld, const plasma_tx *forged)
{
    plasma_tx txs[EGK_MAX_BLOCK_TXS];
    ifk_incl at[EGK_MAX_BLOCK_TXS];
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        txs[m++] = g->txs[ids[i]].tx;
    if (forged)
        txs[m++] = *forged;
    ifk_block(&g->f, txs, m, at);
    for (size_t i = 0; i < n; i++) {
        g_tx *t = &g->txs[ids[i]];
        t->incl = at[i];
        t->published = !withheld;
        t->withheld = withheld;
        int *slot = withheld ? &g->outs[t->ins[0]].spent_held : &g->outs[t->ins[0]].spent_pub;
        if (*slot < 0)
            *slot = ids[i];
        for (uint32_t o = 0; o < t->tx.n_outputs; o++) {
            const plasma_output *po = &t->tx.outputs[o];
            plasma_u256 q;
            uint64_t rem;
            plasma_u256_divmod_u64(&q, &rem, &po->amount, UNIT);
            uint64_t amount = 0;
            assert_true(plasma_u256_to_u64(&q, &amount));
            unsigned owner = 0;
            while (!plasma_addr_eq(&g->f.k.addr[owner], &po->owner))
                owner++;
            add_out(g, owner, !plasma_addr_is_zero(&po->token), amount, ids[i], &at[i], o);
        }
    }
    if (forged)
        add_out(g, OP, false, 0, -1, &at[m - 1], 0); /* amount set by the caller */
}

/* ---- the game ---- */

/* Deposits, then published blocks of random payments. */
static void build_chain(game *g)
{
    for (unsigned who = 1; who <= 6; who++) {
        deposit(g, who, false, 5 + rnd(g, 60));
        if (rnd(g, 2))
            deposit(g, who, true, 5 + rnd(g, 60));
    }
    for (int round = 0; round < 3; round++) {
        int ids[EGK_MAX_BLOCK_TXS];
        size_t n = 0;
        for (unsigned who = 1; who <= 6 && n < 6; who++) {
            int in = rnd(g, 3) ? pick_own(g, who) : -1;
            if (in >= 0)
                ids[n++] = make_tx(g, in, 1 + (unsigned)rnd(g, 6));
        }
        if (n)
            block(g, ids, n, false, NULL);
    }
}

typedef struct plot {
    int tx_x, tx_y; /* the byzantine double spend: x withheld (to an honest user), y published later */
    int tx_z;       /* a byzantine re-spend of an output spent in a published tx, never included */
    int forged_out; /* the operator's forged output in the withheld block, or -1 */
} plot;

/* The withheld block: honest payments, the byzantine x, maybe a forged
 * output; then a published block with y. */
static void withhold(game *g, plot *p)
{
    int ids[EGK_MAX_BLOCK_TXS];
    size_t n = 0;
    for (unsigned who = 1; who <= 4; who++) {
        int in = rnd(g, 4) ? pick_own(g, who) : -1;
        if (in >= 0)
            ids[n++] = make_tx(g, in, 1 + (unsigned)rnd(g, 6));
    }
    p->tx_x = p->tx_y = p->tx_z = p->forged_out = -1;
    int bx = pick_own(g, BYZ);
    if (bx >= 0) {
        p->tx_x = make_tx(g, bx, 1 + (unsigned)rnd(g, 4));
        ids[n++] = p->tx_x;
        p->tx_y = make_tx(g, bx, ACC);
    }
    plasma_tx forged;
    uint64_t stolen = 20 + rnd(g, 200);
    bool forge = rnd(g, 2);
    if (forge)
        egk_payment(&forged, plasma_utxo_pos(1, 0, 0), &g->f.k.addr[OP], NULL, units(stolen));
    block(g, ids, n, true, forge ? &forged : NULL);
    if (forge) {
        p->forged_out = (int)g->n_outs - 1;
        g->outs[p->forged_out].amount = stolen;
    }
    if (p->tx_y >= 0)
        block(g, &p->tx_y, 1, false, NULL);
    if (verbose)
        print_message("plot x=%d y=%d forged=%d\n", p->tx_x, p->tx_y, p->forged_out);
    /* a re-spend of an output the byzantine user spent in public */
    for (size_t i = 0; i < g->n_outs && p->tx_z < 0; i++) {
        const g_out *o = &g->outs[i];
        if (o->owner == BYZ && o->spent_pub >= 0 && o->spent_pub != p->tx_y) {
            p->tx_z = make_tx(g, (int)i, ACC);
            /* never the very tx that spent it: a mark in the metadata */
            plasma_tx *z = &g->txs[p->tx_z].tx;
            z->metadata.b[31] = 0x2a;
            assert_int_equal(plasma_tx_sign_input(z, &g->f.k.dom, 0, &g->f.k.key[BYZ]), 0);
        }
    }
}

static void start_ife(game *g, unsigned who, int id)
{
    g_tx *t = &g->txs[id];
    ifk_incl ins[2];
    for (unsigned i = 0; i < t->tx.n_inputs; i++)
        ins[i] = g->outs[t->ins[i]].incl;
    plasma_call c;
    ifk_start_call(&g->f, &c, who, &t->tx, ins);
    must(g, &c);
    t->ife_started = true;
}

static void piggyback(game *g, unsigned who, int id, bool input, unsigned index)
{
    plasma_call c;
    ifk_piggyback_call(&g->f, &c, who, &g->txs[id].tx, input, index);
    must(g, &c);
}

static void standard_exit(game *g, unsigned who, int out)
{
    plasma_call c;
    ifk_exit_call(&g->f, &c, who, &g->outs[out].incl, plasma_pos_oindex(g->outs[out].pos));
    must(g, &c);
}

/* The byzantine moves, each with some probability: exits of spent outputs,
 * an in-flight exit of y with the input piggybacked too, an in-flight exit
 * of z with its output piggybacked, a challenge of x's exit with y, and the
 * operator's exit of its forged output. */
static void byzantine_first(game *g, const plot *p)
{
    if (p->tx_x >= 0 && rnd(g, 2)) {
        start_ife(g, BYZ, p->tx_x); /* to show it non-canonical later */
        g->moves[4]++;
    }
    bool y_ife = p->tx_y >= 0 && rnd(g, 2), z_ife = p->tx_z >= 0 && rnd(g, 2);
    if (y_ife)
        start_ife(g, ACC, p->tx_y);
    if (z_ife)
        start_ife(g, BYZ, p->tx_z);
    flush(g);
    if (p->tx_y >= 0 && rnd(g, 2)) {
        standard_exit(g, BYZ, g->txs[p->tx_y].ins[0]); /* spent twice */
        g->moves[0]++;
    }
    if (y_ife) {
        piggyback(g, ACC, p->tx_y, false, 0);
        piggyback(g, BYZ, p->tx_y, true, 0);
        g->moves[1]++;
    }
    if (z_ife) {
        piggyback(g, ACC, p->tx_z, false, 0);
        piggyback(g, BYZ, p->tx_z, true, 0);
        g->moves[2]++;
    }
    if (p->forged_out >= 0) {
        standard_exit(g, OP, p->forged_out);
        g->moves[3]++;
    }
    flush(g);
}

/* Honest users exit what they hold: standard exits of published outputs
 * they still own, in-flight exits of the txs they sent in the withheld
 * block (inputs and change piggybacked), piggybacks of outputs sent to
 * them. */
static void honest_react(game *g)
{
    for (size_t id = 0; id < g->n_txs; id++) {
        g_tx *t = &g->txs[id];
        if (!t->withheld || !honest(t->sender))
            continue;
        if (!g->offline[t->sender]) {
            start_ife(g, t->sender, (int)id);
            piggyback(g, t->sender, (int)id, true, 0);
            continue;
        }
        /* the sender is away: an honest recipient starts it */
        unsigned to = 0;
        while (!plasma_addr_eq(&g->f.k.addr[to], &t->tx.outputs[0].owner))
            to++;
        if (honest(to) && !g->offline[to])
            start_ife(g, to, (int)id);
    }
    flush(g);
    for (size_t id = 0; id < g->n_txs; id++) {
        g_tx *t = &g->txs[id];
        if (!t->withheld || !t->ife_started)
            continue;
        for (unsigned o = 0; o < t->tx.n_outputs; o++) {
            unsigned owner = 0;
            while (!plasma_addr_eq(&g->f.k.addr[owner], &t->tx.outputs[o].owner))
                owner++;
            if ((honest(owner) && !g->offline[owner]) || owner == BYZ || owner == ACC)
                piggyback(g, owner, (int)id, false, o);
        }
    }
    for (size_t i = 0; i < g->n_outs; i++) {
        const g_out *o = &g->outs[i];
        bool held = o->made_by >= 0 && g->txs[o->made_by].withheld;
        if (honest(o->owner) && !g->offline[o->owner] && !held && o->spent_pub < 0 && o->spent_held < 0)
            standard_exit(g, o->owner, (int)i);
    }
    flush(g);
}

/* The byzantine user shows x non-canonical with y (included), so that x's
 * input could come back to him, and piggybacks that input. */
static void byzantine_second(game *g, const plot *p)
{
    if (p->tx_x < 0 || !g->txs[p->tx_x].ife_started)
        return;
    plasma_call c;
    const g_tx *y = &g->txs[p->tx_y];
    ifk_challenge_call(&g->f, &c, BYZ, &g->txs[p->tx_x].tx, 0, &y->tx, 0, &y->incl);
    must(g, &c);
    piggyback(g, BYZ, p->tx_x, true, 0);
    flush(g);
}

/* The watcher knows every published tx and every tx an honest user sent
 * or received, and challenges what they disprove. */
static bool known(const game *g, const g_tx *t)
{
    if (t->published || honest(t->sender))
        return true;
    for (unsigned o = 0; o < t->tx.n_outputs; o++)
        for (unsigned who = 1; who <= 4; who++)
            if (plasma_addr_eq(&t->tx.outputs[o].owner, &g->f.k.addr[who]))
                return true;
    return false;
}

/* A known tx other than `not` spending pos, or -1. */
static int known_spend(const game *g, uint64_t pos, int not )
{
    for (size_t id = 0; id < g->n_txs; id++)
        if ((int)id != not &&known(g, &g->txs[id]) && g->txs[id].tx.inputs[0] == pos &&
            (g->txs[id].published || g->txs[id].withheld))
            return (int)id;
    return -1;
}

static int challenge_exits(const plasma_exit_info *e, void *payload)
{
    game *g = payload;
    if (e->state != PLASMA_EXIT_IN_PROGRESS)
        return 0;
    int by = known_spend(g, e->exit_id, -1);
    if (by < 0)
        return 0;
    plasma_call c;
    egk_call(&g->f.k, &c, PLASMA_CALL_CHALLENGE_EXIT, WATCH);
    c.challenge_exit.exit_id = e->exit_id;
    plasma_call_tx s;
    ifk_signed(&s, &g->txs[by].tx);
    memcpy(c.challenge_exit.tx, s.b, s.len);
    c.challenge_exit.tx_len = s.len;
    must(g, &c);
    g->moves[5]++;
    return 0;
}

static void watcher(game *g, const plot *p)
{
    assert_int_equal(plasma_chain_foreach_exit(g->f.k.chain, challenge_exits, g), 0);
    flush(g);
    for (size_t id = 0; id < g->n_txs; id++) {
        g_tx *t = &g->txs[id];
        if (!t->ife_started || !ifk_open(&g->f, &t->tx))
            continue;
        plasma_ife_info info = ifk_ife(&g->f, &t->tx);
        int by = known_spend(g, t->tx.inputs[0], (int)id);
        /* an older published competitor makes it non-canonical */
        if (verbose)
            print_message("ife %zu input %llu known spend %d pub %d canon %d z %d\n", id,
                          (unsigned long long)t->tx.inputs[0], by, by >= 0 && g->txs[by].published,
                          info.canonical, p->tx_z);
        if (by >= 0 && g->txs[by].published && !t->published && info.canonical && (int)id == p->tx_z) {
            plasma_call c;
            ifk_challenge_call(&g->f, &c, WATCH, &t->tx, 0, &g->txs[by].tx, 0, &g->txs[by].incl);
            must(g, &c);
            g->moves[6]++;
        }
        if (by >= 0 && (info.inputs_piggybacked & 1)) {
            plasma_call c;
            ifk_input_spent_call(&g->f, &c, WATCH, &t->tx, 0, &g->txs[by].tx, 0);
            must(g, &c);
            g->moves[7]++;
        }
    }
    flush(g);
}

/* The position of a queue's head: a standard exit's, or an in-flight
 * exit's youngest input. */
static uint64_t head_pos(const game *g, const plasma_exit_queue_info *q)
{
    if (!q->head_is_ife)
        return q->head_exit_id;
    plasma_ife_info info;
    assert_int_equal(plasma_chain_ife(&info, g->f.k.chain, &q->head_id), 0);
    return info.youngest;
}

static bool head_before(const game *g, const plasma_exit_queue_info *a, const plasma_exit_queue_info *b)
{
    if (a->head_exitable_at != b->head_exitable_at)
        return a->head_exitable_at < b->head_exitable_at;
    return head_pos(g, a) < head_pos(g, b);
}

/* An honest processor: as soon as a head is due, both queues are
 * processed in the next block, the one with the earlier head (by
 * (exitable_at, position), as within one queue) first, each as far as it
 * is due. Processing promptly matters across queues: a token exit's bond
 * is paid in ETH, so a theft exit in the ETH queue processed before an
 * earlier token exit could take that bond. */
static void process(game *g)
{
    for (int guard = 0; guard < 400; guard++) {
        plasma_exit_queue_info qe, qt;
        plasma_chain_exit_queue(&qe, g->f.k.chain, NULL);
        plasma_chain_exit_queue(&qt, g->f.k.chain, &g->f.k.token);
        if (qe.size == 0 && qt.size == 0)
            return;
        bool tok_first = qe.size == 0 || (qt.size > 0 && head_before(g, &qt, &qe));
        uint64_t due = tok_first ? qt.head_exitable_at : qe.head_exitable_at, now = egk_now(&g->f.k);
        if (due > now + g->f.k.cfg.block_time)
            ifk_advance(&g->f, due - now - g->f.k.cfg.block_time + rnd(g, 3));
        for (int i = 0; i < 2; i++) {
            bool tok = (i == 0) == tok_first;
            if ((tok ? qt.size : qe.size) == 0)
                continue;
            plasma_call c;
            egk_call(&g->f.k, &c, PLASMA_CALL_PROCESS_EXITS, tok ? PROC : WATCH);
            if (tok)
                c.process_exits.token = g->f.k.token;
            c.process_exits.max_exits = 64;
            c.gas_limit = 12000000;
            must(g, &c);
        }
        flush(g);
    }
    fail_msg("game %d: the queues did not drain", current_game);
}

/* ---- the checks ---- */

static int add_fee(const plasma_receipt *r, void *payload)
{
    plasma_u256 *sum = payload;
    *sum = egk_add(*sum, egk_fee(r));
    return 0;
}

/* Gas fees of every call mined, submitBlock included: they are burned. */
static plasma_u256 burned(const game *g)
{
    plasma_u256 sum = egk_u(0);
    plasma_chain_head h;
    plasma_chain_get_head(&h, g->f.k.chain);
    for (uint64_t n = 1; n <= h.number; n++)
        assert_int_equal(plasma_chain_block_receipts(g->f.k.chain, n, add_fee, &sum), 0);
    return sum;
}

static void conservation(game *g)
{
    /* Value: every account's balance, the contract's and the fees burned
     * add up to what there was. */
    plasma_u256 total = egk_u(0), total_tok = egk_u(0), fees = burned(g);
    for (unsigned i = 0; i < 10; i++) {
        total = egk_add(total, egk_bal(&g->f.k, &g->f.k.addr[i], NULL));
        total_tok = egk_add(total_tok, egk_bal(&g->f.k, &g->f.k.addr[i], &g->f.k.token));
    }
    plasma_u256 held = egk_bal(&g->f.k, &g->f.k.cfg.contract, NULL);
    plasma_u256 held_tok = egk_bal(&g->f.k, &g->f.k.cfg.contract, &g->f.k.token);
    plasma_u256 start = egk_u(0), start_tok = egk_u(0);
    for (unsigned i = 0; i < 10; i++) {
        start = egk_add(start, g->eth0[i]);
        start_tok = egk_add(start_tok, g->tok0[i]);
    }
    egk_assert_u256(egk_add(egk_add(total, held), fees), start);
    egk_assert_u256(egk_add(total_tok, held_tok), start_tok);
    /* paid out = received - held, which must not go below zero */
    plasma_u256 paid, paid_tok;
    assert_int_equal(plasma_u256_sub(&paid, &g->received_eth, &held), 0);
    assert_int_equal(plasma_u256_sub(&paid_tok, &g->received_tok, &held_tok), 0);
}

/* What an honest user held when the block was withheld: published outputs
 * it did not spend in it, and the outputs honest senders gave it in it. */
static void entitled(const game *g, unsigned who, plasma_u256 *eth, plasma_u256 *tok)
{
    *eth = *tok = egk_u(0);
    for (size_t i = 0; i < g->n_outs; i++) {
        const g_out *o = &g->outs[i];
        if (o->owner != who)
            continue;
        bool in_held = o->made_by >= 0 && g->txs[o->made_by].withheld;
        bool counts = in_held ? honest(g->txs[o->made_by].sender) : o->spent_pub < 0 && o->spent_held < 0;
        if (counts)
            *(o->token ? tok : eth) = egk_add(*(o->token ? tok : eth), units(o->amount));
    }
}

static int no_claim(const plasma_addr *owner, const plasma_addr *token, const plasma_u256 *amount,
                    void *payload)
{
    (void)token;
    (void)amount;
    const game *g = payload;
    for (unsigned who = 1; who <= 4; who++)
        if (!g->offline[who] && plasma_addr_eq(owner, &g->f.k.addr[who]))
            fail_msg("game %d: honest user %u was left a claim instead of a payment", current_game, who);
    return 0;
}

static int dump_event(const plasma_event *e, void *payload)
{
    (void)payload;
    char a[80];
    switch (e->kind) {
    case PLASMA_EVENT_EXIT_STARTED:
        print_message("  blk %llu ExitStarted %llu owner %02x amount %s\n",
                      (unsigned long long)e->block_number, (unsigned long long)e->exit_started.exit_id,
                      e->exit_started.owner.b[0], plasma_u256_format_dec(a, &e->exit_started.amount));
        break;
    case PLASMA_EVENT_EXIT_FINALIZED:
        print_message("  blk %llu ExitFinalized %llu\n", (unsigned long long)e->block_number,
                      (unsigned long long)e->exit_finalized.exit_id);
        break;
    case PLASMA_EVENT_EXIT_CHALLENGED:
        print_message("  blk %llu ExitChallenged %llu\n", (unsigned long long)e->block_number,
                      (unsigned long long)e->exit_challenged.exit_id);
        break;
    case PLASMA_EVENT_PAYMENT_DEFERRED:
        print_message("  blk %llu PaymentDeferred %02x %s\n", (unsigned long long)e->block_number,
                      e->payment.owner.b[0], plasma_u256_format_dec(a, &e->payment.amount));
        break;
    default:
        print_message("  blk %llu event %d\n", (unsigned long long)e->block_number, (int)e->kind);
        break;
    }
    return 0;
}

static void honest_paid_in_full(game *g)
{
    if (verbose) {
        plasma_chain_events_since(g->f.k.chain, 0, dump_event, NULL);
        for (size_t i = 0; i < g->n_outs; i++) {
            const g_out *o = &g->outs[i];
            print_message("out %zu pos %llu owner %u tok %d amt %llu made %d pub %d held %d\n", i,
                          (unsigned long long)o->pos, o->owner, o->token, (unsigned long long)o->amount,
                          o->made_by, o->spent_pub, o->spent_held);
        }
        for (unsigned i = 0; i < 10; i++)
            print_message("addr %u = %02x\n", i, g->f.k.addr[i].b[0]);
        for (uint64_t b = 1000; b <= 6000; b += 1000) {
            plasma_block_record rec;
            if (plasma_chain_block_root(&rec, g->f.k.chain, b) == 0)
                print_message("block %llu ts %llu\n", (unsigned long long)b,
                              (unsigned long long)rec.timestamp);
        }
    }
    for (unsigned who = 1; who <= 4; who++) {
        if (g->offline[who])
            continue;
        plasma_u256 want_eth, want_tok;
        entitled(g, who, &want_eth, &want_tok);
        /* gain = now - before + fees paid + deposits made */
        plasma_u256 now = egk_bal(&g->f.k, &g->f.k.addr[who], NULL);
        plasma_u256 gain = egk_add(egk_add(now, g->fees[who]), g->dep_eth[who]);
        plasma_u256 now_tok = egk_bal(&g->f.k, &g->f.k.addr[who], &g->f.k.token);
        plasma_u256 gain_tok = egk_add(now_tok, g->dep_tok[who]);
        assert_int_equal(plasma_u256_sub(&gain, &gain, &g->eth0[who]), 0);
        assert_int_equal(plasma_u256_sub(&gain_tok, &gain_tok, &g->tok0[who]), 0);
        if (plasma_u256_cmp(&gain, &want_eth) < 0 || plasma_u256_cmp(&gain_tok, &want_tok) < 0) {
            char a[80], b[80];
            fail_msg("game %d: honest user %u got %s ETH-wei, held %s", current_game, who,
                     plasma_u256_format_dec(a, &gain), plasma_u256_format_dec(b, &want_eth));
        }
    }
    assert_int_equal(plasma_chain_foreach_claim(g->f.k.chain, NULL, no_claim, g), 0);
}

static void one_game(uint64_t seed, size_t *moves)
{
    game *g = calloc(1, sizeof *g);
    assert_non_null(g);
    g->seed = seed ? seed : 1;
    ifk_init(&g->f);
    plasma_u256 many = units(100000);
    for (unsigned i = 1; i <= 6; i++)
        assert_int_equal(plasma_chain_dev_mint(g->f.k.chain, &g->f.k.addr[i], &g->f.k.token, &many), 0);
    for (unsigned i = 0; i < 10; i++) {
        g->eth0[i] = egk_bal(&g->f.k, &g->f.k.addr[i], NULL);
        g->tok0[i] = egk_bal(&g->f.k, &g->f.k.addr[i], &g->f.k.token);
    }
    build_chain(g);
    g->offline[1 + rnd(g, 4)] = rnd(g, 3) == 0;
    plot p;
    withhold(g, &p);
    byzantine_first(g, &p);
    honest_react(g);
    byzantine_second(g, &p);
    watcher(g, &p);
    process(g);
    conservation(g);
    honest_paid_in_full(g);
    for (int i = 0; i < 8; i++)
        moves[i] += g->moves[i];
    ifk_free(&g->f);
    free(g);
}

/* A fresh seed for each run (PLASMA_TEST_SEED replays one). */
static uint64_t random_seed(void)
{
    uint64_t s = 0;
    if (getrandom(&s, sizeof s, 0) != (ssize_t)sizeof s)
        s = (uint64_t)time(NULL);
    return s;
}

static void test_honest_and_byzantine_games(void **state)
{
    (void)state;
    uint64_t seed = tu_seed("exitgame_ife_random", random_seed());
    size_t moves[8] = {0};
    uint64_t s = seed;
    const char *only = getenv("PLASMA_TEST_GAME");
    for (int i = 0; i < N_GAMES; i++) {
        uint64_t gs = tu_rand(&s);
        verbose = only && atoi(only) == i;
        current_game = i;
        if (!only || verbose)
            one_game(gs, moves);
    }
    static const char *const names[8] = {
        "exit of a spent output",
        "ife of y with its input",
        "ife of z",
        "forged exit",
        "x shown non-canonical",
        "standard exit challenged",
        "z shown non-canonical",
        "input piggyback blocked",
    };
    for (int i = 0; i < 8; i++)
        print_message("  %-26s %zu\n", names[i], moves[i]);
    /* every byzantine move and every answer was played (when all games ran) */
    for (int i = 0; i < 8 && !getenv("PLASMA_TEST_GAME"); i++)
        assert_true(moves[i] > 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_honest_and_byzantine_games),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
