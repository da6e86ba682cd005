/* Keccak-256 over many independent messages at once.
 *
 * With AVX-512 one 512-bit register holds the same lane of eight Keccak
 * states, so one pass of the permutation advances eight hashes: rotates are
 * single instructions (vprolq) and theta's three-way XOR and chi's
 * a ^ (~b & c) are one vpternlogq each. The states are kept transposed in
 * memory (word w of message k at s[w][k]); a message's blocks are XORed in
 * there, all eight states are permuted, and a message's digest is read out
 * right after its last block. Messages of different lengths share a group:
 * a state whose message has ended is permuted along but never read again.
 *
 * Everywhere else (other CPUs, other compilers, or when switched off for
 * testing) the messages go one by one through plasma_keccak256. */
#include <stdatomic.h>
#include <string.h>

#include "plasma/keccak.h"

#include "keccak_int.h"

#define RATE 136
#define RATE_WORDS (RATE / 8)
#define GROUP 8

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && __GNUC__ >= 10
#define HAVE_X8 1
#include <immintrin.h>
#else
#define HAVE_X8 0
#endif

static atomic_int g_simd = -1; /* -1: not decided yet */

static bool cpu_has_x8(void)
{
#if HAVE_X8
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f");
#else
    return false;
#endif
}

bool plasma_keccak_set_simd(bool enabled)
{
    bool ok = enabled && cpu_has_x8();
    atomic_store(&g_simd, ok ? 1 : 0);
    return ok;
}

#if HAVE_X8
static bool simd_on(void)
{
    int v = atomic_load_explicit(&g_simd, memory_order_relaxed);
    if (v < 0) {
        v = cpu_has_x8() ? 1 : 0;
        atomic_store(&g_simd, v);
    }
    return v == 1;
}

#define XOR3(a, b, c) _mm512_ternarylogic_epi64((a), (b), (c), 0x96)
#define CHI(a, b, c) _mm512_ternarylogic_epi64((a), (b), (c), 0xD2) /* a ^ (~b & c) */
#define ROL(v, n) _mm512_rol_epi64((v), (n))

/* The permutation on eight transposed states: s[w] holds word w of all
 * eight. Same round structure and lane names as the scalar one. */
__attribute__((target("avx512f"))) static void keccak_x8(__m512i s[25])
{
    __m512i a00 = s[0], a10 = s[1], a20 = s[2], a30 = s[3], a40 = s[4];
    __m512i a01 = s[5], a11 = s[6], a21 = s[7], a31 = s[8], a41 = s[9];
    __m512i a02 = s[10], a12 = s[11], a22 = s[12], a32 = s[13], a42 = s[14];
    __m512i a03 = s[15], a13 = s[16], a23 = s[17], a33 = s[18], a43 = s[19];
    __m512i a04 = s[20], a14 = s[21], a24 = s[22], a34 = s[23], a44 = s[24];
    for (int round = 0; round < KECCAK_ROUNDS; round++) {
        __m512i c0 = XOR3(XOR3(a00, a01, a02), a03, a04);
        __m512i c1 = XOR3(XOR3(a10, a11, a12), a13, a14);
        __m512i c2 = XOR3(XOR3(a20, a21, a22), a23, a24);
        __m512i c3 = XOR3(XOR3(a30, a31, a32), a33, a34);
        __m512i c4 = XOR3(XOR3(a40, a41, a42), a43, a44);
        __m512i d0 = _mm512_xor_si512(c4, ROL(c1, 1));
        __m512i d1 = _mm512_xor_si512(c0, ROL(c2, 1));
        __m512i d2 = _mm512_xor_si512(c1, ROL(c3, 1));
        __m512i d3 = _mm512_xor_si512(c2, ROL(c4, 1));
        __m512i d4 = _mm512_xor_si512(c3, ROL(c0, 1));
        __m512i b00 = _mm512_xor_si512(a00, d0);
        __m512i b13 = ROL(_mm512_xor_si512(a01, d0), 36);
        __m512i b21 = ROL(_mm512_xor_si512(a02, d0), 3);
        __m512i b34 = ROL(_mm512_xor_si512(a03, d0), 41);
        __m512i b42 = ROL(_mm512_xor_si512(a04, d0), 18);
        __m512i b02 = ROL(_mm512_xor_si512(a10, d1), 1);
        __m512i b10 = ROL(_mm512_xor_si512(a11, d1), 44);
        __m512i b23 = ROL(_mm512_xor_si512(a12, d1), 10);
        __m512i b31 = ROL(_mm512_xor_si512(a13, d1), 45);
        __m512i b44 = ROL(_mm512_xor_si512(a14, d1), 2);
        __m512i b04 = ROL(_mm512_xor_si512(a20, d2), 62);
        __m512i b12 = ROL(_mm512_xor_si512(a21, d2), 6);
        __m512i b20 = ROL(_mm512_xor_si512(a22, d2), 43);
        __m512i b33 = ROL(_mm512_xor_si512(a23, d2), 15);
        __m512i b41 = ROL(_mm512_xor_si512(a24, d2), 61);
        __m512i b01 = ROL(_mm512_xor_si512(a30, d3), 28);
        __m512i b14 = ROL(_mm512_xor_si512(a31, d3), 55);
        __m512i b22 = ROL(_mm512_xor_si512(a32, d3), 25);
        __m512i b30 = ROL(_mm512_xor_si512(a33, d3), 21);
        __m512i b43 = ROL(_mm512_xor_si512(a34, d3), 56);
        __m512i b03 = ROL(_mm512_xor_si512(a40, d4), 27);
        __m512i b11 = ROL(_mm512_xor_si512(a41, d4), 20);
        __m512i b24 = ROL(_mm512_xor_si512(a42, d4), 39);
        __m512i b32 = ROL(_mm512_xor_si512(a43, d4), 8);
        __m512i b40 = ROL(_mm512_xor_si512(a44, d4), 14);
        a00 = _mm512_xor_si512(CHI(b00, b10, b20), _mm512_set1_epi64((long long)plasma_keccak_rc[round]));
        a10 = CHI(b10, b20, b30);
        a20 = CHI(b20, b30, b40);
        a30 = CHI(b30, b40, b00);
        a40 = CHI(b40, b00, b10);
        a01 = CHI(b01, b11, b21);
        a11 = CHI(b11, b21, b31);
        a21 = CHI(b21, b31, b41);
        a31 = CHI(b31, b41, b01);
        a41 = CHI(b41, b01, b11);
        a02 = CHI(b02, b12, b22);
        a12 = CHI(b12, b22, b32);
        a22 = CHI(b22, b32, b42);
        a32 = CHI(b32, b42, b02);
        a42 = CHI(b42, b02, b12);
        a03 = CHI(b03, b13, b23);
        a13 = CHI(b13, b23, b33);
        a23 = CHI(b23, b33, b43);
        a33 = CHI(b33, b43, b03);
        a43 = CHI(b43, b03, b13);
        a04 = CHI(b04, b14, b24);
        a14 = CHI(b14, b24, b34);
        a24 = CHI(b24, b34, b44);
        a34 = CHI(b34, b44, b04);
        a44 = CHI(b44, b04, b14);
    }
    s[0] = a00, s[1] = a10, s[2] = a20, s[3] = a30, s[4] = a40;
    s[5] = a01, s[6] = a11, s[7] = a21, s[8] = a31, s[9] = a41;
    s[10] = a02, s[11] = a12, s[12] = a22, s[13] = a32, s[14] = a42;
    s[15] = a03, s[16] = a13, s[17] = a23, s[18] = a33, s[19] = a43;
    s[20] = a04, s[21] = a14, s[22] = a24, s[23] = a34, s[24] = a44;
}

static uint64_t load64_le(const uint8_t *p)
{
    uint64_t v;
    memcpy(&v, p, sizeof v);
    return v; /* x86-64 only: little-endian */
}

/* Block b (0-based) of a message in its padded form: whole blocks come
 * straight from the message, the last one from pad (built here). */
static const uint8_t *block_of(const uint8_t *msg, size_t len, size_t b, uint8_t pad[RATE])
{
    size_t full = len / RATE;
    if (b < full)
        return msg + b * RATE;
    size_t tail = len - full * RATE;
    memset(pad, 0, RATE);
    if (tail)
        memcpy(pad, msg + full * RATE, tail);
    pad[tail] ^= 0x01;
    pad[RATE - 1] ^= 0x80;
    return pad;
}

/* Up to eight messages (n <= GROUP); unused states are permuted but unread. */
__attribute__((target("avx512f"))) static void hash_group(plasma_hash *out, const uint8_t *const *msgs,
                                                          const size_t *lens, size_t n)
{
    union {
        __m512i v[25];
        uint64_t w[25][GROUP];
    } st;
    size_t blocks[GROUP] = {0}, most = 0;
    for (size_t k = 0; k < n; k++) {
        blocks[k] = lens[k] / RATE + 1;
        if (blocks[k] > most)
            most = blocks[k];
    }
    for (int w = 0; w < 25; w++)
        st.v[w] = _mm512_setzero_si512();
    uint8_t pad[RATE];
    for (size_t b = 0; b < most; b++) {
        for (size_t k = 0; k < n; k++) {
            if (b >= blocks[k])
                continue;
            const uint8_t *p = block_of(msgs[k], lens[k], b, pad);
            for (int w = 0; w < RATE_WORDS; w++)
                st.w[w][k] ^= load64_le(p + 8 * w);
        }
        keccak_x8(st.v);
        for (size_t k = 0; k < n; k++)
            if (b + 1 == blocks[k])
                for (int w = 0; w < 4; w++)
                    memcpy(out[k].b + 8 * w, &st.w[w][k], 8);
    }
}

#endif

/* Below this many messages in a group, the scalar path is faster. */
#define MIN_SIMD_GROUP 3

void plasma_keccak256_many(plasma_hash *out, const uint8_t *const *msgs, const size_t *lens, size_t n)
{
    size_t i = 0;
#if HAVE_X8
    if (simd_on())
        for (; n - i >= MIN_SIMD_GROUP; i += n - i < GROUP ? n - i : GROUP)
            hash_group(out + i, msgs + i, lens + i, n - i < GROUP ? n - i : GROUP);
#endif
    for (; i < n; i++)
        plasma_keccak256(&out[i], msgs[i], lens[i]);
}
