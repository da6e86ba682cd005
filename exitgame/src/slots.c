/* The contract's storage layout as the meter sees it (docs/contracts.md,
 * "Storage"): a name for each slot, and each record's words as the
 * contract packs them, so that a write is priced by what the slot held
 * and holds after. A word is a fingerprint of the slot's 32 bytes, 0 for
 * zero; two words are equal when their fields are. */
#include "internal.h"

#define SLOT_SEED 0x736c6f74u /* "slot" */
#define WORD_SEED 0x776f7264u /* "word" */

uint64_t eg_slot(unsigned space, const void *key, size_t len, uint64_t index)
{
    uint8_t buf[1 + 64 + 8];
    if (len > 64)
        len = 64; /* keys are at most two addresses or a hash and an address */
    buf[0] = (uint8_t)space;
    if (len > 0) /* the counters' slot has no key */
        memcpy(buf + 1, key, len);
    eg_put_u64(buf + 1 + len, index);
    return eg_fingerprint(buf, 1 + len + 8, SLOT_SEED);
}

uint64_t eg_word(const void *p, size_t len)
{
    const uint8_t *b = p;
    size_t i = 0;
    while (i < len && b[i] == 0)
        i++;
    return i == len ? 0 : eg_fingerprint(p, len, WORD_SEED);
}

uint64_t eg_word_u64(uint64_t v)
{
    uint8_t b[8];
    eg_put_u64(b, v);
    return eg_word(b, sizeof b);
}

uint64_t eg_word_u256(const plasma_u256 *v)
{
    uint8_t b[32];
    plasma_u256_to_be(b, v);
    return eg_word(b, sizeof b);
}

uint64_t eg_word_addr(const plasma_addr *a)
{
    return eg_word(a->b, sizeof a->b);
}

uint64_t eg_word_hash(const plasma_hash *h)
{
    return eg_word(h->b, sizeof h->b);
}

/* counters: nextChildBlock (8) ‖ nextDeposit (8). */
uint64_t eg_word_counters(const eg_globals *g)
{
    uint8_t w[16];
    eg_put_u64(w, g->next_child_block);
    eg_put_u64(w + 8, g->next_deposit);
    return eg_word(w, sizeof w);
}

/* exits[pos]: owner ‖ exitableAt (8) ‖ state ‖ queued; token; amount;
 * outputId. */
uint64_t eg_word_exit(const eg_exit *e, unsigned w)
{
    if (w == 1)
        return eg_word_addr(&e->token);
    if (w == 2)
        return eg_word_u256(&e->amount);
    if (w == 3)
        return eg_word_hash(&e->output_id);
    uint8_t b[30];
    memcpy(b, e->owner.b, 20);
    eg_put_u64(b + 20, e->exitable_at);
    b[28] = e->state;
    b[29] = e->queued;
    return eg_word(b, sizeof b);
}

/* oldestCompetitor as stored: 64 bits, all ones for a competitor never
 * included. */
static uint64_t stored_competitor(const plasma_u256 *p)
{
    uint64_t v;
    return plasma_u256_to_u64(p, &v) ? v : UINT64_MAX;
}

static uint64_t word_io(const eg_ife_io *io, unsigned k)
{
    switch (k) {
    case 0:
        return eg_word_hash(&io->output_id);
    case 1:
        return eg_word_addr(&io->owner);
    case 2:
        return eg_word_addr(&io->token);
    default:
        return eg_word_u256(&io->amount);
    }
}

/* inFlightExits[id]: word 0 exitableAt ‖ start ‖ youngest ‖ canonical ‖
 * the two bitmaps ‖ the counts ‖ pendingTokens ‖ exitPath; word 1
 * bondOwner ‖ oldestCompetitor; then the input and output records. */
uint64_t eg_word_ife(const eg_ife *f, unsigned w)
{
    if (w >= EG_IFE_OUT(0, 0))
        return word_io(&f->out[(w - EG_IFE_OUT(0, 0)) / 4], (w - EG_IFE_OUT(0, 0)) % 4);
    if (w >= EG_IFE_IN(0, 0))
        return word_io(&f->in[(w - EG_IFE_IN(0, 0)) / 4], (w - EG_IFE_IN(0, 0)) % 4);
    if (w == EG_IFE_W1) {
        uint8_t b[28];
        memcpy(b, f->bond_owner.b, 20);
        eg_put_u64(b + 20, stored_competitor(&f->oldest_competitor));
        return eg_word(b, sizeof b);
    }
    uint8_t b[31];
    eg_put_u64(b, f->exitable_at);
    eg_put_u64(b + 8, f->start);
    eg_put_u64(b + 16, f->youngest);
    b[24] = f->canonical;
    b[25] = f->inputs_pb;
    b[26] = f->outputs_pb;
    b[27] = f->n_inputs;
    b[28] = f->n_outputs;
    b[29] = f->pending_tokens;
    b[30] = f->exit_path;
    return eg_word(b, sizeof b);
}
