/* Synchronous exceptions taken to a vector table installed by the test:
 * SVC, BRK, UNDEFINED (UDF, unknown and EL1-only registers from EL0),
 * trapped EL0 register access (EC 0x18), SVC from EL0, vector choice
 * (SP0 / SPx / lower EL), DAIF masked on entry, SPSR/ELR/ESR contents,
 * ERET back (ELR+4 except for SVC, whose ELR already is the next insn),
 * and an illegal exception return (EC 0x0E with SPSR.IL).
 *
 * Handler registers: x20 = vector offset, x21 = ESR, x22 = ELR, x23 = SPSR,
 * x24 = DAIF in the handler, x19 = where to continue after an exception
 * from EL0. The test body avoids x19-x25. */
#include "harness.inc"

.macro VEC off
    .balign 0x80
    mov x20, #\off
    b handler
.endm

TEST_START
    adr x0, vectors
    msr vbar_el1, x0
    isb

    /* SVC at EL1h: vector +0x200, ELR = next instruction */
    mov x0, #0x60000000
    msr nzcv, x0
    msr daifclr, #0xf
    mov x20, #-1
svc1:
    svc #0x1234
    mrs x0, daif                    /* restored from SPSR by ERET */
    EXPECT x0, 0
    msr daifset, #0xf
    EXPECT x20, 0x200
    EXPECT x21, 0x56001234          /* EC 0x15, IL, imm16 */
    EXPECT x22, svc1 + 4
    EXPECT x23, 0x60000005          /* NZCV 0110, DAIF clear, EL1h */
    EXPECT x24, 0x3c0               /* all masked on entry */

    /* BRK: ELR = the BRK itself */
    mov x20, #-1
brk1:
    brk #0x42
    EXPECT x20, 0x200
    EXPECT x21, 0xf2000042          /* EC 0x3C, IL, imm16 */
    EXPECT x22, brk1
    and x0, x23, #0x3ff             /* NZCV is whatever the EXPECTs left */
    EXPECT x0, 0x3c5

    /* UDF / unallocated encoding */
    mov x20, #-1
udf1:
    .word 0x00000000
    EXPECT x20, 0x200
    EXPECT x21, 0x02000000          /* EC 0, IL */
    EXPECT x22, udf1

    /* unknown system register (PMEVCNTR6_EL0: the PMU has 6 counters, 0-5) */
    mov x20, #-1
undef_reg:
    mrs x0, pmevcntr6_el0
    EXPECT x21, 0x02000000
    EXPECT x22, undef_reg
    /* write to a read-only register */
    mov x20, #-1
undef_ro:
    msr midr_el1, x0
    EXPECT x21, 0x02000000
    EXPECT x22, undef_ro
    /* PAN (v8.1) is not implemented: MSR PAN, #1 is UNDEFINED */
    mov x20, #-1
undef_pan:
    .word 0xd500419f                /* msr pan, #1 */
    EXPECT x21, 0x02000000
    EXPECT x22, undef_pan

    /* SVC at EL1t (SP_EL0 selected): vector +0x000 */
    mov x4, sp
    msr sp_el0, x4
    msr spsel, #0
    mov x20, #-1
    svc #1
    msr spsel, #1
    EXPECT x20, 0x000
    EXPECT x21, 0x56000001
    and x0, x23, #0x3ff
    EXPECT x0, 0x3c4                /* EL1t */

    /* from EL0: SVC goes to +0x400 with SPSR = EL0t */
    adr x19, back_svc0
    adr x0, el0_svc
    msr elr_el1, x0
    msr spsr_el1, xzr               /* EL0t, DAIF clear */
    mov x20, #-1
    eret
el0_svc:
    svc #7
    b .
back_svc0:
    EXPECT x20, 0x400
    EXPECT x21, 0x56000007
    EXPECT x22, el0_svc + 4
    EXPECT x23, 0
    EXPECT x24, 0x3c0
    mrs x0, CurrentEL
    EXPECT x0, 4

    /* EL0 reading an EL1-only register: UNDEFINED */
    adr x19, back_el1reg
    adr x0, el0_el1reg
    msr elr_el1, x0
    msr spsr_el1, xzr
    eret
el0_el1reg:
    mrs x0, sctlr_el1
    b .
back_el1reg:
    EXPECT x20, 0x400
    EXPECT x21, 0x02000000
    EXPECT x22, el0_el1reg

    /* EL0 reading CTR_EL0 with SCTLR_EL1.UCT = 0: trapped, EC 0x18 */
    mrs x0, sctlr_el1
    bic x0, x0, #(1 << 15)
    msr sctlr_el1, x0
    adr x19, back_ctr
    adr x0, el0_ctr
    msr elr_el1, x0
    msr spsr_el1, xzr
    eret
el0_ctr:
    mrs x3, ctr_el0
    b .
back_ctr:
    EXPECT x20, 0x400
    /* EC 0x18, IL; ISS: Op0 3, Op2 1, Op1 3, CRn 0, Rt 3, CRm 0, read */
    EXPECT x21, 0x6232c061
    EXPECT x22, el0_ctr

    /* ... and allowed with UCT = 1; TPIDRRO_EL0 readable at EL0 */
    mrs x0, sctlr_el1
    orr x0, x0, #(1 << 15)
    msr sctlr_el1, x0
    mov x0, #0x5a
    msr tpidrro_el0, x0
    adr x19, back_ctr_ok
    adr x0, el0_ctr_ok
    msr elr_el1, x0
    msr spsr_el1, xzr
    eret
el0_ctr_ok:
    mrs x3, ctr_el0
    mrs x4, tpidrro_el0
    msr tpidrro_el0, x4             /* read-only at EL0: UNDEFINED */
    b .
back_ctr_ok:
    EXPECT x3, 0x8444c004
    EXPECT x4, 0x5a
    EXPECT x21, 0x02000000
    EXPECT x22, el0_ctr_ok + 8

    /* Illegal exception return: SPSR.M = EL0 with SP_EL1 (0b0001). The
     * PE stays at EL1h with PSTATE.IL set, and the instruction at ELR
     * takes an Illegal Execution State exception. */
    adr x0, illegal_target
    msr elr_el1, x0
    mov x0, #1
    msr spsr_el1, x0
    mov x20, #-1
    eret
illegal_target:
    nop
    EXPECT x20, 0x200
    EXPECT x21, 0x3a000000          /* EC 0x0E, IL */
    EXPECT x22, illegal_target
    ubfx x0, x23, #20, #1
    EXPECT x0, 1                    /* SPSR.IL */
    and x0, x23, #0xf
    EXPECT x0, 5                    /* still EL1h */
    mrs x0, CurrentEL
    EXPECT x0, 4

    adrp x0, harness_vectors
    add x0, x0, :lo12:harness_vectors
    msr vbar_el1, x0
    TEST_PASS

handler:
    mrs x21, esr_el1
    mrs x22, elr_el1
    mrs x23, spsr_el1
    mrs x24, daif
    cmp x20, #0x400
    b.eq 2f
    /* same EL: return after the instruction (SVC's ELR already is) */
    ubfx x25, x21, #26, #6
    cmp x25, #0x15
    b.eq 1f
    add x25, x22, #4
    msr elr_el1, x25
1:  bic x25, x23, #(1 << 20)        /* do not return with PSTATE.IL */
    msr spsr_el1, x25
    eret
2:  br x19                          /* from EL0: continue at EL1 */

    .balign 2048
vectors:
    VEC 0x000
    VEC 0x080
    VEC 0x100
    VEC 0x180
    VEC 0x200
    VEC 0x280
    VEC 0x300
    VEC 0x380
    VEC 0x400
    VEC 0x480
    VEC 0x500
    VEC 0x580
    VEC 0x600
    VEC 0x680
    VEC 0x700
    VEC 0x780
TEST_END
