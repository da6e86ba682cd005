/* Merkle tree against the protocol vectors: empty leaf and tree, the leaf of
 * every vector transaction, the deposit block root, and for each vector
 * block its root and every listed proof, byte for byte. */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

#include "plasma/merkle.h"

static json_t *vectors;

static int load_vectors(void **state)
{
    (void)state;
    vectors = tu_load_json("protocol.json");
    return 0;
}

static int free_vectors(void **state)
{
    (void)state;
    json_decref(vectors);
    return 0;
}

static void leaf_of_hex(plasma_hash *out, const char *rlp_hex)
{
    size_t len;
    uint8_t *rlp = tu_hex(rlp_hex, &len);
    plasma_merkle_leaf(out, rlp, len);
    free(rlp);
}

static void hash_of_hex(plasma_hash *out, const char *hex)
{
    assert_int_equal(plasma_hash_parse(out, hex), 0);
}

static void test_empty(void **state)
{
    (void)state;
    const json_t *m = json_object_get(vectors, "merkle");
    tu_assert_hex(plasma_merkle_empty(0)->b, 32, tu_str(m, "empty_leaf"));
    tu_assert_hex(plasma_merkle_empty(PLASMA_MERKLE_DEPTH)->b, 32, tu_str(m, "empty_tree_root"));

    plasma_hash root;
    assert_int_equal(plasma_merkle_root(&root, NULL, 0), 0);
    tu_assert_hex(root.b, 32, tu_str(m, "empty_tree_root"));

    plasma_merkle *tree = NULL;
    assert_int_equal(plasma_merkle_build(&tree, NULL, 0), 0);
    assert_int_equal(plasma_merkle_tree_size(tree), 0);
    tu_assert_hex(plasma_merkle_tree_root(tree)->b, 32, tu_str(m, "empty_tree_root"));
    plasma_merkle_free(tree);
}

static void test_tx_leaves(void **state)
{
    (void)state;
    const json_t *txs = json_object_get(vectors, "transactions");
    assert_true(json_array_size(txs) >= 12);
    for (size_t i = 0; i < json_array_size(txs); i++) {
        const json_t *tx = json_array_get(txs, i);
        plasma_hash leaf;
        leaf_of_hex(&leaf, tu_str(tx, "unsigned_rlp"));
        tu_assert_hex(leaf.b, 32, tu_str(tx, "merkle_leaf"));
    }
}

static void test_deposit_block_root(void **state)
{
    (void)state;
    const json_t *dep = json_object_get(vectors, "deposit");
    plasma_hash leaf, root;
    leaf_of_hex(&leaf, tu_str(dep, "unsigned_rlp"));
    assert_int_equal(plasma_merkle_root(&root, &leaf, 1), 0);
    tu_assert_hex(root.b, 32, tu_str(dep, "block_root"));
}

/* The unsigned RLPs a vector block's leaves come from: its own list, or
 * the transactions section when leaves_from names it. */
static const json_t *block_rlps(const json_t *block)
{
    const json_t *rlps = json_object_get(block, "unsigned_rlps");
    if (rlps)
        return rlps;
    assert_string_equal(tu_str(block, "leaves_from"), "transactions[].unsigned_rlp");
    return json_object_get(vectors, "transactions");
}

static plasma_hash *block_leaves(const json_t *block, size_t *n)
{
    const json_t *rlps = block_rlps(block);
    *n = json_array_size(rlps);
    assert_true(*n > 0);
    plasma_hash *leaves = calloc(*n, sizeof *leaves);
    assert_non_null(leaves);
    for (size_t i = 0; i < *n; i++) {
        const json_t *el = json_array_get(rlps, i);
        const char *hex = json_is_string(el) ? json_string_value(el) : tu_str(el, "unsigned_rlp");
        leaf_of_hex(&leaves[i], hex);
    }
    return leaves;
}

static void check_vector_proof(const plasma_merkle *tree, const plasma_hash *leaves, size_t n,
                               const json_t *p)
{
    json_int_t index = json_integer_value(json_object_get(p, "index"));
    assert_true(index >= 0 && (size_t)index < n);
    uint8_t proof[PLASMA_MERKLE_PROOF_LEN];
    assert_int_equal(plasma_merkle_proof(proof, tree, (uint64_t)index), 0);
    tu_assert_hex(proof, sizeof proof, tu_str(p, "proof"));

    size_t vlen;
    uint8_t *vproof = tu_hex(tu_str(p, "proof"), &vlen);
    assert_int_equal(vlen, PLASMA_MERKLE_PROOF_LEN);
    assert_true(
        plasma_merkle_verify(plasma_merkle_tree_root(tree), &leaves[index], (uint64_t)index, vproof, vlen));
    free(vproof);
}

static void check_block(const json_t *block)
{
    size_t n;
    plasma_hash *leaves = block_leaves(block, &n);
    plasma_hash want, root;
    hash_of_hex(&want, tu_str(block, "root"));

    assert_int_equal(plasma_merkle_root(&root, leaves, n), 0);
    assert_true(plasma_hash_eq(&root, &want));

    plasma_merkle *tree = NULL;
    assert_int_equal(plasma_merkle_build(&tree, leaves, n), 0);
    assert_int_equal(plasma_merkle_tree_size(tree), n);
    assert_true(plasma_hash_eq(plasma_merkle_tree_root(tree), &want));

    const json_t *proofs = json_object_get(block, "proofs");
    assert_true(json_array_size(proofs) > 0);
    for (size_t i = 0; i < json_array_size(proofs); i++)
        check_vector_proof(tree, leaves, n, json_array_get(proofs, i));
    plasma_merkle_free(tree);
    free(leaves);
}

static void test_blocks(void **state)
{
    (void)state;
    const json_t *blocks = json_object_get(json_object_get(vectors, "merkle"), "blocks");
    assert_int_equal(json_array_size(blocks), 3);
    for (size_t i = 0; i < json_array_size(blocks); i++)
        check_block(json_array_get(blocks, i));
}

/* The 1000-deposit block's leaf count, as the vector's name promises. */
static void test_deposit_block_size(void **state)
{
    (void)state;
    const json_t *blocks = json_object_get(json_object_get(vectors, "merkle"), "blocks");
    assert_int_equal(json_array_size(json_object_get(json_array_get(blocks, 1), "unsigned_rlps")), 1000);
    assert_int_equal(json_array_size(json_object_get(json_array_get(blocks, 2), "unsigned_rlps")), 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_empty),
        cmocka_unit_test(test_tx_leaves),
        cmocka_unit_test(test_deposit_block_root),
        cmocka_unit_test(test_blocks),
        cmocka_unit_test(test_deposit_block_size),
    };
    return cmocka_run_group_tests(tests, load_vectors, free_vectors);
}
