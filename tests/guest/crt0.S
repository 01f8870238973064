/* Start-up for C guest tests: the stack is set by flotilla (top of RAM).
 * Installs the harness's guard vector table first, so an unexpected
 * exception reports ESR/ELR and exits with status 2 instead of looping. */
#include "harness.inc"
    .section .text.boot
    .global _start
_start:
    adrp x0, harness_vectors
    add x0, x0, :lo12:harness_vectors
    msr vbar_el1, x0
    isb
    bl main
    bl guest_exit
    b .

    HARNESS_VECTORS
