/* EIP-712 typed-data signing of PROTOCOL §4.
 *
 *   EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)
 *   Transaction(uint256 txType,Input[] inputs,Output[] outputs,bytes32 metadata)
 *   Input(uint256 blknum,uint256 txindex,uint256 oindex)
 *   Output(uint256 outputType,address owner,address token,uint256 amount)
 *   digest = keccak256(0x19 ‖ 0x01 ‖ domainSeparator ‖ hashStruct(Transaction))
 */
#ifndef PLASMA_EIP712_H
#define PLASMA_EIP712_H

#include "plasma/tx.h"

#define PLASMA_DEV_CHAIN_ID 31337u
#define PLASMA_DEV_VERIFYING_CONTRACT "0x5fbdb2315678afecb367f032d93f642f64180aa3"

/* A signing domain; the separator is computed once by plasma_domain_init. */
typedef struct plasma_domain {
    uint64_t chain_id;
    plasma_addr verifying_contract;
    plasma_hash separator;
} plasma_domain;

/* Fills *out with name "Plasma", version "1" and the given chain. */
void plasma_domain_init(plasma_domain *out, uint64_t chain_id, const plasma_addr *verifying_contract);
/* The development domain: chain 31337, contract 0x5fbd...0aa3. */
void plasma_domain_dev(plasma_domain *out);

/* typeHash of Transaction (with Input and Output appended, as EIP-712
 * orders referenced types). */
const plasma_hash *plasma_eip712_tx_typehash(void);

/* The digest an input's owner signs. */
void plasma_eip712_digest(plasma_hash *out, const plasma_domain *domain, const plasma_tx *tx);

/* out[i] = the digest of *txs[i], for i < n: hashed together, several
 * transactions per pass of the vectorised Keccak where the CPU has it. */
void plasma_eip712_digest_many(plasma_hash *out, const plasma_domain *domain, const plasma_tx *const *txs,
                               size_t n);

/* Signs input i of tx with key (tx->sigs[i]); sets n_sigs to at least i+1.
 * Returns 0 or PLASMA_ERR_BAD_REQUEST (bad key or i out of range). */
int plasma_tx_sign_input(plasma_tx *tx, const plasma_domain *domain, unsigned i, const plasma_privkey *key);

/* Recovers the signer of every input: out[i] for i < n_inputs.
 * Returns 0 or PLASMA_ERR_BAD_SIGNATURE / _MISSING_SIGNATURE. */
int plasma_tx_recover_signers(plasma_addr out[PLASMA_MAX_INPUTS], const plasma_domain *domain,
                              const plasma_tx *tx);

#endif
