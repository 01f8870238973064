/* The hot block of benchk's compute kernel (bench/guest/benchk.c, its
 * integer matrix multiply: 7 instructions, a vector multiply-accumulate by
 * element), as a bare-metal loop for bench/hostinsns.sh: the same
 * instructions in the same order. ITERS passes of the 16-step inner loop;
 * exits 0 through semihosting (bm_exit.inc). */
#include "bm_exit.inc"
    .text
    .global _start
_start:
    mov x0, #(3 << 20)          /* CPACR_EL1.FPEN: no trap on FP/SIMD */
    msr cpacr_el1, x0
    isb
    ldr x9, =ITERS
    adr x6, col
    adr x4, rows
2:  mov x0, #0
    movi v0.4s, #0
1:  lsl x2, x0, #6
    ldr s2, [x6, x0, lsl #2]
    add x0, x0, #1
    ldr q1, [x4, x2]
    mla v0.4s, v1.4s, v2.s[0]
    cmp x0, #0x10
    b.ne 1b
    subs x9, x9, #1
    b.ne 2b
    BM_EXIT0
    BM_DATA
col:
    .fill 16, 4, 3
rows:
    .fill 256, 4, 5
