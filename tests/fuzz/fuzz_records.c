/* Fuzz target: the records the daemons read back from their stores, as a
 * damaged or hostile data directory would hold them. The first byte picks:
 *   0  the operator's output record ('u'), 1 its block header ('B'),
 *   2  its block transaction record ('b'), then the RLP inside it;
 *   3+ the simulated root chain's whole store: the rest is a list of
 *      (key length u8, value length u16 BE, key, value) pairs that a
 *      chain is loaded from.
 * Decoders may refuse (io, config, nomem, store_version) but never crash; what an operator
 * record decoder accepts encodes back to a record that decodes the same,
 * and a chain that loads has a computable state digest. */
#include <string.h>

#include "fuzz.h"
#include "plasma/exitgame.h"
#include "store.h"

static void operator_records(unsigned kind, const uint8_t *d, size_t n)
{
    if (kind == 0) {
        op_utxo_rec r, back;
        uint8_t enc[OP_UTXO_REC_LEN];
        if (op_utxo_decode(&r, d, n) == 0) {
            size_t len = op_utxo_encode(enc, &r);
            FUZZ_CHECK(op_utxo_decode(&back, enc, len) == 0 && memcmp(&r, &back, sizeof r) == 0);
        }
    } else if (kind == 1) {
        op_block_hdr h, back;
        uint8_t enc[OP_BLOCK_HDR_LEN];
        if (op_block_hdr_decode(&h, d, n) == 0) {
            op_block_hdr_encode(enc, &h);
            FUZZ_CHECK(memcmp(enc, d, n) == 0 || h.flags > 0xff);
            FUZZ_CHECK(op_block_hdr_decode(&back, enc, sizeof enc) == 0);
        }
    } else {
        op_block_tx t;
        if (op_block_tx_decode(&t, d, n) == 0) {
            FUZZ_CHECK(t.rlp + t.rlp_len == d + n);
            plasma_tx tx;
            int rc = plasma_tx_decode_block_tx(&tx, t.rlp, t.rlp_len);
            FUZZ_CHECK(rc <= 0);
        }
    }
}

typedef struct fake_store {
    plasma_chain_store base;
    const uint8_t *d;
    size_t n;
} fake_store;

static int fs_write(plasma_chain_store *s, const plasma_store_op *ops, size_t n)
{
    (void)s;
    (void)ops;
    (void)n;
    return PLASMA_OK;
}

static int fs_foreach(plasma_chain_store *store, plasma_store_foreach_cb cb, void *payload)
{
    fake_store *s = (fake_store *)store;
    size_t i = 0;
    int rc = 0;
    while (rc == 0 && i + 3 <= s->n) {
        size_t kl = s->d[i], vl = (size_t)s->d[i + 1] << 8 | s->d[i + 2];
        i += 3;
        if (kl + vl > s->n - i)
            break;
        rc = cb(s->d + i, kl, s->d + i + kl, vl, payload);
        i += kl + vl;
    }
    return rc;
}

static void fs_free(plasma_chain_store *s)
{
    (void)s;
}

static void chain_store(const uint8_t *d, size_t n)
{
    fake_store s = {{PLASMA_CHAIN_STORE_VERSION, fs_write, fs_foreach, fs_free}, d, n};
    plasma_chain_config cfg;
    plasma_chain_config_default(&cfg);
    plasma_chain *chain = NULL;
    int rc = plasma_chain_new(&chain, &cfg, &s.base);
    FUZZ_CHECK(rc == 0 || rc == PLASMA_ERR_IO || rc == PLASMA_ERR_CONFIG || rc == PLASMA_ERR_NOMEM ||
               rc == PLASMA_ERR_STORE_VERSION);
    if (rc == 0) {
        plasma_hash digest;
        FUZZ_CHECK(plasma_chain_state_digest(&digest, chain) == 0);
        plasma_chain_free(chain);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    if (data[0] < 3)
        operator_records(data[0], data + 1, size - 1);
    else
        chain_store(data + 1, size - 1);
    return 0;
}
