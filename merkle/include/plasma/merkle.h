/* The fixed-depth binary Merkle tree of PROTOCOL §5.
 *
 *   leaf_i     = keccak256(0x00 ‖ rlp(UnsignedTx_i))
 *   empty leaf = keccak256(0x00 ‖ 32 zero bytes)
 *   node       = keccak256(0x01 ‖ left ‖ right)
 *   proof      = the 16 sibling hashes from the leaf level up (512 bytes)
 */
#ifndef PLASMA_MERKLE_H
#define PLASMA_MERKLE_H

#include "plasma/types.h"

#define PLASMA_MERKLE_DEPTH 16
#define PLASMA_MERKLE_LEAVES 65536u
#define PLASMA_MERKLE_PROOF_LEN (32 * PLASMA_MERKLE_DEPTH)
/* The first byte hashed for a leaf and for an inner node (see above). */
#define PLASMA_MERKLE_LEAF_PREFIX 0x00
#define PLASMA_MERKLE_NODE_PREFIX 0x01

/* Leaf hash of one transaction's unsigned RLP. */
void plasma_merkle_leaf(plasma_hash *out, const uint8_t *unsigned_rlp, size_t len);

/* Root of an empty subtree of the given height (0 = the empty leaf,
 * 16 = the empty tree). level must be ≤ 16. Computed once, shared. */
const plasma_hash *plasma_merkle_empty(unsigned level);

/* Root of the tree whose first n leaves are given (the rest empty), without
 * keeping levels. Returns 0, PLASMA_ERR_BAD_REQUEST (n > 65536) or
 * PLASMA_ERR_NOMEM. */
int plasma_merkle_root(plasma_hash *out, const plasma_hash *leaves, size_t n);

/* A built tree keeping every non-empty level so that each proof costs
 * O(depth). Opaque; free with plasma_merkle_free. */
typedef struct plasma_merkle plasma_merkle;

/* Builds the tree of n leaves (copied). Returns 0, PLASMA_ERR_BAD_REQUEST
 * (n > 65536) or PLASMA_ERR_NOMEM; *out written only on success. */
int plasma_merkle_build(plasma_merkle **out, const plasma_hash *leaves, size_t n);
void plasma_merkle_free(plasma_merkle *tree);
const plasma_hash *plasma_merkle_tree_root(const plasma_merkle *tree);
size_t plasma_merkle_tree_size(const plasma_merkle *tree);

/* Writes the proof of leaf index (index < 65536; an index ≥ n proves the
 * empty leaf). Returns 0 or PLASMA_ERR_BAD_REQUEST. */
int plasma_merkle_proof(uint8_t out[PLASMA_MERKLE_PROOF_LEN], const plasma_merkle *tree,
                        uint64_t index);

/* True when proof (proof_len must be 512) shows leaf at index under root.
 * False for index ≥ 65536 or a wrong length. */
bool plasma_merkle_verify(const plasma_hash *root, const plasma_hash *leaf, uint64_t index,
                          const uint8_t *proof, size_t proof_len);

#endif
