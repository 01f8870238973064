/* PSCI CPU_ON / AFFINITY_INFO / CPU_OFF on two cores.
 * flotilla-args: -smp 2
 *
 * Core 0 checks core 1 is OFF, starts it with CPU_ON (SMC64) at `secondary`
 * with a context id, and waits (bounded) for core 1 to report. Core 1 must
 * start as PSCI says (DEN0022 6.4.3): EL1h, MMU off, DAIF masked,
 * x0 = context id; it records MPIDR_EL1, CurrentEL, DAIF, SPSel, SCTLR.M
 * and x0, then publishes a flag with a release store. AFFINITY_INFO then
 * says ON and a second CPU_ON says ALREADY_ON. Core 1 turns itself off
 * (CPU_OFF); core 0 sees AFFINITY_INFO go back to OFF and starts it again
 * with another context id. */
#include "harness.inc"

// flotilla-args: -smp 2

#define ALREADY_ON 0xfffffffffffffffc

/* the record core 1 writes: flag, mpidr, currentel, daif, spsel, sctlr, x0, phase */
#define R_FLAG 0
#define R_MPIDR 8
#define R_EL 16
#define R_DAIF 24
#define R_SPSEL 32
#define R_SCTLR 40
#define R_X0 48
#define R_GO_OFF 56

.macro PSCI fn, a1=0, a2=0, a3=0
    ldr x0, =\fn
    ldr x1, =\a1
    ldr x2, =\a2
    ldr x3, =\a3
    hvc #0
.endm

/* Wait until the 64-bit word at [x19 + off] equals val (bounded). */
.macro WAIT_WORD off, val
    ldr x6, =100000000
.Lw\@:
    ldar x5, [x19]
    ldr x5, [x19, #\off]
    cmp x5, #\val
    b.eq .Ld\@
    yield
    subs x6, x6, #1
    b.ne .Lw\@
    mov x27, #(__LINE__ & 0xffff)
    b harness_fail
.Ld\@:
.endm

TEST_START
    ldr x19, =record

    PSCI 0xc4000004, 1, 0         /* AFFINITY_INFO(core 1) */
    EXPECT x0, 1                  /* OFF */

    PSCI 0xc4000003, 1, secondary, 0x1234    /* CPU_ON */
    EXPECT x0, 0
    PSCI 0xc4000003, 1, secondary, 0x1234    /* again: already on or on its way */
    cmp x0, #-4                   /* ALREADY_ON */
    b.eq 1f
    cmp x0, #-5                   /* ON_PENDING */
    b.eq 1f
    mov x27, #(__LINE__ & 0xffff)
    b harness_fail
1:
    WAIT_WORD R_FLAG, 1
    ldr x0, [x19, #R_MPIDR]
    and x0, x0, #0xffffff
    EXPECT x0, 1                  /* Aff0 = 1 */
    ldr x0, [x19, #R_EL]
    EXPECT x0, 4                  /* EL1 */
    ldr x0, [x19, #R_DAIF]
    EXPECT x0, 0x3c0
    ldr x0, [x19, #R_SPSEL]
    EXPECT x0, 1                  /* SP_EL1 */
    ldr x0, [x19, #R_SCTLR]
    EXPECT x0, 0                  /* MMU off */
    ldr x0, [x19, #R_X0]
    EXPECT x0, 0x1234             /* context id */

    PSCI 0xc4000004, 1, 0
    EXPECT x0, 0                  /* ON */
    PSCI 0xc4000003, 1, secondary, 0
    EXPECT x0, ALREADY_ON

    /* let core 1 turn itself off, wait for AFFINITY_INFO = OFF */
    mov x0, #1
    str x0, [x19, #R_GO_OFF]
    ldr x6, =100000000
2:  PSCI 0xc4000004, 1, 0
    cmp x0, #1
    b.eq 3f
    subs x6, x6, #1
    b.ne 2b
    mov x27, #(__LINE__ & 0xffff)
    b harness_fail
3:
    /* and on again, with a new context id */
    str xzr, [x19, #R_X0]
    str xzr, [x19, #R_GO_OFF]
    stlr xzr, [x19]
    PSCI 0x84000003, 1, secondary, 0x5678    /* the SMC32 form this time */
    EXPECT x0, 0
    WAIT_WORD R_FLAG, 1
    ldr x0, [x19, #R_X0]
    EXPECT x0, 0x5678
    ldr x0, [x19, #R_DAIF]
    EXPECT x0, 0x3c0
    TEST_PASS

/* Core 1: no stack, no vector table of its own until it sets VBAR. */
secondary:
    mov x10, x0
    ldr x19, =record
    adrp x1, harness_vectors
    add x1, x1, :lo12:harness_vectors
    mrs x2, daif                  /* before anything can change it */
    mrs x3, CurrentEL
    mrs x4, spsel
    mrs x5, sctlr_el1
    and x5, x5, #1
    msr vbar_el1, x1
    mrs x1, mpidr_el1
    str x1, [x19, #R_MPIDR]
    str x3, [x19, #R_EL]
    str x2, [x19, #R_DAIF]
    str x4, [x19, #R_SPSEL]
    str x5, [x19, #R_SCTLR]
    str x10, [x19, #R_X0]
    mov x1, #1
    stlr x1, [x19]                /* publish */
    /* wait for permission to turn off (bounded), then CPU_OFF */
    ldr x6, =100000000
1:  ldr x1, [x19, #R_GO_OFF]
    cbnz x1, 2f
    yield
    subs x6, x6, #1
    b.ne 1b
    b .                           /* core 0 reports the failure */
2:  ldr x0, =0x84000002           /* CPU_OFF: does not return */
    hvc #0
    b .

    .data
    .balign 8
record:
    .quad 0, 0, 0, 0, 0, 0, 0, 0
    .text

TEST_END
