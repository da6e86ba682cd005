/* Internals of plasma-sim shared by its engine sources: the child chain the
 * simulation builds (world.c), the priority queues (heap.c) and the state of
 * a run (engine.c, actors.c, books.c). */
#ifndef PLASMA_SIM_INT_H
#define PLASMA_SIM_INT_H

#include "sim.h"

#define SIM_NONE UINT32_MAX
#define SIM_OWNER_OPERATOR (UINT32_MAX - 1)

/* ------------------------------------------------------------------------
 * The child chain
 * ------------------------------------------------------------------------ */

enum { OUT_SPENT = 1, OUT_VICTIM = 2, OUT_THEFT = 4, OUT_IN_TIME = 8, OUT_DEFERRED = 16 };

/* Where an output's exit stands, as the simulation sees it. */
enum {
    EX_NONE,       /* nobody has tried to exit it */
    EX_WANTED,     /* an exit call is queued or sent */
    EX_STARTED,    /* ExitStarted seen */
    EX_CHALLENGED, /* ExitChallenged seen */
    EX_FINALIZED,  /* ExitFinalized seen */
    EX_FAILED,     /* the start call failed for good */
};

/* One output of a child-chain transaction. Its transaction's bytes are not
 * kept: they are re-encoded from the records when an exit needs them. */
typedef struct sim_out {
    plasma_u256 amount;
    uint64_t pos;      /* utxo_pos */
    uint32_t owner;    /* user index or SIM_OWNER_OPERATOR */
    uint32_t tx;       /* the transaction that created it */
    uint32_t spent_by; /* the valid transaction that spent it, or SIM_NONE */
    uint32_t next;     /* the owner's next live output, or SIM_NONE */
    uint32_t live_ix;  /* index in the live set, or SIM_NONE */
    uint8_t token;
    uint8_t flags; /* OUT_* */
    uint8_t exit;  /* EX_* */
    uint8_t tries; /* start calls that ran out of gas */
} sim_out;

enum { TX_DEPOSIT, TX_FUNDING, TX_PAYMENT, TX_THEFT };

/* A transaction; its outputs are outs[first_out .. first_out + n_out). */
typedef struct sim_tx {
    uint64_t in[PLASMA_MAX_INPUTS];
    uint32_t first_out;
    uint32_t block;
    uint8_t n_in, n_out, kind;
} sim_tx;

typedef struct sim_block {
    uint64_t blknum;
    uint64_t timestamp; /* root-chain time of its root, once submitted */
    uint32_t first_tx, n_tx;
    plasma_merkle *tree; /* child blocks with transactions */
    plasma_hash root;
    bool deposit, withheld;
} sim_block;

enum { USER_OFFLINE, USER_WATCHER, USER_UNWATCHED };

typedef struct sim_user {
    uint32_t head; /* first live output */
    uint8_t kind;  /* USER_* */
    uint64_t bid;  /* first gas price, once the user reacts */
} sim_user;

typedef struct sim_world {
    const sim_scenario *sc;
    sim_user *users;
    plasma_addr *user_addr;
    plasma_addr operator_addr;
    plasma_privkey operator_key;

    sim_out *outs;
    size_t n_outs, cap_outs;
    sim_tx *txs;
    size_t n_txs, cap_txs;
    sim_block *blocks; /* deposit blocks, then child blocks, in blknum order */
    size_t n_blocks, cap_blocks;
    size_t n_deposits;   /* blocks[0 .. n_deposits) are the deposit blocks 1 .. n_deposits */
    uint64_t next_child; /* blknum of the next child block */

    uint32_t *live; /* honest outputs that can be spent or exited */
    size_t n_live, cap_live;

    uint32_t *op_exits; /* operator outputs it will try to exit */
    size_t n_op_exits;
    size_t first_incident_block; /* blocks from here on are block B and later */

    plasma_u256 deposited[SIM_MAX_TOKENS];
} sim_world;

/* Builds the users, their outputs and the child chain's history up to the
 * incident (funding deposits and blocks, payments), with Merkle trees.
 * Returns 0, SIM_EBADSCENARIO (err says why) or PLASMA_ERR_NOMEM. */
int sim_world_build(sim_world *w, const sim_scenario *sc, char *err, size_t errlen);
/* Adds the operator's block(s) B with its invalid transactions and picks
 * the outputs the operator will exit. Returns 0 or PLASMA_ERR_NOMEM. */
int sim_world_incident(sim_world *w);
void sim_world_free(sim_world *w);

/* Returns the output at pos, or SIM_NONE. */
uint32_t sim_world_find(const sim_world *w, uint64_t pos);
const plasma_addr *sim_world_owner(const sim_world *w, uint32_t out);
const plasma_addr *sim_world_token(const sim_world *w, unsigned token);
/* Appends rlp(UnsignedTx) of transaction tx. Returns 0 or NOMEM. */
int sim_world_encode_tx(const sim_world *w, uint32_t tx, plasma_buf *buf);
/* Fills the arguments of a startStandardExit of output out: position,
 * transaction bytes and proof. Returns 0 or an error. */
int sim_world_exit_args(const sim_world *w, uint32_t out, plasma_call *call);
/* Fills the arguments of a challengeStandardExit of output out with its
 * spending transaction, signed by the operator under dom. Returns 0 or an
 * error. */
int sim_world_challenge_args(const sim_world *w, uint32_t out, const plasma_domain *dom, plasma_call *call);

/* ------------------------------------------------------------------------
 * Binary heaps of fixed-size entries
 * ------------------------------------------------------------------------ */

typedef bool (*sim_less_fn)(const void *a, const void *b);

typedef struct sim_heap {
    uint8_t *a;
    size_t n, cap, size;
    sim_less_fn less;
} sim_heap;

void sim_heap_init(sim_heap *h, size_t size, sim_less_fn less);
void sim_heap_free(sim_heap *h);
/* Returns 0 or PLASMA_ERR_NOMEM. */
int sim_heap_push(sim_heap *h, const void *e);
/* The least entry, or NULL when empty. */
const void *sim_heap_top(const sim_heap *h);
/* Removes the least entry into *out (may be NULL). h must not be empty. */
void sim_heap_pop(sim_heap *h, void *out);

/* ------------------------------------------------------------------------
 * A run
 * ------------------------------------------------------------------------ */

/* The gas limit of a watcher's challenge: about 80 000 are used. */
#define SIM_CHALLENGE_GAS_LIMIT 300000u

/* What a queued or sent call is for. */
enum { K_USER_EXIT, K_OP_EXIT, K_CHALLENGE, K_PROCESS, K_BACKGROUND };

/* A user's exit waiting to be sent. Its price rises with the bump ticks
 * since tick0; key orders such entries by price at any one time. */
typedef struct sim_uentry {
    double key;
    uint64_t seq;
    uint32_t out;
    uint32_t tick0;
} sim_uentry;

/* A fixed-price call waiting to be sent (operator, watcher, processor, or
 * a user whose bid does not rise). */
typedef struct sim_fentry {
    uint64_t price;
    uint64_t seq;
    uint32_t ref; /* output, or token for K_PROCESS */
    uint8_t kind;
} sim_fentry;

/* A call in the chain's pool. */
typedef struct sim_fed {
    plasma_hash hash;
    uint64_t price, gas_limit, expect, seq;
    uint32_t ref;
    uint8_t kind;
} sim_fed;

enum { EV_USER_REACT, EV_OPERATOR, EV_CHALLENGE };

typedef struct sim_event {
    uint64_t time;
    uint64_t seq;
    uint32_t ref;
    uint8_t kind;
} sim_event;

/* The exit processor's state per token. */
typedef struct sim_proc {
    bool in_flight, stuck;
    uint64_t max;      /* exits per call; halved after running out of gas */
    uint64_t batch;    /* exits in the planned call */
    uint64_t per_exit; /* gas per exit of the last successful call; 0: estimate */
    uint64_t gas;      /* gas limit of the planned call */
    uint64_t expect;   /* estimated gas */
    uint64_t last;     /* time of the last call */
    plasma_exit_queue_info q;
} sim_proc;

/* Running order check of one token's finalized exits. */
typedef struct sim_order_check {
    uint64_t exitable_at, pos;
} sim_order_check;

struct sim {
    sim_scenario sc;
    sim_world w;
    plasma_chain *chain;
    plasma_call *call; /* scratch: one call is about 1.6 KB */
    plasma_domain dom;
    sim_result r;
    sim_row *rows;
    size_t n_rows, cap_rows;

    sim_rng rng_users, rng_bg, rng_watch;
    plasma_addr processor, challenger, bg_sink;
    plasma_addr *bg_accounts;
    uint32_t *bg_free;
    size_t n_bg, cap_bg, n_bg_free;
    uint64_t bg_gas; /* gas of one background transfer */

    uint64_t t_incident, t_deadline, t_end;
    double bump_log; /* log(1 + bump%) */
    sim_heap uq, fq, events;
    sim_fed *fed;
    size_t n_fed, cap_fed;
    uint64_t seq;
    uint64_t expect_start, expect_challenge; /* running estimates of gas */
    sim_proc proc[SIM_MAX_TOKENS];
    sim_order_check order[SIM_MAX_TOKENS];
    uint64_t expected_exits, settled;
    bool theft_reached; /* a theft exit was paid or blocked the queue */
    /* Payments deferred by the call being read, not yet tied to the exit
     * whose ExitFinalized or ExitChallenged follows them. */
    plasma_u256 def_eth, def_tok[SIM_MAX_TOKENS];
    plasma_u256 bonds_paid, operator_bonds_back; /* ETH bonds that left the contract */
    bool has_watchers;
    sim_row row; /* the block being built */
    bool keep_history;
    char *err;
    size_t errlen;
};

/* actors.c: the participants. Each queues calls in s->uq / s->fq. */
int sim_actors_schedule(sim *s);
int sim_actors_event(sim *s, const sim_event *ev);
/* Plans processExits calls for tokens whose queue head is exitable at
 * now. Returns 0 or an error. */
int sim_actors_process(sim *s, uint64_t now);
/* The earliest time the processor will next act, or UINT64_MAX. */
uint64_t sim_actors_next_process(const sim *s);
/* Sends a queued call: builds it and submits it to the chain. Out: *fed.
 * Returns 0, 1 when the call was dropped (a failed admission, counted), or
 * an error. */
int sim_actors_send_user(sim *s, uint32_t out, uint64_t price, uint64_t now, sim_fed *fed);
int sim_actors_send_fixed(sim *s, const sim_fentry *e, uint64_t now, sim_fed *fed);
int sim_actors_send_background(sim *s, uint64_t price, sim_fed *fed);
/* A sent call was mined with receipt r. */
int sim_actors_receipt(sim *s, const sim_fed *fed, const plasma_receipt *r, uint64_t now);
/* The current price of a queued user exit. */
uint64_t sim_actors_user_price(const sim *s, const sim_uentry *e, uint64_t now);
/* The gas limit of the next exit call of output out. */
uint64_t sim_actors_exit_gas_limit(const sim *s, uint32_t out);
int sim_push_event(sim *s, uint64_t time, uint8_t kind, uint32_t ref);

/* books.c: the results. */
int sim_books_event(sim *s, const plasma_event *ev, uint64_t now);
int sim_books_finish(sim *s);

/* A run's failure message. */
int sim_fail(sim *s, int rc, const char *fmt, ...);

#endif
