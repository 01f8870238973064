/* Loop traces (docs/jit.md, "Loop traces"): a loop in two pieces, entered
 * at its second piece (B), whose backward branch returns to the first (A),
 * which branches forward to B again. The block at B goes on at A and ends at
 * A's branch to B: one self-loop. Checked here on every tier:
 *   - the loop's results and its exact INST_RETIRED count (the block is
 *     counted whole when entered; its side exit gives back the rest);
 *   - a data abort in the trace's second piece: the instructions after it in
 *     the block are not counted (smp/vcpu.c, uncount_unrun, ir_insns_from);
 *   - self-modifying code: a word of the second piece rewritten, then
 *     DC CVAU + IC IVAU + ISB: the new instruction runs (an IC keeps a block
 *     only if memory still holds both runs of its words, sync/tcache.c).
 * The body avoids x26-x28 (harness). */
#include "harness.inc"

#define CHECK(r, v) EXPECT_AT r, v, __LINE__
#define N 100
#define K 90

TEST_START
    adr x0, vectors
    msr vbar_el1, x0
    isb

    /* ---- the loop and its exact count ---- */
    mov x0, #0x08                      /* INST_RETIRED */
    msr pmevtyper0_el0, x0
    mov x0, #0x47                      /* E, P, C, LC: counters reset */
    msr pmcr_el0, x0
    mov x2, #N
    mov x3, #1
    mov x4, #0
    mov x9, #1
    msr pmcntenset_el0, x9             /* 1 */
    b 2f                               /* 1 */
1:  add x4, x4, #1                     /* A: N - 1 times */
    cbnz x3, 2f
    nop
    b 3f
2:  sub x2, x2, #1                     /* B: N times */
    cbnz x2, 1b
3:  mrs x5, pmevcntr0_el0
    msr pmcntenclr_el0, x9
    CHECK(x4, N - 1)
    CHECK(x2, 0)
    CHECK(x5, 2 + 2 * N + 2 * (N - 1))

    /* A's branch not taken: out through A's fall-through. */
    mov x2, #N
    mov x3, #0
    mov x4, #0
    mov x6, #0
    b 2f
1:  add x4, x4, #1
    cbnz x3, 2f
    add x6, x6, #1
    b 3f
2:  sub x2, x2, #1
    cbnz x2, 1b
3:  CHECK(x4, 1)
    CHECK(x6, 1)
    CHECK(x2, N - 1)

    /* ---- a data abort in the second piece: A's load from x7 + 8 * x2
     * is above the top of RAM (nothing mapped) while x2 >= K, i.e. in the
     * first N - K passes of A; the handler skips it (5 instructions). ---- */
    mov x0, #0x47
    msr pmcr_el0, x0
    mov x7, sp                         /* the top of RAM */
    sub x7, x7, #8 * K
    mov x2, #N
    mov x3, #1
    mov x4, #0
    mov x24, #0
    msr spsel, #0                      /* EL1t: the abort goes to vector 0x000 */
    msr pmcntenset_el0, x9             /* 1 */
    b 2f                               /* 1 */
1:  add x4, x4, #1
    ldr x6, [x7, x2, lsl #3]
    cbnz x3, 2f
    nop
    b 3f
2:  sub x2, x2, #1
    cbnz x2, 1b
3:  mrs x5, pmevcntr0_el0
    msr pmcntenclr_el0, x9
    msr spsel, #1
    CHECK(x4, N - 1)
    CHECK(x24, N - K)                  /* the aborts taken */
    /* 2 + B's pair N times + A's three N - 1 times, less the N - K loads
     * that faulted, plus their handlers' 5 */
    CHECK(x5, 2 + 2 * N + 3 * (N - 1) - (N - K) + 5 * (N - K))

    /* ---- self-modifying code in the second piece ---- */
    adrp x10, scratch_start
    add x10, x10, :lo12:scratch_start
    add x10, x10, #0x1000
    and x10, x10, #~0xfff              /* a page of its own */
    adr x11, smc_code
    mov x12, #0
4:  ldr w0, [x11, x12]
    str w0, [x10, x12]
    add x12, x12, #4
    cmp x12, #(smc_code_end - smc_code)
    b.ne 4b
    mov x0, x10
    bl sync_icache
    mov x2, #N
    mov x3, #1
    mov x4, #0
    add x13, x10, #16                  /* B */
    blr x13
    CHECK(x4, N - 1)
    ldr w0, add2                       /* A's add x4, x4, #1 becomes #2 */
    str w0, [x10]
    mov x0, x10
    bl sync_icache
    mov x2, #N
    mov x4, #0
    blr x13
    CHECK(x4, 2 * (N - 1))

    TEST_PASS

/* Make the word at x0 visible to instruction fetch. */
sync_icache:
    dc cvau, x0
    dsb ish
    ic ivau, x0
    dsb ish
    isb
    ret

/* Copied to a page of its own and entered at B (offset 16). */
smc_code:
    add x4, x4, #1                     /* A */
    cbnz x3, 1f
    ret
    nop
1:  sub x2, x2, #1                     /* B */
    cbnz x2, smc_code
    ret
smc_code_end:
add2:
    add x4, x4, #2

    .balign 2048
vectors:
    mrs x25, elr_el1                   /* sync, current EL with SP0: skip the faulting instruction */
    add x25, x25, #4
    msr elr_el1, x25
    add x24, x24, #1
    eret
    .irp off, 0x080, 0x100, 0x180, 0x200, 0x280, 0x300, 0x380, 0x400, 0x480, 0x500, 0x580, 0x600, 0x680, 0x700, 0x780
    .org vectors + \off
    b harness_unexpected
    .endr
    .org vectors + 0x800

TEST_END
