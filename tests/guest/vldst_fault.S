/* Faults, UNDEFINED encodings and the FP trap of the SIMD&FP loads and
 * stores and the crypto instructions (EL1, MMU off; system-level, so not
 * runnable under qemu-user):
 *   - a faulting access leaves every destination V register and the base
 *     register unchanged (cpu/trans_simd_ldst.c: all loads before any
 *     register write, writeback last), including the second half of a Q
 *     load, the second register of LDP Q, the last chunk of LD1/LD4
 *     (multiple), the second element of LD2 (single) and LD2R;
 *   - a faulting store reports WnR = 1;
 *   - unallocated size/opc/opcode combinations are UNDEFINED (EC 0);
 *   - with CPACR_EL1.FPEN = 00 they trap with EC 0x07 instead;
 *   - ID_AA64ISAR0_EL1 advertises AES (with PMULL), SHA1 and SHA2.
 * The handler skips the instruction and records ESR/FAR/ELR. Syndromes are
 * from the Arm ARM: EC 0x25 data abort (same EL), WnR = ISS bit 6. The
 * encodings listed as UNDEFINED are shown as "undefined" by objdump. */
#include "harness.inc"
    .arch armv8-a+crypto

#define CHECK(r, v) EXPECT_AT r, v, __LINE__
#define CHECK_OFF(r, base, off) sub x25, r, base; CHECK(x25, off)
#define CHECK_EXC(count, ec, wnr) CHECK(x24, count); lsr x25, x21, #26; CHECK(x25, ec); \
    ubfx x25, x21, #6, #1; CHECK(x25, wnr)
/* V\r must still hold the fill pattern 0x5a.. (x15, x16 clobbered) */
#define CHECK_FILL(r) str q##r, [x20]; ldp x15, x16, [x20]; CHECK(x15, 0x5a5a5a5a5a5a5a5a); \
    CHECK(x16, 0x5a5a5a5a5a5a5a5a)

TEST_START
    adr x0, vectors
    msr vbar_el1, x0
    isb
    mov x24, #0
    mov x19, sp                     /* top of RAM: nothing mapped above */
    adrp x20, scratch_start
    add x20, x20, :lo12:scratch_start
    ldr x5, =0x5a5a5a5a5a5a5a5a
    stp x5, x5, [x20, #16]
    ldr q0, [x20, #16]
    ldr q1, [x20, #16]
    ldr q2, [x20, #16]
    ldr q3, [x20, #16]
    ldr q31, [x20, #16]
    ldr x6, =0x0123456789abcdef
    stp x6, x6, [x19, #-16]         /* the last 16 bytes of RAM */

    /* ---- Q load whose second half faults ---- */
    sub x2, x19, #8
    ldr q0, [x2]
    CHECK_EXC(1, 0x25, 0)
    CHECK_OFF(x22, x19, 0)          /* FAR: the second half */
    CHECK_FILL(0)
    ldr q0, [x2], #16               /* post-index: base unchanged */
    CHECK_EXC(2, 0x25, 0)
    CHECK_FILL(0)
    CHECK_OFF(x2, x19, -8)
    /* ---- LDP Q: first register readable, second faults ---- */
    sub x2, x19, #16
    ldp q0, q1, [x2]
    CHECK_EXC(3, 0x25, 0)
    CHECK_FILL(0)
    CHECK_FILL(1)
    ldp q0, q1, [x2, #0]!
    CHECK_EXC(4, 0x25, 0)
    CHECK_OFF(x2, x19, -16)
    ldp d0, d1, [x2, #8]
    CHECK_EXC(5, 0x25, 0)
    CHECK_FILL(0)
    /* the same loads one element lower work */
    ldp d0, d1, [x2]
    CHECK(x24, 5)
    /* ---- LD1 (4 registers), LD4: the last chunk faults ---- */
    ldr q0, [x20, #16]
    ldr q1, [x20, #16]
    sub x2, x19, #56
    ld1 {v31.2d, v0.2d, v1.2d, v2.2d}, [x2], #64
    CHECK_EXC(6, 0x25, 0)
    CHECK_OFF(x22, x19, 0)
    CHECK_FILL(31)
    CHECK_FILL(0)
    CHECK_FILL(1)
    CHECK_FILL(2)
    CHECK_OFF(x2, x19, -56)
    ld4 {v0.16b, v1.16b, v2.16b, v3.16b}, [x2]
    CHECK_EXC(7, 0x25, 0)
    CHECK_FILL(0)
    CHECK_FILL(3)
    /* ---- single structure and replicate: the second element faults ---- */
    sub x2, x19, #4
    ld2 {v0.s, v1.s}[1], [x2], #8
    CHECK_EXC(8, 0x25, 0)
    CHECK_FILL(0)
    CHECK_FILL(1)
    CHECK_OFF(x2, x19, -4)
    sub x2, x19, #8
    ld2r {v2.2d, v3.2d}, [x2]
    CHECK_EXC(9, 0x25, 0)
    CHECK_FILL(2)
    CHECK_FILL(3)
    /* ---- stores: WnR = 1, base unchanged ---- */
    mov x9, #1
    lsl x9, x9, #48                 /* beyond the PA range */
    mov x3, x9
    str q0, [x3], #16
    CHECK_EXC(10, 0x25, 1)
    CHECK(x22, 0x1000000000000)
    CHECK(x3, 0x1000000000000)
    st1 {v0.16b}, [x3], #16
    CHECK_EXC(11, 0x25, 1)
    CHECK(x3, 0x1000000000000)
    st3 {v0.b, v1.b, v2.b}[0], [x3], x9
    CHECK_EXC(12, 0x25, 1)
    CHECK(x3, 0x1000000000000)

    /* ---- UNDEFINED encodings ---- */
    .inst 0x7dc00020                /* LDR (SIMD&FP) size 01, opc 11 */
    CHECK_EXC(13, 0x00, 0)
    .inst 0xbc800020                /* STUR (SIMD&FP) size 10, opc 10 */
    CHECK_EXC(14, 0x00, 0)
    .inst 0x3c400820                /* "LDTR" with V = 1 */
    CHECK_EXC(15, 0x00, 0)
    .inst 0x3ce00820                /* LDR Q register offset, option 000 */
    CHECK_EXC(16, 0x00, 0)
    .inst 0xdc000000                /* LDR (literal, SIMD&FP) opc 11 */
    CHECK_EXC(17, 0x00, 0)
    .inst 0xed400020                /* LDP (SIMD&FP) opc 11 */
    CHECK_EXC(18, 0x00, 0)
    .inst 0x0c408c20                /* LD2 {.1D} */
    CHECK_EXC(19, 0x00, 0)
    .inst 0x0ce08c20                /* LD2 {.1D}, post-index by register */
    CHECK_EXC(20, 0x00, 0)
    .inst 0x0c401020                /* LD1-4 multiple, opcode 0001 */
    CHECK_EXC(21, 0x00, 0)
    .inst 0x0d404420                /* LD1 single .H with size<0> = 1 */
    CHECK_EXC(22, 0x00, 0)
    .inst 0x0d409420                /* LD1 single .D with S = 1 */
    CHECK_EXC(23, 0x00, 0)
    .inst 0x0d00c020                /* "ST1R" */
    CHECK_EXC(24, 0x00, 0)
    .inst 0x0d40d020                /* LD1R with S = 1 */
    CHECK_EXC(25, 0x00, 0)
    .inst 0x3c200c20                /* V = 1, bit 21 = 1, bits 11:10 = 11 */
    CHECK_EXC(26, 0x00, 0)
    .inst 0x4e684800                /* AESE with size 01 */
    CHECK_EXC(27, 0x00, 0)
    .inst 0x5e400000                /* SHA1C with size 01 */
    CHECK_EXC(28, 0x00, 0)

    /* ---- CPACR_EL1.FPEN = 00: SIMD&FP accesses and crypto trap (EC 0x07) ---- */
    msr cpacr_el1, xzr
    isb
    ldr q0, [x20]
    CHECK_EXC(29, 0x07, 0)
    mov x12, x20
    ld1 {v0.16b}, [x20], #16
    CHECK_EXC(30, 0x07, 0)
    CHECK_OFF(x20, x12, 0)          /* no writeback */
    aese v0.16b, v1.16b
    CHECK_EXC(31, 0x07, 0)
    sha256h q0, q1, v2.4s
    CHECK_EXC(32, 0x07, 0)
    .inst 0x7dc00020                /* UNDEFINED wins over the FP trap */
    CHECK_EXC(33, 0x00, 0)
    mov x0, #(3 << 20)
    msr cpacr_el1, x0
    isb
    ldr q0, [x20, #16]
    CHECK(x24, 33)
    CHECK_FILL(0)

    /* ---- ID_AA64ISAR0_EL1 advertises what crypto_*.S test: AES = 2
     * (AES + 64-bit PMULL), SHA1 = 1, SHA2 = 1 (bits 15:4) ---- */
    mrs x0, id_aa64isar0_el1
    ubfx x0, x0, #4, #12
    CHECK(x0, 0x112)

    TEST_PASS

/* Synchronous exceptions from the current EL with SP_ELx (offset 0x200):
 * record ESR/FAR/ELR in x21/x22/x18, count in x24, skip the instruction. */
    .balign 2048
vectors:
    .skip 0x200
    mrs x21, esr_el1
    mrs x22, far_el1
    mrs x18, elr_el1
    add x24, x24, #1
    add x23, x18, #4
    msr elr_el1, x23
    eret
TEST_END
