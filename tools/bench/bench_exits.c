/* plasma-bench exits: the exit game in-process, at scale.
 *
 *   plasma-bench exits [--exits N] [--history BLOCKS]
 *
 * N defaults to 100,000; BLOCKS (default 128, 0 = all) is the chain's
 * history window: how many recent blocks keep their receipts and events in
 * memory, as a long simulation would run it.
 *
 * Builds child blocks of real payment transactions (1,024 per block, one
 * Merkle tree each), backs them with one deposit, starts a standard exit of
 * every output through the pool and 30M-gas blocks, lets them mature and
 * processes them all. Calls are unsigned (in-process, as the embedded
 * operator submits them). Prints:
 *
 *   exits_started_per_s          startStandardExit throughput of the chain
 *                                (submit + mine; proofs are made outside the timing)
 *   exits_processed_per_s        processExits throughput, 100 exits per call
 *   start_gas_per_exit           mean gas of a startStandardExit
 *   process_gas_per_exit         mean gas per finalized exit
 *   process_gas_per_exit_full    the same for the first call (queue of N)
 *   process_gas_per_exit_small   the same for the last call (queue < 100)
 *   blocks_mined, peak_rss_kb    (getrusage ru_maxrss), history_blocks
 * and fails (status 1) unless every exit was paid exactly once. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "bench.h"
#include "plasma/exitgame.h"

int plasma_bench_exits(int argc, char **argv);

#define TXS_PER_BLOCK 1024u
#define OWNERS 64u
#define SUBMIT_BATCH 2048u
#define PROCESS_PER_CALL 100u
#define START_GAS_LIMIT 400000u
#define AMOUNT_WEI 1000000000ull /* each output: 1 gwei */

typedef struct bench {
    plasma_chain *chain;
    plasma_chain_config cfg;
    plasma_addr owners[OWNERS];
    plasma_addr whale;
    size_t n_exits;
    uint64_t history;
    uint64_t start_ns, process_ns;
    uint64_t start_gas, process_gas;
    uint64_t gas_full, gas_small;
    uint64_t blocks;
} bench;

static void usage(FILE *f)
{
    fprintf(f, "usage: plasma-bench exits [--exits N] [--history BLOCKS]\n"
               "Starts and processes N standard exits (default 100000, at most 10000000) in-process\n"
               "and prints one JSON object. BLOCKS: recent blocks whose receipts and events stay in\n"
               "memory (default 128; 0 keeps all).\n");
}

/* Reads argv[i + 1] as an integer in [min, max]. */
static bool number_arg(unsigned long long *out, int i, int argc, char **argv, unsigned long long min,
                       unsigned long long max)
{
    if (i + 1 >= argc || argv[i + 1][0] < '0' || argv[i + 1][0] > '9')
        return false;
    char *end = NULL;
    unsigned long long v = strtoull(argv[i + 1], &end, 10);
    if (*end != '\0' || v < min || v > max)
        return false;
    *out = v;
    return true;
}

static bool parse_args(bench *b, int *status, int argc, char **argv)
{
    b->n_exits = 100000;
    b->history = 128;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            usage(stdout);
            *status = 0;
            return false;
        }
        unsigned long long v;
        if (strcmp(argv[i], "--exits") == 0 && number_arg(&v, i, argc, argv, 1, 10000000)) {
            b->n_exits = (size_t)v;
            i++;
            continue;
        }
        if (strcmp(argv[i], "--history") == 0 && number_arg(&v, i, argc, argv, 0, UINT32_MAX)) {
            b->history = v;
            i++;
            continue;
        }
        fprintf(stderr, "plasma-bench exits: bad argument '%s'\n", argv[i]);
        usage(stderr);
        *status = 2;
        return false;
    }
    return true;
}

static uint64_t next_nonce(const bench *b, const plasma_addr *a)
{
    return plasma_chain_next_nonce(b->chain, a);
}

/* Mines until the pool is empty. Out: gas of the mined calls, summed. */
static int drain(bench *b, uint64_t *gas)
{
    plasma_chain_head h;
    for (plasma_chain_get_head(&h, b->chain); h.pending_calls > 0; plasma_chain_get_head(&h, b->chain)) {
        plasma_chain_block blk;
        int rc = plasma_chain_mine(b->chain, &blk);
        if (rc != 0)
            return rc;
        *gas += blk.gas_used;
        b->blocks++;
    }
    return PLASMA_OK;
}

static int run_call(bench *b, const plasma_call *c, uint64_t *gas)
{
    int rc = plasma_chain_submit(b->chain, c, NULL);
    return rc ? rc : drain(b, gas);
}

static int setup(bench *b)
{
    plasma_chain_config_default(&b->cfg);
    b->cfg.history_blocks = b->history;
    int rc = plasma_chain_new(&b->chain, &b->cfg, NULL);
    if (rc != 0)
        return rc;
    plasma_u256 lots = plasma_u256_from_u64(UINT64_MAX);
    plasma_u256_mul_u64(&lots, &lots, 1000);
    for (unsigned i = 0; i < OWNERS && rc == 0; i++) {
        memset(b->owners[i].b, 0, sizeof b->owners[i].b);
        b->owners[i].b[0] = 0xee;
        b->owners[i].b[18] = (uint8_t)(i >> 8);
        b->owners[i].b[19] = (uint8_t)(i + 1);
        rc = plasma_chain_dev_fund(b->chain, &b->owners[i], &lots);
    }
    memset(b->whale.b, 0xaa, sizeof b->whale.b);
    if (rc == 0)
        rc = plasma_chain_dev_fund(b->chain, &b->whale, &lots);
    if (rc == 0)
        rc = plasma_chain_dev_prefund(b->chain);
    /* one deposit backs every child-block output */
    plasma_call c;
    plasma_call_init(&c, PLASMA_CALL_DEPOSIT, &b->whale, 0, 1, 200000);
    c.deposit.amount = plasma_u256_from_u64(AMOUNT_WEI);
    plasma_u256_mul_u64(&c.deposit.amount, &c.deposit.amount, b->n_exits);
    uint64_t ignored = 0;
    return rc ? rc : run_call(b, &c, &ignored);
}

/* One child block: txs[i] pays AMOUNT_WEI to owner (first + i) % OWNERS. */
static int make_block(bench *b, size_t first, size_t n, plasma_buf *rlp, size_t *offs, plasma_merkle **tree)
{
    plasma_hash *leaves = malloc(n * sizeof *leaves);
    if (!leaves)
        return PLASMA_ERR_NOMEM;
    plasma_u256 amount = plasma_u256_from_u64(AMOUNT_WEI);
    plasma_addr eth = {{0}};
    rlp->len = 0;
    int rc = PLASMA_OK;
    for (size_t i = 0; i < n && rc == 0; i++) {
        plasma_tx tx;
        memset(&tx, 0, sizeof tx);
        tx.tx_type = PLASMA_TX_PAYMENT;
        tx.n_inputs = 1;
        tx.inputs[0] = plasma_utxo_pos(1 + (first + i) / 60000, (uint32_t)((first + i) % 60000), 0);
        tx.n_outputs = 1;
        tx.outputs[0].owner = b->owners[(first + i) % OWNERS];
        tx.outputs[0].token = eth;
        tx.outputs[0].amount = amount;
        offs[i] = rlp->len;
        rc = plasma_tx_encode_unsigned(rlp, &tx);
        if (rc == 0)
            plasma_merkle_leaf(&leaves[i], rlp->data + offs[i], rlp->len - offs[i]);
    }
    offs[n] = rlp->len;
    if (rc == 0)
        rc = plasma_merkle_build(tree, leaves, n);
    free(leaves);
    return rc;
}

/* Submits the block's root, then queues one exit per output and mines
 * them. Only the chain's work is timed. */
static int exit_block(bench *b, size_t first, size_t n, const plasma_buf *rlp, const size_t *offs,
                      const plasma_merkle *tree)
{
    plasma_chain_head h;
    plasma_chain_get_head(&h, b->chain);
    uint64_t blknum = h.next_child_block, ignored = 0;
    plasma_call c;
    plasma_call_init(&c, PLASMA_CALL_SUBMIT_BLOCK, &b->cfg.operator_addr,
                     next_nonce(b, &b->cfg.operator_addr), 1, 200000);
    c.submit_block.root = *plasma_merkle_tree_root(tree);
    int rc = run_call(b, &c, &ignored);
    for (size_t i = 0; i < n && rc == 0; i++) {
        const plasma_addr *owner = &b->owners[(first + i) % OWNERS];
        plasma_call_init(&c, PLASMA_CALL_START_EXIT, owner, next_nonce(b, owner), 1, START_GAS_LIMIT);
        c.start_exit.utxo_pos = plasma_utxo_pos(blknum, (uint32_t)i, 0);
        c.start_exit.bond = b->cfg.exit_bond;
        c.start_exit.tx_len = offs[i + 1] - offs[i];
        memcpy(c.start_exit.tx, rlp->data + offs[i], c.start_exit.tx_len);
        rc = plasma_merkle_proof(c.start_exit.proof, tree, i);
        uint64_t t0 = bench_now_ns();
        if (rc == 0)
            rc = plasma_chain_submit(b->chain, &c, NULL);
        if (rc == 0 && (i + 1 == n || (i + 1) % SUBMIT_BATCH == 0))
            rc = drain(b, &b->start_gas);
        b->start_ns += bench_now_ns() - t0;
    }
    return rc;
}

static int start_all(bench *b)
{
    plasma_buf rlp = {0};
    size_t *offs = malloc((TXS_PER_BLOCK + 1) * sizeof *offs);
    int rc = offs ? PLASMA_OK : PLASMA_ERR_NOMEM;
    for (size_t first = 0; first < b->n_exits && rc == 0; first += TXS_PER_BLOCK) {
        size_t n = b->n_exits - first < TXS_PER_BLOCK ? b->n_exits - first : TXS_PER_BLOCK;
        plasma_merkle *tree = NULL;
        rc = make_block(b, first, n, &rlp, offs, &tree);
        if (rc == 0)
            rc = exit_block(b, first, n, &rlp, offs, tree);
        plasma_merkle_free(tree);
    }
    free(offs);
    plasma_buf_free(&rlp);
    return rc;
}

static int process_all(bench *b)
{
    plasma_exit_queue_info q;
    plasma_chain_exit_queue(&q, b->chain, NULL);
    const plasma_addr *who = &b->whale;
    int rc = PLASMA_OK;
    while (rc == 0 && q.size > 0) {
        size_t before = q.size;
        plasma_call c;
        plasma_call_init(&c, PLASMA_CALL_PROCESS_EXITS, who, next_nonce(b, who), 1, b->cfg.block_gas_limit);
        c.process_exits.max_exits = PROCESS_PER_CALL;
        uint64_t gas = 0, t0 = bench_now_ns();
        rc = run_call(b, &c, &gas);
        b->process_ns += bench_now_ns() - t0;
        plasma_chain_exit_queue(&q, b->chain, NULL);
        size_t done = before - q.size;
        if (rc == 0 && done == 0)
            rc = PLASMA_ERR_INTERNAL; /* nothing matured: the bench is wrong */
        if (rc == 0 && b->gas_full == 0)
            b->gas_full = gas / done;
        if (rc == 0)
            b->gas_small = gas / done;
        b->process_gas += gas;
    }
    return rc;
}

/* Every exit paid exactly once: the contract is empty, every exit finalized. */
static bool all_paid(const bench *b)
{
    plasma_u256 left;
    plasma_chain_balance(&left, b->chain, &b->cfg.contract, NULL);
    plasma_chain_head h;
    plasma_chain_get_head(&h, b->chain);
    plasma_exit_info e;
    uint64_t last = plasma_utxo_pos(h.next_child_block - PLASMA_CHILD_BLOCK_INTERVAL,
                                    (uint32_t)((b->n_exits - 1) % TXS_PER_BLOCK), 0);
    return plasma_u256_is_zero(&left) && plasma_chain_exit(&e, b->chain, last) == 0 &&
           e.state == PLASMA_EXIT_FINALIZED;
}

static json_t *report(const bench *b)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    double n = (double)b->n_exits;
    json_t *o = json_object();
    json_object_set_new(o, "exits", json_integer((json_int_t)b->n_exits));
    json_object_set_new(o, "exits_started_per_s", json_real(n / ((double)b->start_ns / 1e9)));
    json_object_set_new(o, "exits_processed_per_s", json_real(n / ((double)b->process_ns / 1e9)));
    json_object_set_new(o, "start_gas_per_exit", json_integer((json_int_t)(b->start_gas / b->n_exits)));
    json_object_set_new(o, "process_gas_per_exit", json_integer((json_int_t)(b->process_gas / b->n_exits)));
    json_object_set_new(o, "process_gas_per_exit_full", json_integer((json_int_t)b->gas_full));
    json_object_set_new(o, "process_gas_per_exit_small", json_integer((json_int_t)b->gas_small));
    json_object_set_new(o, "blocks_mined", json_integer((json_int_t)b->blocks));
    json_object_set_new(o, "peak_rss_kb", json_integer((json_int_t)ru.ru_maxrss));
    json_object_set_new(o, "history_blocks", json_integer((json_int_t)b->history));
    return o;
}

int plasma_bench_exits(int argc, char **argv)
{
    bench b;
    memset(&b, 0, sizeof b);
    int status = 0;
    if (!parse_args(&b, &status, argc, argv))
        return status;
    int rc = setup(&b);
    if (rc == 0)
        rc = start_all(&b);
    if (rc == 0)
        rc = plasma_chain_dev_advance_time(b.chain, 2 * b.cfg.min_exit_period + 1);
    if (rc == 0)
        rc = process_all(&b);
    if (rc == 0 && !all_paid(&b))
        rc = PLASMA_ERR_INTERNAL;
    if (rc != 0) {
        fprintf(stderr, "plasma-bench exits: %s\n", plasma_err_message(rc));
        plasma_chain_free(b.chain);
        return 1;
    }
    status = bench_print(report(&b));
    plasma_chain_free(b.chain);
    return status;
}
