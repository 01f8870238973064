/* PC-relative literal loads: LDR Wt (zero-extended), LDR Xt, LDRSW, forward
 * and backward, near and far (offset bit 17 of imm19 set, and negative), XZR
 * as target, and PRFM (literal) as a hint. Expected values are the literals
 * themselves; checked under qemu-aarch64-static. */
#include "harness.inc"

/* EXPECT with the caller's line number (the harness macro cannot see it). */
#define CHECK(r, v) EXPECT_AT r, v, __LINE__

TEST_START
    b start

    .balign 8
back_x:
    .quad 0x8899aabbccddeeff
back_w:
    .word 0x80000001
back_w2:
    .word 0x7ffffffe

start:
    /* ---- forward, near ---- */
    mov x0, #-1
    ldr w0, lit_w
    CHECK(x0, 0x89abcdef)           /* zero-extended */
    ldr x0, lit_x
    CHECK(x0, 0xfedcba9876543210)
    ldrsw x0, lit_w
    CHECK(x0, 0xffffffff89abcdef)
    ldrsw x0, lit_w2
    CHECK(x0, 0x12345678)
    mov x0, #-1
    ldr w0, lit_w2
    CHECK(x0, 0x12345678)
    ldr x0, lit_w                   /* 8 bytes from a literal address */
    CHECK(x0, 0x1234567889abcdef)

    /* ---- backward ---- */
    ldr x0, back_x
    CHECK(x0, 0x8899aabbccddeeff)
    mov x0, #-1
    ldr w0, back_w
    CHECK(x0, 0x80000001)
    ldrsw x0, back_w
    CHECK(x0, 0xffffffff80000001)
    ldrsw x0, back_w2
    CHECK(x0, 0x7ffffffe)
    ldr w0, back_x
    CHECK(x0, 0xccddeeff)

    /* ---- far forward (more than 512 KiB away) ---- */
    ldr x0, far_x
    CHECK(x0, 0x0f0e0d0c0b0a0908)
    mov x0, #-1
    ldr w0, far_w
    CHECK(x0, 0xa5a5a5a5)
    ldrsw x0, far_w
    CHECK(x0, 0xffffffffa5a5a5a5)

    /* ---- XZR as target: nothing written, SP untouched ---- */
    mov x9, sp
    ldr xzr, lit_x
    ldr wzr, lit_w
    ldrsw xzr, lit_w
    mov x10, sp
    sub x10, x10, x9
    CHECK(x10, 0)

    /* ---- PRFM (literal): a hint ---- */
    prfm pldl1keep, lit_x
    prfm plil2strm, back_x
    prfm #31, far_x
    mov x0, #7
    CHECK(x0, 7)

    /* the far literals are placed from a subroutine so the code stays
     * before them; call it last to show it is reachable */
    bl far_code
    CHECK(x0, 0x0f0e0d0c0b0a0908)
    CHECK(x1, 0x8899aabbccddeeff)

    TEST_PASS

    .balign 8
lit_w:
    .word 0x89abcdef
lit_w2:
    .word 0x12345678
lit_x:
    .quad 0xfedcba9876543210
TEST_END

    .text
    .skip 0x80010
    .balign 8
far_x:
    .quad 0x0f0e0d0c0b0a0908
far_w:
    .word 0xa5a5a5a5
    .word 0
/* Loads a near and a far-backward (negative imm19 with bit 17 clear) literal. */
far_code:
    ldr x0, far_x
    ldr x1, back_x
    ret
