/* The operator's LevelDB store: key layout and record codecs (the database
 * itself is plasma_kv).
 *
 * Keys (numbers big-endian so that iteration follows numeric order):
 *   'u' pos8                 -> owner20 token20 amount32       unspent output
 *   's' pos8                 -> reason1 (1 spent, 2 exited,    spent output
 *                               3 finalized on the root chain)
 *   'o' owner20 pos8         -> ""                             outputs by owner (entries of
 *                                                              spent ones removed lazily)
 *   't' txhash32             -> blknum8 txindex4               payments and fee txs
 *   'b' blknum8 txindex4     -> leaf32 feetoken20 fee32 rlp    a block's transactions (rlp empty:
 *                                                              a dropped tx, the empty leaf)
 *   'B' blknum8              -> root32 time8 ntxs4 flags1      sealed child and deposit blocks
 *   'm' name                 -> value                          cursors and identity
 *   'd' rc_block8 blknum8    -> ""                             a deposit's root-chain block, on
 *                                                              chains that reorganise (ledger_reorg.c)
 */
#ifndef PLASMA_OP_STORE_H
#define PLASMA_OP_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "plasma/kv.h"
#include "plasma/tx.h"
#include "plasma/types.h"

#define OP_SPENT_BY_TX 1
#define OP_SPENT_BY_EXIT 2
#define OP_SPENT_FINALIZED 3 /* finalized on the root chain: spends get input_finalized */

#define OP_BLOCK_SUBMITTED 1u

typedef struct op_utxo_rec {
    plasma_addr owner;
    plasma_addr token;
    plasma_u256 amount;
} op_utxo_rec;

typedef struct op_block_hdr {
    plasma_hash root;
    uint64_t timestamp;
    uint32_t n_txs;
    uint32_t flags;
} op_block_hdr;

/* A stored block transaction; rlp points into the record buffer. */
typedef struct op_block_tx {
    plasma_hash leaf;
    plasma_addr fee_token;
    plasma_u256 fee;
    const uint8_t *rlp;
    size_t rlp_len;
} op_block_tx;

/* Longest encoded output: owner, token and a 32-byte amount. */
#define OP_UTXO_REC_LEN 72
#define OP_BLOCK_HDR_LEN 45
#define OP_BLOCK_TX_PREFIX 84

/* Opens (creating) the ledger's database in dir with the operator's
 * options (no compression, a bloom filter, cache_mb of block cache).
 * Returns 0, PLASMA_ERR_IO or PLASMA_ERR_NOMEM with a message in err. */
int op_store_open(plasma_kv **out, const char *dir, size_t cache_mb, char *err, size_t err_len);

/* --- keys --- */
static inline void op_be64(uint8_t *p, uint64_t v)
{
    for (int i = 7; i >= 0; i--, v >>= 8)
        p[i] = (uint8_t)v;
}
static inline void op_be32(uint8_t *p, uint32_t v)
{
    for (int i = 3; i >= 0; i--, v >>= 8)
        p[i] = (uint8_t)v;
}
static inline uint64_t op_rd64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v = v << 8 | p[i];
    return v;
}
static inline uint32_t op_rd32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

void op_key_utxo(uint8_t out[9], uint64_t pos);
void op_key_spent(uint8_t out[9], uint64_t pos);
void op_key_owner(uint8_t out[29], const plasma_addr *owner, uint64_t pos);
/* 'O' owner20 blknum8: an owner's outputs created by the payments of one
 * sealed block, in one entry whose value lists them (op_owned_* below). */
void op_key_owner_group(uint8_t out[29], const plasma_addr *owner, uint64_t blknum);
/* An entry of an owner group: txindex and oindex of one output. */
#define OP_OWNED_LEN 4
static inline void op_owned_encode(uint8_t out[OP_OWNED_LEN], uint32_t txindex, uint32_t oindex)
{
    op_be32(out, txindex << 8 | (oindex & 0xff));
}
static inline uint64_t op_owned_pos(uint64_t blknum, const uint8_t in[OP_OWNED_LEN])
{
    uint32_t v = op_rd32(in);
    return plasma_utxo_pos(blknum, v >> 8, v & 0xff);
}
void op_key_txhash(uint8_t out[33], const plasma_hash *h);
void op_key_blocktx(uint8_t out[13], uint64_t blknum, uint32_t txindex);
void op_key_block(uint8_t out[9], uint64_t blknum);
/* 'm' + name; returns the key length (name is truncated to fit 64 bytes). */
size_t op_key_meta(uint8_t out[65], const char *name);

/* --- records --- */
/* owner20 token20 amount as minimal big-endian (0..32 bytes); returns the
 * length. The decoder takes any amount length up to 32, so the fixed
 * 32-byte form of earlier versions reads the same. */
size_t op_utxo_encode(uint8_t out[OP_UTXO_REC_LEN], const op_utxo_rec *r);
int op_utxo_decode(op_utxo_rec *r, const uint8_t *val, size_t len);
void op_block_hdr_encode(uint8_t out[OP_BLOCK_HDR_LEN], const op_block_hdr *h);
int op_block_hdr_decode(op_block_hdr *h, const uint8_t *val, size_t len);
/* Encodes the fixed prefix of a block tx record (the rlp follows it). */
void op_block_tx_encode_prefix(uint8_t out[OP_BLOCK_TX_PREFIX], const plasma_hash *leaf,
                               const plasma_addr *fee_token, const plasma_u256 *fee);
int op_block_tx_decode(op_block_tx *t, const uint8_t *val, size_t len);

/* Reads a block header. Returns 0, PLASMA_ERR_NOT_FOUND or PLASMA_ERR_IO. */
int op_store_get_block(plasma_kv *s, uint64_t blknum, op_block_hdr *out);
/* Reads an unspent output. Returns 0, PLASMA_ERR_NOT_FOUND or PLASMA_ERR_IO. */
int op_store_get_utxo(plasma_kv *s, uint64_t pos, op_utxo_rec *out);
/* For a position with no unspent record: PLASMA_ERR_INPUT_FINALIZED when
 * its spent marker says finalized on the root chain, PLASMA_ERR_UTXO_SPENT
 * for another spent marker, PLASMA_ERR_UTXO_NOT_FOUND when it has none, or
 * the read's error (PLASMA_ERR_IO, _NOMEM). */
int op_store_why_not_unspent(plasma_kv *s, uint64_t pos);
/* Reads a u64 meta value; returns 0 (found), PLASMA_ERR_NOT_FOUND or _IO. */
int op_store_get_meta_u64(plasma_kv *s, const char *name, uint64_t *out);
void op_batch_put_meta_u64(plasma_kv_batch *b, const char *name, uint64_t v);

#endif
