/* Difftest generator (see gen.h, docs/difftest.md).
 *
 * A sequence is a list of units. A unit is the drawn instruction plus the
 * set-up instructions it needs (base/index registers pointing into the
 * slot's scratch area, ADR of an indirect-branch target) or, for an
 * exclusive store, a matching exclusive load + store pair. Branches only go
 * forward and only to unit boundaries, so set-up code is never skipped alone.
 *
 * Drawing: a pattern of flotilla's table (groups DP_IMM, DP_REG, BRANCH,
 * SYSTEM, LDST) is chosen uniformly, its don't-care bits are filled randomly,
 * then the encoding is classified by its bits (Arm ARM C4.1 tables, not by
 * pattern name, so it does not depend on how the table is split) and
 * constrained: no write to x28, no CONSTRAINED UNPREDICTABLE register
 * overlap, every memory access inside the scratch area, no instruction whose
 * result legitimately differs between EL0 under qemu-user and EL1 under
 * flotilla (system registers other than NZCV, SVC/HVC/SMC/HLT, ERET, WFI,
 * SYS), and nothing of a feature the qemu model (cortex-a76) has and
 * flotilla does not advertise (LDAPR, LDLAR/STLLR).
 *
 * FP/SIMD mode (gen_set_fpsimd): patterns of the groups FP, SIMD, SIMD_LDST,
 * CRYPTO (plus 15% integer DP/branch units), SIMD&FP memory operands placed
 * in the scratch area like integer ones, V0-V31 weighted to FP special
 * values per element size, random FPCR (RMode, FZ, DN, AHP) and FPSR.
 * Host program code: single-threaded. */
#include "gen.h"

#include <capstone/capstone.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpu/decode.h"

typedef struct Pat {
    const char *name, *pattern;
    int group;
    uint32_t mask, value;
    int fixed;
    bool usable, excluded;
    uint64_t drawn;
} Pat;

/* DT_ALL_DEF: another table for testing the generator itself. */
#ifndef DT_ALL_DEF
#define DT_ALL_DEF "cpu/a64/all.def"
#endif
static Pat pats[] = {
#define INSN(n, p, g) { #n, p, g, 0, 0, 0, false, false, 0 },
#include DT_ALL_DEF
#undef INSN
};
#define NPATS ((int)(sizeof(pats) / sizeof(pats[0])))

_Static_assert(DT_SCRATCH_SIZE + INIT_OFF + DT_INIT_SIZE <= DT_SLOT_SIZE, "slot too small");
_Static_assert(GEN_PROLOGUE + GEN_EPILOGUE + 2 * GEN_FP_EXTRA + GEN_POOL + 1 + 64 <= DT_CHUNK_WORDS,
               "no room for a body");

/* usable_idx: patterns drawn (integer mode: integer groups; FP/SIMD mode:
 * FP/SIMD groups); mix_idx: FP/SIMD mode only, the integer patterns mixed in. */
static int usable_idx[NPATS], mix_idx[NPATS];
static int nusable, nmix;
static bool fpsimd;
static bool counting;   /* coverage counts: full sequences only, not the truncated reruns */

void gen_set_fpsimd(bool on) { fpsimd = on; }
bool gen_fpsimd(void) { return fpsimd; }

bool gen_exclude(const char *name)
{
    bool found = false;
    for (int i = 0; i < NPATS; i++)
        if (!strcmp(pats[i].name, name))
            found = pats[i].excluded = true;
    return found;
}

/* ---------------------------------------------------------------- RNG */

typedef struct Rng { uint64_t s; } Rng;

static uint64_t rnd(Rng *r)
{
    /* splitmix64: good enough and trivially seedable */
    uint64_t z = (r->s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}
static uint32_t below(Rng *r, uint32_t n) { return (uint32_t)(rnd(r) % n); }
static bool chance(Rng *r, int percent) { return below(r, 100) < (uint32_t)percent; }
static int64_t range(Rng *r, int64_t lo, int64_t hi) { return lo + (int64_t)(rnd(r) % (uint64_t)(hi - lo + 1)); }

/* Edge-weighted 64-bit value. */
static uint64_t edge_value(Rng *r)
{
    static const uint64_t edges[] = {
        0, 1, 2, 3, ~0ull, ~1ull, 0x8000000000000000ull, 0x7fffffffffffffffull,
        0x7fffffff, 0x80000000, 0xffffffff, 0x100000000ull, 0xffffffff80000000ull,
        0x7fff, 0x8000, 0xffff, 0x7f, 0x80, 0xff, 0x00000000ffff0000ull,
        0x8000000080000000ull, 0x5555555555555555ull, 0xaaaaaaaaaaaaaaaaull, 63, 64, 31, 32,
    };
    switch (below(r, 8)) {
    case 0: case 1: case 2:
        return edges[below(r, sizeof(edges) / sizeof(edges[0]))];
    case 3: /* small, either sign */
        return (uint64_t)range(r, -40, 40);
    case 4: { /* sign boundary of a random width */
        int k = (int)below(r, 64);
        uint64_t b = 1ull << k;
        switch (below(r, 4)) {
        case 0: return b;
        case 1: return b - 1;
        case 2: return -b;
        default: return b + 1;
        }
    }
    case 5: /* random 32-bit, zero- or sign-extended */
        return chance(r, 50) ? (uint32_t)rnd(r) : (uint64_t)(int64_t)(int32_t)rnd(r);
    default:
        return rnd(r);
    }
}

/* Integer n exactly in a format with E exponent and M fraction bits (n < 2^(M+1)). */
static uint64_t fp_int(uint64_t n, int E, int M)
{
    int fl = 63 - __builtin_clzll(n);
    uint64_t bias = (1ull << (E - 1)) - 1;
    return (bias + (uint64_t)fl) << M | (n ^ (1ull << fl)) << (M - fl);
}

/* One element of `ebits` bits (8: integer edges; 16/32/64: half, single,
 * double) weighted to the values where implementations go wrong: zeros,
 * infinities, quiet and signalling NaNs with payloads, denormals, the
 * smallest and largest normals, integers and x.5 values and their +-1 ulp
 * neighbours (FRINT*, FCVT* rounding), powers of two around the integer
 * conversion limits 2^7..2^64 +-1 ulp, exact halfway points of a narrowing
 * conversion (FCVT/FCVTN/FCVTXN) and their neighbours. */
static uint64_t fp_special(Rng *r, int ebits)
{
    if (ebits == 8) {
        static const uint8_t e8[] = { 0, 1, 2, 0x7f, 0x80, 0x81, 0xfe, 0xff, 0x40, 0x3f, 0xc0 };
        return chance(r, 70) ? e8[below(r, sizeof(e8))] : (uint8_t)rnd(r);
    }
    int E = ebits == 16 ? 5 : ebits == 32 ? 8 : 11, M = ebits - 1 - E;
    uint64_t emax = (1ull << E) - 1, mmask = (1ull << M) - 1, bias = (1ull << (E - 1)) - 1;
    uint64_t sign = chance(r, 50) ? 1ull << (ebits - 1) : 0;
    uint64_t e = 0, m = 0, v;
    int delta = (int)below(r, 3) - 1;   /* -1, 0, +1 ulp (bit arithmetic crosses binades) */
    switch (below(r, 16)) {
    case 0: return sign;                                            /* +-0 */
    case 1: return sign | emax << M;                                /* +-inf */
    case 2: return sign | emax << M | 1ull << (M - 1) | (rnd(r) & mmask >> 1 & (chance(r, 50) ? 0 : ~0ull)); /* qNaN */
    case 3: m = rnd(r) & mmask >> 1;                                /* sNaN */
        return sign | emax << M | (m ? m : 1ull << below(r, (uint32_t)(M - 1)));
    case 4: m = chance(r, 30) ? 1 : chance(r, 30) ? mmask : rnd(r) & mmask;   /* denormal */
        return sign | (m ? m : 1);
    case 5: return sign | ((1ull << M) + (uint64_t)(int64_t)delta);   /* smallest normal +-1 */
    case 6: return sign | (((emax - 1) << M | mmask) - (delta < 0 ? 1 : 0)); /* largest normal */
    case 7: {                                                       /* 2^k, k around integer limits */
        static const int ks[] = { 7, 8, 15, 16, 31, 32, 52, 53, 63, 64, 0, 1, 23, 24, 10, 11 };
        uint64_t k = (uint64_t)ks[below(r, sizeof(ks) / sizeof(ks[0]))];
        e = bias + k;
        if (e >= emax)
            return sign | (emax - 1) << M | mmask;
        return sign | ((e << M) + (uint64_t)(int64_t)delta);
    }
    case 8: {                                                       /* integer +-1 ulp */
        int lim = M < 20 ? M : 20;
        uint64_t n = 1 + (rnd(r) & ((1ull << below(r, (uint32_t)lim + 1)) - 1));
        return sign | (fp_int(n, E, M) + (uint64_t)(int64_t)delta);
    }
    case 9: {                                                       /* x.5 +-1 ulp */
        int lim = M < 20 ? M : 20;
        uint64_t n = 2 * (rnd(r) & ((1ull << below(r, (uint32_t)lim)) - 1)) + 1;
        return sign | ((fp_int(n, E, M) - (1ull << M)) + (uint64_t)(int64_t)delta);
    }
    case 10: {                                                      /* halfway for narrowing */
        if (ebits == 16)
            return sign | (bias + (uint64_t)range(r, -3, 3)) << M | (rnd(r) & mmask);
        int keep = ebits == 64 && chance(r, 60) ? 23 : 10;          /* to single or to half */
        int cut = M - keep;
        m = (rnd(r) & mmask & ~((1ull << cut) - 1)) | 1ull << (cut - 1);
        int64_t ex = (int64_t)bias + range(r, -20, 20);
        if (chance(r, 25))      /* near the narrow format's denormal range */
            ex = (int64_t)bias - (keep == 23 ? 126 : 14) - range(r, -2, (keep == 23 ? 24 : 11));
        v = (uint64_t)ex << M | m;
        return sign | (v + (uint64_t)(int64_t)delta);
    }
    case 11:                                                        /* around 1.0 */
        return sign | (bias + (uint64_t)range(r, -3, 3)) << M | (rnd(r) & mmask);
    case 12: case 13:                                               /* any finite exponent */
        return sign | (1 + rnd(r) % (emax - 1)) << M | (rnd(r) & mmask);
    default:
        return rnd(r) & ((ebits == 64 ? 0 : 1ull << ebits) - 1);
    }
}

/* Initial V register: a random element size, each element special or an
 * integer edge, sometimes equal to the previous element (compares, pairwise). */
static void init_vreg(Rng *r, uint64_t v[2])
{
    static const int esz[] = { 8, 16, 32, 64, 16, 32, 64 };
    int k = (int)below(r, 8);
    if (k == 7) {
        v[0] = edge_value(r);
        v[1] = chance(r, 30) ? 0 : edge_value(r);
        return;
    }
    int eb = esz[k];
    uint64_t prev = 0;
    v[0] = v[1] = 0;
    for (int i = 0; i < 128 / eb; i++) {
        uint64_t e = i && chance(r, 15) ? prev : chance(r, 15) ? edge_value(r) : fp_special(r, eb);
        if (eb < 64)
            e &= (1ull << eb) - 1;
        prev = e;
        int bitpos = i * eb;
        v[bitpos / 64] |= e << (bitpos % 64);
    }
}

/* ---------------------------------------------------------------- table */

static void parse_pattern(Pat *p)
{
    int n = 0;
    for (const char *c = p->pattern; *c; c++) {
        if (*c == ' ')
            continue;
        p->mask <<= 1;
        p->value <<= 1;
        if (*c == '0' || *c == '1') {
            p->mask |= 1;
            p->value |= (uint32_t)(*c - '0');
            p->fixed++;
        }
        n++;
    }
    if (n != 32) {
        fprintf(stderr, "difftest: pattern %s has %d bits\n", p->name, n);
        exit(2);
    }
}

static int lookup(uint32_t insn)
{
    int best = -1;
    for (int i = 0; i < NPATS; i++)
        if ((insn & pats[i].mask) == pats[i].value && (best < 0 || pats[i].fixed > pats[best].fixed))
            best = i;
    return best;
}

const char *gen_insn_name(uint32_t insn)
{
    int i = lookup(insn);
    return i < 0 ? "?" : pats[i].name;
}

int gen_insn_pattern(uint32_t insn) { return lookup(insn); }
int gen_npatterns(void) { return NPATS; }
const char *gen_pattern_name(int i) { return pats[i].name; }
bool gen_pattern_usable(int i) { return pats[i].usable; }
int gen_pattern_group(int i) { return pats[i].group; }
bool gen_pattern_excluded(int i) { return pats[i].excluded; }
uint64_t gen_pattern_drawn(int i) { return pats[i].drawn; }

uint64_t gen_chunk_addr(int chunk) { return DT_CODE_ADDR + (uint64_t)chunk * DT_CHUNK_WORDS * 4; }
uint64_t gen_slot_addr(int chunk) { return DT_SLOTS_ADDR + (uint64_t)chunk * DT_SLOT_SIZE; }

/* ---------------------------------------------------------------- encoders */

static uint32_t set_field(uint32_t w, int hi, int lo, uint32_t v)
{
    uint32_t m = (hi - lo == 31) ? 0xffffffffu : (((1u << (hi - lo + 1)) - 1) << lo);
    return (w & ~m) | ((v << lo) & m);
}
static uint32_t enc_addsub_imm(bool sub, int rd, int rn, uint32_t imm12, bool lsl12)
{
    return (sub ? 0xd1000000u : 0x91000000u) | (lsl12 ? 1u << 22 : 0) | (imm12 << 10) | ((uint32_t)rn << 5) | (uint32_t)rd;
}
static uint32_t enc_mov_wide(uint32_t opbase, int rd, uint32_t imm16, int hw)
{
    return opbase | ((uint32_t)hw << 21) | ((imm16 & 0xffff) << 5) | (uint32_t)rd;
}
#define MOVZ_X 0xd2800000u
#define MOVN_X 0x92800000u
#define MOVK_X 0xf2800000u
static uint32_t enc_ldr_x(int rt, int rn, uint32_t off) { return 0xf9400000u | ((off / 8) << 10) | ((uint32_t)rn << 5) | (uint32_t)rt; }
static uint32_t enc_str_x(int rt, int rn, uint32_t off) { return 0xf9000000u | ((off / 8) << 10) | ((uint32_t)rn << 5) | (uint32_t)rt; }
static uint32_t enc_adr(int rd, int64_t off)
{
    uint32_t imm = (uint32_t)off & 0x1fffff;
    return 0x10000000u | ((imm & 3) << 29) | ((imm >> 2) << 5) | (uint32_t)rd;
}
static uint32_t enc_adrp(int rd, uint64_t pc, uint64_t target)
{
    uint32_t imm = (uint32_t)(((int64_t)(target >> 12) - (int64_t)(pc >> 12)) & 0x1fffff);
    return 0x90000000u | ((imm & 3) << 29) | ((imm >> 2) << 5) | (uint32_t)rd;
}
uint32_t gen_enc_b(uint64_t from, uint64_t to)
{
    return 0x14000000u | ((uint32_t)(((int64_t)to - (int64_t)from) >> 2) & 0x3ffffff);
}
/* LDR/STR Qt, [Xn, #off] (unsigned offset, off multiple of 16) */
static uint32_t enc_ldr_q(int rt, int rn, uint32_t off) { return 0x3dc00000u | ((off / 16) << 10) | ((uint32_t)rn << 5) | (uint32_t)rt; }
static uint32_t enc_str_q(int rt, int rn, uint32_t off) { return 0x3d800000u | ((off / 16) << 10) | ((uint32_t)rn << 5) | (uint32_t)rt; }
#define MSR_FPCR(rt) (0xd51b4400u | (uint32_t)(rt))
#define MRS_FPCR(rt) (0xd53b4400u | (uint32_t)(rt))
#define MSR_FPSR(rt) (0xd51b4420u | (uint32_t)(rt))
#define MRS_FPSR(rt) (0xd53b4420u | (uint32_t)(rt))
#define NOP 0xd503201fu
#define CLREX 0xd503305fu
#define MSR_NZCV(rt) (0xd51b4200u | (uint32_t)(rt))
#define MRS_NZCV(rt) (0xd53b4200u | (uint32_t)(rt))

/* ---------------------------------------------------------------- units */

enum Fix { FIX_NONE, FIX_B26, FIX_B19, FIX_B14, FIX_ADR, FIX_LIT };

typedef struct Unit {
    int n;
    uint32_t w[12];
    int main, main2;       /* index in w[] of the drawn instruction(s), main2 = -1 */
    int fix, fix_at;       /* branch/literal fix-up of w[fix_at] */
    int skip;              /* branches: units skipped after this one */
    int lit_word;          /* FIX_LIT: target word index within the chunk */
} Unit;

static void emit(Unit *u, uint32_t w) { u->w[u->n++] = w; }

/* A random general register for a written operand: never x28; `avoid` is a
 * bit mask of further excluded numbers (bit 31 = register 31). */
static int pick_reg(Rng *r, uint32_t avoid, bool allow31)
{
    avoid |= 1u << 28;
    if (!allow31)
        avoid |= 1u << 31;
    for (;;) {
        int x = (int)below(r, 32);
        if (!(avoid & (1u << x)))
            return x;
    }
}

/* Set register `reg` (31 = SP) to x28 + b using ADD/SUB (immediate). */
static void emit_set_base(Unit *u, int reg, int64_t b)
{
    bool sub = b < 0;
    uint64_t a = (uint64_t)(sub ? -b : b);
    if (a < 4096) {
        emit(u, enc_addsub_imm(sub, reg, 28, (uint32_t)a, false));
        return;
    }
    emit(u, enc_addsub_imm(sub, reg, 28, (uint32_t)(a >> 12), true));
    if (a & 0xfff)
        emit(u, enc_addsub_imm(sub, reg, reg, (uint32_t)(a & 0xfff), false));
}

/* Set register `reg` (not SP) to the 64-bit value v with MOVZ/MOVN/MOVK. */
static void emit_set_value(Unit *u, int reg, uint64_t v)
{
    if ((int64_t)v < 0 && (int64_t)v >= -65536) {
        emit(u, enc_mov_wide(MOVN_X, reg, (uint32_t)~v & 0xffff, 0));
        return;
    }
    bool first = true;
    for (int hw = 0; hw < 4; hw++) {
        uint32_t part = (uint32_t)(v >> (16 * hw)) & 0xffff;
        if (!part && !(first && hw == 3))
            continue;
        emit(u, enc_mov_wide(first ? MOVZ_X : MOVK_X, reg, part, hw));
        first = false;
    }
    if (first)
        emit(u, enc_mov_wide(MOVZ_X, reg, 0, 0));
}

/* Memory-operand shapes */
enum MemMode { M_OFF, M_PRE, M_POST, M_REG };

typedef struct MemOp {
    int mode;
    int64_t off;       /* immediate offset (M_OFF/M_PRE/M_POST) */
    int foot;          /* bytes accessed */
    int align;         /* natural alignment that the instruction requires or prefers */
    bool strict;       /* alignment is architecturally required (faults) */
    bool force_align;  /* never misaligned (see build_excl) */
    /* M_REG */
    int option, shift;
} MemOp;

/* Choose the base value b (x28-relative) for `rn` so that the access lies in
 * the scratch area, then emit the set-up; for M_REG also chooses and sets the
 * index register rm. Returns false if no placement was found. */
static bool place_mem(Rng *r, Unit *u, int rn, int rm, const MemOp *m)
{
    const int64_t lo = -DT_BASE_OFF, hi = DT_SCRATCH_SIZE - DT_BASE_OFF;
    for (int tries = 0; tries < 64; tries++) {
        int64_t ea = range(r, lo, hi - m->foot);
        bool aligned = m->force_align || chance(r, m->strict ? 90 : 70);
        if (aligned)
            ea &= ~(int64_t)(m->align - 1);
        int64_t idx = 0, scaled = 0;
        uint64_t idxval = 0;
        if (m->mode == M_REG && rm != 31) {
            bool sign = m->option & 4, w32 = !(m->option & 1);
            idx = sign ? range(r, -200, 200) : range(r, 0, 200);
            scaled = idx * ((int64_t)1 << m->shift); /* idx may be negative: no << */
            idxval = (uint64_t)idx;
            if (w32) {
                idxval &= 0xffffffffull;
                if (chance(r, 50)) /* upper half must be ignored */
                    idxval |= (rnd(r) & 0xffff) << 48;
            }
        }
        int64_t b = ea - (m->mode == M_POST ? 0 : m->off) - scaled;
        if (rn == 31 && (b & 15)) {
            int64_t d = b & 15;
            b -= d;
            ea -= d;
            if (ea < lo) {
                b += 16;
                ea += 16;
            }
        }
        if (ea < lo || ea + m->foot > hi)
            continue;
        if (m->mode == M_REG && rm != 31)
            emit_set_value(u, rm, idxval);
        emit_set_base(u, rn, b);
        return true;
    }
    return false;
}

#define RT(w)  ((int)bits(w, 4, 0))
#define RN(w)  ((int)bits(w, 9, 5))
#define RT2(w) ((int)bits(w, 14, 10))
#define RS(w)  ((int)bits(w, 20, 16))

/* Literal load: target inside this chunk, usually the random pool. */
static bool build_literal(Rng *r, Unit *u, uint32_t w)
{
    u->fix = FIX_LIT;
    u->fix_at = u->n;
    int opc = (int)bits(w, 31, 30);
    bool simd = bit(w, 26);
    int nw = simd ? 1 << (opc & 3) : 2;     /* words read (SIMD: S, D, Q); stays in the chunk */
    if (nw > 4)
        nw = 4;
    if (chance(r, 85))
        u->lit_word = DT_CHUNK_WORDS - GEN_POOL + (int)below(r, (uint32_t)(GEN_POOL - nw + 1));
    else
        u->lit_word = (int)below(r, DT_CHUNK_WORDS - GEN_POOL);
    if (!simd && opc != 3 && RT(w) == 28)
        w = set_field(w, 4, 0, (uint32_t)pick_reg(r, 0, true));
    u->main = u->n;
    emit(u, w);
    return true;
}

/* Load/store pair (no-allocate, post, offset, pre). */
static bool build_pair(Rng *r, Unit *u, uint32_t w)
{
    int opc = (int)bits(w, 31, 30), L = (int)bit(w, 22), kind = (int)bits(w, 24, 23);
    int scale = opc == 2 ? 8 : opc == 1 && !L ? 16 : 4;
    MemOp m = { kind == 1 ? M_POST : kind == 3 ? M_PRE : M_OFF, 0, 2 * scale, scale, false, false, 0, 0 };
    m.off = sextract64(bits(w, 21, 15), 0, 7) * scale;
    bool wb = kind == 1 || kind == 3;
    int rn = RN(w);
    if (rn == 28)
        rn = pick_reg(r, 0, true);
    uint32_t avoid = wb && rn != 31 ? 1u << rn : 0;
    int rt = RT(w), rt2 = RT2(w);
    if ((L && rt == 28) || (avoid & (1u << rt)))
        rt = pick_reg(r, avoid, true);
    if ((L && rt2 == 28) || (avoid & (1u << rt2)) || (L && rt2 == rt))
        rt2 = pick_reg(r, avoid | (L ? 1u << rt : 0), true);
    w = set_field(w, 9, 5, (uint32_t)rn);
    w = set_field(w, 4, 0, (uint32_t)rt);
    w = set_field(w, 14, 10, (uint32_t)rt2);
    if (!place_mem(r, u, rn, 31, &m))
        return false;
    u->main = u->n;
    emit(u, w);
    return true;
}

/* Load/store register: unscaled, post, unprivileged, pre, register offset,
 * unsigned offset. */
static bool build_ldst_reg(Rng *r, Unit *u, uint32_t w)
{
    int size = (int)bits(w, 31, 30), opc = (int)bits(w, 23, 22);
    bool prfm = size == 3 && opc == 2;
    bool load = opc != 0 && !prfm;
    MemOp m = { M_OFF, 0, 1 << size, 1 << size, false, false, 0, 0 };
    if (bit(w, 24)) {                   /* unsigned offset */
        m.off = (int64_t)bits(w, 21, 10) << size;
    } else if (bit(w, 21)) {            /* register offset */
        m.mode = M_REG;
        m.option = (int)bits(w, 15, 13);
        m.shift = bit(w, 12) ? size : 0;
    } else {
        int op4 = (int)bits(w, 11, 10);
        m.off = sextract64(bits(w, 20, 12), 0, 9);
        m.mode = op4 == 1 ? M_POST : op4 == 3 ? M_PRE : M_OFF;
    }
    bool wb = m.mode == M_PRE || m.mode == M_POST;
    int rn = RN(w), rt = RT(w);
    if (rn == 28)
        rn = pick_reg(r, 0, true);
    uint32_t avoid = wb && rn != 31 ? 1u << rn : 0;
    if ((load && rt == 28) || (avoid & (1u << rt)))
        rt = pick_reg(r, avoid, true);
    int rm = 31;
    if (m.mode == M_REG) {
        rm = RS(w);
        if (rm == 28 || (rm == rn && rm != 31))
            rm = pick_reg(r, 1u << rn, true);
        w = set_field(w, 20, 16, (uint32_t)rm);
    }
    w = set_field(w, 9, 5, (uint32_t)rn);
    w = set_field(w, 4, 0, (uint32_t)rt);
    if (!place_mem(r, u, rn, rm, &m))
        return false;
    u->main = u->n;
    emit(u, w);
    return true;
}

/* LSE atomic memory operation (LDADD..., SWP). */
static bool build_atomic(Rng *r, Unit *u, uint32_t w)
{
    int size = (int)bits(w, 31, 30);
    int o3 = (int)bit(w, 15), opc = (int)bits(w, 14, 12);
    if (o3 && opc == 4)                 /* LDAPR*: RCpc, qemu a76 has it, flotilla not */
        return false;
    int rn = RN(w), rt = RT(w);
    if (rn == 28)
        rn = pick_reg(r, 0, true);
    if (rt == 28)
        rt = pick_reg(r, 0, true);
    w = set_field(w, 9, 5, (uint32_t)rn);
    w = set_field(w, 4, 0, (uint32_t)rt);
    MemOp m = { M_OFF, 0, 1 << size, 1 << size, true, false, 0, 0 };
    if (!place_mem(r, u, rn, 31, &m))
        return false;
    u->main = u->n;
    emit(u, w);
    return true;
}

/* Exclusives, load-acquire/store-release, CAS, CASP. */
static bool build_excl(Rng *r, Unit *u, uint32_t w)
{
    int size = (int)bits(w, 31, 30), o2 = (int)bit(w, 23), L = (int)bit(w, 22), o1 = (int)bit(w, 21);
    int o0 = (int)bit(w, 15);
    int rn = RN(w);
    if (rn == 28)
        rn = pick_reg(r, 0, true);
    w = set_field(w, 9, 5, (uint32_t)rn);
    uint32_t nmask = rn != 31 ? 1u << rn : 0;
    MemOp m = { M_OFF, 0, 1 << size, 1 << size, true, false, 0, 0 };

    if (o2 && !o1) {                    /* STLR / LDAR (o0 = 0: LDLAR/STLLR, LOR) */
        if (!o0)
            return false;
        w = set_field(w, 20, 16, 31);
        w = set_field(w, 14, 10, 31);
        if (L && RT(w) == 28)
            w = set_field(w, 4, 0, (uint32_t)pick_reg(r, 0, true));
        if (!place_mem(r, u, rn, 31, &m))
            return false;
        u->main = u->n;
        emit(u, w);
        return true;
    }
    if (o1 && size < 2) {               /* CASP: even register pairs */
        int sz = (int)bit(w, 30);
        m.foot = m.align = 8 << sz;
        int rs = RS(w) & ~1, rt = RT(w) & ~1;
        if (chance(r, 5)) {             /* odd register: UNDEFINED */
            rs |= (int)below(r, 2);
            rt |= (int)below(r, 2);
        }
        if (rs == 28 || rs == 27)
            rs = 26;
        if (rt == 28 || rt == 27)
            rt = 24;
        w = set_field(w, 20, 16, (uint32_t)rs);
        w = set_field(w, 4, 0, (uint32_t)rt);
        w = set_field(w, 14, 10, 31);
        if (!place_mem(r, u, rn, 31, &m))
            return false;
        u->main = u->n;
        emit(u, w);
        return true;
    }
    if (o2 && o1) {                     /* CAS */
        int rs = RS(w);
        if (rs == 28)
            rs = pick_reg(r, 0, true);
        w = set_field(w, 20, 16, (uint32_t)rs);
        w = set_field(w, 14, 10, 31);
        if (!place_mem(r, u, rn, 31, &m))
            return false;
        u->main = u->n;
        emit(u, w);
        return true;
    }
    /* LDXR/LDAXR, LDXP/LDAXP, STXR/STLXR, STXP/STLXP */
    bool pair = o1;
    if (pair) {
        m.foot = 2 << size;
        m.align = m.foot;
    }
    /* The load: Rt (and Rt2) never the base, so a following store still
     * addresses the same location. */
    uint32_t ld = set_field(w, 22, 22, 1);
    ld = set_field(ld, 20, 16, 31);
    if (!pair)
        ld = set_field(ld, 14, 10, 31);
    int lt = pick_reg(r, nmask, true), lt2 = pair ? pick_reg(r, nmask | (1u << lt), true) : 31;
    ld = set_field(ld, 4, 0, (uint32_t)lt);
    ld = set_field(ld, 14, 10, (uint32_t)lt2);
    if (L) {                            /* a drawn load stands alone */
        if (!place_mem(r, u, rn, 31, &m))
            return false;
        u->main = u->n;
        emit(u, ld);
        return true;
    }
    /* A drawn store becomes LDXR ... STXR to the same address and size: an
     * STXR to another address than the open monitor, or after an ordinary
     * store to it, is IMPLEMENTATION DEFINED. */
    int rt = RT(w), rt2 = pair ? RT2(w) : 31;
    if (pair && rt2 == rt && chance(r, 50))
        rt2 = pick_reg(r, 1u << rt, true);
    int rs = RS(w);
    uint32_t bad = nmask | (1u << rt) | (pair ? 1u << rt2 : 0);
    if (rs == 28 || (bad & (1u << rs)))
        rs = pick_reg(r, bad, true);
    w = set_field(w, 20, 16, (uint32_t)rs);
    w = set_field(w, 4, 0, (uint32_t)rt);
    if (!pair)
        w = set_field(w, 14, 10, 31);
    else
        w = set_field(w, 14, 10, (uint32_t)rt2);
    /* qemu-user checks the monitor address before alignment, so an
     * unaligned STXR (after its LDXR faulted) fails there without the
     * alignment fault the architecture requires: keep stores aligned. */
    m.force_align = true;
    if (!place_mem(r, u, rn, 31, &m))
        return false;
    if (chance(r, 85)) {
        u->main2 = u->n;
        emit(u, ld);
        if (chance(r, 30)) {            /* a harmless instruction in between */
            int d = pick_reg(r, nmask | (1u << rs), false);
            emit(u, enc_mov_wide(MOVZ_X, d, (uint32_t)rnd(r) & 0xffff, 0));
        }
    } else {
        /* alone: CLREX first, so the STXR fails whatever came before */
        emit(u, CLREX);
    }
    u->main = u->n;
    emit(u, w);
    return true;
}

/* SIMD&FP load/store pair (LDNP/STNP, LDP/STP in every index mode): like
 * build_pair, but Rt/Rt2 are V registers, so only LDP Vt == Vt2
 * (CONSTRAINED UNPREDICTABLE) is avoided. opc = 3 is UNDEFINED: kept. */
static bool build_simd_pair(Rng *r, Unit *u, uint32_t w)
{
    int opc = (int)bits(w, 31, 30), L = (int)bit(w, 22), kind = (int)bits(w, 24, 23);
    int scale = 4 << (opc == 3 ? 0 : opc);
    MemOp m = { kind == 1 ? M_POST : kind == 3 ? M_PRE : M_OFF, 0, 2 * scale, scale, false, false, 0, 0 };
    m.off = sextract64(bits(w, 21, 15), 0, 7) * scale;
    int rn = RN(w);
    if (rn == 28)
        rn = pick_reg(r, 0, true);
    w = set_field(w, 9, 5, (uint32_t)rn);
    if (L && RT(w) == RT2(w))
        w = set_field(w, 14, 10, (RT(w) + 1 + below(r, 31)) & 31);
    if (!place_mem(r, u, rn, 31, &m))
        return false;
    u->main = u->n;
    emit(u, w);
    return true;
}

/* SIMD&FP load/store register B/H/S/D/Q: unscaled, post, pre, register
 * offset, unsigned offset (bits 11:10 = 10 without bit 21 is unallocated for
 * SIMD: kept as an UNDEF check). */
static bool build_simd_ldst_reg(Rng *r, Unit *u, uint32_t w)
{
    int size = (int)bits(w, 31, 30);
    int scale = bit(w, 23) ? 4 : size;  /* opc<1> = 1: 128-bit (size 00; else UNDEF) */
    MemOp m = { M_OFF, 0, 1 << scale, 1 << scale, false, false, 0, 0 };
    if (bit(w, 24)) {
        m.off = (int64_t)bits(w, 21, 10) << scale;
    } else if (bit(w, 21)) {
        m.mode = M_REG;
        m.option = (int)bits(w, 15, 13);
        m.shift = bit(w, 12) ? scale : 0;
    } else {
        int op4 = (int)bits(w, 11, 10);
        m.off = sextract64(bits(w, 20, 12), 0, 9);
        m.mode = op4 == 1 ? M_POST : op4 == 3 ? M_PRE : M_OFF;
    }
    int rn = RN(w);
    if (rn == 28)
        rn = pick_reg(r, 0, true);
    int rm = 31;
    if (m.mode == M_REG) {
        rm = RS(w);
        if (rm == 28 || (rm == rn && rm != 31))
            rm = pick_reg(r, 1u << rn, true);
        w = set_field(w, 20, 16, (uint32_t)rm);
    }
    w = set_field(w, 9, 5, (uint32_t)rn);
    if (!place_mem(r, u, rn, rm, &m))
        return false;
    u->main = u->n;
    emit(u, w);
    return true;
}

/* Advanced SIMD load/store multiple (LD1-LD4/ST1-ST4) and single structure
 * (incl. LD1R-LD4R), offset and post-index forms. The footprint is at most
 * 64 bytes (LD1 of four Q registers). Post-index by register: the index
 * register Xm (never x28, never the base) gets an edge value before the
 * base is set. */
static bool build_simd_struct(Rng *r, Unit *u, uint32_t w)
{
    bool q = bit(w, 30), single = bit(w, 24), post = bit(w, 23);
    int size = (int)bits(w, 11, 10), foot, esize;
    if (!single) {
        static const int nregs[16] = { 4, 1, 4, 1, 3, 1, 3, 1, 2, 1, 2, 1, 1, 1, 1, 1 };
        foot = nregs[bits(w, 15, 12)] * (q ? 16 : 8);
        esize = 1 << size;
    } else {
        int opcode = (int)bits(w, 15, 13), selem = ((opcode & 1) << 1 | (int)bit(w, 21)) + 1;
        int scale = opcode >> 1;
        if (scale == 3)
            scale = size;
        else if (scale == 2 && (size & 1))
            scale = 3;
        esize = 1 << scale;
        foot = selem * esize;
    }
    MemOp m = { post ? M_POST : M_OFF, 0, foot, esize, false, false, 0, 0 };
    int rn = RN(w);
    if (rn == 28)
        rn = pick_reg(r, 0, true);
    w = set_field(w, 9, 5, (uint32_t)rn);
    int rm = post ? RS(w) : 31;
    if (rm != 31 && (rm == 28 || rm == rn)) {
        rm = pick_reg(r, 1u << rn, false);
        w = set_field(w, 20, 16, (uint32_t)rm);
    }
    if (rm != 31)   /* the post-index increment: any value, only the written-back base sees it */
        emit_set_value(u, rm, edge_value(r));
    if (!place_mem(r, u, rn, 31, &m))
        return false;
    u->main = u->n;
    emit(u, w);
    return true;
}

/* SIMD&FP loads and stores (op0 = x1x0, bit 26 = 1). */
static bool build_simd_ldst(Rng *r, Unit *u, uint32_t w)
{
    int op0 = (int)bits(w, 31, 28);
    if ((op0 & 0xb) == 0)               /* 0x00: structures (bits 21:16 checked by the decoder) */
        return bits(w, 29, 27) == 1 ? build_simd_struct(r, u, w) : false;
    if ((op0 & 3) == 1)
        return bits(w, 29, 27) == 3 && !bit(w, 24) ? build_literal(r, u, w) : false;
    if ((op0 & 3) == 2)
        return bits(w, 29, 27) == 5 ? build_simd_pair(r, u, w) : false;
    if ((op0 & 3) == 3)
        return bits(w, 29, 27) == 7 ? build_simd_ldst_reg(r, u, w) : false;
    return false;
}

/* Whether an FP/SIMD data-processing encoding writes general register Rd:
 * FP <-> integer conversions and FMOV to a general register, FP -> fixed
 * point, UMOV/SMOV. Everything else writes V registers or NZCV. */
static bool fp_writes_gpr(uint32_t w)
{
    if (bits(w, 28, 24) == 0x1e && !bit(w, 30)) {
        int opcode = (int)bits(w, 18, 16);
        if (bit(w, 21))
            return bits(w, 15, 10) == 0 && (opcode <= 1 || (opcode >= 4 && opcode <= 6));
        return opcode <= 1;
    }
    if (!bit(w, 31) && bits(w, 29, 21) == 0x070 && !bit(w, 15) && bit(w, 10)) {
        int imm4 = (int)bits(w, 14, 11);
        return imm4 == 5 || imm4 == 7;
    }
    return false;
}

/* Loads and stores (op0 = x1x0). */
static bool build_ldst(Rng *r, Unit *u, uint32_t w)
{
    if (bit(w, 26))                     /* SIMD&FP */
        return fpsimd ? build_simd_ldst(r, u, w) : false;
    int op0 = (int)bits(w, 31, 28);
    if ((op0 & 3) == 0) {
        if (bits(w, 29, 24) != 0x08)
            return false;
        return build_excl(r, u, w);
    }
    if ((op0 & 3) == 1) {
        if (bit(w, 24))                 /* LDAPUR/STLUR (v8.4) and others */
            return false;
        if (bits(w, 29, 27) != 3)
            return false;
        return build_literal(r, u, w);
    }
    if ((op0 & 3) == 2)
        return bits(w, 29, 27) == 5 ? build_pair(r, u, w) : false;
    if (bits(w, 29, 27) != 7)
        return false;
    if (!bit(w, 24) && bit(w, 21)) {
        int op4 = (int)bits(w, 11, 10);
        if (op4 == 0)
            return build_atomic(r, u, w);
        if (op4 != 2)                   /* LDRAA/LDRAB (PAuth) */
            return false;
    }
    return build_ldst_reg(r, u, w);
}

/* Branches, exception generation, system (op0 = 101x). */
static bool build_branch_sys(Rng *r, Unit *u, uint32_t w)
{
    u->skip = (int)below(r, 100) < 60 ? (int)below(r, 3) : (int)below(r, 8);
    if (bits(w, 30, 26) == 0x05) {      /* B, BL */
        u->fix = FIX_B26;
    } else if (bits(w, 31, 24) == 0x54) {
        if (bit(w, 4))                  /* BC.cond (v8.8) */
            return false;
        u->fix = FIX_B19;
    } else if (bits(w, 30, 25) == 0x1a) {
        u->fix = FIX_B19;
    } else if (bits(w, 30, 25) == 0x1b) {
        u->fix = FIX_B14;
    } else if (bits(w, 31, 25) == 0x6b) {   /* BR, BLR, RET via ADR */
        int opc = (int)bits(w, 24, 21);
        if (opc > 2 || bits(w, 20, 16) != 31 || bits(w, 15, 10) != 0 || bits(w, 4, 0) != 0)
            return false;
        int rn = RN(w);
        if (rn == 28 || rn == 31)
            rn = pick_reg(r, 0, false);
        w = set_field(w, 9, 5, (uint32_t)rn);
        u->fix = FIX_ADR;
        u->fix_at = u->n;
        emit(u, enc_adr(rn, 0));
        u->main = u->n;
        emit(u, w);
        return true;
    } else if (bits(w, 31, 24) == 0xd4) {   /* exception generation: BRK only */
        if (bits(w, 23, 21) != 1 || bits(w, 4, 0) != 0)
            return false;
    } else if (bits(w, 31, 22) == 0x354) {  /* system */
        int L = (int)bit(w, 21), op0 = (int)bits(w, 20, 19), op1 = (int)bits(w, 18, 16);
        int crn = (int)bits(w, 15, 12), crm = (int)bits(w, 11, 8), op2 = (int)bits(w, 7, 5);
        if (op0 >= 2) {                 /* MRS/MSR: only NZCV */
            w = (w & 0xfff0001fu) | (3u << 19) | (3u << 16) | (4u << 12) | (2u << 8);
            if (L && RT(w) == 28)
                w = set_field(w, 4, 0, (uint32_t)pick_reg(r, 0, true));
        } else if (L || op0 != 0 || op1 != 3 || RT(w) != 31) {
            return false;
        } else if (crn == 2) {          /* hints, but WFE/WFI */
            if (crm == 0 && (op2 == 2 || op2 == 3))
                return false;
        } else if (crn == 3) {          /* CLREX, DSB, DMB, ISB */
            if (op2 != 2 && op2 != 4 && op2 != 5 && op2 != 6)
                return false;
        } else {
            return false;
        }
    } else {
        return false;
    }
    if (u->fix != FIX_NONE)
        u->fix_at = u->n;
    u->main = u->n;
    emit(u, w);
    return true;
}

/* Classify and constrain a drawn encoding into a unit. */
static bool build_unit(Rng *r, Unit *u, uint32_t w)
{
    memset(u, 0, sizeof(*u));
    u->main2 = -1;
    int op0 = (int)bits(w, 28, 25);
    if ((op0 & 0xe) == 0x8 || (op0 & 0x7) == 0x5) {   /* data processing */
        if (RT(w) == 28)
            w = set_field(w, 4, 0, (uint32_t)pick_reg(r, 0, true));
        u->main = u->n;
        emit(u, w);
        return true;
    }
    if ((op0 & 0xe) == 0xa)
        return build_branch_sys(r, u, w);
    if ((op0 & 0x5) == 0x4)
        return build_ldst(r, u, w);
    if ((op0 & 0x7) == 0x7 && fpsimd) {  /* FP/SIMD data processing, crypto */
        if (fp_writes_gpr(w) && RT(w) == 28)
            w = set_field(w, 4, 0, (uint32_t)pick_reg(r, 0, true));
        u->main = u->n;
        emit(u, w);
        return true;
    }
    return false;
}

/* FP/SIMD mode: whether capstone decodes w. The FP/SIMD patterns are broad
 * (FP_DP1 spans 64 opcodes, 4 ftypes), so most random fills are unallocated;
 * a fill capstone (4.0, roughly v8.2) cannot decode is redrawn 90% of the
 * time, so the draws mostly execute and the rest still checks UNDEF. An
 * instruction capstone wrongly rejects is only drawn less often. */
static csh cs_gen;
static bool cs_ok;

static bool cs_decodes(uint32_t w)
{
    /* scalar FP with ftype = 11 is FP16 (v8.2, capstone knows it), UNDEF on
     * both sides, except FCVT from half (FP data-processing 1 source, opcode
     * 0001xx), which is v8.0 */
    if (!bit(w, 30) && (bits(w, 28, 24) & 0x1e) == 0x1e && bits(w, 23, 22) == 3 &&
        !(bits(w, 28, 24) == 0x1e && bit(w, 21) && bits(w, 14, 10) == 0x10 && bits(w, 20, 17) == 1))
        return false;
    cs_insn *insn;
    size_t c = cs_disasm(cs_gen, (const uint8_t *)&w, 4, 0, 1, &insn);
    if (c)
        cs_free(insn, c);
    return c == 1;
}

/* Draw one unit from pattern p (retry fills); false if p gave nothing usable. */
static bool draw_from(Rng *r, int p, Unit *u)
{
    for (int tries = 0; tries < 16; tries++) {
        uint32_t w = pats[p].value | ((uint32_t)rnd(r) & ~pats[p].mask);
        int q = lookup(w);
        if (q < 0 || !pats[q].usable)
            continue;
        if (fpsimd && cs_ok && tries < 15 && !cs_decodes(w) && !chance(r, 10))
            continue;
        if (!build_unit(r, u, w))
            continue;
        /* the constrained drawn words must still be in the table (and not excluded) */
        int qm = lookup(u->w[u->main]), qm2 = u->main2 >= 0 ? lookup(u->w[u->main2]) : 0;
        if (qm < 0 || qm2 < 0 || pats[qm].excluded || pats[qm2].excluded)
            continue;
        pats[qm].drawn += counting;
        if (u->main2 >= 0)
            pats[lookup(u->w[u->main2])].drawn += counting;
        return true;
    }
    return false;
}

/* Draw one unit from the raw integer encoding space (top-level classes DP
 * immediate, DP register, branch/system, load/store with V = 0), whether or
 * not flotilla's table lists the encoding: finds instructions missing from
 * the table (flotilla UNDEF, qemu executes). */
static uint64_t raw_drawn, raw_unlisted;

static bool draw_raw(Rng *r, Unit *u)
{
    for (int tries = 0; tries < 64; tries++) {
        uint32_t w = (uint32_t)rnd(r);
        switch (below(r, 4)) {
        case 0: w = (w & ~0x1c000000u) | 0x10000000u; break;          /* 100x: DP imm */
        case 1: w = (w & ~0x0e000000u) | 0x0a000000u; break;          /* x101: DP reg */
        case 2: w = (w & ~0x1c000000u) | 0x14000000u; break;          /* 101x: branch, system */
        default: w = (w & ~0x0e000000u) | 0x08000000u; break;         /* x1x0, V = 0: ld/st */
        }
        if (!build_unit(r, u, w))
            continue;
        raw_drawn += counting;
        if (lookup(u->w[u->main]) < 0)
            raw_unlisted += counting;
        else
            pats[lookup(u->w[u->main])].drawn += counting;
        return true;
    }
    return false;
}

void gen_raw_counts(uint64_t *drawn, uint64_t *unlisted)
{
    *drawn = raw_drawn;
    *unlisted = raw_unlisted;
}

/* Groups drawn in each mode; FP/SIMD mode mixes in integer data processing
 * and branches (not LDST: the qemu model of that mode, cortex-a72, has no
 * LSE; not SYSTEM: MSR/MRS NZCV only, little value here). */
static bool group_drawn(int g)
{
    if (fpsimd)
        return g == G_FP || g == G_SIMD || g == G_SIMD_LDST || g == G_CRYPTO;
    return g == G_DP_IMM || g == G_DP_REG || g == G_BRANCH || g == G_SYSTEM || g == G_LDST;
}
static bool group_mixed(int g) { return fpsimd && (g == G_DP_IMM || g == G_DP_REG || g == G_BRANCH); }

const char *gen_harness_missing(void)
{
    if (!fpsimd)
        return NULL;
    if (lookup(enc_ldr_q(0, 28, 4096)) < 0)
        return "LDR Qt, [Xn, #imm] (unsigned offset)";
    if (lookup(enc_str_q(0, 28, 4096)) < 0)
        return "STR Qt, [Xn, #imm] (unsigned offset)";
    return NULL;
}

void gen_init(void)
{
    if (fpsimd)
        cs_ok = cs_open(CS_ARCH_ARM64, CS_MODE_ARM, &cs_gen) == CS_ERR_OK;
    for (int i = 0; i < NPATS; i++) {
        parse_pattern(&pats[i]);
        pats[i].usable = !pats[i].excluded && (group_drawn(pats[i].group) || group_mixed(pats[i].group));
    }
    /* Probe: a pattern is usable if some fill of it builds a unit. */
    Rng r = { 12345 };
    for (int i = 0; i < NPATS; i++) {
        if (!pats[i].usable)
            continue;
        bool ok = false;
        for (int t = 0; t < 400 && !ok; t++) {
            Unit u;
            uint32_t w = pats[i].value | ((uint32_t)rnd(&r) & ~pats[i].mask);
            ok = lookup(w) == i && build_unit(&r, &u, w) && lookup(u.w[u.main]) >= 0;
        }
        pats[i].usable = ok;
        if (ok && group_drawn(pats[i].group))
            usable_idx[nusable++] = i;
        else if (ok)
            mix_idx[nmix++] = i;
    }
}

/* ---------------------------------------------------------------- sequence */

static void resolve_fix(GenSeq *q, const Unit *u, int at, int target_word)
{
    uint32_t *w = &q->code[at + u->fix_at];
    int64_t off = (int64_t)(target_word - (at + u->fix_at)) * 4;
    switch (u->fix) {
    case FIX_B26: *w = set_field(*w, 25, 0, (uint32_t)(off >> 2)); break;
    case FIX_B19:
    case FIX_LIT: *w = set_field(*w, 23, 5, (uint32_t)(off >> 2)); break;
    case FIX_B14: *w = set_field(*w, 18, 5, (uint32_t)(off >> 2)); break;
    case FIX_ADR: *w = enc_adr(RT(*w), off); break;
    default: break;
    }
}

void gen_sequence(GenSeq *q, uint64_t seed, int chunk, int keep_units)
{
    memset(q, 0, sizeof(*q));
    q->seed = seed;
    q->chunk = chunk;
    counting = keep_units < 0;
    Rng r = { seed * 0x2545f4914f6cdd1dull + 0x1234567 };
    rnd(&r);

    /* initial state */
    for (int i = 0; i < 31; i++)
        q->init_x[i] = edge_value(&r);
    q->init_x[28] = 0;
    q->init_sp = gen_slot_addr(chunk) + DT_BASE_OFF + (uint64_t)(range(&r, -64, 64) * 16);
    q->init_nzcv = (uint64_t)below(&r, 16) << 28;
    for (int i = 0; i < DT_SCRATCH_SIZE; i += 8) {
        uint64_t v = chance(&r, 50) ? edge_value(&r) : rnd(&r);
        memcpy(&q->scratch[i], &v, 8);
    }
    if (fpsimd) {
        for (int i = 0; i < 32; i++)
            init_vreg(&r, q->init_v[i]);
        /* RMode, FZ, DN, AHP; FZ16 (v8.2) stays 0 */
        if (chance(&r, 65))
            q->init_fpcr = (uint64_t)below(&r, 4) << 22 | (uint64_t)chance(&r, 30) << 24 |
                           (uint64_t)chance(&r, 30) << 25 | (uint64_t)chance(&r, 20) << 26;
        if (chance(&r, 50))
            q->init_fpsr = rnd(&r) & 0x0800009full;
        /* a quarter of the scratch area: FP special values, as memory operands */
        for (int i = 0; i < DT_SCRATCH_SIZE; i += 32) {
            if (!chance(&r, 25))
                continue;
            uint64_t v[4];
            init_vreg(&r, v);
            init_vreg(&r, v + 2);
            memcpy(&q->scratch[i], v, sizeof(v));
        }
    }
    for (int i = 0; i < DT_CHUNK_WORDS; i++)
        q->code[i] = NOP;
    for (int i = 0; i < GEN_POOL; i += 2) {
        uint64_t v = edge_value(&r);
        q->code[DT_CHUNK_WORDS - GEN_POOL + i] = (uint32_t)v;
        q->code[DT_CHUNK_WORDS - GEN_POOL + i + 1] = (uint32_t)(v >> 32);
    }

    /* prologue */
    uint64_t base = gen_slot_addr(chunk) + DT_BASE_OFF, pc0 = gen_chunk_addr(chunk);
    int n = 0;
    q->code[n++] = enc_adrp(28, pc0, base);
    q->code[n++] = enc_addsub_imm(false, 28, 28, (uint32_t)(base & 0xfff), false);
    q->code[n++] = enc_ldr_x(0, 28, B_OUT + INIT_NZCV);
    q->code[n++] = MSR_NZCV(0);
    q->code[n++] = enc_ldr_x(0, 28, B_OUT + INIT_SP);
    q->code[n++] = enc_addsub_imm(false, 31, 0, 0, false);   /* mov sp, x0 */
    if (fpsimd) {
        q->code[n++] = enc_ldr_x(0, 28, B_OUT + INIT_FPCR);
        q->code[n++] = MSR_FPCR(0);
        q->code[n++] = enc_ldr_x(0, 28, B_OUT + INIT_FPSR);
        q->code[n++] = MSR_FPSR(0);
        for (int i = 0; i < 32; i++)
            q->code[n++] = enc_ldr_q(i, 28, B_OUT + INIT_V(i));
    }
    for (int i = 0; i < 31; i++)
        if (i != 28)
            q->code[n++] = enc_ldr_x(i, 28, BX_INIT(i));
    q->code[n++] = CLREX;
    q->body_start = n;

    /* body */
    static Unit units[GEN_MAX_UNITS];
    int budget = DT_CHUNK_WORDS - GEN_PROLOGUE - GEN_EPILOGUE - 1 - GEN_POOL - (fpsimd ? 2 * GEN_FP_EXTRA : 0);
    int target = 16 + (int)below(&r, GEN_MAX_UNITS - 16 + 1);
    int words = 0, nu = 0;
    while (nu < target) {
        Unit *u = &units[nu];
        if (fpsimd) {
            /* 15% integer (FCMP + B.cond/CSEL, FMOV to/from X...); all of it
             * while no FP/SIMD pattern exists yet */
            bool mix = nmix && (!nusable || chance(&r, 15));
            if (!nusable && !nmix)
                break;
            if (!draw_from(&r, mix ? mix_idx[below(&r, (uint32_t)nmix)] : usable_idx[below(&r, (uint32_t)nusable)], u))
                continue;
        } else if (chance(&r, 10)) {
            if (!draw_raw(&r, u))
                continue;
        } else if (!draw_from(&r, usable_idx[below(&r, (uint32_t)nusable)], u)) {
            continue;
        }
        if (words + u->n > budget)
            break;
        q->unit_start[nu] = n + words;
        words += u->n;
        nu++;
    }
    q->nunits = nu;
    q->unit_start[nu] = n + words;
    for (int i = 0; i < nu; i++) {
        Unit *u = &units[i];
        int at = q->unit_start[i];
        if (keep_units >= 0 && i >= keep_units) {
            q->unit_main[i] = q->unit_main2[i] = -1;
            continue;
        }
        memcpy(&q->code[at], u->w, (size_t)u->n * 4);
        q->unit_main[i] = at + u->main;
        q->unit_main2[i] = u->main2 >= 0 ? at + u->main2 : -1;
        q->ninsns += u->main2 >= 0 ? 2 : 1;
        if (u->fix == FIX_LIT) {
            resolve_fix(q, u, at, u->lit_word);
        } else if (u->fix != FIX_NONE) {
            int t = i + 1 + u->skip;
            resolve_fix(q, u, at, q->unit_start[t > nu ? nu : t]);
        }
    }
    n += words;
    q->body_end = n;

    /* epilogue */
    for (int i = 0; i < 31; i++)
        q->code[n++] = enc_str_x(i, 28, BX_OUT(i));
    q->code[n++] = enc_addsub_imm(false, 0, 31, 0, false);    /* mov x0, sp */
    q->code[n++] = enc_str_x(0, 28, B_OUT + OUT_SP);
    q->code[n++] = MRS_NZCV(0);
    q->code[n++] = enc_str_x(0, 28, B_OUT + OUT_NZCV);
    if (fpsimd) {
        q->code[n++] = MRS_FPCR(0);
        q->code[n++] = enc_str_x(0, 28, B_OUT + OUT_FPCR);
        q->code[n++] = MRS_FPSR(0);
        q->code[n++] = enc_str_x(0, 28, B_OUT + OUT_FPSR);
        for (int i = 0; i < 32; i++)
            q->code[n++] = enc_str_q(i, 28, B_OUT + OUT_V(i));
    }
    q->code[n++] = enc_mov_wide(MOVZ_X, 0, DT_DONE_MAGIC, 0);
    q->code[n++] = enc_str_x(0, 28, B_OUT + OUT_DONE);
    q->link_word = n;
}
