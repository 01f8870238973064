/* Host-FP fast paths (cpu/fp_hard.c) against soft-float (cpu/helpers_fp.c):
 * every fast helper the JIT can pick is run next to the soft helper on the
 * edge values of each format (signalling and quiet NaNs, infinities, zeros
 * of both signs, denormals, the smallest and largest normals and their
 * neighbours, values whose squares or quotients overflow or underflow,
 * rounding ties, integer conversion limits) and on random values, in every
 * rounding mode with FZ and DN on and off and FPSR.IXC clear and set. The
 * returned value, FPSR and all V registers must be identical. Separate tests
 * check that ordinary values really take the fast path (stats.jit.fp_soft
 * stays 0) and that special ones fall back, with and without FMA3. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "cpu/fp_hard.h"
#include "cpu/fpu.h"

static const uint64_t E64[] = {
    0, 0x8000000000000000ull, 0x7ff0000000000000ull, 0xfff0000000000000ull,   /* zeros, infinities */
    0x7ff8000000000000ull, 0xfff8000000000123ull, 0x7ff0000000000001ull,      /* qNaN, qNaN, sNaN */
    0xfff4000000000000ull, 1, 0x800fffffffffffffull, 0x0008000000000000ull,    /* sNaN, denormals */
    0x0010000000000000ull, 0x8010000000000001ull, 0x0020000000000000ull,      /* smallest normals */
    0x7fefffffffffffffull, 0xffeffffffffffffeull, 0x7fe0000000000000ull,      /* largest */
    0x3ff0000000000000ull, 0xbff8000000000000ull, 0x4008000000000000ull,      /* 1, -1.5, 3 */
    0x3fb999999999999aull, 0x3fe0000000000000ull, 0xbfe0000000000000ull,      /* 0.1, +-0.5 */
    0x4004000000000000ull, 0xc00c000000000000ull, 0x3ff0000000000001ull,      /* 2.5, -3.5, 1+ulp */
    0x5fefffffffffffffull, 0x2000000000000000ull, 0x1ff0000000000000ull,      /* squares over/underflow */
    0x43e0000000000000ull, 0xc3e0000000000000ull, 0x43dfffffffffffffull,      /* 2^63, -2^63, below */
    0x41dfffffffe00000ull, 0x41e0000000000000ull, 0xc1e0000000100000ull,      /* 2^31 - 0.5 .. */
    0x41efffffffe00000ull, 0x41f0000000000000ull, 0x4330000000000001ull,      /* 2^32 - 0.5, 2^32 */
    0x47efffffe0000000ull, 0x47effffff0000000ull, 0x3810000000000000ull,      /* near FLT_MAX, FLT_MIN */
    0x380fffffe0000000ull, 0x36a0000000000000ull, 0x43d0000000000000ull,      /* 2^62 */
};
static const uint64_t E32[] = {
    0, 0x80000000, 0x7f800000, 0xff800000, 0x7fc00000, 0xffc01234, 0x7f800001, 0xffa00000,
    1, 0x807fffff, 0x00400000, 0x00800000, 0x80800001, 0x01000000, 0x7f7fffff, 0xff7ffffe,
    0x7f000000, 0x3f800000, 0xbfc00000, 0x40400000, 0x3dcccccd, 0x3f000000, 0xbf000000,
    0x40200000, 0xc0600000, 0x3f800001, 0x5f7fffff, 0x20000000, 0x1f800000, 0x4f000000,
    0xcf000000, 0x4effffff, 0x4f800000, 0x4f7fffff, 0x5f000000, 0xdf000000, 0x5effffff,
    0x4b000001, 0x3e800000, 0x5e800000,
};
#define NE64 (sizeof(E64) / sizeof(E64[0]))
#define NE32 (sizeof(E32) / sizeof(E32[0]))

static uint64_t rng = 0x9e3779b97f4a7c15ull;
static uint64_t rnd(void)
{
    rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
    return rng;
}

/* A value of n bits: an edge value, or random bits with the exponent often
 * near an end of the range; the bits above n are garbage (as in a V lane). */
static uint64_t value(int n)
{
    uint64_t r = rnd(), v;
    if (r % 3 == 0) {
        v = n == 64 ? E64[(r >> 8) % NE64] : E32[(r >> 8) % NE32];
    } else {
        v = rnd();
        if (r % 3 == 1) { /* exponent near 0 or the top */
            int eb = n == 64 ? 11 : 8, fb = n - 1 - eb;
            uint64_t e = (r >> 12) & 3, top = (1ull << eb) - 1;
            e = (r >> 14) & 1 ? e : top - 1 - e;
            v = (v & ~(top << fb)) | e << fb;
        }
    }
    return n == 64 ? v : (v & 0xffffffffull) | (rnd() << 32);
}

typedef struct Pair {
    CPUState *fast, *soft;
} Pair;

static Pair pair_new(void)
{
    Pair p = {calloc(1, sizeof(CPUState)), calloc(1, sizeof(CPUState))};
    cr_assert(p.fast && p.soft);
    return p;
}
static void pair_free(Pair p)
{
    free(p.fast);
    free(p.soft);
}

/* The 32 FPCR settings: RMode, FZ, DN, AHP; FPSR clear or with IXC (and some
 * other flags) set. */
static void set_mode(Pair p, int mode, int fpsr)
{
    uint32_t fpcr = (uint32_t)(mode & 3) << FPCR_RMODE_SHIFT | (mode & 4 ? FPCR_FZ : 0) |
                    (mode & 8 ? FPCR_DN : 0) | (mode & 16 ? FPCR_AHP : 0);
    uint32_t sr = fpsr == 0 ? 0 : fpsr == 1 ? FPEXC_IXC : FPEXC_IXC | FPEXC_UFC | (1u << 27);
    p.fast->fpcr = p.soft->fpcr = fpcr;
    p.fast->fpsr = p.soft->fpsr = sr;
}

static uint64_t checked;

static void run_one(Pair p, HelperFn fast, HelperFn soft, uint64_t a, uint64_t b, uint64_t c, uint64_t imm)
{
    memcpy(p.soft->v, p.fast->v, sizeof(p.fast->v));
    uint32_t sr0 = p.fast->fpsr;
    uint64_t rf = fast(p.fast, a, b, c, imm), rs = soft(p.soft, a, b, c, imm);
    checked++;
    if (rf != rs || p.fast->fpsr != p.soft->fpsr || memcmp(p.fast->v, p.soft->v, sizeof(p.fast->v)))
        cr_assert_fail("insn %08x kind %u fpcr %08x fpsr %08x: a %016llx b %016llx c %016llx: "
                       "fast %016llx fpsr %08x, soft %016llx fpsr %08x%s",
                       (unsigned)imm, (unsigned)(imm >> 32), p.fast->fpcr, sr0, (unsigned long long)a,
                       (unsigned long long)b, (unsigned long long)c, (unsigned long long)rf, p.fast->fpsr,
                       (unsigned long long)rs, p.soft->fpsr,
                       memcmp(p.fast->v, p.soft->v, sizeof(p.fast->v)) ? " (V registers differ)" : "");
    p.fast->fpsr = p.soft->fpsr = sr0;
}

static HelperFn pick(uint32_t helper, enum FpKind k, uint32_t insn)
{
    HelperFn f = fp_hard_helper(helper, (uint64_t)k << 32 | insn);
    cr_assert_not_null(f, "no fast path for %08x", insn);
    return f;
}

/* Scalar two-operand ops on all pairs of edge values, and random ones. */
static void scalar2(Pair p, uint32_t insn, enum FpKind k, uint32_t helper, int nrand)
{
    int n = bits(insn, 23, 22) ? 64 : 32;
    const uint64_t *e = n == 64 ? E64 : E32;
    size_t ne = n == 64 ? NE64 : NE32;
    HelperFn fast = pick(helper, k, insn), soft = helper_table[helper];
    uint64_t imm = (uint64_t)k << 32 | insn;
    for (int mode = 0; mode < 32; mode++)
        for (int sr = 0; sr < 3; sr++) {
            set_mode(p, mode, sr);
            for (size_t i = 0; i < ne; i++)
                for (size_t j = 0; j < ne; j++)
                    run_one(p, fast, soft, e[i], e[j], 1, imm);
            for (int r = 0; r < nrand; r++)
                run_one(p, fast, soft, value(n), value(n), rnd() & 1, imm);
        }
}

Test(fp_hard, scalar_arith_minmax_on_edges_every_mode)
{
    Pair p = pair_new();
    for (int type = 0; type < 2; type++)
        for (uint32_t op = 0; op <= 8; op++) /* FMUL FDIV FADD FSUB FMAX FMIN FMAXNM FMINNM FNMUL */
            scalar2(p, 0x1e200800 | type << 22 | op << 12 | 2 << 16 | 1 << 5, FPK_DP2, HELPER_fp_scalar, 300);
    pair_free(p);
}

Test(fp_hard, scalar_compare_on_edges)
{
    Pair p = pair_new();
    for (int type = 0; type < 2; type++) {
        for (uint32_t opc = 0; opc < 32; opc += 8) /* FCMP, FCMP #0, FCMPE, FCMPE #0 */
            scalar2(p, 0x1e202000 | type << 22 | opc, FPK_DP2, HELPER_fp_cmp, 100);
        for (uint32_t e = 0; e < 2; e++) /* FCCMP, FCCMPE: cond (c) true and false */
            scalar2(p, 0x1e200400 | type << 22 | 0xb << 12 | e << 4 | 0x5, FPK_DP2, HELPER_fp_cmp, 100);
    }
    pair_free(p);
}

Test(fp_hard, scalar_fma_on_edges_every_mode)
{
    Pair p = pair_new();
    static const int addends[] = {0, 1, 2, 4, 8, 11, 14, 17, 19, 26, 27, 41};
    for (int fma = 1; fma >= 0; fma--) {
        fp_hard_allow_fma(fma);
        for (int type = 0; type < 2; type++)
            for (int v = 0; v < 4; v++) { /* FMADD FMSUB FNMADD FNMSUB */
                uint32_t insn = 0x1f000000 | type << 22 | (v >> 1) << 21 | (v & 1) << 15;
                uint64_t imm = (uint64_t)FPK_DP3 << 32 | insn;
                HelperFn fast = fp_hard_helper(HELPER_fp_scalar, imm);
                if (!fma) {
                    cr_assert_null(fast, "FMA without FMA3");
                    continue;
                }
                cr_assert_not_null(fast);
                int n = type ? 64 : 32;
                const uint64_t *e = n == 64 ? E64 : E32;
                size_t ne = n == 64 ? NE64 : NE32;
                for (int mode = 0; mode < 32; mode += 3)
                    for (int sr = 0; sr < 2; sr++) {
                        set_mode(p, mode, sr);
                        for (size_t i = 0; i < ne; i++)
                            for (size_t j = 0; j < ne; j++)
                                for (size_t k = 0; k < sizeof(addends) / sizeof(addends[0]); k++)
                                    run_one(p, fast, helper_fp_scalar, e[i], e[j], e[addends[k] % ne], imm);
                        for (int r = 0; r < 3000; r++)
                            run_one(p, fast, helper_fp_scalar, value(n), value(n), value(n), imm);
                    }
            }
    }
    fp_hard_allow_fma(true);
    pair_free(p);
}

/* One-operand scalar ops and conversions: every edge value, random ones. */
static void scalar1(Pair p, uint32_t insn, enum FpKind k, int n_in)
{
    HelperFn fast = pick(HELPER_fp_scalar, k, insn);
    uint64_t imm = (uint64_t)k << 32 | insn;
    for (int mode = 0; mode < 32; mode++)
        for (int sr = 0; sr < 3; sr++) {
            set_mode(p, mode, sr);
            if (n_in == 64 || n_in == 32) {
                const uint64_t *e = n_in == 64 ? E64 : E32;
                size_t ne = n_in == 64 ? NE64 : NE32;
                for (size_t i = 0; i < ne; i++)
                    run_one(p, fast, helper_fp_scalar, e[i], 0, 0, imm);
            }
            for (int r = 0; r < 400; r++) { /* integers: edges of int32/int64, random */
                uint64_t x = n_in ? value(n_in) : rnd() >> (rnd() & 63);
                if (!n_in && (r & 1))
                    x = -x;
                run_one(p, fast, helper_fp_scalar, x, 0, 0, imm);
            }
        }
}

Test(fp_hard, scalar_sqrt_and_precision_conversions)
{
    Pair p = pair_new();
    scalar1(p, 0x1e204000 | 0 << 22 | 3 << 15, FPK_DP1, 32); /* FSQRT S */
    scalar1(p, 0x1e204000 | 1 << 22 | 3 << 15, FPK_DP1, 64); /* FSQRT D */
    scalar1(p, 0x1e204000 | 1 << 22 | 4 << 15, FPK_DP1, 64); /* FCVT Sd, Dn */
    scalar1(p, 0x1e204000 | 0 << 22 | 5 << 15, FPK_DP1, 32); /* FCVT Dd, Sn */
    pair_free(p);
}

/* FRINTN, FRINTP, FRINTM, FRINTZ, FRINTA, FRINTX, FRINTI (opcodes 8-12, 14, 15) in
 * every FPCR mode, S and D: edges (+-0.5, 2.5, -3.5, the largest, ...) and
 * random values. */
Test(fp_hard, scalar_round_to_integral)
{
    Pair p = pair_new();
    static const int ops[] = {8, 9, 10, 11, 12, 14, 15};
    for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
        for (uint32_t type = 0; type < 2; type++)
            scalar1(p, 0x1e204000 | type << 22 | (uint32_t)ops[i] << 15, FPK_DP1, type ? 64 : 32);
    pair_free(p);
}

Test(fp_hard, scalar_int_conversions)
{
    Pair p = pair_new();
    for (uint32_t sf = 0; sf < 2; sf++)
        for (uint32_t type = 0; type < 2; type++) {
            for (uint32_t rmode = 0; rmode < 4; rmode++) /* FCVT{N,P,M,Z}{S,U} */
                for (uint32_t op = 0; op < 2; op++)
                    scalar1(p, 0x1e200000 | sf << 31 | type << 22 | rmode << 19 | op << 16, FPK_TOINT, type ? 64 : 32);
            for (uint32_t op = 4; op < 6; op++) /* FCVTA{S,U} */
                scalar1(p, 0x1e200000 | sf << 31 | type << 22 | op << 16, FPK_TOINT, type ? 64 : 32);
            for (uint32_t op = 2; op < 4; op++) /* SCVTF, UCVTF */
                scalar1(p, 0x1e200000 | sf << 31 | type << 22 | op << 16, FPK_FROMINT, 0);
        }
    pair_free(p);
}

/* Vector and scalar SIMD forms: random lanes (edge values often, repeated
 * lanes), register aliasing; V registers compared whole. */
static void simd(Pair p, uint32_t insn, enum FpKind k, int n, int reps)
{
    HelperFn fast = pick(HELPER_simd_fp, k, insn);
    uint64_t imm = (uint64_t)k << 32 | insn;
    for (int mode = 0; mode < 32; mode++)
        for (int sr = 0; sr < 3; sr++) {
            set_mode(p, mode, sr);
            for (int r = 0; r < reps; r++) {
                uint32_t regs = (uint32_t)rnd();
                uint32_t w = (uint32_t)imm & ~0x3ffu;
                w |= (regs & 3) | ((regs >> 2) & 3) << 5; /* aliasing often */
                if (k != FPK_V2MISC) /* Rm (bits 16-17 of it) */
                    w = (w & ~0x30000u) | ((regs >> 4) & 3) << 16;
                if (k == FPK_VELEM && n == 64)
                    w &= ~(1u << 21); /* L = 0 */
                for (int reg = 0; reg < 4; reg++) {
                    uint64_t same = value(n);
                    for (int h = 0; h < 2; h++) {
                        uint64_t v0 = (rnd() & 3) ? value(n) : same, v1 = (rnd() & 3) ? value(n) : same;
                        p.fast->v[reg][h] = n == 64 ? v0 : (uint32_t)v0 | v1 << 32;
                        if (!(rnd() & 3) && k == FPK_V2MISC) /* integer lanes for SCVTF */
                            p.fast->v[reg][h] = rnd() >> (rnd() & 63);
                    }
                }
                run_one(p, fast, helper_simd_fp, 0, 0, 0, (uint64_t)k << 32 | w);
            }
        }
}

Test(fp_hard, simd_three_same_and_by_element)
{
    Pair p = pair_new();
    /* (U, a, opcode low 3 bits): FADD FSUB FMUL FDIV FMLA FMLS FMAX FMAXNM FMIN FMINNM */
    static const int ops[][3] = {{0, 0, 2}, {0, 1, 2}, {1, 0, 3}, {1, 0, 7}, {0, 0, 1},
                                 {0, 1, 1}, {0, 0, 6}, {0, 0, 0}, {0, 1, 6}, {0, 1, 0}};
    for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
        for (uint32_t sz = 0; sz < 2; sz++)
            for (uint32_t q = sz; q < 2; q++)
                simd(p, 0x0e20c400 | q << 30 | ops[i][0] << 29 | ops[i][1] << 23 | sz << 22 | ops[i][2] << 11,
                     FPK_V3SAME, sz ? 64 : 32, 60);
    for (uint32_t op = 1; op < 10; op += 4) /* FMLA, FMLS, FMUL by element; vector and scalar */
        for (uint32_t sz = 0; sz < 2; sz++)
            for (uint32_t form = 0; form < 3; form++) {
                uint32_t w = 0x0f800000 | sz << 22 | op << 12 | (rnd() & 1) << 11 | (rnd() & 1) << 21;
                if (form == 2)
                    w |= 0x50000000; /* scalar */
                else if (form == 1 || sz)
                    w |= 1u << 30;
                simd(p, w, FPK_VELEM, sz ? 64 : 32, 60);
            }
    pair_free(p);
}

Test(fp_hard, simd_two_reg_misc)
{
    Pair p = pair_new();
    /* (U, a, opcode): FSQRT, SCVTF, UCVTF, FCVT{N,M,P,Z,A}{S,U}, FABS, FNEG,
     * FRINT{N,M,P,Z,A,X,I} */
    static const int ops[][3] = {{1, 1, 0x1f}, {0, 0, 0x1d}, {1, 0, 0x1d}, {0, 0, 0x1a}, {0, 0, 0x1b},
                                 {0, 1, 0x1a}, {0, 1, 0x1b}, {0, 0, 0x1c}, {1, 0, 0x1a}, {1, 1, 0x1b},
                                 {1, 0, 0x1c}, {0, 1, 0x0f}, {1, 1, 0x0f}, {0, 0, 0x18}, {0, 0, 0x19},
                                 {0, 1, 0x18}, {0, 1, 0x19}, {1, 0, 0x18}, {1, 0, 0x19}, {1, 1, 0x19}};
    for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
        for (uint32_t sz = 0; sz < 2; sz++)
            for (uint32_t form = 0; form < 3; form++) {
                if (form == 2 && (ops[i][2] == 0x0f || ops[i][2] == 0x18 || ops[i][2] == 0x19))
                    continue; /* scalar FABS/FNEG/FRINT are not this class */
                uint32_t w = 0x0e200800 | ops[i][0] << 29 | ops[i][1] << 23 | sz << 22 | ops[i][2] << 12;
                if (form == 2)
                    w |= 0x50000000;
                else if (form == 1 || sz)
                    w |= 1u << 30;
                simd(p, w, FPK_V2MISC, sz ? 64 : 32, 60);
            }
    pair_free(p);
}

/* The fast path must really be taken for ordinary operands (RN, IXC set)
 * and left for NaNs, denormals, other rounding modes and a clear IXC. */
Test(fp_hard, ordinary_values_take_the_fast_path)
{
    Pair p = pair_new();
    CPUState *c = p.fast;
    const uint64_t one_d = 0x3ff8000000000000ull, three_d = 0x4008000000000000ull, tenth = 0x3fb999999999999aull;
    struct { uint32_t insn; enum FpKind k; uint32_t helper; } cases[] = {
        {0x1e600800, FPK_DP2, HELPER_fp_scalar},  /* FMUL D */
        {0x1e601800, FPK_DP2, HELPER_fp_scalar},  /* FDIV D */
        {0x1e602800, FPK_DP2, HELPER_fp_scalar},  /* FADD D */
        {0x1e603800, FPK_DP2, HELPER_fp_scalar},  /* FSUB D */
        {0x1f400000, FPK_DP3, HELPER_fp_scalar},  /* FMADD D */
        {0x1e61c000, FPK_DP1, HELPER_fp_scalar},  /* FSQRT D */
        {0x1e622000, FPK_DP2, HELPER_fp_cmp},     /* FCMP D */
        {0x9e780000, FPK_TOINT, HELPER_fp_scalar}, /* FCVTZS X, D */
        {0x1e65c000, FPK_DP1, HELPER_fp_scalar},  /* FRINTZ D */
        {0x1e674000, FPK_DP1, HELPER_fp_scalar},  /* FRINTX D */
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        uint64_t imm = (uint64_t)cases[i].k << 32 | cases[i].insn;
        HelperFn f = fp_hard_helper(cases[i].helper, imm);
        cr_assert_not_null(f, "case %zu", i);
        c->fpcr = 0;
        c->fpsr = FPEXC_IXC;
        c->stats.jit.fp_soft = 0;
        f(c, one_d, three_d, tenth, imm);
        cr_assert_eq(c->stats.jit.fp_soft, 0, "case %zu: ordinary operands fell back", i);
        f(c, 0x7ff8000000000000ull, three_d, tenth, imm); /* NaN */
        f(c, 1, 1, 1, imm);                                /* denormals */
        cr_assert_eq(c->stats.jit.fp_soft, 2, "case %zu: special operands took the fast path", i);
    }
    /* FADD: the other rounding modes run on the host too (MXCSR's rounding
     * control: 1.5 + 0.1 rounds differently up and down); IXC clear
     * (inexactness unknown) falls back; so does a result that may have
     * overflowed in a mode that does not round it to infinity. The host's
     * MXCSR is back to what it was after each. */
    uint64_t imm = (uint64_t)FPK_DP2 << 32 | 0x1e602800;
    HelperFn f = fp_hard_helper(HELPER_fp_scalar, imm);
    uint32_t csr0;
    __asm__ volatile("stmxcsr %0" : "=m"(csr0));
    c->stats.jit.fp_soft = 0;
    c->fpcr = 1u << FPCR_RMODE_SHIFT; /* RP */
    uint64_t up = f(c, one_d, tenth, 0, imm);
    c->fpcr = 2u << FPCR_RMODE_SHIFT; /* RM */
    uint64_t down = f(c, one_d, tenth, 0, imm);
    cr_assert_eq(up, down + 1, "RP and RM differ by one ulp: %016llx %016llx", (unsigned long long)up,
                 (unsigned long long)down);
    cr_assert_eq(c->stats.jit.fp_soft, 0, "RP and RM took the fast path");
    c->fpcr = 3u << FPCR_RMODE_SHIFT; /* RZ: the largest finite twice overflows to the largest finite */
    f(c, 0x7fefffffffffffffull, 0x7fefffffffffffffull, 0, imm);
    cr_assert_eq(c->stats.jit.fp_soft, 1);
    uint32_t csr1;
    __asm__ volatile("stmxcsr %0" : "=m"(csr1));
    cr_assert_eq(csr1, csr0, "MXCSR restored");
    c->fpcr = 0;
    c->fpsr = 0;
    f(c, one_d, tenth, 0, imm);
    cr_assert_eq(c->stats.jit.fp_soft, 2);
    cr_assert_eq(c->fpsr, FPEXC_IXC, "the soft path sets IXC");
    /* FZ and DN do not matter for normal operands and results */
    c->fpcr = FPCR_FZ | FPCR_DN;
    f(c, one_d, tenth, 0, imm);
    cr_assert_eq(c->stats.jit.fp_soft, 2);
    /* Vector FADD 2D */
    imm = (uint64_t)FPK_V3SAME << 32 | 0x4e60d420;
    f = fp_hard_helper(HELPER_simd_fp, imm);
    cr_assert_not_null(f);
    c->v[0][0] = one_d, c->v[0][1] = three_d, c->v[1][0] = tenth, c->v[1][1] = one_d;
    f(c, 0, 0, 0, imm);
    cr_assert_eq(c->stats.jit.fp_soft, 2);
    pair_free(p);
    cr_log_info("%llu comparisons", (unsigned long long)checked);
}
