/* The signed call envelope (docs/rootchain-calls.md).
 *
 *   envelope     = rlp([chain_id, contract, nonce, gas_price, gas_limit, kind, args...])
 *   signing hash = keccak256(0x19 ‖ "PlasmaRootchainCall" ‖ envelope)
 *   signed form  = rlp([envelope, sig65])
 *   call hash    = keccak256(signing hash ‖ from)
 *
 * The chain id and contract bind a signature to one deployment; the 0x19
 * prefix keeps the signed bytes from ever being a valid Ethereum
 * transaction or an EIP-712 digest. */
#include "internal.h"

#define SIGNING_PREFIX "\x19PlasmaRootchainCall"
#define ENVELOPE_FIXED 6               /* chain_id .. kind */
#define MAX_ITEMS (ENVELOPE_FIXED + 6) /* challengeInFlightExitNotCanonical */

void plasma_call_init(plasma_call *out, plasma_call_kind kind, const plasma_addr *from, uint64_t nonce,
                      uint64_t gas_price, uint64_t gas_limit)
{
    memset(out, 0, sizeof *out);
    out->kind = kind;
    if (from)
        out->from = *from;
    out->nonce = nonce;
    out->gas_price = gas_price;
    out->gas_limit = gas_limit;
}

void plasma_call_value(plasma_u256 *out, const plasma_call *call)
{
    switch (call->kind) {
    case PLASMA_CALL_START_EXIT:
        *out = call->start_exit.bond;
        return;
    case PLASMA_CALL_START_IFE:
        *out = call->start_ife.bond;
        return;
    case PLASMA_CALL_PIGGYBACK_INPUT:
    case PLASMA_CALL_PIGGYBACK_OUTPUT:
        *out = call->piggyback.bond;
        return;
    default:
        *out = plasma_u256_from_u64(0);
        return;
    }
}

int plasma_call_tx_encode(plasma_call_tx *out, const plasma_tx *tx, bool with_sigs)
{
    plasma_buf b = {0};
    int rc = with_sigs ? plasma_tx_encode_signed(&b, tx) : plasma_tx_encode_unsigned(&b, tx);
    if (rc == 0 && b.len > sizeof out->b)
        rc = PLASMA_ERR_BAD_CALL;
    if (rc == 0) {
        memcpy(out->b, b.data, b.len);
        out->len = b.len;
    }
    plasma_buf_free(&b);
    return rc;
}

/* The most a default limit asks for: nine tenths of a default block, so
 * that the call does not wait for a block nothing else is in. */
#define MAX_DEFAULT_GAS_LIMIT (PLASMA_CHAIN_DEFAULT_BLOCK_GAS_LIMIT / 10 * 9)

uint64_t plasma_call_default_gas_limit(const plasma_call *call)
{
    switch (call->kind) {
    case PLASMA_CALL_START_EXIT:
    case PLASMA_CALL_CHALLENGE_EXIT:
        return 1000000;
    case PLASMA_CALL_START_IFE:
        return 1500000; /* four inputs: about 500,000 */
    case PLASMA_CALL_PROCESS_EXITS: {
        /* an in-flight exit's entry can cost a few standard exits */
        uint64_t n = call->process_exits.max_exits;
        return n > (MAX_DEFAULT_GAS_LIMIT - 100000) / 600000 ? MAX_DEFAULT_GAS_LIMIT : 100000 + 600000 * n;
    }
    case PLASMA_CALL_PIGGYBACK_INPUT:
    case PLASMA_CALL_PIGGYBACK_OUTPUT:
    case PLASMA_CALL_CHALLENGE_IFE:
    case PLASMA_CALL_RESPOND_IFE:
    case PLASMA_CALL_CHALLENGE_IFE_INPUT:
    case PLASMA_CALL_CHALLENGE_IFE_OUTPUT:
    case PLASMA_CALL_DELETE_IFE:
        return 600000;
    default:
        return 300000;
    }
}

/* ---- encoding ---- */

static void put_addr(plasma_buf *b, const plasma_addr *a)
{
    plasma_rlp_put_bytes(b, a->b, sizeof a->b);
}

static bool put_tx(plasma_buf *b, const plasma_call_tx *tx)
{
    if (tx->len > PLASMA_CALL_MAX_TX)
        return false;
    plasma_rlp_put_bytes(b, tx->b, tx->len);
    return true;
}

static bool put_proof(plasma_buf *b, const plasma_call_proof *p)
{
    if (p->len != 0 && p->len != PLASMA_MERKLE_PROOF_LEN)
        return false;
    plasma_rlp_put_bytes(b, p->b, p->len);
    return true;
}

static bool put_start_ife(plasma_buf *b, const plasma_call *call)
{
    const plasma_call_start_ife *a = &call->start_ife;
    if (a->n_input_txs > PLASMA_MAX_INPUTS || a->n_input_pos > PLASMA_MAX_INPUTS ||
        a->n_input_proofs > PLASMA_MAX_INPUTS || !put_tx(b, &a->tx))
        return false;
    size_t mark = plasma_rlp_list_begin(b);
    for (unsigned i = 0; i < a->n_input_txs; i++)
        if (!put_tx(b, &a->input_txs[i]))
            return false;
    plasma_rlp_list_end(b, mark);
    mark = plasma_rlp_list_begin(b);
    for (unsigned i = 0; i < a->n_input_pos; i++)
        plasma_rlp_put_u64(b, a->input_pos[i]);
    plasma_rlp_list_end(b, mark);
    mark = plasma_rlp_list_begin(b);
    for (unsigned i = 0; i < a->n_input_proofs; i++)
        plasma_rlp_put_bytes(b, a->input_proofs[i], PLASMA_MERKLE_PROOF_LEN);
    plasma_rlp_list_end(b, mark);
    plasma_rlp_put_u256(b, &a->bond);
    return true;
}

/* The in-flight exit kinds' arguments; false when a length is out of bounds. */
static bool put_ife_args(plasma_buf *b, const plasma_call *call)
{
    switch (call->kind) {
    case PLASMA_CALL_START_IFE:
        return put_start_ife(b, call);
    case PLASMA_CALL_PIGGYBACK_INPUT:
    case PLASMA_CALL_PIGGYBACK_OUTPUT:
        if (!put_tx(b, &call->piggyback.tx))
            return false;
        plasma_rlp_put_u64(b, call->piggyback.index);
        plasma_rlp_put_u256(b, &call->piggyback.bond);
        return true;
    case PLASMA_CALL_CHALLENGE_IFE:
        if (!put_tx(b, &call->challenge_ife.tx))
            return false;
        plasma_rlp_put_u64(b, call->challenge_ife.input_index);
        if (!put_tx(b, &call->challenge_ife.competing_tx))
            return false;
        plasma_rlp_put_u64(b, call->challenge_ife.competing_input_index);
        plasma_rlp_put_u64(b, call->challenge_ife.competitor_pos);
        return put_proof(b, &call->challenge_ife.competitor_proof);
    case PLASMA_CALL_RESPOND_IFE:
        if (!put_tx(b, &call->respond_ife.tx))
            return false;
        plasma_rlp_put_u64(b, call->respond_ife.tx_pos);
        return put_proof(b, &call->respond_ife.proof);
    case PLASMA_CALL_CHALLENGE_IFE_INPUT:
        if (!put_tx(b, &call->challenge_ife_input.tx))
            return false;
        plasma_rlp_put_u64(b, call->challenge_ife_input.input_index);
        if (!put_tx(b, &call->challenge_ife_input.spending_tx))
            return false;
        plasma_rlp_put_u64(b, call->challenge_ife_input.spending_input_index);
        return true;
    case PLASMA_CALL_CHALLENGE_IFE_OUTPUT:
        if (!put_tx(b, &call->challenge_ife_output.tx))
            return false;
        plasma_rlp_put_u64(b, call->challenge_ife_output.output_utxo_pos);
        if (!put_proof(b, &call->challenge_ife_output.proof) ||
            !put_tx(b, &call->challenge_ife_output.spending_tx))
            return false;
        plasma_rlp_put_u64(b, call->challenge_ife_output.spending_input_index);
        return true;
    case PLASMA_CALL_DELETE_IFE:
        plasma_rlp_put_u256(b, &call->delete_ife.ife_id);
        return true;
    case PLASMA_CALL_WITHDRAW:
        plasma_rlp_put_bytes(b, call->withdraw.token.b, sizeof call->withdraw.token.b);
        return true;
    default:
        return false;
    }
}

/* Appends kind and the arguments as list items (no list header). */
static int put_kind_args(plasma_buf *b, const plasma_call *call)
{
    plasma_rlp_put_u64(b, (uint64_t)call->kind);
    switch (call->kind) {
    case PLASMA_CALL_TRANSFER:
        put_addr(b, &call->transfer.to);
        put_addr(b, &call->transfer.token);
        plasma_rlp_put_u256(b, &call->transfer.amount);
        break;
    case PLASMA_CALL_DEPOSIT:
        put_addr(b, &call->deposit.token);
        plasma_rlp_put_u256(b, &call->deposit.amount);
        break;
    case PLASMA_CALL_SUBMIT_BLOCK:
        plasma_rlp_put_bytes(b, call->submit_block.root.b, sizeof call->submit_block.root.b);
        break;
    case PLASMA_CALL_START_EXIT:
        if (call->start_exit.tx_len > PLASMA_CALL_MAX_TX)
            return PLASMA_ERR_BAD_CALL;
        plasma_rlp_put_u64(b, call->start_exit.utxo_pos);
        plasma_rlp_put_bytes(b, call->start_exit.tx, call->start_exit.tx_len);
        plasma_rlp_put_bytes(b, call->start_exit.proof, PLASMA_MERKLE_PROOF_LEN);
        plasma_rlp_put_u256(b, &call->start_exit.bond);
        break;
    case PLASMA_CALL_CHALLENGE_EXIT:
        if (call->challenge_exit.tx_len > PLASMA_CALL_MAX_TX)
            return PLASMA_ERR_BAD_CALL;
        plasma_rlp_put_u64(b, call->challenge_exit.exit_id);
        plasma_rlp_put_bytes(b, call->challenge_exit.tx, call->challenge_exit.tx_len);
        plasma_rlp_put_u64(b, call->challenge_exit.input_index);
        break;
    case PLASMA_CALL_PROCESS_EXITS:
        put_addr(b, &call->process_exits.token);
        plasma_rlp_put_u64(b, call->process_exits.max_exits);
        break;
    default:
        if (!put_ife_args(b, call))
            return PLASMA_ERR_BAD_CALL;
        break;
    }
    return b->failed ? PLASMA_ERR_NOMEM : PLASMA_OK;
}

/* Runs an encoder; on failure buf is left as it was (unless it had
 * already failed). */
static int finish(plasma_buf *buf, size_t start, size_t mark, int rc)
{
    if (rc == 0)
        rc = plasma_rlp_list_end(buf, mark);
    if (rc == 0 && buf->failed)
        rc = PLASMA_ERR_NOMEM;
    if (rc != 0 && !buf->failed)
        buf->len = start;
    return rc;
}

int eg_call_encode_args(plasma_buf *buf, const plasma_call *call)
{
    size_t start = buf->len, mark = plasma_rlp_list_begin(buf);
    return finish(buf, start, mark, put_kind_args(buf, call));
}

int plasma_call_encode(plasma_buf *buf, const plasma_call_domain *domain, const plasma_call *call)
{
    size_t start = buf->len, mark = plasma_rlp_list_begin(buf);
    plasma_rlp_put_u64(buf, domain->chain_id);
    put_addr(buf, &domain->contract);
    plasma_rlp_put_u64(buf, call->nonce);
    plasma_rlp_put_u64(buf, call->gas_price);
    plasma_rlp_put_u64(buf, call->gas_limit);
    return finish(buf, start, mark, put_kind_args(buf, call));
}

int plasma_call_encode_signed(plasma_buf *buf, const plasma_call_domain *domain, const plasma_call *call,
                              const plasma_sig *sig)
{
    size_t start = buf->len, mark = plasma_rlp_list_begin(buf);
    int rc = plasma_call_encode(buf, domain, call);
    if (rc == 0)
        rc = plasma_rlp_put_bytes(buf, sig->b, sizeof sig->b);
    return finish(buf, start, mark, rc);
}

/* ---- hashing and signatures ---- */

int plasma_call_signing_hash(plasma_hash *out, const plasma_call_domain *domain, const plasma_call *call)
{
    plasma_buf buf = {0};
    int rc = plasma_call_encode(&buf, domain, call);
    if (rc == 0) {
        plasma_keccak k;
        plasma_keccak_init(&k);
        plasma_keccak_update(&k, SIGNING_PREFIX, sizeof SIGNING_PREFIX - 1);
        plasma_keccak_update(&k, buf.data, buf.len);
        plasma_keccak_final(&k, out);
    }
    plasma_buf_free(&buf);
    return rc;
}

int plasma_call_sign(plasma_sig *out, const plasma_call_domain *domain, const plasma_call *call,
                     const plasma_privkey *key)
{
    plasma_hash h;
    int rc = plasma_call_signing_hash(&h, domain, call);
    return rc ? rc : plasma_sign(out, &h, key);
}

int plasma_call_recover(plasma_addr *out, const plasma_call_domain *domain, const plasma_call *call,
                        const plasma_sig *sig)
{
    plasma_hash h;
    int rc = plasma_call_signing_hash(&h, domain, call);
    return rc ? rc : plasma_recover(out, &h, sig);
}

int plasma_call_hash(plasma_hash *out, const plasma_call_domain *domain, const plasma_call *call)
{
    uint8_t pre[32 + 20];
    plasma_hash h;
    int rc = plasma_call_signing_hash(&h, domain, call);
    if (rc != 0)
        return rc;
    memcpy(pre, h.b, 32);
    memcpy(pre + 32, call->from.b, 20);
    plasma_keccak256(out, pre, sizeof pre);
    return PLASMA_OK;
}

int plasma_call_calldata(plasma_buf *out, const plasma_call *call)
{
    /* The envelope's encoder checks the kind and every length. */
    plasma_buf args = {0};
    int rc = eg_call_encode_args(&args, call);
    plasma_buf_free(&args);
    return rc ? rc : eg_call_calldata(out, call);
}

int eg_call_intrinsic_gas(uint64_t *out, const plasma_call *call)
{
    plasma_buf buf = {0};
    int rc = plasma_call_calldata(&buf, call);
    if (rc == 0) {
        uint64_t gas = PLASMA_GAS_BASE;
        for (size_t i = 0; i < buf.len; i++)
            gas += buf.data[i] ? PLASMA_GAS_CALLDATA_NONZERO : PLASMA_GAS_CALLDATA_ZERO;
        *out = gas;
    }
    plasma_buf_free(&buf);
    return rc;
}

uint64_t plasma_call_intrinsic_gas(const plasma_call *call)
{
    uint64_t gas = 0;
    return eg_call_intrinsic_gas(&gas, call) == 0 ? gas : 0;
}

/* ---- strict decoding ---- */

static bool get_u64(uint64_t *out, const plasma_rlp_item *it)
{
    return plasma_rlp_to_u64(out, it) == 0;
}

static bool get_u256(plasma_u256 *out, const plasma_rlp_item *it)
{
    return plasma_rlp_to_u256(out, it) == 0;
}

static bool get_addr(plasma_addr *out, const plasma_rlp_item *it)
{
    return plasma_rlp_to_fixed(out->b, sizeof out->b, it) == 0;
}

static bool get_bytes(uint8_t *out, size_t *len, size_t max, const plasma_rlp_item *it)
{
    if (it->is_list || it->len > max)
        return false;
    memcpy(out, it->data, it->len);
    *len = it->len;
    return true;
}

static bool get_tx(plasma_call_tx *out, const plasma_rlp_item *it)
{
    return get_bytes(out->b, &out->len, PLASMA_CALL_MAX_TX, it);
}

static bool get_proof(plasma_call_proof *out, const plasma_rlp_item *it)
{
    return get_bytes(out->b, &out->len, PLASMA_MERKLE_PROOF_LEN, it) &&
           (out->len == 0 || out->len == PLASMA_MERKLE_PROOF_LEN);
}

static size_t arg_count(uint64_t kind)
{
    static const size_t counts[PLASMA_CALL_KINDS] = {0, 3, 2, 1, 4, 3, 2, 5, 3, 3, 6, 3, 4, 5, 1, 1};
    return kind < PLASMA_CALL_KINDS ? counts[kind] : 0;
}

/* Reads the items of an array argument (at most PLASMA_MAX_INPUTS). */
static bool get_array(plasma_rlp_item items[PLASMA_MAX_INPUTS], uint8_t *n, const plasma_rlp_item *list)
{
    if (!list->is_list)
        return false;
    plasma_rlp_iter it;
    plasma_rlp_iter_init(&it, list);
    *n = 0;
    for (;;) {
        plasma_rlp_item item;
        int r = plasma_rlp_iter_next(&it, &item);
        if (r == 0)
            return true;
        if (r < 0 || *n == PLASMA_MAX_INPUTS)
            return false;
        items[(*n)++] = item;
    }
}

static bool get_start_ife(plasma_call *c, const plasma_rlp_item *a)
{
    plasma_call_start_ife *s = &c->start_ife;
    plasma_rlp_item txs[PLASMA_MAX_INPUTS], pos[PLASMA_MAX_INPUTS], proofs[PLASMA_MAX_INPUTS];
    if (!get_tx(&s->tx, &a[0]) || !get_array(txs, &s->n_input_txs, &a[1]) ||
        !get_array(pos, &s->n_input_pos, &a[2]) || !get_array(proofs, &s->n_input_proofs, &a[3]) ||
        !get_u256(&s->bond, &a[4]))
        return false;
    for (unsigned i = 0; i < s->n_input_txs; i++)
        if (!get_tx(&s->input_txs[i], &txs[i]))
            return false;
    for (unsigned i = 0; i < s->n_input_pos; i++)
        if (!get_u64(&s->input_pos[i], &pos[i]))
            return false;
    for (unsigned i = 0; i < s->n_input_proofs; i++)
        if (plasma_rlp_to_fixed(s->input_proofs[i], PLASMA_MERKLE_PROOF_LEN, &proofs[i]) != 0)
            return false;
    return true;
}

static bool get_ife_args(plasma_call *c, const plasma_rlp_item *a)
{
    switch (c->kind) {
    case PLASMA_CALL_START_IFE:
        return get_start_ife(c, a);
    case PLASMA_CALL_PIGGYBACK_INPUT:
    case PLASMA_CALL_PIGGYBACK_OUTPUT:
        return get_tx(&c->piggyback.tx, &a[0]) && get_u64(&c->piggyback.index, &a[1]) &&
               get_u256(&c->piggyback.bond, &a[2]);
    case PLASMA_CALL_CHALLENGE_IFE:
        return get_tx(&c->challenge_ife.tx, &a[0]) && get_u64(&c->challenge_ife.input_index, &a[1]) &&
               get_tx(&c->challenge_ife.competing_tx, &a[2]) &&
               get_u64(&c->challenge_ife.competing_input_index, &a[3]) &&
               get_u64(&c->challenge_ife.competitor_pos, &a[4]) &&
               get_proof(&c->challenge_ife.competitor_proof, &a[5]);
    case PLASMA_CALL_RESPOND_IFE:
        return get_tx(&c->respond_ife.tx, &a[0]) && get_u64(&c->respond_ife.tx_pos, &a[1]) &&
               get_proof(&c->respond_ife.proof, &a[2]);
    case PLASMA_CALL_CHALLENGE_IFE_INPUT:
        return get_tx(&c->challenge_ife_input.tx, &a[0]) &&
               get_u64(&c->challenge_ife_input.input_index, &a[1]) &&
               get_tx(&c->challenge_ife_input.spending_tx, &a[2]) &&
               get_u64(&c->challenge_ife_input.spending_input_index, &a[3]);
    case PLASMA_CALL_CHALLENGE_IFE_OUTPUT:
        return get_tx(&c->challenge_ife_output.tx, &a[0]) &&
               get_u64(&c->challenge_ife_output.output_utxo_pos, &a[1]) &&
               get_proof(&c->challenge_ife_output.proof, &a[2]) &&
               get_tx(&c->challenge_ife_output.spending_tx, &a[3]) &&
               get_u64(&c->challenge_ife_output.spending_input_index, &a[4]);
    case PLASMA_CALL_DELETE_IFE:
        return get_u256(&c->delete_ife.ife_id, &a[0]);
    case PLASMA_CALL_WITHDRAW:
        return get_addr(&c->withdraw.token, &a[0]);
    default:
        return false;
    }
}

static bool get_args(plasma_call *c, const plasma_rlp_item *a)
{
    uint64_t v;
    switch (c->kind) {
    case PLASMA_CALL_TRANSFER:
        return get_addr(&c->transfer.to, &a[0]) && get_addr(&c->transfer.token, &a[1]) &&
               get_u256(&c->transfer.amount, &a[2]);
    case PLASMA_CALL_DEPOSIT:
        return get_addr(&c->deposit.token, &a[0]) && get_u256(&c->deposit.amount, &a[1]);
    case PLASMA_CALL_SUBMIT_BLOCK:
        return plasma_rlp_to_fixed(c->submit_block.root.b, 32, &a[0]) == 0;
    case PLASMA_CALL_START_EXIT:
        return get_u64(&c->start_exit.utxo_pos, &a[0]) &&
               get_bytes(c->start_exit.tx, &c->start_exit.tx_len, PLASMA_CALL_MAX_TX, &a[1]) &&
               plasma_rlp_to_fixed(c->start_exit.proof, PLASMA_MERKLE_PROOF_LEN, &a[2]) == 0 &&
               get_u256(&c->start_exit.bond, &a[3]);
    case PLASMA_CALL_CHALLENGE_EXIT:
        if (!get_u64(&c->challenge_exit.exit_id, &a[0]) ||
            !get_bytes(c->challenge_exit.tx, &c->challenge_exit.tx_len, PLASMA_CALL_MAX_TX, &a[1]) ||
            !get_u64(&v, &a[2]) || v > UINT32_MAX)
            return false;
        c->challenge_exit.input_index = (uint32_t)v;
        return true;
    case PLASMA_CALL_PROCESS_EXITS:
        return get_addr(&c->process_exits.token, &a[0]) && get_u64(&c->process_exits.max_exits, &a[1]);
    default:
        return get_ife_args(c, a);
    }
}

/* Splits a list into at most MAX_ITEMS items. */
static bool split(plasma_rlp_item items[MAX_ITEMS], size_t *n, const plasma_rlp_item *list)
{
    plasma_rlp_iter it;
    plasma_rlp_iter_init(&it, list);
    *n = 0;
    for (;;) {
        plasma_rlp_item item;
        int r = plasma_rlp_iter_next(&it, &item);
        if (r == 0)
            return true;
        if (r < 0 || *n == MAX_ITEMS)
            return false;
        items[(*n)++] = item;
    }
}

static bool decode_items(plasma_call *c, const plasma_call_domain *domain, const plasma_rlp_item *items,
                         size_t n)
{
    uint64_t chain_id, kind;
    plasma_addr contract;
    if (n < ENVELOPE_FIXED || !get_u64(&chain_id, &items[0]) || !get_addr(&contract, &items[1]) ||
        !get_u64(&c->nonce, &items[2]) || !get_u64(&c->gas_price, &items[3]) ||
        !get_u64(&c->gas_limit, &items[4]) || !get_u64(&kind, &items[5]))
        return false;
    if (chain_id != domain->chain_id || !plasma_addr_eq(&contract, &domain->contract))
        return false;
    size_t want = arg_count(kind);
    if (want == 0 || n != ENVELOPE_FIXED + want)
        return false;
    c->kind = (plasma_call_kind)kind;
    return get_args(c, items + ENVELOPE_FIXED);
}

int plasma_call_decode(plasma_call *out, const plasma_call_domain *domain, const uint8_t *buf, size_t len)
{
    plasma_rlp_item top, items[MAX_ITEMS];
    size_t n;
    if (plasma_rlp_decode(&top, buf, len) != 0 || !top.is_list || !split(items, &n, &top))
        return PLASMA_ERR_BAD_CALL;
    plasma_call c;
    memset(&c, 0, sizeof c);
    if (!decode_items(&c, domain, items, n))
        return PLASMA_ERR_BAD_CALL;
    *out = c;
    return PLASMA_OK;
}

int plasma_call_decode_signed(plasma_call *out, plasma_sig *sig, const plasma_call_domain *domain,
                              const uint8_t *buf, size_t len)
{
    plasma_rlp_item top, env, sig_item;
    size_t env_len, sig_len;
    if (plasma_rlp_decode(&top, buf, len) != 0 || !top.is_list ||
        plasma_rlp_decode_prefix(&env, &env_len, top.data, top.len) != 0 || !env.is_list ||
        plasma_rlp_decode_prefix(&sig_item, &sig_len, top.data + env_len, top.len - env_len) != 0 ||
        env_len + sig_len != top.len)
        return PLASMA_ERR_BAD_CALL;
    plasma_sig s;
    if (plasma_rlp_to_fixed(s.b, sizeof s.b, &sig_item) != 0)
        return PLASMA_ERR_BAD_CALL;
    plasma_call c;
    int rc = plasma_call_decode(&c, domain, top.data, env_len);
    if (rc == 0)
        rc = plasma_call_recover(&c.from, domain, &c, &s);
    if (rc != 0)
        return rc;
    *out = c;
    if (sig)
        *sig = s;
    return PLASMA_OK;
}
