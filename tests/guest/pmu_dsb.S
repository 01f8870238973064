/* INST_RETIRED stays exact across a DSB that waits for a TLBI broadcast
 * (cpu/pmu.c, docs/pmu.md). flotilla-args: -smp 2
 *
 * Core 1 runs a loop (so it is not asleep and a TLBI ... IS is queued to it);
 * core 0 counts 100 iterations of TLBI VMALLE1IS; DSB ISH; NOP; NOP; SUBS;
 * B.NE. A DSB that has to wait leaves its block at the next instruction;
 * the instructions after it in that block were counted when the block was
 * entered and must be given back. The count is 1 + 6 * 100 whether or not a
 * DSB waited. */
#include "harness.inc"

// flotilla-args: -smp 2

#define CHECK(r, v) EXPECT_AT r, v, __LINE__

TEST_START
    ldr x19, =record
    ldr x0, =0xc4000003           /* PSCI CPU_ON(core 1, secondary) */
    mov x1, #1
    adr x2, secondary
    mov x3, #0
    hvc #0
    CHECK(x0, 0)
    ldr x6, =100000000
1:  ldar x5, [x19]
    cbnz x5, 2f
    subs x6, x6, #1
    b.ne 1b
    mov x27, #(__LINE__ & 0xffff)
    b harness_fail

2:  mov x0, #0x08                 /* INST_RETIRED */
    msr pmevtyper0_el0, x0
    mov x0, #0x47                 /* E, P, C, LC */
    msr pmcr_el0, x0
    mov x2, #1
    mov x1, #100
    msr pmcntenset_el0, x2        /* 1 */
3:  tlbi vmalle1is
    dsb ish
    nop
    nop
    subs x1, x1, #1
    b.ne 3b                       /* 6 per iteration */
    mrs x3, pmevcntr0_el0
    msr pmcntenclr_el0, x2
    CHECK(x3, 601)
    TEST_PASS

secondary:
    ldr x19, =record
    mov x0, #1
    stlr x0, [x19]
4:  add x0, x0, #1                /* keep running: never asleep */
    b 4b

    .data
    .balign 8
record:
    .quad 0

TEST_END
