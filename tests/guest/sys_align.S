/* Alignment checks controlled by SCTLR_EL1 and the memory type (EL1):
 *   - SA = 1: a load/store with SP as base and SP not 16-byte aligned takes
 *     the SP alignment fault (EC 0x26), before any access; SA = 0: no fault;
 *   - A = 1: an access not aligned to its size takes an alignment fault
 *     (data abort EC 0x25, DFSC 0x21, FAR = the address);
 *   - A = 0 with the MMU off: data accesses are Device-nGnRnE, so an
 *     unaligned one still faults, and DC ZVA always faults (alignment fault,
 *     WnR = 1) without writing anything, also on a device's registers;
 *   - A = 0 with the MMU on (identity map, RAM Normal, MMIO Device): an
 *     unaligned access to RAM works, DC ZVA zeroes RAM, and both fault on
 *     the Device mapping of the PL011 and on RAM mapped as Device.
 * The handler counts exceptions in x24, records ESR in x21 and FAR in x22,
 * and skips the faulting instruction. Expected values from the Arm ARM. */
#include "harness.inc"

TEST_START
    adr x0, vectors
    msr vbar_el1, x0
    isb
    mov x24, #0
    adrp x20, scratch_start
    add x20, x20, :lo12:scratch_start
    mov x19, sp

    /* ---- SA = 0 (reset): misaligned SP is fine ---- */
    mrs x0, sctlr_el1
    bic x0, x0, #(1 << 3)
    bic x0, x0, #(1 << 1)
    msr sctlr_el1, x0
    isb
    add x1, x20, #0x808
    mov sp, x1                      /* 8 mod 16 */
    mov x2, #0x55
    str x2, [sp]
    ldr x3, [sp]
    EXPECT x24, 0
    EXPECT x3, 0x55

    /* ---- SA = 1 ---- */
    orr x0, x0, #(1 << 3)
    msr sctlr_el1, x0
    isb
    mov x3, #0
    ldr x3, [sp]                    /* faults: SP misaligned */
    EXPECT x24, 1
    lsr x4, x21, #26
    EXPECT x4, 0x26
    EXPECT x3, 0                    /* the load did not happen */
    str x2, [sp, #8]                /* faults whatever the offset */
    EXPECT x24, 2
    ldp x3, x4, [sp, #-8]!          /* pre-index: SP itself is checked */
    EXPECT x24, 3
    mov x5, sp
    add x6, x20, #0x808
    sub x5, x5, x6
    EXPECT x5, 0                    /* no writeback after the fault */
    add x1, x20, #0x800
    mov sp, x1                      /* aligned: no fault */
    str x2, [sp, #8]
    ldr x3, [sp, #8]
    EXPECT x24, 3
    EXPECT x3, 0x55
    ldr x3, [x6]                    /* a misaligned non-SP base is not checked */
    EXPECT x24, 3
    mov sp, x19

    /* ---- A = 1 ---- */
    bic x0, x0, #(1 << 3)
    orr x0, x0, #(1 << 1)
    msr sctlr_el1, x0
    isb
    add x7, x20, #0x101
    ldrb w3, [x7]                   /* byte: always aligned */
    EXPECT x24, 3
    ldrh w3, [x7]                   /* halfword at an odd address */
    EXPECT x24, 4
    lsr x4, x21, #26
    EXPECT x4, 0x25
    and x4, x21, #0x3f
    EXPECT x4, 0x21
    ubfx x4, x21, #6, #1
    EXPECT x4, 0                    /* WnR = 0 for a load */
    sub x4, x22, x7
    EXPECT x4, 0                    /* FAR = the address */
    add x8, x20, #0x104
    str x2, [x8]                    /* 8 bytes at 4 mod 8 */
    EXPECT x24, 5
    ubfx x4, x21, #6, #1
    EXPECT x4, 1                    /* WnR = 1 for a store */
    str w2, [x8]                    /* 4 bytes at 4 mod 8: aligned */
    EXPECT x24, 5
    ldp w3, w4, [x8]                /* pair of words, each aligned */
    EXPECT x24, 5

    /* ---- A = 0, MMU off: Device memory, misaligned accesses fault ---- */
    bic x0, x0, #(1 << 1)
    msr sctlr_el1, x0
    isb
    mov w3, #0
    ldrh w3, [x7]                   /* halfword at an odd address */
    EXPECT x24, 6
    EXPECT x3, 0                    /* not loaded */
    and x4, x21, #0x3f
    EXPECT x4, 0x21
    sub x4, x22, x7
    EXPECT x4, 0                    /* FAR = the address */
    str x2, [x8]                    /* 8 bytes at 4 mod 8 */
    EXPECT x24, 7
    ubfx x4, x21, #6, #1
    EXPECT x4, 1
    ldp w3, w4, [x8]                /* pair of words, each aligned: fine */
    ldrb w3, [x7]                   /* bytes are always aligned */
    EXPECT x24, 7
    /* DC ZVA on Device memory: alignment fault, nothing written. */
    add x9, x20, #0x400
    str x2, [x9]
    dc zva, x9                      /* RAM, but Device with the MMU off */
    EXPECT x24, 8
    lsr x4, x21, #26
    EXPECT x4, 0x25
    and x4, x21, #0x3f
    EXPECT x4, 0x21
    ubfx x4, x21, #6, #1
    EXPECT x4, 1                    /* WnR = 1: DC ZVA counts as a write */
    ubfx x4, x21, #8, #1
    EXPECT x4, 0                    /* CM = 0 */
    ldr x3, [x9]
    EXPECT x3, 0x55                 /* not zeroed */
    movz x10, #0x0900, lsl #16      /* PL011 */
    mov w3, #0x1234
    str w3, [x10, #0x24]            /* UARTIBRD: a read/write register */
    dc zva, x10
    EXPECT x24, 9
    ldr w3, [x10, #0x24]
    EXPECT x3, 0x1234               /* the device's registers are untouched */

    /* ---- A = 0, MMU on, identity map ---- */
    MMU_IDENTITY
    mrs x0, sctlr_el1
    ldrh w3, [x7]
    str x2, [x8]
    EXPECT x24, 9                   /* RAM is Normal: no fault */
    dc zva, x9
    EXPECT x24, 9
    ldr x3, [x9]
    EXPECT x3, 0                    /* zeroed */
    add x4, x9, #63
    ldrb w3, [x4]
    EXPECT x3, 0
    dc zva, x10                     /* the PL011's Device mapping */
    EXPECT x24, 10
    and x4, x21, #0x3f
    EXPECT x4, 0x21
    ldr w3, [x10, #0x24]
    EXPECT x3, 0x1234
    add x11, x10, #0x25
    ldrh w3, [x11]                  /* unaligned on a Device mapping */
    EXPECT x24, 11
    and x4, x21, #0x3f
    EXPECT x4, 0x21
    sub x4, x22, x11
    EXPECT x4, 0

    /* ---- RAM mapped as Device (AttrIndx 1) with the MMU on ---- */
    adrp x12, harness_l1
    add x12, x12, :lo12:harness_l1
    ldr x13, [x12, #8]              /* the 1-2 GiB block: RAM */
    orr x14, x13, #(1 << 2)
    str x14, [x12, #8]
    dsb ish
    tlbi vmalle1
    dsb ish
    isb
    ldrb w3, [x7]                   /* aligned: fine, and fills the TLB */
    ldrh w3, [x7]                   /* the same page, unaligned: faults */
    EXPECT x24, 12
    and x4, x21, #0x3f
    EXPECT x4, 0x21
    str x2, [x8]
    EXPECT x24, 13
    dc zva, x9
    EXPECT x24, 14
    str x13, [x12, #8]              /* Normal again */
    dsb ish
    tlbi vmalle1
    dsb ish
    isb
    ldrh w3, [x7]
    EXPECT x24, 14
    TEST_PASS

    .balign 2048
vectors:
    .skip 0x200
    mrs x21, esr_el1
    mrs x22, far_el1
    mrs x18, elr_el1
    add x24, x24, #1
    add x18, x18, #4
    msr elr_el1, x18
    eret
TEST_END
