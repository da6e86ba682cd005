/* The operator's record layout over plasma_kv. See store.h. */
#include "store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plasma/err.h"
#include "plasma/u256.h"

int op_store_open(plasma_kv **out, const char *dir, size_t cache_mb, char *err, size_t err_len)
{
    plasma_kv_options o;
    plasma_kv_options_default(&o);
    o.cache_mb = cache_mb;
    o.bloom = true;
    o.write_buffer_mb = 32;
    o.max_open_files = 512;
    /* Hashes, keys and signatures do not compress: snappy would only cost
     * CPU on the hot path. */
    o.compress = false;
    return plasma_kv_open(out, dir, &o, err, err_len);
}

void op_key_utxo(uint8_t out[9], uint64_t pos)
{
    out[0] = 'u';
    op_be64(out + 1, pos);
}

void op_key_spent(uint8_t out[9], uint64_t pos)
{
    out[0] = 's';
    op_be64(out + 1, pos);
}

void op_key_owner(uint8_t out[29], const plasma_addr *owner, uint64_t pos)
{
    out[0] = 'o';
    memcpy(out + 1, owner->b, 20);
    op_be64(out + 21, pos);
}

void op_key_owner_group(uint8_t out[29], const plasma_addr *owner, uint64_t blknum)
{
    out[0] = 'O';
    memcpy(out + 1, owner->b, 20);
    op_be64(out + 21, blknum);
}

void op_key_txhash(uint8_t out[33], const plasma_hash *h)
{
    out[0] = 't';
    memcpy(out + 1, h->b, 32);
}

void op_key_blocktx(uint8_t out[13], uint64_t blknum, uint32_t txindex)
{
    out[0] = 'b';
    op_be64(out + 1, blknum);
    op_be32(out + 9, txindex);
}

void op_key_block(uint8_t out[9], uint64_t blknum)
{
    out[0] = 'B';
    op_be64(out + 1, blknum);
}

size_t op_key_meta(uint8_t out[65], const char *name)
{
    size_t n = strlen(name);
    if (n > 64)
        n = 64;
    out[0] = 'm';
    memcpy(out + 1, name, n);
    return n + 1;
}

size_t op_utxo_encode(uint8_t out[OP_UTXO_REC_LEN], const op_utxo_rec *r)
{
    uint8_t be[32];
    size_t n = plasma_u256_byte_len(&r->amount);
    plasma_u256_to_be(be, &r->amount);
    memcpy(out, r->owner.b, 20);
    memcpy(out + 20, r->token.b, 20);
    memcpy(out + 40, be + 32 - n, n);
    return 40 + n;
}

int op_utxo_decode(op_utxo_rec *r, const uint8_t *val, size_t len)
{
    if (len < 40 || len > OP_UTXO_REC_LEN)
        return PLASMA_ERR_IO;
    memcpy(r->owner.b, val, 20);
    memcpy(r->token.b, val + 20, 20);
    return plasma_u256_from_be(&r->amount, val + 40, len - 40) == 0 ? PLASMA_OK : PLASMA_ERR_IO;
}

void op_block_hdr_encode(uint8_t out[OP_BLOCK_HDR_LEN], const op_block_hdr *h)
{
    memcpy(out, h->root.b, 32);
    op_be64(out + 32, h->timestamp);
    op_be32(out + 40, h->n_txs);
    out[44] = (uint8_t)h->flags;
}

int op_block_hdr_decode(op_block_hdr *h, const uint8_t *val, size_t len)
{
    if (len != OP_BLOCK_HDR_LEN)
        return PLASMA_ERR_IO;
    memcpy(h->root.b, val, 32);
    h->timestamp = op_rd64(val + 32);
    h->n_txs = op_rd32(val + 40);
    h->flags = val[44];
    return PLASMA_OK;
}

void op_block_tx_encode_prefix(uint8_t out[OP_BLOCK_TX_PREFIX], const plasma_hash *leaf,
                               const plasma_addr *fee_token, const plasma_u256 *fee)
{
    memcpy(out, leaf->b, 32);
    memcpy(out + 32, fee_token->b, 20);
    plasma_u256_to_be(out + 52, fee);
}

int op_block_tx_decode(op_block_tx *t, const uint8_t *val, size_t len)
{
    if (len < OP_BLOCK_TX_PREFIX)
        return PLASMA_ERR_IO;
    memcpy(t->leaf.b, val, 32);
    memcpy(t->fee_token.b, val + 32, 20);
    if (plasma_u256_from_be(&t->fee, val + 52, 32) != 0)
        return PLASMA_ERR_IO;
    t->rlp = val + OP_BLOCK_TX_PREFIX;
    t->rlp_len = len - OP_BLOCK_TX_PREFIX;
    return PLASMA_OK;
}

int op_store_get_block(plasma_kv *s, uint64_t blknum, op_block_hdr *out)
{
    uint8_t key[9], *val = NULL;
    size_t len;
    op_key_block(key, blknum);
    int rc = plasma_kv_get(s, key, sizeof key, &val, &len);
    if (rc == 0)
        rc = op_block_hdr_decode(out, val, len);
    free(val);
    return rc;
}

int op_store_get_utxo(plasma_kv *s, uint64_t pos, op_utxo_rec *out)
{
    uint8_t key[9], *val = NULL;
    size_t len;
    op_key_utxo(key, pos);
    int rc = plasma_kv_get(s, key, sizeof key, &val, &len);
    if (rc == 0)
        rc = op_utxo_decode(out, val, len);
    free(val);
    return rc;
}

int op_store_why_not_unspent(plasma_kv *s, uint64_t pos)
{
    uint8_t key[9], *reason = NULL;
    size_t len = 0;
    op_key_spent(key, pos);
    int rc = plasma_kv_get(s, key, sizeof key, &reason, &len);
    if (rc == 0)
        rc = len == 1 && reason[0] == OP_SPENT_FINALIZED ? PLASMA_ERR_INPUT_FINALIZED : PLASMA_ERR_UTXO_SPENT;
    free(reason);
    return rc == PLASMA_ERR_NOT_FOUND ? PLASMA_ERR_UTXO_NOT_FOUND : rc;
}

int op_store_get_meta_u64(plasma_kv *s, const char *name, uint64_t *out)
{
    uint8_t key[65], *val = NULL;
    size_t len;
    int rc = plasma_kv_get(s, key, op_key_meta(key, name), &val, &len);
    if (rc == 0) {
        if (len == 8)
            *out = op_rd64(val);
        else
            rc = PLASMA_ERR_IO;
    }
    free(val);
    return rc;
}

void op_batch_put_meta_u64(plasma_kv_batch *b, const char *name, uint64_t v)
{
    uint8_t key[65], val[8];
    op_be64(val, v);
    plasma_kv_batch_put(b, key, op_key_meta(key, name), val, sizeof val);
}
