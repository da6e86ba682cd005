/* Helpers shared by the operator's unit tests: temporary directories, the
 * development keys and signed payments. Header-only, static. */
#ifndef PLASMA_OP_TESTKIT_H
#define PLASMA_OP_TESTKIT_H

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "plasma/core.h"
#include "plasma/ledger.h"
#include "testutil.h"

static inline plasma_privkey tk_key(int i)
{
    plasma_privkey k;
    assert_int_equal(plasma_dev_key(&k, (unsigned)i), 0);
    return k;
}

static inline plasma_addr tk_addr(int i)
{
    plasma_privkey k = tk_key(i);
    plasma_addr a;
    assert_int_equal(plasma_privkey_addr(&a, &k), 0);
    return a;
}

static inline plasma_addr tk_token(uint8_t tag)
{
    plasma_addr t;
    memset(t.b, 0, sizeof t.b);
    t.b[19] = tag;
    return t;
}

#define tk_rmrf tu_rmtree

static inline char *tk_tmpdir(void)
{
    char *d = strdup("/tmp/plasma-op-test-XXXXXX");
    assert_non_null(mkdtemp(d));
    return d;
}

typedef struct tk_out {
    int owner; /* dev key index */
    uint8_t token;
    uint64_t amount;
} tk_out;

/* A payment spending inputs (signed by keys[i]) into outputs. */
static inline plasma_tx tk_payment(const uint64_t *inputs, const int *keys, int n_in, const tk_out *outs,
                                   int n_out)
{
    plasma_tx tx;
    memset(&tx, 0, sizeof tx);
    tx.tx_type = PLASMA_TX_PAYMENT;
    tx.n_inputs = (uint8_t)n_in;
    tx.n_outputs = (uint8_t)n_out;
    for (int i = 0; i < n_in; i++)
        tx.inputs[i] = inputs[i];
    for (int o = 0; o < n_out; o++) {
        tx.outputs[o].owner = tk_addr(outs[o].owner);
        tx.outputs[o].token = tk_token(outs[o].token);
        tx.outputs[o].amount = plasma_u256_from_u64(outs[o].amount);
    }
    plasma_domain d;
    plasma_domain_dev(&d);
    for (int i = 0; i < n_in; i++) {
        plasma_privkey k = tk_key(keys[i]);
        assert_int_equal(plasma_tx_sign_input(&tx, &d, (unsigned)i, &k), 0);
    }
    return tx;
}

/* The SignedTx RLP of tx in a malloc'd buffer. */
static inline uint8_t *tk_rlp(const plasma_tx *tx, size_t *len)
{
    plasma_buf b = {0};
    assert_int_equal(plasma_tx_encode_signed(&b, tx), 0);
    *len = b.len;
    return b.data;
}

/* Submits a one-input, one-output payment of amount to `to`, input signed
 * by key. Returns what plasma_ledger_submit returns. */
static inline int tk_pay(plasma_ledger *l, uint64_t in, int key, int to, uint64_t amount)
{
    tk_out o[1] = {{to, 0, amount}};
    plasma_tx tx = tk_payment(&in, &key, 1, o, 1);
    size_t len;
    uint8_t *rlp = tk_rlp(&tx, &len);
    plasma_ledger_receipt r;
    int rc = plasma_ledger_submit(l, &r, rlp, len);
    free(rlp);
    return rc;
}

#endif
