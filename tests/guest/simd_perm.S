/* Advanced SIMD permutes: ZIP1/ZIP2/UZP1/UZP2/TRN1/TRN2 for every
 * arrangement, EXT (8- and 16-byte, every boundary case), TBL/TBX with 1 to
 * 4 table registers (out-of-range indices, register list wrapping past V31,
 * destination inside the table), REV16/REV32/REV64.
 * Expected values from qemu-aarch64-static. */
#include "harness.inc"
#include "simd_macros.inc"

TEST_START
    LDV v1, 0x0706050403020100, 0x0f0e0d0c0b0a0908
    LDV v2, 0x1716151413121110, 0x1f1e1d1c1b1a1918
    LDV v3, 0x2726252423222120, 0x2f2e2d2c2b2a2928
    LDV v4, 0x3736353433323130, 0x3f3e3d3c3b3a3938

    zip1 v0.16b, v1.16b, v2.16b
    CHKV v0, 0x1303120211011000, 0x1707160615051404
    zip2 v0.16b, v1.16b, v2.16b
    CHKV v0, 0x1b0b1a0a19091808, 0x1f0f1e0e1d0d1c0c
    zip1 v0.8b, v1.8b, v2.8b
    CHKV v0, 0x1303120211011000, 0x0000000000000000
    zip2 v0.8b, v1.8b, v2.8b
    CHKV v0, 0x1707160615051404, 0x0000000000000000
    zip1 v0.8h, v1.8h, v2.8h
    CHKV v0, 0x1312030211100100, 0x1716070615140504
    zip2 v0.4h, v1.4h, v2.4h
    CHKV v0, 0x1716070615140504, 0x0000000000000000
    zip1 v0.4s, v1.4s, v2.4s
    CHKV v0, 0x1312111003020100, 0x1716151407060504
    zip2 v0.2s, v1.2s, v2.2s
    CHKV v0, 0x1716151407060504, 0x0000000000000000
    zip2 v0.2d, v1.2d, v2.2d
    CHKV v0, 0x0f0e0d0c0b0a0908, 0x1f1e1d1c1b1a1918
    uzp1 v0.16b, v1.16b, v2.16b
    CHKV v0, 0x0e0c0a0806040200, 0x1e1c1a1816141210
    uzp2 v0.16b, v1.16b, v2.16b
    CHKV v0, 0x0f0d0b0907050301, 0x1f1d1b1917151311
    uzp1 v0.8b, v1.8b, v2.8b
    CHKV v0, 0x1614121006040200, 0x0000000000000000
    uzp2 v0.4h, v1.4h, v2.4h
    CHKV v0, 0x1716131207060302, 0x0000000000000000
    uzp1 v0.8h, v1.8h, v2.8h
    CHKV v0, 0x0d0c090805040100, 0x1d1c191815141110
    uzp2 v0.4s, v1.4s, v2.4s
    CHKV v0, 0x0f0e0d0c07060504, 0x1f1e1d1c17161514
    uzp1 v0.2d, v1.2d, v2.2d
    CHKV v0, 0x0706050403020100, 0x1716151413121110
    trn1 v0.16b, v1.16b, v2.16b
    CHKV v0, 0x1606140412021000, 0x1e0e1c0c1a0a1808
    trn2 v0.16b, v1.16b, v2.16b
    CHKV v0, 0x1707150513031101, 0x1f0f1d0d1b0b1909
    trn1 v0.4h, v1.4h, v2.4h
    CHKV v0, 0x1514050411100100, 0x0000000000000000
    trn2 v0.8h, v1.8h, v2.8h
    CHKV v0, 0x1716070613120302, 0x1f1e0f0e1b1a0b0a
    trn1 v0.2s, v1.2s, v2.2s
    CHKV v0, 0x1312111003020100, 0x0000000000000000
    trn2 v0.4s, v1.4s, v2.4s
    CHKV v0, 0x1716151407060504, 0x1f1e1d1c0f0e0d0c
    trn2 v0.2d, v1.2d, v2.2d
    CHKV v0, 0x0f0e0d0c0b0a0908, 0x1f1e1d1c1b1a1918
    mov v5.16b, v1.16b
    zip1 v5.16b, v5.16b, v5.16b /* all three the same register */
    CHKV v5, 0x0303020201010000, 0x0707060605050404

    ext v0.16b, v1.16b, v2.16b, #0
    CHKV v0, 0x0706050403020100, 0x0f0e0d0c0b0a0908
    ext v0.16b, v1.16b, v2.16b, #1
    CHKV v0, 0x0807060504030201, 0x100f0e0d0c0b0a09
    ext v0.16b, v1.16b, v2.16b, #8
    CHKV v0, 0x0f0e0d0c0b0a0908, 0x1716151413121110
    ext v0.16b, v1.16b, v2.16b, #15
    CHKV v0, 0x161514131211100f, 0x1e1d1c1b1a191817
    ext v0.8b, v1.8b, v2.8b, #3
    CHKV v0, 0x1211100706050403, 0x0000000000000000
    ext v0.8b, v1.8b, v2.8b, #7
    CHKV v0, 0x1615141312111007, 0x0000000000000000
    mov v5.16b, v1.16b
    ext v5.16b, v5.16b, v5.16b, #8  /* swap halves in place */
    CHKV v5, 0x0f0e0d0c0b0a0908, 0x0706050403020100

    /* TBL/TBX: index bytes in v6 */
    LDV v6, 0x3f20100f0e050100, 0xff40813020111008
    tbl v0.16b, {v1.16b}, v6.16b
    CHKV v0, 0x0000000f0e050100, 0x0000000000000008
    tbl v0.8b, {v1.16b}, v6.8b
    CHKV v0, 0x0000000f0e050100, 0x0000000000000000
    tbl v0.16b, {v1.16b, v2.16b}, v6.16b
    CHKV v0, 0x0000100f0e050100, 0x0000000000111008
    tbl v0.16b, {v1.16b, v2.16b, v3.16b}, v6.16b
    CHKV v0, 0x0020100f0e050100, 0x0000000020111008
    tbl v0.16b, {v1.16b, v2.16b, v3.16b, v4.16b}, v6.16b
    CHKV v0, 0x3f20100f0e050100, 0x0000003020111008
    tbl v0.8b, {v1.16b, v2.16b, v3.16b, v4.16b}, v6.8b
    CHKV v0, 0x3f20100f0e050100, 0x0000000000000000
    LDV v0, 0xaaaaaaaaaaaaaaaa, 0xbbbbbbbbbbbbbbbb
    tbx v0.16b, {v1.16b}, v6.16b
    CHKV v0, 0xaaaaaa0f0e050100, 0xbbbbbbbbbbbbbb08
    LDV v0, 0xaaaaaaaaaaaaaaaa, 0xbbbbbbbbbbbbbbbb
    tbx v0.16b, {v1.16b, v2.16b}, v6.16b
    CHKV v0, 0xaaaa100f0e050100, 0xbbbbbbbbbb111008
    LDV v0, 0xaaaaaaaaaaaaaaaa, 0xbbbbbbbbbbbbbbbb
    tbx v0.8b, {v1.16b, v2.16b, v3.16b}, v6.8b
    CHKV v0, 0xaa20100f0e050100, 0x0000000000000000
    LDV v0, 0xaaaaaaaaaaaaaaaa, 0xbbbbbbbbbbbbbbbb
    tbx v0.16b, {v1.16b, v2.16b, v3.16b, v4.16b}, v6.16b
    CHKV v0, 0x3f20100f0e050100, 0xbbbbbb3020111008
    /* the list wraps: {v30, v31, v0, v1} */
    mov v30.16b, v3.16b
    mov v31.16b, v4.16b
    LDV v0, 0x5756555453525150, 0x5f5e5d5c5b5a5958
    tbl v7.16b, {v30.16b, v31.16b, v0.16b, v1.16b}, v6.16b
    CHKV v7, 0x0f50302f2e252120, 0x0000000050313028
    /* destination is a table register */
    mov v8.16b, v1.16b
    mov v9.16b, v2.16b
    tbl v9.16b, {v8.16b, v9.16b}, v6.16b
    CHKV v9, 0x0000100f0e050100, 0x0000000000111008

    rev64 v0.16b, v1.16b
    CHKV v0, 0x0001020304050607, 0x08090a0b0c0d0e0f
    rev64 v0.8h, v1.8h
    CHKV v0, 0x0100030205040706, 0x09080b0a0d0c0f0e
    rev64 v0.2s, v1.2s
    CHKV v0, 0x0302010007060504, 0x0000000000000000
    rev32 v0.16b, v1.16b
    CHKV v0, 0x0405060700010203, 0x0c0d0e0f08090a0b
    rev32 v0.4h, v1.4h
    CHKV v0, 0x0504070601000302, 0x0000000000000000
    rev16 v0.16b, v1.16b
    CHKV v0, 0x0607040502030001, 0x0e0f0c0d0a0b0809
    rev16 v0.8b, v2.8b
    CHKV v0, 0x1617141512131011, 0x0000000000000000
    TEST_PASS
TEST_END
