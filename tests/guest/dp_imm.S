/* Data processing (immediate): ADR/ADRP, ADD/SUB(S) immediate (LSL #12, SP
 * forms, flags), logical immediate (bitmask patterns, 32-bit forms, SP
 * destination, ANDS/TST flags), MOVN/MOVZ/MOVK. Expected values follow the
 * Arm ARM and were checked by running this file under qemu-aarch64-static. */
#include "harness.inc"

/* fail unless register a == register b */
.macro EXPECT_EQ a, b
    cmp \a, \b
    b.eq .Leq\@
    mov x27, #(__LINE__ & 0xffff)
    b harness_fail
.Leq\@:
.endm

TEST_START
    mov x25, sp                 /* restored at the end: the test moves SP */

    /* ---- ADR / ADRP ---- */
    adr x0, adr_here
adr_here:
    ldr x1, =adr_here
    EXPECT_EQ x0, x1
    adr x0, far_back            /* negative offset */
    ldr x1, =far_back
    EXPECT_EQ x0, x1
    adr x0, .+0xffffc           /* largest positive offset (1 MiB - 4) */
    adr x1, .
    sub x0, x0, x1
    EXPECT x0, 0xffff8
    adr xzr, .                  /* Rd = 31 is XZR: no effect */
    adrp x0, adr_here
    ldr x1, =adr_here
    and x1, x1, #0xfffffffffffff000
    EXPECT_EQ x0, x1
    adrp x0, scratch_end        /* a different page */
    ldr x1, =scratch_end
    and x1, x1, #0xfffffffffffff000
    EXPECT_EQ x0, x1

    /* ---- ADD/SUB (immediate) ---- */
    movz x1, #0x1000
    add x0, x1, #0xfff
    EXPECT x0, 0x1fff
    add x0, x1, #0xabc, lsl #12
    EXPECT x0, 0xabd000
    sub x0, x1, #1, lsl #12
    EXPECT x0, 0
    mov x4, #0x800
    sub x0, x4, #0x801
    EXPECT x0, 0xffffffffffffffff
    mov x2, #-1
    add w0, w2, #1              /* 32-bit wraps and zero-extends */
    EXPECT x0, 0
    sub w0, wsp, #1             /* Rn = 31 is WSP here */
    mov x3, sp
    sub w3, w3, #1
    EXPECT_EQ x0, x3
    movz x2, #0x1234, lsl #48
    add w0, w2, #5
    EXPECT x0, 5
    add x0, x2, #0              /* MOV (add #0) keeps all 64 bits */
    EXPECT x0, 0x1234000000000000
    mov x2, #-1
    add w0, w2, #0              /* 32-bit MOV zero-extends */
    EXPECT x0, 0xffffffff

    /* SP as source and destination */
    mov x0, sp
    add sp, sp, #0x10
    mov x1, sp
    sub x1, x1, x0
    EXPECT x1, 0x10
    sub sp, sp, #0x10
    mov x1, sp
    EXPECT_EQ x0, x1
    ldr x2, =0xfedcba9876543210
    mov sp, x2
    add wsp, wsp, #0x10         /* 32-bit write to SP zero-extends */
    mov x0, sp
    EXPECT x0, 0x76543220
    add x3, sp, #1, lsl #12
    EXPECT x3, 0x76544220
    add w3, wsp, #0             /* MOV w3, wsp */
    EXPECT x3, 0x76543220
    mov sp, x25

    /* ADDS/SUBS/CMP/CMN (immediate): flags */
    mov x1, #5
    cmp x1, #5
    EXPECT_NZCV 0b0110
    cmp x1, #6
    EXPECT_NZCV 0b1000
    cmp x1, #4
    EXPECT_NZCV 0b0010
    ldr x1, =0x7fffffffffffffff
    adds x0, x1, #1
    EXPECT_NZCV 0b1001
    EXPECT x0, 0x8000000000000000
    mov x1, #-1
    adds x0, x1, #1
    EXPECT_NZCV 0b0110
    EXPECT x0, 0
    ldr x1, =0x8000000000000000
    subs x0, x1, #1
    EXPECT_NZCV 0b0011
    EXPECT x0, 0x7fffffffffffffff
    mov x1, #0
    subs x0, x1, #0
    EXPECT_NZCV 0b0110
    EXPECT x0, 0
    mov w1, #0x7fffffff
    adds w0, w1, #1
    EXPECT_NZCV 0b1001
    EXPECT x0, 0x80000000
    mov x1, #0xffffffff
    adds w0, w1, #1
    EXPECT_NZCV 0b0110
    EXPECT x0, 0
    ldr x1, =0x5555555580000000   /* upper half ignored by the 32-bit form */
    subs w0, w1, #1
    EXPECT_NZCV 0b0011
    EXPECT x0, 0x7fffffff
    mov x1, #0x10
    subs w0, w1, #0x20
    EXPECT_NZCV 0b1000
    EXPECT x0, 0xfffffff0
    cmn w1, #0x10, lsl #12
    EXPECT_NZCV 0b0000
    mov x1, #-0x1000
    cmn x1, #1, lsl #12
    EXPECT_NZCV 0b0110
    ldr x2, =0x7000
    mov sp, x2
    cmp sp, #7, lsl #12         /* CMP with SP as Rn */
    EXPECT_NZCV 0b0110
    adds x0, sp, #1
    EXPECT x0, 0x7001
    mov sp, x25

    /* ---- Logical (immediate) ---- */
    mov x1, #-1
    and x0, x1, #0x5555555555555555
    EXPECT x0, 0x5555555555555555
    and x0, x1, #0x00ff00ff00ff00ff
    EXPECT x0, 0x00ff00ff00ff00ff
    and x0, x1, #0x8000000000000000
    EXPECT x0, 0x8000000000000000
    and x0, x1, #0x7ffffffffffffffe
    EXPECT x0, 0x7ffffffffffffffe
    and x0, x1, #0x0000fff00000fff0
    EXPECT x0, 0x0000fff00000fff0
    and x0, x1, #0xe7e7e7e7e7e7e7e7
    EXPECT x0, 0xe7e7e7e7e7e7e7e7
    and x0, x1, #0xc0000000000003ff  /* rotated run wrapping around */
    EXPECT x0, 0xc0000000000003ff
    and w0, w1, #0xff00ff00       /* 32-bit zero-extends */
    EXPECT x0, 0xff00ff00
    and w0, w1, #0x80000001
    EXPECT x0, 0x80000001
    ldr x1, =0x123456789abcdef0
    orr x0, x1, #0xf
    EXPECT x0, 0x123456789abcdeff
    orr w0, w1, #0xf0000000
    EXPECT x0, 0xfabcdef0
    eor x0, x1, #0xffffffff00000000
    EXPECT x0, 0xedcba9879abcdef0
    eor w0, w1, #0xffff
    EXPECT x0, 0x9abc210f
    eor x0, x1, #0xaaaaaaaaaaaaaaaa
    EXPECT x0, 0xb89efcd23016745a
    mov x0, #0x00ff00ff00ff00ff   /* ORR Xd, XZR, #imm */
    EXPECT x0, 0x00ff00ff00ff00ff
    mov w0, #0xfffffffe
    EXPECT x0, 0xfffffffe
    /* SP destination for AND/ORR/EOR */
    ldr x1, =0x40001237
    and sp, x1, #0xfffffffffffffff0
    mov x0, sp
    EXPECT x0, 0x40001230
    orr sp, xzr, #0x3f000
    mov x0, sp
    EXPECT x0, 0x3f000
    eor wsp, w1, #0xff
    mov x0, sp
    EXPECT x0, 0x400012c8
    mov sp, x25
    /* ANDS/TST: N and Z from the result, C and V cleared */
    mov x2, #0xf0000000
    msr nzcv, x2
    ldr x1, =0x8000000000000001
    ands x0, x1, #0x8000000000000000
    EXPECT_NZCV 0b1000
    EXPECT x0, 0x8000000000000000
    msr nzcv, x2
    tst x1, #0x6
    EXPECT_NZCV 0b0100
    msr nzcv, x2
    mov x1, #0x80000000
    ands w0, w1, #0xffff0000
    EXPECT_NZCV 0b1000
    EXPECT x0, 0x80000000
    ldr x1, =0xffffffff00000000
    msr nzcv, x2
    tst w1, #0xff               /* upper half does not count */
    EXPECT_NZCV 0b0100
    msr nzcv, x2
    tst x1, #0x1000000000
    EXPECT_NZCV 0b0000

    /* ---- Move wide ---- */
    movz x0, #0xbeef, lsl #48
    EXPECT x0, 0xbeef000000000000
    movz x0, #0xbeef, lsl #32
    EXPECT x0, 0x0000beef00000000
    movz w0, #0xbeef, lsl #16
    EXPECT x0, 0xbeef0000
    movn x0, #0
    EXPECT x0, 0xffffffffffffffff
    movn x0, #0x1234, lsl #16
    EXPECT x0, 0xffffffffedcbffff
    movn x0, #0xffff, lsl #48
    EXPECT x0, 0x0000ffffffffffff
    movn w0, #0
    EXPECT x0, 0xffffffff
    movn w0, #0x8000, lsl #16
    EXPECT x0, 0x7fffffff
    ldr x0, =0x1111222233334444
    movk x0, #0xaaaa
    EXPECT x0, 0x111122223333aaaa
    movk x0, #0xbbbb, lsl #16
    EXPECT x0, 0x11112222bbbbaaaa
    movk x0, #0xcccc, lsl #32
    EXPECT x0, 0x1111ccccbbbbaaaa
    movk x0, #0xdddd, lsl #48
    EXPECT x0, 0xddddccccbbbbaaaa
    movk w0, #0x5555, lsl #16   /* 32-bit MOVK clears the upper half */
    EXPECT x0, 0x5555aaaa
    movz xzr, #1                /* Rd = 31 is XZR */
    movk xzr, #1

    mov sp, x25
    TEST_PASS
far_back:
    b far_back
TEST_END
