/* Blocks that end at ISB (and at TLBI, IC IVAU) go on to the next
 * instruction by a direct branch that chains (cpu/trans_system.c). A chain
 * made under one set of translation flags must not be taken after a system
 * register write changes them: here a loop writes DBGBCR0_EL1 and then runs
 * ISB, three times. The first time the write leaves breakpoint 0 disabled
 * and the ISB's branch to `bp_target` gets chained; the second time it
 * enables it, on `bp_target` itself, so the translation flags gain
 * TBF_HWBP: the breakpoint is taken there, once, with ELR = bp_target (the
 * write ends its block, SR_EXIT, so the ISB runs in a block found with the
 * new flags). Then a TLBI of this page and an IC IVAU of it in a loop of
 * blocks that chain through them (the run goes on where it should, the
 * count is exact).
 *
 * Handler: x24 = breakpoint exceptions taken, x21 = ESR, x22 = ELR; it
 * disables the breakpoint and returns to the instruction. */
#include "harness.inc"

#define MDE (1 << 15)
#define KDE (1 << 13)
/* DBGBCR: E, PMC = EL1 (0b01), BAS = 0b1111 */
#define BCR_EL1 (1 | (1 << 1) | (0xf << 5))

TEST_START
    adr x0, vectors
    msr vbar_el1, x0
    msr oslar_el1, xzr              /* the OS lock is set at reset */
    ldr x0, =(MDE | KDE)
    msr mdscr_el1, x0
    msr daifclr, #8                 /* PSTATE.D = 0: debug exceptions at EL1 */
    adr x0, bp_target
    msr dbgbvr0_el1, x0
    msr dbgbcr0_el1, xzr
    isb
    mov x24, #0
    mov x20, #0                     /* pass */
    mov x23, #BCR_EL1

loop:
    cmp x20, #1
    csel x1, x23, xzr, eq           /* the second pass enables the breakpoint */
    msr dbgbcr0_el1, x1
    isb                             /* the block ends: a branch to bp_target that chains */
bp_target:
    add x20, x20, #1
    cmp x20, #3
    b.ne loop
    EXPECT x24, 1                   /* taken once, on the second pass */
    EXPECT x21, 0xc6000022          /* EC 0x31 (breakpoint, same EL), IL, IFSC 0x22 */

    /* TLBI and IC IVAU of the page this runs from, each followed by the
     * block's end, in a loop: it runs its 100 passes, no more, no less. */
    mov x20, #0
2:  adr x0, 2b
    lsr x1, x0, #12                 /* VA[55:12] in Xt[43:0] */
    tlbi vaae1is, x1
    dsb ish
    ic ivau, x0
    dsb ish
    isb
    add x20, x20, #1
    cmp x20, #100
    b.ne 2b
    EXPECT x20, 100
    TEST_PASS

    .balign 2048
vectors:
    .rept 4
    .balign 0x80
    b unexpected
    .endr
    .balign 0x80                    /* 0x200: synchronous, current EL with SP_ELx */
    b handler
    .rept 11
    .balign 0x80
    b unexpected
    .endr

handler:
    mrs x21, esr_el1
    mrs x22, elr_el1
    adr x0, bp_target
    cmp x22, x0
    b.ne unexpected
    add x24, x24, #1
    msr dbgbcr0_el1, xzr            /* disabled: the instruction runs after the return */
    isb
    eret
unexpected:
    mov x27, #(__LINE__ & 0xffff)
    b harness_fail

TEST_END
