/* Single-register loads and stores, unsigned and unscaled immediate offsets,
 * and the unprivileged forms: every size, sign extension to W and to X,
 * zero extension of W loads, partial-width stores, XZR as source and target.
 * Expected values follow from the data below (little-endian) and were
 * checked by running this program under qemu-aarch64-static. */
#include "harness.inc"

/* EXPECT with the caller's line number (the harness macro cannot see it). */
#define CHECK(r, v) EXPECT_AT r, v, __LINE__

TEST_START
    MMU_IDENTITY            /* unaligned accesses need Normal memory */
    adrp x1, data
    add x1, x1, :lo12:data
    add x2, x1, #8
    adrp x20, scratch_start
    add x20, x20, :lo12:scratch_start

    /* ---- byte loads (unsigned offset) ---- */
    mov x0, #-1
    ldrb w0, [x1]
    CHECK(x0, 0x81)
    ldrb w0, [x1, #1]
    CHECK(x0, 0x72)
    mov x0, #-1
    ldrsb w0, [x1]
    CHECK(x0, 0xffffff81)           /* W target: upper 32 bits zero */
    ldrsb x0, [x1]
    CHECK(x0, 0xffffffffffffff81)
    mov x0, #-1
    ldrsb w0, [x1, #1]
    CHECK(x0, 0x72)
    ldrsb x0, [x1, #1]
    CHECK(x0, 0x72)
    ldrb w0, [x1, #15]
    CHECK(x0, 0x80)

    /* ---- halfword loads ---- */
    mov x0, #-1
    ldrh w0, [x1, #4]
    CHECK(x0, 0x9685)
    mov x0, #-1
    ldrsh w0, [x1, #4]
    CHECK(x0, 0xffff9685)
    ldrsh x0, [x1, #4]
    CHECK(x0, 0xffffffffffff9685)
    ldrsh x0, [x1, #2]
    CHECK(x0, 0x64f3)
    mov x0, #-1
    ldrsh w0, [x1, #2]
    CHECK(x0, 0x64f3)

    /* ---- word loads ---- */
    mov x0, #-1
    ldr w0, [x1, #4]
    CHECK(x0, 0xb8a79685)           /* zero-extended */
    ldrsw x0, [x1, #4]
    CHECK(x0, 0xffffffffb8a79685)
    ldrsw x0, [x1]
    CHECK(x0, 0x64f37281)
    mov x0, #-1
    ldr w0, [x1, #12]
    CHECK(x0, 0x807f6e5d)

    /* ---- doubleword loads ---- */
    ldr x0, [x1]
    CHECK(x0, 0xb8a7968564f37281)
    ldr x0, [x1, #8]
    CHECK(x0, 0x807f6e5d4c3b2a19)

    /* ---- unscaled (LDUR*), positive and negative offsets ---- */
    ldur x0, [x1, #1]
    CHECK(x0, 0x19b8a7968564f372)
    mov x0, #-1
    ldur w0, [x2, #-3]
    CHECK(x0, 0x19b8a796)
    ldursh x0, [x1, #5]
    CHECK(x0, 0xffffffffffffa796)
    mov x0, #-1
    ldursh w0, [x1, #5]
    CHECK(x0, 0xffffa796)
    mov x0, #-1
    ldurh w0, [x1, #5]
    CHECK(x0, 0xa796)
    mov x0, #-1
    ldursb w0, [x2, #-1]
    CHECK(x0, 0xffffffb8)
    ldursb x0, [x2, #-1]
    CHECK(x0, 0xffffffffffffffb8)
    mov x0, #-1
    ldurb w0, [x2, #-8]
    CHECK(x0, 0x81)
    ldursw x0, [x2, #-4]
    CHECK(x0, 0xffffffffb8a79685)
    ldursw x0, [x2, #-8]
    CHECK(x0, 0x64f37281)
    ldur x0, [x2, #-8]
    CHECK(x0, 0xb8a7968564f37281)
    ldur x0, [x1, #255]             /* largest imm9 */
    CHECK(x0, 0)
    add x3, x1, #256
    ldur x0, [x3, #-256]            /* smallest imm9 */
    CHECK(x0, 0xb8a7968564f37281)

    /* ---- loads into XZR: no effect, and never SP ---- */
    mov x9, sp
    ldr xzr, [x1]
    ldrb wzr, [x1]
    ldrsw xzr, [x1, #4]
    mov x10, sp
    sub x10, x10, x9
    CHECK(x10, 0)

    /* ---- stores: only the addressed bytes change ---- */
    ldr x5, =0x0123456789abcdef
    ldr x6, =0xfedcba9876543210
    str x5, [x20]
    str x5, [x20, #8]
    str x5, [x20, #16]
    ldr x0, [x20]
    CHECK(x0, 0x0123456789abcdef)
    strb w6, [x20, #1]
    ldr x0, [x20]
    CHECK(x0, 0x0123456789ab10ef)
    strh w6, [x20, #2]
    ldr x0, [x20]
    CHECK(x0, 0x01234567321010ef)
    str w6, [x20, #4]
    ldr x0, [x20]
    CHECK(x0, 0x76543210321010ef)
    str x6, [x20, #8]
    ldr x0, [x20, #8]
    CHECK(x0, 0xfedcba9876543210)
    stur w5, [x20, #9]              /* bytes 9..12 = ef cd ab 89 */
    ldr x0, [x20, #8]
    CHECK(x0, 0xfedcba89abcdef10)
    add x3, x20, #24
    sturh w5, [x3, #-3]             /* bytes 21..22 = ef cd */
    ldr x0, [x20, #16]
    CHECK(x0, 0x01cdef6789abcdef)
    sturb w6, [x3, #-1]             /* byte 23 = 10 */
    ldr x0, [x20, #16]
    CHECK(x0, 0x10cdef6789abcdef)
    stur x6, [x3, #-7]              /* bytes 17..24 */
    ldr x0, [x20, #16]
    CHECK(x0, 0xdcba9876543210ef)
    ldrb w0, [x20, #24]
    CHECK(x0, 0xfe)
    /* stores from XZR write zeros */
    str xzr, [x20, #16]
    ldr x0, [x20, #16]
    CHECK(x0, 0)
    str x6, [x20, #16]
    strb wzr, [x20, #16]
    strh wzr, [x20, #18]
    str wzr, [x20, #20]
    ldr x0, [x20, #16]
    CHECK(x0, 0x3200)
    /* a W store of a register with upper bits set stores the low word */
    str x5, [x20, #32]
    str w6, [x20, #32]
    ldr x0, [x20, #32]
    CHECK(x0, 0x0123456776543210)

    /* ---- largest scaled unsigned offsets ---- */
    strb w6, [x20, #4095]
    ldrb w0, [x20, #4095]
    CHECK(x0, 0x10)
    add x3, x20, #4095
    ldrb w0, [x3]
    CHECK(x0, 0x10)
    strh w6, [x20, #8190]
    mov x4, #8190
    add x3, x20, x4
    ldrh w0, [x3]
    CHECK(x0, 0x3210)
    str w6, [x20, #16380]
    mov x4, #16380
    add x3, x20, x4
    ldr w0, [x3]
    CHECK(x0, 0x76543210)
    str x6, [x20, #32760]
    mov x4, #32760
    add x3, x20, x4
    ldr x0, [x3]
    CHECK(x0, 0xfedcba9876543210)
    ldrsw x0, [x20, #16380]
    CHECK(x0, 0x76543210)
    ldrsh x0, [x20, #8190]
    CHECK(x0, 0x3210)
    ldrsb x0, [x20, #4095]
    CHECK(x0, 0x10)

    /* ---- SP as base ---- */
    mov x19, sp
    add x3, x20, #0x1000
    mov sp, x3
    str x6, [sp, #8]
    ldr x0, [x3, #8]
    CHECK(x0, 0xfedcba9876543210)
    ldrsb x0, [sp, #15]
    CHECK(x0, 0xfffffffffffffffe)
    ldurh w0, [sp, #9]
    CHECK(x0, 0x5432)
    mov sp, x19

    mrs x0, sctlr_el1               /* the MMU off again: EL0 has no access in */
    bic x0, x0, #1                  /* MMU_IDENTITY's map, and the forms below */
    msr sctlr_el1, x0               /* are checked as with the MMU off */
    isb
    /* ---- unprivileged forms (at EL1 with the MMU off, and at EL0, they
     * behave like the ordinary ones here) ---- */
    mov x0, #-1
    ldtrb w0, [x1, #1]
    CHECK(x0, 0x72)
    ldtrsb x0, [x1]
    CHECK(x0, 0xffffffffffffff81)
    mov x0, #-1
    ldtrsb w0, [x1]
    CHECK(x0, 0xffffff81)
    mov x0, #-1
    ldtrh w0, [x1, #4]
    CHECK(x0, 0x9685)
    ldtrsh x0, [x1, #4]
    CHECK(x0, 0xffffffffffff9685)
    mov x0, #-1
    ldtrsh w0, [x1, #4]
    CHECK(x0, 0xffff9685)
    mov x0, #-1
    ldtr w0, [x2, #-4]
    CHECK(x0, 0xb8a79685)
    ldtrsw x0, [x2, #-4]
    CHECK(x0, 0xffffffffb8a79685)
    ldtr x0, [x1, #8]
    CHECK(x0, 0x807f6e5d4c3b2a19)
    sttr x5, [x20, #40]
    sttrb w6, [x20, #40]
    sttrh w6, [x20, #42]
    add x3, x20, #48
    sttr w6, [x3, #-4]
    ldr x0, [x20, #40]
    CHECK(x0, 0x765432103210cd10)

    TEST_PASS
TEST_END

    .data
    .balign 16
data:
    .byte 0x81, 0x72, 0xf3, 0x64, 0x85, 0x96, 0xa7, 0xb8
    .byte 0x19, 0x2a, 0x3b, 0x4c, 0x5d, 0x6e, 0x7f, 0x80
    .fill 256, 1, 0
