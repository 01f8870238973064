/* Advanced SIMD saturating arithmetic and FPSR.QC (bit 27, sticky; each
 * check reads and then clears it): [SU]QADD/QSUB, SUQADD/USQADD, SQABS/SQNEG,
 * SQXTN/UQXTN/SQXTUN(2), [SU]QSHL and [SU]QRSHL by register, SQSHL/UQSHL/
 * SQSHLU by immediate, the saturating narrowing shifts, SQDMULH/SQRDMULH and
 * SQDMULL/SQDMLAL/SQDMLSL (vector, by element, scalar), each once without
 * and once with saturation. Expected values from qemu-aarch64-static. */
#include "harness.inc"
#include "simd_macros.inc"

TEST_START
    msr fpsr, xzr
    LDV v1, 0x80ff7f0102fe0380, 0x8000000000000000
    LDV v2, 0x7f01ff8003050780, 0x7fffffffffffffff
    LDV v3, 0x0102030405060708, 0x0000000100000002
    LDV v4, 0x8000800080008000, 0x8000000080000000

    sqadd v0.16b, v3.16b, v3.16b
    CHKV v0, 0x020406080a0c0e10, 0x0000000200000004
    CHKQC 0
    sqadd v0.16b, v1.16b, v2.16b
    CHKV v0, 0xff007e8105030a80, 0xffffffffffffffff
    CHKQC 1
    sqadd v0.16b, v1.16b, v1.16b
    CHKV v0, 0x80fe7f0204fc0680, 0x8000000000000000
    CHKQC 1
    sqadd v0.2d, v2.2d, v2.2d
    CHKV v0, 0x7fffffffffffffff, 0x7fffffffffffffff
    CHKQC 1
    uqadd v0.8h, v1.8h, v2.8h
    CHKV v0, 0xffffffff06030b00, 0xffffffffffffffff
    CHKQC 1
    uqadd v0.4h, v3.4h, v3.4h
    CHKV v0, 0x020406080a0c0e10, 0x0000000000000000
    CHKQC 0
    sqsub v0.4s, v1.4s, v2.4s
    CHKV v0, 0x80000000fff8fc00, 0x8000000000000001
    CHKQC 1
    uqsub v0.16b, v3.16b, v2.16b
    CHKV v0, 0x0001000002010000, 0x0000000000000000
    CHKQC 1
    uqsub v0.8b, v2.8b, v3.8b
    CHKV v0, 0x7e00fc7c00000078, 0x0000000000000000
    CHKQC 1
    sqadd b0, b1, b1
    CHKV v0, 0x0000000000000080, 0x0000000000000000
    CHKQC 1
    sqsub h0, h1, h2
    CHKV v0, 0x000000000000fc00, 0x0000000000000000
    CHKQC 0
    uqadd s0, s3, s3
    CHKV v0, 0x000000000a0c0e10, 0x0000000000000000
    CHKQC 0
    uqsub d0, d3, d2
    CHKV v0, 0x0000000000000000, 0x0000000000000000
    CHKQC 1
    mov v5.d[0], v2.d[1]
    sqadd d0, d5, d5
    CHKV v0, 0x7fffffffffffffff, 0x0000000000000000
    CHKQC 1

    mov v0.16b, v2.16b
    suqadd v0.16b, v1.16b
    CHKV v0, 0x7f7f7e81057f0a00, 0x7fffffffffffffff
    CHKQC 1
    mov v0.16b, v3.16b
    suqadd v0.8h, v3.8h
    CHKV v0, 0x020406080a0c0e10, 0x0000000200000004
    CHKQC 0
    mov v0.16b, v3.16b
    usqadd v0.16b, v1.16b
    CHKV v0, 0x0001820507040a00, 0x0000000100000002
    CHKQC 1
    mov v0.16b, v1.16b
    usqadd v0.4s, v3.4s
    CHKV v0, 0x8201820508040a88, 0x8000000100000002
    CHKQC 0
    mov v0.16b, v2.16b
    suqadd d0, d2
    CHKV v0, 0x7fffffffffffffff, 0x0000000000000000
    CHKQC 1
    mov v0.16b, v3.16b
    usqadd b0, b1
    CHKV v0, 0x0000000000000000, 0x0000000000000000
    CHKQC 1

    sqabs v0.16b, v1.16b
    CHKV v0, 0x7f017f010202037f, 0x7f00000000000000
    CHKQC 1
    sqabs v0.8h, v3.8h
    CHKV v0, 0x0102030405060708, 0x0000000100000002
    CHKQC 0
    sqneg v0.8h, v4.8h
    CHKV v0, 0x7fff7fff7fff7fff, 0x7fff00007fff0000
    CHKQC 1
    sqneg v0.2d, v2.2d
    CHKV v0, 0x80fe007ffcfaf880, 0x8000000000000001
    CHKQC 0
    sqabs v0.2d, v1.2d
    CHKV v0, 0x7f0080fefd01fc80, 0x7fffffffffffffff
    CHKQC 1
    sqneg s0, s4
    CHKV v0, 0x000000007fff8000, 0x0000000000000000
    CHKQC 0
    sqabs h0, h3
    CHKV v0, 0x0000000000000708, 0x0000000000000000
    CHKQC 0

    sqxtn v0.8b, v1.8h
    CHKV v0, 0x80000000807f7f7f, 0x0000000000000000
    CHKQC 1
    LDV v5, 0x007f0010ff80fff0, 0x0001000200030004
    sqxtn v0.8b, v5.8h
    CHKV v0, 0x010203047f1080f0, 0x0000000000000000
    CHKQC 0
    mov v0.16b, v3.16b
    sqxtn2 v0.4s, v2.2d
    CHKV v0, 0x0102030405060708, 0x7fffffff7fffffff
    CHKQC 1
    uqxtn v0.4h, v1.4s
    CHKV v0, 0xffff0000ffffffff, 0x0000000000000000
    CHKQC 1
    uqxtn v0.8b, v5.8h
    CHKV v0, 0x010203047f10ffff, 0x0000000000000000
    CHKQC 1
    sqxtun v0.8b, v5.8h
    CHKV v0, 0x010203047f100000, 0x0000000000000000
    CHKQC 1
    mov v0.16b, v3.16b
    sqxtun2 v0.8h, v1.4s
    CHKV v0, 0x0102030405060708, 0x000000000000ffff
    CHKQC 1
    sqxtn b0, h5
    CHKV v0, 0x00000000000000f0, 0x0000000000000000
    CHKQC 0
    sqxtn s0, d2
    CHKV v0, 0x000000007fffffff, 0x0000000000000000
    CHKQC 1
    uqxtn h0, s3
    CHKV v0, 0x000000000000ffff, 0x0000000000000000
    CHKQC 1
    sqxtun s0, d1
    CHKV v0, 0x0000000000000000, 0x0000000000000000
    CHKQC 1

    /* saturating shifts by register */
    LDV v6, 0x0101010101010101, 0x0202020202020202
    LDV v7, 0xf8f8f8f8fcfcfcfc, 0x40404040c0c0c0c0
    sqshl v0.16b, v3.16b, v6.16b
    CHKV v0, 0x020406080a0c0e10, 0x0000000400000008
    CHKQC 0
    sqshl v0.16b, v1.16b, v6.16b
    CHKV v0, 0x80fe7f0204fc0680, 0x8000000000000000
    CHKQC 1
    uqshl v0.16b, v1.16b, v6.16b
    CHKV v0, 0xfffffe0204ff06ff, 0xff00000000000000
    CHKQC 1
    uqshl v0.8h, v1.8h, v7.8h
    CHKV v0, 0x0080007f002f0038, 0xffff000000000000
    CHKQC 1
    sqshl v0.4s, v2.4s, v7.4s
    CHKV v0, 0x007f01ff00305078, 0x7fffffffffffffff
    CHKQC 1
    sqrshl v0.8h, v1.8h, v7.8h
    CHKV v0, 0xff81007f00300038, 0x8000000000000000
    CHKQC 1
    uqrshl v0.16b, v2.16b, v7.16b
    CHKV v0, 0x0000010100000008, 0xffffffff00000000
    CHKQC 1
    sqrshl v0.16b, v1.16b, v6.16b
    CHKV v0, 0x80fe7f0204fc0680, 0x8000000000000000
    CHKQC 1
    sqshl v0.2d, v2.2d, v6.2d
    CHKV v0, 0x7fffffffffffffff, 0x7fffffffffffffff
    CHKQC 1
    uqrshl v0.2d, v1.2d, v7.2d
    CHKV v0, 0x080ff7f0102fe038, 0x0000000000000001
    CHKQC 0
    sqshl b0, b3, b6
    CHKV v0, 0x0000000000000010, 0x0000000000000000
    CHKQC 0
    uqshl d0, d2, d7
    CHKV v0, 0x07f01ff800305078, 0x0000000000000000
    CHKQC 0
    sqrshl s0, s1, s7
    CHKV v0, 0x00000000002fe038, 0x0000000000000000
    CHKQC 0
    uqshl h0, h2, h6
    CHKV v0, 0x0000000000000f00, 0x0000000000000000
    CHKQC 0
    uqrshl b0, b2, b6
    CHKV v0, 0x00000000000000ff, 0x0000000000000000
    CHKQC 1
    uqrshl s0, s2, s7
    CHKV v0, 0x0000000000305078, 0x0000000000000000
    CHKQC 0

    /* saturating shifts by immediate */
    sqshl v0.16b, v3.16b, #3
    CHKV v0, 0x0810182028303840, 0x0000000800000010
    CHKQC 0
    sqshl v0.16b, v3.16b, #5
    CHKV v0, 0x2040607f7f7f7f7f, 0x0000002000000040
    CHKQC 1
    uqshl v0.8h, v1.8h, #1
    CHKV v0, 0xfffffe0205fc0700, 0xffff000000000000
    CHKQC 1
    sqshlu v0.16b, v1.16b, #1
    CHKV v0, 0x0000fe0204000600, 0x0000000000000000
    CHKQC 1
    sqshlu v0.4s, v3.4s, #2
    CHKV v0, 0x04080c1014181c20, 0x0000000400000008
    CHKQC 0
    sqshl v0.2d, v2.2d, #63
    CHKV v0, 0x7fffffffffffffff, 0x7fffffffffffffff
    CHKQC 1
    uqshl d0, d3, #4
    CHKV v0, 0x1020304050607080, 0x0000000000000000
    CHKQC 0
    sqshl s0, s2, #1
    CHKV v0, 0x00000000060a0f00, 0x0000000000000000
    CHKQC 0
    sqshlu b0, b3, #7
    CHKV v0, 0x00000000000000ff, 0x0000000000000000
    CHKQC 1

    /* saturating narrowing shifts */
    sqshrn v0.8b, v1.8h, #1
    CHKV v0, 0x80000000807f7f7f, 0x0000000000000000
    CHKQC 1
    sqshrn v0.8b, v5.8h, #1
    CHKV v0, 0x000101023f08c0f8, 0x0000000000000000
    CHKQC 0
    mov v0.16b, v3.16b
    sqrshrn2 v0.16b, v5.8h, #2
    CHKV v0, 0x0102030405060708, 0x000101012004e0fc
    CHKQC 0
    uqshrn v0.4h, v1.4s, #8
    CHKV v0, 0xffff0000ffffffff, 0x0000000000000000
    CHKQC 1
    uqrshrn v0.2s, v2.2d, #32
    CHKV v0, 0x800000007f01ff80, 0x0000000000000000
    CHKQC 0
    uqrshrn v0.2s, v2.2d, #31
    CHKV v0, 0xfffffffffe03ff00, 0x0000000000000000
    CHKQC 1
    sqshrun v0.8b, v5.8h, #3
    CHKV v0, 0x000000000f020000, 0x0000000000000000
    CHKQC 1
    mov v0.16b, v3.16b
    sqrshrun2 v0.4s, v1.2d, #16
    CHKV v0, 0x0102030405060708, 0x0000000000000000
    CHKQC 1
    sqshrun v0.4h, v3.4s, #16
    CHKV v0, 0x0000000001020506, 0x0000000000000000
    CHKQC 0
    sqshrn b0, h5, #4
    CHKV v0, 0x00000000000000ff, 0x0000000000000000
    CHKQC 0
    sqrshrn s0, d2, #1
    CHKV v0, 0x000000007fffffff, 0x0000000000000000
    CHKQC 1
    uqshrn h0, s3, #16
    CHKV v0, 0x0000000000000506, 0x0000000000000000
    CHKQC 0
    uqrshrn b0, h2, #8
    CHKV v0, 0x0000000000000008, 0x0000000000000000
    CHKQC 0
    sqshrun h0, s1, #4
    CHKV v0, 0x000000000000ffff, 0x0000000000000000
    CHKQC 1
    sqrshrun b0, h3, #8
    CHKV v0, 0x0000000000000007, 0x0000000000000000
    CHKQC 0

    /* doubling multiplies */
    sqdmulh v0.8h, v1.8h, v2.8h
    CHKV v0, 0x81fcff8000120034, 0x8001000000000000
    CHKQC 0
    sqdmulh v0.8h, v4.8h, v4.8h
    CHKV v0, 0x7fff7fff7fff7fff, 0x7fff00007fff0000
    CHKQC 1
    sqrdmulh v0.4s, v1.4s, v2.4s
    CHKV v0, 0x81fb84800012122e, 0x8000000100000000
    CHKQC 0
    sqrdmulh v0.4s, v4.4s, v4.4s
    CHKV v0, 0x7fff00017fff0001, 0x7fffffff7fffffff
    CHKQC 1
    sqdmulh v0.4h, v1.4h, v4.h[0]
    CHKV v0, 0x7f0180fffd02fc80, 0x0000000000000000
    CHKQC 0
    sqrdmulh v0.8h, v1.8h, v2.h[3]
    CHKV v0, 0x81fc7e0402f80379, 0x80ff000000000000
    CHKQC 0
    sqdmulh v0.2s, v4.2s, v4.s[3]
    CHKV v0, 0x7fff80007fff8000, 0x0000000000000000
    CHKQC 0
    sqdmulh h0, h4, h4
    CHKV v0, 0x0000000000007fff, 0x0000000000000000
    CHKQC 1
    sqrdmulh s0, s2, s1
    CHKV v0, 0x000000000012122e, 0x0000000000000000
    CHKQC 0
    sqdmulh s0, s1, v2.s[1]
    CHKV v0, 0x0000000002f8136e, 0x0000000000000000
    CHKQC 0
    sqrdmulh h0, h4, v4.h[7]
    CHKV v0, 0x0000000000007fff, 0x0000000000000000
    CHKQC 1

    sqdmull v0.4s, v1.4h, v2.4h
    CHKV v0, 0x001211ec00348000, 0x81fc03feff80ff00
    CHKQC 0
    sqdmull v0.4s, v4.4h, v4.4h
    CHKV v0, 0x7fffffff7fffffff, 0x7fffffff7fffffff
    CHKQC 1
    sqdmull2 v0.2d, v4.4s, v4.4s
    CHKV v0, 0x7fffffffffffffff, 0x7fffffffffffffff
    CHKQC 1
    mov v0.16b, v3.16b
    sqdmlal v0.4s, v1.4h, v2.4h
    CHKV v0, 0x011414f0053a8708, 0x81fc03ffff80ff02
    CHKQC 0
    mov v0.16b, v2.16b
    sqdmlal2 v0.2d, v2.4s, v2.4s
    CHKV v0, 0x7f01ff8003050782, 0x7fffffffffffffff
    CHKQC 1
    mov v0.16b, v1.16b
    sqdmlsl v0.2d, v2.2s, v2.2s
    CHKV v0, 0x80ed42746c8d8380, 0x8000000000000000
    CHKQC 1
    mov v0.16b, v3.16b
    sqdmlsl2 v0.4s, v1.8h, v2.8h
    CHKV v0, 0x0102030405060708, 0x7fff000100000002
    CHKQC 0
    sqdmull v0.4s, v1.4h, v2.h[1]
    CHKV v0, 0x001211ec00152300, 0xfd0103f602fefc0a
    CHKQC 0
    sqdmull2 v0.2d, v4.4s, v4.s[0]
    CHKV v0, 0x7fff800000000000, 0x7fff800000000000
    CHKQC 0
    mov v0.16b, v3.16b
    sqdmlal v0.2d, v1.2s, v2.s[3]
    CHKV v0, 0x04000683ff0a0008, 0x80ff7f02fe010200
    CHKQC 0
    mov v0.16b, v3.16b
    sqdmlsl2 v0.4s, v4.8h, v4.h[2]
    CHKV v0, 0x8102030505060708, 0x8000000200000002
    CHKQC 1
    sqdmull s0, h1, h2
    CHKV v0, 0x0000000000348000, 0x0000000000000000
    CHKQC 0
    sqdmull d0, s4, s4
    CHKV v0, 0x7fff000080000000, 0x0000000000000000
    CHKQC 0
    mov v0.16b, v3.16b
    sqdmlal s0, h4, h4
    CHKV v0, 0x000000007fffffff, 0x0000000000000000
    CHKQC 1
    mov v0.16b, v2.16b
    sqdmlal d0, s2, s2
    CHKV v0, 0x7f143c0c99758780, 0x0000000000000000
    CHKQC 0
    mov v0.16b, v3.16b
    sqdmlsl d0, s1, s2
    CHKV v0, 0x00eff0d5ffd18708, 0x0000000000000000
    CHKQC 0
    sqdmull d0, s1, v2.s[2]
    CHKV v0, 0xfffffffffa03f900, 0x0000000000000000
    CHKQC 0
    mov v0.16b, v3.16b
    sqdmlal s0, h1, v4.h[5]
    CHKV v0, 0x0000000001860708, 0x0000000000000000
    CHKQC 0
    mov v0.16b, v3.16b
    sqdmlsl s0, h4, v4.h[1]
    CHKV v0, 0x0000000085060709, 0x0000000000000000
    CHKQC 1

    /* QC is sticky: two saturating ops then a non-saturating one */
    sqadd v0.16b, v1.16b, v1.16b
    sqadd v0.16b, v3.16b, v3.16b
    CHKQC 1
    TEST_PASS
TEST_END
