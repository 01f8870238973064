/* Advanced SIMD shifts: by immediate (SSHR/USHR/SRSHR/URSHR and the
 * accumulating SSRA/USRA/SRSRA/URSRA up to the element size, SHL, SRI/SLI,
 * SSHLL/USHLL incl. SXTL/UXTL and the "2" forms, SHRN/RSHRN(2), SHLL(2)),
 * vector and scalar D; and by register (SSHL/USHL/SRSHL/URSHL with
 * positive, negative and out-of-range shift counts, vector and scalar).
 * Expected values from qemu-aarch64-static. */
#include "harness.inc"
#include "simd_macros.inc"

TEST_START
    LDV v1, 0x80ff7f0102fe0380, 0x0123456789abcdef
    LDV v2, 0x8000000000000001, 0x7fffffffffffffff
    LDV v3, 0x1111222233334444, 0x5555666677778888

    sshr v0.16b, v1.16b, #1
    CHKV v0, 0xc0ff3f0001ff01c0, 0x00112233c4d5e6f7
    sshr v0.16b, v1.16b, #8
    CHKV v0, 0xffff000000ff00ff, 0x00000000ffffffff
    ushr v0.8h, v1.8h, #3
    CHKV v0, 0x101f0fe0005f0070, 0x002408ac113519bd
    ushr v0.4s, v1.4s, #32
    CHKV v0, 0x0000000000000000, 0x0000000000000000
    sshr v0.2d, v2.2d, #64
    CHKV v0, 0xffffffffffffffff, 0x0000000000000000
    ushr v0.2d, v2.2d, #63
    CHKV v0, 0x0000000000000001, 0x0000000000000000
    sshr d0, d2, #1
    CHKV v0, 0xc000000000000000, 0x0000000000000000
    ushr d0, d2, #64
    CHKV v0, 0x0000000000000000, 0x0000000000000000
    srshr v0.16b, v1.16b, #2
    CHKV v0, 0xe0002000010001e0, 0x0009111ae2ebf3fc
    urshr v0.8h, v1.8h, #16
    CHKV v0, 0x0001000000000000, 0x0000000000010001
    srshr v0.2d, v2.2d, #64
    CHKV v0, 0x0000000000000000, 0x0000000000000000
    urshr v0.2d, v2.2d, #64
    CHKV v0, 0x0000000000000001, 0x0000000000000000
    urshr d0, d2, #1
    CHKV v0, 0x4000000000000001, 0x0000000000000000
    srshr v0.2s, v1.2s, #31
    CHKV v0, 0xffffffff00000000, 0x0000000000000000

    mov v0.16b, v3.16b
    ssra v0.16b, v1.16b, #4
    CHKV v0, 0x091029223332443c, 0x55576a6c6f718486
    mov v0.16b, v3.16b
    usra v0.8h, v1.8h, #16
    CHKV v0, 0x1111222233334444, 0x5555666677778888
    mov v0.16b, v3.16b
    srsra v0.4s, v1.4s, #7
    CHKV v0, 0x101321203339404b, 0x5557acf1768ae024
    mov v0.16b, v3.16b
    ursra v0.2d, v2.2d, #64
    CHKV v0, 0x1111222233334445, 0x5555666677778888
    mov v0.16b, v3.16b
    usra d0, d2, #60
    CHKV v0, 0x111122223333444c, 0x0000000000000000
    mov v0.16b, v3.16b
    ssra v0.2s, v1.2s, #32
    CHKV v0, 0x1111222133334444, 0x0000000000000000

    shl v0.16b, v1.16b, #7
    CHKV v0, 0x0080808000008000, 0x8080808080808080
    shl v0.4h, v1.4h, #4
    CHKV v0, 0x0ff0f0102fe03800, 0x0000000000000000
    shl v0.2d, v2.2d, #63
    CHKV v0, 0x8000000000000000, 0x8000000000000000
    shl d0, d1, #12
    CHKV v0, 0xf7f0102fe0380000, 0x0000000000000000
    mov v0.16b, v3.16b
    sli v0.16b, v1.16b, #3
    CHKV v0, 0x01f9fa0a13f31c04, 0x0d1d2e3e4f5f6878
    mov v0.16b, v3.16b
    sli v0.4s, v1.4s, #0
    CHKV v0, 0x80ff7f0102fe0380, 0x0123456789abcdef
    mov v0.16b, v3.16b
    sli d0, d1, #63
    CHKV v0, 0x1111222233334444, 0x0000000000000000
    mov v0.16b, v3.16b
    sri v0.8h, v1.8h, #5
    CHKV v0, 0x140723f83017401c, 0x5009622b744d8e6f
    mov v0.16b, v3.16b
    sri v0.16b, v1.16b, #8
    CHKV v0, 0x1111222233334444, 0x5555666677778888
    mov v0.16b, v3.16b
    sri v0.2d, v1.2d, #64
    CHKV v0, 0x1111222233334444, 0x5555666677778888
    mov v0.16b, v3.16b
    sri d0, d1, #1
    CHKV v0, 0x407fbf80817f01c0, 0x0000000000000000

    /* widening and narrowing */
    sshll v0.8h, v1.8b, #0
    CHKV v0, 0x0002fffe0003ff80, 0xff80ffff007f0001
    sxtl2 v0.8h, v1.16b
    CHKV v0, 0xff89ffabffcdffef, 0x0001002300450067
    ushll v0.4s, v1.4h, #15
    CHKV v0, 0x017f000001c00000, 0x407f80003f808000
    uxtl2 v0.2d, v1.4s
    CHKV v0, 0x0000000089abcdef, 0x0000000001234567
    sshll2 v0.2d, v1.4s, #31
    CHKV v0, 0xc4d5e6f780000000, 0x0091a2b380000000
    shrn v0.8b, v1.8h, #4
    CHKV v0, 0x12569ade0ff02f38, 0x0000000000000000
    mov v0.16b, v3.16b
    shrn2 v0.16b, v1.8h, #8
    CHKV v0, 0x1111222233334444, 0x014589cd807f0203
    rshrn v0.4h, v1.4s, #16
    CHKV v0, 0x012389ac80ff02fe, 0x0000000000000000
    mov v0.16b, v3.16b
    rshrn2 v0.4s, v2.2d, #1
    CHKV v0, 0x1111222233334444, 0x0000000000000001
    rshrn v0.8b, v1.8h, #1
    CHKV v0, 0x92b4d6f880817fc0, 0x0000000000000000
    shll v0.8h, v1.8b, #8
    CHKV v0, 0x0200fe0003008000, 0x8000ff007f000100
    shll2 v0.4s, v1.8h, #16
    CHKV v0, 0x89ab0000cdef0000, 0x0123000045670000
    shll2 v0.2d, v1.4s, #32
    CHKV v0, 0x89abcdef00000000, 0x0123456700000000

    /* by register: shift counts from the low byte of each Vm element */
    LDV v4, 0x0108f8ff7f80c001, 0x00000000fffffff9
    LDV v5, 0x00000000000000c0, 0xffffffffffffffc1
    sshl v0.16b, v1.16b, v4.16b
    CHKV v0, 0x0000000000ff0000, 0x01234567c4d5e6ff
    ushl v0.16b, v1.16b, v4.16b
    CHKV v0, 0x0000000000000000, 0x0123456744556601
    sshl v0.8h, v1.8h, v4.8h
    CHKV v0, 0xff003f8000000700, 0x01234567c4d5ff9b
    ushl v0.4s, v1.4s, v4.4s
    CHKV v0, 0x407fbf8005fc0700, 0x012345670113579b
    srshl v0.16b, v1.16b, v4.16b
    CHKV v0, 0x0000000100000000, 0x01234567c5d6e700
    urshl v0.8h, v1.8h, v4.8h
    CHKV v0, 0xff003f8100000700, 0x0123456744d6019c
    srshl v0.4s, v1.4s, v4.4s
    CHKV v0, 0xc07fbf8105fc0700, 0x01234567ff13579c
    sshl v0.2d, v2.2d, v5.2d
    CHKV v0, 0xffffffffffffffff, 0x0000000000000000
    ushl v0.2d, v2.2d, v5.2d
    CHKV v0, 0x0000000000000000, 0x0000000000000000
    srshl v0.2d, v2.2d, v5.2d
    CHKV v0, 0x0000000000000000, 0x0000000000000001
    urshl v0.2d, v2.2d, v5.2d
    CHKV v0, 0x0000000000000001, 0x0000000000000001
    LDV v6, 0x000000000000003f, 0
    ushl d0, d2, d6
    CHKV v0, 0x8000000000000000, 0x0000000000000000
    LDV v6, 0x00000000000000c1, 0
    sshl d0, d2, d6
    CHKV v0, 0xffffffffffffffff, 0x0000000000000000
    srshl d0, d2, d6
    CHKV v0, 0xffffffffffffffff, 0x0000000000000000
    urshl d0, d2, d6
    CHKV v0, 0x0000000000000001, 0x0000000000000000
    LDV v6, 0x0000000000000040, 0
    ushl d0, d2, d6
    CHKV v0, 0x0000000000000000, 0x0000000000000000

    /* the remaining scalar D forms by immediate */
    mov v0.16b, v3.16b
    ssra d0, d1, #7
    CHKV v0, 0x101321203539404b, 0x0000000000000000
    srshr d0, d1, #9
    CHKV v0, 0xffc07fbf80817f02, 0x0000000000000000
    mov v0.16b, v3.16b
    srsra d0, d2, #64
    CHKV v0, 0x1111222233334444, 0x0000000000000000
    mov v0.16b, v3.16b
    ursra d0, d2, #1
    CHKV v0, 0x5111222233334445, 0x0000000000000000
    TEST_PASS
TEST_END
