/* PMUv3 overflow interrupt (cpu/pmu.c, docs/pmu.md) through the GICv3: PPI
 * 23, Group 1. An INST_RETIRED counter set 1000 instructions short of its
 * 32-bit wrap, with its PMINTENSET bit, interrupts the loop below: the
 * handler sees INTID 23, PMOVSSET bit 0 and a counter that has wrapped
 * (flotilla stops at the first block boundary after the wrap: a skid under
 * one block). Then the cycle counter with PMCR.LC = 0 wraps at 2^32: its
 * interrupt names bit 31, and another counter that overflowed meanwhile
 * without its interrupt enabled only sets its flag. After the handler
 * clears the flags the level drops: nothing stays pending.
 *
 * Handler: x19 = count of IRQs, x20 = IAR1, x21 = PMOVSSET, x22 = the
 * counter named by x24 (0: PMEVCNTR0, 1: PMCCNTR), read in the handler. */
#include "harness.inc"
#include "gicv3.inc"

#define CHECK(r, v) EXPECT_AT r, v, __LINE__

TEST_START
    adr x0, vectors
    msr vbar_el1, x0
    isb
    mov x19, #0

    GICV3_ENABLE_PPI 23

    /* ---- an event counter's overflow ---- */
    mov x24, #0
    mov x0, #0x08                 /* INST_RETIRED */
    msr pmevtyper0_el0, x0
    ldr x0, =(0x100000000 - 1000)
    msr pmevcntr0_el0, x0
    mov x0, #1
    msr pmintenset_el1, x0
    mov x0, #0x41                 /* E, LC (no P: counter 0 keeps its value) */
    msr pmcr_el0, x0
    mov x0, #1
    msr pmcntenset_el0, x0
    msr daifclr, #2
    ldr x5, =100000
3:  cbnz x19, 4f
    subs x5, x5, #1
    b.ne 3b
    mov x27, #(__LINE__ & 0xffff)
    b harness_fail
4:  msr daifset, #2
    CHECK(x19, 1)
    CHECK(x20, 23)
    CHECK(x21, 1)
    cmp x22, #100                 /* wrapped, less than a block (plus the handler's entry) ago */
    b.lo 5f
    mov x27, #(__LINE__ & 0xffff)
    b harness_fail
5:  ldr x0, =100000
    sub x0, x0, x5
    cmp x0, #300                  /* not before the wrap: ~333 iterations of 3 instructions */
    b.hs 6f
    mov x27, #(__LINE__ & 0xffff)
    b harness_fail
6:  mrs x0, S3_0_C12_C12_2        /* ICC_HPPIR1: the level dropped with PMOVS */
    CHECK(x0, 1023)
    mov x0, #1
    msr pmcntenclr_el0, x0
    msr pmintenclr_el1, x0

    /* ---- the cycle counter, 32-bit overflow (LC = 0) ---- */
    mov x24, #1
    mov x0, #0x07                 /* E, P, C; LC = 0 */
    msr pmcr_el0, x0
    ldr x0, =(0x100000000 - 2000)
    msr pmccntr_el0, x0
    ldr x0, =(0x100000000 - 10)
    msr pmevcntr1_el0, x0         /* overflows first, no interrupt enabled */
    mov x0, #0x08
    msr pmevtyper1_el0, x0
    ldr x0, =0x80000000
    msr pmintenset_el1, x0
    ldr x0, =0x80000002
    msr pmcntenset_el0, x0
    msr daifclr, #2
    ldr x5, =100000
3:  cmp x19, #2
    b.eq 4f
    subs x5, x5, #1
    b.ne 3b
    mov x27, #(__LINE__ & 0xffff)
    b harness_fail
4:  msr daifset, #2
    CHECK(x19, 2)
    CHECK(x20, 23)
    CHECK(x21, 0x80000002)
    cmp x22, #100
    b.lo 5f
    mov x27, #(__LINE__ & 0xffff)
    b harness_fail
5:  ldr x0, =0x80000002
    msr pmcntenclr_el0, x0
    mrs x0, pmccntr_el0
    lsr x0, x0, #32
    CHECK(x0, 1)                  /* the value keeps counting past 2^32 */
    mrs x0, S3_0_C12_C12_2
    CHECK(x0, 1023)
    mrs x0, pmovsset_el0
    CHECK(x0, 0)
    TEST_PASS

irq_handler:
    mrs x20, S3_0_C12_C12_0       /* ICC_IAR1_EL1 */
    mrs x21, pmovsset_el0
    cbnz x24, 1f
    mrs x22, pmevcntr0_el0
    b 2f
1:  mrs x22, pmccntr_el0
    and x22, x22, #0xffffffff
2:  msr pmovsclr_el0, x21         /* the level drops */
    msr S3_0_C12_C12_1, x20       /* ICC_EOIR1_EL1 */
    add x19, x19, #1
    eret

    .balign 2048
vectors:
    .irp off, 0x000, 0x080, 0x100, 0x180, 0x200
    .org vectors + \off
    b harness_unexpected
    .endr
    .org vectors + 0x280          /* IRQ, current EL with SPx */
    b irq_handler
    .irp off, 0x300, 0x380, 0x400, 0x480, 0x500, 0x580, 0x600, 0x680, 0x700, 0x780
    .org vectors + \off
    b harness_unexpected
    .endr
    .org vectors + 0x800

TEST_END
