/* Fixed memory layout shared by the difftest harness (harness.S, both
 * variants) and the generator/runner (gen.c, difftest.c). Only #defines:
 * included by assembly. See docs/difftest.md.
 *
 * Code area dt_code (DT_TEXT_ADDR region): DT_MAX_SEQ chunks of
 * DT_CHUNK_WORDS instructions. Sequence with seed S always lives in chunk
 * S % DT_MAX_SEQ and data slot S % DT_MAX_SEQ, so a sequence sees the same
 * addresses whether it runs in a batch of 256 or alone (replay). Each chunk
 * holds generated code: prologue (x28 = slot base, NZCV, SP, x0..x30 from the
 * slot's init block, CLREX), the random body, the epilogue (dump registers to
 * the slot's out block) and a branch to the next chunk of the batch (or to
 * dt_finish).
 *
 * Data (dt_hdr at DT_DATA_ADDR): header {magic, dump_addr, dump_len}, patched
 * by the runner; the harness writes [dump_addr, dump_addr + dump_len) to
 * stdout at the end. Slots start at dt_slots; each slot is
 *
 *   +0                    scratch, DT_SCRATCH_SIZE bytes (x28 = +DT_BASE_OFF)
 *   +DT_SCRATCH_SIZE      out block, DT_OUT_SIZE bytes
 *   then                  16-byte save area (fault handler), init block.
 * FP/SIMD mode (difftest --fpsimd) also loads V0-V31, FPCR and FPSR from the
 * init block in the prologue and stores them to the out block in the
 * epilogue; integer mode leaves those words alone.
 *
 * x28 holds the current slot's base for the whole sequence; generated code
 * never writes it, and every harness access is x28-relative (LDR/STR unsigned
 * offset). */
#ifndef DIFFTEST_LAYOUT_H
#define DIFFTEST_LAYOUT_H

#define DT_MAGIC          0x3230544649444c46   /* "FLDIFT02" little-endian */
#define HDR_MAGIC         0
#define HDR_DUMP_ADDR     8
#define HDR_DUMP_LEN      16

#define DT_SCRATCH_SIZE   4096
#define DT_BASE_OFF       2048          /* x28 = slot + 2048 */
#define DT_MAX_SEQ        256
#define DT_CHUNK_WORDS    256
#define DT_CODE_WORDS     (DT_MAX_SEQ * DT_CHUNK_WORDS)
#define DT_MAX_FAULTS     64            /* power of two: index wraps */
#define DT_BASE_REG       28
#define DT_DONE_MAGIC     0xd0e

/* out block layout (offsets from the slot's out block) */
#define OUT_X(n)          (8 * (n))     /* x0..x30 */
#define OUT_SP            248
#define OUT_NZCV          256
#define OUT_NFAULTS       264
#define OUT_DONE          272           /* DT_DONE_MAGIC once the epilogue ran */
#define OUT_FPCR          280           /* FP/SIMD mode only (as are FPSR and V) */
#define OUT_FPSR          288
#define OUT_V(n)          (304 + 16 * (n))  /* V0..V31, 16-byte aligned for STR Q */
#define OUT_FAULTS        816           /* DT_MAX_FAULTS x {pc, code} */
#define DT_OUT_SIZE       (OUT_FAULTS + 16 * DT_MAX_FAULTS)

/* after the out block: save slots (16 bytes), then the init block */
#define SAVE_OFF          (DT_OUT_SIZE)
#define INIT_OFF          (DT_OUT_SIZE + 16)
#define INIT_X(n)         (INIT_OFF + 8 * (n))
#define INIT_SP           (INIT_OFF + 248)
#define INIT_NZCV         (INIT_OFF + 256)
#define INIT_FPCR         (INIT_OFF + 264)
#define INIT_FPSR         (INIT_OFF + 272)
#define INIT_V(n)         (INIT_OFF + 288 + 16 * (n))
#define DT_INIT_SIZE      800
/* 7 KiB: not a multiple of the page size, so 3 slots in 4 have a scratch
 * area that straddles a page boundary */
#define DT_SLOT_SIZE      7168

/* x28-relative offsets */
#define B_OUT             (DT_SCRATCH_SIZE - DT_BASE_OFF)   /* out block - x28 */
#define BX_OUT(n)         (B_OUT + OUT_X(n))
#define BX_INIT(n)        (B_OUT + INIT_X(n))

/* fixed link addresses (identical in both variants, see link.ld) */
#define DT_TEXT_ADDR      0x40080000
#define DT_TARGET_ADDR    0x400d0000
#define DT_DATA_ADDR      0x40100000
#define DT_SLOTS_ADDR     (DT_DATA_ADDR + 4096)
#define DT_CODE_ADDR      (DT_TEXT_ADDR + 4096)

#endif
