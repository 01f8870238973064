/* Register-offset loads and stores: address = Rn + (extend(Rm) << shift),
 * with each extend (UXTW, LSL/UXTX, SXTW, SXTX), the shift (S = 1: by the
 * access size, including the explicit "#0" of byte accesses), garbage in the
 * upper half of a W index, XZR as index and SP as base; then the prefetch
 * hints PRFM/PRFUM, which must not access memory (even unmapped addresses).
 * Expected values follow from the data below and were checked under
 * qemu-aarch64-static. */
#include "harness.inc"

/* EXPECT with the caller's line number (the harness macro cannot see it). */
#define CHECK(r, v) EXPECT_AT r, v, __LINE__

TEST_START
    adrp x1, data
    add x1, x1, :lo12:data
    add x3, x1, #16
    adrp x20, scratch_start
    add x20, x20, :lo12:scratch_start
    ldr x5, =0x0123456789abcdef
    ldr x6, =0xfedcba9876543210

    /* ---- 64-bit loads, every extend ---- */
    mov x2, #8
    ldr x0, [x1, x2]
    CHECK(x0, 0x807f6e5d4c3b2a19)
    mov x2, #1
    ldr x0, [x1, x2, lsl #3]
    CHECK(x0, 0x807f6e5d4c3b2a19)
    ldr x2, =0x12345678fffffff8
    ldr x0, [x3, w2, sxtw]
    CHECK(x0, 0x807f6e5d4c3b2a19)
    ldr x2, =0x12345678ffffffff
    ldr x0, [x3, w2, sxtw #3]
    CHECK(x0, 0x807f6e5d4c3b2a19)
    ldr x2, =0xffffffff00000008
    ldr x0, [x1, w2, uxtw]
    CHECK(x0, 0x807f6e5d4c3b2a19)
    ldr x2, =0xffffffff00000001
    ldr x0, [x1, w2, uxtw #3]
    CHECK(x0, 0x807f6e5d4c3b2a19)
    mov x2, #-8
    ldr x0, [x3, x2, sxtx]
    CHECK(x0, 0x807f6e5d4c3b2a19)
    mov x2, #-2
    ldr x0, [x3, x2, sxtx #3]
    CHECK(x0, 0xb8a7968564f37281)
    ldr x0, [x1, xzr]
    CHECK(x0, 0xb8a7968564f37281)
    ldr x0, [x1, xzr, lsl #3]
    CHECK(x0, 0xb8a7968564f37281)
    ldr x0, [x1, wzr, sxtw]
    CHECK(x0, 0xb8a7968564f37281)

    /* ---- 32-bit loads (zero-extended) ---- */
    ldr x2, =0xffffffff00000004
    mov x0, #-1
    ldr w0, [x1, w2, uxtw]
    CHECK(x0, 0xb8a79685)
    ldr x2, =0x1234567800000001
    mov x0, #-1
    ldr w0, [x1, w2, uxtw #2]
    CHECK(x0, 0xb8a79685)
    mov x2, #-1
    mov x0, #-1
    ldr w0, [x3, x2, sxtx #2]
    CHECK(x0, 0x807f6e5d)
    mov x2, #12
    ldr w0, [x1, x2]
    CHECK(x0, 0x807f6e5d)

    /* ---- LDRSW ---- */
    mov x2, #1
    ldrsw x0, [x1, x2, lsl #2]
    CHECK(x0, 0xffffffffb8a79685)
    ldr x2, =0xabcdef00fffffffc
    ldrsw x0, [x3, w2, sxtw #2]
    CHECK(x0, 0x64f37281)
    mov x2, #4
    ldrsw x0, [x1, x2]
    CHECK(x0, 0xffffffffb8a79685)
    ldr x2, =0xffffffff00000004
    ldrsw x0, [x1, w2, uxtw]
    CHECK(x0, 0xffffffffb8a79685)

    /* ---- halfwords ---- */
    mov x2, #2
    mov x0, #-1
    ldrh w0, [x1, x2, lsl #1]
    CHECK(x0, 0x9685)
    ldrsh x0, [x1, x2, lsl #1]
    CHECK(x0, 0xffffffffffff9685)
    mov x0, #-1
    ldrsh w0, [x1, x2, lsl #1]
    CHECK(x0, 0xffff9685)
    ldrsh x0, [x1, x2]
    CHECK(x0, 0x64f3)
    ldr x2, =0x00000001fffffffa
    mov x0, #-1
    ldrsh w0, [x3, w2, sxtw #1]
    CHECK(x0, 0xffff9685)
    ldr x2, =0x8000000000000001
    mov x0, #-1
    ldrh w0, [x1, w2, uxtw #1]
    CHECK(x0, 0x64f3)
    mov x2, #-12
    ldrsh x0, [x3, x2, sxtx]
    CHECK(x0, 0xffffffffffff9685)

    /* ---- bytes (S = 1 is an explicit shift by #0) ---- */
    mov x2, #3
    mov x0, #-1
    ldrb w0, [x1, x2]
    CHECK(x0, 0x64)
    mov x0, #-1
    ldrb w0, [x1, x2, lsl #0]
    CHECK(x0, 0x64)
    ldr x2, =0xffffffff00000004
    ldrsb x0, [x1, w2, uxtw]
    CHECK(x0, 0xffffffffffffff85)
    mov x0, #-1
    ldrb w0, [x1, w2, uxtw #0]
    CHECK(x0, 0x85)
    ldr x2, =0x00000000fffffff7
    mov x0, #-1
    ldrsb w0, [x3, w2, sxtw]
    CHECK(x0, 0xffffffb8)
    mov x2, #-1
    mov x0, #-1
    ldrsb w0, [x3, x2, sxtx]
    CHECK(x0, 0xffffff80)
    ldrsb x0, [x3, x2, sxtx #0]
    CHECK(x0, 0xffffffffffffff80)

    /* ---- stores ---- */
    str x5, [x20]
    mov x2, #1
    strb w6, [x20, x2]
    strh w6, [x20, x2, lsl #1]
    ldr x2, =0xffffffff00000001
    str w6, [x20, w2, uxtw #2]
    ldr x0, [x20]
    CHECK(x0, 0x76543210321010ef)
    mov x2, #1
    str x6, [x20, x2, lsl #3]
    ldr x0, [x20, #8]
    CHECK(x0, 0xfedcba9876543210)
    add x4, x20, #32
    ldr x2, =0x77777777fffffffe
    str x5, [x4, w2, sxtw #3]
    ldr x0, [x20, #16]
    CHECK(x0, 0x0123456789abcdef)
    mov x2, #-8
    strh w6, [x4, x2, sxtx]
    ldr x0, [x20, #24]
    and x0, x0, #0xffff
    CHECK(x0, 0x3210)
    mov x2, #-16
    strb wzr, [x4, x2, sxtx #0]
    ldr x0, [x20, #16]
    CHECK(x0, 0x0123456789abcd00)
    str xzr, [x20, xzr]
    ldr x0, [x20]
    CHECK(x0, 0)

    /* ---- SP as base ---- */
    mov x19, sp
    add x4, x20, #0x1000
    mov sp, x4
    mov x2, #-2
    str x6, [sp, x2, lsl #3]
    ldr x0, [x4, #-16]
    CHECK(x0, 0xfedcba9876543210)
    ldr x2, =0x55555555fffffff5
    ldrsb x0, [sp, w2, sxtw]
    CHECK(x0, 0xffffffffffffffba)
    mov sp, x19

    /* ---- prefetches: hints only, no access, no fault ---- */
    mov x9, #0                      /* not RAM, not mapped */
    mov x2, #8
    prfm pldl1keep, [x1, x2]
    prfm pstl2strm, [x1, w2, sxtw #3]
    prfm pldl1keep, [x9]
    prfm plil3keep, [x9, x2, lsl #3]
    prfm pldl1keep, [x9, #32760]
    prfum pldl1keep, [x9, #-1]
    prfum pstl1keep, [x9, #255]
    prfm #31, [x9, x2]              /* unallocated prfop: still a hint */
    prfm #24, [x9]
    prfm pldl1keep, data
    prfm #31, data
    mov x0, #1
    CHECK(x0, 1)

    TEST_PASS
TEST_END

    .data
    .balign 16
data:
    .byte 0x81, 0x72, 0xf3, 0x64, 0x85, 0x96, 0xa7, 0xb8
    .byte 0x19, 0x2a, 0x3b, 0x4c, 0x5d, 0x6e, 0x7f, 0x80
    .fill 256, 1, 0
