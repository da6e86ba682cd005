/* The call data an Ethereum transaction would carry for a call: the ABI
 * encoding of PROTOCOL §9's function (its selector as vectors/abi.json
 * gives it) with the call's arguments (the bond
 * travels as the value, not as an argument). Its bytes price the call's
 * intrinsic gas as they do on Ethereum (16 per non-zero byte, 4 per zero
 * byte). A plain ETH transfer carries none; a token transfer is the
 * token's transfer(address,uint256). */
#include "internal.h"

/* An argument: a static word, or dynamic bytes, or an array of either. */
typedef struct abi_arg {
    enum { A_WORD, A_BYTES, A_BYTES_LIST, A_WORD_LIST } type;
    uint8_t word[32];
    const uint8_t *b;
    size_t len;
    const uint8_t *items[PLASMA_MAX_INPUTS]; /* A_BYTES_LIST */
    size_t lens[PLASMA_MAX_INPUTS];
    uint64_t words[PLASMA_MAX_INPUTS]; /* A_WORD_LIST */
    size_t n;
} abi_arg;

#define MAX_ARGS 6

typedef struct abi_call {
    uint32_t selector; /* of the function's signature (PROTOCOL §9) */
    abi_arg args[MAX_ARGS];
    size_t n;
} abi_call;

static abi_arg *next_arg(abi_call *a)
{
    abi_arg *x = &a->args[a->n++];
    memset(x, 0, sizeof *x);
    return x;
}

static void arg_u64(abi_call *a, uint64_t v)
{
    eg_put_u64(next_arg(a)->word + 24, v);
}

static void arg_u256(abi_call *a, const plasma_u256 *v)
{
    plasma_u256_to_be(next_arg(a)->word, v);
}

static void arg_addr(abi_call *a, const plasma_addr *v)
{
    memcpy(next_arg(a)->word + 12, v->b, 20);
}

static void arg_bytes(abi_call *a, const uint8_t *b, size_t len)
{
    abi_arg *x = next_arg(a);
    x->type = A_BYTES;
    x->b = b;
    x->len = len;
}

static size_t padded(size_t len)
{
    return (len + 31) / 32 * 32;
}

/* Bytes of an argument's tail (its head is one word). */
static size_t tail_len(const abi_arg *x)
{
    size_t n = 0;
    switch (x->type) {
    case A_WORD:
        return 0;
    case A_BYTES:
        return 32 + padded(x->len);
    case A_WORD_LIST:
        return 32 + 32 * x->n;
    case A_BYTES_LIST:
        for (size_t i = 0; i < x->n; i++)
            n += 32 + padded(x->lens[i]);
        return 32 + 32 * x->n + n;
    }
    return 0;
}

static void put_word_u64(plasma_buf *b, uint64_t v)
{
    uint8_t w[32] = {0};
    eg_put_u64(w + 24, v);
    plasma_buf_append(b, w, sizeof w);
}

static void put_padded(plasma_buf *b, const uint8_t *p, size_t len)
{
    static const uint8_t zeros[32];
    put_word_u64(b, len);
    plasma_buf_append(b, p, len);
    plasma_buf_append(b, zeros, padded(len) - len);
}

static void put_tail(plasma_buf *b, const abi_arg *x)
{
    switch (x->type) {
    case A_WORD:
        return;
    case A_BYTES:
        put_padded(b, x->b, x->len);
        return;
    case A_WORD_LIST:
        put_word_u64(b, x->n);
        for (size_t i = 0; i < x->n; i++)
            put_word_u64(b, x->words[i]);
        return;
    case A_BYTES_LIST: {
        put_word_u64(b, x->n);
        size_t off = 32 * x->n;
        for (size_t i = 0; i < x->n; i++) {
            put_word_u64(b, off);
            off += 32 + padded(x->lens[i]);
        }
        for (size_t i = 0; i < x->n; i++)
            put_padded(b, x->items[i], x->lens[i]);
        return;
    }
    }
}

static int encode(plasma_buf *b, const abi_call *a)
{
    uint8_t sel[4] = {(uint8_t)(a->selector >> 24), (uint8_t)(a->selector >> 16), (uint8_t)(a->selector >> 8),
                      (uint8_t)a->selector};
    plasma_buf_append(b, sel, sizeof sel);
    size_t off = 32 * a->n;
    for (size_t i = 0; i < a->n; i++) {
        const abi_arg *x = &a->args[i];
        if (x->type == A_WORD) {
            plasma_buf_append(b, x->word, 32);
        } else {
            put_word_u64(b, off);
            off += tail_len(x);
        }
    }
    for (size_t i = 0; i < a->n; i++)
        put_tail(b, &a->args[i]);
    return b->failed ? PLASMA_ERR_NOMEM : PLASMA_OK;
}

static void start_ife_args(abi_call *a, const plasma_call_start_ife *s)
{
    arg_bytes(a, s->tx.b, s->tx.len);
    abi_arg *txs = next_arg(a), *pos = next_arg(a), *proofs = next_arg(a);
    txs->type = proofs->type = A_BYTES_LIST;
    pos->type = A_WORD_LIST;
    txs->n = s->n_input_txs;
    for (unsigned i = 0; i < s->n_input_txs; i++) {
        txs->items[i] = s->input_txs[i].b;
        txs->lens[i] = s->input_txs[i].len;
    }
    pos->n = s->n_input_pos;
    memcpy(pos->words, s->input_pos, sizeof pos->words);
    proofs->n = s->n_input_proofs;
    for (unsigned i = 0; i < s->n_input_proofs; i++) {
        proofs->items[i] = s->input_proofs[i];
        proofs->lens[i] = PLASMA_MERKLE_PROOF_LEN;
    }
}

static void ife_args(abi_call *a, const plasma_call *c)
{
    switch (c->kind) {
    case PLASMA_CALL_PIGGYBACK_INPUT:
    case PLASMA_CALL_PIGGYBACK_OUTPUT:
        /* piggybackInFlightExitOnInput(bytes,uint256), …OnOutput(bytes,uint256) */
        a->selector = c->kind == PLASMA_CALL_PIGGYBACK_INPUT ? 0x35413e11U : 0x3b6fb8f4U;
        arg_bytes(a, c->piggyback.tx.b, c->piggyback.tx.len);
        arg_u64(a, c->piggyback.index);
        return;
    case PLASMA_CALL_CHALLENGE_IFE:
        a->selector =
            0xf35539b8U; /* challengeInFlightExitNotCanonical(bytes,uint256,bytes,uint256,uint256,bytes) */
        arg_bytes(a, c->challenge_ife.tx.b, c->challenge_ife.tx.len);
        arg_u64(a, c->challenge_ife.input_index);
        arg_bytes(a, c->challenge_ife.competing_tx.b, c->challenge_ife.competing_tx.len);
        arg_u64(a, c->challenge_ife.competing_input_index);
        arg_u64(a, c->challenge_ife.competitor_pos);
        arg_bytes(a, c->challenge_ife.competitor_proof.b, c->challenge_ife.competitor_proof.len);
        return;
    case PLASMA_CALL_RESPOND_IFE:
        a->selector = 0x36660de4U; /* respondToNonCanonicalChallenge(bytes,uint256,bytes) */
        arg_bytes(a, c->respond_ife.tx.b, c->respond_ife.tx.len);
        arg_u64(a, c->respond_ife.tx_pos);
        arg_bytes(a, c->respond_ife.proof.b, c->respond_ife.proof.len);
        return;
    case PLASMA_CALL_CHALLENGE_IFE_INPUT:
        a->selector = 0x5a7c8d4eU; /* challengeInFlightExitInputSpent(bytes,uint256,bytes,uint256) */
        arg_bytes(a, c->challenge_ife_input.tx.b, c->challenge_ife_input.tx.len);
        arg_u64(a, c->challenge_ife_input.input_index);
        arg_bytes(a, c->challenge_ife_input.spending_tx.b, c->challenge_ife_input.spending_tx.len);
        arg_u64(a, c->challenge_ife_input.spending_input_index);
        return;
    case PLASMA_CALL_CHALLENGE_IFE_OUTPUT:
        a->selector = 0xbd4e2150U; /* challengeInFlightExitOutputSpent(bytes,uint256,bytes,bytes,uint256) */
        arg_bytes(a, c->challenge_ife_output.tx.b, c->challenge_ife_output.tx.len);
        arg_u64(a, c->challenge_ife_output.output_utxo_pos);
        arg_bytes(a, c->challenge_ife_output.proof.b, c->challenge_ife_output.proof.len);
        arg_bytes(a, c->challenge_ife_output.spending_tx.b, c->challenge_ife_output.spending_tx.len);
        arg_u64(a, c->challenge_ife_output.spending_input_index);
        return;
    case PLASMA_CALL_DELETE_IFE:
        a->selector = 0xf67d0797U; /* deleteNonPiggybackedInFlightExit(uint256) */
        arg_u256(a, &c->delete_ife.ife_id);
        return;
    case PLASMA_CALL_WITHDRAW:
        a->selector = 0x51cff8d9U; /* withdraw(address) */
        arg_addr(a, &c->withdraw.token);
        return;
    default:
        a->selector = 0xbd64390bU; /* startInFlightExit(bytes,bytes[],uint256[],bytes[]) */
        start_ife_args(a, &c->start_ife);
        return;
    }
}

/* The function and arguments of call; false for a plain ETH transfer. */
static bool describe(abi_call *a, const plasma_call *c)
{
    memset(a, 0, sizeof *a);
    switch (c->kind) {
    case PLASMA_CALL_TRANSFER:
        if (eg_is_eth(&c->transfer.token))
            return false;
        a->selector = 0xa9059cbbU; /* transfer(address,uint256) */
        arg_addr(a, &c->transfer.to);
        arg_u256(a, &c->transfer.amount);
        return true;
    case PLASMA_CALL_DEPOSIT:
        a->selector = 0x47e7ef24U; /* deposit(address,uint256) */
        arg_addr(a, &c->deposit.token);
        arg_u256(a, &c->deposit.amount);
        return true;
    case PLASMA_CALL_SUBMIT_BLOCK:
        a->selector = 0xbaa47694U; /* submitBlock(bytes32) */
        memcpy(next_arg(a)->word, c->submit_block.root.b, 32);
        return true;
    case PLASMA_CALL_START_EXIT:
        a->selector = 0xa381d07eU; /* startStandardExit(uint256,bytes,bytes) */
        arg_u64(a, c->start_exit.utxo_pos);
        arg_bytes(a, c->start_exit.tx, c->start_exit.tx_len);
        arg_bytes(a, c->start_exit.proof, PLASMA_MERKLE_PROOF_LEN);
        return true;
    case PLASMA_CALL_CHALLENGE_EXIT:
        a->selector = 0xda6dc4ecU; /* challengeStandardExit(uint256,bytes,uint256) */
        arg_u64(a, c->challenge_exit.exit_id);
        arg_bytes(a, c->challenge_exit.tx, c->challenge_exit.tx_len);
        arg_u64(a, c->challenge_exit.input_index);
        return true;
    case PLASMA_CALL_PROCESS_EXITS:
        a->selector = 0x7b1bddd1U; /* processExits(address,uint256) */
        arg_addr(a, &c->process_exits.token);
        arg_u64(a, c->process_exits.max_exits);
        return true;
    default:
        ife_args(a, c);
        return true;
    }
}

int eg_call_calldata(plasma_buf *out, const plasma_call *call)
{
    abi_call a;
    size_t start = out->len;
    if (!describe(&a, call))
        return PLASMA_OK;
    int rc = encode(out, &a);
    if (rc != 0 && !out->failed)
        out->len = start;
    return rc;
}
