/* Difftest generator: random A64 integer instruction sequences drawn from
 * flotilla's encoding table (cpu/a64/all.def), constrained so that they run
 * deterministically inside the harness (tests/difftest/harness.S, layout.h).
 * One sequence fills one code chunk and one data slot. See docs/difftest.md.
 * Host program code: every function below is called from the runner's only
 * thread (the generator keeps global coverage counters). */
#ifndef DIFFTEST_GEN_H
#define DIFFTEST_GEN_H

#include <stdbool.h>
#include <stdint.h>

#include "layout.h"

#define GEN_MAX_UNITS   64
#define GEN_PROLOGUE    37      /* words before the body */
#define GEN_EPILOGUE    37      /* words after the body, before the link branch */
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
    uint8_t scratch[DT_SCRATCH_SIZE];
} GenSeq;

/* Runner thread, once, before anything else. */
void gen_init(void);
/* Runner thread. Build the sequence of `seed`. keep_units < 0: all units; otherwise units
 * at index >= keep_units are replaced by NOPs (same layout), used to find the
 * first diverging instruction. */
void gen_sequence(GenSeq *q, uint64_t seed, int chunk, int keep_units);
/* Runner thread. Pattern name of a drawn instruction word (most specific match) or "?". */
const char *gen_insn_name(uint32_t insn);
/* Runner thread. Number of table patterns, and per pattern: name, usable by the generator,
 * how many times drawn so far. */
int gen_npatterns(void);
const char *gen_pattern_name(int i);
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
