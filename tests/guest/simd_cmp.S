/* Advanced SIMD integer compares: CMEQ/CMHS/CMHI/CMGT/CMGE/CMTST (register,
 * vector and scalar D) and CMEQ/CMGT/CMGE/CMLE/CMLT against zero, every
 * element size, both widths; plus the usual strlen idiom (CMEQ #0, UMAXP,
 * FMOV-free extraction via UMOV). Expected values from qemu-aarch64-static. */
#include "harness.inc"
#include "simd_macros.inc"

TEST_START
    LDV v1, 0x80ff7f0100fe0380, 0x0123456789abcdef
    LDV v2, 0x7fff80800305ff80, 0x0123456700000000
    LDV v3, 0x0000000000000000, 0x8000000000000001

    cmeq v0.16b, v1.16b, v2.16b
    CHKV v0, 0x00ff0000000000ff, 0xffffffff00000000
    cmeq v0.4h, v1.4h, v2.4h
    CHKV v0, 0x0000000000000000, 0x0000000000000000
    cmeq v0.4s, v1.4s, v2.4s
    CHKV v0, 0x0000000000000000, 0xffffffff00000000
    cmeq v0.2d, v1.2d, v1.2d
    CHKV v0, 0xffffffffffffffff, 0xffffffffffffffff
    cmeq d0, d1, d2
    CHKV v0, 0x0000000000000000, 0x0000000000000000
    cmhs v0.16b, v1.16b, v2.16b
    CHKV v0, 0xffff000000ff00ff, 0xffffffffffffffff
    cmhs v0.8h, v1.8h, v2.8h
    CHKV v0, 0xffff000000000000, 0xffffffffffffffff
    cmhi v0.4s, v1.4s, v2.4s
    CHKV v0, 0xffffffff00000000, 0x00000000ffffffff
    cmhi v0.2d, v1.2d, v2.2d
    CHKV v0, 0xffffffffffffffff, 0xffffffffffffffff
    cmhi d0, d2, d1
    CHKV v0, 0x0000000000000000, 0x0000000000000000
    cmhs d0, d3, d3
    CHKV v0, 0xffffffffffffffff, 0x0000000000000000
    cmgt v0.16b, v1.16b, v2.16b
    CHKV v0, 0x0000ffff0000ff00, 0x0000000000000000
    cmgt v0.4h, v1.4h, v2.4h
    CHKV v0, 0x0000ffff0000ffff, 0x0000000000000000
    cmgt v0.2d, v1.2d, v2.2d
    CHKV v0, 0x0000000000000000, 0xffffffffffffffff
    cmgt d0, d1, d2
    CHKV v0, 0x0000000000000000, 0x0000000000000000
    cmge v0.8b, v1.8b, v2.8b
    CHKV v0, 0x00ffffff0000ffff, 0x0000000000000000
    cmge v0.4s, v1.4s, v2.4s
    CHKV v0, 0x0000000000000000, 0xffffffff00000000
    cmge d0, d2, d1
    CHKV v0, 0xffffffffffffffff, 0x0000000000000000
    cmtst v0.16b, v1.16b, v2.16b
    CHKV v0, 0x00ff000000ffffff, 0xffffffff00000000
    cmtst v0.8h, v1.8h, v2.8h
    CHKV v0, 0xffff0000ffffffff, 0xffffffff00000000
    cmtst v0.2d, v3.2d, v1.2d
    CHKV v0, 0x0000000000000000, 0xffffffffffffffff
    cmtst d0, d1, d2
    CHKV v0, 0xffffffffffffffff, 0x0000000000000000

    /* against zero */
    cmeq v0.16b, v1.16b, #0
    CHKV v0, 0x00000000ff000000, 0x0000000000000000
    cmeq v0.2s, v3.2s, #0
    CHKV v0, 0xffffffffffffffff, 0x0000000000000000
    cmeq d0, d3, #0
    CHKV v0, 0xffffffffffffffff, 0x0000000000000000
    cmgt v0.16b, v1.16b, #0
    CHKV v0, 0x0000ffff0000ff00, 0xffffffff00000000
    cmgt v0.8h, v2.8h, #0
    CHKV v0, 0xffff0000ffff0000, 0xffffffff00000000
    cmgt d0, d1, #0
    CHKV v0, 0x0000000000000000, 0x0000000000000000
    cmge v0.4s, v1.4s, #0
    CHKV v0, 0x00000000ffffffff, 0xffffffff00000000
    cmge d0, d2, #0
    CHKV v0, 0xffffffffffffffff, 0x0000000000000000
    cmle v0.8b, v1.8b, #0
    CHKV v0, 0xffff0000ffff00ff, 0x0000000000000000
    cmle v0.2d, v3.2d, #0
    CHKV v0, 0xffffffffffffffff, 0xffffffffffffffff
    cmle d0, d3, #0
    CHKV v0, 0xffffffffffffffff, 0x0000000000000000
    cmlt v0.16b, v2.16b, #0
    CHKV v0, 0x00ffffff0000ffff, 0x0000000000000000
    cmlt v0.4h, v1.4h, #0
    CHKV v0, 0xffff000000000000, 0x0000000000000000
    cmlt d0, d1, #0
    CHKV v0, 0xffffffffffffffff, 0x0000000000000000

    /* strlen-style: find the first zero byte of a 16-byte chunk */
    LDV v4, 0x6f77206f6c6c6568, 0x00000021646c72
    cmeq v0.16b, v4.16b, #0
    umaxp v5.16b, v0.16b, v0.16b
    mov x5, v5.d[0]
    EXPECT x5, 0xffff000000000000
    shrn v6.8b, v0.8h, #4
    mov x6, v6.d[0]
    EXPECT x6, 0xffff000000000000
    rbit x6, x6
    clz x6, x6
    lsr x6, x6, #2
    EXPECT x6, 0x000000000000000c
    TEST_PASS
TEST_END
