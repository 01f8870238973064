/* AT S1E1R, S1E1W, S1E0R, S1E0W and PAR_EL1 (4K granule):
 *   - success form: PA[47:12], ATTR (the MAIR byte), SH (Device and Normal
 *     Non-cacheable report Outer Shareable), bit 11 RES1; NS (bit 9,
 *     UNKNOWN for the Non-secure regime) and bit 10 (IMPLEMENTATION DEFINED)
 *     are masked;
 *   - fault form: F = 1, FST, bit 11 RES1, for translation faults at levels
 *     0..3, the access flag fault and permission faults by AP and EL (AT
 *     does not take the exception);
 *   - MMU off: flat, Device-nGnRnE for data;
 *   - AT S1E1RP (v8.2) and AT S12E1R (EL2) are UNDEFINED.
 * Expected values from the Arm ARM (PAR_EL1, AArch64.AT). System-level. */
#include "harness.inc"

#define CHECK(r, v) EXPECT_AT r, v, __LINE__
/* PAR after AT \op of \va (in x0): success form with NS and bit 10 masked */
.macro AT_OK op, expect, line
    at \op, x0
    isb
    mrs x1, par_el1
    bic x1, x1, #0x600
    EXPECT_AT x1, \expect, \line
.endm
/* fault form: bits 47:0 */
.macro AT_FAULT op, fst, line
    at \op, x0
    isb
    mrs x1, par_el1
    ubfx x1, x1, #0, #48
    EXPECT_AT x1, (1 | (\fst << 1) | 0x800), \line
.endm

#define P_L1 0x0000
#define P_L2 0x1000   /* RAM identity, 2 MiB blocks */
#define P_L2T 0x2000  /* VA 0x80000000.. */
#define P_L3T 0x3000
#define P_X 0x4000
#define P_Y 0x5000
#define NPAGES 6

#define NORMAL 0x700  /* AF | SH inner | AttrIndx 0 (Normal WB 0xff) */
#define PAGE 0x3
#define BLOCK 0x1
#define TABLE 0x3
#define XN (3 << 53)
#define T 0x80000000

TEST_START
    adr x0, vectors
    msr vbar_el1, x0
    isb
    mov x24, #0
    adrp x20, scratch_start
    add x20, x20, :lo12:scratch_start
    mov x0, x20
    mov x1, #(NPAGES * 512)
1:  str xzr, [x0], #8
    subs x1, x1, #1
    b.ne 1b

    /* ---- MMU off: flat, data as Device-nGnRnE, Outer Shareable ---- */
    ldr x0, =0x40001234
    AT_OK s1e1r, 0x40001000 | 0x100 | 0x800, __LINE__
    AT_OK s1e0w, 0x40001000 | 0x100 | 0x800, __LINE__
    ldr x0, =0x10000000000          /* beyond PAMax (40 bits): address size, level 0 */
    AT_FAULT s1e1r, 0x00, __LINE__

    /* ---- tables ---- */
    add x1, x20, #P_L1
    ldr x2, =(0x405 | XN)           /* devices: 1 GiB Device block */
    str x2, [x1]
    add x2, x20, #P_L2
    orr x2, x2, #TABLE
    str x2, [x1, #8]
    add x2, x20, #P_L2T
    orr x2, x2, #TABLE
    str x2, [x1, #16]
    add x1, x20, #P_L2
    ldr x2, =(0x40000000 | NORMAL | BLOCK)
    mov x3, #256
1:  str x2, [x1], #8
    add x2, x2, #0x200000
    subs x3, x3, #1
    b.ne 1b
    add x1, x20, #P_L2T
    add x2, x20, #P_L3T
    orr x2, x2, #TABLE
    str x2, [x1]                    /* T: table */
    ldr x2, =(0x40200000 | 0x405 | XN)
    str x2, [x1, #8]                /* T + 2 MiB: Device block */
    add x1, x20, #P_L3T
    add x2, x20, #P_X
    ldr x3, =(NORMAL | PAGE)
    orr x4, x2, x3
    str x4, [x1]                    /* T + 0: X, EL1 RW */
    ldr x3, =(0x400 | (2 << 2) | 0xc0 | PAGE)
    orr x4, x2, x3
    str x4, [x1, #8]                /* T + 0x1000: X, RO for both, Normal NC, SH 00 */
    ldr x3, =(0x300 | PAGE)
    orr x4, x2, x3
    str x4, [x1, #24]               /* T + 0x3000: AF = 0 */
    add x2, x20, #P_Y
    ldr x3, =(0x400 | 0x200 | 0x40 | PAGE)
    orr x4, x2, x3
    str x4, [x1, #32]               /* T + 0x4000: Y, EL0 RW, Outer Shareable */

    ldr x0, =0x4400ff
    msr mair_el1, x0
    ldr x0, =0x1200803519           /* T0SZ 25, 4K, IPS 40, AS, EPD1 */
    msr tcr_el1, x0
    add x0, x20, #P_L1
    msr ttbr0_el1, x0
    dsb ish
    isb
    mrs x0, sctlr_el1
    orr x0, x0, #1
    msr sctlr_el1, x0
    isb

    /* ---- success forms ---- */
    ldr x0, =0x40123456             /* identity 2 MiB block */
    AT_OK s1e1r, 0x40123000 | (0xff << 56) | 0x180 | 0x800, __LINE__
    AT_OK s1e1w, 0x40123000 | (0xff << 56) | 0x180 | 0x800, __LINE__
    ldr x0, =0x09000010             /* the UART through the Device block */
    AT_OK s1e1r, 0x09000000 | 0x100 | 0x800, __LINE__
    ldr x0, =(T + 0x234567)
    AT_OK s1e1w, 0x40234000 | 0x100 | 0x800, __LINE__
    ldr x0, =(T + 0x10)
    AT_OK s1e1r, (scratch_start + P_X) + (0xff << 56) + 0x180 + 0x800, __LINE__
    AT_OK s1e1w, (scratch_start + P_X) + (0xff << 56) + 0x180 + 0x800, __LINE__
    ldr x0, =(T + 0x1fff)
    AT_OK s1e1r, (scratch_start + P_X) + (0x44 << 56) + 0x100 + 0x800, __LINE__
    AT_OK s1e0r, (scratch_start + P_X) + (0x44 << 56) + 0x100 + 0x800, __LINE__
    ldr x0, =(T + 0x4008)
    AT_OK s1e0w, (scratch_start + P_Y) + (0xff << 56) + 0x100 + 0x800, __LINE__
    AT_OK s1e1w, (scratch_start + P_Y) + (0xff << 56) + 0x100 + 0x800, __LINE__

    /* ---- fault forms ---- */
    ldr x0, =(T + 0x10)
    AT_FAULT s1e0r, 0x0f, __LINE__  /* EL1-only page */
    AT_FAULT s1e0w, 0x0f, __LINE__
    ldr x0, =(T + 0x1000)
    AT_FAULT s1e1w, 0x0f, __LINE__  /* read-only */
    AT_FAULT s1e0w, 0x0f, __LINE__
    ldr x0, =(T + 0x2000)
    AT_FAULT s1e1r, 0x07, __LINE__  /* invalid page: level 3 */
    ldr x0, =(T + 0x3000)
    AT_FAULT s1e1r, 0x0b, __LINE__  /* access flag */
    ldr x0, =(T + 0x400000)
    AT_FAULT s1e1w, 0x06, __LINE__  /* invalid level 2 entry */
    ldr x0, =0xc0000000
    AT_FAULT s1e0r, 0x05, __LINE__  /* invalid level 1 entry */
    ldr x0, =0x8000000000
    AT_FAULT s1e1r, 0x04, __LINE__  /* outside the TTBR0 range: level 0 */
    ldr x0, =0xffffff8000000000
    AT_FAULT s1e1r, 0x04, __LINE__  /* TTBR1 walks disabled (EPD1): level 0 */
    CHECK(x24, 0)                   /* AT took no exception */
    /* a later load of a faulting address still faults (AT cached nothing bad) */
    ldr x0, =(T + 0x2000)
    ldr x1, [x0]
    CHECK(x24, 1)
    CHECK(x21, 0x96000007)

    /* ---- UNDEFINED: AT S1E1RP (v8.2 PAN), AT S12E1R (EL2) ---- */
    sys #0, c7, c9, #0, x0
    CHECK(x24, 2)
    CHECK(x21, 0x02000000)
    sys #4, c7, c8, #4, x0
    CHECK(x24, 3)
    CHECK(x21, 0x02000000)
    /* PAR_EL1 is still the last AT result */
    mrs x1, par_el1
    ubfx x1, x1, #0, #48
    CHECK(x1, 0x809)
    TEST_PASS

    .balign 2048
vectors:
    .skip 0x200
    mrs x21, esr_el1
    mrs x22, far_el1
    mrs x18, elr_el1
    add x24, x24, #1
    add x18, x18, #4
    msr elr_el1, x18
    eret
TEST_END
