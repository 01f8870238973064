/* Fixed memory layout shared by the difftest harness (harness.S, both
 * variants) and the generator (gen.c). Only #defines: included by assembly.
 *
 * Data block (symbol dt_magic, 64-byte aligned), one contiguous region that
 * the harness writes to stdout at the end:
 *
 *   +0                 magic "FLDIFT01" (8 bytes) + 8 bytes pad
 *   +16                scratch buffer, DT_SCRATCH_SIZE bytes   (dt_scratch)
 *   +16+SCRATCH        out block, DT_OUT_SIZE bytes            (dt_out)
 *
 * followed (not written out) by the handler save slots and the initial
 * register block (dt_init). x28 holds DT_BASE = dt_scratch + DT_BASE_OFF for
 * the whole run; every offset below is relative to x28 so the harness can
 * reach everything with LDR/STR (unsigned offset). */
#ifndef DIFFTEST_LAYOUT_H
#define DIFFTEST_LAYOUT_H

#define DT_MAGIC_LEN      16
#define DT_SCRATCH_SIZE   8192
#define DT_BASE_OFF       4096          /* x28 = dt_scratch + 4096 */
#define DT_CODE_WORDS     65536         /* 256 KiB code area */
#define DT_MAX_FAULTS     64
#define DT_BASE_REG       28

/* out block layout (offsets from dt_out) */
#define OUT_X(n)          (8 * (n))     /* x0..x30 */
#define OUT_SP            248
#define OUT_NZCV          256
#define OUT_NFAULTS       264
#define OUT_FAULTS        272           /* DT_MAX_FAULTS x {pc, code} */
#define DT_OUT_SIZE       (OUT_FAULTS + 16 * DT_MAX_FAULTS)

/* after the out block: save slots (16 bytes, not dumped), then init block */
#define SAVE_OFF          (DT_OUT_SIZE)
#define INIT_OFF          (DT_OUT_SIZE + 16)
#define INIT_X(n)         (INIT_OFF + 8 * (n))
#define INIT_SP           (INIT_OFF + 248)
#define INIT_NZCV         (INIT_OFF + 256)
#define DT_INIT_SIZE      264

/* x28-relative offsets */
#define B_OUT             (DT_SCRATCH_SIZE - DT_BASE_OFF)   /* dt_out - x28 */
#define BX_OUT(n)         (B_OUT + OUT_X(n))
#define BX_INIT(n)        (B_OUT + INIT_X(n))

/* total bytes written to stdout by the harness */
#define DT_DUMP_LEN       (DT_MAGIC_LEN + DT_SCRATCH_SIZE + DT_OUT_SIZE)

/* fixed link addresses (identical in both variants, see link.ld) */
#define DT_TEXT_ADDR      0x40080000
#define DT_TARGET_ADDR    0x400d0000
#define DT_DATA_ADDR      0x40100000

#endif
