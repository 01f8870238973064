/* Table-driven A64 decoder. The encodings live in cpu/a64/ (one line per
 * pattern: INSN(NAME, "32-bit pattern", GROUP)); each maps to one
 * translate function `bool trans_NAME(DisasCtx *s, uint32_t insn)`.
 *
 * Pattern syntax: exactly 32 significant characters, most significant bit
 * first; spaces are ignored. '0' and '1' are fixed bits; any other character
 * (letters naming fields, or '-') is a don't-care bit. When patterns overlap,
 * the one with more fixed bits wins (so special cases like MOV-alias-free
 * encodings or unallocated holes are listed as more specific patterns).
 *
 * Thread rules: decode_init() once at start-up (any thread, before vCPUs
 * run); everything else is read-only and callable from any thread. */
#ifndef FLOTILLA_DECODE_H
#define FLOTILLA_DECODE_H

#include <stdbool.h>
#include <stdint.h>

struct DisasCtx;

enum InsnGroup {
    G_DP_IMM,     /* data processing, immediate */
    G_DP_REG,     /* data processing, register */
    G_BRANCH,     /* branches */
    G_SYSTEM,     /* exception generation, hints, barriers, system registers */
    G_LDST,       /* integer loads and stores, exclusives, atomics */
    G_FP,         /* scalar floating point */
    G_SIMD,       /* Advanced SIMD */
    G_SIMD_LDST,  /* Advanced SIMD loads and stores */
    G_CRYPTO,
    G_NUM_GROUPS
};

typedef bool (*TransFn)(struct DisasCtx *s, uint32_t insn);

typedef struct InsnPattern {
    const char *name;
    const char *pattern;
    enum InsnGroup group;
    TransFn trans;
    uint32_t mask, value;  /* computed by decode_init */
    int fixed_bits;
} InsnPattern;

extern const char *const insn_group_names[G_NUM_GROUPS];

/* Any thread, once, before use. Aborts start-up on a malformed table. */
void decode_init(void);
/* Any thread. The pattern that decodes insn, or NULL (unallocated). */
const InsnPattern *decode_lookup(uint32_t insn);
/* Any thread. The whole table (for the coverage report and the fuzzer). */
const InsnPattern *decode_table(int *count);

/* Field extraction helpers for translate functions. */
static inline uint32_t bits(uint32_t insn, int hi, int lo)
{
    return (insn >> lo) & ((hi - lo == 31) ? 0xffffffffu : ((1u << (hi - lo + 1)) - 1));
}
static inline uint32_t bit(uint32_t insn, int n) { return (insn >> n) & 1; }
static inline int64_t sextract64(uint64_t v, int start, int len)
{
    return ((int64_t)(v << (64 - len - start))) >> (64 - len);
}

#endif
