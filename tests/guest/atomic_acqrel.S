/* Load-acquire / store-release: LDAR/STLR in all sizes (values, zero
 * extension, partial writes), a release/acquire message-passing sequence,
 * and the encodings that must be UNDEFINED here: LDLAR/STLLR (LORegions) and
 * LDAPR (v8.3), neither advertised. */
/* Run as a Linux user program under qemu-aarch64-static when built with
 * -DQEMU_USER (reference check of the expected values); otherwise the
 * bare-metal harness. Exception tests are bare-metal only. */
    .arch armv8.1-a
#ifdef QEMU_USER
.macro TEST_START
    .text
    .global _start
_start:
.endm
.macro EXPECT reg, value
    ldr x28, =\value
    cmp \reg, x28
    b.eq .Lok\@
    mov x0, #(\@ & 0xff)  /* which macro use failed */
    mov x8, #93
    svc #0
.Lok\@:
.endm
.macro TEST_PASS
    mov x0, #0
    mov x8, #93
    svc #0
.endm
.macro TEST_END
    .ltorg
    .bss
    .balign 4096
scratch_start:
    .skip 65536
    .text
.endm
#else
#include "harness.inc"
#endif
TEST_START
    adrp x20, scratch_start
    add x20, x20, :lo12:scratch_start
    add x21, x20, #8
    add x22, x20, #16

    ldr x0, =0x8182838485868788
    str x0, [x20]
    mov x1, #-1
    ldarb w1, [x20]
    EXPECT x1, 0x88
    mov x1, #-1
    ldarh w1, [x20]
    EXPECT x1, 0x8788
    mov x1, #-1
    ldar w1, [x20]
    EXPECT x1, 0x85868788
    ldar x1, [x20]
    EXPECT x1, 0x8182838485868788

    ldr x2, =0x1122334455667788
    stlrb w2, [x20]
    ldr x3, [x20]
    EXPECT x3, 0x8182838485868788 & ~0xff | 0x88
    stlrh w2, [x21]
    str xzr, [x22]
    stlr w2, [x22]
    ldr x3, [x22]
    EXPECT x3, 0x55667788
    stlr x2, [x22]
    ldr x3, [x22]
    EXPECT x3, 0x1122334455667788
    ldrh w3, [x21]
    EXPECT x3, 0x7788

    /* Message passing: data, then flag with release; flag, then data with
     * acquire. */
    mov x4, #123
    str x4, [x21]
    mov x5, #1
    stlr x5, [x22]
    ldar x6, [x22]
    EXPECT x6, 1
    ldr x7, [x21]
    EXPECT x7, 123

    /* Acquire/release pairs with exclusives and LSE in one sequence. */
    ldaxr x1, [x22]
    add x1, x1, #1
    stlxr w2, x1, [x22]
    EXPECT x2, 0
    mov x3, #5
    ldaddal x3, x4, [x22]
    EXPECT x4, 2
    ldar x4, [x22]
    EXPECT x4, 7

#ifndef QEMU_USER
    adr x0, vectors
    msr vbar_el1, x0
    isb
    /* LDLAR, STLLR (o0 = 0) and LDAPR: UNDEFINED (EC 0, IL 1). */
    mov x9, #0
    .inst 0x88df7e81        /* ldlar w1, [x20] */
    EXPECT x9, 0x2000000
    mov x9, #0
    .inst 0xc89f7e81        /* stllr x1, [x20] */
    EXPECT x9, 0x2000000
    mov x9, #0
    .inst 0xb8bfc281        /* ldapr w1, [x20] */
    EXPECT x9, 0x2000000
    /* Misaligned LDAR/STLR: alignment fault. */
    mov x9, #0
    add x0, x20, #2
    ldar w1, [x0]
    EXPECT x9, 0x96000021
    mov x9, #0
    stlrh w1, [x21, #0]
    EXPECT x9, 0
    add x0, x20, #1
    stlrh w1, [x0]
    EXPECT x9, 0x96000061
#endif
    TEST_PASS

#ifndef QEMU_USER
    .balign 2048
vectors:
    .skip 0x200
    mrs x9, esr_el1
    mrs x10, far_el1
    mrs x11, elr_el1
    add x11, x11, #4
    msr elr_el1, x11
    eret
#endif
TEST_END
