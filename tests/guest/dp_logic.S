/* Logical (shifted register): AND/BIC/ORR/ORN/EOR/EON/ANDS/BICS with every
 * shift type (including ROR, which only the logical group has), 32-bit forms
 * (upper halves ignored, results zero-extended), MOV/MVN/TST aliases and the
 * flags of ANDS/BICS (N, Z from the result; C, V cleared). Expected values
 * follow the Arm ARM and were checked under qemu-aarch64-static. */
#include "harness.inc"

TEST_START
    ldr x1, =0xf0f0f0f0f0f0f0f0
    ldr x2, =0x0123456789abcdef
    mov x3, #-1

    /* plain register forms */
    and x0, x1, x2
    EXPECT x0, 0x0020406080a0c0e0
    bic x0, x1, x2
    EXPECT x0, 0xf0d0b09070503010
    orr x0, x1, x2
    EXPECT x0, 0xf1f3f5f7f9fbfdff
    orn x0, x1, x2
    EXPECT x0, 0xfefcfaf8f6f4f2f0
    eor x0, x1, x2
    EXPECT x0, 0xf1d3b597795b3d1f
    eon x0, x1, x2
    EXPECT x0, 0x0e2c4a6886a4c2e0

    /* shifts of Rm */
    and x0, x3, x2, lsl #4
    EXPECT x0, 0x123456789abcdef0
    and x0, x3, x2, lsr #60
    EXPECT x0, 0
    and x0, x3, x1, lsr #60
    EXPECT x0, 0xf
    and x0, x3, x1, asr #60
    EXPECT x0, 0xffffffffffffffff
    and x0, x3, x2, asr #63
    EXPECT x0, 0
    and x0, x3, x2, ror #8
    EXPECT x0, 0xef0123456789abcd
    orr x0, xzr, x2, ror #63      /* rotate by 63 = rotate left by 1 */
    EXPECT x0, 0x02468acf13579bde
    eor x0, x2, x2, ror #32
    EXPECT x0, 0x8888888888888888
    orr x0, xzr, x2, lsl #63
    EXPECT x0, 0x8000000000000000
    bic x0, x3, x2, lsl #32
    EXPECT x0, 0x76543210ffffffff
    orn x0, xzr, x2, lsr #32      /* MVN with shift */
    EXPECT x0, 0xfffffffffedcba98
    eon x0, x1, x2, asr #4
    EXPECT x0, 0x0f1d3b597795b3d1

    /* 32-bit forms: low halves only, zero-extended results, shifts mod 32 */
    ldr x4, =0xaaaaaaaa12345678
    ldr x5, =0x55555555f0f0f0f0
    and w0, w4, w5
    EXPECT x0, 0x10305070
    orr w0, w4, w5
    EXPECT x0, 0xf2f4f6f8
    eor w0, w4, w5
    EXPECT x0, 0xe2c4a688
    bic w0, w4, w5
    EXPECT x0, 0x02040608
    orn w0, w4, w5
    EXPECT x0, 0x1f3f5f7f
    eon w0, w4, w5
    EXPECT x0, 0x1d3b5977
    orr w0, wzr, w4, lsl #31
    EXPECT x0, 0
    orr w0, wzr, w5, lsr #28
    EXPECT x0, 0xf
    orr w0, wzr, w5, asr #28      /* sign bit is bit 31, not bit 63 */
    EXPECT x0, 0xffffffff
    orr w0, wzr, w4, asr #31
    EXPECT x0, 0
    orr w0, wzr, w4, ror #4       /* rotates within 32 bits */
    EXPECT x0, 0x81234567
    orr w0, wzr, w4, ror #31
    EXPECT x0, 0x2468acf0
    mvn w0, w4
    EXPECT x0, 0xedcba987
    mov w0, w4                    /* MOV (register) 32-bit zero-extends */
    EXPECT x0, 0x12345678
    mov x0, x4
    EXPECT x0, 0xaaaaaaaa12345678
    and w0, w3, w3
    EXPECT x0, 0xffffffff
    orr xzr, x1, x2               /* Rd = 31 discards */

    /* ANDS / BICS / TST flags: C and V are cleared */
    mov x6, #0x30000000
    msr nzcv, x6
    ands x0, x1, x2
    EXPECT_NZCV 0b0000
    EXPECT x0, 0x0020406080a0c0e0
    msr nzcv, x6
    ands x0, x1, x1, lsl #4
    EXPECT_NZCV 0b0100
    EXPECT x0, 0
    msr nzcv, x6
    ands x0, x3, x1, asr #1
    EXPECT_NZCV 0b1000
    EXPECT x0, 0xf878787878787878
    msr nzcv, x6
    bics x0, x1, x1
    EXPECT_NZCV 0b0100
    EXPECT x0, 0
    msr nzcv, x6
    bics x0, x3, x2
    EXPECT_NZCV 0b1000
    EXPECT x0, 0xfedcba9876543210
    msr nzcv, x6
    tst x2, #1
    EXPECT_NZCV 0b0000
    msr nzcv, x6
    tst x2, x2, ror #1
    EXPECT_NZCV 0b0000
    msr nzcv, x6
    ldr x7, =0x80000000ffffffff
    tst x7, x7, lsl #32
    EXPECT_NZCV 0b1000
    /* 32-bit flags look at bit 31 and the low word only */
    msr nzcv, x6
    ands w0, w7, w7
    EXPECT_NZCV 0b1000
    EXPECT x0, 0xffffffff
    msr nzcv, x6
    ldr x8, =0xffffffff00000000
    ands w0, w8, w8
    EXPECT_NZCV 0b0100
    EXPECT x0, 0
    msr nzcv, x6
    bics w0, w4, w4, ror #0
    EXPECT_NZCV 0b0100
    msr nzcv, x6
    ands w0, w3, w4, lsl #3
    EXPECT_NZCV 0b1000
    EXPECT x0, 0x91a2b3c0
    mov x6, #0xf0000000
    msr nzcv, x6
    tst w4, w5, lsl #16
    EXPECT_NZCV 0b0000

    TEST_PASS
TEST_END
