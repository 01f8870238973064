/* Branches: B, BL, B.cond (all 16 conditions under all 16 NZCV values),
 * CBZ/CBNZ (32/64-bit), TBZ/TBNZ (bits 0, 31, 32, 63), BR, BLR, RET, and
 * forward/backward offsets. Expected condition tables follow the Arm ARM
 * ConditionHolds() pseudocode (bit i of the mask = holds when NZCV == i). */
#include "harness.inc"

/* For each NZCV value 0..15: B.\cond is taken iff bit NZCV of \mask is set.
 * A failure reports "line" 0xc<cond><nzcv> (e.g. 0xc0a3: cond 0x0a, NZCV 3). */
.macro CHECK_COND cond, mask, num
    mov x2, #0
.Lloop\@:
    lsl x0, x2, #28
    msr nzcv, x0
    mov x1, #1              /* 1 = fell through */
    b.\cond .Ltaken\@
    b .Ldone\@
.Ltaken\@:
    mov x1, #0
.Ldone\@:
    mov x3, #\mask
    lsr x3, x3, x2
    and x3, x3, #1
    eor x3, x3, #1          /* expected x1 */
    eor x4, x1, x3
    cbz x4, .Lok\@
    mov x27, #(0xc000 | (\num << 4))
    orr x27, x27, x2
    b harness_fail
.Lok\@:
    add x2, x2, #1
    cmp x2, #16
    b.ne .Lloop\@
.endm

TEST_START
    /* B forward and backward */
    mov x0, #0
    b 1f
    mov x0, #99
2:  add x0, x0, #10
    b 3f
1:  add x0, x0, #1
    b 2b
3:  EXPECT x0, 11

    /* BL writes the return address; RET returns through X30 */
    bl func_add5
ret_here:
    EXPECT x30, ret_here
    mov x0, #1
    bl func_add5
    EXPECT x0, 6

    /* all conditions */
    CHECK_COND eq, 0xf0f0, 0
    CHECK_COND ne, 0x0f0f, 1
    CHECK_COND cs, 0xcccc, 2
    CHECK_COND cc, 0x3333, 3
    CHECK_COND mi, 0xff00, 4
    CHECK_COND pl, 0x00ff, 5
    CHECK_COND vs, 0xaaaa, 6
    CHECK_COND vc, 0x5555, 7
    CHECK_COND hi, 0x0c0c, 8
    CHECK_COND ls, 0xf3f3, 9
    CHECK_COND ge, 0xaa55, 10
    CHECK_COND lt, 0x55aa, 11
    CHECK_COND gt, 0x0a05, 12
    CHECK_COND le, 0xf5fa, 13
    CHECK_COND al, 0xffff, 14
    CHECK_COND nv, 0xffff, 15

    /* B.cond does not change the flags */
    mov x0, #0x60000000
    msr nzcv, x0
    b.eq 1f
1:  EXPECT_NZCV 0b0110

    /* backward B.cond loop */
    mov x0, #0
    mov x1, #5
1:  add x0, x0, #2
    subs x1, x1, #1
    b.ne 1b
    EXPECT x0, 10

    /* CBZ/CBNZ: the 32-bit forms look at W only */
    mov x0, #0x100000000
    mov x1, #0
    cbz w0, 1f
    mov x1, #1
1:  EXPECT x1, 0            /* taken: w0 == 0 */
    mov x1, #0
    cbz x0, 1f
    mov x1, #1
1:  EXPECT x1, 1            /* not taken: x0 != 0 */
    mov x1, #0
    cbnz x0, 1f
    mov x1, #1
1:  EXPECT x1, 0
    mov x1, #0
    cbnz w0, 1f
    mov x1, #1
1:  EXPECT x1, 1
    mov x1, #0
    cbz xzr, 1f
    mov x1, #1
1:  EXPECT x1, 0
    /* backward CBNZ loop */
    mov x0, #3
    mov x1, #0
1:  add x1, x1, #1
    sub x0, x0, #1
    cbnz x0, 1b
    EXPECT x1, 3

    /* TBZ/TBNZ */
    mov x0, #0x8000000000000000
    orr x0, x0, #1
    orr x0, x0, #0x100000000
    mov x1, #0
    tbnz x0, #63, 1f
    mov x1, #1
1:  EXPECT x1, 0
    mov x1, #0
    tbz x0, #63, 1f
    mov x1, #1
1:  EXPECT x1, 1
    mov x1, #0
    tbz x0, #62, 1f
    mov x1, #1
1:  EXPECT x1, 0
    mov x1, #0
    tbnz x0, #32, 1f
    mov x1, #1
1:  EXPECT x1, 0
    mov x1, #0
    tbnz w0, #31, 1f
    mov x1, #1
1:  EXPECT x1, 1
    mov x1, #0
    tbnz w0, #0, 1f
    mov x1, #1
1:  EXPECT x1, 0
    mov x1, #0
    tbz w0, #1, 1f
    mov x1, #1
1:  EXPECT x1, 0
    /* backward TBZ loop: shift until bit 0 is set */
    mov x0, #0x80
    mov x1, #0
1:  lsr x0, x0, #1
    add x1, x1, #1
    tbz x0, #0, 1b
    EXPECT x1, 7

    /* BR / BLR / RET with other registers */
    adr x5, br_target
    mov x0, #0
    br x5
    mov x0, #99
br_target:
    EXPECT x0, 0
    adr x6, func_add5
    mov x0, #10
    blr x6
blr_ret:
    EXPECT x0, 15
    EXPECT x30, blr_ret
    /* BLR X30: the target is the old X30 */
    adr x30, func_add5
    mov x0, #20
    blr x30
blr30_ret:
    EXPECT x0, 25
    EXPECT x30, blr30_ret
    /* RET Xn, n != 30 */
    adr x7, ret7_here
    mov x0, #0
    bl func_ret_x7
    mov x0, #99
ret7_here:
    EXPECT x0, 7

    /* a far B (more than 1 MiB away and back) */
    b far_away
far_back:
    EXPECT x0, 0x77

    TEST_PASS

func_add5:
    add x0, x0, #5
    ret
func_ret_x7:
    mov x0, #7
    ret x7
TEST_END

    .text
    .skip 0x180000
far_away:
    mov x0, #0x77
    b far_back
