/* Bare-metal Advanced SIMD micro-benchmarks (bench/simd.sh): image kernels
 * that gcc -O3 vectorises (interleaved RGB to grey, a vertical 3-tap blur, a
 * saturating alpha blend, a sum of absolute differences), and AES-128 and
 * SHA-256 through the cryptographic extension (ACLE intrinsics). Each kernel
 * reports "BENCH-FP name ns-per-op ops" (op = one output byte, one 16-byte
 * AES block or one 64-byte SHA-256 block) and "FPCHECK name hash" of its
 * result and FPSR, which bench/simd.sh compares across simulators. AES and
 * SHA-256 are also checked against FIPS-197 / FIPS 180-2 known answers
 * (a wrong answer prints "FAIL" and the run exits 1). Built with -O3
 * -mstrict-align (the MMU is off, so memory is Device: no unaligned access),
 * bm_crt0.S and tests/guest/libguest.c. */
#include <arm_neon.h>
#include <stdint.h>

#include "fpbench.h"

#ifndef FP_SCALE
#define FP_SCALE 1
#endif
#ifndef FP_ONLY
#define FP_ONLY 63 /* bit 0 gray, 1 blur, 2 blend, 3 sad, 4 aes, 5 sha256 */
#endif

enum { W = 256, H = 64 };

static void mix_bytes(const uint8_t *p, int n)
{
    for (int i = 0; i < n; i++)
        mix(p[i]);
}

static uint32_t seed = 1;
static uint8_t rnd8(void)
{
    seed = seed * 1103515245u + 12345u;
    return (uint8_t)(seed >> 16);
}

static uint8_t rgb[H][3 * W] __attribute__((aligned(16)));
static uint8_t img_a[H][W] __attribute__((aligned(16))), img_b[H][W] __attribute__((aligned(16)));
static uint8_t alpha[H][W] __attribute__((aligned(16))), out[H][W] __attribute__((aligned(16)));

static void fill(void)
{
    for (int y = 0; y < H; y++) {
        for (int x = 0; x < 3 * W; x++)
            rgb[y][x] = rnd8();
        for (int x = 0; x < W; x++) {
            img_a[y][x] = rnd8();
            img_b[y][x] = rnd8();
            alpha[y][x] = rnd8();
        }
    }
}

/* Interleaved RGB to grey (BT.601 weights /256): LD3, widening multiplies, narrowing. */
static __attribute__((noinline)) void gray_row(uint8_t *restrict o, const uint8_t *restrict p)
{
    for (int x = 0; x < W; x++)
        o[x] = (uint8_t)((77 * p[3 * x] + 150 * p[3 * x + 1] + 29 * p[3 * x + 2] + 128) >> 8);
}

/* Vertical 1-2-1 blur, rounded. */
static __attribute__((noinline)) void blur_row(uint8_t *restrict o, const uint8_t *restrict a,
                                               const uint8_t *restrict b, const uint8_t *restrict c)
{
    for (int x = 0; x < W; x++)
        o[x] = (uint8_t)((a[x] + 2 * b[x] + c[x] + 2) >> 2);
}

/* Alpha blend plus a saturating brighten. */
static __attribute__((noinline)) void blend_row(uint8_t *restrict o, const uint8_t *restrict a,
                                                const uint8_t *restrict b, const uint8_t *restrict al)
{
    for (int x = 0; x < W; x++) {
        unsigned v = (al[x] * a[x] + (255 - al[x]) * b[x] + 128) >> 8;
        v += 20;
        o[x] = (uint8_t)(v > 255 ? 255 : v);
    }
}

/* Sum of absolute differences of a row. */
static __attribute__((noinline)) uint32_t sad_row(const uint8_t *restrict a, const uint8_t *restrict b)
{
    uint32_t s = 0;
    for (int x = 0; x < W; x++)
        s += (uint32_t)(a[x] > b[x] ? a[x] - b[x] : b[x] - a[x]);
    return s;
}

#define IMG_KERNEL(NAME, BODY)                                                                    \
    static __attribute__((noinline)) void NAME(void)                                              \
    {                                                                                             \
        uint64_t t0 = cntvct(), extra = 0;                                                        \
        for (int r = 0; r < 16 * FP_SCALE; r++)                                                 \
            for (int y = 1; y < H - 1; y++) {                                                     \
                BODY;                                                                             \
            }                                                                                     \
        uint64_t t1 = cntvct();                                                                   \
        hash = 0xcbf29ce484222325ull;                                                             \
        mix_bytes(&out[0][0], H * W);                                                             \
        mix(extra);                                                                               \
        report(#NAME, t1 - t0, (uint64_t)16 * FP_SCALE * (H - 2) * W);                          \
    }
IMG_KERNEL(gray, gray_row(out[y], rgb[y]))
IMG_KERNEL(blur, blur_row(out[y], img_a[y - 1], img_a[y], img_a[y + 1]))
IMG_KERNEL(blend, blend_row(out[y], img_a[y], img_b[y], alpha[y]))
IMG_KERNEL(sad, extra += sad_row(img_a[y], img_b[y]) * (uint64_t)(r + 1))

/* ---- AES-128 (FIPS-197) on AESE/AESMC ---- */

static const uint8_t sbox[256] = {
    0x63, 0x7c, 0x77, 0x7b, 0xf2, 0x6b, 0x6f, 0xc5, 0x30, 0x01, 0x67, 0x2b, 0xfe, 0xd7, 0xab, 0x76,
    0xca, 0x82, 0xc9, 0x7d, 0xfa, 0x59, 0x47, 0xf0, 0xad, 0xd4, 0xa2, 0xaf, 0x9c, 0xa4, 0x72, 0xc0,
    0xb7, 0xfd, 0x93, 0x26, 0x36, 0x3f, 0xf7, 0xcc, 0x34, 0xa5, 0xe5, 0xf1, 0x71, 0xd8, 0x31, 0x15,
    0x04, 0xc7, 0x23, 0xc3, 0x18, 0x96, 0x05, 0x9a, 0x07, 0x12, 0x80, 0xe2, 0xeb, 0x27, 0xb2, 0x75,
    0x09, 0x83, 0x2c, 0x1a, 0x1b, 0x6e, 0x5a, 0xa0, 0x52, 0x3b, 0xd6, 0xb3, 0x29, 0xe3, 0x2f, 0x84,
    0x53, 0xd1, 0x00, 0xed, 0x20, 0xfc, 0xb1, 0x5b, 0x6a, 0xcb, 0xbe, 0x39, 0x4a, 0x4c, 0x58, 0xcf,
    0xd0, 0xef, 0xaa, 0xfb, 0x43, 0x4d, 0x33, 0x85, 0x45, 0xf9, 0x02, 0x7f, 0x50, 0x3c, 0x9f, 0xa8,
    0x51, 0xa3, 0x40, 0x8f, 0x92, 0x9d, 0x38, 0xf5, 0xbc, 0xb6, 0xda, 0x21, 0x10, 0xff, 0xf3, 0xd2,
    0xcd, 0x0c, 0x13, 0xec, 0x5f, 0x97, 0x44, 0x17, 0xc4, 0xa7, 0x7e, 0x3d, 0x64, 0x5d, 0x19, 0x73,
    0x60, 0x81, 0x4f, 0xdc, 0x22, 0x2a, 0x90, 0x88, 0x46, 0xee, 0xb8, 0x14, 0xde, 0x5e, 0x0b, 0xdb,
    0xe0, 0x32, 0x3a, 0x0a, 0x49, 0x06, 0x24, 0x5c, 0xc2, 0xd3, 0xac, 0x62, 0x91, 0x95, 0xe4, 0x79,
    0xe7, 0xc8, 0x37, 0x6d, 0x8d, 0xd5, 0x4e, 0xa9, 0x6c, 0x56, 0xf4, 0xea, 0x65, 0x7a, 0xae, 0x08,
    0xba, 0x78, 0x25, 0x2e, 0x1c, 0xa6, 0xb4, 0xc6, 0xe8, 0xdd, 0x74, 0x1f, 0x4b, 0xbd, 0x8b, 0x8a,
    0x70, 0x3e, 0xb5, 0x66, 0x48, 0x03, 0xf6, 0x0e, 0x61, 0x35, 0x57, 0xb9, 0x86, 0xc1, 0x1d, 0x9e,
    0xe1, 0xf8, 0x98, 0x11, 0x69, 0xd9, 0x8e, 0x94, 0x9b, 0x1e, 0x87, 0xe9, 0xce, 0x55, 0x28, 0xdf,
    0x8c, 0xa1, 0x89, 0x0d, 0xbf, 0xe6, 0x42, 0x68, 0x41, 0x99, 0x2d, 0x0f, 0xb0, 0x54, 0xbb, 0x16,
};

static uint8_t rk[11][16] __attribute__((aligned(16)));

static void aes_expand(const uint8_t key[16])
{
    uint8_t rcon = 1;
    for (int i = 0; i < 16; i++)
        rk[0][i] = key[i];
    for (int r = 1; r <= 10; r++) {
        const uint8_t *p = rk[r - 1];
        uint8_t t[4] = {(uint8_t)(sbox[p[13]] ^ rcon), sbox[p[14]], sbox[p[15]], sbox[p[12]]};
        rcon = (uint8_t)(rcon << 1 ^ (rcon & 0x80 ? 0x1b : 0));
        for (int i = 0; i < 16; i++)
            rk[r][i] = (uint8_t)(p[i] ^ (i < 4 ? t[i] : rk[r][i - 4]));
    }
}

static uint8x16_t aes_block(uint8x16_t b)
{
    for (int r = 0; r < 9; r++)
        b = vaesmcq_u8(vaeseq_u8(b, vld1q_u8(rk[r])));
    return veorq_u8(vaeseq_u8(b, vld1q_u8(rk[9])), vld1q_u8(rk[10]));
}

static uint8_t aes_buf[1024] __attribute__((aligned(16)));

static __attribute__((noinline)) void aes(void)
{
    static const uint8_t key[16] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};
    static const uint8_t pt[16] = {0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77,
                                   0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff};
    static const uint8_t ct[16] = {0x69, 0xc4, 0xe0, 0xd8, 0x6a, 0x7b, 0x04, 0x30,
                                   0xd8, 0xcd, 0xb7, 0x80, 0x70, 0xb4, 0xc5, 0x5a};
    aes_expand(key);
    uint8_t got[16] __attribute__((aligned(16)));
    vst1q_u8(got, aes_block(vld1q_u8(pt)));
    for (int i = 0; i < 16; i++)
        CHECK_EQ(got[i], ct[i]);
    for (int i = 0; i < (int)sizeof aes_buf; i++)
        aes_buf[i] = rnd8();
    uint64_t t0 = cntvct();
    uint8x16_t chain = vdupq_n_u8(0);
    for (int r = 0; r < 40 * FP_SCALE; r++)
        for (int i = 0; i < (int)sizeof aes_buf; i += 16) { /* CBC encryption in place */
            chain = aes_block(veorq_u8(chain, vld1q_u8(aes_buf + i)));
            vst1q_u8(aes_buf + i, chain);
        }
    uint64_t t1 = cntvct();
    hash = 0xcbf29ce484222325ull;
    mix_bytes(aes_buf, sizeof aes_buf);
    report("aes", t1 - t0, (uint64_t)40 * FP_SCALE * sizeof aes_buf / 16);
}

/* ---- SHA-256 (FIPS 180-2) on SHA256H/H2/SU0/SU1 ---- */

static const uint32_t K256[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

static void sha256_block(uint32x4_t st[2], const uint8_t *p)
{
    uint32x4_t m[4], abcd = st[0], efgh = st[1];
    for (int i = 0; i < 4; i++)
        m[i] = vreinterpretq_u32_u8(vrev32q_u8(vld1q_u8(p + 16 * i)));
    for (int i = 0; i < 16; i++) {
        uint32x4_t wk = vaddq_u32(m[i & 3], vld1q_u32(&K256[4 * i])), a0 = abcd;
        if (i < 12)
            m[i & 3] = vsha256su1q_u32(vsha256su0q_u32(m[i & 3], m[(i + 1) & 3]), m[(i + 2) & 3], m[(i + 3) & 3]);
        abcd = vsha256hq_u32(abcd, efgh, wk);
        efgh = vsha256h2q_u32(efgh, a0, wk);
    }
    st[0] = vaddq_u32(st[0], abcd);
    st[1] = vaddq_u32(st[1], efgh);
}

static void sha256_init(uint32x4_t st[2])
{
    static const uint32_t h0[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                   0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
    st[0] = vld1q_u32(h0);
    st[1] = vld1q_u32(h0 + 4);
}

static uint8_t sha_buf[4096] __attribute__((aligned(16)));

static __attribute__((noinline)) void sha256(void)
{
    static const uint32_t abc[8] = {0xba7816bf, 0x8f01cfea, 0x414140de, 0x5dae2223,
                                    0xb00361a3, 0x96177a9c, 0xb410ff61, 0xf20015ad};
    uint8_t blk[64] __attribute__((aligned(16))) = {'a', 'b', 'c', 0x80};
    blk[63] = 24; /* length in bits, big-endian */
    uint32x4_t st[2];
    uint32_t got[8];
    sha256_init(st);
    sha256_block(st, blk);
    vst1q_u32(got, st[0]);
    vst1q_u32(got + 4, st[1]);
    for (int i = 0; i < 8; i++)
        CHECK_EQ(got[i], abc[i]);
    for (int i = 0; i < (int)sizeof sha_buf; i++)
        sha_buf[i] = rnd8();
    sha256_init(st);
    uint64_t t0 = cntvct();
    for (int r = 0; r < 10 * FP_SCALE; r++)
        for (int i = 0; i < (int)sizeof sha_buf; i += 64)
            sha256_block(st, sha_buf + i);
    uint64_t t1 = cntvct();
    hash = 0xcbf29ce484222325ull;
    vst1q_u32(got, st[0]);
    vst1q_u32(got + 4, st[1]);
    for (int i = 0; i < 8; i++)
        mix(got[i]);
    report("sha256", t1 - t0, (uint64_t)10 * FP_SCALE * sizeof sha_buf / 64);
}

int main(void)
{
    /* QEMU starts a bare-metal ELF with FP access trapped (CPACR_EL1.FPEN) */
    __asm__ volatile("mrs x0, cpacr_el1; orr x0, x0, #(3 << 20); msr cpacr_el1, x0; isb" ::: "x0");
    fill();
    if (FP_ONLY & 1)
        gray();
    if (FP_ONLY & 2)
        blur();
    if (FP_ONLY & 4)
        blend();
    if (FP_ONLY & 8)
        sad();
    if (FP_ONLY & 16)
        aes();
    if (FP_ONLY & 32)
        sha256();
    return GUEST_RESULT();
}
