/* Unit tests for the table-driven A64 decoder (cpu/decode.c, tables in
 * the .def files in cpu/a64): pattern parsing, the "most fixed bits wins" rule checked
 * against a brute-force reference on many words, known encodings (from the
 * Arm ARM, cross-checked with binutils) and unallocated space. */
#include "common.h"

#include <inttypes.h>

#include "cpu/decode.h"

static const InsnPattern *tab;
static int ntab;

static void setup(void)
{
    decode_init();
    tab = decode_table(&ntab);
}

TestSuite(decode, .init = setup);

/* Deterministic PRNG (splitmix64), so failures reproduce. */
static uint64_t rng_state;
static uint64_t rnd(void)
{
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static const InsnPattern *find_name(const char *name)
{
    for (int i = 0; i < ntab; i++)
        if (!strcmp(tab[i].name, name))
            return &tab[i];
    return NULL;
}

/* The reference decoder: scan the whole table, keep the match with the most
 * fixed bits, count ties at that level. */
static const InsnPattern *ref_decode(uint32_t w, const InsnPattern **tie)
{
    const InsnPattern *best = NULL;
    *tie = NULL;
    for (int i = 0; i < ntab; i++) {
        const InsnPattern *p = &tab[i];
        if ((w & p->mask) != p->value)
            continue;
        if (!best || p->fixed_bits > best->fixed_bits) {
            best = p;
            *tie = NULL;
        } else if (p->fixed_bits == best->fixed_bits) {
            *tie = p;
        }
    }
    return best;
}

Test(decode, table_is_well_formed)
{
    cr_assert_gt(ntab, 0, "empty decode table");
    for (int i = 0; i < ntab; i++) {
        const InsnPattern *p = &tab[i];
        cr_expect_not_null(p->name);
        cr_expect_not_null(p->trans, "%s has no translate function", p->name);
        cr_expect(p->group >= 0 && p->group < G_NUM_GROUPS, "%s: bad group %d", p->name, p->group);
        cr_expect_eq(p->value & ~p->mask, 0u, "%s: value has bits outside the mask", p->name);
        cr_expect_eq(p->fixed_bits, __builtin_popcount(p->mask), "%s: fixed_bits", p->name);
        /* Recompute mask/value from the pattern text independently. */
        uint32_t m = 0, v = 0;
        int n = 0;
        for (const char *c = p->pattern; *c; c++) {
            if (*c == ' ')
                continue;
            if (n < 32 && (*c == '0' || *c == '1')) {
                m |= 1u << (31 - n);
                v |= (uint32_t)(*c == '1') << (31 - n);
            }
            n++;
        }
        cr_expect_eq(n, 32, "%s: pattern has %d bits", p->name, n);
        cr_expect_eq(p->mask, m, "%s: mask 0x%08x, want 0x%08x", p->name, p->mask, m);
        cr_expect_eq(p->value, v, "%s: value 0x%08x, want 0x%08x", p->name, p->value, v);
    }
    /* decode_init is idempotent. */
    decode_init();
    int n2;
    cr_expect_eq(decode_table(&n2), tab);
    cr_expect_eq(n2, ntab);
}

/* No two patterns with the same number of fixed bits may both match one
 * word: the table order would then silently pick one. Exhaustive over pairs
 * (two patterns overlap iff they agree on the bits both fix). */
Test(decode, no_ambiguous_equal_specificity_overlap)
{
    for (int i = 0; i < ntab; i++)
        for (int j = i + 1; j < ntab; j++) {
            const InsnPattern *a = &tab[i], *b = &tab[j];
            if (a->fixed_bits != b->fixed_bits)
                continue;
            bool overlap = ((a->value ^ b->value) & a->mask & b->mask) == 0;
            cr_expect(!overlap, "%s \"%s\" and %s \"%s\" overlap with %d fixed bits each (e.g. 0x%08x)", a->name,
                      a->pattern, b->name, b->pattern, a->fixed_bits, a->value | b->value);
        }
}

/* Overlaps between patterns of different specificity must be refinements:
 * the more specific pattern fixes every bit the general one fixes (a special
 * case carved out of it). Otherwise "more fixed bits wins" is an accident of
 * counting, not a statement of the architecture. */
Test(decode, overlaps_are_refinements)
{
    for (int i = 0; i < ntab; i++)
        for (int j = 0; j < ntab; j++) {
            const InsnPattern *gen = &tab[i], *spec = &tab[j];
            if (spec->fixed_bits <= gen->fixed_bits)
                continue;
            if (((gen->value ^ spec->value) & gen->mask & spec->mask) != 0)
                continue;
            cr_expect_eq(spec->mask & gen->mask, gen->mask,
                         "%s \"%s\" overrides %s \"%s\" on their overlap but does not fix all of its bits",
                         spec->name, spec->pattern, gen->name, gen->pattern);
        }
}

static void check_word(uint32_t w)
{
    const InsnPattern *tie;
    const InsnPattern *want = ref_decode(w, &tie);
    const InsnPattern *got = decode_lookup(w);
    if (want && tie)
        cr_expect(false, "0x%08x: %s and %s both match with %d fixed bits", w, want->name, tie->name,
                  want->fixed_bits);
    cr_expect_eq(got, want, "0x%08x: decoded as %s, the most specific match is %s", w, got ? got->name : "NULL",
                 want ? want->name : "NULL");
}

/* Random words: uniformly, and inside every pattern (its fixed bits with
 * random don't-cares, so each overlap region is exercised). */
Test(decode, random_words_pick_unique_most_specific_match)
{
    rng_state = 0x1234567887654321ull;
    for (int k = 0; k < 100000; k++)
        check_word((uint32_t)rnd());
    for (int i = 0; i < ntab; i++)
        for (int k = 0; k < 300; k++) {
            uint32_t w = tab[i].value | ((uint32_t)rnd() & ~tab[i].mask);
            const InsnPattern *got = decode_lookup(w);
            cr_expect_not_null(got, "0x%08x matches %s but decodes to NULL", w, tab[i].name);
            if (got)
                cr_expect_geq(got->fixed_bits, tab[i].fixed_bits, "0x%08x: %s chosen over more specific %s", w,
                              got->name, tab[i].name);
            check_word(w);
            /* The pattern's own fixed value with all-zero and all-one don't-cares. */
            check_word(tab[i].value);
            check_word(tab[i].value | ~tab[i].mask);
        }
}

/* Known encodings. Words from the Arm ARM encodings, cross-checked by
 * assembling with aarch64-linux-gnu-as. Each lists the acceptable table names
 * (the first is the current one). If none of the names exists in the table
 * yet the instruction is not implemented: logged, not failed. */
static const struct {
    uint32_t insn;
    const char *asm_text;
    const char *names[3];
} known[] = {
    {0xd503201f, "nop", {"NOP", "HINT"}},
    {0x8b020020, "add x0, x1, x2", {"ADD_sreg"}},
    {0x54000040, "b.eq .+8", {"B_cond"}},
    {0x14000001, "b .+4", {"B"}},
    {0x94000000, "bl .", {"BL"}},
    {0x91000420, "add x0, x1, #1", {"ADD_imm"}},
    {0x313ffc83, "adds w3, w4, #0xfff", {"ADDS_imm"}},
    {0xd1400420, "sub x0, x1, #1, lsl #12", {"SUB_imm"}},
    {0xeb01001f, "cmp x0, x1", {"SUBS_sreg"}},
    {0xd2800020, "movz x0, #1", {"MOVZ"}},
    {0xf2a24680, "movk x0, #0x1234, lsl #16", {"MOVK"}},
    {0x12800000, "movn w0, #0", {"MOVN"}},
    {0xf9400020, "ldr x0, [x1]", {"LDR_uimm"}},
    {0xf9000020, "str x0, [x1]", {"STR_uimm"}},
    {0x39400420, "ldrb w0, [x1, #1]", {"LDR_uimm"}},
    {0xb9800020, "ldrsw x0, [x1]", {"LDRS_uimm"}},
    {0xf85f8020, "ldur x0, [x1, #-8]", {"LDUR"}},
    {0xf8408c20, "ldr x0, [x1, #8]!", {"LDR_pre"}},
    {0xf8008420, "str x0, [x1], #8", {"STR_post"}},
    {0xf8627820, "ldr x0, [x1, x2, lsl #3]", {"LDR_reg"}},
    {0xa9400440, "ldp x0, x1, [x2]", {"LDP_off"}},
    {0xa9bf7bfd, "stp x29, x30, [sp, #-16]!", {"STP_pre"}},
    {0x58000040, "ldr x0, .+8", {"LDR_lit"}},
    {0xf9800000, "prfm pldl1keep, [x0]", {"PRFM_uimm"}},
    {0xd65f03c0, "ret", {"RET"}},
    {0xd61f0020, "br x1", {"BR"}},
    {0xd63f0040, "blr x2", {"BLR"}},
    {0xb4000040, "cbz x0, .+8", {"CBZ"}},
    {0x35000040, "cbnz w0, .+8", {"CBNZ"}},
    {0xb6080040, "tbz x0, #33, .+8", {"TBZ"}},
    {0xd4000001, "svc #0", {"SVC"}},
    {0xd4000002, "hvc #0", {"HVC"}},
    {0xd45e0000, "hlt #0xf000", {"HLT"}},
    {0xd53b4200, "mrs x0, nzcv", {"MRS"}},
    {0xd51b4200, "msr nzcv, x0", {"MSR_reg", "MSR"}},
    {0xd5033bbf, "dmb ish", {"DMB"}},
    {0xd5033fdf, "isb", {"ISB"}},
    {0xc85f7c20, "ldxr x0, [x1]", {"LDXR", "LDX"}},
    {0xc8027c20, "stxr w2, x0, [x1]", {"STXR", "STX"}},
    {0x9b020c20, "madd x0, x1, x2, x3", {"MADD"}},
    {0x9b027c20, "mul x0, x1, x2", {"MADD"}},
    {0x9b427c20, "smulh x0, x1, x2", {"SMULH"}},
    {0x9ac20820, "udiv x0, x1, x2", {"UDIV"}},
    {0x9a820020, "csel x0, x1, x2, eq", {"CSEL"}},
    {0x9a9f07e0, "cset x0, ne", {"CSINC"}},
    {0xd344fc20, "lsr x0, x1, #4", {"UBFM"}},
    {0x131f7c20, "asr w0, w1, #31", {"SBFM"}},
    {0x93407c20, "sxtw x0, w1", {"SBFM"}},
    {0x92401c20, "and x0, x1, #0xff", {"AND_imm"}},
    {0xaa0103e0, "mov x0, x1", {"ORR_sreg"}},
    {0x4ac20c20, "eor w0, w1, w2, ror #3", {"EOR_sreg"}},
    {0x8a220020, "bic x0, x1, x2", {"BIC_sreg"}},
    {0xdac00020, "rbit x0, x1", {"RBIT"}},
    {0xdac00c20, "rev x0, x1", {"REV_64"}},
    {0x5ac00820, "rev w0, w1", {"REV_32"}},
    {0xdac00820, "rev32 x0, x1", {"REV32"}},
    {0xdac01020, "clz x0, x1", {"CLZ"}},
    {0x93c21420, "extr x0, x1, x2, #5", {"EXTR"}},
    {0x10000000, "adr x0, .", {"ADR"}},
    {0x90000000, "adrp x0, .", {"ADRP"}},
    {0x8b2163e0, "add x0, sp, x1, uxtx", {"ADD_ext"}},
    {0xda020020, "sbc x0, x1, x2", {"SBC"}},
    {0xfa431804, "ccmp x0, #3, #4, ne", {"CCMP_imm"}},
};

Test(decode, known_encodings)
{
    int missing = 0;
    for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
        bool in_table = false;
        for (int k = 0; k < 3 && known[i].names[k]; k++)
            in_table |= find_name(known[i].names[k]) != NULL;
        const InsnPattern *p = decode_lookup(known[i].insn);
        if (!in_table) {
            cr_log_warn("decode: '%s' (0x%08x, %s) is not in the table yet; decodes to %s", known[i].asm_text,
                        known[i].insn, known[i].names[0], p ? p->name : "NULL");
            missing++;
            continue;
        }
        bool ok = false;
        for (int k = 0; k < 3 && known[i].names[k] && p; k++)
            ok |= !strcmp(p->name, known[i].names[k]);
        cr_expect(ok, "0x%08x (%s) decodes to %s, want %s", known[i].insn, known[i].asm_text, p ? p->name : "NULL",
                  known[i].names[0]);
    }
    /* Most of the list must be implemented: the table exists. */
    cr_expect_lt(missing, (int)(sizeof(known) / sizeof(known[0])) / 2, "%d known encodings missing", missing);
}

/* Encoding space the Arm ARM leaves unallocated (C4.1, top-level op0 field
 * bits 28:25 = 0b0001 and 0b0011; 0b0000 with bit 31 = 0 is reserved: only
 * UDF, op1 = 0, op2 = 0 is allocated there). */
Test(decode, unallocated_words_decode_to_null)
{
    static const uint32_t fixed[] = {
        0x02000000, 0xe3ffffff, /* op0 = 0001 */
        0x06000000, 0xe7ffffff, /* op0 = 0011 */
        0x00010000, 0x01ff0000, /* reserved, op2 != 0 */
        0x20000000, 0x61ffffff, /* reserved, op1 != 0 */
    };
    for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++) {
        const InsnPattern *p = decode_lookup(fixed[i]);
        cr_expect_null(p, "unallocated 0x%08x decodes to %s", fixed[i], p ? p->name : "");
    }
    rng_state = 0xfeedfacecafebeefull;
    for (int k = 0; k < 20000; k++) {
        uint32_t w = (uint32_t)rnd();
        switch (k % 3) {
        case 0: w = (w & ~(0xfu << 25)) | (0x1u << 25); break; /* op0 = 0001 */
        case 1: w = (w & ~(0xfu << 25)) | (0x3u << 25); break; /* op0 = 0011 */
        default: /* reserved: bit 31 = 0, op0 = 0000, op2 (24:16) != 0 */
            w = (w & ~(0x8u << 28) & ~(0xfu << 25)) | (1u << (16 + (k % 9)));
            break;
        }
        const InsnPattern *p = decode_lookup(w);
        cr_expect_null(p, "unallocated 0x%08x decodes to %s", w, p ? p->name : "");
        if (p)
            break; /* one report is enough */
    }
}

/* Each pattern's group agrees with the top-level encoding class of its
 * fixed value (C4.1 op0), so the coverage report is not lying. */
Test(decode, groups_match_top_level_class)
{
    for (int i = 0; i < ntab; i++) {
        const InsnPattern *p = &tab[i];
        if ((p->mask & (0xfu << 25)) != (0xfu << 25))
            continue; /* op0 not fully fixed: spans classes (e.g. loads/stores x1x0) */
        unsigned op0 = (p->value >> 25) & 0xf;
        bool ok;
        switch (p->group) {
        case G_DP_IMM: ok = (op0 & 0xe) == 0x8; break;
        case G_BRANCH:
        case G_SYSTEM: ok = (op0 & 0xe) == 0xa; break;
        case G_LDST:
        case G_SIMD_LDST: ok = (op0 & 0x5) == 0x4; break;
        case G_DP_REG: ok = (op0 & 0x7) == 0x5; break;
        default: ok = (op0 & 0x7) == 0x7; break; /* FP, SIMD, crypto */
        }
        cr_expect(ok, "%s (group %s) has op0 = 0x%x", p->name, insn_group_names[p->group], op0);
    }
}
