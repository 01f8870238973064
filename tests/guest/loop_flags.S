/* NZCV across a self-loop's back edge (docs/jit-loops.md, "Flags over a
 * loop's back edge"): the JIT packs a loop's flags only on its ways out and
 * recomputes them where the next pass can see them before its own setter.
 * What an exception there saves in SPSR must be exact on every tier:
 *   1. `sub x3, x9, x5, lsl #12; ldr x2, [x3]; add; subs x5, x5, #1; b.ge`
 *      from 20000: the load faults once x5 is 0, after thousands of passes
 *      chained round the loop, and must see the last SUBS (1 - 1: Z and C),
 *      which no earlier pass left (C only); started at 0, the flags the loop
 *      came in with;
 *   2. the same with the compared register written before the load (`sub x5;
 *      ...; ldr; cmp x5, #1; b.hs`): the compare of the value the pass came
 *      in with, 1 = 1 (Z and C), not of the 0 now in x5 (N);
 *   3. a timer interrupt taken while a `subs; b.ne` loop runs: SPSR holds the
 *      last SUBS (or the flags the loop came in with, on its first pass);
 *   4. the same for a loop that goes round through a plain B and leaves on
 *      its B.EQ (`adds w2, w2, #1; b.eq out; sxtw; b loop`).
 * After a fault the handler skips the load and the pass goes on outside the
 * loop's block. The fault handler records SPSR.NZCV (4 bits) per fault in
 * `seen`; the IRQ handler records SPSR and the counter, then ends the loop
 * (counter set to its last value). Registers: x24 fault count, x20 `seen`,
 * x19 IRQ count, x18 which loop (3, 4), x21 and x23 the IRQ's records; x25,
 * x26 handler scratch. */
#include "harness.inc"
#include "gicv3.inc"

#define CHECK(r, v) EXPECT_AT r, v, __LINE__
#define SEEN(k, v) ldr w25, [x20, #(4 * (k))]; CHECK(x25, v)
#define NZCV_IN mov x0, #0xd0000000; msr nzcv, x0 /* N Z . V: no setter here leaves it */

TEST_START
    adr x0, vectors
    msr vbar_el1, x0
    isb
    adrp x20, scratch_start
    add x20, x20, :lo12:scratch_start
    mov x19, #0
    mov x18, #0
    mov x6, #0
    mov x9, sp                    /* top of RAM: x9 - x5 * 4096 faults for x5 <= 0 */

    /* ---- 1: subs x5, x5, #1; b.ge ---- */
    mov x24, #0
    mov x5, #20000
    NZCV_IN
    bl loop1
    CHECK(x24, 1)
    SEEN(0, 0x6)                  /* SUBS 1 - 1: Z and C (the passes before: C) */
    mov x24, #0
    mov x5, #0                    /* the first pass faults */
    NZCV_IN
    bl loop1
    CHECK(x24, 1)
    SEEN(0, 0xd)                  /* the flags it came in with */

    /* ---- 2: sub x5 before the load, cmp x5, #1; b.hs ---- */
    mov x24, #0
    mov x5, #20000
    NZCV_IN
    bl loop2
    CHECK(x24, 1)
    SEEN(0, 0x6)                  /* cmp 1, #1: Z and C (cmp 0, #1 would be N) */
    mov x24, #0
    mov x5, #1
    NZCV_IN
    bl loop2
    CHECK(x24, 1)
    SEEN(0, 0xd)

    /* ---- 3: a timer interrupt in a subs; b.ne loop ---- */
    GICV3_ENABLE_PPI 27
    mov x18, #3
    NZCV_IN
    ldr x5, =50000000
    mov x0, #6250                 /* 100 us */
    msr cntv_tval_el0, x0
    mov x0, #1
    msr cntv_ctl_el0, x0
    msr daifclr, #2
3:  add x6, x6, #3
    subs x5, x5, #1
    b.ne 3b
    msr daifset, #2
    CHECK(x19, 1)
    lsr x25, x23, #28
    ldr x0, =50000000
    cmp x21, x0                   /* x5 when taken: the first pass's? */
    b.eq 30f
    CHECK(x25, 0x2)               /* the last SUBS: C only */
    b 31f
30: CHECK(x25, 0xd)
31:
    /* ---- 4: adds w2, w2, #1; b.eq out; sxtw x3, w2; b loop ---- */
    mov x19, #0
    mov x18, #4
    NZCV_IN
    ldr w2, =-50000000
    mov x0, #6250
    msr cntv_tval_el0, x0
    mov x0, #1
    msr cntv_ctl_el0, x0
    msr daifclr, #2
4:  add x6, x6, #1
    adds w2, w2, #1
    b.eq 5f
    sxtw x3, w2
    b 4b
5:  msr daifset, #2
    CHECK(x19, 1)
    lsr x25, x23, #28
    ldr x0, =0xfd050f80           /* w2 = -50000000: the first pass */
    cmp x21, x0
    b.eq 40f
    CHECK(x25, 0x8)               /* ADDS of a negative w2 that stays negative: N */
    b 41f
40: CHECK(x25, 0xd)
41:
    TEST_PASS

loop1:
1:  sub x3, x9, x5, lsl #12
    ldr x2, [x3]
    add x6, x6, x2
    subs x5, x5, #1
    b.ge 1b
    ret

loop2:
2:  sub x5, x5, #1
    sub x3, x9, x5, lsl #12
    ldr x2, [x3]
    add x6, x6, x2
    cmp x5, #1
    b.hs 2b
    ret

/* Data abort (current EL, SP_ELx): record SPSR.NZCV, skip the load. */
sync_handler:
    mrs x25, spsr_el1
    lsr x25, x25, #28
    str w25, [x20, x24, lsl #2]
    add x24, x24, #1
    mrs x25, elr_el1
    add x25, x25, #4
    msr elr_el1, x25
    eret

/* Virtual timer: record, mask the timer, end the loop. */
irq_handler:
    mrs x26, S3_0_C12_C12_0       /* ICC_IAR1_EL1 */
    mrs x23, spsr_el1
    cmp x18, #3
    b.ne 1f
    mov x21, x5                   /* loop 3's counter */
    mov x5, #1                    /* its next SUBS makes 0: out */
    b 2f
1:  mov w21, w2                   /* loop 4's counter */
    mov w2, #-1                   /* its next ADDS makes 0: out */
2:  mov x25, #3                   /* ENABLE | IMASK */
    msr cntv_ctl_el0, x25
    msr S3_0_C12_C12_1, x26       /* ICC_EOIR1_EL1 */
    add x19, x19, #1
    eret

    CUR_EL_VECTORS sync_handler, irq_handler

TEST_END
