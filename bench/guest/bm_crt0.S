/* Start-up for bench/guest/bm.c: like tests/guest/crt0.S, but sets its own
 * stack, since QEMU does not set SP for a bare-metal ELF (flotilla does). */
#include "harness.inc"
    .section .text.boot
    .global _start
_start:
    adrp x0, bm_stack_top
    add x0, x0, :lo12:bm_stack_top
    mov sp, x0
    adrp x0, harness_vectors
    add x0, x0, :lo12:harness_vectors
    msr vbar_el1, x0
    isb
    bl main
    bl guest_exit
    b .

    HARNESS_VECTORS

    .bss
    .balign 16
    .space 65536
bm_stack_top:
