/* Arm debug exceptions (cpu/debug.c, docs/debug.md): hardware breakpoints
 * (EC 0x30/0x31), watchpoints with byte-address-select and load/store
 * control (EC 0x34/0x35, FAR = the accessed address), software step
 * (EC 0x32: "step completed" with ISV = 1, "step after an exception return
 * with SPSR.SS = 0" with ISV = 0, EX for a stepped LDXR), and the gates:
 * MDSCR_EL1.MDE/KDE, PSTATE.D, the OS lock and OS double lock.
 * ID_AA64DFR0_EL1 advertises 6 breakpoints and 4 watchpoints.
 *
 * Handler registers: x20 = vector offset, x21 = ESR, x22 = ELR, x26 = FAR;
 * x19 = where to continue after an exception from EL0. Same-EL exceptions
 * return after the faulting instruction. */
#include "harness.inc"
#define CHECK(r, v) EXPECT_AT r, v, __LINE__

.macro VEC off
    .balign 0x80
    mov x20, #\off
    b handler
.endm

#define MDE (1 << 15)
#define KDE (1 << 13)
/* DBGBCR: E, PMC = EL1 (0b01) or EL0 (0b10), BAS = 0b1111 */
#define BCR_EL1 (1 | (1 << 1) | (0xf << 5))
#define BCR_EL0 (1 | (2 << 1) | (0xf << 5))
/* DBGWCR: E, PAC = EL1, LSC (1 load, 2 store, 3 both), BAS */
#define WCR(lsc, bas) (1 | (1 << 1) | ((lsc) << 3) | ((bas) << 5))

.macro EXPECT_REG reg, other
    cmp \reg, \other
    b.eq .Lok\@
    adr x27, .
    b harness_fail
.Lok\@:
.endm

TEST_START
    adr x0, vectors
    msr vbar_el1, x0
    mrs x0, id_aa64dfr0_el1
    ubfx x1, x0, #12, #4
    CHECK(x1, 5)                    /* BRPs - 1 */
    ubfx x1, x0, #20, #4
    CHECK(x1, 3)                    /* WRPs - 1 */
    msr oslar_el1, xzr              /* the OS lock is set at reset */
    ldr x0, =(MDE | KDE)
    msr mdscr_el1, x0
    msr daifclr, #8                 /* PSTATE.D = 0: debug exceptions at EL1 */
    isb

    /* ---- hardware breakpoint at EL1 (breakpoint 3) ---- */
    adr x0, bp_fn
    msr dbgbvr3_el1, x0
    mov x0, #BCR_EL1
    msr dbgbcr3_el1, x0
    isb
    mov x20, #-1
    bl bp_fn
    CHECK(x20, 0x200)
    CHECK(x21, 0xc6000022)          /* EC 0x31, IL, IFSC 0x22 */
    adr x0, bp_fn
    EXPECT_REG x22, x0
    /* PSTATE.D masks it */
    msr daifset, #8
    mov x20, #-1
    bl bp_fn
    CHECK(x20, -1)
    msr daifclr, #8
    /* so does MDSCR_EL1.KDE = 0 at EL1 */
    mov x0, #MDE
    msr mdscr_el1, x0
    isb
    bl bp_fn
    CHECK(x20, -1)
    /* MDE = 0: no breakpoint at all */
    mov x0, #KDE
    msr mdscr_el1, x0
    isb
    bl bp_fn
    CHECK(x20, -1)
    /* the OS lock */
    ldr x0, =(MDE | KDE)
    msr mdscr_el1, x0
    mov x0, #1
    msr oslar_el1, x0
    isb
    mrs x0, oslsr_el1
    CHECK(x0, 0xa)                  /* OSLM = 0b10, OSLK */
    bl bp_fn
    CHECK(x20, -1)
    msr oslar_el1, xzr
    /* the OS double lock */
    mov x0, #1
    msr osdlr_el1, x0
    isb
    bl bp_fn
    CHECK(x20, -1)
    msr osdlr_el1, xzr
    isb
    bl bp_fn                        /* live again */
    CHECK(x20, 0x200)
    /* an EL0-only breakpoint does not fire at EL1 ... */
    mov x0, #BCR_EL0
    msr dbgbcr3_el1, x0
    isb
    mov x20, #-1
    bl bp_fn
    CHECK(x20, -1)
    /* ... but at EL0: EC 0x30 */
    adr x0, el0_bp
    msr dbgbvr3_el1, x0
    isb
    adr x19, back_el0_bp
    msr elr_el1, x0
    msr spsr_el1, xzr
    eret
el0_bp:
    nop
    b .
back_el0_bp:
    msr daifclr, #8                 /* the exception entry set PSTATE.D */
    CHECK(x20, 0x400)
    CHECK(x21, 0xc2000022)          /* EC 0x30 */
    adr x0, el0_bp
    EXPECT_REG x22, x0
    msr dbgbcr3_el1, xzr

    /* ---- watchpoint 2: stores to bytes 2..3 of the doubleword ---- */
    adr x1, wdata
    msr dbgwvr2_el1, x1
    mov x0, #WCR(2, 0xc)
    msr dbgwcr2_el1, x0
    isb
    mov x20, #-1
    ldrb w2, [x1, #2]               /* a load: LSC is stores only */
    strb w2, [x1, #1]               /* byte 1: not selected */
    str w2, [x1, #4]                /* bytes 4-7 */
    CHECK(x20, -1)
    mov x2, #0x55
st1:
    strb w2, [x1, #3]
    CHECK(x20, 0x200)
    CHECK(x21, 0xd6000062)          /* EC 0x35, IL, WnR, DFSC 0x22 */
    adr x0, st1
    EXPECT_REG x22, x0
    add x0, x1, #3
    EXPECT_REG x26, x0              /* FAR = the accessed address */
    ldrb w3, [x1, #3]
    CHECK(x3, 0)                    /* the store did not happen */
    /* an 8-byte store that covers the bytes */
    mov x20, #-1
    str x2, [x1]
    CHECK(x20, 0x200)
    EXPECT_REG x26, x1
    /* loads only (LSC = 0b01), word-aligned address with BAS[3:0] */
    add x0, x1, #4
    msr dbgwvr2_el1, x0
    mov x0, #WCR(1, 0x1)
    msr dbgwcr2_el1, x0
    isb
    mov x20, #-1
    str w2, [x1, #4]
    CHECK(x20, -1)
ld1:
    ldr w3, [x1, #4]
    CHECK(x20, 0x200)
    CHECK(x21, 0xd6000022)          /* WnR = 0 */
    adr x0, ld1
    EXPECT_REG x22, x0
    /* an unaligned access across the watched byte (MMU off: Device, so use a pair of bytes) */
    mov x20, #-1
    ldrb w3, [x1, #5]
    CHECK(x20, -1)
    /* LDXR is a load too */
    mov x20, #-1
    add x0, x1, #4
ldx1:
    ldxr w3, [x0]
    CHECK(x20, 0x200)
    CHECK(x21, 0xd6000022)
    msr dbgwcr2_el1, xzr
    /* address-mask form: MASK = 5 watches the 32-byte block at wdata (BAS all ones) */
    msr dbgwvr0_el1, x1
    ldr x0, =(WCR(3, 0xff) | (5 << 24))
    msr dbgwcr0_el1, x0
    isb
    mov x20, #-1
    ldr x3, [x1, #32]               /* the next block: no */
    CHECK(x20, -1)
    add x4, x1, #24
mask1:
    str x3, [x4]
    CHECK(x20, 0x200)
    CHECK(x21, 0xd6000062)
    EXPECT_REG x26, x4
    msr dbgwcr0_el1, xzr
    isb

    /* ---- software step of EL0 code ---- */
    /* MDSCR_EL1.SS without KDE: EL1 itself is not stepped */
    ldr x0, =(MDE | 1)
    msr mdscr_el1, x0
    isb
    /* step completed: one EL0 instruction runs, then EC 0x32 with ISV */
    mov x5, #0
    adr x19, back_step1
    adr x0, el0_step
    msr elr_el1, x0
    mov x0, #(1 << 21)              /* SPSR.SS = 1: active-not-pending after ERET */
    msr spsr_el1, x0
    mov x20, #-1
    eret
el0_step:
    add x5, x5, #1
    add x5, x5, #1
    b .
back_step1:
    CHECK(x5, 1)
    CHECK(x20, 0x400)
    CHECK(x21, 0xcb000022)          /* EC 0x32, IL, ISV, IFSC 0x22 */
    adr x0, el0_step + 4
    EXPECT_REG x22, x0
    /* step after an exception return with SPSR.SS = 0: nothing runs, ISV = 0 */
    mov x5, #0
    adr x19, back_step2
    adr x0, el0_step
    msr elr_el1, x0
    msr spsr_el1, xzr
    eret
back_step2:
    CHECK(x5, 0)
    CHECK(x21, 0xca000022)          /* EC 0x32, ISV = 0 */
    adr x0, el0_step
    EXPECT_REG x22, x0
    /* a stepped branch: ELR = its target */
    adr x19, back_step3
    adr x0, el0_branch
    msr elr_el1, x0
    mov x0, #(1 << 21)
    msr spsr_el1, x0
    eret
el0_branch:
    b el0_target
    nop
el0_target:
    nop
    b .
back_step3:
    CHECK(x21, 0xcb000022)
    adr x0, el0_target
    EXPECT_REG x22, x0
    /* a stepped LDXR: ESR.EX = 1 */
    adr x6, wdata
    adr x19, back_step4
    adr x0, el0_ldxr
    msr elr_el1, x0
    mov x0, #(1 << 21)
    msr spsr_el1, x0
    eret
el0_ldxr:
    ldxr x7, [x6]
    b .
back_step4:
    CHECK(x21, 0xcb000062)          /* EX (bit 6) */
    /* an SVC stepped from EL0: the SVC exception, SPSR.SS = 0 */
    adr x19, back_step5
    adr x0, el0_svc
    msr elr_el1, x0
    mov x0, #(1 << 21)
    msr spsr_el1, x0
    eret
el0_svc:
    svc #0
    b .
back_step5:
    CHECK(x21, 0x56000000)          /* SVC */
    CHECK(x23, 0)                   /* SPSR.SS = 0 */
    /* MDSCR_EL1.SS and KDE at EL1 with PSTATE.D set: no step */
    msr daifset, #8
    ldr x0, =(MDE | KDE | 1)
    msr mdscr_el1, x0
    isb
    mov x20, #-1
    nop
    nop
    CHECK(x20, -1)
    msr mdscr_el1, xzr
    isb
    TEST_PASS

bp_fn:
    nop
    ret

handler:
    mrs x21, esr_el1
    mrs x22, elr_el1
    mrs x23, spsr_el1
    mrs x26, far_el1
    cmp x20, #0x400
    b.eq 2f
    add x25, x22, #4
    msr elr_el1, x25
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

    .data
    .balign 64
wdata:
    .quad 0, 0, 0, 0, 0
TEST_END
