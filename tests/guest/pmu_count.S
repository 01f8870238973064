/* PMUv3 (cpu/pmu.c, docs/pmu.md): identification, register round trips,
 * exact INST_RETIRED / CPU_CYCLES / cycle counter counts over a loop of
 * known length, SW_INCR, the PMCR.D divider, overflow flags (32-bit event
 * counters, PMCR.LC), EL filtering (PMEVTYPER.P/U, PMCCFILTR) of
 * instructions, EXC_TAKEN and EXC_RETURN across ERET / SVC, and the EL0
 * access rules of PMUSERENR_EL0 (trap syndromes, EC 0x18), and a data abort
 * in the middle of a block (the rest of the block is not counted).
 *
 * Counting convention (docs/pmu.md): a PMU register access sees the counts
 * of every instruction before it; the access itself counts after, so the
 * enabling MSR is counted and the disabling one is not. Cycles = instructions.
 *
 * x23 = the EL0 exception handler of the current phase (vector 0x400 jumps
 * there). The body avoids x26-x28 (harness). */
#include "harness.inc"

#define CHECK(r, v) EXPECT_AT r, v, __LINE__
#define N 1000

TEST_START
    adr x0, vectors
    msr vbar_el1, x0
    isb

    /* ---- identification ---- */
    mrs x0, id_aa64dfr0_el1
    ubfx x0, x0, #8, #4
    CHECK(x0, 1)                       /* PMUVer: PMUv3 */
    mrs x0, pmcr_el0
    CHECK(x0, 0x41013000)              /* IMP Arm, IDCODE A57, N = 6, all clear */
    mrs x0, pmceid0_el0
    CHECK(x0, 0x20701)                 /* SW_INCR, INST_RETIRED, EXC_TAKEN, EXC_RETURN, CPU_CYCLES */
    mrs x0, pmceid1_el0
    CHECK(x0, 2)                       /* BR_RETIRED (0x21) */

    /* ---- round trips ---- */
    mov x0, #3
    msr pmselr_el0, x0
    mrs x1, pmselr_el0
    CHECK(x1, 3)
    ldr x0, =0xc0000011
    msr pmxevtyper_el0, x0
    mrs x1, pmevtyper3_el0
    CHECK(x1, 0xc0000011)
    ldr x0, =0xffffffffffffffff
    msr pmevtyper2_el0, x0
    mrs x1, pmevtyper2_el0
    CHECK(x1, 0xc00003ff)              /* NSK/NSU/NSH/M RES0 (no EL2/EL3), 10-bit event */
    mov x0, #1234
    msr pmxevcntr_el0, x0
    mrs x1, pmevcntr3_el0
    CHECK(x1, 1234)
    ldr x0, =0x1ffffffff
    msr pmevcntr5_el0, x0
    mrs x1, pmevcntr5_el0
    CHECK(x1, 0xffffffff)              /* event counters are 32-bit */
    mov x0, #31
    msr pmselr_el0, x0
    ldr x0, =0xffffffff
    msr pmxevtyper_el0, x0             /* SEL 31: PMCCFILTR */
    mrs x1, pmccfiltr_el0
    CHECK(x1, 0xc0000000)
    msr pmccfiltr_el0, xzr
    ldr x0, =0x123456789abcdef
    msr pmccntr_el0, x0
    mrs x1, pmccntr_el0
    CHECK(x1, 0x123456789abcdef)       /* 64 bits, not counting (PMCR.E = 0) */

    /* set/clear pairs */
    ldr x0, =0xffffffff
    msr pmcntenset_el0, x0
    mrs x1, pmcntenset_el0
    CHECK(x1, 0x8000003f)
    mov x0, #5
    msr pmcntenclr_el0, x0
    mrs x1, pmcntenclr_el0
    CHECK(x1, 0x8000003a)
    ldr x0, =0xffffffff
    msr pmcntenclr_el0, x0
    mrs x1, pmcntenset_el0
    CHECK(x1, 0)
    msr pmintenset_el1, x0
    mrs x1, pmintenclr_el1
    CHECK(x1, 0x8000003f)
    msr pmintenclr_el1, x0
    mrs x1, pmintenset_el1
    CHECK(x1, 0)
    mov x2, #0x22
    msr pmovsset_el0, x2
    mrs x1, pmovsclr_el0
    CHECK(x1, 0x22)
    msr pmovsclr_el0, x0
    mrs x1, pmovsset_el0
    CHECK(x1, 0)

    /* PMCR.P and .C reset the counters and read as 0 */
    mov x0, #6
    msr pmcr_el0, x0
    mrs x1, pmcr_el0
    CHECK(x1, 0x41013000)
    mrs x1, pmevcntr3_el0
    CHECK(x1, 0)
    mrs x1, pmccntr_el0
    CHECK(x1, 0)

    /* ---- exact counts over a loop of N iterations (2N + the MSR) ---- */
    mov x0, #0x08                      /* INST_RETIRED */
    msr pmevtyper0_el0, x0
    mov x0, #0x11                      /* CPU_CYCLES */
    msr pmevtyper1_el0, x0
    mov x0, #0x41                      /* E, LC */
    msr pmcr_el0, x0
    ldr x2, =0x80000003
    ldr x1, =N
    msr pmcntenset_el0, x2
1:  subs x1, x1, #1
    b.ne 1b
    mrs x3, pmevcntr0_el0
    mrs x4, pmevcntr1_el0
    mrs x5, pmccntr_el0
    msr pmcntenclr_el0, x2
    CHECK(x3, 2 * N + 1)
    CHECK(x4, 2 * N + 2)
    CHECK(x5, 2 * N + 3)
    mrs x0, pmevcntr0_el0
    CHECK(x0, 2 * N + 4)               /* stopped at the disabling MSR */
    mrs x0, pmccntr_el0
    CHECK(x0, 2 * N + 4)

    /* ---- BR_RETIRED: every branch instruction, taken or not (counter 5,
     * so that the next part still finds counters 0/1 and x2 as it left them) ---- */
    mov x0, #0x21                      /* BR_RETIRED */
    msr pmevtyper5_el0, x0
    msr pmevcntr5_el0, xzr
    mov x9, #0x20
    ldr x1, =N
    msr pmcntenset_el0, x9
1:  subs x1, x1, #1
    b.ne 1b                            /* N: N - 1 taken, 1 not */
    cbz x1, 2f                         /* taken */
    nop
2:  tbnz x1, #0, 3f                    /* not taken */
3:  bl 4f
    b 5f
4:  ret
5:  mrs x3, pmevcntr5_el0
    msr pmcntenclr_el0, x9
    CHECK(x3, N + 5)
    mrs x0, pmevtyper5_el0
    CHECK(x0, 0x21)

    /* PMCR.E = 0 stops everything as well */
    mov x0, #0x47                      /* E, LC, P, C */
    msr pmcr_el0, x0
    msr pmcntenset_el0, x2
    nop
    nop
    mov x0, #0x40
    msr pmcr_el0, x0
    nop
    mrs x0, pmevcntr0_el0
    CHECK(x0, 4)                       /* the enabling MSR, nop, nop, mov */
    msr pmcntenclr_el0, x2

    /* ---- SW_INCR ---- */
    mov x0, #0x47
    msr pmcr_el0, x0                   /* E, reset */
    msr pmevtyper2_el0, xzr            /* SW_INCR */
    mov x0, #4
    msr pmcntenset_el0, x0
    mov x0, #5                         /* counter 0 (INST_RETIRED, disabled) and 2 */
    msr pmswinc_el0, x0
    msr pmswinc_el0, x0
    mrs x1, pmevcntr2_el0
    CHECK(x1, 2)
    mrs x1, pmevcntr0_el0
    CHECK(x1, 0)
    mov x0, #0x40
    msr pmcr_el0, x0                   /* E = 0: no increment */
    mov x0, #4
    msr pmswinc_el0, x0
    mrs x1, pmevcntr2_el0
    CHECK(x1, 2)
    msr pmcntenclr_el0, x0

    /* ---- PMCR.D: the cycle counter ticks every 64 cycles ---- */
    mov x0, #0x4f                      /* E, P, C, D, LC */
    msr pmcr_el0, x0
    ldr x2, =0x80000000
    ldr x1, =3200
    msr pmcntenset_el0, x2
1:  subs x1, x1, #1
    b.ne 1b
    mrs x3, pmccntr_el0                /* 6401 cycles */
    msr pmcntenclr_el0, x2
    CHECK(x3, 100)

    /* ---- overflow flags ---- */
    mov x0, #0x47                      /* E, LC, reset */
    msr pmcr_el0, x0
    ldr x0, =0xfffffff0
    msr pmevcntr0_el0, x0
    msr pmccntr_el0, x0                /* LC: no overflow at 2^32 */
    ldr x2, =0x80000001
    mov x1, #10
    msr pmcntenset_el0, x2
1:  subs x1, x1, #1
    b.ne 1b
    mrs x3, pmevcntr0_el0              /* 0xfffffff0 + 21 */
    mrs x4, pmovsset_el0
    mrs x5, pmccntr_el0
    msr pmcntenclr_el0, x2
    CHECK(x3, 5)
    CHECK(x4, 1)
    CHECK(x5, 0x100000007)
    mov x0, #1
    msr pmovsclr_el0, x0
    mov x0, #0x01                      /* E, LC = 0: the cycle counter overflows at 2^32 */
    msr pmcr_el0, x0
    ldr x0, =0xfffffff0
    msr pmccntr_el0, x0
    mov x1, #10
    msr pmcntenset_el0, x2
1:  subs x1, x1, #1
    b.ne 1b
    mrs x4, pmovsset_el0
    mrs x5, pmccntr_el0
    msr pmcntenclr_el0, x2
    CHECK(x4, 0x80000000)
    CHECK(x5, 0x100000006)             /* the value keeps its 64 bits */
    ldr x0, =0xffffffff
    msr pmovsclr_el0, x0

    /* ---- EL filtering, EXC_TAKEN, EXC_RETURN ---- */
    mov x0, #0x47
    msr pmcr_el0, x0
    ldr x0, =0x80000008                /* 0: INST_RETIRED at EL0 only */
    msr pmevtyper0_el0, x0
    ldr x0, =0x40000008                /* 1: INST_RETIRED at EL1 only */
    msr pmevtyper1_el0, x0
    ldr x0, =0x80000009                /* 2: EXC_TAKEN from EL0 */
    msr pmevtyper2_el0, x0
    ldr x0, =0x40000009                /* 3: EXC_TAKEN from EL1 */
    msr pmevtyper3_el0, x0
    mov x0, #0x0a                      /* 4: EXC_RETURN */
    msr pmevtyper4_el0, x0
    ldr x0, =0x80000011                /* 5: CPU_CYCLES at EL0 only */
    msr pmevtyper5_el0, x0
    ldr x0, =0x40000000                /* cycle counter: EL1 only */
    msr pmccfiltr_el0, x0
    mov x0, #0x3c0                     /* EL0t, DAIF masked */
    msr spsr_el1, x0
    adr x0, el0_loop
    msr elr_el1, x0
    adr x23, el0_svc
    ldr x1, =N
    ldr x2, =0x8000003f
    msr pmcntenset_el0, x2             /* EL1: 1 */
    eret                               /* EL1: 2 */
el0_loop:
1:  subs x1, x1, #1                    /* EL0: 2N */
    b.ne 1b
    svc #0                             /* EL0: 2N + 1; the vector's br: EL1 3 */
el0_svc:
    mrs x3, pmevcntr0_el0              /* EL1: 4 */
    mrs x4, pmevcntr1_el0              /* EL1: 5 */
    mrs x5, pmccntr_el0                /* EL1: 6 */
    svc #1                             /* EL1: 7; its vector's eret: 8 */
    mrs x6, pmevcntr1_el0              /* EL1: 9 */
    msr pmcntenclr_el0, x2
    CHECK(x3, 2 * N + 1)
    CHECK(x4, 4)
    CHECK(x5, 5)
    CHECK(x6, 8)
    mrs x0, pmevcntr0_el0
    CHECK(x0, 2 * N + 1)
    mrs x0, pmevcntr1_el0
    CHECK(x0, 9)
    mrs x0, pmevcntr2_el0
    CHECK(x0, 1)
    mrs x0, pmevcntr3_el0
    CHECK(x0, 1)
    mrs x0, pmevcntr4_el0
    CHECK(x0, 2)
    mrs x0, pmevcntr5_el0
    CHECK(x0, 2 * N + 1)
    mrs x0, pmccntr_el0
    CHECK(x0, 9)

    /* ---- EL0 access: PMUSERENR_EL0 ---- */
    mov x0, #4                         /* CR: cycle counter reads only */
    msr pmuserenr_el0, x0
    mov x0, #0x3c0
    msr spsr_el1, x0
    adr x0, el0_access
    msr elr_el1, x0
    adr x23, el0_trapped
    mov x7, #0
    mov x8, #0
    eret
el0_access:
    mrs x7, pmuserenr_el0              /* always readable at EL0 */
    mrs x8, pmccntr_el0                /* CR allows it */
    mrs x9, pmevcntr0_el0              /* needs EN or ER: trapped */
    b .
el0_trapped:
    mrs x21, esr_el1
    CHECK(x7, 4)
    CHECK(x8, 9)                       /* still disabled since the EL0 test */
    CHECK(x21, 0x6230f931)             /* EC 0x18, IL, MRS PMEVCNTR0_EL0 into x9 */

    mov x0, #1                         /* EN: everything but PMINTEN*_EL1 */
    msr pmuserenr_el0, x0
    mov x0, #0x3c0
    msr spsr_el1, x0
    adr x0, el0_access2
    msr elr_el1, x0
    adr x23, el0_undef
    eret
el0_access2:
    mov x0, #0x11
    msr pmevtyper0_el0, x0
    mrs x7, pmevtyper0_el0
    mrs x8, pmintenset_el1             /* EL1 only: UNDEFINED at EL0 */
    b .
el0_undef:
    mrs x21, esr_el1
    CHECK(x7, 0x11)
    CHECK(x21, 0x02000000)             /* EC 0 (unknown), IL */
    msr pmuserenr_el0, xzr
    mov x0, #0x3c0
    msr spsr_el1, x0
    adr x0, el0_access3
    msr elr_el1, x0
    adr x23, el0_trapped3
    eret
el0_access3:
    msr pmswinc_el0, x0                /* needs EN or SW: trapped (write) */
    b .
el0_trapped3:
    mrs x21, esr_el1
    CHECK(x21, 0x6238e418)             /* EC 0x18, MSR PMSWINC_EL0 from x0 */

    /* ---- a data abort in the middle of a block: the instructions after
     * the faulting one in its block did not run and are not counted ---- */
    mov x0, #0x08
    msr pmevtyper0_el0, x0
    mov x0, #0x47
    msr pmcr_el0, x0
    mov x1, sp                         /* the top of RAM: nothing mapped there */
    msr spsel, #0                      /* EL1t: the abort goes to vector 0x000 */
    mov x2, #1
    msr pmcntenset_el0, x2             /* 1 */
    nop                                /* 2 */
    ldr x0, [x1]                       /* faults: not counted; the handler: 3-6 */
    nop                                /* 7 */
    nop                                /* 8 */
    nop                                /* 9 */
    mrs x3, pmevcntr0_el0
    msr pmcntenclr_el0, x2
    msr spsel, #1
    CHECK(x3, 9)
    mrs x0, esr_el1
    lsr x0, x0, #26
    CHECK(x0, 0x25)                    /* it was a data abort */

    TEST_PASS

    .balign 2048
vectors:
    mrs x25, elr_el1                   /* sync, current EL with SP0: skip the faulting instruction */
    add x25, x25, #4
    msr elr_el1, x25
    eret
    .irp off, 0x080, 0x100, 0x180
    .org vectors + \off
    b harness_unexpected
    .endr
    .org vectors + 0x200
    eret                               /* sync, current EL with SPx: the EL1 SVC returns at once */
    .irp off, 0x280, 0x300, 0x380
    .org vectors + \off
    b harness_unexpected
    .endr
    .org vectors + 0x400
    br x23                             /* sync from EL0: this phase's handler */
    .irp off, 0x480, 0x500, 0x580, 0x600, 0x680, 0x700, 0x780
    .org vectors + \off
    b harness_unexpected
    .endr
    .org vectors + 0x800

    TEST_END
