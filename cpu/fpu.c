/* Soft-float core following the Arm ARM pseudocode (see fpu.h). Every
 * operation unpacks its operands (FPUnpack: FZ flushing of single/double
 * denormal inputs with IDC, AHP for half), resolves NaNs and special values
 * in the pseudocode's order, computes the exact result as an integer
 * significand and binary exponent (with a sticky bit "jammed" into bit 0
 * when the exact value has more bits than kept), and rounds once (FPRound:
 * tininess before rounding, FZ output flushing with UFC only, overflow per
 * rounding mode). No host floating point is used, so the host's rounding
 * mode, flags and tininess rule never leak into results. */
#include "fpu.h"

typedef unsigned __int128 u128;

enum FPType { T_ZERO, T_NORMAL, T_INF, T_QNAN, T_SNAN };

/* An unpacked operand: for T_NORMAL (normals and unflushed denormals) the
 * value is (-1)^sign * mant * 2^exp. */
typedef struct FPVal {
    int type;
    int sign;
    int exp;
    uint64_t mant;
} FPVal;

static inline int fmt_e(int n) { return n == 16 ? 5 : n == 32 ? 8 : 11; }
static inline int fmt_f(int n) { return n - 1 - fmt_e(n); }
static inline int fmt_bias(int n) { return (1 << (fmt_e(n) - 1)) - 1; }
static inline uint64_t mask64(int bits) { return bits >= 64 ? ~0ull : (1ull << bits) - 1; }
static inline uint64_t sign_bit(int n) { return 1ull << (n - 1); }

static inline uint64_t fp_zero(int n, int sign) { return sign ? sign_bit(n) : 0; }
static inline uint64_t fp_inf(int n, int sign) { return fp_zero(n, sign) | (mask64(fmt_e(n)) << fmt_f(n)); }
static inline uint64_t fp_maxnormal(int n, int sign)
{
    return fp_zero(n, sign) | ((mask64(fmt_e(n)) - 1) << fmt_f(n)) | mask64(fmt_f(n));
}
static inline uint64_t fp_default_nan(int n) { return fp_inf(n, 0) | 1ull << (fmt_f(n) - 1); }
/* 2^k * (1 + frac/2^F) with k given unbiased (for FPTwo, FPOnePointFive). */
static inline uint64_t fp_const(int n, int sign, int k, uint64_t frac)
{
    return fp_zero(n, sign) | (uint64_t)(k + fmt_bias(n)) << fmt_f(n) | frac;
}

static inline bool ahp(int n, const FPCtx *c) { return n == 16 && (c->fpcr & FPCR_AHP); }
static inline bool fz(int n, const FPCtx *c) { return n != 16 && (c->fpcr & FPCR_FZ); }

/* FPUnpack. Half precision is never flushed (FZ16 is not implemented). */
static FPVal unpack(int n, uint64_t x, FPCtx *c)
{
    int E = fmt_e(n), F = fmt_f(n);
    FPVal v;
    v.sign = (int)(x >> (n - 1)) & 1;
    uint64_t e = (x >> F) & mask64(E), frac = x & mask64(F);
    v.exp = 0;
    v.mant = 0;
    if (e == 0) {
        if (frac == 0) {
            v.type = T_ZERO;
        } else if (fz(n, c)) {
            v.type = T_ZERO;
            c->exc |= FPEXC_IDC;
        } else {
            v.type = T_NORMAL;
            v.mant = frac;
            v.exp = 1 - fmt_bias(n) - F;
        }
    } else if (e == mask64(E) && !ahp(n, c)) {
        if (frac == 0)
            v.type = T_INF;
        else
            v.type = (frac >> (F - 1)) & 1 ? T_QNAN : T_SNAN;
    } else {
        v.type = T_NORMAL;
        v.mant = frac | 1ull << F;
        v.exp = (int)e - fmt_bias(n) - F;
    }
    return v;
}

static inline bool is_nan(const FPVal *v) { return v->type == T_QNAN || v->type == T_SNAN; }

/* FPProcessNaN */
static uint64_t process_nan(int n, int type, uint64_t x, FPCtx *c)
{
    if (type == T_SNAN) {
        x |= 1ull << (fmt_f(n) - 1);
        c->exc |= FPEXC_IOC;
    }
    if (c->fpcr & FPCR_DN)
        return fp_default_nan(n);
    return x & mask64(n);
}

/* FPProcessNaNs: signalling NaNs first, then operand order. */
static bool process_nans(int n, const FPVal *a, uint64_t xa, const FPVal *b, uint64_t xb, uint64_t *res, FPCtx *c)
{
    if (a->type == T_SNAN)
        *res = process_nan(n, a->type, xa, c);
    else if (b->type == T_SNAN)
        *res = process_nan(n, b->type, xb, c);
    else if (a->type == T_QNAN)
        *res = process_nan(n, a->type, xa, c);
    else if (b->type == T_QNAN)
        *res = process_nan(n, b->type, xb, c);
    else
        return false;
    return true;
}

static bool process_nans3(int n, const FPVal *a, uint64_t xa, const FPVal *b, uint64_t xb, const FPVal *d,
                          uint64_t xd, uint64_t *res, FPCtx *c)
{
    if (a->type == T_SNAN)
        *res = process_nan(n, a->type, xa, c);
    else if (b->type == T_SNAN)
        *res = process_nan(n, b->type, xb, c);
    else if (d->type == T_SNAN)
        *res = process_nan(n, d->type, xd, c);
    else if (a->type == T_QNAN)
        *res = process_nan(n, a->type, xa, c);
    else if (b->type == T_QNAN)
        *res = process_nan(n, b->type, xb, c);
    else if (d->type == T_QNAN)
        *res = process_nan(n, d->type, xd, c);
    else
        return false;
    return true;
}

static inline int clz128(u128 x)
{
    uint64_t hi = (uint64_t)(x >> 64);
    return hi ? __builtin_clzll(hi) : 64 + __builtin_clzll((uint64_t)x);
}

/* Shift right keeping a sticky bit in bit 0. */
static inline u128 shr_jam128(u128 x, int s)
{
    if (s <= 0)
        return x;
    if (s >= 128)
        return x != 0;
    return (x >> s) | ((x & (((u128)1 << s) - 1)) != 0);
}
static inline uint64_t shr_jam64(uint64_t x, int s)
{
    if (s <= 0)
        return x;
    if (s >= 64)
        return x != 0;
    return (x >> s) | ((x & ((1ull << s) - 1)) != 0);
}

/* FPRound: round (-1)^sign * mant * 2^exp (mant != 0; bit 0 may be a sticky
 * bit standing for nonzero lower bits) to format n. */
static uint64_t fp_round(int n, int sign, int exp, uint64_t mant, enum FPRounding r, FPCtx *c)
{
    int E = fmt_e(n), F = fmt_f(n);
    int lz = __builtin_clzll(mant);
    uint64_t m = mant << lz;
    int exponent = exp + 63 - lz; /* value = 1.m * 2^exponent */
    int minimum_exp = 2 - (1 << (E - 1));
    if (fz(n, c) && exponent < minimum_exp) {
        /* flushed output: UFC only (not Inexact) */
        c->exc |= FPEXC_UFC;
        return fp_zero(n, sign);
    }
    int biased_exp = exponent - minimum_exp + 1;
    if (biased_exp <= 0) {
        m = shr_jam64(m, 1 - biased_exp);
        biased_exp = 0;
    }
    uint64_t int_mant = m >> (63 - F);
    uint64_t rem = m & mask64(63 - F);
    uint64_t half = 1ull << (62 - F);
    bool error = rem != 0;
    /* tininess is detected before rounding */
    if (biased_exp == 0 && error)
        c->exc |= FPEXC_UFC;
    bool round_up, overflow_to_inf;
    switch (r) {
    case FPR_TIEEVEN:
        round_up = rem > half || (rem == half && (int_mant & 1));
        overflow_to_inf = true;
        break;
    case FPR_TIEAWAY:
        round_up = rem >= half;
        overflow_to_inf = true;
        break;
    case FPR_POSINF:
        round_up = error && !sign;
        overflow_to_inf = !sign;
        break;
    case FPR_NEGINF:
        round_up = error && sign;
        overflow_to_inf = sign;
        break;
    default: /* ZERO, ODD */
        round_up = false;
        overflow_to_inf = false;
        break;
    }
    if (round_up) {
        int_mant++;
        if (biased_exp == 0 && int_mant == 1ull << F)
            biased_exp = 1; /* denormal rounded up to the smallest normal */
        if (int_mant == 2ull << F) {
            biased_exp++;
            int_mant >>= 1;
        }
    }
    if (r == FPR_ODD && error)
        int_mant |= 1;
    uint64_t result;
    if (!ahp(n, c)) {
        if (biased_exp >= (1 << E) - 1) {
            result = overflow_to_inf ? fp_inf(n, sign) : fp_maxnormal(n, sign);
            c->exc |= FPEXC_OFC;
            error = true;
        } else {
            result = fp_zero(n, sign) | (uint64_t)biased_exp << F | (int_mant & mask64(F));
        }
    } else {
        if (biased_exp >= (1 << E)) {
            result = fp_zero(n, sign) | mask64(n - 1);
            c->exc |= FPEXC_IOC;
            error = false;
        } else {
            result = fp_zero(n, sign) | (uint64_t)biased_exp << F | (int_mant & mask64(F));
        }
    }
    if (error)
        c->exc |= FPEXC_IXC;
    return result;
}

static uint64_t fp_round128(int n, int sign, int exp, u128 m, enum FPRounding r, FPCtx *c)
{
    int len = 128 - clz128(m);
    if (len > 64) {
        m = shr_jam128(m, len - 64);
        exp += len - 64;
    }
    return fp_round(n, sign, exp, (uint64_t)m, r, c);
}

/* Exact sum of two signed values m * 2^e (mantissas of at most 120 bits). */
typedef struct Exact {
    int sign;
    int exp;
    u128 m;
} Exact;

static Exact exact_add(Exact a, Exact b)
{
    if (b.m == 0)
        return a;
    if (a.m == 0)
        return b;
    /* normalize both to bit 125: two bits of headroom for the carry */
    int sa = clz128(a.m) - 2, sb = clz128(b.m) - 2;
    a.m <<= sa;
    a.exp -= sa;
    b.m <<= sb;
    b.exp -= sb;
    if (a.exp < b.exp) {
        Exact t = a;
        a = b;
        b = t;
    }
    /* the bits shifted out sit far below a's last significant bit, so a
     * sticky bit keeps the rounding exact */
    b.m = shr_jam128(b.m, a.exp - b.exp);
    Exact r = {a.sign, a.exp, 0};
    if (a.sign == b.sign) {
        r.m = a.m + b.m;
    } else if (a.m >= b.m) {
        r.m = a.m - b.m;
    } else {
        r.m = b.m - a.m;
        r.sign = b.sign;
    }
    return r;
}

static uint64_t add_core(int n, uint64_t xa, uint64_t xb, bool sub, FPCtx *c)
{
    FPVal a = unpack(n, xa, c), b = unpack(n, xb, c);
    uint64_t res;
    if (process_nans(n, &a, xa, &b, xb, &res, c))
        return res;
    if (sub)
        b.sign ^= 1;
    enum FPRounding r = fp_rmode(c);
    if (a.type == T_INF && b.type == T_INF && a.sign != b.sign) {
        c->exc |= FPEXC_IOC;
        return fp_default_nan(n);
    }
    if ((a.type == T_INF && !a.sign) || (b.type == T_INF && !b.sign))
        return fp_inf(n, 0);
    if ((a.type == T_INF && a.sign) || (b.type == T_INF && b.sign))
        return fp_inf(n, 1);
    if (a.type == T_ZERO && b.type == T_ZERO && a.sign == b.sign)
        return fp_zero(n, a.sign);
    Exact s = exact_add((Exact){a.sign, a.exp, a.mant}, (Exact){b.sign, b.exp, b.mant});
    if (s.m == 0)
        return fp_zero(n, r == FPR_NEGINF);
    return fp_round128(n, s.sign, s.exp, s.m, r, c);
}

uint64_t fp_add(int n, uint64_t a, uint64_t b, FPCtx *c) { return add_core(n, a, b, false, c); }
uint64_t fp_sub(int n, uint64_t a, uint64_t b, FPCtx *c) { return add_core(n, a, b, true, c); }

uint64_t fp_abd(int n, uint64_t a, uint64_t b, FPCtx *c) { return fp_abs(n, add_core(n, a, b, true, c)); }

static uint64_t mul_core(int n, uint64_t xa, uint64_t xb, bool mulx, FPCtx *c)
{
    FPVal a = unpack(n, xa, c), b = unpack(n, xb, c);
    uint64_t res;
    if (process_nans(n, &a, xa, &b, xb, &res, c))
        return res;
    int sign = a.sign ^ b.sign;
    if ((a.type == T_INF && b.type == T_ZERO) || (a.type == T_ZERO && b.type == T_INF)) {
        if (mulx)
            return fp_const(n, sign, 1, 0); /* FPTwo */
        c->exc |= FPEXC_IOC;
        return fp_default_nan(n);
    }
    if (a.type == T_INF || b.type == T_INF)
        return fp_inf(n, sign);
    if (a.type == T_ZERO || b.type == T_ZERO)
        return fp_zero(n, sign);
    return fp_round128(n, sign, a.exp + b.exp, (u128)a.mant * b.mant, fp_rmode(c), c);
}

uint64_t fp_mul(int n, uint64_t a, uint64_t b, FPCtx *c) { return mul_core(n, a, b, false, c); }
uint64_t fp_mulx(int n, uint64_t a, uint64_t b, FPCtx *c) { return mul_core(n, a, b, true, c); }

uint64_t fp_div(int n, uint64_t xa, uint64_t xb, FPCtx *c)
{
    FPVal a = unpack(n, xa, c), b = unpack(n, xb, c);
    uint64_t res;
    if (process_nans(n, &a, xa, &b, xb, &res, c))
        return res;
    int sign = a.sign ^ b.sign;
    if ((a.type == T_INF && b.type == T_INF) || (a.type == T_ZERO && b.type == T_ZERO)) {
        c->exc |= FPEXC_IOC;
        return fp_default_nan(n);
    }
    if (a.type == T_INF || b.type == T_ZERO) {
        if (a.type != T_INF)
            c->exc |= FPEXC_DZC;
        return fp_inf(n, sign);
    }
    if (a.type == T_ZERO || b.type == T_INF)
        return fp_zero(n, sign);
    int la = __builtin_clzll(a.mant), lb = __builtin_clzll(b.mant);
    uint64_t ma = a.mant << la, mb = b.mant << lb;
    u128 num = (u128)ma << 64;
    u128 q = num / mb;
    u128 rem = num % mb;
    q |= rem != 0;
    return fp_round128(n, sign, (a.exp - la) - (b.exp - lb) - 64, q, fp_rmode(c), c);
}

/* floor(sqrt(x)) and whether it was exact */
static uint64_t isqrt128(u128 x, bool *inexact)
{
    u128 op = x, res = 0, one = (u128)1 << 126;
    while (one > op)
        one >>= 2;
    while (one) {
        if (op >= res + one) {
            op -= res + one;
            res = (res >> 1) + one;
        } else {
            res >>= 1;
        }
        one >>= 2;
    }
    *inexact = op != 0;
    return (uint64_t)res;
}

uint64_t fp_sqrt(int n, uint64_t xa, FPCtx *c)
{
    FPVal a = unpack(n, xa, c);
    if (is_nan(&a))
        return process_nan(n, a.type, xa, c);
    if (a.type == T_ZERO)
        return fp_zero(n, a.sign);
    if (a.type == T_INF && !a.sign)
        return fp_inf(n, 0);
    if (a.sign) {
        c->exc |= FPEXC_IOC;
        return fp_default_nan(n);
    }
    /* scale the significand to ~2^124 with an even exponent */
    int len = 64 - __builtin_clzll(a.mant);
    int s = 124 - len;
    if ((a.exp - s) & 1)
        s++;
    u128 m = (u128)a.mant << s;
    bool inexact;
    uint64_t root = isqrt128(m, &inexact);
    root |= inexact;
    return fp_round(n, 0, (a.exp - s) / 2, root, fp_rmode(c), c);
}

uint64_t fp_muladd(int n, uint64_t xa, uint64_t x1, uint64_t x2, FPCtx *c)
{
    FPVal A = unpack(n, xa, c), a = unpack(n, x1, c), b = unpack(n, x2, c);
    uint64_t res;
    bool inf_times_zero = (a.type == T_INF && b.type == T_ZERO) || (a.type == T_ZERO && b.type == T_INF);
    bool done = process_nans3(n, &A, xa, &a, x1, &b, x2, &res, c);
    if (A.type == T_QNAN && inf_times_zero) {
        /* a quiet-NaN addend does not hide the invalid product */
        c->exc |= FPEXC_IOC;
        return fp_default_nan(n);
    }
    if (done)
        return res;
    bool infP = a.type == T_INF || b.type == T_INF;
    bool zeroP = a.type == T_ZERO || b.type == T_ZERO;
    int signP = a.sign ^ b.sign;
    if (inf_times_zero || (A.type == T_INF && infP && A.sign != signP)) {
        c->exc |= FPEXC_IOC;
        return fp_default_nan(n);
    }
    if ((A.type == T_INF && !A.sign) || (infP && !signP))
        return fp_inf(n, 0);
    if ((A.type == T_INF && A.sign) || (infP && signP))
        return fp_inf(n, 1);
    if (A.type == T_ZERO && zeroP && A.sign == signP)
        return fp_zero(n, A.sign);
    Exact p = {signP, a.exp + b.exp, zeroP ? 0 : (u128)a.mant * b.mant};
    Exact s = exact_add((Exact){A.sign, A.exp, A.mant}, p);
    enum FPRounding r = fp_rmode(c);
    if (s.m == 0)
        return fp_zero(n, r == FPR_NEGINF);
    return fp_round128(n, s.sign, s.exp, s.m, r, c);
}

/* Ordering key of a non-NaN operand (zero of either sign is 0). */
static int64_t val_key(int n, const FPVal *v, uint64_t x)
{
    if (v->type == T_ZERO)
        return 0;
    int64_t mag = (int64_t)(x & mask64(n - 1));
    return v->sign ? -mag : mag;
}

static uint64_t minmax(int n, uint64_t xa, uint64_t xb, bool is_max, FPCtx *c)
{
    FPVal a = unpack(n, xa, c), b = unpack(n, xb, c);
    uint64_t res;
    if (process_nans(n, &a, xa, &b, xb, &res, c))
        return res;
    int64_t ka = val_key(n, &a, xa), kb = val_key(n, &b, xb);
    bool pick_a = is_max ? ka > kb : ka < kb;
    const FPVal *v = pick_a ? &a : &b;
    uint64_t x = pick_a ? xa : xb;
    if (v->type == T_ZERO) {
        /* both zero (equal keys): max(+0,-0) = +0, min = -0 */
        int sign = is_max ? (a.sign & b.sign) : (a.sign | b.sign);
        if (a.type != T_ZERO || b.type != T_ZERO)
            sign = v->sign;
        return fp_zero(n, sign);
    }
    /* a normal or unflushed denormal operand rounds to itself exactly */
    return x & mask64(n);
}

uint64_t fp_max(int n, uint64_t a, uint64_t b, FPCtx *c) { return minmax(n, a, b, true, c); }
uint64_t fp_min(int n, uint64_t a, uint64_t b, FPCtx *c) { return minmax(n, a, b, false, c); }

/* FPMaxNum/FPMinNum: a single quiet NaN loses against a number. */
static uint64_t minmaxnum(int n, uint64_t xa, uint64_t xb, bool is_max, FPCtx *c)
{
    FPVal a = unpack(n, xa, c), b = unpack(n, xb, c);
    if (a.type == T_QNAN && b.type != T_QNAN)
        xa = fp_inf(n, is_max);
    else if (a.type != T_QNAN && b.type == T_QNAN)
        xb = fp_inf(n, is_max);
    return minmax(n, xa, xb, is_max, c);
}

uint64_t fp_maxnum(int n, uint64_t a, uint64_t b, FPCtx *c) { return minmaxnum(n, a, b, true, c); }
uint64_t fp_minnum(int n, uint64_t a, uint64_t b, FPCtx *c) { return minmaxnum(n, a, b, false, c); }

uint32_t fp_compare(int n, uint64_t xa, uint64_t xb, bool signal_nans, FPCtx *c)
{
    FPVal a = unpack(n, xa, c), b = unpack(n, xb, c);
    if (is_nan(&a) || is_nan(&b)) {
        if (a.type == T_SNAN || b.type == T_SNAN || signal_nans)
            c->exc |= FPEXC_IOC;
        return 0x3;
    }
    int64_t ka = val_key(n, &a, xa), kb = val_key(n, &b, xb);
    if (ka == kb)
        return 0x6;
    return ka < kb ? 0x8 : 0x2;
}

bool fp_compare_eq(int n, uint64_t xa, uint64_t xb, FPCtx *c)
{
    FPVal a = unpack(n, xa, c), b = unpack(n, xb, c);
    if (is_nan(&a) || is_nan(&b)) {
        if (a.type == T_SNAN || b.type == T_SNAN)
            c->exc |= FPEXC_IOC;
        return false;
    }
    return val_key(n, &a, xa) == val_key(n, &b, xb);
}

static int cmp_signal(int n, uint64_t xa, uint64_t xb, FPCtx *c)
{
    FPVal a = unpack(n, xa, c), b = unpack(n, xb, c);
    if (is_nan(&a) || is_nan(&b)) {
        c->exc |= FPEXC_IOC;
        return 2; /* unordered */
    }
    int64_t ka = val_key(n, &a, xa), kb = val_key(n, &b, xb);
    return ka == kb ? 0 : ka < kb ? -1 : 1;
}

bool fp_compare_ge(int n, uint64_t a, uint64_t b, FPCtx *c)
{
    int r = cmp_signal(n, a, b, c);
    return r == 0 || r == 1;
}

bool fp_compare_gt(int n, uint64_t a, uint64_t b, FPCtx *c) { return cmp_signal(n, a, b, c) == 1; }

/* Split |v| * 2^shift into integer part and rounding decision (the
 * pseudocode's RoundDown/error/round_up logic, in sign-magnitude form).
 * Returns the rounded magnitude; *overflow if it does not fit in 64 bits,
 * *inexact if there was a fraction. */
static uint64_t round_mag(const FPVal *v, int shift, enum FPRounding r, bool *inexact, bool *overflow)
{
    int e = v->exp + shift;
    *inexact = false;
    *overflow = false;
    if (v->type == T_ZERO)
        return 0;
    if (e >= 0) {
        int len = 64 - __builtin_clzll(v->mant);
        if (len + e > 64) {
            *overflow = true;
            return ~0ull;
        }
        return v->mant << e;
    }
    uint64_t ip, frac, half;
    bool frac_nonzero;
    int shr = -e;
    if (shr >= 64) {
        ip = 0;
        /* fraction < 2^-1 unless exactly at shr == 64 with bit 63 set */
        frac_nonzero = true;
        bool above_half = false, is_half = false;
        if (shr == 64) {
            is_half = v->mant == 1ull << 63;
            above_half = v->mant > 1ull << 63;
        }
        bool up;
        switch (r) {
        case FPR_TIEEVEN: up = above_half; break;
        case FPR_TIEAWAY: up = above_half || is_half; break;
        case FPR_POSINF: up = !v->sign; break;
        case FPR_NEGINF: up = v->sign; break;
        default: up = false; break;
        }
        *inexact = frac_nonzero;
        return up;
    }
    ip = v->mant >> shr;
    frac = v->mant & mask64(shr);
    half = 1ull << (shr - 1);
    frac_nonzero = frac != 0;
    bool up;
    switch (r) {
    case FPR_TIEEVEN: up = frac > half || (frac == half && (ip & 1)); break;
    case FPR_TIEAWAY: up = frac >= half; break;
    case FPR_POSINF: up = frac_nonzero && !v->sign; break;
    case FPR_NEGINF: up = frac_nonzero && v->sign; break;
    default: up = false; break;
    }
    *inexact = frac_nonzero;
    return ip + up;
}

uint64_t fp_round_int(int n, uint64_t xa, enum FPRounding r, bool exact, FPCtx *c)
{
    FPVal a = unpack(n, xa, c);
    if (is_nan(&a))
        return process_nan(n, a.type, xa, c);
    if (a.type == T_INF)
        return fp_inf(n, a.sign);
    if (a.type == T_ZERO)
        return fp_zero(n, a.sign);
    if (a.exp >= 0)
        return xa & mask64(n); /* already integral */
    bool inexact, ovf;
    uint64_t mag = round_mag(&a, 0, r, &inexact, &ovf);
    uint64_t res;
    if (mag == 0) {
        res = fp_zero(n, a.sign);
    } else {
        FPCtx tmp = *c; /* exact: raises nothing */
        res = fp_round(n, a.sign, 0, mag, FPR_ZERO, &tmp);
    }
    if (inexact && exact)
        c->exc |= FPEXC_IXC;
    return res;
}

uint64_t fp_to_fixed(int n, uint64_t xa, int fbits, bool is_unsigned, int m, enum FPRounding r, FPCtx *c)
{
    FPVal a = unpack(n, xa, c);
    if (is_nan(&a)) {
        c->exc |= FPEXC_IOC;
        return 0;
    }
    bool inexact, ovf;
    uint64_t mag;
    if (a.type == T_INF) {
        mag = ~0ull;
        ovf = true;
        inexact = false;
    } else {
        mag = round_mag(&a, fbits, r, &inexact, &ovf);
    }
    uint64_t res;
    if (is_unsigned) {
        uint64_t max = mask64(m);
        if (a.sign && mag != 0) {
            res = 0;
            ovf = true;
        } else if (ovf || mag > max) {
            res = max;
            ovf = true;
        } else {
            res = mag;
        }
    } else {
        uint64_t maxpos = mask64(m - 1); /* 2^(m-1) - 1 */
        if (a.sign) {
            if (ovf || mag > maxpos + 1) {
                res = maxpos + 1;
                ovf = true;
            } else {
                res = -mag;
            }
        } else if (ovf || mag > maxpos) {
            res = maxpos;
            ovf = true;
        } else {
            res = mag;
        }
        res &= mask64(m);
    }
    if (ovf)
        c->exc |= FPEXC_IOC;
    else if (inexact)
        c->exc |= FPEXC_IXC;
    return res;
}

uint64_t fp_from_fixed(int n, uint64_t v, int fbits, bool is_unsigned, int m, enum FPRounding r, FPCtx *c)
{
    v &= mask64(m);
    int sign = 0;
    if (!is_unsigned && (v >> (m - 1)) & 1) {
        sign = 1;
        v = (-v) & mask64(m);
    }
    if (v == 0)
        return fp_zero(n, 0);
    return fp_round(n, sign, -fbits, v, r, c);
}

uint64_t fp_convert(int to_n, int from_n, uint64_t xa, enum FPRounding r, FPCtx *c)
{
    FPVal a = unpack(from_n, xa, c);
    bool alt_hp = ahp(to_n, c);
    if (is_nan(&a)) {
        uint64_t res;
        if (alt_hp) {
            res = fp_zero(to_n, a.sign);
        } else if (c->fpcr & FPCR_DN) {
            res = fp_default_nan(to_n);
        } else {
            /* FPConvertNaN: keep sign and the payload's top bits, set quiet */
            int ff = fmt_f(from_n), ft = fmt_f(to_n);
            uint64_t payload = xa & mask64(ff - 1);
            payload = ft > ff ? payload << (ft - ff) : payload >> (ff - ft);
            res = fp_inf(to_n, a.sign) | 1ull << (ft - 1) | payload;
        }
        if (a.type == T_SNAN || alt_hp)
            c->exc |= FPEXC_IOC;
        return res;
    }
    if (a.type == T_INF) {
        if (alt_hp) {
            c->exc |= FPEXC_IOC;
            return fp_zero(to_n, a.sign) | mask64(to_n - 1);
        }
        return fp_inf(to_n, a.sign);
    }
    if (a.type == T_ZERO)
        return fp_zero(to_n, a.sign);
    return fp_round(to_n, a.sign, a.exp, a.mant, r, c);
}

/* FPRecipStepFused / FPRSqrtStepFused */
static uint64_t step_core(int n, uint64_t x1, uint64_t x2, bool rsqrt, FPCtx *c)
{
    x1 = fp_neg(n, x1);
    FPVal a = unpack(n, x1, c), b = unpack(n, x2, c);
    uint64_t res;
    if (process_nans(n, &a, x1, &b, x2, &res, c))
        return res;
    if ((a.type == T_INF && b.type == T_ZERO) || (a.type == T_ZERO && b.type == T_INF))
        return rsqrt ? fp_const(n, 0, 0, 1ull << (fmt_f(n) - 1)) : fp_const(n, 0, 1, 0);
    if (a.type == T_INF || b.type == T_INF)
        return fp_inf(n, a.sign ^ b.sign);
    /* 2 + a*b, or (3 + a*b) / 2, exactly, then one rounding */
    Exact p = {a.sign ^ b.sign, a.exp + b.exp,
               (a.type == T_ZERO || b.type == T_ZERO) ? 0 : (u128)a.mant * b.mant};
    Exact k = {0, 0, rsqrt ? 3 : 2};
    Exact s = exact_add(k, p);
    enum FPRounding r = fp_rmode(c);
    if (s.m == 0)
        return fp_zero(n, r == FPR_NEGINF);
    if (rsqrt)
        s.exp -= 1;
    return fp_round128(n, s.sign, s.exp, s.m, r, c);
}

uint64_t fp_recps(int n, uint64_t a, uint64_t b, FPCtx *c) { return step_core(n, a, b, false, c); }
uint64_t fp_rsqrts(int n, uint64_t a, uint64_t b, FPCtx *c) { return step_core(n, a, b, true, c); }

/* RecipEstimate: a in [256, 512) (units of 1/512), result in [256, 512). */
static int recip_estimate(int a)
{
    a = a * 2 + 1;
    int b = (1 << 19) / a;
    return (b + 1) / 2;
}

/* RecipSqrtEstimate: a in [128, 512), result in [256, 512). */
static int recip_sqrt_estimate(int a)
{
    if (a < 256)
        a = a * 2 + 1;
    else
        a = (((a >> 1) << 1) + 1) * 2; /* drop the bottom bit, units of 1/256 */
    int b = 512;
    while ((int64_t)a * (b + 1) * (b + 1) < (1ll << 28))
        b++;
    return (b + 1) / 2;
}

uint64_t fp_recpe(int n, uint64_t xa, FPCtx *c)
{
    FPVal a = unpack(n, xa, c);
    if (is_nan(&a))
        return process_nan(n, a.type, xa, c);
    if (a.type == T_INF)
        return fp_zero(n, a.sign);
    if (a.type == T_ZERO) {
        c->exc |= FPEXC_DZC;
        return fp_inf(n, a.sign);
    }
    int F = fmt_f(n);
    uint64_t exp = (xa >> F) & mask64(fmt_e(n));
    uint64_t frac = xa & mask64(F);
    /* |value| < 2^-(bias+2): the reciprocal overflows */
    bool tiny = exp == 0 && (frac >> (F - 2)) == 0;
    if (tiny) {
        enum FPRounding r = fp_rmode(c);
        bool to_inf = r == FPR_TIEEVEN || (r == FPR_POSINF && !a.sign) || (r == FPR_NEGINF && a.sign);
        c->exc |= FPEXC_OFC | FPEXC_IXC;
        return to_inf ? fp_inf(n, a.sign) : fp_maxnormal(n, a.sign);
    }
    if (fz(n, c) && exp >= (uint64_t)(2 * fmt_bias(n) - 1)) {
        /* |value| >= 2^(bias-1): the result would be denormal: flushed */
        c->exc |= FPEXC_UFC;
        return fp_zero(n, a.sign);
    }
    /* scale to a 52-bit double fraction as the pseudocode does */
    uint64_t fraction = frac << (52 - F);
    int e = (int)exp;
    if (e == 0) {
        if (((fraction >> 51) & 1) == 0) {
            e = -1;
            fraction = (fraction << 2) & mask64(52);
        } else {
            fraction = (fraction << 1) & mask64(52);
        }
    }
    int scaled = (int)(256 | (fraction >> 44));
    int result_exp = 2 * fmt_bias(n) - 1 - e; /* 253 - exp (single), 2045 - exp (double) */
    int estimate = recip_estimate(scaled);
    fraction = (uint64_t)(estimate & 0xff) << 44;
    if (result_exp == 0) {
        fraction = (1ull << 51) | (fraction >> 1);
    } else if (result_exp == -1) {
        fraction = (1ull << 50) | (fraction >> 2);
        result_exp = 0;
    }
    return fp_zero(n, a.sign) | (uint64_t)result_exp << F | (fraction >> (52 - F));
}

uint64_t fp_rsqrte(int n, uint64_t xa, FPCtx *c)
{
    FPVal a = unpack(n, xa, c);
    if (is_nan(&a))
        return process_nan(n, a.type, xa, c);
    if (a.type == T_ZERO) {
        c->exc |= FPEXC_DZC;
        return fp_inf(n, a.sign);
    }
    if (a.sign) {
        c->exc |= FPEXC_IOC;
        return fp_default_nan(n);
    }
    if (a.type == T_INF)
        return fp_zero(n, 0);
    int F = fmt_f(n);
    uint64_t fraction = (xa & mask64(F)) << (52 - F);
    int e = (int)((xa >> F) & mask64(fmt_e(n)));
    if (e == 0) {
        while (((fraction >> 51) & 1) == 0) {
            fraction = (fraction << 1) & mask64(52);
            e--;
        }
        fraction = (fraction << 1) & mask64(52);
    }
    int scaled;
    if ((e & 1) == 0)
        scaled = (int)(256 | (fraction >> 44));
    else
        scaled = (int)(128 | (fraction >> 45));
    int k = n == 32 ? 380 : 3068; /* 3 * bias - 1 */
    int diff = k - e;
    int result_exp = diff >= 0 ? diff / 2 : -((-diff + 1) / 2);
    int estimate = recip_sqrt_estimate(scaled);
    return (uint64_t)result_exp << F | ((uint64_t)(estimate & 0xff) << (F - 8));
}

uint64_t fp_recpx(int n, uint64_t xa, FPCtx *c)
{
    FPVal a = unpack(n, xa, c);
    if (is_nan(&a))
        return process_nan(n, a.type, xa, c);
    int F = fmt_f(n), E = fmt_e(n);
    uint64_t exp = (xa >> F) & mask64(E);
    if (exp == 0) /* zeros and denormals */
        return fp_zero(n, a.sign) | (mask64(E) - 1) << F;
    return fp_zero(n, a.sign) | ((~exp) & mask64(E)) << F;
}

uint32_t fp_urecpe(uint32_t a)
{
    if (!(a >> 31))
        return 0xffffffffu;
    return (uint32_t)recip_estimate((int)(a >> 23)) << 23;
}

uint32_t fp_ursqrte(uint32_t a)
{
    if ((a >> 30) == 0)
        return 0xffffffffu;
    return (uint32_t)recip_sqrt_estimate((int)(a >> 23)) << 23;
}
