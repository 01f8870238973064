/* Bitfield (SBFM/BFM/UBFM) through every alias -- ASR/LSR/LSL (immediate),
 * SBFX/UBFX, SBFIZ/UBFIZ, BFI/BFXIL, SXTB/SXTH/SXTW, UXTB/UXTH -- plus raw
 * encodings at the edges (imms < immr and imms >= immr, full width), the
 * 32-bit forms, and EXTR / ROR (immediate). Expected values follow the Arm
 * ARM and were checked under qemu-aarch64-static. */
#include "harness.inc"

TEST_START
    ldr x1, =0x8123456789abcdef
    ldr x2, =0xfedcba9876543210

    /* ---- shifts by immediate ---- */
    asr x0, x1, #4
    EXPECT x0, 0xf8123456789abcde
    asr x0, x1, #63
    EXPECT x0, 0xffffffffffffffff
    asr x0, x2, #0              /* SBFM #0, #63: a plain copy */
    EXPECT x0, 0xfedcba9876543210
    lsr x0, x1, #4
    EXPECT x0, 0x08123456789abcde
    lsr x0, x1, #63
    EXPECT x0, 1
    lsl x0, x1, #4
    EXPECT x0, 0x123456789abcdef0
    lsl x0, x1, #63
    EXPECT x0, 0x8000000000000000
    lsl x0, x1, #1
    EXPECT x0, 0x02468acf13579bde
    asr w0, w1, #4              /* 32-bit: bit 31 of w1 is 1 */
    EXPECT x0, 0xf89abcde
    asr w0, w2, #31
    EXPECT x0, 0
    asr w0, w1, #31
    EXPECT x0, 0xffffffff
    lsr w0, w1, #28
    EXPECT x0, 0x8
    lsl w0, w1, #28
    EXPECT x0, 0xf0000000
    lsl w0, w1, #31
    EXPECT x0, 0x80000000
    lsr w0, w2, #0
    EXPECT x0, 0x76543210

    /* ---- extends ---- */
    sxtb x0, w1
    EXPECT x0, 0xffffffffffffffef
    sxth x0, w1
    EXPECT x0, 0xffffffffffffcdef
    sxtw x0, w1
    EXPECT x0, 0xffffffff89abcdef
    sxtw x0, w2
    EXPECT x0, 0x76543210
    sxtb w0, w1
    EXPECT x0, 0xffffffef
    sxth w0, w2
    EXPECT x0, 0x3210
    uxtb w0, w1
    EXPECT x0, 0xef
    uxth w0, w1
    EXPECT x0, 0xcdef

    /* ---- field extract / insert ---- */
    sbfx x0, x1, #4, #8         /* bits 11:4 = 0xde */
    EXPECT x0, 0xffffffffffffffde
    sbfx x0, x1, #8, #8         /* 0xcd */
    EXPECT x0, 0xffffffffffffffcd
    sbfx x0, x1, #12, #8        /* 0xbc */
    EXPECT x0, 0xffffffffffffffbc
    sbfx x0, x2, #0, #4         /* 0x0 */
    EXPECT x0, 0
    sbfx x0, x1, #60, #4        /* top nibble 0x8 */
    EXPECT x0, 0xfffffffffffffff8
    sbfx x0, x1, #1, #63
    EXPECT x0, 0xc091a2b3c4d5e6f7
    ubfx x0, x1, #4, #8
    EXPECT x0, 0xde
    ubfx x0, x1, #60, #4
    EXPECT x0, 0x8
    ubfx x0, x1, #0, #64
    EXPECT x0, 0x8123456789abcdef
    ubfx x0, x1, #32, #32
    EXPECT x0, 0x81234567
    sbfiz x0, x1, #8, #8        /* field 0xef at bit 8, sign-extended */
    EXPECT x0, 0xffffffffffffef00
    sbfiz x0, x2, #60, #4
    EXPECT x0, 0
    sbfiz x0, x1, #63, #1
    EXPECT x0, 0x8000000000000000
    sbfiz x0, x1, #4, #60
    EXPECT x0, 0x123456789abcdef0
    ubfiz x0, x1, #8, #8
    EXPECT x0, 0xef00
    ubfiz x0, x1, #56, #8
    EXPECT x0, 0xef00000000000000
    ubfiz x0, x1, #1, #63
    EXPECT x0, 0x02468acf13579bde
    /* 32-bit */
    sbfx w0, w1, #28, #4        /* 0x8 of 0x89abcdef */
    EXPECT x0, 0xfffffff8
    sbfx w0, w1, #0, #32
    EXPECT x0, 0x89abcdef
    ubfx w0, w1, #20, #12
    EXPECT x0, 0x89a
    sbfiz w0, w1, #24, #4
    EXPECT x0, 0xff000000
    sbfiz w0, w1, #28, #4
    EXPECT x0, 0xf0000000
    ubfiz w0, w1, #4, #28
    EXPECT x0, 0x9abcdef0
    ubfiz w0, w1, #31, #1
    EXPECT x0, 0x80000000

    /* BFI / BFXIL keep the other destination bits */
    mov x0, x2
    bfi x0, x1, #8, #8          /* 0xef into bits 15:8 */
    EXPECT x0, 0xfedcba987654ef10
    mov x0, x2
    bfi x0, x1, #60, #4
    EXPECT x0, 0xfedcba9876543210 & 0x0fffffffffffffff | 0xf000000000000000
    mov x0, x2
    bfi x0, x1, #0, #64
    EXPECT x0, 0x8123456789abcdef
    mov x0, x2
    bfi x0, x1, #32, #32        /* joins two halves: the field reaches bit 63 */
    EXPECT x0, 0x89abcdef76543210
    mov x0, x2
    bfi x0, xzr, #16, #32       /* BFC */
    EXPECT x0, 0xfedc000000003210
    mov x0, x2
    bfxil x0, x1, #4, #8        /* 0xde into bits 7:0 */
    EXPECT x0, 0xfedcba98765432de
    mov x0, x2
    bfxil x0, x1, #32, #32
    EXPECT x0, 0xfedcba9881234567
    mov x0, x2
    bfxil x0, x1, #63, #1
    EXPECT x0, 0xfedcba9876543211
    mov x0, x2
    bfxil x0, x1, #0, #64
    EXPECT x0, 0x8123456789abcdef
    /* 32-bit BFM clears the upper half of the destination */
    mov x0, x2
    bfi w0, w1, #28, #4
    EXPECT x0, 0xf6543210
    mov x0, x2
    bfxil w0, w1, #16, #16
    EXPECT x0, 0x765489ab
    mov x0, x2
    bfi w0, w1, #0, #32
    EXPECT x0, 0x89abcdef
    mov x0, x2
    bfi w0, w1, #16, #16
    EXPECT x0, 0xcdef3210

    /* raw encodings */
    sbfm x0, x1, #63, #0        /* imms < immr: bit 0 at bit 1, sign-filled */
    EXPECT x0, 0xfffffffffffffffe
    ubfm x0, x1, #63, #0
    EXPECT x0, 2
    ubfm x0, x1, #0, #0
    EXPECT x0, 1
    sbfm x0, x1, #0, #0
    EXPECT x0, 0xffffffffffffffff
    sbfm x0, x1, #63, #63       /* field = bit 63 */
    EXPECT x0, 0xffffffffffffffff
    ubfm x0, x1, #32, #31       /* LSL #32 */
    EXPECT x0, 0x89abcdef00000000
    mov x0, x2
    bfm x0, x1, #60, #3         /* bits 3:0 of x1 to bits 7:4 */
    EXPECT x0, 0xfedcba98765432f0
    mov x0, x2
    bfm x0, x1, #4, #3          /* rotate by 4, keep bits 63:60 */
    EXPECT x0, 0xfedcba9876543210 & 0x0fffffffffffffff | 0xf000000000000000
    sbfm w0, w1, #31, #30       /* LSL #1 */
    EXPECT x0, 0x13579bde
    sbfm w0, w1, #1, #0         /* bit 0 at bit 31 */
    EXPECT x0, 0x80000000
    ubfm w0, w1, #31, #31
    EXPECT x0, 1
    mov x0, x2
    bfm w0, w1, #16, #15
    EXPECT x0, 0xcdef3210

    /* ---- EXTR / ROR (immediate) ---- */
    extr x0, x1, x2, #16
    EXPECT x0, 0xcdeffedcba987654
    extr x0, x1, x2, #0
    EXPECT x0, 0xfedcba9876543210
    extr x0, x1, x2, #63
    EXPECT x0, 0x02468acf13579bdf
    extr x0, xzr, x1, #60
    EXPECT x0, 0x8
    ror x0, x1, #4
    EXPECT x0, 0xf8123456789abcde
    ror x0, x1, #63
    EXPECT x0, 0x02468acf13579bdf
    extr w0, w1, w2, #8
    EXPECT x0, 0xef765432
    extr w0, w1, w2, #0
    EXPECT x0, 0x76543210
    extr w0, w1, w2, #31
    EXPECT x0, 0x13579bde
    ror w0, w1, #12
    EXPECT x0, 0xdef89abc
    ror w0, w2, #31
    EXPECT x0, 0xeca86420

    TEST_PASS
TEST_END
