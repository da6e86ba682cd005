/* Keccak-256 with Ethereum's padding (0x01 ... 0x80), rate 136 bytes.
 *
 * The permutation keeps the 25 lanes in locals named a<x><y> so that the
 * compiler can hold the state in registers across a round; each round is
 * written out lane by lane (theta, rho+pi, chi, iota) instead of looping over
 * index tables, which is what makes it fast at -O2. */
#include "plasma/keccak.h"

#include <string.h>

#include "keccak_int.h"

#define ROL64(v, n) (((v) << (n)) | ((v) >> (64 - (n))))

/* With GCC on x86-64 the permutation is also compiled for x86-64-v3 and the
 * loader picks that copy where the CPU has it: BMI's and-not and
 * flag-free rotates make it about 12 % faster. Other compilers and CPUs get
 * the one portable build. */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define KECCAK_CLONES __attribute__((target_clones("default", "arch=x86-64-v3")))
#else
#define KECCAK_CLONES
#endif

const uint64_t plasma_keccak_rc[KECCAK_ROUNDS] = {
    0x0000000000000001ull, 0x0000000000008082ull, 0x800000000000808aull, 0x8000000080008000ull,
    0x000000000000808bull, 0x0000000080000001ull, 0x8000000080008081ull, 0x8000000000008009ull,
    0x000000000000008aull, 0x0000000000000088ull, 0x0000000080008009ull, 0x000000008000000aull,
    0x000000008000808bull, 0x800000000000008bull, 0x8000000000008089ull, 0x8000000000008003ull,
    0x8000000000008002ull, 0x8000000000000080ull, 0x000000000000800aull, 0x800000008000000aull,
    0x8000000080008081ull, 0x8000000000008080ull, 0x0000000080000001ull, 0x8000000080008008ull,
};

KECCAK_CLONES static void keccak_f1600(uint64_t st[25])
{
    uint64_t a00, a10, a20, a30, a40, a01, a11, a21, a31, a41, a02, a12, a22, a32, a42, a03, a13, a23, a33,
        a43, a04, a14, a24, a34, a44;
    uint64_t b00, b10, b20, b30, b40, b01, b11, b21, b31, b41, b02, b12, b22, b32, b42, b03, b13, b23, b33,
        b43, b04, b14, b24, b34, b44;
    uint64_t c0, c1, c2, c3, c4, d0, d1, d2, d3, d4;

    a00 = st[0];
    a10 = st[1];
    a20 = st[2];
    a30 = st[3];
    a40 = st[4];
    a01 = st[5];
    a11 = st[6];
    a21 = st[7];
    a31 = st[8];
    a41 = st[9];
    a02 = st[10];
    a12 = st[11];
    a22 = st[12];
    a32 = st[13];
    a42 = st[14];
    a03 = st[15];
    a13 = st[16];
    a23 = st[17];
    a33 = st[18];
    a43 = st[19];
    a04 = st[20];
    a14 = st[21];
    a24 = st[22];
    a34 = st[23];
    a44 = st[24];

    for (int round = 0; round < 24; round++) {
        /* theta */
        c0 = a00 ^ a01 ^ a02 ^ a03 ^ a04;
        c1 = a10 ^ a11 ^ a12 ^ a13 ^ a14;
        c2 = a20 ^ a21 ^ a22 ^ a23 ^ a24;
        c3 = a30 ^ a31 ^ a32 ^ a33 ^ a34;
        c4 = a40 ^ a41 ^ a42 ^ a43 ^ a44;
        d0 = c4 ^ ROL64(c1, 1);
        d1 = c0 ^ ROL64(c2, 1);
        d2 = c1 ^ ROL64(c3, 1);
        d3 = c2 ^ ROL64(c4, 1);
        d4 = c3 ^ ROL64(c0, 1);
        /* rho and pi: b[y][2x+3y] = rot(a[x][y], r[x][y]) */
        b00 = a00 ^ d0;
        b13 = ROL64(a01 ^ d0, 36);
        b21 = ROL64(a02 ^ d0, 3);
        b34 = ROL64(a03 ^ d0, 41);
        b42 = ROL64(a04 ^ d0, 18);
        b02 = ROL64(a10 ^ d1, 1);
        b10 = ROL64(a11 ^ d1, 44);
        b23 = ROL64(a12 ^ d1, 10);
        b31 = ROL64(a13 ^ d1, 45);
        b44 = ROL64(a14 ^ d1, 2);
        b04 = ROL64(a20 ^ d2, 62);
        b12 = ROL64(a21 ^ d2, 6);
        b20 = ROL64(a22 ^ d2, 43);
        b33 = ROL64(a23 ^ d2, 15);
        b41 = ROL64(a24 ^ d2, 61);
        b01 = ROL64(a30 ^ d3, 28);
        b14 = ROL64(a31 ^ d3, 55);
        b22 = ROL64(a32 ^ d3, 25);
        b30 = ROL64(a33 ^ d3, 21);
        b43 = ROL64(a34 ^ d3, 56);
        b03 = ROL64(a40 ^ d4, 27);
        b11 = ROL64(a41 ^ d4, 20);
        b24 = ROL64(a42 ^ d4, 39);
        b32 = ROL64(a43 ^ d4, 8);
        b40 = ROL64(a44 ^ d4, 14);
        /* chi, then iota on lane (0,0) */
        a00 = b00 ^ (~b10 & b20);
        a10 = b10 ^ (~b20 & b30);
        a20 = b20 ^ (~b30 & b40);
        a30 = b30 ^ (~b40 & b00);
        a40 = b40 ^ (~b00 & b10);
        a01 = b01 ^ (~b11 & b21);
        a11 = b11 ^ (~b21 & b31);
        a21 = b21 ^ (~b31 & b41);
        a31 = b31 ^ (~b41 & b01);
        a41 = b41 ^ (~b01 & b11);
        a02 = b02 ^ (~b12 & b22);
        a12 = b12 ^ (~b22 & b32);
        a22 = b22 ^ (~b32 & b42);
        a32 = b32 ^ (~b42 & b02);
        a42 = b42 ^ (~b02 & b12);
        a03 = b03 ^ (~b13 & b23);
        a13 = b13 ^ (~b23 & b33);
        a23 = b23 ^ (~b33 & b43);
        a33 = b33 ^ (~b43 & b03);
        a43 = b43 ^ (~b03 & b13);
        a04 = b04 ^ (~b14 & b24);
        a14 = b14 ^ (~b24 & b34);
        a24 = b24 ^ (~b34 & b44);
        a34 = b34 ^ (~b44 & b04);
        a44 = b44 ^ (~b04 & b14);
        a00 ^= plasma_keccak_rc[round];
    }

    st[0] = a00;
    st[1] = a10;
    st[2] = a20;
    st[3] = a30;
    st[4] = a40;
    st[5] = a01;
    st[6] = a11;
    st[7] = a21;
    st[8] = a31;
    st[9] = a41;
    st[10] = a02;
    st[11] = a12;
    st[12] = a22;
    st[13] = a32;
    st[14] = a42;
    st[15] = a03;
    st[16] = a13;
    st[17] = a23;
    st[18] = a33;
    st[19] = a43;
    st[20] = a04;
    st[21] = a14;
    st[22] = a24;
    st[23] = a34;
    st[24] = a44;
}

static void absorb_block(uint64_t st[25], const uint8_t *block)
{
    for (int i = 0; i < KECCAK_RATE / 8; i++)
        st[i] ^= load64_le(block + 8 * i);
    keccak_f1600(st);
}

static void xor_byte(uint64_t st[25], size_t pos, uint8_t b)
{
    st[pos / 8] ^= (uint64_t)b << (8 * (pos % 8));
}

void plasma_keccak_init(plasma_keccak *ctx)
{
    memset(ctx, 0, sizeof *ctx);
}

void plasma_keccak_update(plasma_keccak *ctx, const void *data, size_t len)
{
    const uint8_t *p = data;
    /* Whole blocks straight from the input when the buffer is empty; else
     * eight bytes at a time into one lane, or across two lanes when the
     * position is not lane-aligned (a Merkle leaf's one-byte prefix puts
     * everything after it off by one); single bytes only at the block's end
     * and for the tail. */
    while (len > 0) {
        unsigned pos = ctx->pos, k = pos % 8;
        if (pos == 0 && len >= KECCAK_RATE) {
            absorb_block(ctx->st, p);
            p += KECCAK_RATE;
            len -= KECCAK_RATE;
            continue;
        }
        if (len >= 8 && k == 0) {
            ctx->st[pos / 8] ^= load64_le(p);
            ctx->pos += 8;
            p += 8;
            len -= 8;
        } else if (len >= 8 && pos + 8 < KECCAK_RATE) {
            uint64_t v = load64_le(p);
            ctx->st[pos / 8] ^= v << (8 * k);
            ctx->st[pos / 8 + 1] ^= v >> (64 - 8 * k);
            ctx->pos += 8;
            p += 8;
            len -= 8;
        } else {
            xor_byte(ctx->st, ctx->pos++, *p++);
            len--;
        }
        if (ctx->pos == KECCAK_RATE) {
            keccak_f1600(ctx->st);
            ctx->pos = 0;
        }
    }
}

void plasma_keccak_final(plasma_keccak *ctx, plasma_hash *out)
{
    xor_byte(ctx->st, ctx->pos, 0x01);
    xor_byte(ctx->st, KECCAK_RATE - 1, 0x80);
    keccak_f1600(ctx->st);
    for (int i = 0; i < 4; i++) {
        uint64_t lane = ctx->st[i];
        for (int j = 0; j < 8; j++)
            out->b[8 * i + j] = (uint8_t)(lane >> (8 * j));
    }
}

void plasma_keccak256(plasma_hash *out, const void *data, size_t len)
{
    plasma_keccak ctx;
    plasma_keccak_init(&ctx);
    plasma_keccak_update(&ctx, data, len);
    plasma_keccak_final(&ctx, out);
}
