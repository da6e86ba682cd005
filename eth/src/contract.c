/* The contract's functions and views: calldata, returns, the handle.
 * See plasma/eth_contract.h. */
#include <stdlib.h>
#include <string.h>

#include "plasma/err.h"
#include "plasma/eth_contract.h"
#include "plasma/u256.h"

typedef struct fn_row {
    const char *signature;
    const char *returns;
} fn_row;

/* In plasma_eth_fn's order; the selectors are checked against the shared
 * vectors (abi.json) by the tests. */
static const fn_row FNS[PLASMA_ETH_FN_COUNT] = {
    [PLASMA_ETH_FN_DEPOSIT] = {"deposit(address,uint256)", ""},
    [PLASMA_ETH_FN_SUBMIT_BLOCK] = {"submitBlock(bytes32)", ""},
    [PLASMA_ETH_FN_START_STANDARD_EXIT] = {"startStandardExit(uint256,bytes,bytes)", ""},
    [PLASMA_ETH_FN_CHALLENGE_STANDARD_EXIT] = {"challengeStandardExit(uint256,bytes,uint256)", ""},
    [PLASMA_ETH_FN_START_IN_FLIGHT_EXIT] = {"startInFlightExit(bytes,bytes[],uint256[],bytes[])", ""},
    [PLASMA_ETH_FN_PIGGYBACK_INPUT] = {"piggybackInFlightExitOnInput(bytes,uint256)", ""},
    [PLASMA_ETH_FN_PIGGYBACK_OUTPUT] = {"piggybackInFlightExitOnOutput(bytes,uint256)", ""},
    [PLASMA_ETH_FN_CHALLENGE_IFE_NOT_CANONICAL] =
        {"challengeInFlightExitNotCanonical(bytes,uint256,bytes,uint256,uint256,bytes)", ""},
    [PLASMA_ETH_FN_RESPOND_NON_CANONICAL] = {"respondToNonCanonicalChallenge(bytes,uint256,bytes)", ""},
    [PLASMA_ETH_FN_CHALLENGE_IFE_INPUT_SPENT] =
        {"challengeInFlightExitInputSpent(bytes,uint256,bytes,uint256)", ""},
    [PLASMA_ETH_FN_CHALLENGE_IFE_OUTPUT_SPENT] =
        {"challengeInFlightExitOutputSpent(bytes,uint256,bytes,bytes,uint256)", ""},
    [PLASMA_ETH_FN_DELETE_NON_PIGGYBACKED_IFE] = {"deleteNonPiggybackedInFlightExit(uint256)", ""},
    [PLASMA_ETH_FN_PROCESS_EXITS] = {"processExits(address,uint256)", ""},
    [PLASMA_ETH_FN_WITHDRAW] = {"withdraw(address)", ""},
    [PLASMA_ETH_FN_OPERATOR] = {"operator()", "address"},
    [PLASMA_ETH_FN_MIN_EXIT_PERIOD] = {"minExitPeriod()", "uint256"},
    [PLASMA_ETH_FN_EXIT_BOND] = {"exitBond()", "uint256"},
    [PLASMA_ETH_FN_IFE_BOND] = {"ifeBond()", "uint256"},
    [PLASMA_ETH_FN_PIGGYBACK_BOND] = {"piggybackBond()", "uint256"},
    [PLASMA_ETH_FN_NEXT_CHILD_BLOCK] = {"nextChildBlock()", "uint256"},
    [PLASMA_ETH_FN_NEXT_DEPOSIT_BLOCK] = {"nextDepositBlock()", "uint256"},
    [PLASMA_ETH_FN_BLOCKS] = {"blocks(uint256)", "bytes32,uint256"},
    [PLASMA_ETH_FN_EXITS] = {"exits(uint256)", "address,address,uint256,uint256,bytes32,uint8,bool"},
    [PLASMA_ETH_FN_IN_FLIGHT_EXITS] = {"inFlightExits(uint256)",
                                       "uint256,uint256,uint256,uint256,address,bool,uint8,uint8,uint8,uint8,"
                                       "uint8,uint8"},
    [PLASMA_ETH_FN_FINALIZED] = {"finalized(bytes32)", "uint256"},
    [PLASMA_ETH_FN_QUEUE_LENGTH] = {"queueLength(address)", "uint256"},
    [PLASMA_ETH_FN_QUEUE_HEAD] = {"queueHead(address)", "uint256,uint256"},
    [PLASMA_ETH_FN_WITHDRAWABLE] = {"withdrawable(address,address)", "uint256"},
    [PLASMA_ETH_FN_DOMAIN_SEPARATOR] = {"domainSeparator()", "bytes32"},
    [PLASMA_ETH_FN_IFE_INPUT] = {"inFlightExitInput(uint256,uint256)", "bytes32,address,address,uint256"},
    [PLASMA_ETH_FN_IFE_OUTPUT] = {"inFlightExitOutput(uint256,uint256)", "bytes32,address,address,uint256"},
};

const char *plasma_eth_fn_signature(plasma_eth_fn fn)
{
    return (unsigned)fn < PLASMA_ETH_FN_COUNT ? FNS[fn].signature : NULL;
}

const char *plasma_eth_fn_returns(plasma_eth_fn fn)
{
    return (unsigned)fn < PLASMA_ETH_FN_COUNT ? FNS[fn].returns : NULL;
}

int plasma_eth_encode(plasma_buf *out, plasma_eth_fn fn, const plasma_eth_abi_value *args, size_t n)
{
    const char *sig = plasma_eth_fn_signature(fn);
    return sig ? plasma_eth_abi_encode_call(out, sig, args, n) : PLASMA_ERR_BAD_REQUEST;
}

int plasma_eth_decode_calldata(plasma_eth_fn *fn, plasma_eth_abi_value **args, size_t *n, const uint8_t *data,
                               size_t len)
{
    if (len < 4)
        return PLASMA_ERR_NOT_FOUND;
    for (unsigned f = 0; f < PLASMA_ETH_FN_COUNT; f++) {
        uint8_t sel[4];
        plasma_eth_abi_selector(sel, FNS[f].signature);
        if (memcmp(sel, data, 4) != 0)
            continue;
        int rc = plasma_eth_abi_decode_call(args, n, FNS[f].signature, data, len);
        if (rc == 0)
            *fn = (plasma_eth_fn)f;
        return rc;
    }
    return PLASMA_ERR_NOT_FOUND;
}

int plasma_eth_encode_constructor(plasma_buf *out, const uint8_t *bytecode, size_t len,
                                  const plasma_eth_deploy_args *args)
{
    plasma_eth_abi_value v[4] = {plasma_eth_abi_uint(&args->min_exit_period),
                                 plasma_eth_abi_uint(&args->exit_bond), plasma_eth_abi_uint(&args->ife_bond),
                                 plasma_eth_abi_uint(&args->piggyback_bond)};
    size_t mark = out->len;
    if (plasma_buf_append(out, bytecode, len) != 0)
        return PLASMA_ERR_NOMEM;
    int rc = plasma_eth_abi_encode(out, "uint256,uint256,uint256,uint256", v, 4);
    if (rc != 0 && !out->failed)
        out->len = mark;
    return rc;
}

/* --- typed calldata --- */

static plasma_eth_abi_value bytes_v(plasma_eth_bytes b)
{
    return plasma_eth_abi_bytes(b.data, b.len);
}

int plasma_eth_encode_deposit(plasma_buf *out, const plasma_addr *token, const plasma_u256 *amount)
{
    plasma_eth_abi_value v[] = {plasma_eth_abi_addr(token), plasma_eth_abi_uint(amount)};
    return plasma_eth_encode(out, PLASMA_ETH_FN_DEPOSIT, v, 2);
}

int plasma_eth_encode_submit_block(plasma_buf *out, const plasma_hash *root)
{
    plasma_eth_abi_value v[] = {plasma_eth_abi_word(root)};
    return plasma_eth_encode(out, PLASMA_ETH_FN_SUBMIT_BLOCK, v, 1);
}

int plasma_eth_encode_start_standard_exit(plasma_buf *out, uint64_t utxo_pos, plasma_eth_bytes tx,
                                          plasma_eth_bytes proof)
{
    plasma_eth_abi_value v[] = {plasma_eth_abi_u64(utxo_pos), bytes_v(tx), bytes_v(proof)};
    return plasma_eth_encode(out, PLASMA_ETH_FN_START_STANDARD_EXIT, v, 3);
}

int plasma_eth_encode_challenge_standard_exit(plasma_buf *out, uint64_t exit_id,
                                              plasma_eth_bytes challenge_tx, uint64_t input_index)
{
    plasma_eth_abi_value v[] = {plasma_eth_abi_u64(exit_id), bytes_v(challenge_tx),
                                plasma_eth_abi_u64(input_index)};
    return plasma_eth_encode(out, PLASMA_ETH_FN_CHALLENGE_STANDARD_EXIT, v, 3);
}

int plasma_eth_encode_start_in_flight_exit(plasma_buf *out, plasma_eth_bytes tx,
                                           const plasma_eth_bytes *input_txs, size_t n_input_txs,
                                           const uint64_t *input_utxo_pos, size_t n_pos,
                                           const plasma_eth_bytes *input_proofs, size_t n_proofs)
{
    size_t total = n_input_txs + n_pos + n_proofs;
    plasma_eth_abi_value *items = calloc(total ? total : 1, sizeof *items);
    if (!items)
        return PLASMA_ERR_NOMEM;
    plasma_eth_abi_value *txs = items, *pos = items + n_input_txs, *proofs = pos + n_pos;
    for (size_t i = 0; i < n_input_txs; i++)
        txs[i] = bytes_v(input_txs[i]);
    for (size_t i = 0; i < n_pos; i++)
        pos[i] = plasma_eth_abi_u64(input_utxo_pos[i]);
    for (size_t i = 0; i < n_proofs; i++)
        proofs[i] = bytes_v(input_proofs[i]);
    plasma_eth_abi_value v[] = {bytes_v(tx), plasma_eth_abi_list(txs, n_input_txs),
                                plasma_eth_abi_list(pos, n_pos), plasma_eth_abi_list(proofs, n_proofs)};
    int rc = plasma_eth_encode(out, PLASMA_ETH_FN_START_IN_FLIGHT_EXIT, v, 4);
    free(items);
    return rc;
}

int plasma_eth_encode_piggyback(plasma_buf *out, bool output, plasma_eth_bytes tx, uint64_t index)
{
    plasma_eth_abi_value v[] = {bytes_v(tx), plasma_eth_abi_u64(index)};
    return plasma_eth_encode(out, output ? PLASMA_ETH_FN_PIGGYBACK_OUTPUT : PLASMA_ETH_FN_PIGGYBACK_INPUT, v,
                             2);
}

int plasma_eth_encode_challenge_ife_not_canonical(plasma_buf *out, const plasma_eth_noncanonical_args *a)
{
    plasma_eth_abi_value v[] = {bytes_v(a->tx),
                                plasma_eth_abi_u64(a->input_index),
                                bytes_v(a->competing_tx),
                                plasma_eth_abi_u64(a->competing_input_index),
                                plasma_eth_abi_u64(a->competitor_pos),
                                bytes_v(a->competitor_proof)};
    return plasma_eth_encode(out, PLASMA_ETH_FN_CHALLENGE_IFE_NOT_CANONICAL, v, 6);
}

int plasma_eth_encode_respond_non_canonical(plasma_buf *out, plasma_eth_bytes tx, uint64_t tx_pos,
                                            plasma_eth_bytes proof)
{
    plasma_eth_abi_value v[] = {bytes_v(tx), plasma_eth_abi_u64(tx_pos), bytes_v(proof)};
    return plasma_eth_encode(out, PLASMA_ETH_FN_RESPOND_NON_CANONICAL, v, 3);
}

int plasma_eth_encode_challenge_ife_input_spent(plasma_buf *out, plasma_eth_bytes tx, uint64_t input_index,
                                                plasma_eth_bytes spending_tx, uint64_t spending_input_index)
{
    plasma_eth_abi_value v[] = {bytes_v(tx), plasma_eth_abi_u64(input_index), bytes_v(spending_tx),
                                plasma_eth_abi_u64(spending_input_index)};
    return plasma_eth_encode(out, PLASMA_ETH_FN_CHALLENGE_IFE_INPUT_SPENT, v, 4);
}

int plasma_eth_encode_challenge_ife_output_spent(plasma_buf *out, plasma_eth_bytes tx,
                                                 uint64_t output_utxo_pos, plasma_eth_bytes proof,
                                                 plasma_eth_bytes spending_tx, uint64_t spending_input_index)
{
    plasma_eth_abi_value v[] = {bytes_v(tx), plasma_eth_abi_u64(output_utxo_pos), bytes_v(proof),
                                bytes_v(spending_tx), plasma_eth_abi_u64(spending_input_index)};
    return plasma_eth_encode(out, PLASMA_ETH_FN_CHALLENGE_IFE_OUTPUT_SPENT, v, 5);
}

int plasma_eth_encode_delete_ife(plasma_buf *out, const plasma_u256 *ife_id)
{
    plasma_eth_abi_value v[] = {plasma_eth_abi_uint(ife_id)};
    return plasma_eth_encode(out, PLASMA_ETH_FN_DELETE_NON_PIGGYBACKED_IFE, v, 1);
}

int plasma_eth_encode_process_exits(plasma_buf *out, const plasma_addr *token, uint64_t max_exits)
{
    plasma_eth_abi_value v[] = {plasma_eth_abi_addr(token), plasma_eth_abi_u64(max_exits)};
    return plasma_eth_encode(out, PLASMA_ETH_FN_PROCESS_EXITS, v, 2);
}

int plasma_eth_encode_withdraw(plasma_buf *out, const plasma_addr *token)
{
    plasma_eth_abi_value v[] = {plasma_eth_abi_addr(token)};
    return plasma_eth_encode(out, PLASMA_ETH_FN_WITHDRAW, v, 1);
}

/* --- returns --- */

/* Decodes a view's return; the caller reads *v and frees it. */
static int decode_return(plasma_eth_abi_value **v, plasma_eth_fn fn, const uint8_t *ret, size_t len)
{
    size_t n;
    return plasma_eth_abi_decode(v, &n, FNS[fn].returns, ret, len);
}

static bool to_u64(uint64_t *out, const plasma_eth_abi_value *v)
{
    return plasma_u256_to_u64(&v->uint, out);
}

static uint8_t to_u8(const plasma_eth_abi_value *v)
{
    return (uint8_t)v->uint.w[0]; /* the decoder checked uint8's range */
}

int plasma_eth_decode_block_view(plasma_eth_block_view *out, const uint8_t *ret, size_t len)
{
    plasma_eth_abi_value *v = NULL;
    int rc = decode_return(&v, PLASMA_ETH_FN_BLOCKS, ret, len);
    if (rc != 0)
        return rc;
    plasma_eth_block_view b = {.root = v[0].word};
    rc = to_u64(&b.timestamp, &v[1]) ? PLASMA_OK : PLASMA_ERR_BAD_REQUEST;
    if (rc == 0)
        *out = b;
    plasma_eth_abi_values_free(v);
    return rc;
}

int plasma_eth_decode_exit_view(plasma_eth_exit_view *out, const uint8_t *ret, size_t len)
{
    plasma_eth_abi_value *v = NULL;
    int rc = decode_return(&v, PLASMA_ETH_FN_EXITS, ret, len);
    if (rc != 0)
        return rc;
    plasma_eth_exit_view e = {.owner = v[0].addr,
                              .token = v[1].addr,
                              .amount = v[2].uint,
                              .output_id = v[4].word,
                              .state = to_u8(&v[5]),
                              .queued = v[6].uint.w[0] != 0};
    rc = to_u64(&e.exitable_at, &v[3]) ? PLASMA_OK : PLASMA_ERR_BAD_REQUEST;
    if (rc == 0)
        *out = e;
    plasma_eth_abi_values_free(v);
    return rc;
}

int plasma_eth_decode_ife_view(plasma_eth_ife_view *out, const uint8_t *ret, size_t len)
{
    plasma_eth_abi_value *v = NULL;
    int rc = decode_return(&v, PLASMA_ETH_FN_IN_FLIGHT_EXITS, ret, len);
    if (rc != 0)
        return rc;
    plasma_eth_ife_view f = {.oldest_competitor = v[3].uint,
                             .bond_owner = v[4].addr,
                             .canonical = v[5].uint.w[0] != 0,
                             .inputs_piggybacked = to_u8(&v[6]),
                             .outputs_piggybacked = to_u8(&v[7]),
                             .n_inputs = to_u8(&v[8]),
                             .n_outputs = to_u8(&v[9]),
                             .pending_tokens = to_u8(&v[10]),
                             .exit_path = to_u8(&v[11])};
    bool ok = to_u64(&f.exitable_at, &v[0]) && to_u64(&f.start, &v[1]) && to_u64(&f.youngest, &v[2]);
    rc = ok ? PLASMA_OK : PLASMA_ERR_BAD_REQUEST;
    if (rc == 0)
        *out = f;
    plasma_eth_abi_values_free(v);
    return rc;
}

int plasma_eth_decode_ife_io_view(plasma_eth_ife_io_view *out, const uint8_t *ret, size_t len)
{
    plasma_eth_abi_value *v = NULL;
    int rc = decode_return(&v, PLASMA_ETH_FN_IFE_INPUT, ret, len);
    if (rc != 0)
        return rc;
    *out = (plasma_eth_ife_io_view){
        .output_id = v[0].word, .owner = v[1].addr, .token = v[2].addr, .amount = v[3].uint};
    plasma_eth_abi_values_free(v);
    return PLASMA_OK;
}

int plasma_eth_decode_queue_head(plasma_eth_queue_head *out, const uint8_t *ret, size_t len)
{
    plasma_eth_abi_value *v = NULL;
    int rc = decode_return(&v, PLASMA_ETH_FN_QUEUE_HEAD, ret, len);
    if (rc != 0)
        return rc;
    plasma_eth_queue_head h = {.exit_id = v[1].uint};
    rc = to_u64(&h.exitable_at, &v[0]) ? PLASMA_OK : PLASMA_ERR_BAD_REQUEST;
    if (rc == 0)
        *out = h;
    plasma_eth_abi_values_free(v);
    return rc;
}

/* The single-word returns. */
static int decode_single(plasma_eth_abi_value *out, const char *type, const uint8_t *ret, size_t len)
{
    plasma_eth_abi_value *v = NULL;
    size_t n;
    int rc = plasma_eth_abi_decode(&v, &n, type, ret, len);
    if (rc == 0)
        *out = v[0];
    plasma_eth_abi_values_free(v);
    return rc;
}

int plasma_eth_decode_uint(plasma_u256 *out, const uint8_t *ret, size_t len)
{
    plasma_eth_abi_value v;
    int rc = decode_single(&v, "uint256", ret, len);
    if (rc == 0)
        *out = v.uint;
    return rc;
}

int plasma_eth_decode_address(plasma_addr *out, const uint8_t *ret, size_t len)
{
    plasma_eth_abi_value v;
    int rc = decode_single(&v, "address", ret, len);
    if (rc == 0)
        *out = v.addr;
    return rc;
}

int plasma_eth_decode_word(plasma_hash *out, const uint8_t *ret, size_t len)
{
    plasma_eth_abi_value v;
    int rc = decode_single(&v, "bytes32", ret, len);
    if (rc == 0)
        *out = v.word;
    return rc;
}

/* --- the handle --- */

struct plasma_eth_contract {
    plasma_eth_rpc *rpc;
    plasma_addr address;
};

int plasma_eth_contract_new(plasma_eth_contract **out, plasma_eth_rpc *rpc, const plasma_addr *address)
{
    plasma_eth_contract *c = calloc(1, sizeof *c);
    if (!c)
        return PLASMA_ERR_NOMEM;
    c->rpc = rpc;
    c->address = *address;
    *out = c;
    return PLASMA_OK;
}

void plasma_eth_contract_free(plasma_eth_contract *c)
{
    free(c);
}

const plasma_addr *plasma_eth_contract_address(const plasma_eth_contract *c)
{
    return &c->address;
}

/* eth_call of a view; the return data is appended to *ret. */
static int view(plasma_eth_contract *c, plasma_eth_fn fn, const plasma_eth_abi_value *args, size_t n,
                plasma_buf *ret)
{
    plasma_buf call = {0};
    int rc = plasma_eth_encode(&call, fn, args, n);
    if (rc == 0)
        rc = plasma_eth_call(c->rpc, NULL, &c->address, NULL, call.data, call.len, "latest", ret);
    plasma_buf_free(&call);
    return rc;
}

/* The view's return handed to a decoder of the signature of the typed
 * decoders above. */
typedef int (*ret_decoder)(void *out, const uint8_t *ret, size_t len);

static int view_decoded(plasma_eth_contract *c, plasma_eth_fn fn, const plasma_eth_abi_value *args, size_t n,
                        ret_decoder dec, void *out)
{
    plasma_buf ret = {0};
    int rc = view(c, fn, args, n, &ret);
    if (rc == 0)
        rc = dec(out, ret.data, ret.len);
    plasma_buf_free(&ret);
    return rc;
}

static int dec_uint(void *out, const uint8_t *r, size_t n)
{
    return plasma_eth_decode_uint(out, r, n);
}
static int dec_addr(void *out, const uint8_t *r, size_t n)
{
    return plasma_eth_decode_address(out, r, n);
}
static int dec_word(void *out, const uint8_t *r, size_t n)
{
    return plasma_eth_decode_word(out, r, n);
}
static int dec_block(void *out, const uint8_t *r, size_t n)
{
    return plasma_eth_decode_block_view(out, r, n);
}
static int dec_exit(void *out, const uint8_t *r, size_t n)
{
    return plasma_eth_decode_exit_view(out, r, n);
}
static int dec_ife(void *out, const uint8_t *r, size_t n)
{
    return plasma_eth_decode_ife_view(out, r, n);
}
static int dec_io(void *out, const uint8_t *r, size_t n)
{
    return plasma_eth_decode_ife_io_view(out, r, n);
}
static int dec_head(void *out, const uint8_t *r, size_t n)
{
    return plasma_eth_decode_queue_head(out, r, n);
}

int plasma_eth_contract_operator(plasma_eth_contract *c, plasma_addr *out)
{
    return view_decoded(c, PLASMA_ETH_FN_OPERATOR, NULL, 0, dec_addr, out);
}

int plasma_eth_contract_uint(plasma_eth_contract *c, plasma_eth_fn fn, plasma_u256 *out)
{
    if (fn < PLASMA_ETH_FN_MIN_EXIT_PERIOD || fn > PLASMA_ETH_FN_NEXT_DEPOSIT_BLOCK)
        return PLASMA_ERR_BAD_REQUEST;
    return view_decoded(c, fn, NULL, 0, dec_uint, out);
}

int plasma_eth_contract_block(plasma_eth_contract *c, uint64_t blknum, plasma_eth_block_view *out)
{
    plasma_eth_abi_value v[] = {plasma_eth_abi_u64(blknum)};
    return view_decoded(c, PLASMA_ETH_FN_BLOCKS, v, 1, dec_block, out);
}

int plasma_eth_contract_exit(plasma_eth_contract *c, uint64_t exit_id, plasma_eth_exit_view *out)
{
    plasma_eth_abi_value v[] = {plasma_eth_abi_u64(exit_id)};
    return view_decoded(c, PLASMA_ETH_FN_EXITS, v, 1, dec_exit, out);
}

int plasma_eth_contract_ife(plasma_eth_contract *c, const plasma_u256 *ife_id, plasma_eth_ife_view *out)
{
    plasma_eth_abi_value v[] = {plasma_eth_abi_uint(ife_id)};
    return view_decoded(c, PLASMA_ETH_FN_IN_FLIGHT_EXITS, v, 1, dec_ife, out);
}

int plasma_eth_contract_ife_io(plasma_eth_contract *c, bool output, const plasma_u256 *ife_id, uint64_t index,
                               plasma_eth_ife_io_view *out)
{
    plasma_eth_abi_value v[] = {plasma_eth_abi_uint(ife_id), plasma_eth_abi_u64(index)};
    return view_decoded(c, output ? PLASMA_ETH_FN_IFE_OUTPUT : PLASMA_ETH_FN_IFE_INPUT, v, 2, dec_io, out);
}

int plasma_eth_contract_finalized(plasma_eth_contract *c, const plasma_hash *output_id, plasma_u256 *exit_id)
{
    plasma_eth_abi_value v[] = {plasma_eth_abi_word(output_id)};
    return view_decoded(c, PLASMA_ETH_FN_FINALIZED, v, 1, dec_uint, exit_id);
}

int plasma_eth_contract_queue_length(plasma_eth_contract *c, const plasma_addr *token, plasma_u256 *out)
{
    plasma_eth_abi_value v[] = {plasma_eth_abi_addr(token)};
    return view_decoded(c, PLASMA_ETH_FN_QUEUE_LENGTH, v, 1, dec_uint, out);
}

int plasma_eth_contract_queue_head(plasma_eth_contract *c, const plasma_addr *token,
                                   plasma_eth_queue_head *out)
{
    plasma_eth_abi_value v[] = {plasma_eth_abi_addr(token)};
    return view_decoded(c, PLASMA_ETH_FN_QUEUE_HEAD, v, 1, dec_head, out);
}

int plasma_eth_contract_withdrawable(plasma_eth_contract *c, const plasma_addr *owner,
                                     const plasma_addr *token, plasma_u256 *out)
{
    plasma_eth_abi_value v[] = {plasma_eth_abi_addr(owner), plasma_eth_abi_addr(token)};
    return view_decoded(c, PLASMA_ETH_FN_WITHDRAWABLE, v, 2, dec_uint, out);
}

int plasma_eth_contract_domain_separator(plasma_eth_contract *c, plasma_hash *out)
{
    return view_decoded(c, PLASMA_ETH_FN_DOMAIN_SEPARATOR, NULL, 0, dec_word, out);
}

int plasma_eth_contract_transact(plasma_eth_contract *c, plasma_eth_sender *sender,
                                 const plasma_buf *calldata, const plasma_u256 *value,
                                 plasma_eth_receipt *receipt)
{
    plasma_eth_txreq req = {.to = c->address, .data = calldata->data, .data_len = calldata->len};
    if (value)
        req.value = *value;
    return plasma_eth_sender_transact(sender, &req, receipt);
}
