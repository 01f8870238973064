/* Advanced SIMD across lanes: ADDV, SMAXV/UMAXV, SMINV/UMINV, SADDLV/UADDLV
 * for 8B/16B/4H/8H/4S, and the scalar pairwise ADDP Dd, Vn.2D; results
 * clear the rest of the register. Expected values from qemu-aarch64-static. */
#include "harness.inc"
#include "simd_macros.inc"

TEST_START
    LDV v1, 0x80ff7f0102fe0380, 0x0123456789abcdef
    LDV v2, 0x7f01ff8003050780, 0xfedcba9876543210
    LDV v3, 0xffffffffffffffff, 0xffffffffffffffff

    addv b0, v1.16b
    CHKV v0, 0x0000000000000042, 0x0000000000000000
    addv b0, v1.8b
    CHKV v0, 0x0000000000000082, 0x0000000000000000
    addv h0, v1.8h
    CHKV v0, 0x000000000000a4a2, 0x0000000000000000
    addv h0, v2.4h
    CHKV v0, 0x0000000000008906, 0x0000000000000000
    addv s0, v1.4s
    CHKV v0, 0x000000000ecc95d7, 0x0000000000000000
    smaxv b0, v1.16b
    CHKV v0, 0x000000000000007f, 0x0000000000000000
    smaxv b0, v2.8b
    CHKV v0, 0x000000000000007f, 0x0000000000000000
    smaxv h0, v1.8h
    CHKV v0, 0x0000000000007f01, 0x0000000000000000
    smaxv s0, v2.4s
    CHKV v0, 0x000000007f01ff80, 0x0000000000000000
    umaxv b0, v1.16b
    CHKV v0, 0x00000000000000ff, 0x0000000000000000
    umaxv h0, v1.4h
    CHKV v0, 0x00000000000080ff, 0x0000000000000000
    umaxv s0, v1.4s
    CHKV v0, 0x0000000089abcdef, 0x0000000000000000
    sminv b0, v1.16b
    CHKV v0, 0x0000000000000080, 0x0000000000000000
    sminv h0, v2.8h
    CHKV v0, 0x000000000000ba98, 0x0000000000000000
    sminv s0, v1.4s
    CHKV v0, 0x0000000080ff7f01, 0x0000000000000000
    uminv b0, v2.8b
    CHKV v0, 0x0000000000000001, 0x0000000000000000
    uminv h0, v2.8h
    CHKV v0, 0x0000000000000305, 0x0000000000000000
    uminv s0, v2.4s
    CHKV v0, 0x0000000003050780, 0x0000000000000000
    saddlv h0, v1.16b
    CHKV v0, 0x000000000000ff42, 0x0000000000000000
    saddlv h0, v2.8b
    CHKV v0, 0x000000000000ff8e, 0x0000000000000000
    saddlv s0, v1.8h
    CHKV v0, 0x00000000ffffa4a2, 0x0000000000000000
    saddlv s0, v2.4h
    CHKV v0, 0x0000000000008906, 0x0000000000000000
    saddlv d0, v1.4s
    CHKV v0, 0xffffffff0ecc95d7, 0x0000000000000000
    uaddlv h0, v3.16b
    CHKV v0, 0x0000000000000ff0, 0x0000000000000000
    uaddlv h0, v1.8b
    CHKV v0, 0x0000000000000382, 0x0000000000000000
    uaddlv s0, v3.8h
    CHKV v0, 0x000000000007fff8, 0x0000000000000000
    uaddlv s0, v2.4h
    CHKV v0, 0x0000000000018906, 0x0000000000000000
    uaddlv d0, v3.4s
    CHKV v0, 0x00000003fffffffc, 0x0000000000000000
    addp d0, v1.2d
    CHKV v0, 0x8222c4688ca9d16f, 0x0000000000000000
    addp d0, v3.2d
    CHKV v0, 0xfffffffffffffffe, 0x0000000000000000
    mov v4.16b, v1.16b
    umaxv b4, v4.16b            /* destination = source */
    CHKV v4, 0x00000000000000ff, 0x0000000000000000
    TEST_PASS
TEST_END
