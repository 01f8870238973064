/* Advanced SIMD bitwise ops: AND/BIC/ORR/ORN/EOR/BSL/BIT/BIF (16B and 8B,
 * with Vd aliasing a source), NOT (MVN), RBIT, and the modified immediates
 * MOVI/MVNI/ORR/BIC in every cmode (32-bit LSL, 16-bit LSL, MSL, 8-bit,
 * 64-bit byte mask, scalar MOVI Dd). Expected values from qemu-aarch64-static. */
#include "harness.inc"
#include "simd_macros.inc"

TEST_START
    LDV v1, 0xf0f0f0f0ff00ff00, 0x0123456789abcdef
    LDV v2, 0xcccccccc33333333, 0xaaaaaaaa55555555
    LDV v3, 0x00ff00ff0f0f0f0f, 0xffff0000ffff0000

    and v0.16b, v1.16b, v2.16b
    CHKV v0, 0xc0c0c0c033003300, 0x0022002201014545
    and v0.8b, v1.8b, v2.8b
    CHKV v0, 0xc0c0c0c033003300, 0x0000000000000000
    bic v0.16b, v1.16b, v2.16b
    CHKV v0, 0x30303030cc00cc00, 0x0101454588aa88aa
    orr v0.16b, v1.16b, v2.16b
    CHKV v0, 0xfcfcfcfcff33ff33, 0xababefefddffddff
    orn v0.16b, v1.16b, v2.16b
    CHKV v0, 0xf3f3f3f3ffccffcc, 0x55775577ababefef
    orn v0.8b, v1.8b, v2.8b
    CHKV v0, 0xf3f3f3f3ffccffcc, 0x0000000000000000
    eor v0.16b, v1.16b, v2.16b
    CHKV v0, 0x3c3c3c3ccc33cc33, 0xab89efcddcfe98ba
    eor v0.8b, v1.8b, v1.8b
    CHKV v0, 0x0000000000000000, 0x0000000000000000

    mov v0.16b, v3.16b
    bsl v0.16b, v1.16b, v2.16b
    CHKV v0, 0xccf0ccf03f303f30, 0x0123aaaa89ab5555
    mov v0.16b, v3.16b
    bsl v0.8b, v1.8b, v2.8b
    CHKV v0, 0xccf0ccf03f303f30, 0x0000000000000000
    mov v0.16b, v3.16b
    bit v0.16b, v1.16b, v2.16b
    CHKV v0, 0xc0f3c0f33f0c3f0c, 0x55770022abab4545
    mov v0.16b, v3.16b
    bif v0.16b, v1.16b, v2.16b
    CHKV v0, 0x30fc30fccf03cf03, 0xabab4545ddff88aa
    mov v0.16b, v3.16b
    bif v0.8b, v1.8b, v2.8b
    CHKV v0, 0x30fc30fccf03cf03, 0x0000000000000000
    mov v4.16b, v1.16b
    and v4.16b, v4.16b, v2.16b  /* Vd = Vn */
    CHKV v4, 0xc0c0c0c033003300, 0x0022002201014545
    mov v4.16b, v1.16b
    bsl v4.16b, v4.16b, v2.16b  /* Vd = Vn in BSL */
    CHKV v4, 0xfcfcfcfcff33ff33, 0xababefefddffddff

    not v0.16b, v1.16b
    CHKV v0, 0x0f0f0f0f00ff00ff, 0xfedcba9876543210
    mvn v0.8b, v2.8b
    CHKV v0, 0x33333333cccccccc, 0x0000000000000000
    rbit v0.16b, v1.16b
    CHKV v0, 0x0f0f0f0fff00ff00, 0x80c4a2e691d5b3f7
    rbit v0.8b, v2.8b
    CHKV v0, 0x33333333cccccccc, 0x0000000000000000

    /* MOVI / MVNI / ORR / BIC immediate */
    movi v0.4s, #0xab
    CHKV v0, 0x000000ab000000ab, 0x000000ab000000ab
    movi v0.2s, #0xab, lsl #8
    CHKV v0, 0x0000ab000000ab00, 0x0000000000000000
    movi v0.4s, #0xab, lsl #16
    CHKV v0, 0x00ab000000ab0000, 0x00ab000000ab0000
    movi v0.4s, #0xab, lsl #24
    CHKV v0, 0xab000000ab000000, 0xab000000ab000000
    movi v0.8h, #0xcd
    CHKV v0, 0x00cd00cd00cd00cd, 0x00cd00cd00cd00cd
    movi v0.4h, #0xcd, lsl #8
    CHKV v0, 0xcd00cd00cd00cd00, 0x0000000000000000
    movi v0.4s, #0x12, msl #8
    CHKV v0, 0x000012ff000012ff, 0x000012ff000012ff
    movi v0.2s, #0x12, msl #16
    CHKV v0, 0x0012ffff0012ffff, 0x0000000000000000
    movi v0.16b, #0x5a
    CHKV v0, 0x5a5a5a5a5a5a5a5a, 0x5a5a5a5a5a5a5a5a
    movi v0.8b, #0xff
    CHKV v0, 0xffffffffffffffff, 0x0000000000000000
    movi v0.2d, #0xff00ff0000ffff00
    CHKV v0, 0xff00ff0000ffff00, 0xff00ff0000ffff00
    movi v0.2d, #0
    CHKV v0, 0x0000000000000000, 0x0000000000000000
    mov v0.16b, v1.16b
    movi d0, #0x00000000ffffffff
    CHKV v0, 0x00000000ffffffff, 0x0000000000000000
    mvni v0.4s, #0x34
    CHKV v0, 0xffffffcbffffffcb, 0xffffffcbffffffcb
    mvni v0.2s, #0x34, lsl #8
    CHKV v0, 0xffffcbffffffcbff, 0x0000000000000000
    mvni v0.4s, #0x34, lsl #16
    CHKV v0, 0xffcbffffffcbffff, 0xffcbffffffcbffff
    mvni v0.4s, #0x34, lsl #24
    CHKV v0, 0xcbffffffcbffffff, 0xcbffffffcbffffff
    mvni v0.8h, #0x56
    CHKV v0, 0xffa9ffa9ffa9ffa9, 0xffa9ffa9ffa9ffa9
    mvni v0.8h, #0x56, lsl #8
    CHKV v0, 0xa9ffa9ffa9ffa9ff, 0xa9ffa9ffa9ffa9ff
    mvni v0.4s, #0x78, msl #8
    CHKV v0, 0xffff8700ffff8700, 0xffff8700ffff8700
    mvni v0.4s, #0x78, msl #16
    CHKV v0, 0xff870000ff870000, 0xff870000ff870000

    mov v0.16b, v2.16b
    orr v0.4s, #0x11
    CHKV v0, 0xccccccdd33333333, 0xaaaaaabb55555555
    mov v0.16b, v2.16b
    orr v0.4s, #0x11, lsl #8
    CHKV v0, 0xccccddcc33333333, 0xaaaabbaa55555555
    mov v0.16b, v2.16b
    orr v0.2s, #0x11, lsl #16
    CHKV v0, 0xccddcccc33333333, 0x0000000000000000
    mov v0.16b, v2.16b
    orr v0.4s, #0x11, lsl #24
    CHKV v0, 0xddcccccc33333333, 0xbbaaaaaa55555555
    mov v0.16b, v2.16b
    orr v0.8h, #0x11
    CHKV v0, 0xccddccdd33333333, 0xaabbaabb55555555
    mov v0.16b, v2.16b
    orr v0.4h, #0x11, lsl #8
    CHKV v0, 0xddccddcc33333333, 0x0000000000000000
    mov v0.16b, v1.16b
    bic v0.4s, #0xff
    CHKV v0, 0xf0f0f000ff00ff00, 0x0123450089abcd00
    mov v0.16b, v1.16b
    bic v0.4s, #0xf0, lsl #8
    CHKV v0, 0xf0f000f0ff000f00, 0x0123056789ab0def
    mov v0.16b, v1.16b
    bic v0.4s, #0xff, lsl #16
    CHKV v0, 0xf000f0f0ff00ff00, 0x010045678900cdef
    mov v0.16b, v1.16b
    bic v0.2s, #0xff, lsl #24
    CHKV v0, 0x00f0f0f00000ff00, 0x0000000000000000
    mov v0.16b, v1.16b
    bic v0.8h, #0x0f
    CHKV v0, 0xf0f0f0f0ff00ff00, 0x0120456089a0cde0
    mov v0.16b, v1.16b
    bic v0.8h, #0xff, lsl #8
    CHKV v0, 0x00f000f000000000, 0x0023006700ab00ef
    TEST_PASS
TEST_END
