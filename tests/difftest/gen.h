/* Difftest generator: random A64 instruction sequences drawn from flotilla's
 * encoding table (cpu/a64/all.def), constrained so that they run
 * deterministically inside the harness (tests/difftest/harness.S, layout.h).
 * Two modes: integer (the integer groups, raw integer-space draws) and
 * FP/SIMD (groups FP, SIMD, SIMD_LDST, CRYPTO mixed with some integer
 * data processing and branches; V0-V31, FPCR and FPSR set and compared).
 * One sequence fills one code chunk and one data slot. See docs/difftest.md.
 * Host program code: every function below is called from the runner's only
 * thread (the generator keeps global coverage counters). */
#ifndef DIFFTEST_GEN_H
#define DIFFTEST_GEN_H

#include <stdbool.h>
#include <stdint.h>

#include "layout.h"

#define GEN_MAX_UNITS   64
#define GEN_PROLOGUE    37      /* words before the body (integer mode) */
#define GEN_EPILOGUE    37      /* words after the body, before the link branch */
#define GEN_FP_EXTRA    36      /* more words in each, FP/SIMD mode (V0-V31, FPCR, FPSR) */
#define GEN_POOL        16      /* literal pool words at the end of the chunk */

typedef struct GenSeq {
    uint64_t seed;
    int chunk;                          /* seed % DT_MAX_SEQ */
    uint32_t code[DT_CHUNK_WORDS];      /* whole chunk */
    int body_start, body_end;           /* word indexes into code */
    int link_word;                      /* index of the branch to the next chunk */
    int nunits;
    int unit_start[GEN_MAX_UNITS + 1];  /* word index of each unit (and end) */
    int unit_main[GEN_MAX_UNITS];       /* word index of the unit's drawn insn */
    int unit_main2[GEN_MAX_UNITS];      /* second drawn insn (exclusive pair) or -1 */
    int ninsns;                         /* drawn (random) instructions */
    uint64_t init_x[31], init_sp, init_nzcv;
    uint64_t init_v[32][2], init_fpcr, init_fpsr;   /* FP/SIMD mode */
    uint8_t scratch[DT_SCRATCH_SIZE];
} GenSeq;

/* Runner thread, before gen_init: select FP/SIMD mode. */
void gen_set_fpsimd(bool on);
bool gen_fpsimd(void);
/* Runner thread, before gen_init: never draw pattern `name` (known-mismatch
 * list). Returns false if no pattern has that name. */
bool gen_exclude(const char *name);
/* Runner thread, once, before anything else (after the two above). */
void gen_init(void);
/* Runner thread. NULL if the harness instructions the mode needs are in the
 * table, else the name of the first missing one (FP/SIMD mode: LDR/STR Q). */
const char *gen_harness_missing(void);
/* Runner thread. Build the sequence of `seed`. keep_units < 0: all units; otherwise units
 * at index >= keep_units are replaced by NOPs (same layout), used to find the
 * first diverging instruction. */
void gen_sequence(GenSeq *q, uint64_t seed, int chunk, int keep_units);
/* Runner thread. Pattern name of a drawn instruction word (most specific match) or "?". */
const char *gen_insn_name(uint32_t insn);
/* Runner thread. Index of that pattern, or -1. */
int gen_insn_pattern(uint32_t insn);
/* Runner thread. Number of table patterns, and per pattern: name, usable by the generator,
 * how many times drawn so far. */
int gen_npatterns(void);
const char *gen_pattern_name(int i);
int gen_pattern_group(int i);           /* enum InsnGroup */
bool gen_pattern_excluded(int i);       /* by gen_exclude */
bool gen_pattern_usable(int i);
uint64_t gen_pattern_drawn(int i);
/* Runner thread. Units drawn from the raw integer encoding space, and how many of those
 * are not in flotilla's table. */
void gen_raw_counts(uint64_t *drawn, uint64_t *unlisted);
/* Any thread (pure). Fixed addresses of chunk / slot base (x28 = slot + DT_BASE_OFF). */
uint64_t gen_chunk_addr(int chunk);
uint64_t gen_slot_addr(int chunk);
/* Any thread (pure). Encoders the runner needs for chaining chunks. */
uint32_t gen_enc_b(uint64_t from, uint64_t to);

#endif
