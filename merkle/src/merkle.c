/* The depth-16 Merkle tree of PROTOCOL §5.
 *
 * A block rarely fills its 65,536 leaves, so nothing here materialises the
 * empty part of the tree: a level of `count` nodes yields ceil(count / 2)
 * parents, and an odd last node is paired with the root of the empty subtree
 * of that level's height (precomputed once). */
#include "plasma/merkle.h"

#include <assert.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "plasma/err.h"
#include "plasma/keccak.h"

#define LEAF_PREFIX PLASMA_MERKLE_LEAF_PREFIX
#define NODE_PREFIX PLASMA_MERKLE_NODE_PREFIX

struct plasma_merkle {
    size_t count[PLASMA_MERKLE_DEPTH + 1];       /* nodes stored per level */
    plasma_hash *level[PLASMA_MERKLE_DEPTH + 1]; /* level 0 = the leaves */
    plasma_hash root;
    plasma_hash nodes[]; /* every level, back to back */
};

static plasma_hash empty_roots[PLASMA_MERKLE_DEPTH + 1];
static pthread_once_t empty_once = PTHREAD_ONCE_INIT;

/* node = keccak256(0x01 ‖ left ‖ right), hashed from one 65-byte buffer so
 * the sponge absorbs it in a single pass. */
static void hash_node(plasma_hash *out, const plasma_hash *left, const plasma_hash *right)
{
    uint8_t buf[1 + 2 * sizeof(plasma_hash)];
    buf[0] = NODE_PREFIX;
    memcpy(buf + 1, left->b, sizeof left->b);
    memcpy(buf + 1 + sizeof left->b, right->b, sizeof right->b);
    plasma_keccak256(out, buf, sizeof buf);
}

static void init_empty_roots(void)
{
    uint8_t zero_leaf[1 + sizeof(plasma_hash)] = {LEAF_PREFIX};
    plasma_keccak256(&empty_roots[0], zero_leaf, sizeof zero_leaf);
    for (unsigned h = 1; h <= PLASMA_MERKLE_DEPTH; h++)
        hash_node(&empty_roots[h], &empty_roots[h - 1], &empty_roots[h - 1]);
}

const plasma_hash *plasma_merkle_empty(unsigned level)
{
    assert(level <= PLASMA_MERKLE_DEPTH);
    pthread_once(&empty_once, init_empty_roots);
    return &empty_roots[level];
}

void plasma_merkle_leaf(plasma_hash *out, const uint8_t *unsigned_rlp, size_t len)
{
    const uint8_t prefix = LEAF_PREFIX;
    plasma_keccak ctx;
    plasma_keccak_init(&ctx);
    plasma_keccak_update(&ctx, &prefix, 1);
    plasma_keccak_update(&ctx, unsigned_rlp, len);
    plasma_keccak_final(&ctx, out);
}

static size_t parent_count(size_t count)
{
    return count / 2 + count % 2;
}

/* Hashes the `count` nodes of level `height` into their parents in dst,
 * CHUNK parents per call of plasma_keccak256_many. dst may equal src:
 * a chunk's children are copied out before its parents are written, and
 * parent i never lies past child 2i. */
enum { CHUNK = 64, NODE_LEN = 1 + 2 * sizeof(plasma_hash) };

static void hash_level(plasma_hash *dst, const plasma_hash *src, size_t count, unsigned height)
{
    uint8_t buf[CHUNK][NODE_LEN];
    const uint8_t *msgs[CHUNK];
    size_t lens[CHUNK];
    size_t parents = parent_count(count);
    for (size_t c = 0; c < parents; c += CHUNK) {
        size_t m = parents - c < CHUNK ? parents - c : CHUNK;
        for (size_t k = 0; k < m; k++) {
            size_t i = c + k;
            const plasma_hash *right = 2 * i + 1 < count ? &src[2 * i + 1] : plasma_merkle_empty(height);
            buf[k][0] = NODE_PREFIX;
            memcpy(buf[k] + 1, src[2 * i].b, sizeof(plasma_hash));
            memcpy(buf[k] + 1 + sizeof(plasma_hash), right->b, sizeof(plasma_hash));
            msgs[k] = buf[k];
            lens[k] = NODE_LEN;
        }
        plasma_keccak256_many(&dst[c], msgs, lens, m);
    }
}

int plasma_merkle_root(plasma_hash *out, const plasma_hash *leaves, size_t n)
{
    if (n > PLASMA_MERKLE_LEAVES)
        return PLASMA_ERR_BAD_REQUEST;
    if (n == 0) {
        *out = *plasma_merkle_empty(PLASMA_MERKLE_DEPTH);
        return PLASMA_OK;
    }
    plasma_hash *work = malloc(parent_count(n) * sizeof *work);
    if (!work)
        return PLASMA_ERR_NOMEM;
    hash_level(work, leaves, n, 0);
    size_t count = parent_count(n);
    for (unsigned h = 1; h < PLASMA_MERKLE_DEPTH; h++) {
        hash_level(work, work, count, h);
        count = parent_count(count);
    }
    *out = work[0];
    free(work);
    return PLASMA_OK;
}

/* Total nodes stored for n leaves: n + ceil(n/2) + ... down to the root. */
static size_t stored_nodes(size_t n, size_t count[PLASMA_MERKLE_DEPTH + 1])
{
    size_t total = 0;
    for (unsigned h = 0; h <= PLASMA_MERKLE_DEPTH; h++) {
        count[h] = n;
        total += n;
        n = parent_count(n);
    }
    return total;
}

int plasma_merkle_build(plasma_merkle **out, const plasma_hash *leaves, size_t n)
{
    if (n > PLASMA_MERKLE_LEAVES)
        return PLASMA_ERR_BAD_REQUEST;
    size_t count[PLASMA_MERKLE_DEPTH + 1];
    size_t total = stored_nodes(n, count);
    plasma_merkle *t = malloc(sizeof *t + total * sizeof(plasma_hash));
    if (!t)
        return PLASMA_ERR_NOMEM;
    memcpy(t->count, count, sizeof count);
    plasma_hash *p = t->nodes;
    for (unsigned h = 0; h <= PLASMA_MERKLE_DEPTH; h++) {
        t->level[h] = p;
        p += count[h];
    }
    if (n > 0)
        memcpy(t->level[0], leaves, n * sizeof *leaves);
    for (unsigned h = 0; h < PLASMA_MERKLE_DEPTH; h++)
        hash_level(t->level[h + 1], t->level[h], count[h], h);
    t->root = n > 0 ? t->level[PLASMA_MERKLE_DEPTH][0] : *plasma_merkle_empty(PLASMA_MERKLE_DEPTH);
    *out = t;
    return PLASMA_OK;
}

void plasma_merkle_free(plasma_merkle *tree)
{
    free(tree);
}

const plasma_hash *plasma_merkle_tree_root(const plasma_merkle *tree)
{
    return &tree->root;
}

size_t plasma_merkle_tree_size(const plasma_merkle *tree)
{
    return tree->count[0];
}

int plasma_merkle_proof(uint8_t out[PLASMA_MERKLE_PROOF_LEN], const plasma_merkle *tree, uint64_t index)
{
    if (index >= PLASMA_MERKLE_LEAVES)
        return PLASMA_ERR_BAD_REQUEST;
    for (unsigned h = 0; h < PLASMA_MERKLE_DEPTH; h++) {
        uint64_t sibling = (index >> h) ^ 1;
        const plasma_hash *s = sibling < tree->count[h] ? &tree->level[h][sibling] : plasma_merkle_empty(h);
        memcpy(out + h * sizeof(plasma_hash), s->b, sizeof s->b);
    }
    return PLASMA_OK;
}

bool plasma_merkle_verify(const plasma_hash *root, const plasma_hash *leaf, uint64_t index,
                          const uint8_t *proof, size_t proof_len)
{
    if (index >= PLASMA_MERKLE_LEAVES || proof_len != PLASMA_MERKLE_PROOF_LEN)
        return false;
    plasma_hash cur = *leaf;
    for (unsigned h = 0; h < PLASMA_MERKLE_DEPTH; h++) {
        plasma_hash sibling;
        memcpy(sibling.b, proof + h * sizeof(plasma_hash), sizeof sibling.b);
        if ((index >> h) & 1)
            hash_node(&cur, &sibling, &cur);
        else
            hash_node(&cur, &cur, &sibling);
    }
    return plasma_hash_eq(&cur, root);
}
