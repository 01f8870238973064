/* Start-up for C guest tests: the stack is set by flotilla (top of RAM). */
    .section .text.boot
    .global _start
_start:
    bl main
    bl guest_exit
    b .
