/* Pre- and post-indexed single-register loads and stores: the access uses
 * base+imm (pre) or base (post), the base is written back with base+imm;
 * negative offsets, the imm9 extremes, SP as base, and the CONSTRAINED
 * UNPREDICTABLE Rt == Rn cases with the choices documented in
 * cpu/trans_ldst.c (those match qemu-aarch64). Expected values follow from
 * the data below and were checked under qemu-aarch64-static. */
#include "harness.inc"

/* EXPECT with the caller's line number (the harness macro cannot see it). */
#define CHECK(r, v) EXPECT_AT r, v, __LINE__
/* Check that register \r holds \base + \off (x25 is a temporary). */
#define CHECK_OFF(r, base, off) sub x25, r, base; CHECK(x25, off)

TEST_START
    MMU_IDENTITY            /* unaligned accesses need Normal memory */
    adrp x1, data
    add x1, x1, :lo12:data
    adrp x20, scratch_start
    add x20, x20, :lo12:scratch_start
    ldr x5, =0x0123456789abcdef
    ldr x6, =0xfedcba9876543210

    /* ---- loads ---- */
    mov x2, x1
    ldr x0, [x2, #8]!
    CHECK(x0, 0x807f6e5d4c3b2a19)
    CHECK_OFF(x2, x1, 8)
    ldr x0, [x2], #-8
    CHECK(x0, 0x807f6e5d4c3b2a19)
    CHECK_OFF(x2, x1, 0)
    mov x0, #-1
    ldrb w0, [x2, #3]!
    CHECK(x0, 0x64)
    CHECK_OFF(x2, x1, 3)
    ldrsb x0, [x2], #1
    CHECK(x0, 0x64)
    CHECK_OFF(x2, x1, 4)
    mov x0, #-1
    ldrsb w0, [x2], #1
    CHECK(x0, 0xffffff85)
    CHECK_OFF(x2, x1, 5)
    ldrsh x0, [x2, #-1]!
    CHECK(x0, 0xffffffffffff9685)
    CHECK_OFF(x2, x1, 4)
    mov x0, #-1
    ldrh w0, [x2], #-2
    CHECK(x0, 0x9685)
    CHECK_OFF(x2, x1, 2)
    mov x0, #-1
    ldrsh w0, [x2], #2
    CHECK(x0, 0x64f3)
    CHECK_OFF(x2, x1, 4)
    ldrsw x0, [x2], #4
    CHECK(x0, 0xffffffffb8a79685)
    CHECK_OFF(x2, x1, 8)
    mov x0, #-1
    ldr w0, [x2, #-8]!
    CHECK(x0, 0x64f37281)
    CHECK_OFF(x2, x1, 0)
    ldrsw x0, [x2, #4]!
    CHECK(x0, 0xffffffffb8a79685)
    CHECK_OFF(x2, x1, 4)
    mov x0, #-1
    ldrsb w0, [x2, #-4]!
    CHECK(x0, 0xffffff81)
    CHECK_OFF(x2, x1, 0)

    /* imm9 extremes */
    add x2, x1, #256
    ldr x0, [x2, #-256]!
    CHECK(x0, 0xb8a7968564f37281)
    CHECK_OFF(x2, x1, 0)
    ldr x0, [x2], #255
    CHECK(x0, 0xb8a7968564f37281)
    CHECK_OFF(x2, x1, 255)
    ldrb w0, [x2, #-255]!
    CHECK(x0, 0x81)
    CHECK_OFF(x2, x1, 0)
    ldr x0, [x2, #255]!
    CHECK(x0, 0)
    CHECK_OFF(x2, x1, 255)
    ldrsb x0, [x2], #-256
    CHECK(x0, 0)
    CHECK_OFF(x2, x1, -1)

    /* ---- stores ---- */
    str xzr, [x20]
    str x6, [x20, #16]
    mov x3, x20
    str x6, [x3, #16]!
    CHECK_OFF(x3, x20, 16)
    strb w5, [x3], #2
    CHECK_OFF(x3, x20, 18)
    ldr x0, [x20, #16]
    CHECK(x0, 0xfedcba98765432ef)
    strh w5, [x3, #0]!
    CHECK_OFF(x3, x20, 18)
    ldr x0, [x20, #16]
    CHECK(x0, 0xfedcba98cdef32ef)
    str w5, [x3], #-18
    CHECK_OFF(x3, x20, 0)
    ldr x0, [x20, #16]
    CHECK(x0, 0xfedc89abcdef32ef)
    str x5, [x3, #255]!
    CHECK_OFF(x3, x20, 255)
    ldur x0, [x20, #255]
    CHECK(x0, 0x0123456789abcdef)
    str xzr, [x3], #-255
    CHECK_OFF(x3, x20, 0)
    ldur x0, [x20, #255]
    CHECK(x0, 0)
    add x3, x20, #256
    strh w6, [x3, #-256]!
    CHECK_OFF(x3, x20, 0)
    ldrh w0, [x20]
    CHECK(x0, 0x3210)
    str w6, [x3], #-4
    CHECK_OFF(x3, x20, -4)
    ldr x0, [x20]
    CHECK(x0, 0x76543210)

    /* ---- SP as base, with writeback ---- */
    mov x19, sp
    add x3, x20, #0x1000
    mov sp, x3
    str x5, [sp, #-16]!
    mov x4, sp
    CHECK_OFF(x4, x3, -16)
    ldr x0, [x3, #-16]
    CHECK(x0, 0x0123456789abcdef)
    str x6, [sp], #8
    mov x4, sp
    CHECK_OFF(x4, x3, -8)
    ldr x0, [sp, #-8]!
    CHECK(x0, 0xfedcba9876543210)
    mov x4, sp
    CHECK_OFF(x4, x3, -16)
    ldrsw x0, [sp, #4]!
    CHECK(x0, 0xfffffffffedcba98)
    ldrh w0, [sp], #12
    CHECK(x0, 0xba98)
    mov x4, sp
    CHECK_OFF(x4, x3, 0)
    mov sp, x19

    /* ---- Rt == Rn (CONSTRAINED UNPREDICTABLE, encoded by hand to keep
     * the assembler quiet) ---- */
    /* load: the base writeback wins over the loaded value */
    mov x2, x1
    .inst 0xf8408c42                /* ldr x2, [x2, #8]! */
    CHECK_OFF(x2, x1, 8)
    mov x2, x1
    .inst 0xf8408442                /* ldr x2, [x2], #8 */
    CHECK_OFF(x2, x1, 8)
    mov x2, x1
    .inst 0x38c01c42                /* ldrsb w2, [x2, #1]! */
    CHECK_OFF(x2, x1, 1)
    /* store: the value stored is the base before the writeback */
    mov x3, x20
    .inst 0xf8008c63                /* str x3, [x3, #8]! */
    CHECK_OFF(x3, x20, 8)
    ldr x0, [x20, #8]
    CHECK_OFF(x0, x20, 0)
    .inst 0xf8008463                /* str x3, [x3], #8 */
    CHECK_OFF(x3, x20, 16)
    ldr x0, [x20, #8]
    CHECK_OFF(x0, x20, 8)
    .inst 0x381ffc63                /* strb w3, [x3, #-1]! */
    CHECK_OFF(x3, x20, 15)
    ldrb w0, [x20, #15]
    add x4, x20, #16
    and x4, x4, #0xff
    sub x0, x0, x4
    CHECK(x0, 0)

    TEST_PASS
TEST_END

    .data
    .balign 16
data:
    .byte 0x81, 0x72, 0xf3, 0x64, 0x85, 0x96, 0xa7, 0xb8
    .byte 0x19, 0x2a, 0x3b, 0x4c, 0x5d, 0x6e, 0x7f, 0x80
    .fill 256, 1, 0
