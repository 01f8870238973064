/* A guest that prints "y\n" on the PL011 forever (console_test.py epipe). */
    .section .text.boot
    .global _start
_start:
    movz x1, #0x0900, lsl #16   /* UARTDR */
    mov w2, #'y'
    mov w3, #'\n'
1:  strb w2, [x1]
    strb w3, [x1]
    b 1b
