/* Advanced SIMD copy: DUP (element, general), INS (element, general) and
 * their MOV aliases, UMOV/SMOV (MOV to general), scalar DUP (MOV Bd, Vn.B[i]),
 * for every element size, with 64-bit forms clearing the upper half.
 * Expected values from qemu-aarch64-static. */
#include "harness.inc"
#include "simd_macros.inc"

TEST_START
    LDV v1, 0x8877665544332211, 0xf0e0d0c0b0a09080
    LDV v2, 0x0123456789abcdef, 0xfedcba9876543210
    ldr x3, =0x1122334455667788

    /* DUP (general) */
    dup v0.16b, w3
    CHKV v0, 0x8888888888888888, 0x8888888888888888
    dup v0.8b, w3
    CHKV v0, 0x8888888888888888, 0x0000000000000000
    dup v0.8h, w3
    CHKV v0, 0x7788778877887788, 0x7788778877887788
    dup v0.4h, w3
    CHKV v0, 0x7788778877887788, 0x0000000000000000
    dup v0.4s, w3
    CHKV v0, 0x5566778855667788, 0x5566778855667788
    dup v0.2s, w3
    CHKV v0, 0x5566778855667788, 0x0000000000000000
    dup v0.2d, x3
    CHKV v0, 0x1122334455667788, 0x1122334455667788

    /* DUP (element) */
    dup v0.16b, v1.b[15]
    CHKV v0, 0xf0f0f0f0f0f0f0f0, 0xf0f0f0f0f0f0f0f0
    dup v0.8b, v1.b[3]
    CHKV v0, 0x4444444444444444, 0x0000000000000000
    dup v0.8h, v1.h[5]
    CHKV v0, 0xb0a0b0a0b0a0b0a0, 0xb0a0b0a0b0a0b0a0
    dup v0.4h, v1.h[0]
    CHKV v0, 0x2211221122112211, 0x0000000000000000
    dup v0.4s, v1.s[3]
    CHKV v0, 0xf0e0d0c0f0e0d0c0, 0xf0e0d0c0f0e0d0c0
    dup v0.2s, v1.s[1]
    CHKV v0, 0x8877665588776655, 0x0000000000000000
    dup v0.2d, v1.d[1]
    CHKV v0, 0xf0e0d0c0b0a09080, 0xf0e0d0c0b0a09080
    mov v3.16b, v1.16b
    dup v3.4s, v3.s[2]          /* source = destination */
    CHKV v3, 0xb0a09080b0a09080, 0xb0a09080b0a09080

    /* scalar DUP (MOV Vd, Vn.T[i]) */
    mov v0.16b, v2.16b
    mov b0, v1.b[9]
    CHKV v0, 0x0000000000000090, 0x0000000000000000
    mov h0, v1.h[7]
    CHKV v0, 0x000000000000f0e0, 0x0000000000000000
    mov s0, v1.s[1]
    CHKV v0, 0x0000000088776655, 0x0000000000000000
    mov d0, v1.d[1]
    CHKV v0, 0xf0e0d0c0b0a09080, 0x0000000000000000

    /* INS (general) */
    mov v0.16b, v2.16b
    mov v0.b[0], w3
    mov v0.b[13], w3
    CHKV v0, 0x0123456789abcd88, 0xfedc889876543210
    mov v0.h[6], w3
    mov v0.h[1], w3
    CHKV v0, 0x012345677788cd88, 0xfedc778876543210
    mov v0.s[3], w3
    mov v0.s[0], w3
    CHKV v0, 0x0123456755667788, 0x5566778876543210
    mov v0.d[1], xzr
    CHKV v0, 0x0123456755667788, 0x0000000000000000

    /* INS (element) */
    mov v0.16b, v2.16b
    mov v0.b[15], v1.b[0]
    mov v0.b[1], v1.b[14]
    CHKV v0, 0x0123456789abe0ef, 0x11dcba9876543210
    mov v0.h[4], v1.h[1]
    CHKV v0, 0x0123456789abe0ef, 0x11dcba9876544433
    mov v0.s[1], v1.s[2]
    CHKV v0, 0xb0a0908089abe0ef, 0x11dcba9876544433
    mov v0.d[0], v1.d[1]
    CHKV v0, 0xf0e0d0c0b0a09080, 0x11dcba9876544433
    mov v0.16b, v1.16b
    mov v0.s[0], v0.s[3]        /* within one register */
    CHKV v0, 0x88776655f0e0d0c0, 0xf0e0d0c0b0a09080

    /* UMOV / SMOV */
    umov w4, v1.b[15]
    EXPECT x4, 0x00000000000000f0
    umov w4, v1.h[7]
    EXPECT x4, 0x000000000000f0e0
    mov w4, v1.s[3]
    EXPECT x4, 0x00000000f0e0d0c0
    mov x4, v1.d[1]
    EXPECT x4, 0xf0e0d0c0b0a09080
    smov w4, v1.b[15]
    EXPECT x4, 0x00000000fffffff0
    smov w4, v1.h[2]
    EXPECT x4, 0x0000000000006655
    smov x4, v1.b[8]
    EXPECT x4, 0xffffffffffffff80
    smov x4, v1.h[7]
    EXPECT x4, 0xfffffffffffff0e0
    smov x4, v1.s[3]
    EXPECT x4, 0xfffffffff0e0d0c0
    smov x4, v1.s[0]
    EXPECT x4, 0x0000000044332211
    smov x4, v2.b[0]
    EXPECT x4, 0xffffffffffffffef

    /* MOV (vector) = ORR Vd, Vn, Vn; 64-bit form clears the top */
    mov v5.16b, v1.16b
    CHKV v5, 0x8877665544332211, 0xf0e0d0c0b0a09080
    mov v5.8b, v2.8b
    CHKV v5, 0x0123456789abcdef, 0x0000000000000000
    TEST_PASS
TEST_END
