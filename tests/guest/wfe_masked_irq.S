/* WFE with an interrupt pending but masked by PSTATE.I waits for an event.
 * flotilla-args: -smp 2
 *
 * WFI wakes on any pending interrupt, masked or not; WFE only on one that
 * PSTATE.I does not mask (Arm ARM, "Wait for Event": an IRQ interrupt,
 * unless masked). A kernel that waits for a spinlock with its interrupts
 * masked (spin_lock_irqsave: the queued spinlock waits in WFE) while its
 * timer interrupt is pending must not come straight back from every WFE:
 * flotilla did, and at -smp 8 on a 2-core host such cores took the host
 * CPU from the core holding the lock.
 *
 * Core 0 makes its virtual timer interrupt pending (GICv3 PPI 27, as in
 * irq_timer.S), masks IRQs, starts core 1 (PSCI CPU_ON) and waits in WFE
 * (event stream off) until core 1's flag is set, counting the WFEs that
 * complete before it. Core 1 delays, then sets the flag and sends SEV.
 * With WFE waiting for the SEV the count is 1; a WFE that completes at
 * once on the masked interrupt makes it thousands. The check allows 64
 * (an implementation may wake spuriously now and then). Then the timer is
 * disabled, IRQs unmasked: nothing is taken. */
#include "harness.inc"

// flotilla-args: -smp 2

#define GICD 0x08000000
#define GICR 0x080A0000           /* core 0's RD_base */
#define GICR_SGI (GICR + 0x10000) /* core 0's SGI_base */

TEST_START
    ldr x19, =record
    /* distributor: EnableGrp1; redistributor awake; PPI 27 Group 1, enabled */
    ldr x1, =GICD
    mov w2, #2
    str w2, [x1]
    ldr x1, =GICR
    ldr w2, [x1, #0x14]
    bic w2, w2, #2
    str w2, [x1, #0x14]
    mov x3, #1000
1:  ldr w2, [x1, #0x14]
    tbz w2, #2, 2f
    subs x3, x3, #1
    b.ne 1b
    mov x27, #(__LINE__ & 0xffff)
    b harness_fail
2:  ldr x1, =GICR_SGI
    mov w2, #(1 << 27)
    str w2, [x1, #0x80]           /* GICR_IGROUPR0 */
    mov w3, #0x80
    strb w3, [x1, #(0x400 + 27)]  /* GICR_IPRIORITYR */
    str w2, [x1, #0x100]          /* GICR_ISENABLER0 */
    mov x0, #7
    msr S3_0_C12_C12_5, x0        /* ICC_SRE_EL1 */
    mov x0, #0xf0
    msr S3_0_C4_C6_0, x0          /* ICC_PMR_EL1 */
    mov x0, #1
    msr S3_0_C12_C12_7, x0        /* ICC_IGRPEN1_EL1 */
    msr cntkctl_el1, xzr          /* no event stream */

    /* IRQs masked (they are from reset; say so), then the timer due now */
    msr daifset, #2
    msr cntv_cval_el0, xzr
    mov x0, #1
    msr cntv_ctl_el0, x0          /* enabled, not masked: ISTATUS = 1 */
    isb
    mrs x0, cntv_ctl_el0
    EXPECT x0, 5                  /* ENABLE | ISTATUS */
    mrs x0, S3_0_C12_C12_2        /* ICC_HPPIR1_EL1: the pending interrupt */
    EXPECT x0, 27

    ldr x0, =0xc4000003           /* CPU_ON(core 1, secondary) */
    mov x1, #1
    adr x2, secondary
    mov x3, #0
    hvc #0
    EXPECT x0, 0

    sevl
    wfe                           /* consumes the SEVL: the register is clear */
    mov x20, #0                   /* WFEs completed before the flag */
    ldr x6, =10000000             /* bound */
3:  wfe
    add x20, x20, #1
    ldar x0, [x19]
    cbnz x0, 4f
    subs x6, x6, #1
    b.ne 3b
    mov x27, #(__LINE__ & 0xffff)
    b harness_fail
4:  cmp x20, #64
    b.ls 5f
    mov x27, #(__LINE__ & 0xffff) /* WFE came back on the masked interrupt */
    b harness_fail
5:  msr cntv_ctl_el0, xzr         /* timer off: the interrupt is no longer pending */
    isb
    msr daifclr, #2
    isb
    TEST_PASS

/* Core 1: a delay long next to a WFE's round trip, then flag and SEV. */
secondary:
    ldr x19, =record
    ldr x0, =2000000
1:  subs x0, x0, #1
    b.ne 1b
    mov x1, #1
    stlr x1, [x19]
    sev
2:  wfi
    b 2b

    .data
    .balign 8
record:
    .quad 0
    .text

TEST_END
