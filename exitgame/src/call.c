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
#define ENVELOPE_FIXED 6 /* chain_id .. kind */
#define MAX_ITEMS (ENVELOPE_FIXED + 4)

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

/* ---- encoding ---- */

static void put_addr(plasma_buf *b, const plasma_addr *a)
{
    plasma_rlp_put_bytes(b, a->b, sizeof a->b);
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
        return PLASMA_ERR_BAD_CALL;
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

int eg_call_intrinsic_gas(uint64_t *out, const plasma_call *call)
{
    plasma_buf buf = {0};
    int rc = eg_call_encode_args(&buf, call);
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

static size_t arg_count(uint64_t kind)
{
    static const size_t counts[] = {0, 3, 2, 1, 4, 3, 2};
    return kind < sizeof counts / sizeof counts[0] ? counts[kind] : 0;
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
    }
    return false;
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
