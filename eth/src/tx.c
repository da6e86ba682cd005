/* EIP-1559 transactions: encoding, signing hash, signature. See plasma/eth_tx.h. */
#include <string.h>

#include "plasma/err.h"
#include "plasma/eth_tx.h"
#include "plasma/keccak.h"
#include "plasma/rlp.h"
#include "plasma/sig.h"
#include "plasma/u256.h"

#define TX_TYPE_1559 0x02

/* The nine fields both the signing payload and the signed form start with. */
static void put_fields(plasma_buf *b, const plasma_eth_tx *tx)
{
    plasma_rlp_put_u64(b, tx->chain_id);
    plasma_rlp_put_u64(b, tx->nonce);
    plasma_rlp_put_u256(b, &tx->max_priority_fee);
    plasma_rlp_put_u256(b, &tx->max_fee);
    plasma_rlp_put_u64(b, tx->gas_limit);
    plasma_rlp_put_bytes(b, tx->to.b, tx->create ? 0 : sizeof tx->to.b);
    plasma_rlp_put_u256(b, &tx->value);
    plasma_rlp_put_bytes(b, tx->data, tx->data_len);
    size_t access_list = plasma_rlp_list_begin(b);
    plasma_rlp_list_end(b, access_list);
}

int plasma_eth_tx_signing_hash(plasma_hash *out, const plasma_eth_tx *tx)
{
    plasma_buf b = {0};
    uint8_t type = TX_TYPE_1559;
    plasma_buf_append(&b, &type, 1);
    size_t list = plasma_rlp_list_begin(&b);
    put_fields(&b, tx);
    plasma_rlp_list_end(&b, list);
    int rc = b.failed ? PLASMA_ERR_NOMEM : PLASMA_OK;
    if (rc == 0)
        plasma_keccak256(out, b.data, b.len);
    plasma_buf_free(&b);
    return rc;
}

int plasma_eth_tx_sign(plasma_buf *raw, plasma_hash *hash, const plasma_eth_tx *tx, const plasma_privkey *key)
{
    plasma_hash digest;
    plasma_sig sig;
    int rc = plasma_eth_tx_signing_hash(&digest, tx);
    if (rc == 0)
        rc = plasma_sign(&sig, &digest, key);
    if (rc != 0)
        return rc;
    size_t mark = raw->len;
    uint8_t type = TX_TYPE_1559;
    plasma_u256 r, s;
    plasma_u256_from_be(&r, sig.b, 32);
    plasma_u256_from_be(&s, sig.b + 32, 32);
    plasma_buf_append(raw, &type, 1);
    size_t list = plasma_rlp_list_begin(raw);
    put_fields(raw, tx);
    plasma_rlp_put_u64(raw, (uint64_t)(sig.b[64] - 27));
    plasma_rlp_put_u256(raw, &r);
    plasma_rlp_put_u256(raw, &s);
    plasma_rlp_list_end(raw, list);
    plasma_wipe(&sig, sizeof sig);
    if (raw->failed)
        return PLASMA_ERR_NOMEM;
    if (hash)
        plasma_keccak256(hash, raw->data + mark, raw->len - mark);
    return PLASMA_OK;
}

void plasma_eth_create_address(plasma_addr *out, const plasma_addr *sender, uint64_t nonce)
{
    /* At most 1 + 21 + 9 bytes: no allocation can fail. */
    uint8_t buf[40];
    size_t n = 0;
    buf[n++] = 0; /* list header, written below */
    buf[n++] = 0x80 + 20;
    memcpy(buf + n, sender->b, 20);
    n += 20;
    if (nonce == 0) {
        buf[n++] = 0x80;
    } else if (nonce < 0x80) {
        buf[n++] = (uint8_t)nonce;
    } else {
        uint8_t be[8];
        size_t len = 0;
        for (uint64_t v = nonce; v; v >>= 8)
            len++;
        for (size_t i = 0; i < len; i++)
            be[i] = (uint8_t)(nonce >> (8 * (len - 1 - i)));
        buf[n++] = (uint8_t)(0x80 + len);
        memcpy(buf + n, be, len);
        n += len;
    }
    buf[0] = (uint8_t)(0xc0 + (n - 1));
    plasma_hash h;
    plasma_keccak256(&h, buf, n);
    memcpy(out->b, h.b + 12, 20);
}
