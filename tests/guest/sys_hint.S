/* Hints, barriers and instruction-cache maintenance: NOP, YIELD, the
 * NOP-space hints (ESB, PSB, CSDB, BTI, unallocated), SEVL/SEV + WFE
 * returning at once (event register set), DMB/DSB/ISB variants, CLREX
 * breaking an exclusive pair, and new code becoming visible after
 * DC CVAU + IC IVAU (or IC IALLU) + ISB, as the architecture requires. */
#include "harness.inc"

TEST_START
    mov x0, #0x60000000
    msr nzcv, x0
    mov x1, #1
    mov x2, #2
    nop
    yield
    hint #0x10                      /* ESB */
    hint #0x11                      /* PSB CSYNC */
    hint #0x14                      /* CSDB */
    hint #0x22                      /* BTI c */
    hint #0x07                      /* XPACLRI: NOP without pointer auth */
    hint #0x7f                      /* unallocated: NOP */
    hint #0x06                      /* DGH (unallocated in v8.0): NOP */
    EXPECT_NZCV 0b0110
    EXPECT x1, 1
    EXPECT x2, 2

    /* SEVL sets the local event register: WFE consumes it and goes on */
    sevl
    wfe
    /* SEV sets it too (and signals the other cores) */
    sev
    wfe
    mov x0, #1
    EXPECT x0, 1

    /* barriers */
    dmb ish
    dmb ishld
    dmb ishst
    dmb sy
    dmb ld
    dmb st
    dmb osh
    dmb nsh
    dsb ish
    dsb ishst
    dsb sy
    dsb nsh
    dsb osh
    .word 0xd503309f                /* DSB #0 (SSBB) */
    .word 0xd503349f                /* DSB #4 (PSSBB) */
    isb
    isb sy

    /* CLREX clears the exclusive monitor: the STXR must fail */
    adrp x1, scratch_start
    add x1, x1, :lo12:scratch_start
    str xzr, [x1]
    ldxr x0, [x1]
    clrex
    mov x3, #5
    stxr w4, x3, [x1]
    EXPECT x4, 1
    ldr x0, [x1]
    EXPECT x0, 0
    /* without CLREX it succeeds */
    ldxr x0, [x1]
    stxr w4, x3, [x1]
    EXPECT x4, 0
    ldr x0, [x1]
    EXPECT x0, 5

    /* Self-modifying code: copy a function into the scratch buffer, run
     * it, patch its first instruction, do the required maintenance, run
     * it again: the new instruction must execute. */
    add x5, x1, #0x1000             /* page-aligned code area */
    adr x6, code_v1
    ldr w0, [x6]
    str w0, [x5]
    ldr w0, [x6, #4]
    str w0, [x5, #4]
    dc cvau, x5
    dsb ish
    ic ivau, x5
    dsb ish
    isb
    blr x5
    EXPECT x0, 1
    adr x6, code_v2
    ldr w0, [x6]
    str w0, [x5]                    /* mov x0, #2 */
    dc cvau, x5
    dsb ish
    ic ivau, x5
    dsb ish
    isb
    blr x5
    EXPECT x0, 2
    /* again with IC IALLU */
    adr x6, code_v3
    ldr w0, [x6]
    str w0, [x5]                    /* mov x0, #3 */
    dsb ish
    ic iallu
    dsb ish
    isb
    blr x5
    EXPECT x0, 3

    TEST_PASS

code_v1:
    mov x0, #1
    ret
code_v2:
    mov x0, #2
code_v3:
    mov x0, #3
TEST_END
