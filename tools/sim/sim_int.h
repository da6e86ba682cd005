/* Internals of plasma-sim shared by its engine sources: the child chain the
 * simulation builds (world.c), the priority queues (heap.c) and the state of
 * a run (engine.c, actors.c, books.c). */
#ifndef PLASMA_SIM_INT_H
#define PLASMA_SIM_INT_H

#include "sim.h"

#define SIM_NONE UINT32_MAX
#define SIM_OWNER_OPERATOR (UINT32_MAX - 1)
#define SIM_OWNER_WATCHER (UINT32_MAX - 2) /* in calls: the watchers' account */

/* ------------------------------------------------------------------------
 * The child chain
 * ------------------------------------------------------------------------ */

enum { OUT_SPENT = 1, OUT_VICTIM = 2, OUT_THEFT = 4, OUT_IN_TIME = 8, OUT_DEFERRED = 16, OUT_INFLIGHT = 32 };

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

enum { TX_DEPOSIT, TX_FUNDING, TX_PAYMENT, TX_THEFT, TX_INFLIGHT, TX_COMPETITOR };

/* The block of a transaction that is in none: in flight and never
 * published, or a competitor the operator signed and never included. */
#define SIM_NO_BLOCK UINT32_MAX

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

enum { IFX_PAYMENT, IFX_TRADE };

/* A transaction in flight at the incident. A payment spends one or two
 * outputs of its sender and pays the recipient, with change; a trade
 * spends one output of the user and one of the operator (in that order)
 * into one output each: the user gets the operator's amount, the operator
 * the user's. */
typedef struct sim_ifx {
    uint32_t tx;         /* T */
    uint32_t competitor; /* the operator's T' spending its input of a trade, or SIM_NONE */
    uint32_t sender;
    uint32_t recipient; /* the sender, for a trade */
    uint32_t in[2];     /* the outputs T spends */
    uint8_t n_in;
    uint8_t kind;    /* IFX_* */
    uint8_t attacks; /* bit per sim_attack */
    bool in_block;   /* T sits in block B; else it is pending and never published */
} sim_ifx;

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

    /* In flight: the senders' keys (users sorted ascending), the
     * operator's outputs that trades spend, the txs, and block B's theft
     * txs. */
    uint32_t *key_user;
    plasma_privkey *keys;
    size_t n_keys;
    uint32_t *stock;
    size_t n_stock, stock_used;
    sim_ifx *ifx;
    size_t n_ifx;
    uint32_t *theft_txs;
    size_t n_theft_txs;
} sim_world;

/* Builds the users, their outputs and the child chain's history up to the
 * incident (funding deposits and blocks, payments), with Merkle trees.
 * Returns 0, SIM_EBADSCENARIO (err says why) or PLASMA_ERR_NOMEM. */
int sim_world_build(sim_world *w, const sim_scenario *sc, char *err, size_t errlen);
/* Adds the operator's block(s) B with its invalid transactions and picks
 * the outputs the operator will exit. Returns 0 or PLASMA_ERR_NOMEM. */
int sim_world_incident(sim_world *w);
void sim_world_free(sim_world *w);

/* world.c's parts that the in-flight txs (inflight.c) build with. */
int sim_world_new_tx(sim_world *w, uint8_t kind, bool in_block, uint32_t *out);
int sim_world_new_out(sim_world *w, uint32_t tx, uint8_t token, uint32_t owner, const plasma_u256 *amount,
                      uint32_t *out);
void sim_world_spend(sim_world *w, uint32_t out, uint32_t tx);
void sim_world_live_remove(sim_world *w, uint32_t out);
/* Another live output of out's owner in the same token, or SIM_NONE. */
uint32_t sim_world_partner(const sim_world *w, uint32_t out);
/* A payment of u (and v, when not SIM_NONE): the recipient's amount and
 * the change, at least 1 (one draw of rng). */
void sim_world_split(const sim_world *w, sim_rng *rng, uint32_t u, uint32_t v, plasma_u256 *pay,
                     plasma_u256 *change);
/* Starts a new child block when the last one is full. */
int sim_world_room_for_tx(sim_world *w);
/* Builds tx as a plasma_tx, without signatures. */
void sim_world_build_tx(const sim_world *w, uint32_t tx, plasma_tx *out);
/* The inclusion proof of transaction tx in its block (a deposit's too). */
int sim_world_proof(const sim_world *w, uint32_t tx, uint8_t proof[PLASMA_MERKLE_PROOF_LEN]);

/* inflight.c: the in-flight transactions. */
/* Picks the senders and gives them keys: their addresses become those of
 * the keys. Returns 0 or PLASMA_ERR_NOMEM. */
int sim_ifx_senders(sim_world *w);
/* How many outputs of the operator trades may spend: planned with the
 * users' outputs (owner SIM_OWNER_OPERATOR), kept out of the live set. */
size_t sim_ifx_stock_count(const sim_world *w);
/* Picks each sender's in-flight tx and takes its inputs out of the live
 * set. Returns 0 or PLASMA_ERR_NOMEM. */
int sim_ifx_plan(sim_world *w);
/* Adds the txs that sit in block B (open, the last block). */
int sim_ifx_fill_block(sim_world *w);
/* Adds the pending txs and the operator's competitors, and draws the
 * attacks. Returns 0 or PLASMA_ERR_NOMEM. */
int sim_ifx_finish(sim_world *w);
/* The key of owner (a user with one, or the operator), or NULL. */
const plasma_privkey *sim_ifx_key(const sim_world *w, uint32_t owner);
/* Signs tx for every input with its owner's key (key NULL), or with key for
 * every input. Returns 0, PLASMA_ERR_INTERNAL (an owner without a key) or
 * an error of the signer. */
int sim_ifx_sign(const sim_world *w, uint32_t tx, const plasma_domain *dom, const plasma_privkey *key,
                 plasma_tx *out);
/* Position of tx's output 0 (blknum, txindex, 0), or 0 for a tx in no block. */
uint64_t sim_ifx_tx_pos(const sim_world *w, uint32_t tx);

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
enum { K_USER_EXIT, K_OP_EXIT, K_CHALLENGE, K_PROCESS, K_BACKGROUND, K_IFE };

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
    uint32_t ref; /* output, token for K_PROCESS, job for K_IFE */
    uint8_t kind;
    uint16_t gen; /* K_IFE: the job's generation it was queued in (a re-priced job leaves stale entries) */
} sim_fentry;

/* A call in the chain's pool. */
typedef struct sim_fed {
    plasma_hash hash;
    uint64_t price, gas_limit, expect, seq;
    uint32_t ref;
    uint8_t kind;
} sim_fed;

enum { EV_USER_REACT, EV_OPERATOR, EV_CHALLENGE, EV_JOB, EV_URGENT };

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

/* ------------------------------------------------------------------------
 * In-flight exits during a run (ife.c, ife_books.c)
 * ------------------------------------------------------------------------ */

enum { IFE_NONE, IFE_STARTING, IFE_OPEN, IFE_DONE };

/* An in-flight exit the run may see: of T (ifes[2f]) or of the operator's
 * competitor T' (ifes[2f + 1]) of in-flight tx f. Its state is what the
 * chain's events said. */
typedef struct sim_ife {
    plasma_u256 id;
    uint8_t *signed_tx; /* rlp(SignedTx), made at its first use */
    size_t signed_len;
    uint64_t start, phase_end, exitable_at, youngest;
    plasma_addr bond_owner, starter;
    uint32_t first_job; /* its jobs, linked by sim_job.next */
    uint8_t state;      /* IFE_* */
    bool canonical, public_tx, proof_public, deleting, ever_piggybacked;
    /* bit i: input i / output i; want: asked for by honest parties, and
     * by the operator */
    uint8_t in_pb, out_pb, in_want, out_want, op_in_want, op_out_want, in_paid, out_paid;
    uint8_t path; /* plasma_ife_path, once processed */
} sim_ife;

enum { JOB_QUEUED, JOB_SENT, JOB_DONE };

/* An in-flight exit call someone means to send. */
typedef struct sim_job {
    uint64_t price, gas_limit;
    uint32_t ife;   /* index in ifes; a theft tx for an IFE of one */
    uint32_t who;   /* a user, SIM_OWNER_OPERATOR or SIM_OWNER_WATCHER */
    uint32_t other; /* the competing or spending ife index (challenge, block) */
    uint32_t next;  /* the exit's next job */
    uint16_t gen;
    uint8_t call;  /* plasma_call_kind */
    uint8_t index; /* input or output index */
    uint8_t state; /* JOB_* */
    uint8_t tries;
    bool theft; /* an IFE of a theft tx: ife is a tx index */
} sim_job;

/* A payment the contract deferred, until the event that follows it. */
typedef struct sim_deferral {
    plasma_addr owner, token;
    plasma_u256 amount;
} sim_deferral;

/* The deferrals before one event, added up: ETH, each non-ETH token of the
 * scenario, and the ETH of the operator's and of the watchers'. */
typedef struct sim_defsum {
    plasma_u256 eth, tok[SIM_MAX_TOKENS], op_eth, watcher_eth;
    bool any;
} sim_defsum;

#define SIM_MAX_DEFERRALS 16

typedef struct sim_ife_id {
    uint8_t id[32];
    uint32_t ife;
} sim_ife_id;

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
    /* Payments deferred by the call being read, not yet tied to the event
     * that follows them. */
    sim_deferral defs[SIM_MAX_DEFERRALS];
    size_t n_defs;
    plasma_u256 bonds_paid, operator_bonds_back; /* ETH bonds that left the contract */

    /* In-flight exits: ifes[2f] and ifes[2f + 1] for in-flight tx f, their
     * ids sorted, the jobs, and the users' in-flight txs (party lists). */
    sim_ife *ifes;
    sim_ife_id *ife_ids;
    size_t n_ife_ids;
    sim_job *jobs;
    size_t n_jobs, cap_jobs;
    uint32_t *party_head, *party_next, *party_ifx; /* per user; per entry: next, in-flight tx */
    uint64_t *react_sender, *react_recipient;      /* per in-flight tx; UINT64_MAX: not reacted */
    bool *in_time_sender, *in_time_recipient;
    uint64_t *tx_ife;                       /* (tx << 32 | ife) of every T and T', sorted */
    uint64_t expect_ife[PLASMA_CALL_KINDS]; /* running estimates of gas per call kind */
    /* Contract flows of in-flight exits: bonds in and out (ETH), payouts
     * per token. What the operator got (payouts per token, bonds back) and
     * posted, and its own funds in its trades. */
    plasma_u256 ife_in_eth, ife_bonds_out, ife_out[SIM_MAX_TOKENS];
    plasma_u256 op_ife_got[SIM_MAX_TOKENS], op_ife_bonds_back, op_ife_posted, op_legit[SIM_MAX_TOKENS];
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
/* Queues a fixed-price call of kind for ref. */
int sim_actors_push_fixed(sim *s, uint64_t price, uint8_t kind, uint32_t ref);
/* Fills *f for the call in s->call, just submitted with hash. */
void sim_actors_fed(sim *s, sim_fed *f, const plasma_hash *hash, uint8_t kind, uint32_t ref, uint64_t expect);
/* Queues the operator's standard exit of its output out. */
int sim_actors_operator_exit(sim *s, uint32_t out);

/* ife.c: the parties of in-flight txs, the watchers and the operator's
 * attacks on in-flight exits. */
int sim_ife_setup(sim *s);
void sim_ife_free(sim *s);
/* The user reacts: joins the in-flight exits of its txs. */
int sim_ife_user_react(sim *s, uint32_t user, uint64_t now);
/* The operator's attacks that start at the incident. */
int sim_ife_operator(sim *s, uint64_t now);
int sim_ife_event(sim *s, const sim_event *ev);
/* A queued job entry is stale (re-priced, sent or given up). */
bool sim_ife_stale(const sim *s, const sim_fentry *e);
int sim_ife_send(sim *s, const sim_fentry *e, uint64_t now, sim_fed *fed);
int sim_ife_receipt(sim *s, const sim_fed *f, const plasma_receipt *r, uint64_t now);
void sim_ife_cost(const sim *s, uint32_t job, uint64_t *limit, uint64_t *expect);
/* Hooks for the books: a standard exit of an output started, and an in-flight
 * exit's event was read. */
int sim_ife_exit_started(sim *s, uint32_t out, uint64_t now);
int sim_ife_after_event(sim *s, uint32_t ife, const plasma_event *ev, uint64_t now);
/* The in-flight exit with this id, or SIM_NONE. */
uint32_t sim_ife_find(const sim *s, const plasma_u256 *id);
/* Whether watchers know a signed spend of out (an output a trade spends). */
bool sim_ife_spend_public(const sim *s, const sim_out *o);
/* The in-flight exit (2f or 2f + 1) of tx, or SIM_NONE. */
uint32_t sim_ife_of_tx(const sim *s, uint32_t tx);

/* ife_books.c: the in-flight exits' events and results. */
int sim_ife_books_event(sim *s, const plasma_event *ev, uint64_t now);
int sim_ife_books_finish(sim *s);

/* books.c: the results. */
int sim_books_event(sim *s, const plasma_event *ev, uint64_t now);
int sim_books_finish(sim *s);
/* Takes the deferrals pending before an event (the payments it reports). */
void sim_books_take_deferrals(sim *s, sim_defsum *out);
/* Adds amount of token (by index) to *sum in ETH-equivalent wei. */
void sim_books_add_eth(const sim *s, plasma_u256 *sum, unsigned token, const plasma_u256 *amount);
/* Checks that token's entries leave its queue in priority order. */
void sim_books_check_order(sim *s, unsigned token, uint64_t exitable_at, uint64_t pos);

/* A run's failure message. */
int sim_fail(sim *s, int rc, const char *fmt, ...);

#endif
