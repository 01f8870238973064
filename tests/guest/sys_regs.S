/* System registers at EL1: identification values of the configured CPU
 * (Cortex-A57-like MIDR, LSE + CRC32 only, 64-byte lines), CurrentEL,
 * write/read-back of stored registers (with their RES0 bits), SPSel and
 * SP_EL0, DAIF through MSR immediate, NZCV, FPCR, the counter, DC ZVA. */
#include "harness.inc"

TEST_START
    /* identification */
    mrs x0, CurrentEL
    EXPECT x0, 0x4                  /* EL1 */
    mrs x0, midr_el1
    EXPECT x0, 0x411fd070
    mrs x0, mpidr_el1
    EXPECT x0, 0x80000000           /* bit 31 RES1, core 0 in Aff0 */
    mrs x0, revidr_el1
    EXPECT x0, 0
    mrs x0, ctr_el0
    EXPECT x0, 0x8444c004           /* DIC = IDC = 0, 64-byte lines */
    mrs x0, dczid_el0
    EXPECT x0, 4                    /* DC ZVA allowed, 64 bytes */
    mrs x0, id_aa64isar0_el1
    EXPECT x0, 0x211120             /* Atomic = 2, CRC32 = 1, SHA2 = 1, SHA1 = 1, AES = 2 (PMULL) */
    mrs x0, id_aa64isar1_el1
    EXPECT x0, 0
    mrs x0, id_aa64pfr0_el1
    and x0, x0, #0xffff
    EXPECT x0, 0x11                 /* EL0/EL1 AArch64 only, no EL2/EL3 */
    mrs x0, id_aa64pfr1_el1
    EXPECT x0, 0
    mrs x0, id_aa64dfr0_el1
    ubfx x1, x0, #8, #4
    EXPECT x1, 1                    /* PMUVer: PMUv3 (cpu/pmu.c) */
    and x1, x0, #0xf
    EXPECT x1, 6                    /* DebugVer v8 */
    mrs x0, id_aa64mmfr1_el1
    EXPECT x0, 0                    /* no PAN, VHE, ... */
    mrs x0, s3_0_c0_c4_4            /* ID_AA64ZFR0_EL1 */
    EXPECT x0, 0
    mrs x0, id_pfr0_el1             /* AArch32 ID registers read as zero */
    EXPECT x0, 0
    mrs x0, id_isar0_el1
    EXPECT x0, 0
    mrs x0, mvfr0_el1
    EXPECT x0, 0
    mrs x0, clidr_el1
    and x0, x0, #0x3f
    EXPECT x0, 0x23                 /* L1 separate I/D, L2 unified */
    msr csselr_el1, xzr             /* L1 data */
    isb
    mrs x0, ccsidr_el1
    and x0, x0, #7
    EXPECT x0, 2                    /* LineSize: 64 bytes */
    mov x0, #0xff
    msr csselr_el1, x0
    mrs x0, csselr_el1
    EXPECT x0, 0xf                  /* only Level and InD exist */
    mrs x0, cntfrq_el0
    EXPECT x0, 62500000

    /* stored registers read back what was written */
    ldr x1, =0x0123456789abcdef
    msr tpidr_el0, x1
    mrs x0, tpidr_el0
    EXPECT x0, 0x0123456789abcdef
    msr tpidrro_el0, x1
    mrs x0, tpidrro_el0
    EXPECT x0, 0x0123456789abcdef
    ldr x2, =0xfedcba9876543210
    msr tpidr_el1, x2
    mrs x0, tpidr_el1
    EXPECT x0, 0xfedcba9876543210
    mrs x0, tpidr_el0               /* distinct registers */
    EXPECT x0, 0x0123456789abcdef
    msr elr_el1, x1
    mrs x0, elr_el1
    EXPECT x0, 0x0123456789abcdef
    msr far_el1, x2
    mrs x0, far_el1
    EXPECT x0, 0xfedcba9876543210
    msr esr_el1, x1
    mrs x0, esr_el1
    EXPECT x0, 0x89abcdef           /* bits 63:32 RES0 in v8.0 */
    mov x3, #0x3c5
    movk x3, #0xf030, lsl #16
    msr spsr_el1, x3
    mrs x0, spsr_el1
    EXPECT x0, 0xf03003c5
    ldr x3, =0x40001234
    msr vbar_el1, x3
    mrs x0, vbar_el1
    EXPECT x0, 0x40001000           /* bits 10:0 RES0 */
    adrp x3, harness_vectors        /* restore the harness's table */
    add x3, x3, :lo12:harness_vectors
    msr vbar_el1, x3
    msr mair_el1, x1
    mrs x0, mair_el1
    EXPECT x0, 0x0123456789abcdef
    msr contextidr_el1, x2
    mrs x0, contextidr_el1
    EXPECT x0, 0x76543210
    mov x3, #0x19
    msr tcr_el1, x3
    mrs x0, tcr_el1
    EXPECT x0, 0x19
    msr ttbr0_el1, xzr
    mrs x0, ttbr0_el1
    EXPECT x0, 0
    msr mdscr_el1, xzr
    mrs x0, mdscr_el1
    EXPECT x0, 0
    mov x3, #3
    msr cntkctl_el1, x3
    mrs x0, cntkctl_el1
    EXPECT x0, 3
    msr oslar_el1, xzr              /* unlock the OS lock */
    mrs x0, oslsr_el1
    EXPECT x0, 0x8                  /* OSLM = 0b10, OSLK = 0 */
    mov x3, #1
    msr oslar_el1, x3
    mrs x0, oslsr_el1
    EXPECT x0, 0xa

    /* SCTLR_EL1: RES1 bits stay set */
    mrs x4, sctlr_el1
    msr sctlr_el1, xzr
    mrs x0, sctlr_el1
    EXPECT x0, 0x30d00800
    msr sctlr_el1, x4
    isb

    /* SPSel and SP_EL0 */
    mov x4, sp
    ldr x3, =0x40010000
    msr sp_el0, x3
    mrs x0, sp_el0
    EXPECT x0, 0x40010000
    mrs x0, spsel
    EXPECT x0, 1
    msr spsel, #0                   /* SP is now SP_EL0 */
    mov x0, sp
    EXPECT x0, 0x40010000
    mrs x0, spsel
    EXPECT x0, 0
    add sp, sp, #0x100
    msr spsel, #1                   /* back to SP_EL1 */
    mov x0, sp
    cmp x0, x4
    b.eq 1f
    mov x27, #(__LINE__ & 0xffff)
    b harness_fail
1:  mrs x0, sp_el0
    EXPECT x0, 0x40010100
    mov x3, #0
    msr spsel, x3                   /* register form too */
    mov x0, sp
    EXPECT x0, 0x40010100
    mov x3, #1
    msr spsel, x3

    /* DAIF */
    mrs x0, daif
    EXPECT x0, 0x3c0                /* masked at reset */
    msr daifclr, #0x2               /* I */
    mrs x0, daif
    EXPECT x0, 0x340
    msr daifclr, #0xf
    mrs x0, daif
    EXPECT x0, 0
    msr daifset, #0x9               /* D and F */
    mrs x0, daif
    EXPECT x0, 0x240
    mov x3, #0x3c0
    msr daif, x3
    mrs x0, daif
    EXPECT x0, 0x3c0

    /* NZCV */
    mov x3, #0xa0000000
    msr nzcv, x3
    mrs x0, nzcv
    EXPECT x0, 0xa0000000
    ldr x3, =0x5fffffff             /* only bits 31:28 exist */
    msr nzcv, x3
    mrs x0, nzcv
    EXPECT x0, 0x50000000

    /* FPCR / FPSR */
    mov x3, #(1 << 25)              /* DN */
    msr fpcr, x3
    mrs x0, fpcr
    EXPECT x0, 0x2000000
    msr fpcr, xzr
    mov x3, #0x1f                   /* cumulative exception flags */
    msr fpsr, x3
    mrs x0, fpsr
    EXPECT x0, 0x1f
    msr fpsr, xzr
    mrs x0, fpsr
    EXPECT x0, 0

    /* the counter moves forward */
    isb
    mrs x1, cntvct_el0
    mov x0, #20000
1:  subs x0, x0, #1
    b.ne 1b
    isb
    mrs x2, cntvct_el0
    cmp x2, x1
    b.hi 1f
    mov x27, #(__LINE__ & 0xffff)
    b harness_fail
1:  mrs x3, cntpct_el0
    cmp x3, x2
    b.hs 1f
    mov x27, #(__LINE__ & 0xffff)
    b harness_fail
1:

    /* DC ZVA zeroes exactly the aligned 64-byte block holding the address
     * (of Normal memory: with the MMU off it would be Device, see sys_align) */
    MMU_IDENTITY
    adrp x1, scratch_start
    add x1, x1, :lo12:scratch_start
    mov x2, #-1
    mov x3, #0
1:  str x2, [x1, x3]
    add x3, x3, #8
    cmp x3, #192
    b.ne 1b
    add x4, x1, #(64 + 13)
    dc zva, x4
    ldr x0, [x1, #56]
    EXPECT x0, 0xffffffffffffffff
    mov x5, #0
    mov x3, #64
1:  ldr x0, [x1, x3]
    orr x5, x5, x0
    add x3, x3, #8
    cmp x3, #128
    b.ne 1b
    EXPECT x5, 0
    ldr x0, [x1, #128]
    EXPECT x0, 0xffffffffffffffff
    /* DC ZVA is a store for the exclusive monitor: zeroing the block of a
     * reserved granule fails the STXR (as a plain store there does; the
     * page is armed, so DC ZVA leaves its fast path), one beside it not. */
    add x6, x1, #128
    ldxr x0, [x6]
    add x4, x1, #64
    dc zva, x4
    stxr w7, x2, [x6]
    EXPECT x7, 0                    /* another block: still reserved */
    ldxr x0, [x6]
    dc zva, x6
    stxr w7, x2, [x6]
    EXPECT x7, 1                    /* its own block: lost */
    ldr x0, [x6]
    EXPECT x0, 0                    /* zeroed, not the STXR's value */

    /* other cache maintenance executes */
    dc civac, x1
    dc cvac, x1
    dc cvau, x1
    dc ivac, x1
    ic iallu
    ic ialluis
    tlbi vmalle1
    tlbi vmalle1is
    tlbi vae1, x1
    dsb ish
    isb
    TEST_PASS
TEST_END
