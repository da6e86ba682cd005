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

/* --- hashStruct ---
 *
 * Every struct is encoded into a byte buffer and the buffers of one stage
 * (all inputs and outputs, then the arrays, then the transactions, then the
 * digests) are hashed together by plasma_keccak256_many, which takes them
 * eight at a time where the CPU allows. */

enum {
    WORD = 32,
    INPUT_LEN = 4 * WORD,  /* typeHash, blknum, txindex, oindex */
    OUTPUT_LEN = 5 * WORD, /* typeHash, outputType, owner, token, amount */
    TX_LEN = 5 * WORD,     /* typeHash, txType, inputs, outputs, metadata */
    FINAL_LEN = 2 + 2 * WORD,
    CHUNK = 16, /* transactions hashed together */
    STRUCTS = PLASMA_MAX_INPUTS + PLASMA_MAX_OUTPUTS,
};

static uint8_t *word_u64(uint8_t *w, uint64_t v)
{
    memset(w, 0, WORD);
    for (int i = 0; i < 8; i++)
        w[WORD - 1 - i] = (uint8_t)(v >> (8 * i));
    return w + WORD;
}

static uint8_t *word_addr(uint8_t *w, const plasma_addr *a)
{
    memset(w, 0, WORD - sizeof a->b);
    memcpy(w + WORD - sizeof a->b, a->b, sizeof a->b);
    return w + WORD;
}

static uint8_t *word_bytes(uint8_t *w, const uint8_t b[WORD])
{
    memcpy(w, b, WORD);
    return w + WORD;
}

static void enc_input(uint8_t *w, uint64_t pos)
{
    w = word_bytes(w, g_typehash.input.b);
    w = word_u64(w, plasma_pos_blknum(pos));
    w = word_u64(w, plasma_pos_txindex(pos));
    word_u64(w, plasma_pos_oindex(pos));
}

static void enc_output(uint8_t *w, const plasma_output *o)
{
    w = word_bytes(w, g_typehash.output.b);
    w = word_u64(w, PLASMA_OUTPUT_TYPE_PAYMENT);
    w = word_addr(w, &o->owner);
    w = word_addr(w, &o->token);
    plasma_u256_to_be(w, &o->amount);
}

/* Per chunk of transactions: every buffer of every stage. */
typedef struct digest_work {
    uint8_t structs[CHUNK * STRUCTS][OUTPUT_LEN];
    plasma_hash struct_hash[CHUNK * STRUCTS];
    plasma_hash arrays[CHUNK * 2];
    uint8_t txs[CHUNK][TX_LEN];
    plasma_hash tx_hash[CHUNK];
    uint8_t finals[CHUNK][FINAL_LEN];
    const uint8_t *msgs[CHUNK * STRUCTS];
    size_t lens[CHUNK * STRUCTS];
} digest_work;

/* An array member is the keccak of its elements' hashStructs concatenated,
 * which here lie back to back in struct_hash (keccak("") when empty). */
static void digest_chunk(digest_work *w, plasma_hash *out, const plasma_domain *domain,
                         const plasma_tx *const *txs, size_t n)
{
    size_t m = 0, first[CHUNK];
    unsigned n_in[CHUNK], n_out[CHUNK];
    for (size_t t = 0; t < n; t++) {
        const plasma_tx *tx = txs[t];
        unsigned ni = n_in[t] = tx->n_inputs < PLASMA_MAX_INPUTS ? tx->n_inputs : PLASMA_MAX_INPUTS;
        unsigned no = n_out[t] = tx->n_outputs < PLASMA_MAX_OUTPUTS ? tx->n_outputs : PLASMA_MAX_OUTPUTS;
        first[t] = m;
        for (unsigned i = 0; i < ni; i++, m++) {
            enc_input(w->structs[m], tx->inputs[i]);
            w->msgs[m] = w->structs[m];
            w->lens[m] = INPUT_LEN;
        }
        for (unsigned o = 0; o < no; o++, m++) {
            enc_output(w->structs[m], &tx->outputs[o]);
            w->msgs[m] = w->structs[m];
            w->lens[m] = OUTPUT_LEN;
        }
    }
    plasma_keccak256_many(w->struct_hash, w->msgs, w->lens, m);

    for (size_t t = 0; t < n; t++) {
        w->msgs[2 * t] = w->struct_hash[first[t]].b;
        w->lens[2 * t] = n_in[t] * WORD;
        w->msgs[2 * t + 1] = w->struct_hash[first[t] + n_in[t]].b;
        w->lens[2 * t + 1] = n_out[t] * WORD;
    }
    plasma_keccak256_many(w->arrays, w->msgs, w->lens, 2 * n);

    for (size_t t = 0; t < n; t++) {
        uint8_t *p = word_bytes(w->txs[t], g_typehash.tx.b);
        p = word_u64(p, txs[t]->tx_type);
        p = word_bytes(p, w->arrays[2 * t].b);
        p = word_bytes(p, w->arrays[2 * t + 1].b);
        word_bytes(p, txs[t]->metadata.b);
        w->msgs[t] = w->txs[t];
        w->lens[t] = TX_LEN;
    }
    plasma_keccak256_many(w->tx_hash, w->msgs, w->lens, n);

    for (size_t t = 0; t < n; t++) {
        w->finals[t][0] = 0x19;
        w->finals[t][1] = 0x01;
        memcpy(w->finals[t] + 2, domain->separator.b, WORD);
        memcpy(w->finals[t] + 2 + WORD, w->tx_hash[t].b, WORD);
        w->msgs[t] = w->finals[t];
        w->lens[t] = FINAL_LEN;
    }
    plasma_keccak256_many(out, w->msgs, w->lens, n);
}

void plasma_eip712_digest_many(plasma_hash *out, const plasma_domain *domain, const plasma_tx *const *txs,
                               size_t n)
{
    typehash_ensure();
    digest_work w;
    for (size_t i = 0; i < n; i += CHUNK)
        digest_chunk(&w, out + i, domain, txs + i, n - i < CHUNK ? n - i : CHUNK);
}

void plasma_eip712_digest(plasma_hash *out, const plasma_domain *domain, const plasma_tx *tx)
{
    plasma_eip712_digest_many(out, domain, &tx, 1);
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
