/* Writes the seed corpus of fuzz_call: a valid call of every kind (two
 * shapes of the kinds with optional parts), each as an envelope and as its
 * signed form (development key 1), under the domain of call_domain.h.
 *
 *   make-call-corpus DIR
 *
 * Files are named by the first 20 bytes of their Keccak-256, in hex; files
 * already in DIR are kept (crash reproducers stay). Built with the tests;
 * run by hand when the envelope changes, then commit DIR. */
#include <stdio.h>
#include <string.h>

#include "call_domain.h"
#include "plasma/core.h"

/* A signed 2-in-2-out payment of development key 1's outputs. */
static void signed_tx(plasma_call_tx *out, uint64_t first_input)
{
    plasma_tx tx;
    memset(&tx, 0, sizeof tx);
    tx.tx_type = PLASMA_TX_PAYMENT;
    tx.n_inputs = 2;
    tx.inputs[0] = first_input;
    tx.inputs[1] = first_input + 1;
    tx.n_outputs = 2;
    for (unsigned o = 0; o < 2; o++) {
        memset(tx.outputs[o].owner.b, 0x11 * (o + 1), 20);
        tx.outputs[o].amount = plasma_u256_from_u64(1000 + o);
    }
    plasma_domain dom;
    plasma_domain_dev(&dom);
    plasma_privkey k;
    if (plasma_dev_key(&k, 1) != 0 || plasma_tx_sign_input(&tx, &dom, 0, &k) != 0 ||
        plasma_tx_sign_input(&tx, &dom, 1, &k) != 0 || plasma_call_tx_encode(out, &tx, true) != 0)
        abort();
}

static void proof(uint8_t *p, uint8_t seed)
{
    for (size_t i = 0; i < PLASMA_MERKLE_PROOF_LEN; i++)
        p[i] = (uint8_t)(seed + i * 7);
}

static void start_ife(plasma_call *c, unsigned n)
{
    plasma_call_start_ife *s = &c->start_ife;
    signed_tx(&s->tx, plasma_utxo_pos(2000, 1, 0));
    s->n_input_txs = s->n_input_pos = s->n_input_proofs = (uint8_t)n;
    for (unsigned i = 0; i < n; i++) {
        signed_tx(&s->input_txs[i], plasma_utxo_pos(1000, i, 0));
        s->input_pos[i] = plasma_utxo_pos(1000 + i, i, 1);
        proof(s->input_proofs[i], (uint8_t)i);
    }
    s->bond = plasma_u256_from_u64(PLASMA_CHAIN_DEFAULT_IFE_BOND);
}

/* Fills call of kind in shape 0 or 1. Returns whether the kind has a
 * shape 1. */
static bool fill(plasma_call *c, plasma_call_kind kind, int shape)
{
    plasma_addr me;
    memset(me.b, 0x22, 20);
    plasma_call_init(c, kind, &me, 7 + (uint64_t)kind, 1000000000, 500000);
    plasma_addr token;
    memset(token.b, shape ? 0x33 : 0, 20);
    switch (kind) {
    case PLASMA_CALL_TRANSFER:
        c->transfer.to = me;
        c->transfer.token = token;
        c->transfer.amount = plasma_u256_from_u64(5);
        return false;
    case PLASMA_CALL_DEPOSIT:
        c->deposit.token = token;
        c->deposit.amount = plasma_u256_from_u64(1000000);
        return true;
    case PLASMA_CALL_SUBMIT_BLOCK:
        memset(c->submit_block.root.b, 0x44, 32);
        return false;
    case PLASMA_CALL_START_EXIT: {
        plasma_call_tx t;
        signed_tx(&t, plasma_utxo_pos(1, 0, 0));
        c->start_exit.utxo_pos = plasma_utxo_pos(3000, 2, 1);
        c->start_exit.tx_len = t.len;
        memcpy(c->start_exit.tx, t.b, t.len);
        proof(c->start_exit.proof, 9);
        c->start_exit.bond = plasma_u256_from_u64(PLASMA_CHAIN_DEFAULT_EXIT_BOND);
        return false;
    }
    case PLASMA_CALL_CHALLENGE_EXIT: {
        plasma_call_tx t;
        signed_tx(&t, plasma_utxo_pos(3000, 2, 1));
        c->challenge_exit.exit_id = plasma_utxo_pos(3000, 2, 1);
        c->challenge_exit.input_index = 0;
        c->challenge_exit.tx_len = t.len;
        memcpy(c->challenge_exit.tx, t.b, t.len);
        return false;
    }
    case PLASMA_CALL_PROCESS_EXITS:
        c->process_exits.token = token;
        c->process_exits.max_exits = 100;
        return true;
    case PLASMA_CALL_START_IFE:
        start_ife(c, shape ? PLASMA_MAX_INPUTS : 1);
        return true;
    case PLASMA_CALL_PIGGYBACK_INPUT:
    case PLASMA_CALL_PIGGYBACK_OUTPUT:
        signed_tx(&c->piggyback.tx, plasma_utxo_pos(1000, 0, 0));
        c->piggyback.index = 1;
        c->piggyback.bond = plasma_u256_from_u64(PLASMA_CHAIN_DEFAULT_PIGGYBACK_BOND);
        return false;
    case PLASMA_CALL_CHALLENGE_IFE: {
        plasma_call_challenge_ife *a = &c->challenge_ife;
        signed_tx(&a->tx, plasma_utxo_pos(1000, 0, 0));
        signed_tx(&a->competing_tx, plasma_utxo_pos(500, 0, 0));
        a->input_index = 1;
        a->competing_input_index = 1;
        if (shape) { /* included: a position and its proof */
            a->competitor_pos = plasma_utxo_pos(4000, 3, 0);
            a->competitor_proof.len = PLASMA_MERKLE_PROOF_LEN;
            proof(a->competitor_proof.b, 5);
        }
        return true;
    }
    case PLASMA_CALL_RESPOND_IFE:
        signed_tx(&c->respond_ife.tx, plasma_utxo_pos(1000, 0, 0));
        c->respond_ife.tx_pos = plasma_utxo_pos(2000, 4, 0);
        c->respond_ife.proof.len = PLASMA_MERKLE_PROOF_LEN;
        proof(c->respond_ife.proof.b, 3);
        return false;
    case PLASMA_CALL_CHALLENGE_IFE_INPUT:
        signed_tx(&c->challenge_ife_input.tx, plasma_utxo_pos(1000, 0, 0));
        signed_tx(&c->challenge_ife_input.spending_tx, plasma_utxo_pos(1000, 0, 0));
        c->challenge_ife_input.input_index = 0;
        c->challenge_ife_input.spending_input_index = 0;
        return false;
    case PLASMA_CALL_CHALLENGE_IFE_OUTPUT:
        signed_tx(&c->challenge_ife_output.tx, plasma_utxo_pos(1000, 0, 0));
        signed_tx(&c->challenge_ife_output.spending_tx, plasma_utxo_pos(2000, 5, 0));
        c->challenge_ife_output.output_utxo_pos = plasma_utxo_pos(2000, 5, 0);
        c->challenge_ife_output.proof.len = PLASMA_MERKLE_PROOF_LEN;
        proof(c->challenge_ife_output.proof.b, 1);
        return false;
    case PLASMA_CALL_DELETE_IFE:
        memset(c->delete_ife.ife_id.w, 0x5a, sizeof c->delete_ife.ife_id.w);
        c->delete_ife.ife_id.w[3] |= 1ull << 63;
        return false;
    case PLASMA_CALL_WITHDRAW:
        c->withdraw.token = token;
        return true;
    }
    abort();
}

static int write_seed(const char *dir, const plasma_buf *b)
{
    plasma_hash h;
    plasma_keccak256(&h, b->data, b->len);
    char path[4096], hex[67];
    plasma_hash_format(hex, &h);
    snprintf(path, sizeof path, "%s/%.40s", dir, hex + 2);
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(b->data, 1, b->len, f) != b->len || fclose(f) != 0) {
        fprintf(stderr, "make-call-corpus: cannot write %s\n", path);
        return 1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: make-call-corpus DIR\n");
        return 2;
    }
    plasma_call_domain d = fuzz_call_domain();
    plasma_privkey k;
    if (plasma_dev_key(&k, 1) != 0)
        return 1;
    static plasma_call c;
    int n = 0, bad = 0;
    for (int kind = PLASMA_CALL_TRANSFER; kind <= PLASMA_CALL_WITHDRAW; kind++) {
        for (int shape = 0; shape < 2; shape++) {
            bool more = fill(&c, (plasma_call_kind)kind, shape);
            plasma_sig sig;
            plasma_buf env = {0}, sgn = {0};
            if (plasma_call_encode(&env, &d, &c) != 0 || plasma_call_sign(&sig, &d, &c, &k) != 0 ||
                plasma_call_encode_signed(&sgn, &d, &c, &sig) != 0)
                abort();
            bad |= write_seed(argv[1], &env) | write_seed(argv[1], &sgn);
            n += 2;
            plasma_buf_free(&env);
            plasma_buf_free(&sgn);
            if (!more)
                break;
        }
    }
    printf("%s: %d seeds written\n", argv[1], n);
    return bad;
}
