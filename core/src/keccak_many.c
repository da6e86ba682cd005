/* Keccak-256 over many independent messages at once.
 *
 * With AVX-512 one 512-bit register holds the same word of eight Keccak
 * states, so one pass of the permutation advances eight hashes; with AVX2
 * a 256-bit register holds four. The states are kept transposed in memory
 * (word w of message k next to word w of the others); a message's blocks
 * are XORed in there, all the states are permuted, and a message's digest
 * is read out right after its last block. Messages of different lengths
 * share a group: a state whose message has ended is permuted along but
 * never read again. The path is chosen at run time from what the CPU has.
 *
 * Everywhere else (other CPUs, other compilers, or when switched off for
 * testing) the messages go one by one through plasma_keccak256. */
#include <stdatomic.h>
#include <string.h>

#include "plasma/keccak.h"

#include "keccak_int.h"

#define RATE_WORDS (KECCAK_RATE / 8)
#define MAX_LANES 8

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && __GNUC__ >= 10
#define HAVE_SIMD 1
#include <immintrin.h>
#else
#define HAVE_SIMD 0
#endif

/* Lanes of the widest path the CPU has: 8 (AVX-512), 4 (AVX2) or 1. */
static unsigned cpu_lanes(void)
{
#if HAVE_SIMD
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f"))
        return 8;
    if (__builtin_cpu_supports("avx2"))
        return 4;
#endif
    return 1;
}

static atomic_uint g_lanes; /* 0: not decided yet */

unsigned plasma_keccak_set_lanes(unsigned lanes)
{
    unsigned have = cpu_lanes(), use = lanes >= 8 && have >= 8 ? 8 : lanes >= 4 && have >= 4 ? 4 : 1;
    atomic_store(&g_lanes, use);
    return use;
}

#if HAVE_SIMD

static unsigned lanes_now(void)
{
    unsigned v = atomic_load_explicit(&g_lanes, memory_order_relaxed);
    if (v == 0) {
        v = cpu_lanes();
        atomic_store(&g_lanes, v);
    }
    return v;
}

/* The permutation on transposed states, written once for both widths: V is
 * the vector type, s[w] holds word w of every state. Same round structure
 * and lane names as the scalar permutation. */
#define KECCAK_PERMUTE(V, XOR, XOR3, CHI, ROL, SET1)                                                         \
    V a00 = s[0], a10 = s[1], a20 = s[2], a30 = s[3], a40 = s[4];                                            \
    V a01 = s[5], a11 = s[6], a21 = s[7], a31 = s[8], a41 = s[9];                                            \
    V a02 = s[10], a12 = s[11], a22 = s[12], a32 = s[13], a42 = s[14];                                       \
    V a03 = s[15], a13 = s[16], a23 = s[17], a33 = s[18], a43 = s[19];                                       \
    V a04 = s[20], a14 = s[21], a24 = s[22], a34 = s[23], a44 = s[24];                                       \
    for (int round = 0; round < KECCAK_ROUNDS; round++) {                                                    \
        V c0 = XOR3(XOR3(a00, a01, a02), a03, a04);                                                          \
        V c1 = XOR3(XOR3(a10, a11, a12), a13, a14);                                                          \
        V c2 = XOR3(XOR3(a20, a21, a22), a23, a24);                                                          \
        V c3 = XOR3(XOR3(a30, a31, a32), a33, a34);                                                          \
        V c4 = XOR3(XOR3(a40, a41, a42), a43, a44);                                                          \
        V d0 = XOR(c4, ROL(c1, 1));                                                                          \
        V d1 = XOR(c0, ROL(c2, 1));                                                                          \
        V d2 = XOR(c1, ROL(c3, 1));                                                                          \
        V d3 = XOR(c2, ROL(c4, 1));                                                                          \
        V d4 = XOR(c3, ROL(c0, 1));                                                                          \
        V b00 = XOR(a00, d0);                                                                                \
        V b13 = ROL(XOR(a01, d0), 36);                                                                       \
        V b21 = ROL(XOR(a02, d0), 3);                                                                        \
        V b34 = ROL(XOR(a03, d0), 41);                                                                       \
        V b42 = ROL(XOR(a04, d0), 18);                                                                       \
        V b02 = ROL(XOR(a10, d1), 1);                                                                        \
        V b10 = ROL(XOR(a11, d1), 44);                                                                       \
        V b23 = ROL(XOR(a12, d1), 10);                                                                       \
        V b31 = ROL(XOR(a13, d1), 45);                                                                       \
        V b44 = ROL(XOR(a14, d1), 2);                                                                        \
        V b04 = ROL(XOR(a20, d2), 62);                                                                       \
        V b12 = ROL(XOR(a21, d2), 6);                                                                        \
        V b20 = ROL(XOR(a22, d2), 43);                                                                       \
        V b33 = ROL(XOR(a23, d2), 15);                                                                       \
        V b41 = ROL(XOR(a24, d2), 61);                                                                       \
        V b01 = ROL(XOR(a30, d3), 28);                                                                       \
        V b14 = ROL(XOR(a31, d3), 55);                                                                       \
        V b22 = ROL(XOR(a32, d3), 25);                                                                       \
        V b30 = ROL(XOR(a33, d3), 21);                                                                       \
        V b43 = ROL(XOR(a34, d3), 56);                                                                       \
        V b03 = ROL(XOR(a40, d4), 27);                                                                       \
        V b11 = ROL(XOR(a41, d4), 20);                                                                       \
        V b24 = ROL(XOR(a42, d4), 39);                                                                       \
        V b32 = ROL(XOR(a43, d4), 8);                                                                        \
        V b40 = ROL(XOR(a44, d4), 14);                                                                       \
        a00 = XOR(CHI(b00, b10, b20), SET1((long long)plasma_keccak_rc[round]));                             \
        a10 = CHI(b10, b20, b30);                                                                            \
        a20 = CHI(b20, b30, b40);                                                                            \
        a30 = CHI(b30, b40, b00);                                                                            \
        a40 = CHI(b40, b00, b10);                                                                            \
        a01 = CHI(b01, b11, b21);                                                                            \
        a11 = CHI(b11, b21, b31);                                                                            \
        a21 = CHI(b21, b31, b41);                                                                            \
        a31 = CHI(b31, b41, b01);                                                                            \
        a41 = CHI(b41, b01, b11);                                                                            \
        a02 = CHI(b02, b12, b22);                                                                            \
        a12 = CHI(b12, b22, b32);                                                                            \
        a22 = CHI(b22, b32, b42);                                                                            \
        a32 = CHI(b32, b42, b02);                                                                            \
        a42 = CHI(b42, b02, b12);                                                                            \
        a03 = CHI(b03, b13, b23);                                                                            \
        a13 = CHI(b13, b23, b33);                                                                            \
        a23 = CHI(b23, b33, b43);                                                                            \
        a33 = CHI(b33, b43, b03);                                                                            \
        a43 = CHI(b43, b03, b13);                                                                            \
        a04 = CHI(b04, b14, b24);                                                                            \
        a14 = CHI(b14, b24, b34);                                                                            \
        a24 = CHI(b24, b34, b44);                                                                            \
        a34 = CHI(b34, b44, b04);                                                                            \
        a44 = CHI(b44, b04, b14);                                                                            \
    }                                                                                                        \
    s[0] = a00, s[1] = a10, s[2] = a20, s[3] = a30, s[4] = a40;                                              \
    s[5] = a01, s[6] = a11, s[7] = a21, s[8] = a31, s[9] = a41;                                              \
    s[10] = a02, s[11] = a12, s[12] = a22, s[13] = a32, s[14] = a42;                                         \
    s[15] = a03, s[16] = a13, s[17] = a23, s[18] = a33, s[19] = a43;                                         \
    s[20] = a04, s[21] = a14, s[22] = a24, s[23] = a34, s[24] = a44;

/* AVX-512: rotates are vprolq, and theta's three-way XOR and chi's
 * a ^ (~b & c) one vpternlogq each. */
#define X8_XOR(a, b) _mm512_xor_si512((a), (b))
#define X8_XOR3(a, b, c) _mm512_ternarylogic_epi64((a), (b), (c), 0x96)
#define X8_CHI(a, b, c) _mm512_ternarylogic_epi64((a), (b), (c), 0xD2)
#define X8_ROL(v, n) _mm512_rol_epi64((v), (n))

__attribute__((target("avx512f"))) static void permute_x8(uint64_t *st)
{
    __m512i *s = (__m512i *)st;
    KECCAK_PERMUTE(__m512i, X8_XOR, X8_XOR3, X8_CHI, X8_ROL, _mm512_set1_epi64)
}

/* AVX2: four states per register; a rotate is two shifts and an OR, chi an
 * and-not and an XOR. */
#define X4_XOR(a, b) _mm256_xor_si256((a), (b))
#define X4_XOR3(a, b, c) _mm256_xor_si256(_mm256_xor_si256((a), (b)), (c))
#define X4_CHI(a, b, c) _mm256_xor_si256((a), _mm256_andnot_si256((b), (c)))
#define X4_ROL(v, n) _mm256_or_si256(_mm256_slli_epi64((v), (n)), _mm256_srli_epi64((v), 64 - (n)))

__attribute__((target("avx2"))) static void permute_x4(uint64_t *st)
{
    __m256i *s = (__m256i *)st;
    KECCAK_PERMUTE(__m256i, X4_XOR, X4_XOR3, X4_CHI, X4_ROL, _mm256_set1_epi64x)
}

/* Block b (0-based) of a message in its padded form: whole blocks come
 * straight from the message, the last one from pad (built here). */
static const uint8_t *block_of(const uint8_t *msg, size_t len, size_t b, uint8_t pad[KECCAK_RATE])
{
    size_t full = len / KECCAK_RATE;
    if (b < full)
        return msg + b * KECCAK_RATE;
    size_t tail = len - full * KECCAK_RATE;
    memset(pad, 0, KECCAK_RATE);
    if (tail)
        memcpy(pad, msg + full * KECCAK_RATE, tail);
    pad[tail] ^= 0x01;
    pad[KECCAK_RATE - 1] ^= 0x80;
    return pad;
}

/* Up to `lanes` messages (n <= lanes) through permute; word w of state k
 * lives at st[w * lanes + k]. Unused states are permuted but never read.
 * Inlined into one copy per width, so that lanes is a constant there. */
static inline __attribute__((always_inline)) void hash_group(plasma_hash *out, const uint8_t *const *msgs,
                                                             const size_t *lens, size_t n, unsigned lanes,
                                                             void (*permute)(uint64_t *))
{
    _Alignas(64) uint64_t st[25 * MAX_LANES];
    memset(st, 0, sizeof st);
    size_t blocks[MAX_LANES] = {0}, most = 0;
    for (size_t k = 0; k < n; k++) {
        blocks[k] = lens[k] / KECCAK_RATE + 1;
        if (blocks[k] > most)
            most = blocks[k];
    }
    uint8_t pad[KECCAK_RATE];
    for (size_t b = 0; b < most; b++) {
        for (size_t k = 0; k < n; k++) {
            if (b >= blocks[k])
                continue;
            const uint8_t *p = block_of(msgs[k], lens[k], b, pad);
            for (int w = 0; w < RATE_WORDS; w++)
                st[w * lanes + k] ^= load64_le(p + 8 * w);
        }
        permute(st);
        for (size_t k = 0; k < n; k++)
            if (b + 1 == blocks[k])
                for (int w = 0; w < 4; w++)
                    memcpy(out[k].b + 8 * w, &st[w * lanes + k], 8);
    }
}

__attribute__((target("avx512f"))) static void hash_group_x8(plasma_hash *out, const uint8_t *const *msgs,
                                                             const size_t *lens, size_t n)
{
    hash_group(out, msgs, lens, n, 8, permute_x8);
}

__attribute__((target("avx2"))) static void hash_group_x4(plasma_hash *out, const uint8_t *const *msgs,
                                                          const size_t *lens, size_t n)
{
    hash_group(out, msgs, lens, n, 4, permute_x4);
}

#endif

/* Below this many messages in a group, the scalar path is faster. */
#define MIN_SIMD_GROUP 3

void plasma_keccak256_many(plasma_hash *out, const uint8_t *const *msgs, const size_t *lens, size_t n)
{
    size_t i = 0;
#if HAVE_SIMD
    unsigned lanes = lanes_now();
    if (lanes > 1)
        for (size_t m; n - i >= MIN_SIMD_GROUP; i += m) {
            m = n - i < lanes ? n - i : lanes;
            (lanes == 8 ? hash_group_x8 : hash_group_x4)(out + i, msgs + i, lens + i, m);
        }
#endif
    for (; i < n; i++)
        plasma_keccak256(&out[i], msgs[i], lens[i]);
}
