/* Advanced SIMD widening and narrowing (non-saturating): [SU]ADDL/ADDW,
 * [SU]SUBL/SUBW, ADDHN/SUBHN/RADDHN/RSUBHN, [SU]ABAL/ABDL, [SU]MLAL/MLSL/
 * MULL (vector and by element), PMULL (8-bit), XTN, [SU]ADDLP/ADALP, each
 * with its "2" (upper half) form where one exists.
 * Expected values from qemu-aarch64-static. */
#include "harness.inc"
#include "simd_macros.inc"

TEST_START
    LDV v1, 0x80ff7f0102fe0380, 0x0123456789abcdef
    LDV v2, 0x7f01ff8003050780, 0xfedcba9876543210
    LDV v3, 0x1111222233334444, 0x5555666677778888

    saddl v0.8h, v1.8b, v2.8b
    CHKV v0, 0x00050003000aff00, 0xffff0000007eff81
    uaddl2 v0.8h, v1.16b, v2.16b
    CHKV v0, 0x00ff00ff00ff00ff, 0x00ff00ff00ff00ff
    saddl2 v0.4s, v1.8h, v2.8h
    CHKV v0, 0xffffffffffffffff, 0xffffffffffffffff
    uaddl v0.2d, v1.2s, v2.2s
    CHKV v0, 0x0000000006030b00, 0x0000000100017e81
    saddw v0.8h, v3.8h, v1.8b
    CHKV v0, 0x11132220333643c4, 0x54d5666577f68889
    uaddw2 v0.4s, v3.4s, v1.8h
    CHKV v0, 0x1111abcd33341233, 0x555567897777cdef
    ssubl v0.4s, v1.4h, v2.4h
    CHKV v0, 0xfffffff9fffffc00, 0xffff01fe00007f81
    usubl2 v0.2d, v1.4s, v2.4s
    CHKV v0, 0x0000000013579bdf, 0xffffffff02468acf
    ssubw2 v0.8h, v3.8h, v1.16b
    CHKV v0, 0x1188227733664455, 0x5554664377328821
    usubw v0.2d, v3.2d, v1.2s
    CHKV v0, 0x11112222303540c4, 0x55556665f6780987

    addhn v0.8b, v1.8h, v2.8h
    CHKV v0, 0xffffffff007e060b, 0x0000000000000000
    mov v0.16b, v3.16b
    addhn2 v0.16b, v1.8h, v2.8h
    CHKV v0, 0x1111222233334444, 0xffffffff007e060b
    raddhn v0.4h, v1.4s, v2.4s
    CHKV v0, 0x0000000000010603, 0x0000000000000000
    subhn v0.2s, v1.2d, v2.2d
    CHKV v0, 0x02468acf01fd7f80, 0x0000000000000000
    mov v0.16b, v3.16b
    rsubhn2 v0.8h, v1.4s, v2.4s
    CHKV v0, 0x1111222233334444, 0x0247135801fdfff9
    raddhn v0.8b, v1.8h, v1.8h
    CHKV v0, 0x028b139c02fe0607, 0x0000000000000000

    sabdl v0.8h, v1.8b, v2.8b
    CHKV v0, 0x0001000700040000, 0x00ff000200800081
    uabdl2 v0.4s, v1.8h, v2.8h
    CHKV v0, 0x0000135700009bdf, 0x0000fdb900007531
    mov v0.16b, v3.16b
    sabal2 v0.2d, v1.4s, v2.4s
    CHKV v0, 0x111122231fdba865, 0x5555666679be1357
    mov v0.16b, v3.16b
    uabal v0.8h, v1.8b, v2.8b
    CHKV v0, 0x1112231b33374444, 0x5556676477f78907

    smull v0.8h, v1.8b, v2.8b
    CHKV v0, 0x0006fff600154000, 0xc080ffffff81ff80
    umull2 v0.8h, v1.16b, v2.16b
    CHKV v0, 0x3f26381c280a0ef0, 0x00fe1e1432223d28
    smull2 v0.4s, v1.8h, v2.8h
    CHKV v0, 0xc94dfe1cf6358cf0, 0xfffeb414ed2f0b28
    umull v0.2d, v1.2s, v2.2s
    CHKV v0, 0x00090917029a4000, 0x3fffc1bffd427f80
    smull v0.2d, v1.2s, v2.2s
    CHKV v0, 0x00090917029a4000, 0xc0fdc23ffd427f80
    mov v0.16b, v3.16b
    smlal v0.4s, v1.4h, v2.4h
    CHKV v0, 0x111a2b18334d8444, 0x1653686577380808
    mov v0.16b, v3.16b
    umlal2 v0.2d, v1.4s, v2.4s
    CHKV v0, 0x50b39a5a1894d134, 0x567760669b5993b0
    mov v0.16b, v3.16b
    smlsl2 v0.8h, v1.16b, v2.16b
    CHKV v0, 0x47eb3e063d294554, 0x55576b528a55b260
    mov v0.16b, v3.16b
    umlsl v0.4s, v1.4h, v2.4h
    CHKV v0, 0x1108192c33190444, 0x15566467f8b60908

    /* by element */
    smull v0.4s, v1.4h, v2.h[7]
    CHKV v0, 0xfffc9648fffc0200, 0x0090dd24ff6f22dc
    umull2 v0.4s, v1.8h, v2.h[3]
    CHKV v0, 0x444c5eab662a5eef, 0x00905e23226e5e67
    smull2 v0.2d, v1.4s, v2.s[1]
    CHKV v0, 0xc54b4ebc56f70880, 0x009081b4122b4c80
    umull v0.2d, v1.2s, v2.s[2]
    CHKV v0, 0x0162118bf28f3800, 0x3ba0319a191a2210
    mov v0.16b, v3.16b
    smlal v0.2d, v1.2s, v2.s[3]
    CHKV v0, 0x110dba948a905844, 0x55e5e667d44dab20
    mov v0.16b, v3.16b
    umlal2 v0.4s, v1.8h, v2.h[0]
    CHKV v0, 0x1519a4a2393bc4c4, 0x555dece679800d08
    mov v0.16b, v3.16b
    smlsl2 v0.4s, v1.8h, v2.h[5]
    CHKV v0, 0x47c324064a5787d8, 0x54cee4ea576348bc
    mov v0.16b, v3.16b
    umlsl v0.2d, v1.2s, v2.s[0]
    CHKV v0, 0x1108190b30990444, 0x53cfdf247d3a0108
    mov v18.16b, v2.16b
    umull v0.2d, v1.2s, v18.s[1]
    CHKV v0, 0x017c09b707fe4000, 0x3fffc1bffd427f80

    pmull v0.8h, v1.8b, v2.8b
    CHKV v0, 0x0006030600094000, 0x3f8000ff2ad50080
    pmull2 v0.8h, v1.16b, v2.16b
    CHKV v0, 0x38c622dc14ea0ef0, 0x00fe1ae42cd236c8

    xtn v0.8b, v1.8h
    CHKV v0, 0x2367abefff01fe80, 0x0000000000000000
    mov v0.16b, v3.16b
    xtn2 v0.16b, v1.8h
    CHKV v0, 0x1111222233334444, 0x2367abefff01fe80
    xtn v0.4h, v2.4s
    CHKV v0, 0xba983210ff800780, 0x0000000000000000
    mov v0.16b, v3.16b
    xtn2 v0.4s, v2.2d
    CHKV v0, 0x1111222233334444, 0x7654321003050780

    saddlp v0.8h, v1.16b
    CHKV v0, 0xff7f00800000ff83, 0x002400acff34ffbc
    uaddlp v0.4h, v1.8b
    CHKV v0, 0x017f008001000083, 0x0000000000000000
    saddlp v0.2s, v1.4h
    CHKV v0, 0x000000000000067e, 0x0000000000000000
    uaddlp v0.2d, v1.4s
    CHKV v0, 0x0000000083fd8281, 0x000000008acf1356
    mov v0.16b, v3.16b
    sadalp v0.4s, v1.8h
    CHKV v0, 0x1111222233334ac2, 0x5555acf07776e022
    mov v0.16b, v3.16b
    uadalp v0.1d, v1.2s
    CHKV v0, 0x11112222b730c6c5, 0x0000000000000000
    mov v0.16b, v3.16b
    sadalp v0.2d, v2.4s
    CHKV v0, 0x11112222b53a4b44, 0x55556666eca87530
    TEST_PASS
TEST_END
