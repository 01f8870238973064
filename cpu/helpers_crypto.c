/* Helpers of the vldst group (cpu/helpers_crypto.def): the cryptographic
 * extension (AES, SHA-1, SHA-256, 64-bit PMULL) and the element permutations
 * of LD2-LD4/ST2-ST4 (multiple structures). Semantics follow the Arm ARM
 * pseudocode (AESShiftRows, AESMixColumns, SHA1/SHA256 hash and schedule
 * functions, PolynomialMult). None of them touches memory or can fault.
 * All are called by the owning vCPU thread while executing a block; they
 * read and write that core's cpu->v directly (register numbers in imm). */
#include "translate.h"

#include <string.h>

/* ---- 128-bit register images as bytes / 32-bit words (little-endian) ---- */

typedef struct V128 {
    uint8_t b[16];
} V128;

static V128 vget(const CPUState *cpu, int r)
{
    V128 v;
    for (int i = 0; i < 16; i++)
        v.b[i] = (uint8_t)(cpu->v[r][i / 8] >> (8 * (i % 8)));
    return v;
}

static void vset(CPUState *cpu, int r, V128 v)
{
    uint64_t h[2] = {0, 0};
    for (int i = 0; i < 16; i++)
        h[i / 8] |= (uint64_t)v.b[i] << (8 * (i % 8));
    cpu->v[r][0] = h[0];
    cpu->v[r][1] = h[1];
}

static void wget(const CPUState *cpu, int r, uint32_t w[4])
{
    for (int i = 0; i < 4; i++)
        w[i] = (uint32_t)(cpu->v[r][i / 2] >> (32 * (i % 2)));
}

static void wset(CPUState *cpu, int r, const uint32_t w[4])
{
    cpu->v[r][0] = (uint64_t)w[1] << 32 | w[0];
    cpu->v[r][1] = (uint64_t)w[3] << 32 | w[2];
}

#define RD(imm) ((int)((imm) & 31))
#define RN(imm) ((int)(((imm) >> 5) & 31))
#define RM(imm) ((int)(((imm) >> 10) & 31))

/* ---------------- AES ---------------- */

static const uint8_t sbox[256] = {
    0x63, 0x7c, 0x77, 0x7b, 0xf2, 0x6b, 0x6f, 0xc5, 0x30, 0x01, 0x67, 0x2b,
    0xfe, 0xd7, 0xab, 0x76, 0xca, 0x82, 0xc9, 0x7d, 0xfa, 0x59, 0x47, 0xf0,
    0xad, 0xd4, 0xa2, 0xaf, 0x9c, 0xa4, 0x72, 0xc0, 0xb7, 0xfd, 0x93, 0x26,
    0x36, 0x3f, 0xf7, 0xcc, 0x34, 0xa5, 0xe5, 0xf1, 0x71, 0xd8, 0x31, 0x15,
    0x04, 0xc7, 0x23, 0xc3, 0x18, 0x96, 0x05, 0x9a, 0x07, 0x12, 0x80, 0xe2,
    0xeb, 0x27, 0xb2, 0x75, 0x09, 0x83, 0x2c, 0x1a, 0x1b, 0x6e, 0x5a, 0xa0,
    0x52, 0x3b, 0xd6, 0xb3, 0x29, 0xe3, 0x2f, 0x84, 0x53, 0xd1, 0x00, 0xed,
    0x20, 0xfc, 0xb1, 0x5b, 0x6a, 0xcb, 0xbe, 0x39, 0x4a, 0x4c, 0x58, 0xcf,
    0xd0, 0xef, 0xaa, 0xfb, 0x43, 0x4d, 0x33, 0x85, 0x45, 0xf9, 0x02, 0x7f,
    0x50, 0x3c, 0x9f, 0xa8, 0x51, 0xa3, 0x40, 0x8f, 0x92, 0x9d, 0x38, 0xf5,
    0xbc, 0xb6, 0xda, 0x21, 0x10, 0xff, 0xf3, 0xd2, 0xcd, 0x0c, 0x13, 0xec,
    0x5f, 0x97, 0x44, 0x17, 0xc4, 0xa7, 0x7e, 0x3d, 0x64, 0x5d, 0x19, 0x73,
    0x60, 0x81, 0x4f, 0xdc, 0x22, 0x2a, 0x90, 0x88, 0x46, 0xee, 0xb8, 0x14,
    0xde, 0x5e, 0x0b, 0xdb, 0xe0, 0x32, 0x3a, 0x0a, 0x49, 0x06, 0x24, 0x5c,
    0xc2, 0xd3, 0xac, 0x62, 0x91, 0x95, 0xe4, 0x79, 0xe7, 0xc8, 0x37, 0x6d,
    0x8d, 0xd5, 0x4e, 0xa9, 0x6c, 0x56, 0xf4, 0xea, 0x65, 0x7a, 0xae, 0x08,
    0xba, 0x78, 0x25, 0x2e, 0x1c, 0xa6, 0xb4, 0xc6, 0xe8, 0xdd, 0x74, 0x1f,
    0x4b, 0xbd, 0x8b, 0x8a, 0x70, 0x3e, 0xb5, 0x66, 0x48, 0x03, 0xf6, 0x0e,
    0x61, 0x35, 0x57, 0xb9, 0x86, 0xc1, 0x1d, 0x9e, 0xe1, 0xf8, 0x98, 0x11,
    0x69, 0xd9, 0x8e, 0x94, 0x9b, 0x1e, 0x87, 0xe9, 0xce, 0x55, 0x28, 0xdf,
    0x8c, 0xa1, 0x89, 0x0d, 0xbf, 0xe6, 0x42, 0x68, 0x41, 0x99, 0x2d, 0x0f,
    0xb0, 0x54, 0xbb, 0x16,
};
static const uint8_t inv_sbox[256] = {
    0x52, 0x09, 0x6a, 0xd5, 0x30, 0x36, 0xa5, 0x38, 0xbf, 0x40, 0xa3, 0x9e,
    0x81, 0xf3, 0xd7, 0xfb, 0x7c, 0xe3, 0x39, 0x82, 0x9b, 0x2f, 0xff, 0x87,
    0x34, 0x8e, 0x43, 0x44, 0xc4, 0xde, 0xe9, 0xcb, 0x54, 0x7b, 0x94, 0x32,
    0xa6, 0xc2, 0x23, 0x3d, 0xee, 0x4c, 0x95, 0x0b, 0x42, 0xfa, 0xc3, 0x4e,
    0x08, 0x2e, 0xa1, 0x66, 0x28, 0xd9, 0x24, 0xb2, 0x76, 0x5b, 0xa2, 0x49,
    0x6d, 0x8b, 0xd1, 0x25, 0x72, 0xf8, 0xf6, 0x64, 0x86, 0x68, 0x98, 0x16,
    0xd4, 0xa4, 0x5c, 0xcc, 0x5d, 0x65, 0xb6, 0x92, 0x6c, 0x70, 0x48, 0x50,
    0xfd, 0xed, 0xb9, 0xda, 0x5e, 0x15, 0x46, 0x57, 0xa7, 0x8d, 0x9d, 0x84,
    0x90, 0xd8, 0xab, 0x00, 0x8c, 0xbc, 0xd3, 0x0a, 0xf7, 0xe4, 0x58, 0x05,
    0xb8, 0xb3, 0x45, 0x06, 0xd0, 0x2c, 0x1e, 0x8f, 0xca, 0x3f, 0x0f, 0x02,
    0xc1, 0xaf, 0xbd, 0x03, 0x01, 0x13, 0x8a, 0x6b, 0x3a, 0x91, 0x11, 0x41,
    0x4f, 0x67, 0xdc, 0xea, 0x97, 0xf2, 0xcf, 0xce, 0xf0, 0xb4, 0xe6, 0x73,
    0x96, 0xac, 0x74, 0x22, 0xe7, 0xad, 0x35, 0x85, 0xe2, 0xf9, 0x37, 0xe8,
    0x1c, 0x75, 0xdf, 0x6e, 0x47, 0xf1, 0x1a, 0x71, 0x1d, 0x29, 0xc5, 0x89,
    0x6f, 0xb7, 0x62, 0x0e, 0xaa, 0x18, 0xbe, 0x1b, 0xfc, 0x56, 0x3e, 0x4b,
    0xc6, 0xd2, 0x79, 0x20, 0x9a, 0xdb, 0xc0, 0xfe, 0x78, 0xcd, 0x5a, 0xf4,
    0x1f, 0xdd, 0xa8, 0x33, 0x88, 0x07, 0xc7, 0x31, 0xb1, 0x12, 0x10, 0x59,
    0x27, 0x80, 0xec, 0x5f, 0x60, 0x51, 0x7f, 0xa9, 0x19, 0xb5, 0x4a, 0x0d,
    0x2d, 0xe5, 0x7a, 0x9f, 0x93, 0xc9, 0x9c, 0xef, 0xa0, 0xe0, 0x3b, 0x4d,
    0xae, 0x2a, 0xf5, 0xb0, 0xc8, 0xeb, 0xbb, 0x3c, 0x83, 0x53, 0x99, 0x61,
    0x17, 0x2b, 0x04, 0x7e, 0xba, 0x77, 0xd6, 0x26, 0xe1, 0x69, 0x14, 0x63,
    0x55, 0x21, 0x0c, 0x7d,
};

/* State byte i is row i % 4, column i / 4 (FIPS-197 column-major order). */
static V128 shift_rows(V128 in, bool inverse)
{
    V128 out;
    for (int c = 0; c < 4; c++)
        for (int r = 0; r < 4; r++) {
            int src = inverse ? (c - r + 4) % 4 : (c + r) % 4;
            out.b[r + 4 * c] = in.b[r + 4 * src];
        }
    return out;
}

static uint8_t xtime(uint8_t a) { return (uint8_t)(a << 1 ^ (a & 0x80 ? 0x1b : 0)); }

static uint8_t gmul(uint8_t a, uint8_t b)
{
    uint8_t r = 0;
    for (; b; b >>= 1, a = xtime(a))
        if (b & 1)
            r ^= a;
    return r;
}

static V128 mix_columns(V128 in, bool inverse)
{
    static const uint8_t fwd[4] = {2, 3, 1, 1}, inv[4] = {14, 11, 13, 9};
    const uint8_t *m = inverse ? inv : fwd;
    V128 out;
    for (int c = 0; c < 4; c++)
        for (int r = 0; r < 4; r++) {
            uint8_t x = 0;
            for (int k = 0; k < 4; k++)
                x ^= gmul(in.b[4 * c + (r + k) % 4], m[k]);
            out.b[4 * c + r] = x;
        }
    return out;
}

static uint64_t aes_round(CPUState *cpu, uint64_t imm, bool decrypt)
{
    V128 d = vget(cpu, RD(imm)), n = vget(cpu, RN(imm));
    for (int i = 0; i < 16; i++)
        d.b[i] ^= n.b[i];
    d = shift_rows(d, decrypt);
    for (int i = 0; i < 16; i++)
        d.b[i] = decrypt ? inv_sbox[d.b[i]] : sbox[d.b[i]];
    vset(cpu, RD(imm), d);
    return 0;
}

uint64_t helper_aese(CPUState *cpu, uint64_t a, uint64_t b, uint64_t c, uint64_t imm)
{
    (void)a, (void)b, (void)c;
    return aes_round(cpu, imm, false);
}

uint64_t helper_aesd(CPUState *cpu, uint64_t a, uint64_t b, uint64_t c, uint64_t imm)
{
    (void)a, (void)b, (void)c;
    return aes_round(cpu, imm, true);
}

uint64_t helper_aesmc(CPUState *cpu, uint64_t a, uint64_t b, uint64_t c, uint64_t imm)
{
    (void)a, (void)b, (void)c;
    vset(cpu, RD(imm), mix_columns(vget(cpu, RN(imm)), false));
    return 0;
}

uint64_t helper_aesimc(CPUState *cpu, uint64_t a, uint64_t b, uint64_t c, uint64_t imm)
{
    (void)a, (void)b, (void)c;
    vset(cpu, RD(imm), mix_columns(vget(cpu, RN(imm)), true));
    return 0;
}

/* ---------------- SHA-1 ---------------- */

static uint32_t rol32(uint32_t x, int n) { return x << n | x >> (32 - n); }
static uint32_t ror32(uint32_t x, int n) { return x >> n | x << (32 - n); }

static uint32_t sha_choose(uint32_t x, uint32_t y, uint32_t z) { return ((y ^ z) & x) ^ z; }
static uint32_t sha_parity(uint32_t x, uint32_t y, uint32_t z) { return x ^ y ^ z; }
static uint32_t sha_majority(uint32_t x, uint32_t y, uint32_t z) { return (x & y) | ((x | y) & z); }

/* SHA1C/SHA1P/SHA1M Qd, Sn, Vm.4S: four rounds on X = ABCD with Y = E. */
static uint64_t sha1_hash(CPUState *cpu, uint64_t imm, uint32_t (*f)(uint32_t, uint32_t, uint32_t))
{
    uint32_t x[4], w[4];
    wget(cpu, RD(imm), x);
    wget(cpu, RM(imm), w);
    uint32_t y = (uint32_t)cpu->v[RN(imm)][0];
    for (int e = 0; e < 4; e++) {
        uint32_t t = f(x[1], x[2], x[3]);
        y = y + rol32(x[0], 5) + t + w[e];
        x[1] = rol32(x[1], 30);
        /* <Y, X> = ROL(Y : X, 32) */
        uint32_t top = x[3];
        x[3] = x[2], x[2] = x[1], x[1] = x[0], x[0] = y;
        y = top;
    }
    wset(cpu, RD(imm), x);
    return 0;
}

uint64_t helper_sha1c(CPUState *cpu, uint64_t a, uint64_t b, uint64_t c, uint64_t imm)
{
    (void)a, (void)b, (void)c;
    return sha1_hash(cpu, imm, sha_choose);
}

uint64_t helper_sha1p(CPUState *cpu, uint64_t a, uint64_t b, uint64_t c, uint64_t imm)
{
    (void)a, (void)b, (void)c;
    return sha1_hash(cpu, imm, sha_parity);
}

uint64_t helper_sha1m(CPUState *cpu, uint64_t a, uint64_t b, uint64_t c, uint64_t imm)
{
    (void)a, (void)b, (void)c;
    return sha1_hash(cpu, imm, sha_majority);
}

/* SHA1H Sd, Sn: ROL(Sn, 30); the rest of Vd becomes zero. */
uint64_t helper_sha1h(CPUState *cpu, uint64_t a, uint64_t b, uint64_t c, uint64_t imm)
{
    (void)a, (void)b, (void)c;
    uint32_t n = (uint32_t)cpu->v[RN(imm)][0];
    cpu->v[RD(imm)][0] = rol32(n, 30);
    cpu->v[RD(imm)][1] = 0;
    return 0;
}

uint64_t helper_sha1su0(CPUState *cpu, uint64_t a, uint64_t b, uint64_t c, uint64_t imm)
{
    (void)a, (void)b, (void)c;
    uint64_t d0 = cpu->v[RD(imm)][0], d1 = cpu->v[RD(imm)][1];
    uint64_t n0 = cpu->v[RN(imm)][0];
    uint64_t m0 = cpu->v[RM(imm)][0], m1 = cpu->v[RM(imm)][1];
    /* result = Vn<63:0> : Vd<127:64>, then ^ Vd ^ Vm */
    cpu->v[RD(imm)][0] = d1 ^ d0 ^ m0;
    cpu->v[RD(imm)][1] = n0 ^ d1 ^ m1;
    return 0;
}

uint64_t helper_sha1su1(CPUState *cpu, uint64_t a, uint64_t b, uint64_t c, uint64_t imm)
{
    (void)a, (void)b, (void)c;
    uint32_t d[4], n[4], t[4], r[4];
    wget(cpu, RD(imm), d);
    wget(cpu, RN(imm), n);
    /* T = Vd ^ LSR(Vn, 32) */
    t[0] = d[0] ^ n[1], t[1] = d[1] ^ n[2], t[2] = d[2] ^ n[3], t[3] = d[3];
    for (int e = 0; e < 4; e++)
        r[e] = rol32(t[e], 1);
    r[3] ^= rol32(t[0], 2);
    wset(cpu, RD(imm), r);
    return 0;
}

/* ---------------- SHA-256 ---------------- */

static void sha256_hash(uint32_t x[4], uint32_t y[4], const uint32_t w[4])
{
    for (int e = 0; e < 4; e++) {
        uint32_t chs = sha_choose(y[0], y[1], y[2]);
        uint32_t maj = sha_majority(x[0], x[1], x[2]);
        uint32_t s1 = ror32(y[0], 6) ^ ror32(y[0], 11) ^ ror32(y[0], 25);
        uint32_t s0 = ror32(x[0], 2) ^ ror32(x[0], 13) ^ ror32(x[0], 22);
        uint32_t t = y[3] + s1 + chs + w[e];
        x[3] = t + x[3];
        y[3] = t + s0 + maj;
        /* <Y, X> = ROL(Y : X, 32) over 256 bits */
        uint32_t xt = x[3], yt = y[3];
        x[3] = x[2], x[2] = x[1], x[1] = x[0], x[0] = yt;
        y[3] = y[2], y[2] = y[1], y[1] = y[0], y[0] = xt;
    }
}

uint64_t helper_sha256h(CPUState *cpu, uint64_t a, uint64_t b, uint64_t c, uint64_t imm)
{
    (void)a, (void)b, (void)c;
    uint32_t x[4], y[4], w[4];
    wget(cpu, RD(imm), x);
    wget(cpu, RN(imm), y);
    wget(cpu, RM(imm), w);
    sha256_hash(x, y, w);
    wset(cpu, RD(imm), x);
    return 0;
}

uint64_t helper_sha256h2(CPUState *cpu, uint64_t a, uint64_t b, uint64_t c, uint64_t imm)
{
    (void)a, (void)b, (void)c;
    uint32_t x[4], y[4], w[4];
    wget(cpu, RN(imm), x);
    wget(cpu, RD(imm), y);
    wget(cpu, RM(imm), w);
    sha256_hash(x, y, w);
    wset(cpu, RD(imm), y);
    return 0;
}

uint64_t helper_sha256su0(CPUState *cpu, uint64_t a, uint64_t b, uint64_t c, uint64_t imm)
{
    (void)a, (void)b, (void)c;
    uint32_t d[4], n[4], t[4], r[4];
    wget(cpu, RD(imm), d);
    wget(cpu, RN(imm), n);
    /* T = Vn<31:0> : Vd<127:32> */
    t[0] = d[1], t[1] = d[2], t[2] = d[3], t[3] = n[0];
    for (int e = 0; e < 4; e++)
        r[e] = (ror32(t[e], 7) ^ ror32(t[e], 18) ^ t[e] >> 3) + d[e];
    wset(cpu, RD(imm), r);
    return 0;
}

uint64_t helper_sha256su1(CPUState *cpu, uint64_t a, uint64_t b, uint64_t c, uint64_t imm)
{
    (void)a, (void)b, (void)c;
    uint32_t d[4], n[4], m[4], t0[4], r[4];
    wget(cpu, RD(imm), d);
    wget(cpu, RN(imm), n);
    wget(cpu, RM(imm), m);
    /* T0 = Vm<31:0> : Vn<127:32>; sigma1 of Vm<127:64>, then of the new low half */
    t0[0] = n[1], t0[1] = n[2], t0[2] = n[3], t0[3] = m[0];
    for (int e = 0; e < 4; e++) {
        uint32_t elt = e < 2 ? m[2 + e] : r[e - 2];
        r[e] = (ror32(elt, 17) ^ ror32(elt, 19) ^ elt >> 10) + d[e] + t0[e];
    }
    wset(cpu, RD(imm), r);
    return 0;
}

/* ---------------- PMULL/PMULL2 .1Q ---------------- */

uint64_t helper_pmull64(CPUState *cpu, uint64_t a, uint64_t b, uint64_t c, uint64_t imm)
{
    (void)a, (void)b, (void)c;
    int half = (int)(imm >> 15 & 1);
    uint64_t x = cpu->v[RN(imm)][half], y = cpu->v[RM(imm)][half], lo = 0, hi = 0;
    for (int i = 0; i < 64; i++)
        if (y >> i & 1) {
            lo ^= x << i;
            hi ^= i ? x >> (64 - i) : 0;
        }
    cpu->v[RD(imm)][0] = lo;
    cpu->v[RD(imm)][1] = hi;
    return 0;
}

/* ---------------- LD2-LD4/ST2-ST4 (multiple structures) ----------------
 * imm = rt | selem << 5 | size << 8 | Q << 10 (| chunk << 11 for stores).
 * The memory image of the transfer is selem * (Q ? 16 : 8) bytes; element
 * i of it (in memory order) belongs to register rt + i % selem (mod 32),
 * lane i / selem. */

/* The translator has written the raw memory image into V[rt..rt+selem-1]
 * (register r holds image bytes r*regbytes..): move each element to its
 * register and lane. Upper halves stay zero for Q = 0. */
uint64_t helper_vld_deinterleave(CPUState *cpu, uint64_t a, uint64_t b, uint64_t c, uint64_t imm)
{
    (void)a, (void)b, (void)c;
    int rt = (int)(imm & 31), selem = (int)(imm >> 5 & 7), ebytes = 1 << (imm >> 8 & 3);
    int regbytes = imm >> 10 & 1 ? 16 : 8, nelem = regbytes / ebytes;
    uint8_t img[64];
    V128 out[4];
    for (int r = 0; r < selem; r++) {
        V128 v = vget(cpu, (rt + r) % 32);
        memcpy(img + r * regbytes, v.b, (size_t)regbytes);
        memset(&out[r], 0, sizeof out[r]);
    }
    for (int i = 0; i < selem * nelem; i++)
        memcpy(out[i % selem].b + (i / selem) * ebytes, img + i * ebytes, (size_t)ebytes);
    for (int r = 0; r < selem; r++)
        vset(cpu, (rt + r) % 32, out[r]);
    return 0;
}

/* Returns 8-byte chunk `chunk` of the interleaved memory image. */
uint64_t helper_vst_interleave(CPUState *cpu, uint64_t a, uint64_t b, uint64_t c, uint64_t imm)
{
    (void)a, (void)b, (void)c;
    int rt = (int)(imm & 31), selem = (int)(imm >> 5 & 7), ebytes = 1 << (imm >> 8 & 3);
    int chunk = (int)(imm >> 11 & 7);
    uint64_t r = 0;
    for (int k = 0; k < 8; k += ebytes) {
        int i = (chunk * 8 + k) / ebytes; /* element index in memory order */
        V128 v = vget(cpu, (rt + i % selem) % 32);
        for (int j = 0; j < ebytes; j++)
            r |= (uint64_t)v.b[(i / selem) * ebytes + j] << (8 * (k + j));
    }
    return r;
}
