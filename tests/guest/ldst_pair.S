/* Load/store pair: LDP/STP (32 and 64-bit), LDPSW, LDNP/STNP, in the
 * signed-offset, pre-indexed and post-indexed forms; imm7 scaled by the
 * element size at its extremes, negative offsets, SP as base, XZR as data,
 * and the CONSTRAINED UNPREDICTABLE overlaps with the choices documented in
 * cpu/trans_ldst.c (those match qemu-aarch64). Expected values follow from
 * the data below and were checked under qemu-aarch64-static. */
#include "harness.inc"

/* EXPECT with the caller's line number (the harness macro cannot see it). */
#define CHECK(r, v) EXPECT_AT r, v, __LINE__
/* Check that register \r holds \base + \off (x25 is a temporary). */
#define CHECK_OFF(r, base, off) sub x25, r, base; CHECK(x25, off)

#define D0 0xb8a7968564f37281
#define D1 0x807f6e5d4c3b2a19
#define D2 0x8877665544332211
#define D3 0x0f1e2d3c4b5a6978

TEST_START
    adrp x1, data
    add x1, x1, :lo12:data
    adrp x20, scratch_start
    add x20, x20, :lo12:scratch_start
    ldr x5, =0x0123456789abcdef
    ldr x6, =0xfedcba9876543210

    /* ---- LDP / LDPSW, signed offset ---- */
    mov x0, #-1
    mov x7, #-1
    ldp w0, w7, [x1]
    CHECK(x0, 0x64f37281)
    CHECK(x7, 0xb8a79685)           /* zero-extended */
    ldp x0, x7, [x1]
    CHECK(x0, D0)
    CHECK(x7, D1)
    ldp x0, x7, [x1, #16]
    CHECK(x0, D2)
    CHECK(x7, D3)
    ldp w0, w7, [x1, #8]
    CHECK(x0, 0x4c3b2a19)
    CHECK(x7, 0x807f6e5d)
    ldpsw x0, x7, [x1]
    CHECK(x0, 0x64f37281)
    CHECK(x7, 0xffffffffb8a79685)
    ldpsw x0, x7, [x1, #8]
    CHECK(x0, 0x4c3b2a19)
    CHECK(x7, 0xffffffff807f6e5d)
    ldpsw x0, x7, [x1, #4]
    CHECK(x0, 0xffffffffb8a79685)
    CHECK(x7, 0x4c3b2a19)
    add x3, x1, #16
    ldp x0, x7, [x3, #-16]
    CHECK(x0, D0)
    CHECK(x7, D1)
    ldp w0, w7, [x3, #-8]
    CHECK(x0, 0x4c3b2a19)
    CHECK(x7, 0x807f6e5d)
    ldpsw x0, x7, [x3, #-12]
    CHECK(x0, 0xffffffffb8a79685)
    CHECK(x7, 0x4c3b2a19)
    /* the most negative imm7 of each size */
    add x4, x1, #512
    ldp x0, x7, [x4, #-512]
    CHECK(x0, D0)
    CHECK(x7, D1)
    add x4, x1, #256
    ldp w0, w7, [x4, #-256]
    CHECK(x0, 0x64f37281)
    CHECK(x7, 0xb8a79685)
    ldpsw x0, x7, [x4, #-256]
    CHECK(x0, 0x64f37281)
    CHECK(x7, 0xffffffffb8a79685)

    /* ---- LDP / LDPSW, pre- and post-indexed ---- */
    mov x2, x1
    ldp x0, x7, [x2, #8]!
    CHECK(x0, D1)
    CHECK(x7, D2)
    CHECK_OFF(x2, x1, 8)
    ldp w0, w7, [x2], #-8
    CHECK(x0, 0x4c3b2a19)
    CHECK(x7, 0x807f6e5d)
    CHECK_OFF(x2, x1, 0)
    ldpsw x0, x7, [x2, #4]!
    CHECK(x0, 0xffffffffb8a79685)
    CHECK(x7, 0x4c3b2a19)
    CHECK_OFF(x2, x1, 4)
    ldpsw x0, x7, [x2], #12
    CHECK(x0, 0xffffffffb8a79685)
    CHECK(x7, 0x4c3b2a19)
    CHECK_OFF(x2, x1, 16)
    ldp x0, x7, [x2], #-16
    CHECK(x0, D2)
    CHECK(x7, D3)
    CHECK_OFF(x2, x1, 0)
    ldp w0, w7, [x2, #16]!
    CHECK(x0, 0x44332211)
    CHECK(x7, 0x88776655)
    CHECK_OFF(x2, x1, 16)
    ldpsw x0, x7, [x2, #-8]!
    CHECK(x0, 0x4c3b2a19)
    CHECK(x7, 0xffffffff807f6e5d)
    CHECK_OFF(x2, x1, 8)
    ldp x0, x7, [x2, #-8]!
    CHECK(x0, D0)
    CHECK(x7, D1)
    CHECK_OFF(x2, x1, 0)
    /* imm7 extremes with writeback */
    ldp x0, x7, [x2], #504
    CHECK(x0, D0)
    CHECK(x7, D1)
    CHECK_OFF(x2, x1, 504)
    ldp x0, x7, [x2, #-512]!
    CHECK(x0, 0xf8f7f6f5f4f3f2f1)
    CHECK(x7, D0)
    CHECK_OFF(x2, x1, -8)
    ldp w0, w7, [x2], #252
    CHECK(x0, 0xf4f3f2f1)
    CHECK(x7, 0xf8f7f6f5)
    CHECK_OFF(x2, x1, 244)
    ldpsw x0, x7, [x2, #-256]!
    CHECK(x0, 0x08070605)
    CHECK(x7, 0xfffffffff4f3f2f1)
    CHECK_OFF(x2, x1, -12)
    ldpsw x0, x7, [x2], #-256
    CHECK(x0, 0x08070605)
    CHECK(x7, 0xfffffffff4f3f2f1)
    CHECK_OFF(x2, x1, -268)
    add x2, x1, #252
    ldp w0, w7, [x2, #-256]!
    CHECK(x0, 0xf8f7f6f5)
    CHECK(x7, 0x64f37281)
    CHECK_OFF(x2, x1, -4)

    /* ---- LDNP ---- */
    ldnp x0, x7, [x1, #16]
    CHECK(x0, D2)
    CHECK(x7, D3)
    mov x0, #-1
    mov x7, #-1
    ldnp w0, w7, [x1, #4]
    CHECK(x0, 0xb8a79685)
    CHECK(x7, 0x4c3b2a19)
    add x3, x1, #32
    ldnp x0, x7, [x3, #-32]
    CHECK(x0, D0)
    CHECK(x7, D1)

    /* ---- STP, signed offset ---- */
    stp x5, x6, [x20]
    ldr x0, [x20]
    CHECK(x0, 0x0123456789abcdef)
    ldr x0, [x20, #8]
    CHECK(x0, 0xfedcba9876543210)
    stp w6, w5, [x20, #4]
    ldr x0, [x20]
    CHECK(x0, 0x7654321089abcdef)
    ldr x0, [x20, #8]
    CHECK(x0, 0xfedcba9889abcdef)
    stp w5, wzr, [x20, #8]
    ldr x0, [x20, #8]
    CHECK(x0, 0x89abcdef)
    stp xzr, x5, [x20]
    ldr x0, [x20]
    CHECK(x0, 0)
    ldr x0, [x20, #8]
    CHECK(x0, 0x0123456789abcdef)
    stp x5, x6, [x20, #504]
    mov x4, #504
    ldr x0, [x20, x4]
    CHECK(x0, 0x0123456789abcdef)
    ldr x0, [x20, #512]
    CHECK(x0, 0xfedcba9876543210)
    stp w6, w5, [x20, #252]
    ldr w0, [x20, #252]
    CHECK(x0, 0x76543210)
    ldr w0, [x20, #256]
    CHECK(x0, 0x89abcdef)
    add x4, x20, #1024
    stp x6, x5, [x4, #-512]
    ldr x0, [x20, #512]
    CHECK(x0, 0xfedcba9876543210)
    ldr x0, [x20, #520]
    CHECK(x0, 0x0123456789abcdef)
    stp w5, w5, [x4, #-256]
    ldr x0, [x20, #768]
    CHECK(x0, 0x89abcdef89abcdef)

    /* ---- STP, pre- and post-indexed ---- */
    add x3, x20, #64
    stp x6, x5, [x3, #32]!
    CHECK_OFF(x3, x20, 96)
    ldr x0, [x20, #96]
    CHECK(x0, 0xfedcba9876543210)
    ldr x0, [x20, #104]
    CHECK(x0, 0x0123456789abcdef)
    stp w5, w6, [x3], #-32
    CHECK_OFF(x3, x20, 64)
    ldr x0, [x20, #96]
    CHECK(x0, 0x7654321089abcdef)
    stp x5, x6, [x3, #-16]!
    CHECK_OFF(x3, x20, 48)
    ldp x0, x7, [x20, #48]
    CHECK(x0, 0x0123456789abcdef)
    CHECK(x7, 0xfedcba9876543210)
    stp w6, w6, [x3, #-8]!
    CHECK_OFF(x3, x20, 40)
    ldr x0, [x20, #40]
    CHECK(x0, 0x7654321076543210)
    stp xzr, xzr, [x3], #8
    CHECK_OFF(x3, x20, 48)
    ldp x0, x7, [x20, #40]
    CHECK(x0, 0)
    CHECK(x7, 0)

    /* ---- STNP ---- */
    stnp x5, x6, [x20, #128]
    ldp x0, x7, [x20, #128]
    CHECK(x0, 0x0123456789abcdef)
    CHECK(x7, 0xfedcba9876543210)
    stnp w6, w5, [x20, #132]
    ldp x0, x7, [x20, #128]
    CHECK(x0, 0x7654321089abcdef)
    CHECK(x7, 0xfedcba9889abcdef)
    add x4, x20, #160
    stnp x6, xzr, [x4, #-16]
    ldp x0, x7, [x20, #144]
    CHECK(x0, 0xfedcba9876543210)
    CHECK(x7, 0)

    /* ---- SP as base ---- */
    mov x19, sp
    add x4, x20, #0x1000
    mov sp, x4
    stp x5, x6, [sp, #-16]!
    mov x8, sp
    CHECK_OFF(x8, x4, -16)
    ldp x0, x7, [x4, #-16]
    CHECK(x0, 0x0123456789abcdef)
    CHECK(x7, 0xfedcba9876543210)
    ldp x7, x0, [sp], #16
    CHECK(x0, 0xfedcba9876543210)
    CHECK(x7, 0x0123456789abcdef)
    mov x8, sp
    CHECK_OFF(x8, x4, 0)
    stp w5, w6, [sp, #-8]
    ldpsw x0, x7, [sp, #-8]
    CHECK(x0, 0xffffffff89abcdef)
    CHECK(x7, 0x76543210)
    stnp x6, x5, [sp, #-32]
    ldnp x0, x7, [sp, #-32]
    CHECK(x0, 0xfedcba9876543210)
    CHECK(x7, 0x0123456789abcdef)
    mov x8, sp
    CHECK_OFF(x8, x4, 0)
    mov sp, x19

    /* ---- CONSTRAINED UNPREDICTABLE overlaps (encoded by hand to keep
     * the assembler quiet) ---- */
    /* Rt == Rt2: the first (lower address) element is kept */
    .inst 0xa9400020                /* ldp x0, x0, [x1] */
    CHECK(x0, D0)
    mov x0, #-1
    .inst 0x29408020                /* ldp w0, w0, [x1, #4] */
    CHECK(x0, 0xb8a79685)
    .inst 0x69400020                /* ldpsw x0, x0, [x1] */
    CHECK(x0, 0x64f37281)
    /* load with Rt or Rt2 == Rn: the base writeback wins */
    mov x2, x1
    .inst 0xa8c11c42                /* ldp x2, x7, [x2], #16 */
    CHECK_OFF(x2, x1, 16)
    CHECK(x7, D1)
    mov x2, x1
    .inst 0xa9c10847                /* ldp x7, x2, [x2, #16]! */
    CHECK_OFF(x2, x1, 16)
    CHECK(x7, D2)
    mov x2, x1
    .inst 0x69c11c42                /* ldpsw x2, x7, [x2, #8]! */
    CHECK_OFF(x2, x1, 8)
    CHECK(x7, 0xffffffff807f6e5d)
    /* store with Rt or Rt2 == Rn: the base before the writeback is stored */
    add x3, x20, #256
    mov x4, #0x44
    .inst 0xa9811063                /* stp x3, x4, [x3, #16]! */
    CHECK_OFF(x3, x20, 272)
    ldp x0, x7, [x20, #272]
    CHECK_OFF(x0, x20, 256)
    CHECK(x7, 0x44)
    .inst 0xa8810c64                /* stp x4, x3, [x3], #16 */
    CHECK_OFF(x3, x20, 288)
    ldp x0, x7, [x20, #272]
    CHECK(x0, 0x44)
    CHECK_OFF(x7, x20, 272)
    .inst 0x29bf0c63                /* stp w3, w3, [x3, #-8]! */
    CHECK_OFF(x3, x20, 280)
    ldr x0, [x20, #280]
    add x4, x20, #288
    mov w4, w4
    orr x4, x4, x4, lsl #32
    sub x0, x0, x4
    CHECK(x0, 0)

    TEST_PASS
TEST_END

    .data
    .balign 16
    .quad 0x0807060504030201, 0xf8f7f6f5f4f3f2f1
data:
    .byte 0x81, 0x72, 0xf3, 0x64, 0x85, 0x96, 0xa7, 0xb8
    .byte 0x19, 0x2a, 0x3b, 0x4c, 0x5d, 0x6e, 0x7f, 0x80
    .quad D2, D3
    .fill 512, 1, 0
