/* Keccak-256: the protocol vectors, and incremental hashing in any chunking
 * agreeing with the one-shot hash (the 136-byte rate boundary in particular). */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

static void test_vectors(void **state)
{
    (void)state;
    json_t *root = tu_load_json("protocol.json");
    json_t *list = json_object_get(root, "keccak256");
    assert_true(json_array_size(list) >= 6);
    size_t i;
    json_t *v;
    for (i = 0; i < json_array_size(list); i++) {
        v = json_array_get(list, i);
        size_t len;
        uint8_t *in = tu_hex(tu_str(v, "input_hex"), &len);
        plasma_hash h;
        plasma_keccak256(&h, in, len);
        tu_assert_hex(h.b, sizeof h.b, tu_str(v, "hash"));
        free(in);
    }
    json_decref(root);
}

static void test_empty_and_abc(void **state)
{
    (void)state;
    plasma_hash h;
    plasma_keccak256(&h, "", 0);
    tu_assert_hex(h.b, 32, "0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470");
    plasma_keccak256(&h, "abc", 3);
    tu_assert_hex(h.b, 32, "0x4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45");
}

/* Hashes data in chunks of the given sizes, cycling through them. */
static void hash_chunked(plasma_hash *out, const uint8_t *data, size_t len, const size_t *chunks,
                         size_t nchunks)
{
    plasma_keccak ctx;
    plasma_keccak_init(&ctx);
    size_t off = 0;
    for (size_t k = 0; off < len; k++) {
        size_t n = chunks[k % nchunks];
        if (n > len - off)
            n = len - off;
        plasma_keccak_update(&ctx, data + off, n);
        off += n;
    }
    plasma_keccak_final(&ctx, out);
}

static void test_chunked_equals_oneshot(void **state)
{
    (void)state;
    enum { MAX = 1200 };
    uint8_t data[MAX];
    uint64_t rng = tu_seed("keccak_random", 0x9e3779b97f4a7c15ull);
    for (size_t i = 0; i < MAX; i++)
        data[i] = (uint8_t)tu_rand(&rng);
    static const size_t chunkings[][4] = {
        {1, 1, 1, 1}, {3, 5, 7, 11}, {135, 1, 136, 2}, {8, 16, 24, 9}, {137, 200, 13, 1},
    };
    for (size_t len = 0; len <= 300; len++) {
        plasma_hash one;
        plasma_keccak256(&one, data, len);
        for (size_t c = 0; c < sizeof chunkings / sizeof chunkings[0]; c++) {
            plasma_hash inc;
            hash_chunked(&inc, data, len, chunkings[c], 4);
            assert_memory_equal(one.b, inc.b, 32);
        }
    }
    plasma_hash one, inc;
    plasma_keccak256(&one, data, MAX);
    static const size_t odd[] = {17, 3, 131};
    hash_chunked(&inc, data, MAX, odd, 3);
    assert_memory_equal(one.b, inc.b, 32);
}

/* A zero-length update anywhere must not change the digest. */
static void test_empty_updates(void **state)
{
    (void)state;
    plasma_keccak ctx;
    plasma_keccak_init(&ctx);
    plasma_keccak_update(&ctx, "", 0);
    plasma_keccak_update(&ctx, "ab", 2);
    plasma_keccak_update(&ctx, NULL, 0);
    plasma_keccak_update(&ctx, "c", 1);
    plasma_hash h;
    plasma_keccak_final(&ctx, &h);
    tu_assert_hex(h.b, 32, "0x4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45");
}

/* Many messages at once, of mixed lengths (across the rate boundaries) and
 * in every group size, give the one-shot digests, on the vectorised path
 * and on the portable one. */
static void check_many(size_t n, const size_t *lens, const uint8_t *data)
{
    const uint8_t *msgs[40] = {0};
    plasma_hash got[40], want[40];
    for (size_t i = 0; i < n; i++) {
        msgs[i] = data + 7 * i; /* unaligned, overlapping starts */
        plasma_keccak256(&want[i], msgs[i], lens[i]);
    }
    memset(got, 0xee, sizeof got);
    plasma_keccak256_many(got, msgs, lens, n);
    for (size_t i = 0; i < n; i++)
        assert_memory_equal(got[i].b, want[i].b, 32);
    /* Nothing past out[n - 1] is written. */
    for (size_t i = n; i < 40; i++)
        for (int b = 0; b < 32; b++)
            assert_int_equal(got[i].b[b], 0xee);
}

static void test_many_equals_oneshot(void **state)
{
    (void)state;
    enum { MAX = 1200 };
    static uint8_t data[MAX];
    uint64_t rng = tu_seed("keccak_many_random", 0x243f6a8885a308d3ull);
    for (size_t i = 0; i < MAX; i++)
        data[i] = (uint8_t)tu_rand(&rng);
    static const size_t edges[] = {0,   1,   31,  32,  64,  66,  127, 128, 135,
                                   136, 137, 160, 271, 272, 273, 500, 900};
    size_t ne = sizeof edges / sizeof edges[0];
    /* Every path this CPU has, widest first; the portable one always. */
    static const unsigned paths[] = {8, 4, 1};
    for (int pass = 0; pass < 3; pass++) {
        unsigned lanes = plasma_keccak_set_lanes(paths[pass]);
        assert_true(lanes <= paths[pass]);
        if (pass > 0 && lanes != paths[pass])
            continue; /* not on this CPU: the narrower pass covers it */
        print_message("keccak many: %u-lane path\n", lanes);
        for (size_t n = 0; n <= 40; n++) {
            size_t lens[40];
            for (size_t i = 0; i < n; i++)
                lens[i] = edges[(i * 5 + n) % ne];
            check_many(n, lens, data);
            for (size_t i = 0; i < n; i++)
                lens[i] = 64; /* the Merkle case: all one length */
            check_many(n, lens, data);
        }
    }
    assert_int_equal(plasma_keccak_set_lanes(1), 1);
    plasma_keccak_set_lanes(8);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_vectors),
        cmocka_unit_test(test_empty_and_abc),
        cmocka_unit_test(test_chunked_equals_oneshot),
        cmocka_unit_test(test_empty_updates),
        cmocka_unit_test(test_many_equals_oneshot),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
