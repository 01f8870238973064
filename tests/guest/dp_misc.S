/* Data processing, 1 and 2 sources and 3 sources: CLZ/CLS/RBIT/REV/REV16/
 * REV32, UDIV/SDIV (division by zero, INT_MIN / -1), LSLV/LSRV/ASRV/RORV
 * (amounts taken modulo the width), MADD/MSUB/MUL/MNEG, SMADDL/SMSUBL/
 * UMADDL/UMSUBL, SMULH/UMULH, and CRC32/CRC32C against the standard check
 * values (CRC-32 "123456789" = 0xcbf43926, CRC-32C = 0xe3069283). Expected
 * values follow the Arm ARM and were checked under qemu-aarch64-static. */
#include "harness.inc"
    .arch_extension crc

TEST_START
    ldr x1, =0x0000f00dcafe0001
    ldr x2, =0xfffffff000000000
    mov x3, #-1

    /* ---- CLZ / CLS ---- */
    clz x0, x1
    EXPECT x0, 16
    clz x0, xzr
    EXPECT x0, 64
    clz x0, x3
    EXPECT x0, 0
    clz w0, w1
    EXPECT x0, 0
    clz w0, w2                  /* low half is zero */
    EXPECT x0, 32
    mov x4, #1
    clz x0, x4
    EXPECT x0, 63
    clz w0, w4
    EXPECT x0, 31
    cls x0, x1
    EXPECT x0, 15
    cls x0, x2
    EXPECT x0, 27
    cls x0, x3
    EXPECT x0, 63
    cls x0, xzr
    EXPECT x0, 63
    cls w0, w2
    EXPECT x0, 31
    cls w0, w1                  /* 0xcafe0001: top bit followed by 1 */
    EXPECT x0, 1
    ldr x5, =0x4000000000000000
    cls x0, x5
    EXPECT x0, 0
    ldr x5, =0x00000000bfffffff
    cls w0, w5
    EXPECT x0, 0
    cls x0, x5
    EXPECT x0, 31

    /* ---- RBIT / REV* ---- */
    ldr x6, =0x0123456789abcdef
    rbit x0, x6
    EXPECT x0, 0xf7b3d591e6a2c480
    rbit w0, w6
    EXPECT x0, 0xf7b3d591
    rbit x0, x4
    EXPECT x0, 0x8000000000000000
    rev x0, x6
    EXPECT x0, 0xefcdab8967452301
    rev w0, w6
    EXPECT x0, 0xefcdab89
    rev16 x0, x6
    EXPECT x0, 0x23016745ab89efcd
    rev16 w0, w6
    EXPECT x0, 0xab89efcd
    rev32 x0, x6
    EXPECT x0, 0x67452301efcdab89

    /* ---- division ---- */
    mov x7, #100
    mov x8, #7
    udiv x0, x7, x8
    EXPECT x0, 14
    sdiv x0, x7, x8
    EXPECT x0, 14
    neg x9, x7
    sdiv x0, x9, x8             /* rounds toward zero */
    EXPECT x0, 0xfffffffffffffff2
    udiv x0, x9, x8
    EXPECT x0, 0x2492492492492484
    udiv x0, x7, xzr            /* division by zero gives 0 */
    EXPECT x0, 0
    sdiv x0, x9, xzr
    EXPECT x0, 0
    ldr x10, =0x8000000000000000
    sdiv x0, x10, x3            /* INT64_MIN / -1 = INT64_MIN */
    EXPECT x0, 0x8000000000000000
    udiv x0, x10, x3
    EXPECT x0, 0
    udiv x0, x3, x3
    EXPECT x0, 1
    sdiv x0, x3, x3
    EXPECT x0, 1
    mov w11, #0x80000000
    sdiv w0, w11, w3            /* INT32_MIN / -1 = INT32_MIN */
    EXPECT x0, 0x80000000
    udiv w0, w11, w3
    EXPECT x0, 0
    sdiv w0, w9, w8             /* 32-bit: -100 / 7 */
    EXPECT x0, 0xfffffff2
    udiv w0, w9, w8
    EXPECT x0, 0x24924916
    ldr x12, =0x1234567800000000
    udiv w0, w7, w12            /* divisor's low half is 0 */
    EXPECT x0, 0
    sdiv w0, w11, w12
    EXPECT x0, 0

    /* ---- variable shifts ---- */
    mov x13, #4
    mov x14, #68                /* 68 mod 64 = 4 */
    mov x15, #36                /* 36 mod 32 = 4 */
    lsl x0, x6, x13
    EXPECT x0, 0x123456789abcdef0
    lsl x0, x6, x14
    EXPECT x0, 0x123456789abcdef0
    lsr x0, x6, x14
    EXPECT x0, 0x00123456789abcde
    asr x0, x10, x14
    EXPECT x0, 0xf800000000000000
    ror x0, x6, x14
    EXPECT x0, 0xf0123456789abcde
    mov x16, #63
    lsr x0, x10, x16
    EXPECT x0, 1
    asr x0, x10, x16
    EXPECT x0, 0xffffffffffffffff
    lsl x0, x6, xzr
    EXPECT x0, 0x0123456789abcdef
    lsl w0, w6, w15
    EXPECT x0, 0x9abcdef0
    lsr w0, w6, w15
    EXPECT x0, 0x089abcde
    asr w0, w6, w15
    EXPECT x0, 0xf89abcde
    ror w0, w6, w15
    EXPECT x0, 0xf89abcde
    mov x17, #32
    lsl w0, w6, w17             /* 32 mod 32 = 0 */
    EXPECT x0, 0x89abcdef
    ror w0, w6, w17
    EXPECT x0, 0x89abcdef
    ldr x18, =0xffffffffffffff21 /* only the low 5/6 bits count */
    lsr w0, w6, w18
    EXPECT x0, 0x44d5e6f7
    lsr x0, x6, x18
    EXPECT x0, 0x000000000091a2b3

    /* ---- multiply ---- */
    ldr x19, =0x123456789
    ldr x20, =0xfedcba987
    mul x0, x19, x20
    EXPECT x0, 0x1fa00acc59960a3f
    madd x0, x19, x20, x6
    EXPECT x0, 0x20c35033e341d82e
    msub x0, x19, x20, x6
    EXPECT x0, 0xe1833a9b3015c3b0
    mneg x0, x19, x20
    EXPECT x0, 0xe05ff533a669f5c1
    mul w0, w19, w20
    EXPECT x0, 0x59960a3f
    madd w0, w19, w20, w6
    EXPECT x0, 0xe341d82e
    msub w0, w19, w20, w6
    EXPECT x0, 0x3015c3b0
    mul x0, x3, x3
    EXPECT x0, 1
    mul x0, x10, x3
    EXPECT x0, 0x8000000000000000
    /* long multiplies: 32 x 32 -> 64 */
    ldr x21, =0xaaaaaaaa80000000 /* W = INT32_MIN */
    ldr x22, =0x55555555ffffffff /* W = -1 / 0xffffffff */
    smull x0, w21, w22
    EXPECT x0, 0x80000000
    umull x0, w21, w22
    EXPECT x0, 0x7fffffff80000000
    smull x0, w21, w21
    EXPECT x0, 0x4000000000000000
    umull x0, w22, w22
    EXPECT x0, 0xfffffffe00000001
    smaddl x0, w22, w22, x6
    EXPECT x0, 0x0123456789abcdf0
    smsubl x0, w22, w22, x6
    EXPECT x0, 0x0123456789abcdee
    umaddl x0, w22, w22, x3
    EXPECT x0, 0xfffffffe00000000
    umsubl x0, w22, w22, xzr
    EXPECT x0, 0x00000001ffffffff
    smnegl x0, w21, w22
    EXPECT x0, 0xffffffff80000000
    umnegl x0, w21, w22
    EXPECT x0, 0x8000000080000000
    /* high halves of 64 x 64 */
    smulh x0, x3, x3
    EXPECT x0, 0
    umulh x0, x3, x3
    EXPECT x0, 0xfffffffffffffffe
    smulh x0, x10, x10
    EXPECT x0, 0x4000000000000000
    umulh x0, x10, x10
    EXPECT x0, 0x4000000000000000
    smulh x0, x10, x3
    EXPECT x0, 0
    umulh x0, x10, x3
    EXPECT x0, 0x7fffffffffffffff
    smulh x0, x19, x20
    EXPECT x0, 0x12
    smulh x0, x9, x20           /* negative * positive */
    EXPECT x0, 0xffffffffffffffff
    umulh x0, x6, x6
    EXPECT x0, 0x14b66dc33f6ac
    smulh x0, x2, x6
    EXPECT x0, 0xffffffffedcba987

    /* ---- CRC32 / CRC32C ---- */
    ldr x23, =0x3837363534333231   /* "12345678" */
    mov x24, #0x39                 /* "9" */
    /* bytes */
    mov w0, #-1
    .irp c, 0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37, 0x38, 0x39
    mov w25, #\c
    crc32b w0, w0, w25
    .endr
    mvn w0, w0
    EXPECT x0, 0xcbf43926
    /* halfwords (upper garbage in the data register ignored) */
    mov w0, #-1
    ldr x25, =0xdeadbeef00003231
    crc32h w0, w0, w25
    ldr x25, =0x3433
    crc32h w0, w0, w25
    ldr x25, =0x3635
    crc32h w0, w0, w25
    ldr x25, =0x3837
    crc32h w0, w0, w25
    crc32b w0, w0, w24
    mvn w0, w0
    EXPECT x0, 0xcbf43926
    /* words */
    mov w0, #-1
    crc32w w0, w0, w23
    lsr x25, x23, #32
    crc32w w0, w0, w25
    crc32b w0, w0, w24
    mvn w0, w0
    EXPECT x0, 0xcbf43926
    /* doubleword */
    mov x0, #-1                    /* upper half of Wn ignored */
    crc32x w0, w0, x23
    crc32b w0, w0, w24
    mvn w0, w0
    EXPECT x0, 0xcbf43926
    /* CRC32C */
    mov w0, #-1
    .irp c, 0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37, 0x38, 0x39
    mov w25, #\c
    crc32cb w0, w0, w25
    .endr
    mvn w0, w0
    EXPECT x0, 0xe3069283
    mov w0, #-1
    crc32cx w0, w0, x23
    crc32cb w0, w0, w24
    mvn w0, w0
    EXPECT x0, 0xe3069283
    mov w0, #-1
    crc32cw w0, w0, w23
    lsr x25, x23, #32
    crc32cw w0, w0, w25
    crc32cb w0, w0, w24
    mvn w0, w0
    EXPECT x0, 0xe3069283
    mov w0, #-1
    ldr x25, =0x3231
    crc32ch w0, w0, w25
    ldr x25, =0x3433
    crc32ch w0, w0, w25
    ldr x25, =0x3635
    crc32ch w0, w0, w25
    ldr x25, =0x3837
    crc32ch w0, w0, w25
    crc32cb w0, w0, w24
    mvn w0, w0
    EXPECT x0, 0xe3069283
    /* no pre/post inversion inside the instruction */
    crc32b w0, wzr, wzr
    EXPECT x0, 0
    crc32cx w0, wzr, xzr
    EXPECT x0, 0
    mov w0, #-1
    crc32w w0, w0, wzr
    EXPECT x0, 0xdebb20e3
    mov w0, #-1
    crc32cw w0, w0, wzr
    EXPECT x0, 0xb798b438

    TEST_PASS
TEST_END
