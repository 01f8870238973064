/* Software-generated interrupts to self through ICC_SGI1R_EL1 (GICv3 CPU
 * interface): SGI 5 with TargetList = {Aff0 0} is taken at VBAR + 0x280 and
 * acknowledged as INTID 5. An SGI whose priority is not higher than
 * ICC_PMR_EL1 stays pending (HPPIR1 shows it, IAR1 reads 1023) and is taken
 * once PMR is raised. IRM = 1 ("all but self") does not reach a
 * single-core machine's only core. Nested priorities: a higher-priority
 * SGI preempts while a lower one is active (running priority, RPR). An
 * IRQ pending when ERET drops to EL0 with PSTATE.I clear is taken from EL0
 * at VBAR + 0x480 (lower EL, AArch64).
 *
 * Handler: x19 = IRQs taken, x20 = last IAR1, x21 = RPR after the
 * acknowledge; x25 scratch. The body avoids x19-x25. */
#include "harness.inc"

#define GICD 0x08000000
#define GICR 0x080A0000
#define GICR_SGI (GICR + 0x10000)
#define SGI1R(intid, targets) (((intid) << 24) | (targets))

.macro WAIT_IRQS n
    mov x5, #10000
.Lw\@:
    cmp x19, #\n
    b.hs .Ld\@
    subs x5, x5, #1
    b.ne .Lw\@
    mov x27, #(__LINE__ & 0xffff)
    b harness_fail
.Ld\@:
.endm

TEST_START
    adr x0, vectors
    msr vbar_el1, x0
    isb
    mov x19, #0

    ldr x1, =GICD
    mov w2, #2                    /* GICD_CTLR.EnableGrp1 */
    str w2, [x1]
    ldr x1, =GICR
    ldr w2, [x1, #0x14]
    bic w2, w2, #2                /* GICR_WAKER.ProcessorSleep = 0 */
    str w2, [x1, #0x14]
    ldr x1, =GICR_SGI
    mov w2, #0x60                 /* SGIs 5 and 6 */
    str w2, [x1, #0x80]           /* Group 1 */
    mov w3, #0xa0
    strb w3, [x1, #0x405]         /* SGI 5: priority 0xa0 */
    mov w3, #0x40
    strb w3, [x1, #0x406]         /* SGI 6: priority 0x40 (higher) */
    str w2, [x1, #0x100]          /* enable */
    mov x0, #0xf0
    msr S3_0_C4_C6_0, x0          /* PMR */
    mov x0, #1
    msr S3_0_C12_C12_7, x0        /* IGRPEN1 */
    isb
    msr daifclr, #2

    /* SGI 5 to self: taken */
    ldr x0, =SGI1R(5, 1)
    msr S3_0_C12_C11_5, x0        /* ICC_SGI1R_EL1 */
    isb
    WAIT_IRQS 1
    EXPECT x19, 1
    EXPECT x20, 5
    EXPECT x21, 0xa0              /* running priority = SGI 5's while active */
    mrs x0, S3_0_C12_C11_3        /* RPR: idle after EOI */
    EXPECT x0, 0xff

    /* PMR at 0xa0 masks priority 0xa0 (must be strictly higher) */
    msr daifset, #2
    mov x0, #0xa0
    msr S3_0_C4_C6_0, x0
    ldr x0, =SGI1R(5, 1)
    msr S3_0_C12_C11_5, x0
    isb
    mrs x0, S3_0_C12_C12_2        /* HPPIR1 ignores PMR */
    EXPECT x0, 5
    msr daifclr, #2
    isb
    mov x5, #1000
1:  subs x5, x5, #1
    b.ne 1b
    EXPECT x19, 1                 /* still not taken */
    mov x0, #0xf0
    msr S3_0_C4_C6_0, x0          /* unmask in the GIC: now it is taken */
    isb
    WAIT_IRQS 2
    EXPECT x20, 5

    /* IRM = 1: every core but self, so nothing here */
    ldr x0, =(1 << 40) | (5 << 24)
    msr S3_0_C12_C11_5, x0
    isb
    mrs x0, S3_0_C12_C12_2
    EXPECT x0, 1023
    /* a TargetList without our Aff0 does not reach us either */
    ldr x0, =SGI1R(5, 2)
    msr S3_0_C12_C11_5, x0
    isb
    mrs x0, S3_0_C12_C12_2
    EXPECT x0, 1023
    EXPECT x19, 2

    /* preemption: the SGI 5 handler sends SGI 6 (higher priority) to
     * self and unmasks; SGI 6 is taken inside it */
    mov x19, #0
    ldr x0, =nest_flag
    mov x1, #1
    str x1, [x0]
    ldr x0, =SGI1R(5, 1)
    msr S3_0_C12_C11_5, x0
    isb
    WAIT_IRQS 2
    ldr x0, =order
    ldp x1, x2, [x0]
    EXPECT x1, 6                  /* SGI 6 completed first (nested) */
    EXPECT x2, 5
    msr daifset, #2

    /* IRQ from EL0: pend SGI 5 while masked, ERET to EL0 with I clear */
    mov x20, #0
    ldr x0, =SGI1R(5, 1)
    msr S3_0_C12_C11_5, x0
    isb
    mrs x0, S3_0_C12_C12_2
    EXPECT x0, 5
    adr x0, el0_code
    msr elr_el1, x0
    msr spsr_el1, xzr             /* EL0t, DAIF clear */
    eret
back_el1:
    EXPECT x20, 5
    and x0, x23, #0x3ff
    EXPECT x0, 0                  /* SPSR: EL0t, DAIF clear */
    adr x0, el0_code
    cmp x22, x0
    b.lo 1f
    adr x0, el0_end
    cmp x22, x0
    b.hs 1f
    TEST_PASS
1:  mov x27, #(__LINE__ & 0xffff)
    b harness_fail

el0_code:
    mov x5, #10000
1:  subs x5, x5, #1
    b.ne 1b
    svc #0                        /* not interrupted: the guard vector fails the test */
el0_end:

el0_irq:
    mrs x20, S3_0_C12_C12_0       /* IAR1 */
    mrs x22, elr_el1
    mrs x23, spsr_el1
    msr S3_0_C12_C12_1, x20       /* EOIR1 */
    ldr x25, =back_el1
    msr elr_el1, x25
    mov x25, #0x3c5               /* back to EL1h, all masked */
    msr spsr_el1, x25
    eret

irq_handler:
    mrs x20, S3_0_C12_C12_0       /* IAR1 */
    mrs x21, S3_0_C12_C11_3       /* RPR */
    cmp x20, #5
    b.ne 2f
    ldr x25, =nest_flag
    ldr x25, [x25]
    cbz x25, 2f
    /* nested case: save ELR/SPSR, send SGI 6, unmask, wait for it */
    ldr x25, =nest_flag
    str xzr, [x25]
    mrs x23, elr_el1
    mrs x24, spsr_el1
    ldr x25, =SGI1R(6, 1)
    msr S3_0_C12_C11_5, x25
    isb
    msr daifclr, #2
    mov x25, #10000
1:  cmp x19, #1
    b.hs 3f
    subs x25, x25, #1
    b.ne 1b
3:  msr daifset, #2
    msr elr_el1, x23
    msr spsr_el1, x24
    mov x20, #5
2:  msr S3_0_C12_C12_1, x20       /* EOIR1 */
    ldr x25, =order
    str x20, [x25, x19, lsl #3]
    add x19, x19, #1
    eret

    .data
    .balign 8
nest_flag:
    .quad 0
order:
    .quad 0, 0, 0, 0
    .text

    .balign 2048
vectors:
    .rept 5
    .balign 128
    b harness_unexpected
    .endr
    .balign 128
    b irq_handler
    .rept 3
    .balign 128
    b harness_unexpected
    .endr
    .balign 128                   /* +0x480: IRQ from EL0 (AArch64) */
    b el0_irq
    .rept 6
    .balign 128
    b harness_unexpected
    .endr

TEST_END
