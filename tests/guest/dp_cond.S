/* Conditional select (CSEL/CSINC/CSINV/CSNEG and the CSET/CSETM/CINC/CINV/
 * CNEG aliases) and conditional compare (CCMP/CCMN, register and
 * immediate). Every condition code, AL and NV included, is evaluated under
 * all 16 NZCV values. Expected values follow the Arm ARM (ConditionHolds)
 * and were checked under qemu-aarch64-static. */
#include "harness.inc"

/* x0 = bit i set iff condition i holds under NZCV = flags
 * (i = 0 eq, 1 ne, ... 14 al, 15 nv); then EXPECT x0, mask. */
.macro CONDMASK flags, mask
    mov x28, #(\flags << 28)
    msr nzcv, x28
    mov x0, #0
    .set .Lci, 0
    .irp c, eq, ne, cs, cc, mi, pl, vs, vc, hi, ls, ge, lt, gt, le, al, nv
    csel x1, x3, xzr, \c
    orr x0, x0, x1, lsl #.Lci
    .set .Lci, .Lci + 1
    .endr
    EXPECT x0, \mask
.endm

/* The same masks through CSET (CSINC of XZR, which the translator makes the
 * inverted condition's 0/1) for the 14 conditions CSET takes (AL and NV
 * always hold), and CSETM at 32 bits (all ones, zero-extended, or 0) checked
 * against the CSET bit of the same condition: x7 collects any difference. */
.macro CSETMASK flags, mask
    mov x28, #(\flags << 28)
    msr nzcv, x28
    mov x0, #0xc000
    mov x7, #0
    .set .Lci, 0
    .irp c, eq, ne, cs, cc, mi, pl, vs, vc, hi, ls, ge, lt, gt, le
    cset x1, \c
    csetm w2, \c
    orr x0, x0, x1, lsl #.Lci
    neg w5, w1
    eor x5, x5, x2
    orr x7, x7, x5
    .set .Lci, .Lci + 1
    .endr
    EXPECT x0, \mask
    EXPECT x7, 0
.endm

.macro SET_NZCV flags
    mov x28, #(\flags << 28)
    msr nzcv, x28
.endm

TEST_START
    mov x3, #1
    CONDMASK 0b0000, 0xd6aa
    CONDMASK 0b0001, 0xea6a
    CONDMASK 0b0010, 0xd5a6
    CONDMASK 0b0011, 0xe966
    CONDMASK 0b0100, 0xe6a9
    CONDMASK 0b0101, 0xea69
    CONDMASK 0b0110, 0xe6a5
    CONDMASK 0b0111, 0xea65
    CONDMASK 0b1000, 0xea9a
    CONDMASK 0b1001, 0xd65a
    CONDMASK 0b1010, 0xe996
    CONDMASK 0b1011, 0xd556
    CONDMASK 0b1100, 0xea99
    CONDMASK 0b1101, 0xe659
    CONDMASK 0b1110, 0xea95
    CONDMASK 0b1111, 0xe655
    CSETMASK 0b0000, 0xd6aa
    CSETMASK 0b0001, 0xea6a
    CSETMASK 0b0010, 0xd5a6
    CSETMASK 0b0011, 0xe966
    CSETMASK 0b0100, 0xe6a9
    CSETMASK 0b0101, 0xea69
    CSETMASK 0b0110, 0xe6a5
    CSETMASK 0b0111, 0xea65
    CSETMASK 0b1000, 0xea9a
    CSETMASK 0b1001, 0xd65a
    CSETMASK 0b1010, 0xe996
    CSETMASK 0b1011, 0xd556
    CSETMASK 0b1100, 0xea99
    CSETMASK 0b1101, 0xe659
    CSETMASK 0b1110, 0xea95
    CSETMASK 0b1111, 0xe655

    /* ---- conditional select, 64-bit ---- */
    ldr x1, =0x1111111111111111
    ldr x2, =0x8000000000000000
    SET_NZCV 0b0100             /* Z set: eq true */
    csel x0, x1, x2, eq
    EXPECT x0, 0x1111111111111111
    SET_NZCV 0b0100
    csel x0, x1, x2, ne
    EXPECT x0, 0x8000000000000000
    SET_NZCV 0b0100
    csinc x0, x1, x2, ne
    EXPECT x0, 0x8000000000000001
    SET_NZCV 0b0100
    csinv x0, x1, x2, ne
    EXPECT x0, 0x7fffffffffffffff
    SET_NZCV 0b0100
    csneg x0, x1, x2, ne        /* -MIN = MIN */
    EXPECT x0, 0x8000000000000000
    SET_NZCV 0b0100
    csneg x0, x1, x1, ne
    EXPECT x0, 0xeeeeeeeeeeeeeeef
    SET_NZCV 0b0100
    csinc x0, x1, x2, eq        /* condition true: Rn unchanged */
    EXPECT x0, 0x1111111111111111
    SET_NZCV 0b0100
    csinv x0, x1, x2, eq
    EXPECT x0, 0x1111111111111111
    SET_NZCV 0b0100
    csneg x0, x1, x2, eq
    EXPECT x0, 0x1111111111111111
    mov x4, #-1
    SET_NZCV 0b0000
    csinc x0, x1, x4, eq        /* -1 + 1 wraps to 0 */
    EXPECT x0, 0
    SET_NZCV 0b0000
    csel x0, x1, x2, al
    EXPECT x0, 0x1111111111111111
    SET_NZCV 0b0000
    csinc x0, x1, x2, nv        /* NV behaves as AL */
    EXPECT x0, 0x1111111111111111
    SET_NZCV 0b0000
    csneg x0, x1, x2, nv
    EXPECT x0, 0x1111111111111111
    /* aliases */
    SET_NZCV 0b0010
    cset x0, cs
    EXPECT x0, 1
    SET_NZCV 0b0010
    cset x0, cc
    EXPECT x0, 0
    SET_NZCV 0b1000
    csetm x0, mi
    EXPECT x0, 0xffffffffffffffff
    SET_NZCV 0b1000
    csetm x0, pl
    EXPECT x0, 0
    SET_NZCV 0b0001
    cinc x0, x1, vs
    EXPECT x0, 0x1111111111111112
    SET_NZCV 0b0001
    cinc x0, x1, vc
    EXPECT x0, 0x1111111111111111
    SET_NZCV 0b0010
    cinv x0, x1, hi
    EXPECT x0, 0xeeeeeeeeeeeeeeee
    SET_NZCV 0b0110
    cinv x0, x1, hi
    EXPECT x0, 0x1111111111111111
    SET_NZCV 0b1001
    cneg x0, x1, ge
    EXPECT x0, 0xeeeeeeeeeeeeeeef
    SET_NZCV 0b1000
    cneg x0, x1, ge
    EXPECT x0, 0x1111111111111111
    SET_NZCV 0b1000
    csel x0, xzr, x1, lt        /* XZR as a source */
    EXPECT x0, 0
    SET_NZCV 0b1000
    csinc x0, xzr, xzr, ge
    EXPECT x0, 1

    /* ---- conditional select, 32-bit: zero-extended, low halves only ---- */
    ldr x5, =0xdeadbeef00000005
    ldr x6, =0xcafef00d80000000
    SET_NZCV 0b0100
    csel w0, w5, w6, eq
    EXPECT x0, 5
    SET_NZCV 0b0100
    csel w0, w5, w6, ne
    EXPECT x0, 0x80000000
    SET_NZCV 0b0000
    csinc w0, w5, w4, eq        /* 0xffffffff + 1 = 0 in 32 bits */
    EXPECT x0, 0
    SET_NZCV 0b0000
    csinv w0, w5, w5, eq
    EXPECT x0, 0xfffffffa
    SET_NZCV 0b0000
    csneg w0, w5, w5, eq
    EXPECT x0, 0xfffffffb
    SET_NZCV 0b0000
    csneg w0, w5, w6, eq        /* -INT32_MIN */
    EXPECT x0, 0x80000000
    SET_NZCV 0b0000
    csinv w0, w5, w6, al
    EXPECT x0, 5
    SET_NZCV 0b0110
    csetm w0, ls
    EXPECT x0, 0xffffffff
    SET_NZCV 0b0010
    cset w0, ls
    EXPECT x0, 0

    /* ---- conditional compare ---- */
    mov x1, #5
    mov x2, #5
    mov x3, #7
    SET_NZCV 0b0100             /* eq holds: compare */
    ccmp x1, x3, #0b1111, eq    /* 5 - 7 */
    EXPECT_NZCV 0b1000
    SET_NZCV 0b0000             /* eq fails: flags = #nzcv */
    ccmp x1, x3, #0b0101, eq
    EXPECT_NZCV 0b0101
    SET_NZCV 0b0000
    ccmp x1, x2, #0b0000, ne
    EXPECT_NZCV 0b0110
    SET_NZCV 0b0000
    ccmp x1, #5, #0b1001, ne
    EXPECT_NZCV 0b0110
    SET_NZCV 0b0100
    ccmp x1, #31, #0b0010, ne
    EXPECT_NZCV 0b0010
    SET_NZCV 0b0000
    ccmp x1, #31, #0b0010, ne   /* 5 - 31 */
    EXPECT_NZCV 0b1000
    SET_NZCV 0b0000
    ccmp x1, #0, #0b1111, al
    EXPECT_NZCV 0b0010
    SET_NZCV 0b0000
    ccmp x1, #0, #0b1111, nv    /* NV holds like AL */
    EXPECT_NZCV 0b0010
    ldr x7, =0x8000000000000000
    SET_NZCV 0b0010
    ccmp x7, #1, #0, cs         /* MIN - 1 overflows */
    EXPECT_NZCV 0b0011
    mov x8, #-1
    SET_NZCV 0b0010
    ccmn x8, #1, #0, cs         /* -1 + 1 */
    EXPECT_NZCV 0b0110
    SET_NZCV 0b0000
    ccmn x8, #1, #0b1000, cs
    EXPECT_NZCV 0b1000
    ldr x9, =0x7fffffffffffffff
    SET_NZCV 0b1001             /* ge holds (N == V) */
    ccmn x9, x3, #0, ge
    EXPECT_NZCV 0b1001
    SET_NZCV 0b1000             /* ge fails */
    ccmn x9, x3, #0b0100, ge
    EXPECT_NZCV 0b0100
    SET_NZCV 0b0000
    ccmp xzr, xzr, #0, eq       /* condition false */
    EXPECT_NZCV 0b0000
    SET_NZCV 0b0000
    ccmp xzr, xzr, #0, ne       /* 0 - 0 */
    EXPECT_NZCV 0b0110
    /* 32-bit compares look at the low halves only */
    ldr x10, =0x123456780000000a
    ldr x11, =0x000000000000000a
    SET_NZCV 0b0000
    ccmp w10, w11, #0, al
    EXPECT_NZCV 0b0110
    SET_NZCV 0b0000
    ccmp x10, x11, #0, al
    EXPECT_NZCV 0b0010
    mov w12, #0x80000000
    SET_NZCV 0b0000
    ccmp w12, #1, #0, pl
    EXPECT_NZCV 0b0011
    mov w13, #0xffffffff
    SET_NZCV 0b0000
    ccmn w13, #1, #0, vc
    EXPECT_NZCV 0b0110
    SET_NZCV 0b0000
    ccmn w13, w13, #0, vc
    EXPECT_NZCV 0b1010
    SET_NZCV 0b0001
    ccmn w13, w13, #0b0111, vc
    EXPECT_NZCV 0b0111
    /* a chain: (x1 == 5) && (x3 > 6) */
    cmp x1, #5
    ccmp x3, #6, #0, eq
    cset x0, gt
    EXPECT x0, 1
    cmp x1, #4
    ccmp x3, #6, #0b0100, eq    /* false: Z makes gt fail */
    cset x0, gt
    EXPECT x0, 0

    TEST_PASS
TEST_END
