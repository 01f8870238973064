/* Virtual timer interrupt through the GICv3: enable the distributor (Group
 * 1), wake the redistributor, enable PPI 27 (Group 1, priority 0x80), set
 * ICC_PMR/IGRPEN1, program CNTV_TVAL with a short delay, unmask IRQs and
 * WFI. The interrupt is taken at VBAR_EL1 + 0x280 (IRQ, current EL with
 * SP_ELx) with DAIF all masked, ELR = the next instruction, SPSR = the
 * interrupted PSTATE; ICC_IAR1 returns 27, CNTV_CTL has ISTATUS set.
 * Then: a timer that fires while PSTATE.I masks IRQs stays pending (HPPIR1
 * = 27) and is taken right after MSR DAIFClr, with ELR = the instruction
 * after it (no lost interrupt).
 *
 * Handler: x19 = count of IRQs taken, x20 = IAR1, x21 = CNTV_CTL at entry,
 * x22 = ELR, x23 = SPSR, x24 = DAIF; x25 scratch. The body avoids x19-x25. */
#include "harness.inc"
#include "gicv3.inc"

TEST_START
    adr x0, vectors
    msr vbar_el1, x0
    isb
    mov x19, #0

    GICV3_ENABLE_PPI 27
    ldr w4, [x1, #0x100]
    EXPECT x4, (1 << 27)
    mrs x0, S3_0_C12_C12_5
    EXPECT x0, 7
    mrs x0, S3_0_C12_C12_2        /* ICC_HPPIR1_EL1: nothing pending */
    EXPECT x0, 1023

    /* virtual timer: 1 ms (62.5 MHz counter), enabled, unmasked */
    mrs x0, cntfrq_el0
    EXPECT x0, 62500000
    ldr x0, =62500
    msr cntv_tval_el0, x0
    mov x0, #1
    msr cntv_ctl_el0, x0
    isb
    mrs x0, cntv_ctl_el0
    EXPECT x0, 1                  /* not expired yet: ISTATUS = 0 */

    msr daifclr, #2
    ldr x5, =100000                /* bound: WFI may also wake spuriously */
3:  wfi
    cbnz x19, 4f
    subs x5, x5, #1
    b.ne 3b
    mov x27, #(__LINE__ & 0xffff)
    b harness_fail
4:  msr daifset, #2
    EXPECT x19, 1
    EXPECT x20, 27                /* IAR1: the virtual timer's PPI */
    EXPECT x21, 5                 /* CNTV_CTL: ENABLE | ISTATUS */
    and x0, x23, #0x3ff
    EXPECT x0, 0x345              /* SPSR: D, A, F masked, I clear, EL1h */
    EXPECT x24, 0x3c0             /* all masked in the handler */
    adr x0, 3b
    adr x1, 4b
    cmp x22, x0                   /* ELR inside the wait loop */
    b.lo 5f
    cmp x22, x1
    b.hi 5f
    mrs x0, cntv_ctl_el0
    EXPECT x0, 7                  /* IMASK set by the handler, still ISTATUS */
    mrs x0, S3_0_C12_C11_3        /* ICC_RPR_EL1: idle again after EOI */
    EXPECT x0, 0xff
    mrs x0, S3_0_C12_C12_2
    EXPECT x0, 1023
    b 6f
5:  mov x27, #(__LINE__ & 0xffff)
    b harness_fail

6:  /* A timer expiring while IRQs are masked stays pending. */
    mov x0, #100
    msr cntv_tval_el0, x0         /* 1.6 us */
    mov x0, #1
    msr cntv_ctl_el0, x0
    ldr x5, =10000000
7:  mrs x0, cntv_ctl_el0
    tbnz x0, #2, 8f
    subs x5, x5, #1
    b.ne 7b
    mov x27, #(__LINE__ & 0xffff)
    b harness_fail
8:  isb
    mrs x0, S3_0_C12_C12_2        /* HPPIR1 */
    EXPECT x0, 27
    EXPECT x19, 1                 /* not taken while masked */
    msr daifclr, #2
after_unmask:
    msr daifset, #2
    EXPECT x19, 2
    EXPECT x20, 27
    EXPECT x22, after_unmask

    /* the handler left the timer masked: nothing else is pending */
    mrs x0, S3_0_C12_C12_2
    EXPECT x0, 1023
    mov x0, #0
    msr cntv_ctl_el0, x0
    TEST_PASS

irq_handler:
    mrs x20, S3_0_C12_C12_0       /* ICC_IAR1_EL1: acknowledge */
    mrs x21, cntv_ctl_el0
    mrs x22, elr_el1
    mrs x23, spsr_el1
    mrs x24, daif
    mov x25, #3                   /* ENABLE | IMASK: the line drops */
    msr cntv_ctl_el0, x25
    msr S3_0_C12_C12_1, x20       /* ICC_EOIR1_EL1: drop priority, deactivate */
    add x19, x19, #1
    eret

    CUR_EL_VECTORS harness_unexpected, irq_handler

TEST_END
