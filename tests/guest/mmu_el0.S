/* EL0 and stage-1 permissions (4K granule, MMU on):
 *   - EL0 code (AP = 11, UXN = 0) entered by ERET with SPSR = 0;
 *   - EL0 reads/writes of pages by AP: EL0 RW (01), RO for both (11),
 *     EL1 only (00), EL1 read-only (10); a translation fault; a fetch from a
 *     UXN page; AT at EL0 is UNDEFINED. Syndromes: EC 0x24 / 0x20 (from a
 *     lower EL), recorded by the handler and checked back at EL1;
 *   - LDTR/STTR at EL1 check EL0 permissions (EC 0x25), plain loads/stores
 *     at EL1 the EL1 ones (no PAN: EL1 may access EL0 pages);
 *   - entries that LDTR/STTR brought in for EL0 still fault at EL0.
 * Expected values from the Arm ARM (AArch64.CheckPermission, ESR_EL1).
 * System-level (not runnable under qemu-user). */
#include "harness.inc"

#define CHECK(r, v) EXPECT_AT r, v, __LINE__
/* The last EL1 exception: count x24, ESR x21, FAR x22 */
#define CHECK_EXC(count, esr, far) CHECK(x24, count); CHECK(x21, esr); CHECK(x22, far)
/* Record n of the EL0 run: ESR, FAR (x9 temporary) */
#define CHECK_REC(n, esr, far) ldr x9, [x25, #(16 * n)]; CHECK(x9, esr); ldr x9, [x25, #(16 * n + 8)]; CHECK(x9, far)

#define P_L1 0x0000
#define P_L2 0x1000
#define P_L3 0x2000   /* the first 2 MiB of RAM (program and scratch) in 4K pages */
#define P_D0 0x3000   /* AP 01: EL0 RW */
#define P_D1 0x4000   /* AP 11: RO at EL0 and EL1 */
#define P_D2 0x5000   /* AP 00: EL1 RW only */
#define P_D3 0x6000   /* AP 10: EL1 RO only */
#define P_REC 0x7000  /* exception records (EL1 only) */
#define NPAGES 8

#define NORMAL 0x700  /* AF | SH inner | AttrIndx 0 */
#define PAGE 0x3
#define BLOCK 0x1
#define TABLE 0x3
#define UXN (1 << 54)
#define PXN (1 << 53)

/* L3 entry for the scratch page at offset \off with extra bits \ap */
.macro MAPD off, ap
    add x2, x20, #\off
    sub x4, x2, x11                 /* x11 = RAM base */
    lsr x4, x4, #12
    ldr x3, =(NORMAL | PAGE | UXN | \ap)
    orr x2, x2, x3
    str x2, [x1, x4, lsl #3]
.endm

TEST_START
    adr x0, vectors
    msr vbar_el1, x0
    isb
    mov x24, #0
    adrp x20, scratch_start
    add x20, x20, :lo12:scratch_start
    add x25, x20, #P_REC
    mov x11, #0x40000000

    mov x0, x20
    mov x1, #(NPAGES * 512)
1:  str xzr, [x0], #8
    subs x1, x1, #1
    b.ne 1b
    ldr x0, =0x0d0d0d0d0d0d0d0d
    str x0, [x20, #P_D0]
    ldr x0, =0x1d1d1d1d1d1d1d1d
    str x0, [x20, #P_D1]
    ldr x0, =0x2d2d2d2d2d2d2d2d
    str x0, [x20, #P_D2]
    ldr x0, =0x3d3d3d3d3d3d3d3d
    str x0, [x20, #P_D3]

    /* L1: devices, RAM table; L2: first 2 MiB as pages, the rest EL1 blocks */
    add x1, x20, #P_L1
    ldr x2, =(0x405 | PXN | UXN)
    str x2, [x1]
    add x2, x20, #P_L2
    orr x2, x2, #TABLE
    str x2, [x1, #8]
    add x1, x20, #P_L2
    add x2, x20, #P_L3
    orr x2, x2, #TABLE
    str x2, [x1], #8
    ldr x2, =(0x40200000 | NORMAL | BLOCK | UXN)
    mov x3, #255
1:  str x2, [x1], #8
    add x2, x2, #0x200000
    subs x3, x3, #1
    b.ne 1b
    /* L3: every page EL1 RW, not executable at EL0 */
    add x1, x20, #P_L3
    ldr x2, =(0x40000000 | NORMAL | PAGE | UXN)
    mov x3, #512
1:  str x2, [x1], #8
    add x2, x2, #0x1000
    subs x3, x3, #1
    b.ne 1b
    add x1, x20, #P_L3
    /* the EL0 code page: AP 11, executable at both ELs */
    adr x2, el0_code
    ldr x3, =(NORMAL | PAGE | 0xc0)
    orr x2, x2, x3
    sub x4, x2, x11
    lsr x4, x4, #12
    str x2, [x1, x4, lsl #3]
    MAPD P_D0, 0x40
    MAPD P_D1, 0xc0
    MAPD P_D2, 0x00
    MAPD P_D3, 0x80

    ldr x0, =0x4400ff
    msr mair_el1, x0
    ldr x0, =0x1200803519           /* T0SZ 25, 4K, IPS 40, AS, EPD1 */
    msr tcr_el1, x0
    add x0, x20, #P_L1
    msr ttbr0_el1, x0
    dsb ish
    isb
    mrs x0, sctlr_el1
    orr x0, x0, #1
    msr sctlr_el1, x0
    isb

    /* ---- EL0 run 1 ---- */
    add x0, x20, #P_D0
    add x1, x20, #P_D1
    add x2, x20, #P_D2
    add x3, x20, #P_D3
    mov x4, #0x80000000             /* L1 entry 2 is invalid */
    mov x10, #0
    mov x12, #0x5a
    mov x13, #0x5a
    adr x19, back1
    adr x5, el0_code
    msr elr_el1, x5
    msr spsr_el1, xzr
    eret
back1:
    CHECK(x24, 6)
    CHECK(x10, 0x0d0d0d0d0d0d0d0d)
    CHECK(x11, 0x1d1d1d1d1d1d1d1d)
    CHECK(x12, 0x5a)                /* faulting loads leave the register */
    CHECK(x13, 0x5a)
    ldr x9, [x20, #(P_D0 + 8)]      /* the EL0 store landed */
    CHECK(x9, 0x0d0d0d0d0d0d0d0d)
    add x0, x20, #P_D0
    add x1, x20, #P_D1
    add x2, x20, #P_D2
    add x3, x20, #P_D3
    CHECK_REC(0, 0x9200004f, scratch_start + P_D1) /* store to RO: permission, WnR */
    CHECK_REC(1, 0x9200000f, scratch_start + P_D2) /* load from EL1-only */
    CHECK_REC(2, 0x9200000f, scratch_start + P_D3) /* load from EL1 read-only */
    CHECK_REC(3, 0x92000005, 0x80000000)           /* translation, level 1 */
    CHECK_REC(4, 0x8200000f, scratch_start + P_D0) /* fetch from UXN: instruction abort */
    CHECK_REC(5, 0x56000000, 0)     /* SVC #0 (FAR not recorded: 0) */

    /* ---- LDTR/STTR at EL1: EL0 permissions ---- */
    mov x24, #0
    ldtr x5, [x0]
    CHECK(x5, 0x0d0d0d0d0d0d0d0d)
    mov x5, #0x77
    sttr x5, [x0, #16]
    ldr x6, [x0, #16]
    CHECK(x6, 0x77)
    ldtr x5, [x1]
    CHECK(x5, 0x1d1d1d1d1d1d1d1d)
    CHECK(x24, 0)
    mov x5, #0x5a
    ldtr x5, [x2]
    CHECK_EXC(1, 0x9600000f, scratch_start + P_D2)
    CHECK(x5, 0x5a)
    sttr x5, [x1, #8]
    CHECK_EXC(2, 0x9600004f, scratch_start + P_D1 + 8)
    ldtrb w5, [x3, #1]
    CHECK_EXC(3, 0x9600000f, scratch_start + P_D3 + 1)
    sttrh w5, [x2, #2]
    CHECK_EXC(4, 0x9600004f, scratch_start + P_D2 + 2)
    /* the same pages with EL1 permissions */
    ldr x5, [x2]
    CHECK(x5, 0x2d2d2d2d2d2d2d2d)
    ldr x5, [x3]
    CHECK(x5, 0x3d3d3d3d3d3d3d3d)
    str x5, [x3]                    /* EL1 read-only */
    CHECK_EXC(5, 0x9600004f, scratch_start + P_D3)
    str x5, [x1]                    /* read-only at both */
    CHECK_EXC(6, 0x9600004f, scratch_start + P_D1)
    ldr x5, =0x1234
    str x5, [x0, #24]               /* EL0 page, no PAN: allowed */
    ldtr x6, [x0, #24]
    CHECK(x6, 0x1234)
    CHECK(x24, 6)

    /* ---- EL0 run 2: the EL0 entries LDTR brought in still fault ---- */
    mov x24, #0
    adr x19, back2
    adr x5, el0_code2
    msr elr_el1, x5
    msr spsr_el1, xzr
    eret
back2:
    CHECK(x24, 4)
    CHECK_REC(0, 0x9200004f, scratch_start + P_D1) /* store to RO */
    CHECK_REC(1, 0x9200000f, scratch_start + P_D2) /* load from EL1-only */
    CHECK_REC(2, 0x02000000, 0)     /* AT at EL0: UNDEFINED */
    CHECK_REC(3, 0x56000000, 0)
    CHECK(x11, 0x1d1d1d1d1d1d1d1d)
    TEST_PASS

/* Exceptions from EL1 (SP_EL1, +0x200): count, ESR/FAR in x21/x22, skip.
 * From EL0 (+0x400): record ESR/FAR at x25[count], count; SVC returns to
 * EL1 at x19, instruction aborts resume at x30, others skip. */
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
    .balign 0x200
    mrs x21, esr_el1
    lsr x23, x21, #26
    mov x22, #0
    cmp x23, #0x24
    b.eq 1f
    cmp x23, #0x20
    b.ne 2f
1:  mrs x22, far_el1
2:  add x18, x25, x24, lsl #4
    stp x21, x22, [x18]
    add x24, x24, #1
    cmp x23, #0x15
    b.ne 3f
    br x19                          /* back at EL1 (SPSel = 1) */
3:  cmp x23, #0x20
    b.ne 4f
    msr elr_el1, x30
    eret
4:  mrs x18, elr_el1
    add x18, x18, #4
    msr elr_el1, x18
    eret

/* EL0 code, alone in its page. Avoids x18-x28 (handler and harness). */
    .balign 4096
el0_code:
    ldr x10, [x0]
    str x10, [x0, #8]
    ldr x11, [x1]
    str x11, [x1]                   /* RO */
    ldr x12, [x2]                   /* EL1 only */
    ldr x13, [x3]                   /* EL1 read-only */
    ldr x14, [x4]                   /* translation fault */
    blr x0                          /* UXN */
    svc #0
el0_code2:
    str x11, [x1]
    ldr x12, [x2]
    at s1e1r, x0
    ldr x11, [x1]
    svc #0
    .balign 4096
TEST_END
