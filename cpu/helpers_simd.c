/* C helpers for Advanced SIMD on integer and polynomial elements (one per
 * instruction class, listed in cpu/helpers_simd.def, emitted by
 * cpu/trans_simd.c). Every helper is called by either tier on the vCPU
 * thread that owns `cpu`, with the instruction word in `imm`; the
 * translator has already rejected unallocated size/Q combinations.
 *
 * Registers are copied out of cpu->v before any result is written, so Vd
 * may alias a source. Elements are computed at infinite precision in
 * __int128, which makes the Arm ARM's saturation (SatQ, setting FPSR.QC)
 * and rounding rules direct to write. Writes of 64-bit vectors and of
 * scalars clear the rest of the register. */
#include "translate.h"

#include <string.h>

typedef __int128 i128;
typedef unsigned __int128 u128;

#define FPSR_QC (1u << 27)

static inline uint64_t emask(int ebits) { return ebits >= 64 ? ~0ull : (1ull << ebits) - 1; }

static inline uint64_t vget(const uint64_t *v, int ebits, int i)
{
    if (ebits == 64)
        return v[i];
    int pos = i * ebits;
    return (v[pos >> 6] >> (pos & 63)) & emask(ebits);
}

static inline void vset(uint64_t *v, int ebits, int i, uint64_t x)
{
    if (ebits == 64) {
        v[i] = x;
        return;
    }
    int pos = i * ebits;
    uint64_t m = emask(ebits) << (pos & 63);
    v[pos >> 6] = (v[pos >> 6] & ~m) | ((x << (pos & 63)) & m);
}

static inline int64_t sext(uint64_t x, int ebits)
{
    return ebits >= 64 ? (int64_t)x : (int64_t)(x << (64 - ebits)) >> (64 - ebits);
}

/* The element as an integer: unsigned or signed. */
static inline i128 ival(uint64_t x, int ebits, bool uns) { return uns ? (i128)x : (i128)sext(x, ebits); }

/* SatQ: clamp v to an ebits-bit signed/unsigned range, noting saturation. */
static uint64_t satq(i128 v, int ebits, bool uns, bool *sat)
{
    i128 hi = uns ? (i128)emask(ebits) : ((i128)1 << (ebits - 1)) - 1;
    i128 lo = uns ? 0 : -hi - 1;
    if (v > hi) {
        *sat = true;
        v = hi;
    } else if (v < lo) {
        *sat = true;
        v = lo;
    }
    return (uint64_t)v & emask(ebits);
}

static inline i128 shl128(i128 v, int n) { return (i128)((u128)v << n); }

/* (v + round) << sh at infinite precision, sh negative = shift right
 * (floor), as the Arm ARM's register and immediate shifts define it; v has
 * at most 65 significant bits. mode: 0 = keep the low ebits, 1 = saturate
 * signed, 2 = saturate unsigned. */
enum { SHM_TRUNC, SHM_SSAT, SHM_USAT };

static uint64_t shift_elem(i128 v, int ebits, int sh, bool round, int mode, bool *sat)
{
    i128 r;
    if (sh >= 0) {
        if (v == 0)
            return 0;
        if (sh >= ebits) {
            if (mode == SHM_TRUNC)
                return 0;
            r = v > 0 ? (i128)1 << 100 : -((i128)1 << 100); /* out of range either way */
        } else {
            r = shl128(v, sh);
        }
    } else {
        int n = -sh;
        if (n > 64) {
            r = round ? 0 : (v < 0 ? -1 : 0);
        } else {
            if (round)
                v += (i128)1 << (n - 1);
            r = v >> n;
        }
    }
    if (mode == SHM_TRUNC)
        return (uint64_t)r & emask(ebits);
    return satq(r, ebits, mode == SHM_USAT, sat);
}

/* Polynomial (carry-less) multiply of two ebits-bit values. */
static uint64_t pmul(uint64_t a, uint64_t b, int ebits)
{
    uint64_t r = 0;
    for (int i = 0; i < ebits; i++)
        if (b & (1ull << i))
            r ^= a << i;
    return r;
}

static uint64_t doubling_mulh(int64_t a, int64_t b, int ebits, bool round, bool *sat)
{
    i128 p = 2 * (i128)a * b;
    if (round)
        p += (i128)1 << (ebits - 1);
    return satq(p >> ebits, ebits, false, sat);
}

/* Register access. */
static inline void vread(const CPUState *cpu, int r, uint64_t *out)
{
    out[0] = cpu->v[r][0];
    out[1] = cpu->v[r][1];
}

static inline void vwrite(CPUState *cpu, int r, const uint64_t *in)
{
    cpu->v[r][0] = in[0];
    cpu->v[r][1] = in[1];
}

static inline void finish(CPUState *cpu, int rd, const uint64_t *res, bool sat)
{
    vwrite(cpu, rd, res);
    if (sat)
        cpu->fpsr |= FPSR_QC;
}

#define F_RD(i) ((int)((i) & 31))
#define F_RN(i) ((int)(((i) >> 5) & 31))
#define F_RM(i) ((int)(((i) >> 16) & 31))
#define F_Q(i) ((int)(((i) >> 30) & 1))
#define F_U(i) ((int)(((i) >> 29) & 1))
#define F_SCALAR(i) ((int)(((i) >> 28) & 1))
#define F_SIZE(i) ((int)(((i) >> 22) & 3))

/* ---- Three same ---- */

/* One element of a three-same op (opcode opc, U = u); d is the old Vd
 * element for the accumulating ops. */
static uint64_t same_elem(int u, int opc, uint64_t x, uint64_t y, uint64_t d, int ebits, bool *sat)
{
    bool uns = u;
    i128 a = ival(x, ebits, uns), b = ival(y, ebits, uns);
    uint64_t ones = emask(ebits);
    int sh = (int)(int8_t)y; /* shifts by register: signed low byte of Vm */
    switch (opc) {
    case 0x00: return (uint64_t)((a + b) >> 1);
    case 0x01: return satq(a + b, ebits, uns, sat);
    case 0x02: return (uint64_t)((a + b + 1) >> 1);
    case 0x04: return (uint64_t)((a - b) >> 1);
    case 0x05: return satq(a - b, ebits, uns, sat);
    case 0x06: return a > b ? ones : 0;
    case 0x07: return a >= b ? ones : 0;
    case 0x08: return shift_elem(a, ebits, sh, false, SHM_TRUNC, sat);
    case 0x09: return shift_elem(a, ebits, sh, false, uns ? SHM_USAT : SHM_SSAT, sat);
    case 0x0a: return shift_elem(a, ebits, sh, true, SHM_TRUNC, sat);
    case 0x0b: return shift_elem(a, ebits, sh, true, uns ? SHM_USAT : SHM_SSAT, sat);
    case 0x0c: case 0x14: return (uint64_t)(a > b ? a : b);
    case 0x0d: case 0x15: return (uint64_t)(a < b ? a : b);
    case 0x0e: return (uint64_t)(a > b ? a - b : b - a);
    case 0x0f: return d + (uint64_t)(a > b ? a - b : b - a);
    case 0x10: case 0x17: return u && opc == 0x10 ? x - y : x + y;
    case 0x11: return (u ? x == y : (x & y) != 0) ? ones : 0;
    case 0x12: return u ? d - x * y : d + x * y;
    case 0x13: return u ? pmul(x, y, ebits) : x * y;
    case 0x16: return doubling_mulh(sext(x, ebits), sext(y, ebits), ebits, u, sat);
    }
    return 0;
}

/* AND, BIC, ORR, ORN (U = 0) and EOR, BSL, BIT, BIF (U = 1), by size, on a
 * 64-bit half. */
static uint64_t bitwise(int op, uint64_t n, uint64_t m, uint64_t d)
{
    switch (op) {
    case 0: return n & m;
    case 1: return n & ~m;
    case 2: return n | m;
    case 3: return n | ~m;
    case 4: return n ^ m;
    case 5: return m ^ ((m ^ n) & d); /* BSL: d selects n */
    case 6: return d ^ ((d ^ n) & m); /* BIT: n where m is set */
    default: return d ^ ((d ^ n) & ~m); /* BIF: n where m is clear */
    }
}

uint64_t helper_simd_3same(CPUState *cpu, uint64_t a_, uint64_t b_, uint64_t c_, uint64_t imm)
{
    uint32_t insn = (uint32_t)imm;
    int u = F_U(insn), opc = (int)((insn >> 11) & 31), ebits = 8 << F_SIZE(insn);
    int nelem = F_SCALAR(insn) ? 1 : (F_Q(insn) ? 128 : 64) / ebits;
    uint64_t n[2], m[2], d[2], r[2] = {0, 0};
    bool sat = false;
    vread(cpu, F_RN(insn), n);
    vread(cpu, F_RM(insn), m);
    vread(cpu, F_RD(insn), d);
    if (opc == 0x03) { /* the bitwise ops: size selects the op, not a lane width */
        for (int h = 0; h <= F_Q(insn); h++)
            r[h] = bitwise(u << 2 | F_SIZE(insn), n[h], m[h], d[h]);
        finish(cpu, F_RD(insn), r, false);
        return 0;
    }
    if (opc == 0x14 || opc == 0x15 || opc == 0x17) {
        /* pairwise: adjacent pairs of the concatenation Vm:Vn, Vn first */
        int half = nelem / 2;
        for (int i = 0; i < nelem; i++) {
            const uint64_t *src = i < half ? n : m;
            int j = 2 * (i < half ? i : i - half);
            uint64_t x = vget(src, ebits, j), y = vget(src, ebits, j + 1);
            vset(r, ebits, i, same_elem(u, opc, x, y, 0, ebits, &sat) & emask(ebits));
        }
    } else {
        for (int i = 0; i < nelem; i++) {
            uint64_t x = vget(n, ebits, i), y = vget(m, ebits, i), z = vget(d, ebits, i);
            vset(r, ebits, i, same_elem(u, opc, x, y, z, ebits, &sat) & emask(ebits));
        }
    }
    finish(cpu, F_RD(insn), r, sat);
    return 0;
}

/* ---- Long/wide multiply-accumulate shared by three-different and by-element ---- */

enum { LM_MLAL, LM_MLSL, LM_MULL, LM_QDMLAL, LM_QDMLSL, LM_QDMULL };

/* x, y: narrow ebits-bit elements; d: the old wide element. */
static uint64_t long_mul(int kind, bool uns, uint64_t x, uint64_t y, uint64_t d, int ebits, bool *sat)
{
    int wbits = 2 * ebits;
    i128 a = ival(x, ebits, uns), b = ival(y, ebits, uns), p = a * b;
    uint64_t q;
    switch (kind) {
    case LM_MLAL: return (d + (uint64_t)p) & emask(wbits);
    case LM_MLSL: return (d - (uint64_t)p) & emask(wbits);
    case LM_MULL: return (uint64_t)p & emask(wbits);
    case LM_QDMULL: return satq(2 * p, wbits, false, sat);
    default:
        q = satq(2 * p, wbits, false, sat);
        if (kind == LM_QDMLAL)
            return satq((i128)sext(d, wbits) + sext(q, wbits), wbits, false, sat);
        return satq((i128)sext(d, wbits) - sext(q, wbits), wbits, false, sat);
    }
}

/* ---- Three different ---- */

uint64_t helper_simd_3diff(CPUState *cpu, uint64_t a_, uint64_t b_, uint64_t c_, uint64_t imm)
{
    uint32_t insn = (uint32_t)imm;
    int u = F_U(insn), opc = (int)((insn >> 12) & 15), ebits = 8 << F_SIZE(insn), wbits = 2 * ebits;
    bool scalar = F_SCALAR(insn), uns = u;
    int part = scalar ? 0 : F_Q(insn), nelem = scalar ? 1 : 64 / ebits;
    uint64_t n[2], m[2], d[2], r[2] = {0, 0};
    bool sat = false;
    vread(cpu, F_RN(insn), n);
    vread(cpu, F_RM(insn), m);
    vread(cpu, F_RD(insn), d);
    if (opc == 4 || opc == 6) {
        /* ADDHN/SUBHN/RADDHN/RSUBHN: high halves of wide sums into the
         * lower (Q = 0) or upper (Q = 1, lower kept) half of Vd */
        if (part)
            r[0] = d[0];
        for (int i = 0; i < nelem; i++) {
            uint64_t x = vget(n, wbits, i), y = vget(m, wbits, i);
            u128 s = opc == 4 ? (u128)x + y : (u128)x - y;
            if (u)
                s += (u128)1 << (ebits - 1);
            vset(r, ebits, part * nelem + i, (uint64_t)(s >> ebits) & emask(ebits));
        }
        finish(cpu, F_RD(insn), r, false);
        return 0;
    }
    for (int i = 0; i < nelem; i++) {
        uint64_t x = vget(n, ebits, part * nelem + i), y = vget(m, ebits, part * nelem + i);
        uint64_t wn = vget(n, wbits, i), dw = vget(d, wbits, i), res;
        i128 a = ival(x, ebits, uns), b = ival(y, ebits, uns);
        switch (opc) {
        case 0: res = (uint64_t)(a + b); break;
        case 1: res = wn + (uint64_t)b; break;
        case 2: res = (uint64_t)(a - b); break;
        case 3: res = wn - (uint64_t)b; break;
        case 5: res = dw + (uint64_t)(a > b ? a - b : b - a); break;
        case 7: res = (uint64_t)(a > b ? a - b : b - a); break;
        case 8: res = long_mul(LM_MLAL, uns, x, y, dw, ebits, &sat); break;
        case 9: res = long_mul(LM_QDMLAL, false, x, y, dw, ebits, &sat); break;
        case 10: res = long_mul(LM_MLSL, uns, x, y, dw, ebits, &sat); break;
        case 11: res = long_mul(LM_QDMLSL, false, x, y, dw, ebits, &sat); break;
        case 12: res = long_mul(LM_MULL, uns, x, y, dw, ebits, &sat); break;
        case 13: res = long_mul(LM_QDMULL, false, x, y, dw, ebits, &sat); break;
        default: res = pmul(x, y, ebits); break; /* 14: PMULL (8-bit) */
        }
        vset(r, wbits, i, res & emask(wbits));
    }
    finish(cpu, F_RD(insn), r, sat);
    return 0;
}

/* ---- Two-register miscellaneous ---- */

static uint64_t rbit_n(uint64_t x, int ebits)
{
    uint64_t r = 0;
    for (int i = 0; i < ebits; i++)
        if (x & (1ull << i))
            r |= 1ull << (ebits - 1 - i);
    return r;
}

static int clz_n(uint64_t x, int ebits)
{
    int c = 0;
    for (int i = ebits - 1; i >= 0 && !(x & (1ull << i)); i--)
        c++;
    return c;
}

uint64_t helper_simd_2misc(CPUState *cpu, uint64_t a_, uint64_t b_, uint64_t c_, uint64_t imm)
{
    uint32_t insn = (uint32_t)imm;
    int u = F_U(insn), opc = (int)((insn >> 12) & 31), size = F_SIZE(insn), key = u << 5 | opc;
    int ebits = key == 0x25 ? 8 : 8 << size; /* NOT and RBIT work on bytes whatever the size field */
    bool scalar = F_SCALAR(insn), q = F_Q(insn), uns = u;
    int nelem = scalar ? 1 : (q ? 128 : 64) / ebits;
    uint64_t n[2], d[2], r[2] = {0, 0};
    bool sat = false;
    vread(cpu, F_RN(insn), n);
    vread(cpu, F_RD(insn), d);

    switch (key) {
    case 0x00: case 0x20: case 0x01: { /* REV64, REV32, REV16: reverse elements in containers */
        int cbits = key == 0x00 ? 64 : key == 0x20 ? 32 : 16, per = cbits / ebits;
        for (int i = 0; i < nelem; i++)
            vset(r, ebits, i, vget(n, ebits, (i / per) * per + (per - 1 - i % per)));
        break;
    }
    case 0x02: case 0x22: case 0x06: case 0x26: { /* [SU]ADDLP, [SU]ADALP */
        int wbits = 2 * ebits, nw = nelem / 2;
        bool acc = opc == 0x06;
        for (int i = 0; i < nw; i++) {
            i128 s = ival(vget(n, ebits, 2 * i), ebits, uns) + ival(vget(n, ebits, 2 * i + 1), ebits, uns);
            uint64_t v = (uint64_t)s + (acc ? vget(d, wbits, i) : 0);
            vset(r, wbits, i, v & emask(wbits));
        }
        break;
    }
    case 0x12: case 0x14: case 0x32: case 0x34: { /* XTN, SQXTN, SQXTUN, UQXTN */
        int wbits = 2 * ebits, nw = scalar ? 1 : 64 / ebits, part = scalar ? 0 : q;
        if (part)
            r[0] = d[0];
        for (int i = 0; i < nw; i++) {
            uint64_t w = vget(n, wbits, i), v;
            if (key == 0x12)
                v = w & emask(ebits);
            else if (key == 0x14)
                v = satq(sext(w, wbits), ebits, false, &sat);
            else if (key == 0x32)
                v = satq(sext(w, wbits), ebits, true, &sat);
            else
                v = satq((i128)w, ebits, true, &sat);
            vset(r, ebits, part * nw + i, v);
        }
        break;
    }
    case 0x33: { /* SHLL: widen and shift left by the element size */
        int wbits = 2 * ebits, nw = 64 / ebits;
        for (int i = 0; i < nw; i++)
            vset(r, wbits, i, (vget(n, ebits, q * nw + i) << ebits) & emask(wbits));
        break;
    }
    default:
        for (int i = 0; i < nelem; i++) {
            uint64_t x = vget(n, ebits, i), v = 0, ones = emask(ebits);
            int64_t sx = sext(x, ebits);
            switch (key) {
            case 0x03: /* SUQADD: signed acc + unsigned operand */
                v = satq((i128)sext(vget(d, ebits, i), ebits) + (i128)x, ebits, false, &sat);
                break;
            case 0x23: /* USQADD: unsigned acc + signed operand */
                v = satq((i128)vget(d, ebits, i) + sx, ebits, true, &sat);
                break;
            case 0x04: v = (uint64_t)(clz_n(x ^ (sx < 0 ? ones : 0), ebits) - 1); break; /* CLS */
            case 0x24: v = (uint64_t)clz_n(x, ebits); break;
            case 0x05: v = (uint64_t)__builtin_popcountll(x); break;
            case 0x25: v = size == 0 ? ~x : rbit_n(x, 8); break; /* NOT, RBIT (bytes) */
            case 0x07: v = satq(sx < 0 ? -(i128)sx : sx, ebits, false, &sat); break;
            case 0x27: v = satq(-(i128)sx, ebits, false, &sat); break;
            case 0x08: v = sx > 0 ? ones : 0; break;
            case 0x28: v = sx >= 0 ? ones : 0; break;
            case 0x09: v = sx == 0 ? ones : 0; break;
            case 0x29: v = sx <= 0 ? ones : 0; break;
            case 0x0a: v = sx < 0 ? ones : 0; break;
            case 0x0b: v = sx < 0 ? -x : x; break;
            case 0x2b: v = -x; break;
            }
            vset(r, ebits, i, v & ones);
        }
        break;
    }
    finish(cpu, F_RD(insn), r, sat);
    return 0;
}

/* ---- Across lanes and scalar pairwise ADDP ---- */

uint64_t helper_simd_across(CPUState *cpu, uint64_t a_, uint64_t b_, uint64_t c_, uint64_t imm)
{
    uint32_t insn = (uint32_t)imm;
    int u = F_U(insn), opc = (int)((insn >> 12) & 31), ebits = 8 << F_SIZE(insn);
    bool uns = u;
    uint64_t n[2], r[2] = {0, 0};
    vread(cpu, F_RN(insn), n);
    if (F_SCALAR(insn)) { /* ADDP Dd, Vn.2D */
        r[0] = n[0] + n[1];
        finish(cpu, F_RD(insn), r, false);
        return 0;
    }
    int nelem = (F_Q(insn) ? 128 : 64) / ebits;
    i128 acc = ival(vget(n, ebits, 0), ebits, uns);
    for (int i = 1; i < nelem; i++) {
        i128 x = ival(vget(n, ebits, i), ebits, uns);
        switch (opc) {
        case 0x03: case 0x1b: acc += x; break;           /* [SU]ADDLV, ADDV */
        case 0x0a: acc = x > acc ? x : acc; break;       /* [SU]MAXV */
        default: acc = x < acc ? x : acc; break;         /* 0x1a: [SU]MINV */
        }
    }
    r[0] = (uint64_t)acc & emask(opc == 0x03 ? 2 * ebits : ebits);
    finish(cpu, F_RD(insn), r, false);
    return 0;
}

/* ---- Shift by immediate ---- */

uint64_t helper_simd_shimm(CPUState *cpu, uint64_t a_, uint64_t b_, uint64_t c_, uint64_t imm)
{
    uint32_t insn = (uint32_t)imm;
    int u = F_U(insn), opc = (int)((insn >> 11) & 31);
    int immh = (int)((insn >> 19) & 15), immhb = (int)((insn >> 16) & 127);
    int ebits = 8 << (31 - __builtin_clz((unsigned)immh));
    bool scalar = F_SCALAR(insn), q = F_Q(insn), uns = u;
    int rsh = 2 * ebits - immhb, lsh = immhb - ebits; /* right / left shift amounts */
    uint64_t n[2], d[2], r[2] = {0, 0};
    bool sat = false;
    vread(cpu, F_RN(insn), n);
    vread(cpu, F_RD(insn), d);

    if (opc >= 0x10 && opc <= 0x13) {
        /* narrowing: ebits is the destination size, rsh = 1..ebits */
        int wbits = 2 * ebits, nw = scalar ? 1 : 64 / ebits, part = scalar ? 0 : q;
        bool round = opc & 1;
        int mode;
        bool src_uns;
        if (opc <= 0x11) { /* SHRN/RSHRN (U = 0), SQSHRUN/SQRSHRUN (U = 1) */
            mode = u ? SHM_USAT : SHM_TRUNC;
            src_uns = !u;
        } else { /* SQSHRN/SQRSHRN, UQSHRN/UQRSHRN */
            mode = u ? SHM_USAT : SHM_SSAT;
            src_uns = u;
        }
        if (part)
            r[0] = d[0];
        for (int i = 0; i < nw; i++) {
            i128 w = ival(vget(n, wbits, i), wbits, src_uns);
            vset(r, ebits, part * nw + i, shift_elem(w, ebits, -rsh, round, mode, &sat));
        }
        finish(cpu, F_RD(insn), r, sat);
        return 0;
    }
    if (opc == 0x14) { /* SSHLL/USHLL: ebits is the source size */
        int wbits = 2 * ebits, nw = 64 / ebits;
        for (int i = 0; i < nw; i++) {
            i128 x = ival(vget(n, ebits, q * nw + i), ebits, uns);
            vset(r, wbits, i, (uint64_t)shl128(x, lsh) & emask(wbits));
        }
        finish(cpu, F_RD(insn), r, false);
        return 0;
    }
    int nelem = scalar ? 1 : (q ? 128 : 64) / ebits;
    uint64_t ones = emask(ebits);
    for (int i = 0; i < nelem; i++) {
        uint64_t x = vget(n, ebits, i), dv = vget(d, ebits, i), v = 0, mask;
        i128 a = ival(x, ebits, uns);
        switch (opc) {
        case 0x00: v = shift_elem(a, ebits, -rsh, false, SHM_TRUNC, &sat); break;      /* [SU]SHR */
        case 0x02: v = dv + shift_elem(a, ebits, -rsh, false, SHM_TRUNC, &sat); break; /* [SU]SRA */
        case 0x04: v = shift_elem(a, ebits, -rsh, true, SHM_TRUNC, &sat); break;       /* [SU]RSHR */
        case 0x06: v = dv + shift_elem(a, ebits, -rsh, true, SHM_TRUNC, &sat); break;  /* [SU]RSRA */
        case 0x08: /* SRI: rsh = ebits leaves Vd unchanged */
            mask = rsh >= 64 ? 0 : ones >> rsh;
            v = (dv & ~mask) | (rsh >= 64 ? 0 : x >> rsh);
            break;
        case 0x0a: /* SHL, SLI */
            mask = u ? ones << lsh : ones;
            v = (dv & ~mask & (u ? ones : 0)) | (x << lsh);
            break;
        case 0x0c: /* SQSHLU: signed in, unsigned saturation */
            v = shift_elem(ival(x, ebits, false), ebits, lsh, false, SHM_USAT, &sat);
            break;
        case 0x0e: v = shift_elem(a, ebits, lsh, false, uns ? SHM_USAT : SHM_SSAT, &sat); break;
        }
        vset(r, ebits, i, v & ones);
    }
    finish(cpu, F_RD(insn), r, sat);
    return 0;
}

/* ---- Vector x indexed element ---- */

uint64_t helper_simd_elem(CPUState *cpu, uint64_t a_, uint64_t b_, uint64_t c_, uint64_t imm)
{
    uint32_t insn = (uint32_t)imm;
    int u = F_U(insn), opc = (int)((insn >> 12) & 15), size = F_SIZE(insn), ebits = 8 << size;
    int h = (int)((insn >> 11) & 1), l = (int)((insn >> 21) & 1), mbit = (int)((insn >> 20) & 1);
    int rm = (int)((insn >> 16) & 15), index;
    bool scalar = F_SCALAR(insn), q = F_Q(insn), uns = u;
    if (size == 1) {
        index = h << 2 | l << 1 | mbit;
    } else {
        index = h << 1 | l;
        rm |= mbit << 4;
    }
    uint64_t n[2], m[2], d[2], r[2] = {0, 0};
    bool sat = false;
    vread(cpu, F_RN(insn), n);
    vread(cpu, rm, m);
    vread(cpu, F_RD(insn), d);
    uint64_t y = vget(m, ebits, index);
    int key = u << 4 | opc;

    if (key == 0x08 || key == 0x10 || key == 0x14 || key == 0x0c || key == 0x0d) {
        /* same-width: MUL, MLA, MLS, SQDMULH, SQRDMULH */
        int nelem = scalar ? 1 : (q ? 128 : 64) / ebits;
        for (int i = 0; i < nelem; i++) {
            uint64_t x = vget(n, ebits, i), dv = vget(d, ebits, i), v;
            switch (key) {
            case 0x08: v = x * y; break;
            case 0x10: v = dv + x * y; break;
            case 0x14: v = dv - x * y; break;
            default: v = doubling_mulh(sext(x, ebits), sext(y, ebits), ebits, key == 0x0d, &sat); break;
            }
            vset(r, ebits, i, v & emask(ebits));
        }
    } else {
        /* long: [SU]MLAL, [SU]MLSL, [SU]MULL, SQDMLAL, SQDMLSL, SQDMULL */
        int wbits = 2 * ebits, nw = scalar ? 1 : 64 / ebits, part = scalar ? 0 : q, kind;
        switch (opc) {
        case 0x2: kind = LM_MLAL; break;
        case 0x6: kind = LM_MLSL; break;
        case 0xa: kind = LM_MULL; break;
        case 0x3: kind = LM_QDMLAL; break;
        case 0x7: kind = LM_QDMLSL; break;
        default: kind = LM_QDMULL; break;
        }
        for (int i = 0; i < nw; i++) {
            uint64_t x = vget(n, ebits, part * nw + i);
            vset(r, wbits, i, long_mul(kind, uns, x, y, vget(d, wbits, i), ebits, &sat));
        }
    }
    finish(cpu, F_RD(insn), r, sat);
    return 0;
}

/* ---- Permute, EXT, TBL/TBX ---- */

uint64_t helper_simd_perm(CPUState *cpu, uint64_t a_, uint64_t b_, uint64_t c_, uint64_t imm)
{
    uint32_t insn = (uint32_t)imm;
    int opc = (int)((insn >> 12) & 7), ebits = 8 << F_SIZE(insn);
    int nelem = (F_Q(insn) ? 128 : 64) / ebits, half = nelem / 2, part = opc >> 2;
    uint64_t n[2], m[2], r[2] = {0, 0};
    vread(cpu, F_RN(insn), n);
    vread(cpu, F_RM(insn), m);
    for (int i = 0; i < nelem; i++) {
        uint64_t v;
        switch (opc & 3) {
        case 1: { /* UZP: even (1) or odd (2) elements of Vm:Vn */
            int j = 2 * i + part;
            v = j < nelem ? vget(n, ebits, j) : vget(m, ebits, j - nelem);
            break;
        }
        case 2: /* TRN */
            v = vget(i & 1 ? m : n, ebits, (i & ~1) + part);
            break;
        default: /* ZIP: interleave the lower (1) or upper (2) halves */
            v = vget(i & 1 ? m : n, ebits, part * half + i / 2);
            break;
        }
        vset(r, ebits, i, v);
    }
    vwrite(cpu, F_RD(insn), r);
    return 0;
}

uint64_t helper_simd_ext(CPUState *cpu, uint64_t a_, uint64_t b_, uint64_t c_, uint64_t imm)
{
    uint32_t insn = (uint32_t)imm;
    int bytes = F_Q(insn) ? 16 : 8, pos = (int)((insn >> 11) & 15);
    uint8_t cat[32], out[16] = {0};
    uint64_t r[2];
    memcpy(cat, cpu->v[F_RN(insn)], 16); /* host and guest lanes are both little-endian */
    memcpy(cat + bytes, cpu->v[F_RM(insn)], 16);
    memcpy(out, cat + pos, (size_t)bytes);
    memcpy(r, out, 16);
    vwrite(cpu, F_RD(insn), r);
    return 0;
}

uint64_t helper_simd_tbl(CPUState *cpu, uint64_t a_, uint64_t b_, uint64_t c_, uint64_t imm)
{
    uint32_t insn = (uint32_t)imm;
    int bytes = F_Q(insn) ? 16 : 8, nregs = (int)((insn >> 13) & 3) + 1, rn = F_RN(insn);
    bool tbx = (insn >> 12) & 1;
    uint8_t table[64], idx[16], out[16] = {0};
    uint64_t r[2];
    for (int i = 0; i < nregs; i++) /* the register list wraps from V31 to V0 */
        memcpy(table + 16 * i, cpu->v[(rn + i) & 31], 16);
    memcpy(idx, cpu->v[F_RM(insn)], 16);
    if (tbx)
        memcpy(out, cpu->v[F_RD(insn)], (size_t)bytes);
    for (int i = 0; i < bytes; i++)
        if (idx[i] < 16 * nregs)
            out[i] = table[idx[i]];
    memcpy(r, out, 16);
    vwrite(cpu, F_RD(insn), r);
    return 0;
}
