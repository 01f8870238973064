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
#include "gicv3.inc"

// flotilla-args: -smp 2

TEST_START
    ldr x19, =record
    GICV3_ENABLE_PPI 27
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
    /* The flag before each WFE, as a guest's wait loop does: core 1's SEV
     * may come before the first WFE (merged with the SEVL above, if core 0
     * ran late), and then no event is left to end a WFE. */
3:  ldar x0, [x19]
    cbnz x0, 4f
    wfe
    add x20, x20, #1
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
