/* Merkle tree properties, checked against a reference that materialises all
 * 65,536 leaves and hashes every level in full (written here from PROTOCOL §5,
 * independently of merkle.c):
 *   - plasma_merkle_root and plasma_merkle_build agree with the reference,
 *   - every proof equals the reference siblings and verifies,
 *   - any change to proof, leaf, root or index makes verification fail,
 *   - out-of-range n, index and proof length are rejected. */
#include "testutil.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "plasma/merkle.h"

#define LEAVES PLASMA_MERKLE_LEAVES
#define DEPTH PLASMA_MERKLE_DEPTH

/* The full tree: level h holds LEAVES >> h nodes. */
typedef struct ref_tree {
    plasma_hash *level[DEPTH + 1];
} ref_tree;

static void ref_node(plasma_hash *out, const plasma_hash *l, const plasma_hash *r)
{
    uint8_t buf[65];
    buf[0] = 0x01;
    memcpy(buf + 1, l->b, 32);
    memcpy(buf + 33, r->b, 32);
    plasma_keccak256(out, buf, sizeof buf);
}

static void ref_empty_leaf(plasma_hash *out)
{
    uint8_t buf[33] = {0};
    plasma_keccak256(out, buf, sizeof buf);
}

static ref_tree *ref_build(const plasma_hash *leaves, size_t n)
{
    ref_tree *t = calloc(1, sizeof *t);
    assert_non_null(t);
    for (unsigned h = 0; h <= DEPTH; h++) {
        t->level[h] = malloc((LEAVES >> h) * sizeof(plasma_hash));
        assert_non_null(t->level[h]);
    }
    memcpy(t->level[0], leaves, n * sizeof *leaves);
    for (size_t i = n; i < LEAVES; i++)
        ref_empty_leaf(&t->level[0][i]);
    for (unsigned h = 1; h <= DEPTH; h++)
        for (size_t i = 0; i < (LEAVES >> h); i++)
            ref_node(&t->level[h][i], &t->level[h - 1][2 * i], &t->level[h - 1][2 * i + 1]);
    return t;
}

static void ref_free(ref_tree *t)
{
    for (unsigned h = 0; h <= DEPTH; h++)
        free(t->level[h]);
    free(t);
}

static void ref_proof(uint8_t out[PLASMA_MERKLE_PROOF_LEN], const ref_tree *t, uint64_t index)
{
    for (unsigned h = 0; h < DEPTH; h++)
        memcpy(out + 32 * h, t->level[h][(index >> h) ^ 1].b, 32);
}

static plasma_hash *random_leaves(size_t n, uint64_t *rng)
{
    plasma_hash *leaves = malloc((n ? n : 1) * sizeof *leaves);
    assert_non_null(leaves);
    for (size_t i = 0; i < n; i++)
        for (size_t k = 0; k < 32; k += 8) {
            uint64_t r = tu_rand(rng);
            memcpy(leaves[i].b + k, &r, 8);
        }
    return leaves;
}

/* The leaf a proof of index shows: the given one, or the empty leaf. */
static const plasma_hash *leaf_at(const plasma_hash *leaves, size_t n, uint64_t index)
{
    return index < n ? &leaves[index] : plasma_merkle_empty(0);
}

static void flip_bit(uint8_t *bytes, size_t bit)
{
    bytes[bit / 8] ^= (uint8_t)(1u << (bit % 8));
}

/* Every single-bit change of proof, leaf and root, and every other index
 * that differs in one of the 16 bits, must fail. Index changes are checked
 * only for a given leaf: an empty leaf beside an empty sibling proves the
 * same thing at both positions, which is correct, not a forgery. */
static void check_tamper(const plasma_hash *root, const plasma_hash *leaf, uint64_t index,
                         const uint8_t *proof, bool real_leaf)
{
    uint8_t p[PLASMA_MERKLE_PROOF_LEN];
    memcpy(p, proof, sizeof p);
    for (size_t bit = 0; bit < 8 * sizeof p; bit++) {
        flip_bit(p, bit);
        assert_false(plasma_merkle_verify(root, leaf, index, p, sizeof p));
        flip_bit(p, bit);
    }
    plasma_hash l = *leaf, r = *root;
    for (size_t bit = 0; bit < 256; bit++) {
        flip_bit(l.b, bit);
        assert_false(plasma_merkle_verify(root, &l, index, p, sizeof p));
        flip_bit(l.b, bit);
        flip_bit(r.b, bit);
        assert_false(plasma_merkle_verify(&r, leaf, index, p, sizeof p));
        flip_bit(r.b, bit);
    }
    for (unsigned b = 0; real_leaf && b < DEPTH; b++)
        assert_false(plasma_merkle_verify(root, leaf, index ^ (1u << b), p, sizeof p));
    assert_false(plasma_merkle_verify(root, leaf, index + LEAVES, p, sizeof p));
    assert_true(plasma_merkle_verify(root, leaf, index, p, sizeof p));
}

/* Checks root, build and the proofs of the given indices against the reference. */
static void check_tree(size_t n, uint64_t *rng, const uint64_t *indices, size_t n_indices, bool tamper)
{
    plasma_hash *leaves = random_leaves(n, rng);
    ref_tree *ref = ref_build(leaves, n);
    const plasma_hash *want = &ref->level[DEPTH][0];

    plasma_hash root;
    assert_int_equal(plasma_merkle_root(&root, leaves, n), 0);
    assert_true(plasma_hash_eq(&root, want));
    plasma_merkle *tree = NULL;
    assert_int_equal(plasma_merkle_build(&tree, leaves, n), 0);
    assert_int_equal(plasma_merkle_tree_size(tree), n);
    assert_true(plasma_hash_eq(plasma_merkle_tree_root(tree), want));

    for (size_t k = 0; k < n_indices; k++) {
        uint64_t index = indices[k] % LEAVES;
        uint8_t proof[PLASMA_MERKLE_PROOF_LEN], expect[PLASMA_MERKLE_PROOF_LEN];
        assert_int_equal(plasma_merkle_proof(proof, tree, index), 0);
        ref_proof(expect, ref, index);
        assert_memory_equal(proof, expect, sizeof proof);
        const plasma_hash *leaf = leaf_at(leaves, n, index);
        assert_true(plasma_merkle_verify(&root, leaf, index, proof, sizeof proof));
        if (tamper)
            check_tamper(&root, leaf, index, proof, index < n);
    }
    plasma_merkle_free(tree);
    ref_free(ref);
    free(leaves);
}

/* Indices worth a proof for n leaves: the ends, both sides of n, random. */
static size_t pick_indices(uint64_t *out, size_t n, uint64_t *rng)
{
    size_t k = 0;
    out[k++] = 0;
    out[k++] = LEAVES - 1;
    if (n > 0)
        out[k++] = n - 1;
    out[k++] = n; /* reduced mod 65536 by check_tree when n = 65536 */
    for (int i = 0; i < 4; i++)
        out[k++] = tu_rand(rng) % (n ? n : LEAVES);
    out[k++] = tu_rand(rng) % LEAVES;
    return k;
}

static void test_edge_sizes(void **state)
{
    (void)state;
    static const size_t sizes[] = {0, 1, 2, 3, 4, 5, 7, 8, 9, 1000, 32768, 32769, 65535, 65536};
    uint64_t rng = tu_seed("merkle_props_1", 0x243f6a8885a308d3ull);
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        uint64_t idx[16];
        size_t k = pick_indices(idx, sizes[i], &rng);
        check_tree(sizes[i], &rng, idx, k, false);
    }
}

static void test_random_sizes(void **state)
{
    (void)state;
    uint64_t rng = tu_seed("merkle_props_2", 0x13198a2e03707344ull);
    for (int round = 0; round < 12; round++) {
        uint64_t r = tu_rand(&rng);
        size_t n = round % 2 ? (size_t)(r % 64) : (size_t)(r % (LEAVES + 1));
        uint64_t idx[16];
        size_t k = pick_indices(idx, n, &rng);
        check_tree(n, &rng, idx, k, false);
    }
}

static void test_tamper(void **state)
{
    (void)state;
    static const size_t sizes[] = {1, 2, 12, 1000, 65536};
    uint64_t rng = tu_seed("merkle_props_3", 0xa4093822299f31d0ull);
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        size_t n = sizes[i];
        uint64_t idx[] = {0, n - 1, tu_rand(&rng) % n, n, LEAVES - 1};
        check_tree(n, &rng, idx, sizeof idx / sizeof idx[0], true);
    }
}

static void test_root_equals_build(void **state)
{
    (void)state;
    uint64_t rng = tu_seed("merkle_props_4", 0x082efa98ec4e6c89ull);
    for (int round = 0; round < 40; round++) {
        size_t n = (size_t)(tu_rand(&rng) % (round < 30 ? 300 : LEAVES + 1));
        plasma_hash *leaves = random_leaves(n, &rng);
        plasma_hash root;
        plasma_merkle *tree = NULL;
        assert_int_equal(plasma_merkle_root(&root, leaves, n), 0);
        assert_int_equal(plasma_merkle_build(&tree, leaves, n), 0);
        assert_true(plasma_hash_eq(&root, plasma_merkle_tree_root(tree)));
        plasma_merkle_free(tree);
        free(leaves);
    }
}

static void test_rejects_out_of_range(void **state)
{
    (void)state;
    uint64_t rng = tu_seed("merkle_props_5", 0x452821e638d01377ull);
    plasma_hash *leaves = random_leaves(LEAVES + 1, &rng);
    plasma_hash root = {{0xaa}}, sentinel = root;
    assert_int_equal(plasma_merkle_root(&root, leaves, LEAVES + 1), PLASMA_ERR_BAD_REQUEST);
    assert_true(plasma_hash_eq(&root, &sentinel));
    plasma_merkle *tree = (plasma_merkle *)&sentinel;
    assert_int_equal(plasma_merkle_build(&tree, leaves, LEAVES + 1), PLASMA_ERR_BAD_REQUEST);
    assert_ptr_equal(tree, &sentinel);

    assert_int_equal(plasma_merkle_build(&tree, leaves, 5), 0);
    uint8_t proof[PLASMA_MERKLE_PROOF_LEN] = {0};
    assert_int_equal(plasma_merkle_proof(proof, tree, LEAVES), PLASMA_ERR_BAD_REQUEST);
    assert_int_equal(plasma_merkle_proof(proof, tree, UINT64_MAX), PLASMA_ERR_BAD_REQUEST);
    assert_int_equal(plasma_merkle_proof(proof, tree, 3), 0);
    const plasma_hash *r = plasma_merkle_tree_root(tree);
    assert_true(plasma_merkle_verify(r, &leaves[3], 3, proof, sizeof proof));
    assert_false(plasma_merkle_verify(r, &leaves[3], 3 + LEAVES, proof, sizeof proof));
    assert_false(plasma_merkle_verify(r, &leaves[3], UINT64_MAX, proof, sizeof proof));
    assert_false(plasma_merkle_verify(r, &leaves[3], 3, proof, sizeof proof - 1));
    assert_false(plasma_merkle_verify(r, &leaves[3], 3, proof, sizeof proof - 32));
    assert_false(plasma_merkle_verify(r, &leaves[3], 3, proof, 0));
    plasma_merkle_free(tree);
    plasma_merkle_free(NULL);
    free(leaves);
}

/* Runs first, so the threads race to the one-time empty-subtree setup. */
typedef struct root_job {
    const plasma_hash *leaves;
    size_t n;
    plasma_hash root;
    int rc;
} root_job;

static void *root_thread(void *arg)
{
    root_job *job = arg;
    job->rc = plasma_merkle_root(&job->root, job->leaves, job->n);
    return NULL;
}

static void test_threads_share_empty_roots(void **state)
{
    (void)state;
    enum { THREADS = 8 };
    uint64_t rng = tu_seed("merkle_props_6", 0xbe5466cf34e90c6cull);
    plasma_hash *leaves = random_leaves(THREADS * 37, &rng);
    pthread_t th[THREADS];
    root_job jobs[THREADS];
    for (int i = 0; i < THREADS; i++) {
        jobs[i] = (root_job){.leaves = leaves, .n = (size_t)(i * 37 + 1)};
        assert_int_equal(pthread_create(&th[i], NULL, root_thread, &jobs[i]), 0);
    }
    for (int i = 0; i < THREADS; i++) {
        assert_int_equal(pthread_join(th[i], NULL), 0);
        assert_int_equal(jobs[i].rc, 0);
        ref_tree *ref = ref_build(leaves, jobs[i].n);
        assert_true(plasma_hash_eq(&jobs[i].root, &ref->level[DEPTH][0]));
        ref_free(ref);
    }
    free(leaves);
}

static void test_empty_levels(void **state)
{
    (void)state;
    plasma_hash e;
    ref_empty_leaf(&e);
    assert_true(plasma_hash_eq(plasma_merkle_empty(0), &e));
    for (unsigned h = 1; h <= DEPTH; h++) {
        ref_node(&e, &e, &e);
        assert_true(plasma_hash_eq(plasma_merkle_empty(h), &e));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_threads_share_empty_roots),
        cmocka_unit_test(test_empty_levels),
        cmocka_unit_test(test_edge_sizes),
        cmocka_unit_test(test_random_sizes),
        cmocka_unit_test(test_tamper),
        cmocka_unit_test(test_root_equals_build),
        cmocka_unit_test(test_rejects_out_of_range),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
