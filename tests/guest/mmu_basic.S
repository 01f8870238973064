/* Stage-1 translation at EL1 (4K granule, 39-bit VAs in both halves):
 *   - identity map of the devices (1 GiB block) and of RAM (2 MiB blocks)
 *     through TTBR0, 4K pages and a 2 MiB block in the upper half (TTBR1);
 *   - data accesses and instruction fetches through both;
 *   - translation faults at levels 0..3, access flag fault, permission
 *     faults (write to read-only, fetch from PXN), with ESR and FAR;
 *   - LSE atomics: WnR = 0 when a read would fault too, 1 otherwise;
 *   - TLBI VAE1/VAALE1 after changing a page descriptor, TLBI VAE1 of one
 *     page of a 2 MiB block drops the whole block;
 *   - ASIDs: two TTBR0 tables with ASIDs 1 and 2 (non-global mappings),
 *     switched back and forth without TLBI, then TLBI ASIDE1.
 * Expected syndromes from the Arm ARM: EC 0x25 (data abort, same EL), 0x21
 * (instruction abort, same EL), IL = 1, DFSC/IFSC 0b0001LL translation,
 * 0b0010LL access flag, 0b0011LL permission; WnR = ISS bit 6.
 * System-level (not runnable under qemu-user). */
#include "harness.inc"
    .arch armv8.1-a

#define CHECK(r, v) EXPECT_AT r, v, __LINE__
/* The last exception: count x24, ESR (x21), FAR (x22). */
#define CHECK_EXC(count, esr, far) CHECK(x24, count); CHECK(x21, esr); CHECK(x22, far)

/* Scratch page offsets (from scratch_start, 4K aligned). */
#define P_L1_A 0x0000   /* TTBR0 level 1, ASID 1 */
#define P_L2_ID 0x1000  /* identity map of RAM: 2 MiB blocks */
#define P_L1_HI 0x2000  /* TTBR1 level 1 */
#define P_L2_HI 0x3000
#define P_L3_HI 0x4000
#define P_X 0x5000      /* data pages */
#define P_Y 0x6000
#define P_Z 0x7000
#define P_L1_B 0x8000   /* TTBR0 level 1, ASID 2 */
#define P_L2_A 0x9000
#define P_L2_B 0xa000
#define NPAGES 11

#define HI 0xffffff8000000000   /* start of the TTBR1 range (T1SZ = 25) */
#define HB (HI + 0x200000)      /* the 2 MiB block in the upper half */

/* Descriptors: AF | SH inner | AttrIndx 0 (Normal WB) */
#define NORMAL 0x700
#define BLOCK 0x1
#define PAGE 0x3
#define TABLE 0x3
#define AP_RO 0x80
#define NG 0x800
#define PXN (1 << 53)
#define UXN (1 << 54)

/* desc(table x1, index) = x2 */
.macro SETD idx
    str x2, [x1, #(\idx * 8)]
.endm

TEST_START
    adr x0, vectors
    msr vbar_el1, x0
    isb
    mov x24, #0
    adrp x20, scratch_start
    add x20, x20, :lo12:scratch_start

    /* zero the table pages */
    mov x0, x20
    mov x1, #(NPAGES * 512)
1:  str xzr, [x0], #8
    subs x1, x1, #1
    b.ne 1b

    /* markers (written with the MMU off) */
    ldr x0, =0x1111111111111111
    str x0, [x20, #P_X]
    ldr x0, =0x2222222222222222
    str x0, [x20, #P_Y]
    ldr x0, =0x3333333333333333
    str x0, [x20, #P_Z]
    ldr x1, =0x40180000
    ldr x0, =0x4444444444444444
    str x0, [x1]
    ldr x0, =0x5555555555555555
    str x0, [x1, #8]
    ldr x1, =0x40380000
    ldr x0, =0x6666666666666666
    str x0, [x1]
    ldr x0, =0x7777777777777777
    str x0, [x1, #8]

    /* TTBR0, ASID 1: devices (1 GiB block at 0, Device-nGnRnE, XN), RAM
     * (table of 2 MiB blocks), and VA 0x80000000 -> PA 0x40000000 (nG). */
    add x1, x20, #P_L1_A
    ldr x2, =(0x405 | PXN | UXN)
    SETD 0
    add x2, x20, #P_L2_ID
    orr x2, x2, #TABLE
    SETD 1
    add x2, x20, #P_L2_A
    orr x2, x2, #TABLE
    SETD 2
    add x1, x20, #P_L2_ID
    ldr x2, =(0x40000000 | NORMAL | BLOCK)
    mov x3, #256
1:  str x2, [x1], #8
    add x2, x2, #0x200000
    subs x3, x3, #1
    b.ne 1b
    add x1, x20, #P_L2_A
    ldr x2, =(0x40000000 | NORMAL | NG | BLOCK)
    SETD 0
    /* TTBR0, ASID 2: the same, but VA 0x80000000 -> PA 0x40200000 */
    add x1, x20, #P_L1_B
    ldr x2, [x20, #P_L1_A]
    SETD 0
    ldr x2, [x20, #(P_L1_A + 8)]
    SETD 1
    add x2, x20, #P_L2_B
    orr x2, x2, #TABLE
    SETD 2
    add x1, x20, #P_L2_B
    ldr x2, =(0x40200000 | NORMAL | NG | BLOCK)
    SETD 0

    /* TTBR1: HI+0 X (RW, XN), HI+0x1000 X (read-only), HI+0x2000 invalid,
     * HI+0x3000 X with AF = 0, HI+0x4000 Y; HB: 2 MiB block at PA 0x40000000. */
    add x1, x20, #P_L1_HI
    add x2, x20, #P_L2_HI
    orr x2, x2, #TABLE
    SETD 0
    add x1, x20, #P_L2_HI
    add x2, x20, #P_L3_HI
    orr x2, x2, #TABLE
    SETD 0
    ldr x2, =(0x40000000 | NORMAL | BLOCK)
    SETD 1
    add x1, x20, #P_L3_HI
    ldr x3, =(NORMAL | PAGE | PXN | UXN)
    add x2, x20, #P_X
    orr x2, x2, x3
    SETD 0
    orr x2, x2, #AP_RO
    SETD 1
    add x2, x20, #P_X
    mov x4, #(PAGE | 0x300)         /* AF = 0 */
    orr x2, x2, x4
    SETD 3
    add x2, x20, #P_Y
    orr x2, x2, x3
    SETD 4

    /* MAIR: 0 Normal WB, 1 Device-nGnRnE, 2 Normal NC. TCR: T0SZ = T1SZ =
     * 25, 4K granules, WB inner shareable walks, IPS 40 bits, AS = 1. */
    ldr x0, =0x4400ff
    msr mair_el1, x0
    ldr x0, =0x12B5193519
    msr tcr_el1, x0
    add x0, x20, #P_L1_A
    orr x0, x0, #(1 << 48)
    msr ttbr0_el1, x0
    add x0, x20, #P_L1_HI
    msr ttbr1_el1, x0
    dsb ish
    isb
    mrs x0, sctlr_el1
    orr x0, x0, #1                  /* M */
    orr x0, x0, #(1 << 2)           /* C */
    orr x0, x0, #(1 << 12)          /* I */
    msr sctlr_el1, x0
    isb

    /* ---- accesses through both halves ---- */
    ldr x1, [x20, #P_X]             /* identity */
    CHECK(x1, 0x1111111111111111)
    ldr x0, =HI
    ldr x1, [x0]
    CHECK(x1, 0x1111111111111111)
    ldr x1, [x0, #0x1000]           /* read-only alias */
    CHECK(x1, 0x1111111111111111)
    ldr x1, [x0, #0x4000]
    CHECK(x1, 0x2222222222222222)
    ldr x2, =0xabcdabcdabcdabcd
    str x2, [x0, #8]                /* write through the upper half... */
    ldr x1, [x20, #(P_X + 8)]       /* ...read through the identity map */
    CHECK(x1, 0xabcdabcdabcdabcd)
    ldr x1, [x0, #0x1008]
    CHECK(x1, 0xabcdabcdabcdabcd)
    /* unaligned, crossing from the RW page into the RO alias (both X) */
    add x3, x0, #0xffc
    ldr x1, [x3]
    CHECK(x1, 0x1111111100000000)
    CHECK(x24, 0)

    /* ---- instruction fetch through the upper-half block ---- */
    adr x0, hi_func
    ldr x1, =(HB - 0x40000000)
    add x0, x0, x1
    mov x1, #0
    blr x0
    CHECK(x1, 42)
    CHECK(x24, 0)

    /* ---- faults ---- */
    ldr x0, =HI
    ldr x1, =0x5a5a
    ldr x1, [x0, #0x2000]           /* translation, level 3 */
    CHECK_EXC(1, 0x96000007, HI + 0x2000)
    CHECK(x1, 0x5a5a)
    str x1, [x0, #0x2008]
    CHECK_EXC(2, 0x96000047, HI + 0x2008)
    mov x3, #0x3001
    add x3, x0, x3
    ldrb w1, [x3]                   /* access flag, level 3 */
    CHECK_EXC(3, 0x9600000b, HI + 0x3001)
    str x1, [x0, #0x1010]           /* permission, level 3, write */
    CHECK_EXC(4, 0x9600004f, HI + 0x1010)
    ldr x3, =(HI + 0x40000000)
    ldr x1, [x3]                    /* translation, level 1 */
    CHECK_EXC(5, 0x96000005, HI + 0x40000000)
    ldr x3, =(HI + 0x400000)
    str x1, [x3]                    /* translation, level 2 */
    CHECK_EXC(6, 0x96000046, HI + 0x400000)
    ldr x3, =0x8000000000
    ldr x1, [x3]                    /* outside the TTBR0 range: level 0 */
    CHECK_EXC(7, 0x96000004, 0x8000000000)
    ldr x3, =0xffff000000000000
    ldr x1, [x3]                    /* outside the TTBR1 range: level 0 */
    CHECK_EXC(8, 0x96000004, 0xffff000000000000)
    /* page-crossing store whose second page is read-only: nothing written */
    ldr x2, =0x9999999999999999
    add x3, x0, #0xffc
    str x2, [x3]
    CHECK_EXC(9, 0x9600004f, HI + 0x1000)
    mov x3, #(P_X + 0xffc)
    add x3, x20, x3
    ldr w1, [x3]
    CHECK(x1, 0)
    /* LSE atomics: translation fault WnR = 0, permission fault WnR = 1 */
    mov x2, #1
    add x3, x0, #0x2000
    ldadd x2, x1, [x3]
    CHECK_EXC(10, 0x96000007, HI + 0x2000)
    add x3, x0, #0x1000
    ldadd x2, x1, [x3]
    CHECK_EXC(11, 0x9600004f, HI + 0x1000)
    add x3, x0, #0x3000
    cas x1, x2, [x3]                /* access flag: a read faults too */
    CHECK_EXC(12, 0x9600000b, HI + 0x3000)
    add x3, x0, #0x10
    swp x2, x1, [x3]                /* allowed */
    CHECK(x24, 12)
    ldr x1, [x20, #(P_X + 0x10)]
    CHECK(x1, 1)
    /* instruction aborts: PXN page, invalid page */
    mov x3, x0
    blr x3
    CHECK_EXC(13, 0x8600000f, HI)
    CHECK(x18, HI)
    add x3, x0, #0x2000
    blr x3
    CHECK_EXC(14, 0x86000007, HI + 0x2000)
    CHECK(x18, HI + 0x2000)

    /* ---- TLBI VAE1 after changing a page descriptor ---- */
    ldr x1, [x0, #0x4000]
    CHECK(x1, 0x2222222222222222)
    add x1, x20, #P_L3_HI
    ldr x3, =(NORMAL | PAGE | PXN | UXN)
    add x2, x20, #P_Z
    orr x2, x2, x3
    str x2, [x1, #(4 * 8)]
    dsb ishst
    ldr x4, =(HI + 0x4000)
    ubfx x4, x4, #12, #44
    mov x5, #5
    orr x4, x4, x5, lsl #48         /* any ASID: the entry is global */
    tlbi vae1, x4
    dsb ish
    isb
    ldr x1, [x0, #0x4000]
    CHECK(x1, 0x3333333333333333)
    /* back to Y with TLBI VAALE1 */
    add x1, x20, #P_L3_HI
    add x2, x20, #P_Y
    orr x2, x2, x3
    str x2, [x1, #(4 * 8)]
    dsb ishst
    ldr x4, =(HI + 0x4000)
    ubfx x4, x4, #12, #44
    tlbi vaale1is, x4
    dsb ish
    isb
    ldr x1, [x0, #0x4000]
    CHECK(x1, 0x2222222222222222)
    /* the other pages of the table were not affected */
    ldr x1, [x0]
    CHECK(x1, 0x1111111111111111)

    /* ---- TLBI VAE1 of one page of a 2 MiB block drops the block ---- */
    ldr x0, =(HB + 0x180000)
    ldr x1, [x0]
    CHECK(x1, 0x4444444444444444)
    add x1, x20, #P_L2_HI
    ldr x2, =(0x40200000 | NORMAL | BLOCK)
    str x2, [x1, #8]
    dsb ishst
    ldr x4, =(HB + 0x5000)
    ubfx x4, x4, #12, #44
    tlbi vae1, x4
    dsb ish
    isb
    ldr x1, [x0]
    CHECK(x1, 0x6666666666666666)
    ldr x1, [x0, #8]
    CHECK(x1, 0x7777777777777777)

    /* ---- ASIDs: two TTBR0 tables, switched without TLBI ---- */
    ldr x0, =0x80180000
    ldr x1, [x0]
    CHECK(x1, 0x4444444444444444)
    add x5, x20, #P_L1_A
    orr x5, x5, #(1 << 48)
    add x6, x20, #P_L1_B
    orr x6, x6, #(2 << 48)
    msr ttbr0_el1, x6
    isb
    ldr x1, [x0]
    CHECK(x1, 0x6666666666666666)
    msr ttbr0_el1, x5
    isb
    ldr x1, [x0, #8]
    CHECK(x1, 0x5555555555555555)
    ldr x1, [x0]
    CHECK(x1, 0x4444444444444444)
    msr ttbr0_el1, x6
    isb
    ldr x1, [x0, #8]
    CHECK(x1, 0x7777777777777777)
    /* ASID 2's table now maps PA 0x40000000; TLBI ASIDE1 for ASID 2 */
    add x1, x20, #P_L2_B
    ldr x2, =(0x40000000 | NORMAL | NG | BLOCK)
    str x2, [x1]
    dsb ishst
    mov x4, #(2 << 48)
    tlbi aside1, x4
    dsb ish
    isb
    ldr x1, [x0]
    CHECK(x1, 0x4444444444444444)
    /* global entries survive TLBI ASIDE1 (the identity map still works) */
    ldr x1, [x20, #P_Y]
    CHECK(x1, 0x2222222222222222)
    /* TLBI VMALLE1 after pointing ASID 2's table back at 0x40200000 */
    ldr x2, =(0x40200000 | NORMAL | NG | BLOCK)
    add x1, x20, #P_L2_B
    str x2, [x1]
    dsb ishst
    tlbi vmalle1
    dsb ish
    isb
    ldr x1, [x0]
    CHECK(x1, 0x6666666666666666)
    CHECK(x24, 14)

    /* MMU off again: flat */
    mrs x0, sctlr_el1
    bic x0, x0, #1
    msr sctlr_el1, x0
    isb
    ldr x1, =0x40380000
    ldr x1, [x1]
    CHECK(x1, 0x6666666666666666)
    TEST_PASS

hi_func:
    mov x1, #42
    ret

/* Synchronous exceptions from the current EL with SP_ELx: record ESR, FAR,
 * ELR in x21, x22, x18, count in x24. Data aborts skip the instruction;
 * instruction aborts (from a BLR) return to x30. */
    .balign 2048
vectors:
    .skip 0x200
    mrs x21, esr_el1
    mrs x22, far_el1
    mrs x18, elr_el1
    add x24, x24, #1
    lsr x23, x21, #26
    cmp x23, #0x21
    b.eq 1f
    add x23, x18, #4
    msr elr_el1, x23
    eret
1:  msr elr_el1, x30
    eret
TEST_END
