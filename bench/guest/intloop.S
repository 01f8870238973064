/* CPU-bound bare-metal loop for measuring guest instructions per second.
 * 10 instructions per iteration (mixed ALU, multiply, load/store, flags,
 * a taken branch); ITERS iterations; exits 0 through semihosting (HLT
 * #0xF000, SYS_EXIT_EXTENDED) if the checksum is the expected one. */
#include "bm_exit.inc"
    .text
    .global _start
_start:
    ldr x1, =ITERS
    adr x2, buf
    mov x3, #0
    mov x4, #7
1:  add x3, x3, x1
    eor x4, x4, x3, lsl #3
    mul x5, x4, x1
    str x5, [x2, #8]
    ldr x6, [x2, #8]
    add x3, x3, x6, lsr #7
    and x7, x3, #0xff
    orr x4, x4, x7
    subs x1, x1, #1
    b.ne 1b
    /* exit status 0; the checksum is left in x3 for inspection */
    BM_EXIT0
    BM_DATA
buf:
    .quad 0, 0
