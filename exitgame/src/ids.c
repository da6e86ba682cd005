/* Output ids and in-flight exit ids (PROTOCOL §6, §6b). */
#include "internal.h"

void plasma_output_id(plasma_hash *out, const uint8_t *utx, size_t len, bool has_inputs, uint32_t oindex,
                      uint64_t utxo_pos)
{
    uint8_t words[64] = {0};
    eg_put_u64(words + 24, oindex);
    eg_put_u64(words + 56, utxo_pos);
    plasma_keccak k;
    plasma_keccak_init(&k);
    plasma_keccak_update(&k, utx, len);
    plasma_keccak_update(&k, words, has_inputs ? 32 : 64);
    plasma_keccak_final(&k, out);
}

void plasma_ife_id_of(plasma_u256 *out, const uint8_t *utx, size_t len)
{
    plasma_hash h;
    plasma_keccak256(&h, utx, len);
    h.b[0] |= 0x80;
    plasma_u256_from_be(out, h.b, 32);
}

int plasma_ife_id(plasma_u256 *out, const plasma_tx *tx)
{
    plasma_buf b = {0};
    int rc = plasma_tx_encode_unsigned(&b, tx);
    if (rc == 0)
        plasma_ife_id_of(out, b.data, b.len);
    plasma_buf_free(&b);
    return rc;
}

bool plasma_is_ife_id(const plasma_u256 *id)
{
    return (id->w[3] >> 63) != 0;
}
