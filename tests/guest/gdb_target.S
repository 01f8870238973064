/* A target for the gdb-driven tests (tests/gdb/): it also runs on its own
 * as a guest test. `count_loop` adds 1..10 to x3 into `total`, storing each
 * step to `watched`; `branchy` takes a conditional branch when x3 != 0; the
 * program checks total == expect (55 on its own; the gdb test writes x3 =
 * 100 at `set_here` and expect = 155, so it passes only if both writes
 * took effect). */
#include "harness.inc"

TEST_START
    mov x3, #0
    .global set_here
set_here:
    add x3, x3, #0
    bl count_loop
    bl branchy
    adrp x1, total
    add x1, x1, :lo12:total
    ldr x2, [x1]
    adrp x1, expect
    add x1, x1, :lo12:expect
    ldr x4, [x1]
    cmp x2, x4
    b.ne fail
    TEST_PASS
fail:
    mov x27, #0xbad
    b harness_fail

    .global spin
spin:                               /* never reached on its own: the Ctrl-C test sets pc here */
    b spin

    .global count_loop
count_loop:
    adrp x1, total
    add x1, x1, :lo12:total
    adrp x5, watched
    add x5, x5, :lo12:watched
    mov x2, x3
    mov x0, #1
1:  add x2, x2, x0
    .global store_watched
store_watched:
    str x2, [x5]
    add x0, x0, #1
    cmp x0, #10
    b.le 1b
    str x2, [x1]
    ret

    .global branchy
branchy:
    cmp x3, #0
    .global branch_insn
branch_insn:
    b.ne 2f
    nop
2:  .global branch_target
branch_target:
    nop
    ret

    .data
    .balign 8
    .global total, watched, expect
total:
    .quad 0
watched:
    .quad 0
expect:
    .quad 55
TEST_END
