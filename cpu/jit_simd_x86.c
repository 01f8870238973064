/* Tier 1: the common lane-wise Advanced SIMD integer ops on host SSE.
 *
 * The translator turns each Advanced SIMD integer instruction into a call of
 * its class helper (cpu/helpers_simd.c) with the instruction word as the
 * immediate; the helper decodes the word and loops over elements at run
 * time. For the lane-wise ops that SSE2/SSE4.1 does exactly (wrapping add,
 * sub and multiply, compares, min/max, shifts by an immediate, multiply by
 * an element) the JIT emits the SSE sequence instead, working on cpu->v in
 * memory as the helper does: the IR around the call already keeps V
 * registers in memory at a CALL. None of these ops saturates, so FPSR.QC is
 * untouched, as in the helper. Everything else (saturating, pairwise,
 * widening, byte multiplies, 64-bit arithmetic shifts, scalar forms) stays
 * a helper call. Encodings the helper is never called for are left to it
 * too (e.g. size 11 where it is reserved): this code only decides "inline
 * or not".
 *
 * Thread rules: jit_simd_inline runs on the compiling thread. */
#include "jit_simd_x86.h"

#include <stdatomic.h>
#include <stddef.h>

#include "cpu.h"
#include "translate.h"

enum { X0, X1, X2 };

static _Atomic int host_sse41 = -1;
static _Atomic bool sse41_allowed = true;

void jit_allow_sse41(bool on) { atomic_store(&sse41_allowed, on); }

/* SSE4.1 (pmulld, pminsd, pcmpeqq...) if cpuid says so; SSE2 is x86-64's base. */
static bool sse41(void)
{
    return jit_host_has(&host_sse41, 1, bit_SSE4_1) && atomic_load_explicit(&sse41_allowed, memory_order_relaxed);
}

static int32_t voff(int reg) { return (int32_t)offsetof(CPUState, v) + 16 * reg; }

/* xmm = V[reg]: all 128 bits, or the low 64 (upper zero) when !q. */
static void vload(JitBuf *j, int x, int reg, bool q)
{
    if (q)
        x_mem(j, 0, 0x0f10, x, RBX, voff(reg));          /* movups */
    else
        x_mem(j, X66 | XW, 0x0f6e, x, RBX, voff(reg));   /* movq xmm, m64 */
}

/* V[reg] = xmm; a 64-bit result clears the upper half (as vwrite does). */
static void vstore(JitBuf *j, int x, int reg, bool q)
{
    if (q) {
        x_mem(j, 0, 0x0f11, x, RBX, voff(reg));          /* movups */
    } else {
        x_mem(j, X66, 0x0fd6, x, RBX, voff(reg));        /* movq m64, xmm */
        x_mem(j, XW, 0xc7, 0, RBX, voff(reg) + 8);       /* mov qword [hi], 0 */
        jb_u32(j, 0);
    }
}

static void sse(JitBuf *j, uint32_t opc, int dst, int src) { x_rr(j, X66, opc, dst, src); }

/* xmm = the sign bit of every element (to compare unsigned as signed). */
static void sign_bias(JitBuf *j, int x, int ebits)
{
    static const uint32_t pat[] = {0x80808080u, 0x80008000u, 0x80000000u};
    if (ebits == 64) {
        x_mov_ri(j, RAX, 0x8000000000000000ull);
        x_rr(j, X66 | XW, 0x0f6e, x, RAX);                /* movq xmm, rax */
        sse(j, 0x0f6c, x, x);                             /* punpcklqdq */
    } else {
        x_mov_ri(j, RAX, pat[__builtin_ctz((unsigned)ebits) - 3]);
        x_rr(j, X66, 0x0f6e, x, RAX);                     /* movd xmm, eax */
        x_rr(j, X66, 0x0f70, x, x);                       /* pshufd xmm, xmm, 0 */
        jb_byte(j, 0);
    }
}

/* Per element size (b, h, s, d): 0 = none. SSE4.1 ones are marked by bit 24. */
#define S41 (1u << 24)
static const uint32_t OP_ADD[4] = {0x0ffc, 0x0ffd, 0x0ffe, 0x0fd4};
static const uint32_t OP_SUB[4] = {0x0ff8, 0x0ff9, 0x0ffa, 0x0ffb};
static const uint32_t OP_MUL[4] = {0, 0x0fd5, S41 | 0x0f3840, 0};
static const uint32_t OP_CMPEQ[4] = {0x0f74, 0x0f75, 0x0f76, S41 | 0x0f3829};
static const uint32_t OP_CMPGT[4] = {0x0f64, 0x0f65, 0x0f66, 0}; /* pcmpgtq is SSE4.2 */
static const uint32_t OP_SMAX[4] = {S41 | 0x0f383c, 0x0fee, S41 | 0x0f383d, 0};
static const uint32_t OP_SMIN[4] = {S41 | 0x0f3838, 0x0fea, S41 | 0x0f3839, 0};
static const uint32_t OP_UMAX[4] = {0x0fde, S41 | 0x0f383e, S41 | 0x0f383f, 0};
static const uint32_t OP_UMIN[4] = {0x0fda, S41 | 0x0f383a, S41 | 0x0f383b, 0};

static bool usable(uint32_t op) { return op && (!(op & S41) || sse41()); }
static uint32_t enc(uint32_t op) { return op & ~S41; }

/* Three same, vector form. */
static bool three_same(JitBuf *j, uint32_t insn)
{
    int q = (insn >> 30) & 1, u = (insn >> 29) & 1, size = (insn >> 22) & 3, opc = (insn >> 11) & 31;
    int rd = insn & 31, rn = (insn >> 5) & 31, rm = (insn >> 16) & 31, ebits = 8 << size;
    if (size == 3 && !q)
        return false; /* 1D: reserved for these */
    uint32_t op = 0;
    enum { PLAIN, ACC_ADD, ACC_SUB, NOT_SWAPPED, UNS_GT, UNS_GE, TST } kind = PLAIN;
    bool swap = false;
    switch (u << 5 | opc) {
    case 0x10: op = OP_ADD[size]; break;                                    /* ADD */
    case 0x30: op = OP_SUB[size]; break;                                    /* SUB */
    case 0x13: op = OP_MUL[size]; break;                                    /* MUL */
    case 0x12: op = OP_MUL[size], kind = ACC_ADD; break;                    /* MLA */
    case 0x32: op = OP_MUL[size], kind = ACC_SUB; break;                    /* MLS */
    case 0x31: op = OP_CMPEQ[size]; break;                                  /* CMEQ */
    case 0x11: op = OP_CMPEQ[size], kind = TST; break;                      /* CMTST */
    case 0x06: op = OP_CMPGT[size]; break;                                  /* CMGT */
    case 0x07: op = OP_CMPGT[size], kind = NOT_SWAPPED, swap = true; break; /* CMGE = !(m > n) */
    case 0x26: op = OP_CMPGT[size], kind = UNS_GT; break;                   /* CMHI */
    case 0x27: op = OP_CMPGT[size], kind = UNS_GE, swap = true; break;      /* CMHS = !(m >u n) */
    case 0x0c: op = OP_SMAX[size]; break;
    case 0x0d: op = OP_SMIN[size]; break;
    case 0x2c: op = OP_UMAX[size]; break;
    case 0x2d: op = OP_UMIN[size]; break;
    default: return false;
    }
    if (!usable(op) || (kind == TST && !usable(OP_CMPEQ[size])))
        return false;
    vload(j, X0, swap ? rm : rn, q);
    vload(j, X1, swap ? rn : rm, q);
    if (kind == UNS_GT || kind == UNS_GE) {
        sign_bias(j, X2, ebits);
        sse(j, 0x0fef, X0, X2);                           /* pxor: unsigned order as signed */
        sse(j, 0x0fef, X1, X2);
    }
    if (kind == TST)
        sse(j, 0x0fdb, X0, X1);                           /* pand */
    else
        sse(j, enc(op), X0, X1);                          /* the op (MLA/MLS: the product) */
    switch (kind) {
    case TST:                                             /* (n & m) != 0: not (== 0) */
        sse(j, 0x0fef, X1, X1);
        sse(j, enc(OP_CMPEQ[size]), X0, X1);
        /* fall through */
    case NOT_SWAPPED: case UNS_GE:
        sse(j, 0x0f76, X2, X2);                           /* pcmpeqd: all ones */
        sse(j, 0x0fef, X0, X2);                           /* pxor: not */
        break;
    case ACC_ADD: case ACC_SUB:
        vload(j, X1, rd, q);
        sse(j, kind == ACC_ADD ? OP_ADD[size] : OP_SUB[size], X1, X0);
        vstore(j, X1, rd, q);
        return true;
    default: break;
    }
    vstore(j, X0, rd, q);
    return true;
}

/* Shift by immediate, vector form: SHL, [SU]SHR, [SU]SRA. */
static bool shift_imm(JitBuf *j, uint32_t insn)
{
    int q = (insn >> 30) & 1, u = (insn >> 29) & 1, opc = (insn >> 11) & 31;
    int immh = (insn >> 19) & 15, immhb = (insn >> 16) & 127;
    int rd = insn & 31, rn = (insn >> 5) & 31;
    if (!immh || (immh & 8 && !q))
        return false;
    int ebits = 8 << (31 - __builtin_clz((unsigned)immh));
    if (ebits == 8)
        return false; /* no byte shifts in SSE */
    int grp = ebits == 16 ? 0x0f71 : ebits == 32 ? 0x0f72 : 0x0f73;
    int ext, n;
    bool acc = false;
    if (opc == 0x0a && !u) {                              /* SHL */
        ext = 6, n = immhb - ebits;
    } else if (opc == 0x00 || opc == 0x02) {              /* [SU]SHR, [SU]SRA */
        n = 2 * ebits - immhb;                            /* 1..ebits: x86 gives 0 / sign fill at ebits */
        ext = u ? 2 : 4;
        acc = opc == 0x02;
        if (!u && ebits == 64)
            return false; /* no psraq before AVX-512 */
    } else {
        return false;
    }
    vload(j, X0, rn, q);
    x_rr(j, X66, (uint32_t)grp, ext, X0);
    jb_byte(j, (uint8_t)n);
    if (acc) {
        vload(j, X1, rd, q);
        sse(j, OP_ADD[__builtin_ctz((unsigned)ebits) - 3], X0, X1);
    }
    vstore(j, X0, rd, q);
    return true;
}

/* MUL, MLA, MLS by element, vector form, 16- and 32-bit elements. */
static bool by_element(JitBuf *j, uint32_t insn)
{
    int q = (insn >> 30) & 1, u = (insn >> 29) & 1, size = (insn >> 22) & 3, opc = (insn >> 12) & 15;
    int h = (insn >> 11) & 1, l = (insn >> 21) & 1, mbit = (insn >> 20) & 1, rm = (insn >> 16) & 15;
    int rd = insn & 31, rn = (insn >> 5) & 31, index;
    if ((insn >> 28) & 1)
        return false; /* scalar */
    int key = u << 4 | opc;
    if (key != 0x08 && key != 0x10 && key != 0x14)
        return false;
    if (size == 1) {
        index = h << 2 | l << 1 | mbit;
    } else if (size == 2) {
        index = h << 1 | l;
        rm |= mbit << 4;
    } else {
        return false;
    }
    if (!usable(OP_MUL[size]))
        return false;
    int32_t elem = voff(rm) + index * (size == 1 ? 2 : 4);
    if (size == 1) {
        x_mem(j, 0, 0x0fb7, RAX, RBX, elem);              /* movzx eax, word */
        x_rr(j, 0, 0x69, RAX, RAX);                       /* imul eax, eax, 0x10001 */
        jb_u32(j, 0x10001);
        x_rr(j, X66, 0x0f6e, X1, RAX);                    /* movd */
    } else {
        x_mem(j, X66, 0x0f6e, X1, RBX, elem);             /* movd xmm1, dword */
    }
    x_rr(j, X66, 0x0f70, X1, X1);                         /* pshufd: broadcast */
    jb_byte(j, 0);
    vload(j, X0, rn, q);
    sse(j, enc(OP_MUL[size]), X0, X1);
    if (key != 0x08) {
        vload(j, X1, rd, q);
        sse(j, key == 0x10 ? OP_ADD[size] : OP_SUB[size], X1, X0);
        vstore(j, X1, rd, q);
    } else {
        vstore(j, X0, rd, q);
    }
    return true;
}

bool jit_simd_inline(JitBuf *j, uint32_t helper, uint64_t imm)
{
    uint32_t insn = (uint32_t)imm;
    if (imm >> 32)
        return false;
    switch (helper) {
    case HELPER_simd_3same: return !((insn >> 28) & 1) && three_same(j, insn);
    case HELPER_simd_shimm: return !((insn >> 28) & 1) && shift_imm(j, insn);
    case HELPER_simd_elem: return by_element(j, insn);
    default: return false;
    }
}
