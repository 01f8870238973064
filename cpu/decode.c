/* Builds the decoder from the encoding tables in cpu/a64/ (see decode.h). */
#include "decode.h"
#include "translate.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Forward declarations of every translate function, from the tables. */
#define INSN(name, pat, grp) bool trans_##name(DisasCtx *s, uint32_t insn);
#include "a64/all.def"
#undef INSN

static InsnPattern table[] = {
#define INSN(name, pat, grp) {#name, pat, grp, trans_##name, 0, 0, 0},
#include "a64/all.def"
#undef INSN
};

#define NTABLE ((int)(sizeof(table) / sizeof(table[0])))

const char *const insn_group_names[G_NUM_GROUPS] = {
    [G_DP_IMM] = "data-processing-immediate",
    [G_DP_REG] = "data-processing-register",
    [G_BRANCH] = "branches",
    [G_SYSTEM] = "system",
    [G_LDST] = "loads-stores",
    [G_FP] = "floating-point",
    [G_SIMD] = "advanced-simd",
    [G_SIMD_LDST] = "advanced-simd-loads-stores",
    [G_CRYPTO] = "crypto",
};

/* Buckets by bits 28:25 (the top-level A64 op0 field); each bucket holds the
 * patterns that can match it, most specific first. */
static const InsnPattern *buckets[16][NTABLE > 0 ? NTABLE : 1];
static int bucket_n[16];

static int cmp_fixed(const void *x, const void *y)
{
    const InsnPattern *const *a = x, *const *b = y;
    if ((*a)->fixed_bits != (*b)->fixed_bits)
        return (*b)->fixed_bits - (*a)->fixed_bits;
    return (int)(*a - *b); /* stable: table order */
}

void decode_init(void)
{
    static bool done;
    if (done)
        return;
    for (int i = 0; i < NTABLE; i++) {
        InsnPattern *p = &table[i];
        int n = 0;
        uint32_t mask = 0, value = 0;
        for (const char *c = p->pattern; *c; c++) {
            if (*c == ' ')
                continue;
            if (n == 32) {
                fprintf(stderr, "flotilla: decode table: pattern %s is longer than 32 bits\n", p->name);
                exit(1);
            }
            uint32_t b = 1u << (31 - n);
            if (*c == '0' || *c == '1') {
                mask |= b;
                if (*c == '1')
                    value |= b;
            }
            n++;
        }
        if (n != 32) {
            fprintf(stderr, "flotilla: decode table: pattern %s has %d bits, not 32\n", p->name, n);
            exit(1);
        }
        p->mask = mask;
        p->value = value;
        p->fixed_bits = __builtin_popcount(mask);
    }
    for (int op0 = 0; op0 < 16; op0++) {
        uint32_t v = (uint32_t)op0 << 25;
        for (int i = 0; i < NTABLE; i++) {
            const InsnPattern *p = &table[i];
            if (((v ^ p->value) & p->mask & (0xfu << 25)) == 0)
                buckets[op0][bucket_n[op0]++] = p;
        }
        qsort(buckets[op0], bucket_n[op0], sizeof(buckets[0][0]), cmp_fixed);
    }
    done = true;
}

const InsnPattern *decode_lookup(uint32_t insn)
{
    int op0 = (insn >> 25) & 0xf;
    for (int i = 0; i < bucket_n[op0]; i++) {
        const InsnPattern *p = buckets[op0][i];
        if ((insn & p->mask) == p->value)
            return p;
    }
    return NULL;
}

const InsnPattern *decode_table(int *count)
{
    *count = NTABLE;
    return table;
}
