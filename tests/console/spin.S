/* A guest that idles forever (console_test.py signals). */
    .section .text.boot
    .global _start
_start:
1:  wfi
    b 1b
