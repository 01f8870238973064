/* Faults and UNDEFINED encodings of the integer loads and stores (EL1, MMU
 * off; system-level, so not runnable under qemu-user):
 *   - a faulting access leaves the destination registers and the base
 *     register unchanged (flotilla's documented choice in cpu/trans_ldst.c,
 *     which the architecture permits), including LDP whose second element
 *     faults after the first was loaded;
 *   - prefetches of faulting addresses do not fault;
 *   - unallocated size/opc/option combinations and STGP (MTE, not in v8.0)
 *     are UNDEFINED (ESR EC 0).
 * The exception handler skips the faulting instruction and records ESR_EL1,
 * FAR_EL1 and ELR_EL1. Expected syndromes are from the Arm ARM: EC 0x25
 * (data abort, same EL), WnR = ISS bit 6. */
#include "harness.inc"

/* EXPECT with the caller's line number (the harness macro cannot see it). */
#define CHECK(r, v) EXPECT_AT r, v, __LINE__
/* Check that register \r holds \base + \off (x25 is a temporary). */
#define CHECK_OFF(r, base, off) sub x25, r, base; CHECK(x25, off)
/* Check the last exception: count x24, EC, WnR (x25 is a temporary). */
#define CHECK_EXC(count, ec, wnr) CHECK(x24, count); lsr x25, x21, #26; CHECK(x25, ec); \
    ubfx x25, x21, #6, #1; CHECK(x25, wnr)

TEST_START
    adr x0, vectors
    msr vbar_el1, x0
    isb
    mov x24, #0
    mov x19, sp                     /* top of RAM: nothing mapped above */
    adrp x20, scratch_start
    add x20, x20, :lo12:scratch_start
    ldr x5, =0x0123456789abcdef
    ldr x6, =0xfedcba9876543210
    mov x9, #1
    lsl x9, x9, #48                 /* beyond the 48-bit PA range: faults */

    /* ---- LDP: first element readable, second faults ---- */
    str x5, [x19, #-8]
    sub x2, x19, #8
    ldr x0, =0x5a5a5a5a5a5a5a5a
    mov x7, x0
    ldp x0, x7, [x2]
    CHECK_EXC(1, 0x25, 0)
    CHECK_OFF(x22, x19, 0)          /* FAR: the second element */
    CHECK(x0, 0x5a5a5a5a5a5a5a5a)
    CHECK(x7, 0x5a5a5a5a5a5a5a5a)
    ldp x0, x7, [x2], #16           /* with writeback: base unchanged too */
    CHECK_EXC(2, 0x25, 0)
    CHECK(x0, 0x5a5a5a5a5a5a5a5a)
    CHECK_OFF(x2, x19, -8)
    ldpsw x0, x7, [x2, #4]!
    CHECK_EXC(3, 0x25, 0)
    CHECK_OFF(x22, x19, 0)
    CHECK(x0, 0x5a5a5a5a5a5a5a5a)
    CHECK(x7, 0x5a5a5a5a5a5a5a5a)
    CHECK_OFF(x2, x19, -8)
    /* the same instruction one element lower works */
    ldpsw x0, x7, [x2, #-4]!
    CHECK(x24, 3)
    CHECK(x7, 0xffffffff89abcdef)
    CHECK_OFF(x2, x19, -12)

    /* ---- single loads/stores with writeback ---- */
    ldr x0, =0x5a5a5a5a5a5a5a5a
    mov x3, x9
    ldr x0, [x3], #8
    CHECK_EXC(4, 0x25, 0)
    CHECK(x22, 0x1000000000000)
    CHECK(x0, 0x5a5a5a5a5a5a5a5a)
    CHECK(x3, 0x1000000000000)
    ldrsb w0, [x3, #-1]!
    CHECK_EXC(5, 0x25, 0)
    CHECK(x0, 0x5a5a5a5a5a5a5a5a)
    CHECK(x3, 0x1000000000000)
    str x5, [x3, #8]!
    CHECK_EXC(6, 0x25, 1)
    CHECK(x22, 0x1000000000008)
    CHECK(x3, 0x1000000000000)
    stp x5, x6, [x3], #-16
    CHECK_EXC(7, 0x25, 1)
    CHECK(x3, 0x1000000000000)
    mov x2, #0
    ldr x0, [x3, x2, lsl #3]
    CHECK_EXC(8, 0x25, 0)
    CHECK(x0, 0x5a5a5a5a5a5a5a5a)
    ldr x0, [x19]                   /* just past the end of RAM */
    CHECK_EXC(9, 0x25, 0)
    CHECK(x0, 0x5a5a5a5a5a5a5a5a)
    CHECK_OFF(x22, x19, 0)
1:  ldr x0, [x19, #8]
    CHECK_EXC(10, 0x25, 0)
    adr x0, 1b
    sub x0, x18, x0                 /* x18: ELR of the fault */
    CHECK(x0, 0)
    ldr x0, =0x5a5a5a5a5a5a5a5a

    /* ---- prefetches never fault ---- */
    prfm pldl1keep, [x9]
    prfm pstl1keep, [x19]
    prfum pldl1keep, [x9, #-1]
    prfm pldl1keep, [x9, x2]
    CHECK(x24, 10)

    /* ---- UNDEFINED encodings ---- */
    .inst 0xf8800c20                /* size 11, opc 10, pre-indexed */
    CHECK_EXC(11, 0x00, 0)
    .inst 0xf8800420                /* size 11, opc 10, post-indexed */
    CHECK_EXC(12, 0x00, 0)
    .inst 0xf8800820                /* size 11, opc 10, unprivileged */
    CHECK_EXC(13, 0x00, 0)
    .inst 0xb8c00020                /* size 10, opc 11, unscaled */
    CHECK_EXC(14, 0x00, 0)
    .inst 0xb9c00020                /* size 10, opc 11, unsigned offset */
    CHECK_EXC(15, 0x00, 0)
    .inst 0xf9c00020                /* size 11, opc 11, unsigned offset */
    CHECK_EXC(16, 0x00, 0)
    .inst 0xf8e06820                /* size 11, opc 11, register offset */
    CHECK_EXC(17, 0x00, 0)
    .inst 0xf8600820                /* LDR register offset, option 000 */
    CHECK_EXC(18, 0x00, 0)
    .inst 0x38602820                /* LDRB register offset, option 001 */
    CHECK_EXC(19, 0x00, 0)
    .inst 0xf8a08820                /* PRFM register offset, option 100 */
    CHECK_EXC(20, 0x00, 0)
    .inst 0x69000020                /* STGP (offset), MTE */
    CHECK_EXC(21, 0x00, 0)
    .inst 0x68800020                /* STGP (post-indexed) */
    CHECK_EXC(22, 0x00, 0)
    .inst 0x69800020                /* STGP (pre-indexed) */
    CHECK_EXC(23, 0x00, 0)
    .inst 0x68400020                /* LDNP with opc 01 */
    CHECK_EXC(24, 0x00, 0)
    .inst 0x68000020                /* STNP with opc 01 */
    CHECK_EXC(25, 0x00, 0)
    .inst 0xe9400020                /* LDP with opc 11 */
    CHECK_EXC(26, 0x00, 0)
    .inst 0xe8800020                /* STP with opc 11 */
    CHECK_EXC(27, 0x00, 0)
    .inst 0xe8c00020                /* LDP post-indexed, opc 11 */
    CHECK_EXC(28, 0x00, 0)
    prfm pldl1keep, vectors         /* PRFM literal: a hint */
    CHECK(x24, 28)

    /* ---- register writes around a faulting access (one block) ----
     * The IR optimiser drops a register write that a later write of the
     * same register hides, but never across an op that can fault: the
     * handler (which adds 1 to x24) must see 100 here, not 28. The
     * same for a store. */
    mov x26, x24
    mov x24, #100
    ldr x1, [x9]
    mov x25, x24
    mov x24, x26
    CHECK(x25, 101)
    mov x24, #200
    str x5, [x9, #16]
    mov x25, x24
    mov x24, x26
    CHECK(x25, 201)

    TEST_PASS

/* Synchronous exceptions from the current EL with SP_ELx (offset 0x200):
 * record ESR/FAR/ELR in x21/x22/x18, count in x24, skip the instruction. */
    .balign 2048
vectors:
    .skip 0x200
    mrs x21, esr_el1
    mrs x22, far_el1
    mrs x18, elr_el1
    add x24, x24, #1
    add x23, x18, #4
    msr elr_el1, x23
    eret
TEST_END
