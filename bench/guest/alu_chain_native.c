/* The ALU loop of bm.c (alu_loop_mips) as the host runs it natively: the
 * same eight operations on the same dependency chain, in x86-64 (shifted
 * operands as a move and a shift, B.NE as DEC/JNZ). A loop iteration's
 * latency is set by that chain (ADD, EOR with LSL, ORR with LSR, MUL), so
 * this is the rate no simulator of the loop can beat on this host; printed
 * as guest MIPS (8 guest instructions per iteration). */
#include <stdint.h>
#include <stdio.h>
#include <time.h>

int main(void)
{
    uint64_t x = 1, y = 3, n = 200000000;
    const uint64_t iters = n;
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    __asm__ volatile("1: add %1, %0\n"
                     " mov %0, %%rcx\n shl $3, %%rcx\n xor %%rcx, %1\n"
                     " add $7, %0\n"
                     " mov %0, %%rcx\n shr $5, %%rcx\n or %%rcx, %1\n"
                     " imul %1, %0\n"
                     " add $1, %1\n"
                     " dec %2\n jnz 1b"
                     : "+r"(x), "+r"(y), "+r"(n)::"rcx", "cc");
    clock_gettime(CLOCK_MONOTONIC, &b);
    double s = (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) * 1e-9;
    printf("%.1f\n", 8.0 * (double)iters / s / 1e6);
    return x == y; /* keeps the values live */
}
