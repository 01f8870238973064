/* Add/subtract (shifted register), (extended register) and (with carry):
 * results, 32-bit forms (upper input halves ignored, results zero-extended),
 * SP forms of the extended group, and NZCV at the carry/overflow edges.
 * Expected values follow the Arm ARM (AddWithCarry) and were checked under
 * qemu-aarch64-static. */
#include "harness.inc"

/* set NZCV from a 4-bit constant (clobbers x28) */
.macro SET_NZCV flags
    mov x28, #(\flags << 28)
    msr nzcv, x28
.endm

TEST_START
    mov x25, sp

    /* ---- ADD/SUB (shifted register) ---- */
    ldr x1, =0x0123456789abcdef
    mov x2, #0x10
    add x0, x1, x2
    EXPECT x0, 0x0123456789abcdff
    add x0, x1, x2, lsl #60
    EXPECT x0, 0x0123456789abcdef
    add x0, x1, x2, lsl #56
    EXPECT x0, 0x1123456789abcdef
    sub x0, x1, x1, lsr #4
    EXPECT x0, 0x0111111111111111
    mov x3, #-16
    add x0, x1, x3, asr #4
    EXPECT x0, 0x0123456789abcdee
    add x0, x1, x3, lsr #4
    EXPECT x0, 0x1123456789abcdee
    neg x0, x1
    EXPECT x0, 0xfedcba9876543211
    neg x0, x2, lsl #2
    EXPECT x0, 0xffffffffffffffc0
    sub x0, xzr, x1, asr #63    /* Rn = 31 is XZR here */
    EXPECT x0, 0
    add xzr, x1, x2             /* Rd = 31 discards */
    /* 32-bit */
    ldr x4, =0xdeadbeef80000001
    ldr x5, =0x1234567800000003
    add w0, w4, w5
    EXPECT x0, 0x80000004
    sub w0, w5, w4
    EXPECT x0, 0x80000002
    add w0, w4, w5, lsl #31
    EXPECT x0, 0x00000001
    add w0, wzr, w4, asr #31    /* sign of bit 31 */
    EXPECT x0, 0xffffffff
    add w0, wzr, w4, lsr #31
    EXPECT x0, 1
    neg w0, w5
    EXPECT x0, 0xfffffffd
    neg w0, w4
    EXPECT x0, 0x7fffffff

    /* ---- ADD/SUB (extended register) ---- */
    ldr x6, =0x8899aabbccddeeff
    mov x1, #0x1000
    add x0, x1, w6, uxtb
    EXPECT x0, 0x10ff
    add x0, x1, w6, uxth
    EXPECT x0, 0xfeff
    add x0, x1, w6, uxtw
    EXPECT x0, 0xccddfeff
    add x0, x1, x6, uxtx
    EXPECT x0, 0x8899aabbccddfeff
    add x0, x1, w6, sxtb
    EXPECT x0, 0x0fff
    add x0, x1, w6, sxth
    EXPECT x0, 0xfffffffffffffeff
    add x0, x1, w6, sxtw
    EXPECT x0, 0xffffffffccddfeff
    add x0, x1, x6, sxtx
    EXPECT x0, 0x8899aabbccddfeff
    add x0, x1, w6, uxtb #4
    EXPECT x0, 0x1ff0
    sub x0, x1, w6, sxtb #1
    EXPECT x0, 0x1002
    add x0, x1, w6, sxth #3
    EXPECT x0, 0xffffffffffff87f8
    add x0, x1, w6, sxtw #2
    EXPECT x0, 0xffffffff3377cbfc
    add x0, x1, x6, uxtx #4
    EXPECT x0, 0x899aabbccddefff0
    sub x0, x1, w6, uxth #2
    EXPECT x0, 0xfffffffffffc5404
    /* 32-bit extended forms */
    add w0, w1, w6, sxtb
    EXPECT x0, 0x0fff
    add w0, w1, w6, sxth #1
    EXPECT x0, 0xffffedfe
    sub w0, w1, w6, uxtb #4
    EXPECT x0, 0x10
    add w0, w1, w6, uxtw        /* UXTW/SXTW/UXTX in 32-bit: no extension */
    EXPECT x0, 0xccddfeff
    add w0, w1, w6, sxtx #2
    EXPECT x0, 0x3377cbfc
    /* SP forms: Rd and Rn are SP for ADD/SUB, Rn is SP for ADDS/SUBS */
    ldr x2, =0x40008000
    mov sp, x2
    mov x3, #0x20
    add sp, sp, x3
    mov x0, sp
    EXPECT x0, 0x40008020
    sub sp, sp, w3, uxtw #2
    mov x0, sp
    EXPECT x0, 0x40007fa0
    add x0, sp, w3, sxtw #4
    EXPECT x0, 0x400081a0
    cmp sp, x2, uxtx #0         /* SUBS XZR, SP, X2 */
    EXPECT_NZCV 0b1000
    cmn sp, x3
    EXPECT_NZCV 0b0000
    adds x0, sp, x3, lsl #0
    EXPECT x0, 0x40007fc0
    mov x4, #-1
    add wsp, wsp, w4, uxtb      /* 32-bit write to SP zero-extends */
    mov x0, sp
    EXPECT x0, 0x4000809f
    ldr x2, =0xffffffff40000000
    mov sp, x2
    add w0, wsp, #0
    EXPECT x0, 0x40000000
    sub wsp, wsp, w3
    mov x0, sp
    EXPECT x0, 0x3fffffe0
    mov sp, x25

    /* ---- flags: ADDS/SUBS (shifted and extended) edge cases ---- */
    ldr x1, =0x7fffffffffffffff
    mov x2, #1
    adds x0, x1, x2
    EXPECT_NZCV 0b1001          /* signed overflow, no carry */
    EXPECT x0, 0x8000000000000000
    mov x3, #-1
    adds x0, x3, x2
    EXPECT_NZCV 0b0110          /* carry out, zero */
    EXPECT x0, 0
    adds x0, x3, x3
    EXPECT_NZCV 0b1010          /* carry, negative, no overflow */
    EXPECT x0, 0xfffffffffffffffe
    ldr x4, =0x8000000000000000
    adds x0, x4, x4
    EXPECT_NZCV 0b0111          /* both overflows, zero */
    EXPECT x0, 0
    subs x0, x4, x2
    EXPECT_NZCV 0b0011
    EXPECT x0, 0x7fffffffffffffff
    subs x0, x2, x2
    EXPECT_NZCV 0b0110          /* equal: Z and C (no borrow) */
    subs x0, xzr, x2
    EXPECT_NZCV 0b1000          /* borrow: C clear */
    EXPECT x0, 0xffffffffffffffff
    subs x0, x1, x3
    EXPECT_NZCV 0b1001          /* MAX - (-1) overflows */
    EXPECT x0, 0x8000000000000000
    negs x0, x4                 /* 0 - MIN */
    EXPECT_NZCV 0b1001
    EXPECT x0, 0x8000000000000000
    negs x0, xzr
    EXPECT_NZCV 0b0110
    cmp x3, x2, lsl #63         /* -1 - MIN */
    EXPECT_NZCV 0b0010
    cmp x2, x3, lsr #1
    EXPECT_NZCV 0b1000
    cmn x3, x2
    EXPECT_NZCV 0b0110
    mov x5, #0xff
    cmp x5, w3, uxtb
    EXPECT_NZCV 0b0110
    cmn x2, w3, sxtb
    EXPECT_NZCV 0b0110
    adds x0, x2, w3, sxtw #4
    EXPECT_NZCV 0b1000
    EXPECT x0, 0xfffffffffffffff1
    /* 32-bit flags come from the 32-bit result only */
    mov w1, #0x7fffffff
    adds w0, w1, w2
    EXPECT_NZCV 0b1001
    EXPECT x0, 0x80000000
    mov x6, #0xffffffff
    adds w0, w6, w2
    EXPECT_NZCV 0b0110
    EXPECT x0, 0
    ldr x7, =0x00000001ffffffff /* bit 32 does not matter */
    adds w0, w7, w7
    EXPECT_NZCV 0b1010
    EXPECT x0, 0xfffffffe
    mov w8, #0x80000000
    subs w0, w8, w2
    EXPECT_NZCV 0b0011
    EXPECT x0, 0x7fffffff
    adds w0, w8, w8
    EXPECT_NZCV 0b0111
    EXPECT x0, 0
    subs w0, wzr, w2
    EXPECT_NZCV 0b1000
    EXPECT x0, 0xffffffff
    negs w0, w8
    EXPECT_NZCV 0b1001
    EXPECT x0, 0x80000000
    ldr x9, =0x1234567800000005
    ldr x10, =0xfedcba9800000005
    cmp w9, w10                 /* equal low halves */
    EXPECT_NZCV 0b0110
    cmp x9, x10
    EXPECT_NZCV 0b0000
    subs w0, w9, w10, lsl #1
    EXPECT_NZCV 0b1000
    EXPECT x0, 0xfffffffb
    cmp w2, w6, uxtb
    EXPECT_NZCV 0b1000
    adds w0, w6, w2, uxtb
    EXPECT_NZCV 0b0110

    /* ---- ADC/SBC(S) ---- */
    mov x1, #5
    mov x2, #7
    SET_NZCV 0b0000
    adc x0, x1, x2
    EXPECT x0, 12
    SET_NZCV 0b0010
    adc x0, x1, x2
    EXPECT x0, 13
    SET_NZCV 0b0010
    sbc x0, x2, x1              /* 7 - 5 - 0 */
    EXPECT x0, 2
    SET_NZCV 0b0000
    sbc x0, x2, x1              /* 7 - 5 - 1 */
    EXPECT x0, 1
    SET_NZCV 0b0000
    sbc x0, x1, x1
    EXPECT x0, 0xffffffffffffffff
    SET_NZCV 0b1101             /* ADC does not change the flags */
    adc x0, x1, x1
    EXPECT_NZCV 0b1101
    EXPECT x0, 10
    SET_NZCV 0b0000
    ngc x0, x1                  /* ~5 + 0 = -6 */
    EXPECT x0, 0xfffffffffffffffa
    SET_NZCV 0b0010
    ngc w0, w1
    EXPECT x0, 0xfffffffb
    /* ADCS / SBCS flags */
    mov x3, #-1
    mov x4, #0
    SET_NZCV 0b0010
    adcs x0, x3, x4             /* -1 + 0 + 1 */
    EXPECT_NZCV 0b0110
    EXPECT x0, 0
    SET_NZCV 0b0010
    adcs x0, x3, x3             /* -1 + -1 + 1 */
    EXPECT_NZCV 0b1010
    EXPECT x0, 0xffffffffffffffff
    ldr x5, =0x7fffffffffffffff
    SET_NZCV 0b0010
    adcs x0, x5, x4             /* MAX + 0 + 1 */
    EXPECT_NZCV 0b1001
    EXPECT x0, 0x8000000000000000
    SET_NZCV 0b0000
    adcs x0, x5, x4
    EXPECT_NZCV 0b0000
    SET_NZCV 0b0000
    sbcs x0, x1, x1             /* 5 - 5 - 1 */
    EXPECT_NZCV 0b1000
    EXPECT x0, 0xffffffffffffffff
    SET_NZCV 0b0010
    sbcs x0, x1, x1
    EXPECT_NZCV 0b0110
    EXPECT x0, 0
    ldr x6, =0x8000000000000000
    SET_NZCV 0b0010
    sbcs x0, x6, x4             /* MIN - 0 - 0 */
    EXPECT_NZCV 0b1010
    SET_NZCV 0b0000
    sbcs x0, x6, x4             /* MIN - 0 - 1 */
    EXPECT_NZCV 0b0011
    EXPECT x0, 0x7fffffffffffffff
    SET_NZCV 0b0000
    sbcs x0, x4, x3             /* 0 + 0 + 0: zero without carry */
    EXPECT_NZCV 0b0100
    SET_NZCV 0b0010
    ngcs x0, x4                 /* 0 - 0 - 0 */
    EXPECT_NZCV 0b0110
    SET_NZCV 0b0000
    ngcs x0, x4                 /* 0 - 0 - 1 */
    EXPECT_NZCV 0b1000
    EXPECT x0, 0xffffffffffffffff
    /* 32-bit ADCS/SBCS */
    ldr x7, =0xaaaaaaaaffffffff
    SET_NZCV 0b0010
    adcs w0, w7, wzr
    EXPECT_NZCV 0b0110
    EXPECT x0, 0
    mov w8, #0x7fffffff
    SET_NZCV 0b0010
    adcs w0, w8, wzr
    EXPECT_NZCV 0b1001
    EXPECT x0, 0x80000000
    SET_NZCV 0b0000
    adcs w0, w7, w7
    EXPECT_NZCV 0b1010
    EXPECT x0, 0xfffffffe
    mov w9, #0x80000000
    SET_NZCV 0b0000
    sbcs w0, w9, wzr
    EXPECT_NZCV 0b0011
    EXPECT x0, 0x7fffffff
    SET_NZCV 0b0010
    sbcs w0, wzr, w7            /* 0 - 0xffffffff */
    EXPECT_NZCV 0b0000
    EXPECT x0, 1
    SET_NZCV 0b0000
    sbcs w0, w9, w9
    EXPECT_NZCV 0b1000
    EXPECT x0, 0xffffffff
    SET_NZCV 0b0010
    sbc w0, w7, w8
    EXPECT x0, 0x80000000
    SET_NZCV 0b0010
    adc w0, w7, w7
    EXPECT x0, 0xffffffff

    mov sp, x25
    TEST_PASS
TEST_END
