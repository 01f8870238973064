/* Host floating point ("hardfloat") fast paths, after QEMU's fpu/softfloat.c.
 *
 * The JIT calls these instead of the fp group's soft-float helpers
 * (cpu/helpers_fp.c); the interpreter keeps calling soft-float, the oracle.
 * A fast path computes on the host (SSE, MXCSR at its default: round to
 * nearest even, no flush, all exceptions masked) only when the Arm result
 * and FPSR flags are provably the same, and otherwise calls the soft helper
 * for the whole instruction (every lane), so partial results never leak:
 *
 * - Inputs must be normal or zero (infinities too for min/max/compare):
 *   NaNs (propagation, default NaN, IOC) and denormals (FZ flushing, IDC)
 *   go to soft-float. With such inputs FPCR.FZ and FPCR.DN cannot matter
 *   unless the result is tiny, and AHP only concerns half precision.
 * - Rounding: add/sub/mul/div/sqrt/fma run in FPCR.RMode, set in MXCSR's
 *   rounding control around the host op (arith); in a mode other than RN a
 *   result at the largest finite magnitude or infinite goes to soft-float
 *   (overflow rounds to either, depending on mode and sign). Inexact cannot
 *   be seen cheaply after a host op, so they also need FPSR.IXC already set
 *   (sticky: the flag is then the same whatever the op does). The
 *   conversions work out inexactness exactly and set IXC themselves; they
 *   need RN, or take their own rounding (FCVT[NMPZA]*, FRINT*).
 * - Results: a finite result whose magnitude is at most the smallest normal
 *   is sent to soft-float (Arm detects tininess before rounding, so a result
 *   that rounds up to the smallest normal may still underflow or be flushed),
 *   except zeros that are exact by construction (x - x, a zero factor). An
 *   infinite result from finite inputs is an overflow: OFC and IXC, and RN
 *   gives the infinity Arm gives.
 * - Fused multiply-add uses FMA3 (one rounding), only on hosts with it.
 *
 * Thread rules: fp_hard_helper on any thread; the helpers on the owning vCPU
 * (they read FPCR and update FPSR and V registers of that core). */
#include "fp_hard.h"

#include <stdatomic.h>
#include <string.h>

#include "fpu.h"
#include "host_cpu.h"
#include "jit_emit.h"

#define LIKELY(x) __builtin_expect(!!(x), 1)

/* ---- formats: n = 32 or 64, a compile-time constant after inlining ---- */
static inline uint64_t f_sign(int n) { return 1ull << (n - 1); }
static inline uint64_t f_mag(int n) { return f_sign(n) - 1; }
static inline uint64_t f_inf(int n) { return n == 64 ? 0x7ff0000000000000ull : 0x7f800000ull; }
static inline uint64_t f_minnorm(int n) { return n == 64 ? 1ull << 52 : 1ull << 23; }

/* normal or zero */
static inline bool nz(int n, uint64_t x)
{
    uint64_t a = x & f_mag(n);
    return a == 0 || a - f_minnorm(n) < f_inf(n) - f_minnorm(n);
}
/* normal, zero or infinite (not NaN, not denormal) */
static inline bool nzi(int n, uint64_t x)
{
    uint64_t a = x & f_mag(n);
    return a == 0 || a - f_minnorm(n) <= f_inf(n) - f_minnorm(n);
}
static inline bool is_zero(int n, uint64_t x) { return !(x & f_mag(n)); }

static inline double to_d(uint64_t x) { double d; memcpy(&d, &x, 8); return d; }
static inline float to_f(uint64_t x) { uint32_t u = (uint32_t)x; float f; memcpy(&f, &u, 4); return f; }
static inline uint64_t of_d(double d) { uint64_t x; memcpy(&x, &d, 8); return x; }
static inline uint64_t of_f(float f) { uint32_t u; memcpy(&u, &f, 4); return u; }

/* The host ops that the compiler would otherwise route through libm
 * (errno) or not fuse. */
static inline double sqrt_d(double x) { __asm__("sqrtsd %1, %0" : "=x"(x) : "x"(x)); return x; }
static inline float sqrt_f(float x) { __asm__("sqrtss %1, %0" : "=x"(x) : "x"(x)); return x; }
/* c + a * b, one rounding (FMA3; only called when cpuid has it) */
static inline double fma_d(double a, double b, double c) { __asm__("vfmadd231sd %2, %1, %0" : "+x"(c) : "x"(a), "x"(b)); return c; }
static inline float fma_f(float a, float b, float c) { __asm__("vfmadd231ss %2, %1, %0" : "+x"(c) : "x"(a), "x"(b)); return c; }

/* Arithmetic fast paths need a set IXC and run in FPCR's rounding mode
 * (arith); the conversions need RN. */
static inline bool rn(const CPUState *cpu) { return !(cpu->fpcr & (3u << FPCR_RMODE_SHIFT)); }
static inline int rmode(const CPUState *cpu) { return (int)(cpu->fpcr >> FPCR_RMODE_SHIFT) & 3; }
static inline bool arith_ok(const CPUState *cpu) { return (cpu->fpsr & FPEXC_IXC) != 0; }

/* The fallbacks, counted (stats.jit.fp_soft) so that -stats shows how often
 * the fast path could not be used. */
static uint64_t soft_scalar(CPUState *cpu, uint64_t a, uint64_t b, uint64_t c, uint64_t imm)
{
    cpu->stats.jit.fp_soft++;
    return helper_fp_scalar(cpu, a, b, c, imm);
}
static uint64_t soft_cmp(CPUState *cpu, uint64_t a, uint64_t b, uint64_t c, uint64_t imm)
{
    cpu->stats.jit.fp_soft++;
    return helper_fp_cmp(cpu, a, b, c, imm);
}
static uint64_t soft_simd(CPUState *cpu, uint64_t imm)
{
    cpu->stats.jit.fp_soft++;
    return helper_simd_fp(cpu, 0, 0, 0, imm);
}

enum HOp { H_ADD, H_SUB, H_MUL, H_DIV, H_NMUL, H_FMA, H_MAX, H_MIN, H_SQRT };

/* Check a host result r of an op on normal-or-zero inputs; exact_zero says
 * a zero result cannot be an underflow. */
static inline bool result_ok(int n, uint64_t r, bool exact_zero, uint32_t *exc)
{
    uint64_t a = r & f_mag(n);
    if (LIKELY(a - (f_minnorm(n) + 1) < f_inf(n) - (f_minnorm(n) + 1)))
        return true;
    if (a == f_inf(n)) {
        *exc |= FPEXC_OFC | FPEXC_IXC;
        return true;
    }
    return a == 0 && exact_zero;
}

/* MXCSR's rounding control for FPCR.RMode (RN, RP, RM, RZ -> nearest,
 * up, down, toward zero). The host op runs with it and MXCSR is put back
 * at once; the empty asm statements pin the op between the two LDMXCSRs
 * (volatile asm keeps its order, and the op reads and writes what they
 * touch). */
static inline uint32_t csr_get(void)
{
    uint32_t c;
    __asm__ volatile("stmxcsr %0" : "=m"(c));
    return c;
}
static inline void csr_set(uint32_t c) { __asm__ volatile("ldmxcsr %0" : : "m"(c)); }

/* One lane of an arithmetic op in rounding mode rmode (FPCR.RMode): d is the
 * addend of H_FMA (x*y + d). False: soft-float must do the instruction. */
static inline __attribute__((always_inline)) bool arith(int n, enum HOp op, uint64_t x, uint64_t y, uint64_t d, int rmode,
                                                        uint64_t *r, uint32_t *exc)
{
    if (!nz(n, x) || (op != H_SQRT && !nz(n, y)) || (op == H_FMA && !nz(n, d)))
        return false;
    bool zx = is_zero(n, x), zy = is_zero(n, y), exact_zero;
    if (op == H_DIV && zy)
        return false; /* DZC, or 0/0 invalid */
    if (op == H_SQRT && (x & f_sign(n)) && !zx)
        return false; /* invalid */
    if (op == H_MAX || op == H_MIN)
        return false; /* minmax, not here */
    uint32_t csr = 0;
    if (rmode) {
        static const uint8_t rc[4] = {0, 2, 1, 3};
        csr = csr_get();
        csr_set((csr & ~0x6000u) | (uint32_t)rc[rmode & 3] << 13);
        __asm__ volatile("" : "+r"(x), "+r"(y), "+r"(d));
    }
    uint64_t v;
    switch (op) {
    case H_ADD: case H_SUB:
        /* an exact sum of normals is never below the denormal grid: a zero is
         * exact (and -0 in RM, on both sides) */
        v = n == 64 ? of_d(op == H_ADD ? to_d(x) + to_d(y) : to_d(x) - to_d(y))
                    : of_f(op == H_ADD ? to_f(x) + to_f(y) : to_f(x) - to_f(y));
        exact_zero = true;
        break;
    case H_MUL: case H_NMUL:
        v = n == 64 ? of_d(to_d(x) * to_d(y)) : of_f(to_f(x) * to_f(y));
        exact_zero = zx || zy;
        break;
    case H_DIV:
        v = n == 64 ? of_d(to_d(x) / to_d(y)) : of_f(to_f(x) / to_f(y));
        exact_zero = zx;
        break;
    case H_FMA:
        v = n == 64 ? of_d(fma_d(to_d(x), to_d(y), to_d(d))) : of_f(fma_f(to_f(x), to_f(y), to_f(d)));
        exact_zero = zx || zy; /* then the sum is d (+-0) exactly */
        break;
    default: /* H_SQRT */
        v = n == 64 ? of_d(sqrt_d(to_d(x))) : of_f(sqrt_f(to_f(x)));
        exact_zero = true; /* sqrt(+-0) = +-0; a normal's root is normal */
        break;
    }
    if (rmode) {
        __asm__ volatile("" : "+r"(v));
        csr_set(csr);
        /* Overflow gives the largest finite value or an infinity depending on
         * the mode and sign: either may also be exact. Soft-float decides. */
        if ((v & f_mag(n)) >= f_inf(n) - 1)
            return false;
    }
    if (!result_ok(n, v, exact_zero, exc))
        return false;
    *r = op == H_NMUL ? v ^ f_sign(n) : v; /* FNMUL negates the rounded product */
    return true;
}

/* Round to integral (FRINTN/P/M/Z/X/I) with SSE4.1 ROUNDSD/ROUNDSS, whose
 * rounding controls 0-3 are nearest-even, down, up, toward zero: Arm's RN,
 * RM, RP, RZ. An integral value is exact, and a normal, zero or infinite
 * input gives a zero (with the input's sign: -0.3 rounded up is -0),
 * integral or infinite result, so the one flag is FRINTX's IXC when the
 * result differs from the input (`exact`). NaNs and denormals (FZ, IDC) go to
 * soft-float. FRINTA (ties away) has no host rounding control: it is the
 * truncation t plus one away from zero when |x - t| >= 0.5 (x - t is exact,
 * and t + 1 is exact for an integral |t| < 2^53; a larger x is integral). */
#define ROUND_HOST(ins, mode, v) __asm__(ins " %2, %1, %0" : "=x"(v) : "x"(v), "i"(mode))
static inline __attribute__((always_inline)) bool round_int(int n, uint64_t x, enum FPRounding rm, bool exact,
                                                            uint64_t *r, uint32_t *exc)
{
    if (!nzi(n, x) || rm > FPR_TIEAWAY)
        return false;
    uint64_t v;
    if (n == 64) {
        double d = to_d(x);
        switch (rm) {
        case FPR_TIEEVEN: ROUND_HOST("roundsd", 8, d); break;
        case FPR_NEGINF: ROUND_HOST("roundsd", 9, d); break;
        case FPR_POSINF: ROUND_HOST("roundsd", 10, d); break;
        default: ROUND_HOST("roundsd", 11, d); break;
        }
        if (rm == FPR_TIEAWAY && (x & f_mag(64)) != f_inf(64)) {
            double frac = to_d(x) - d;
            if (frac >= 0.5 || frac <= -0.5)
                d += frac > 0 ? 1.0 : -1.0;
        }
        v = of_d(d);
    } else {
        float f = to_f(x);
        switch (rm) {
        case FPR_TIEEVEN: ROUND_HOST("roundss", 8, f); break;
        case FPR_NEGINF: ROUND_HOST("roundss", 9, f); break;
        case FPR_POSINF: ROUND_HOST("roundss", 10, f); break;
        default: ROUND_HOST("roundss", 11, f); break;
        }
        if (rm == FPR_TIEAWAY && (x & f_mag(32)) != f_inf(32)) {
            float frac = to_f(x) - f;
            if (frac >= 0.5f || frac <= -0.5f)
                f += frac > 0 ? 1.0f : -1.0f;
        }
        v = of_f(f);
    }
    if (exact && v != (x & (f_sign(n) | f_mag(n))))
        *exc |= FPEXC_IXC;
    *r = v;
    return true;
}

/* FMAX/FMIN and the NM forms: without NaNs they are the same. No flags. */
static inline bool minmax(int n, bool max, uint64_t x, uint64_t y, uint64_t *r)
{
    if (!nzi(n, x) || !nzi(n, y))
        return false;
    x &= f_mag(n) | f_sign(n);
    y &= f_mag(n) | f_sign(n);
    bool eq, gt;
    if (n == 64)
        eq = to_d(x) == to_d(y), gt = to_d(x) > to_d(y);
    else
        eq = to_f(x) == to_f(y), gt = to_f(x) > to_f(y);
    if (eq) /* equal values have equal bits, except +0/-0: max is +0, min -0 */
        *r = max ? x & y : x | y;
    else
        *r = gt == max ? x : y;
    return true;
}

/* ---------------- scalar (helper_fp_scalar, helper_fp_cmp) ---------------- */

/* FADD, FSUB, FMUL, FDIV, FNMUL, FMAX, FMIN, FMAXNM, FMINNM: a, b */
#define SCALAR2(name, n, op)                                                                      \
    static uint64_t name(CPUState *cpu, uint64_t a, uint64_t b, uint64_t c, uint64_t imm)         \
    {                                                                                             \
        uint64_t r;                                                                               \
        uint32_t exc = 0;                                                                         \
        if (op == H_MAX || op == H_MIN) {                                                         \
            if (minmax(n, op == H_MAX, a, b, &r))                                                 \
                return r;                                                                         \
        } else if (LIKELY(arith_ok(cpu) && arith(n, op, a, b, 0, rmode(cpu), &r, &exc))) {                    \
            cpu->fpsr |= exc;                                                                     \
            return r;                                                                             \
        }                                                                                         \
        return soft_scalar(cpu, a, b, c, imm);                                               \
    }
SCALAR2(s_add64, 64, H_ADD) SCALAR2(s_add32, 32, H_ADD)
SCALAR2(s_sub64, 64, H_SUB) SCALAR2(s_sub32, 32, H_SUB)
SCALAR2(s_mul64, 64, H_MUL) SCALAR2(s_mul32, 32, H_MUL)
SCALAR2(s_div64, 64, H_DIV) SCALAR2(s_div32, 32, H_DIV)
SCALAR2(s_nmul64, 64, H_NMUL) SCALAR2(s_nmul32, 32, H_NMUL)
SCALAR2(s_max64, 64, H_MAX) SCALAR2(s_max32, 32, H_MAX)
SCALAR2(s_min64, 64, H_MIN) SCALAR2(s_min32, 32, H_MIN)
SCALAR2(s_sqrt64, 64, H_SQRT) SCALAR2(s_sqrt32, 32, H_SQRT)

/* FRINT{N,P,M,Z,X,I} Sd/Dd (round_int) */
#define FRINT(name, n)                                                                            \
    static uint64_t name(CPUState *cpu, uint64_t a, uint64_t b, uint64_t c, uint64_t imm)         \
    {                                                                                             \
        int op = (int)bits((uint32_t)imm, 20, 15);                                                \
        uint64_t r;                                                                               \
        uint32_t exc = 0;                                                                         \
        if (LIKELY(round_int(n, a & (f_sign(n) | f_mag(n)), fp_frint_rounding(op, (enum FPRounding)rmode(cpu)), op == 14, &r, &exc))) { \
            cpu->fpsr |= exc;                                                                     \
            return r;                                                                             \
        }                                                                                         \
        return soft_scalar(cpu, a, b, c, imm);                                                    \
    }
FRINT(s_frint64, 64) FRINT(s_frint32, 32)

/* FMADD, FMSUB, FNMADD, FNMSUB: Rn, Rm, Ra; negations as in scalar_dp3 */
#define SCALAR3(name, n)                                                                          \
    static uint64_t name(CPUState *cpu, uint64_t a, uint64_t b, uint64_t c, uint64_t imm)         \
    {                                                                                             \
        uint64_t r, x = a, d = c;                                                                 \
        uint32_t exc = 0, insn = (uint32_t)imm;                                                   \
        if (bit(insn, 21))                                                                        \
            d ^= f_sign(n);                                                                       \
        if (bit(insn, 21) != bit(insn, 15))                                                       \
            x ^= f_sign(n);                                                                       \
        if (LIKELY(arith_ok(cpu) && arith(n, H_FMA, x, b, d, rmode(cpu), &r, &exc))) {                        \
            cpu->fpsr |= exc;                                                                     \
            return r;                                                                             \
        }                                                                                         \
        return soft_scalar(cpu, a, b, c, imm);                                               \
    }
SCALAR3(s_fma64, 64) SCALAR3(s_fma32, 32)

/* FCVT Sd, Dn: inexactness is checked exactly, so only RN is needed. */
static uint64_t s_cvt_d2s(CPUState *cpu, uint64_t a, uint64_t b, uint64_t c, uint64_t imm)
{
    if (LIKELY(rn(cpu) && nz(64, a))) {
        double d = to_d(a);
        float f = (float)d;
        uint32_t exc = 0;
        if (result_ok(32, of_f(f), is_zero(64, a), &exc)) {
            if ((double)f != d)
                exc |= FPEXC_IXC;
            cpu->fpsr |= exc;
            return of_f(f);
        }
    }
    return soft_scalar(cpu, a, b, c, imm);
}

/* FCVT Dd, Sn: exact for a normal or zero single, whatever the mode. */
static uint64_t s_cvt_s2d(CPUState *cpu, uint64_t a, uint64_t b, uint64_t c, uint64_t imm)
{
    if (LIKELY(nz(32, a)))
        return of_d((double)to_f(a));
    return soft_scalar(cpu, a, b, c, imm);
}

/* FCVT{N,P,M,Z,A}{S,U} to a general register: round in double (exact for
 * singles too), flags worked out exactly. Out-of-range (IOC) to soft-float.
 * rm: the FPRounding. */
static inline bool to_int(int n, uint64_t a, bool is_unsigned, int m, int rm, uint64_t *r, uint32_t *exc)
{
    if (!nz(n, a))
        return false;
    double x = n == 64 ? to_d(a) : (double)to_f(a);
    /* well inside the int64 range so that t and x - t are exact */
    if (!(x > -0x1p62 && x < 0x1p62))
        return false;
    int64_t t = (int64_t)x; /* truncation */
    double frac = x - (double)t;
    switch (rm) {
    case FPR_NEGINF: t -= frac < 0; break;
    case FPR_POSINF: t += frac > 0; break;
    case FPR_TIEEVEN:
        if (frac > 0.5 || (frac == 0.5 && (t & 1)))
            t++;
        else if (frac < -0.5 || (frac == -0.5 && (t & 1)))
            t--;
        break;
    case FPR_TIEAWAY:
        t += frac >= 0.5;
        t -= frac <= -0.5;
        break;
    default: break; /* FPR_ZERO */
    }
    int64_t lo = is_unsigned ? 0 : m == 64 ? INT64_MIN : INT32_MIN;
    int64_t hi = m == 64 ? INT64_MAX : is_unsigned ? (int64_t)UINT32_MAX : INT32_MAX;
    if (t < lo || t > hi)
        return false;
    if (frac != 0)
        *exc |= FPEXC_IXC;
    *r = m == 64 ? (uint64_t)t : (uint32_t)t;
    return true;
}

static uint64_t s_toint(CPUState *cpu, uint64_t a, uint64_t b, uint64_t c, uint64_t imm)
{
    uint32_t insn = (uint32_t)imm, exc = 0;
    int n = bit(insn, 22) ? 64 : 32, m = bit(insn, 31) ? 64 : 32, op = (int)bits(insn, 18, 16);
    int rm = op >= 4 ? FPR_TIEAWAY : (int)bits(insn, 20, 19);
    uint64_t r;
    if (LIKELY(to_int(n, a, op & 1, m, rm, &r, &exc))) {
        cpu->fpsr |= exc;
        return r;
    }
    return soft_scalar(cpu, a, b, c, imm);
}

/* SCVTF, UCVTF from an integer of m bits: host conversion (RN), inexact
 * when the integer has more significant bits than the format holds. */
static inline uint64_t from_int(int n, uint64_t v, bool is_unsigned, int m, uint32_t *exc)
{
    if (m == 32)
        v = is_unsigned ? (uint32_t)v : (uint64_t)(int64_t)(int32_t)v;
    bool neg = !is_unsigned && (int64_t)v < 0;
    uint64_t mag = neg ? -v : v;
    if (mag && 64 - __builtin_clzll(mag) - __builtin_ctzll(mag) > (n == 64 ? 53 : 24))
        *exc |= FPEXC_IXC;
    if (n == 64)
        return of_d(is_unsigned ? (double)v : (double)(int64_t)v);
    return of_f(is_unsigned ? (float)v : (float)(int64_t)v);
}

static uint64_t s_fromint(CPUState *cpu, uint64_t a, uint64_t b, uint64_t c, uint64_t imm)
{
    uint32_t insn = (uint32_t)imm, exc = 0;
    if (LIKELY(rn(cpu))) {
        uint64_t r = from_int(bit(insn, 22) ? 64 : 32, a, bits(insn, 18, 16) == 3, bit(insn, 31) ? 64 : 32, &exc);
        cpu->fpsr |= exc;
        return r;
    }
    return soft_scalar(cpu, a, b, c, imm);
}

/* FCMP, FCMPE, FCCMP, FCCMPE: no flags without NaNs and denormals. */
#define SCALARCMP(name, n)                                                                        \
    static uint64_t name(CPUState *cpu, uint64_t a, uint64_t b, uint64_t cond, uint64_t imm)      \
    {                                                                                             \
        uint32_t insn = (uint32_t)imm;                                                            \
        if (bits(insn, 11, 10) == 1 && !cond)                                                     \
            return (uint64_t)(insn & 0xf) << 28;                                                  \
        if (LIKELY(nzi(n, a) && nzi(n, b))) {                                                     \
            bool eq = n == 64 ? to_d(a) == to_d(b) : to_f(a) == to_f(b);                          \
            bool lt = n == 64 ? to_d(a) < to_d(b) : to_f(a) < to_f(b);                            \
            return (uint64_t)(eq ? 6 : lt ? 8 : 2) << 28;                                         \
        }                                                                                         \
        return soft_cmp(cpu, a, b, cond, imm);                                               \
    }
SCALARCMP(s_cmp64, 64) SCALARCMP(s_cmp32, 32)

/* ---------------- Advanced SIMD (helper_simd_fp) ---------------- */

static inline uint64_t lane(const uint64_t *v, int n, int i)
{
    return n == 64 ? v[i] : (uint32_t)(v[i / 2] >> (32 * (i & 1)));
}
static inline void set_lane(uint64_t *v, int n, int i, uint64_t x)
{
    if (n == 64)
        v[i] = x;
    else
        v[i / 2] |= x << (32 * (i & 1)); /* v starts zeroed */
}

/* Owner vCPU: every lane passed, so write the vector result (the high half
 * zeroed for 64-bit vectors) and the exceptions it raised. */
static uint64_t vec_commit(CPUState *cpu, int rd, const uint64_t res[2], int bytes, uint32_t exc)
{
    cpu->v[rd][0] = res[0];
    cpu->v[rd][1] = bytes == 16 ? res[1] : 0;
    cpu->fpsr |= exc;
    return 0;
}

/* Three same (vector and scalar, not pairwise) and by element: Vd = op(Vn,
 * Vm[lane or index]) for add/sub/mul/div/fmla/fmls/min/max. The result is
 * built aside and written only if every lane succeeded. */
static inline __attribute__((always_inline)) uint64_t vec_op(CPUState *cpu, uint64_t imm, int n, enum HOp op, bool neg, bool by_elem)
{
    uint32_t insn = (uint32_t)imm, exc = 0;
    int bytes = bit(insn, 28) ? n / 8 : bit(insn, 30) ? 16 : 8, elems = bytes * 8 / n;
    int rd = (int)bits(insn, 4, 0), rn_ = (int)bits(insn, 9, 5), rm = (int)bits(insn, 20, 16);
    bool mm = op == H_MAX || op == H_MIN;
    if (!mm && !arith_ok(cpu))
        goto soft;
    uint64_t y = 0;
    if (by_elem) {
        int index = n == 64 ? (int)bit(insn, 11) : (int)(bit(insn, 11) << 1 | bit(insn, 21));
        y = lane(cpu->v[rm], n, index);
    }
    uint64_t res[2] = {0, 0};
    for (int i = 0; i < elems; i++) {
        uint64_t x = lane(cpu->v[rn_], n, i), yy = by_elem ? y : lane(cpu->v[rm], n, i), r;
        if (neg)
            x ^= f_sign(n);
        bool ok = mm ? minmax(n, op == H_MAX, x, yy, &r)
                     : arith(n, op, x, yy, op == H_FMA ? lane(cpu->v[rd], n, i) : 0, rmode(cpu), &r, &exc);
        if (!ok)
            goto soft;
        set_lane(res, n, i, r);
    }
    return vec_commit(cpu, rd, res, bytes, exc);
soft:
    return soft_simd(cpu, imm);
}

#define VEC(name, n, op, neg, by_elem)                                                            \
    static uint64_t name(CPUState *cpu, uint64_t a, uint64_t b, uint64_t c, uint64_t imm)         \
    {                                                                                             \
        (void)a, (void)b, (void)c;                                                                \
        return vec_op(cpu, imm, n, op, neg, by_elem);                                             \
    }
VEC(v_add64, 64, H_ADD, false, false) VEC(v_add32, 32, H_ADD, false, false)
VEC(v_sub64, 64, H_SUB, false, false) VEC(v_sub32, 32, H_SUB, false, false)
VEC(v_mul64, 64, H_MUL, false, false) VEC(v_mul32, 32, H_MUL, false, false)
VEC(v_div64, 64, H_DIV, false, false) VEC(v_div32, 32, H_DIV, false, false)
VEC(v_fmla64, 64, H_FMA, false, false) VEC(v_fmla32, 32, H_FMA, false, false)
VEC(v_fmls64, 64, H_FMA, true, false) VEC(v_fmls32, 32, H_FMA, true, false)
VEC(v_max64, 64, H_MAX, false, false) VEC(v_max32, 32, H_MAX, false, false)
VEC(v_min64, 64, H_MIN, false, false) VEC(v_min32, 32, H_MIN, false, false)
VEC(e_mul64, 64, H_MUL, false, true) VEC(e_mul32, 32, H_MUL, false, true)
VEC(e_fmla64, 64, H_FMA, false, true) VEC(e_fmla32, 32, H_FMA, false, true)
VEC(e_fmls64, 64, H_FMA, true, true) VEC(e_fmls32, 32, H_FMA, true, true)

/* Two-register misc: FSQRT, FCVT{N,P,M,Z,A}{S,U}, SCVTF, UCVTF, FABS, FNEG
 * (vector and scalar), lane by lane as above. */
static inline __attribute__((always_inline)) uint64_t vec_misc(CPUState *cpu, uint64_t imm, int n)
{
    uint32_t insn = (uint32_t)imm, exc = 0;
    int bytes = bit(insn, 28) ? n / 8 : bit(insn, 30) ? 16 : 8, elems = bytes * 8 / n;
    int rd = (int)bits(insn, 4, 0), rn_ = (int)bits(insn, 9, 5);
    unsigned u = bit(insn, 29), a = bit(insn, 23), op = bits(insn, 16, 12);
    int rm = -1;
    if (op == 0x18 || op == 0x19) /* FRINT* */
        rm = (int)fp_frint_rounding(fp_frint_simd_op(u, a, op), (enum FPRounding)rmode(cpu));
    else if (op == 0x1a || op == 0x1b)
        rm = a ? (op == 0x1a ? FPR_POSINF : FPR_ZERO) : (op == 0x1a ? FPR_TIEEVEN : FPR_NEGINF);
    else if (op == 0x1c)
        rm = FPR_TIEAWAY;
    if ((op == 0x1f && !arith_ok(cpu)) || (op == 0x1d && !rn(cpu)))
        goto soft;
    uint64_t res[2] = {0, 0};
    for (int i = 0; i < elems; i++) {
        uint64_t x = lane(cpu->v[rn_], n, i), r = 0;
        bool ok = true;
        switch (op) {
        case 0x1f: ok = arith(n, H_SQRT, x, 0, 0, rmode(cpu), &r, &exc); break;
        case 0x1d: r = from_int(n, x, u, n, &exc); break;
        case 0x0f: r = u ? x ^ f_sign(n) : x & f_mag(n); break;
        case 0x18: case 0x19: ok = round_int(n, x, (enum FPRounding)rm, fp_frint_simd_op(u, a, op) == 14, &r, &exc); break;
        default: ok = to_int(n, x, u, n, rm, &r, &exc); break;
        }
        if (!ok)
            goto soft;
        set_lane(res, n, i, r);
    }
    return vec_commit(cpu, rd, res, bytes, exc);
soft:
    return soft_simd(cpu, imm);
}

static uint64_t v_misc64(CPUState *cpu, uint64_t a, uint64_t b, uint64_t c, uint64_t imm)
{
    (void)a, (void)b, (void)c;
    return vec_misc(cpu, imm, 64);
}
static uint64_t v_misc32(CPUState *cpu, uint64_t a, uint64_t b, uint64_t c, uint64_t imm)
{
    (void)a, (void)b, (void)c;
    return vec_misc(cpu, imm, 32);
}

/* ---------------- selection ---------------- */

void fp_hard_allow_fma(bool on) { host_allow(HOST_FMA3, on); }

bool fp_hard_fma3(void) { return host_has(HOST_FMA3); }

#define PICK(f, n) ((n) == 64 ? f##64 : f##32)

static HelperFn scalar(enum FpKind k, uint32_t insn)
{
    int type = (int)bits(insn, 23, 22), n = type == 0 ? 32 : 64;
    if (type > 1)
        return NULL; /* half precision: FCVT only */
    switch (k) {
    case FPK_DP1: {
        int op = (int)bits(insn, 20, 15);
        if (op == 3)
            return PICK(s_sqrt, n);
        if (op == 4 && type == 1)
            return s_cvt_d2s;
        if (op == 5 && type == 0)
            return s_cvt_s2d;
        if (op >= 8 && op <= 15 && op != 13 && host_has(HOST_SSE41))
            return PICK(s_frint, n);
        return NULL;
    }
    case FPK_DP2: {
        static const HelperFn t64[9] = {s_mul64, s_div64, s_add64, s_sub64, s_max64, s_min64, s_max64, s_min64, s_nmul64};
        static const HelperFn t32[9] = {s_mul32, s_div32, s_add32, s_sub32, s_max32, s_min32, s_max32, s_min32, s_nmul32};
        unsigned op = bits(insn, 15, 12);
        return op < 9 ? (n == 64 ? t64 : t32)[op] : NULL;
    }
    case FPK_DP3: return fp_hard_fma3() ? PICK(s_fma, n) : NULL;
    case FPK_TOINT: return bits(insn, 18, 16) <= 5 ? s_toint : NULL;
    case FPK_FROMINT: return s_fromint;
    default: return NULL;
    }
}

static HelperFn simd(enum FpKind k, uint32_t insn)
{
    int n = bit(insn, 22) ? 64 : 32;
    unsigned u = bit(insn, 29), a = bit(insn, 23);
    switch (k) {
    case FPK_V3SAME:
        switch (u << 6 | a << 5 | bits(insn, 15, 11)) {
        case 0x1a: return PICK(v_add, n);                    /* FADD */
        case 0x3a: return PICK(v_sub, n);                    /* FSUB */
        case 0x5b: return PICK(v_mul, n);                    /* FMUL */
        case 0x5f: return PICK(v_div, n);                    /* FDIV */
        case 0x19: return fp_hard_fma3() ? PICK(v_fmla, n) : NULL;   /* FMLA */
        case 0x39: return fp_hard_fma3() ? PICK(v_fmls, n) : NULL;   /* FMLS */
        case 0x1e: case 0x18: return PICK(v_max, n);         /* FMAX, FMAXNM */
        case 0x3e: case 0x38: return PICK(v_min, n);         /* FMIN, FMINNM */
        default: return NULL;
        }
    case FPK_VELEM:
        if (u)
            return NULL; /* FMULX */
        switch (bits(insn, 15, 12)) {
        case 9: return PICK(e_mul, n);
        case 1: return fp_hard_fma3() ? PICK(e_fmla, n) : NULL;
        case 5: return fp_hard_fma3() ? PICK(e_fmls, n) : NULL;
        default: return NULL;
        }
    case FPK_V2MISC: {
        unsigned op = bits(insn, 16, 12);
        bool ok = (op == 0x1f && u) || (op == 0x1d && !a) || op == 0x1a || op == 0x1b || (op == 0x1c && !a) ||
                  (op == 0x0f && !bit(insn, 28)) ||
                  ((op == 0x19 || (op == 0x18 && !(u && a))) && !bit(insn, 28) && host_has(HOST_SSE41)); /* FRINT* */
        return ok ? PICK(v_misc, n) : NULL;
    }
    default:
        return NULL;
    }
}

HelperFn fp_hard_helper(uint32_t helper, uint64_t imm)
{
    uint32_t insn = (uint32_t)imm;
    enum FpKind k = (enum FpKind)(imm >> 32);
    switch (helper) {
    case HELPER_fp_scalar: return scalar(k, insn);
    case HELPER_fp_cmp: return bits(insn, 23, 22) > 1 ? NULL : bits(insn, 23, 22) ? s_cmp64 : s_cmp32;
    case HELPER_simd_fp: return simd(k, insn);
    default: return NULL;
    }
}
