/* EIP-712 hashing and signing of PROTOCOL §4. Every member of the types
 * here is 32 bytes once encoded, so hashStruct is a keccak over a sequence
 * of 32-byte words fed straight into one keccak context. */
#include "plasma/eip712.h"

#include <pthread.h>
#include <string.h>

#include "plasma/err.h"
#include "plasma/keccak.h"
#include "plasma/sig.h"
#include "plasma/u256.h"

static const char domain_type[] =
    "EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)";
static const char input_type[] = "Input(uint256 blknum,uint256 txindex,uint256 oindex)";
static const char output_type[] = "Output(uint256 outputType,address owner,address token,uint256 amount)";
/* EIP-712 appends the referenced struct types in alphabetical order. */
static const char tx_type[] = "Transaction(uint256 txType,Input[] inputs,Output[] outputs,bytes32 metadata)"
                              "Input(uint256 blknum,uint256 txindex,uint256 oindex)"
                              "Output(uint256 outputType,address owner,address token,uint256 amount)";

static const char domain_name[] = "Plasma";
static const char domain_version[] = "1";

static struct {
    plasma_hash domain, input, output, tx;
} g_typehash;
static pthread_once_t g_typehash_once = PTHREAD_ONCE_INIT;

static void typehash_init(void)
{
    plasma_keccak256(&g_typehash.domain, domain_type, sizeof domain_type - 1);
    plasma_keccak256(&g_typehash.input, input_type, sizeof input_type - 1);
    plasma_keccak256(&g_typehash.output, output_type, sizeof output_type - 1);
    plasma_keccak256(&g_typehash.tx, tx_type, sizeof tx_type - 1);
}

static void typehash_ensure(void)
{
    pthread_once(&g_typehash_once, typehash_init);
}

const plasma_hash *plasma_eip712_tx_typehash(void)
{
    typehash_ensure();
    return &g_typehash.tx;
}

/* --- 32-byte words --- */

static void put_word(plasma_keccak *k, const uint8_t w[32])
{
    plasma_keccak_update(k, w, 32);
}

static void put_u64(plasma_keccak *k, uint64_t v)
{
    uint8_t w[32] = {0};
    for (int i = 0; i < 8; i++)
        w[31 - i] = (uint8_t)(v >> (8 * i));
    put_word(k, w);
}

static void put_u256(plasma_keccak *k, const plasma_u256 *v)
{
    uint8_t w[32];
    plasma_u256_to_be(w, v);
    put_word(k, w);
}

static void put_addr(plasma_keccak *k, const plasma_addr *a)
{
    uint8_t w[32] = {0};
    memcpy(w + 12, a->b, sizeof a->b);
    put_word(k, w);
}

/* --- domain --- */

void plasma_domain_init(plasma_domain *out, uint64_t chain_id, const plasma_addr *verifying_contract)
{
    typehash_ensure();
    plasma_hash name, version;
    plasma_keccak256(&name, domain_name, sizeof domain_name - 1);
    plasma_keccak256(&version, domain_version, sizeof domain_version - 1);

    plasma_keccak k;
    plasma_keccak_init(&k);
    put_word(&k, g_typehash.domain.b);
    put_word(&k, name.b);
    put_word(&k, version.b);
    put_u64(&k, chain_id);
    put_addr(&k, verifying_contract);
    out->chain_id = chain_id;
    out->verifying_contract = *verifying_contract;
    plasma_keccak_final(&k, &out->separator);
}

void plasma_domain_dev(plasma_domain *out)
{
    plasma_addr contract;
    int rc = plasma_addr_parse(&contract, PLASMA_DEV_VERIFYING_CONTRACT);
    (void)rc; /* a constant that always parses */
    plasma_domain_init(out, PLASMA_DEV_CHAIN_ID, &contract);
}

/* --- hashStruct --- */

static void hash_input(plasma_hash *out, uint64_t pos)
{
    plasma_keccak k;
    plasma_keccak_init(&k);
    put_word(&k, g_typehash.input.b);
    put_u64(&k, plasma_pos_blknum(pos));
    put_u64(&k, plasma_pos_txindex(pos));
    put_u64(&k, plasma_pos_oindex(pos));
    plasma_keccak_final(&k, out);
}

static void hash_output(plasma_hash *out, const plasma_output *o)
{
    plasma_keccak k;
    plasma_keccak_init(&k);
    put_word(&k, g_typehash.output.b);
    put_u64(&k, PLASMA_OUTPUT_TYPE_PAYMENT);
    put_addr(&k, &o->owner);
    put_addr(&k, &o->token);
    put_u256(&k, &o->amount);
    plasma_keccak_final(&k, out);
}

/* hashStruct(Transaction). An array member is the keccak of its elements'
 * hashStructs concatenated (keccak("") when empty). */
static void hash_tx(plasma_hash *out, const plasma_tx *tx)
{
    plasma_keccak arr;
    plasma_hash h, inputs, outputs;

    plasma_keccak_init(&arr);
    for (unsigned i = 0; i < tx->n_inputs && i < PLASMA_MAX_INPUTS; i++) {
        hash_input(&h, tx->inputs[i]);
        put_word(&arr, h.b);
    }
    plasma_keccak_final(&arr, &inputs);

    plasma_keccak_init(&arr);
    for (unsigned i = 0; i < tx->n_outputs && i < PLASMA_MAX_OUTPUTS; i++) {
        hash_output(&h, &tx->outputs[i]);
        put_word(&arr, h.b);
    }
    plasma_keccak_final(&arr, &outputs);

    plasma_keccak k;
    plasma_keccak_init(&k);
    put_word(&k, g_typehash.tx.b);
    put_u64(&k, tx->tx_type);
    put_word(&k, inputs.b);
    put_word(&k, outputs.b);
    put_word(&k, tx->metadata.b);
    plasma_keccak_final(&k, out);
}

void plasma_eip712_digest(plasma_hash *out, const plasma_domain *domain, const plasma_tx *tx)
{
    typehash_ensure();
    plasma_hash st;
    hash_tx(&st, tx);
    static const uint8_t prefix[2] = {0x19, 0x01};
    plasma_keccak k;
    plasma_keccak_init(&k);
    plasma_keccak_update(&k, prefix, sizeof prefix);
    put_word(&k, domain->separator.b);
    put_word(&k, st.b);
    plasma_keccak_final(&k, out);
}

/* --- signing --- */

int plasma_tx_sign_input(plasma_tx *tx, const plasma_domain *domain, unsigned i, const plasma_privkey *key)
{
    if (i >= tx->n_inputs || i >= PLASMA_MAX_INPUTS)
        return PLASMA_ERR_BAD_REQUEST;
    plasma_hash digest;
    plasma_sig sig;
    plasma_eip712_digest(&digest, domain, tx);
    int rc = plasma_sign(&sig, &digest, key);
    if (rc != 0)
        return rc;
    /* Slots skipped over are zeroed so that the tx never carries stale
     * bytes as signatures (and compares equal to a freshly built one). */
    for (unsigned j = tx->n_sigs; j < i; j++)
        memset(&tx->sigs[j], 0, sizeof tx->sigs[j]);
    tx->sigs[i] = sig;
    if (tx->n_sigs < i + 1)
        tx->n_sigs = (uint8_t)(i + 1);
    return PLASMA_OK;
}

int plasma_tx_recover_signers(plasma_addr out[PLASMA_MAX_INPUTS], const plasma_domain *domain,
                              const plasma_tx *tx)
{
    if (tx->n_inputs > PLASMA_MAX_INPUTS)
        return PLASMA_ERR_BAD_SIGNATURE;
    if (tx->n_sigs < tx->n_inputs)
        return PLASMA_ERR_MISSING_SIGNATURE;
    plasma_hash digest;
    plasma_eip712_digest(&digest, domain, tx);
    plasma_addr tmp[PLASMA_MAX_INPUTS];
    for (unsigned i = 0; i < tx->n_inputs; i++) {
        int rc = plasma_recover(&tmp[i], &digest, &tx->sigs[i]);
        if (rc != 0)
            return rc;
    }
    memcpy(out, tmp, tx->n_inputs * sizeof tmp[0]);
    return PLASMA_OK;
}
