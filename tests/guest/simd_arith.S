/* Advanced SIMD integer arithmetic: ADD/SUB (vector and scalar D), ADDP
 * (vector and scalar), MUL/MLA/MLS (vector and by element), PMUL, halving
 * adds/subs, [SU]MAX/MIN and the pairwise forms, [SU]ABD/ABA, NEG/ABS,
 * CNT/CLZ/CLS, for each element size and both vector widths.
 * Expected values from qemu-aarch64-static. */
#include "harness.inc"
#include "simd_macros.inc"

TEST_START
    LDV v1, 0x80ff7f0102fe0380, 0x0123456789abcdef
    LDV v2, 0x7f01ff8003050780, 0xfedcba9876543210
    LDV v3, 0x1111222233334444, 0x5555666677778888

    add v0.16b, v1.16b, v2.16b
    CHKV v0, 0xff007e8105030a00, 0xffffffffffffffff
    add v0.4h, v1.4h, v2.4h
    CHKV v0, 0x00007e8106030b00, 0x0000000000000000
    add v0.4s, v1.4s, v2.4s
    CHKV v0, 0x00017e8106030b00, 0xffffffffffffffff
    add v0.2d, v1.2d, v2.2d
    CHKV v0, 0x00017e8106030b00, 0xffffffffffffffff
    add d0, d1, d2
    CHKV v0, 0x00017e8106030b00, 0x0000000000000000
    sub v0.8h, v1.8h, v2.8h
    CHKV v0, 0x01fe7f81fff9fc00, 0x02478acf13579bdf
    sub v0.2s, v1.2s, v2.2s
    CHKV v0, 0x01fd7f81fff8fc00, 0x0000000000000000
    sub d0, d1, d2
    CHKV v0, 0x01fd7f80fff8fc00, 0x0000000000000000
    sub v0.2d, v2.2d, v1.2d
    CHKV v0, 0xfe02807f00070400, 0xfdb97530eca86421

    addp v0.16b, v1.16b, v2.16b
    CHKV v0, 0x24ac34bc7f800083, 0xda52ca42807f0887
    addp v0.8b, v1.8b, v2.8b
    CHKV v0, 0x807f08877f800083, 0x0000000000000000
    addp v0.4h, v1.4h, v2.4h
    CHKV v0, 0x7e810a850000067e, 0x0000000000000000
    addp v0.4s, v1.4s, v2.4s
    CHKV v0, 0x8acf135683fd8281, 0x7530eca882070700
    addp v0.2d, v1.2d, v2.2d
    CHKV v0, 0x8222c4688ca9d16f, 0x7ddeba1879593990
    addp d0, v1.2d
    CHKV v0, 0x8222c4688ca9d16f, 0x0000000000000000
    mov v4.16b, v1.16b
    addp v4.4s, v2.4s, v4.4s    /* Vd = Vm */
    CHKV v4, 0x7530eca882070700, 0x8acf135683fd8281

    mul v0.16b, v1.16b, v2.16b
    CHKV v0, 0x80ff818006f61500, 0xfe142228261c0af0
    mul v0.8h, v1.8h, v2.8h
    CHKV v0, 0x01ff7f8008f64000, 0xb4140b28fe1c8cf0
    mul v0.2s, v1.2s, v2.2s
    CHKV v0, 0xfd427f80029a4000, 0x0000000000000000
    mov v0.16b, v3.16b
    mla v0.4s, v1.4s, v2.4s
    CHKV v0, 0x0e53a1a235cd8444, 0x7937718e5cd91578
    mov v0.16b, v3.16b
    mls v0.8b, v1.8b, v2.8b
    CHKV v0, 0x9112a1a22d3d2f44, 0x0000000000000000
    pmul v0.16b, v1.16b, v2.16b
    CHKV v0, 0x80ffd58006060900, 0xfee4d2c8c6dceaf0
    pmul v0.8b, v2.8b, v2.8b
    CHKV v0, 0x5501550005111500, 0x0000000000000000

    /* by element */
    mul v0.8h, v1.8h, v2.h[7]
    CHKV v0, 0xdd2422dc96480200, 0xb414d684f8f41b64
    mul v0.4h, v1.4h, v2.h[2]
    CHKV v0, 0x80807f8081004000, 0x0000000000000000
    mul v0.4s, v1.4s, v2.s[1]
    CHKV v0, 0xfd427f8007fe4000, 0x122b4c8056f70880
    mul v0.2s, v1.2s, v2.s[3]
    CHKV v0, 0x5cd62298575d1400, 0x0000000000000000
    mov v0.16b, v3.16b
    mla v0.8h, v1.8h, v2.h[3]
    CHKV v0, 0x131020233831c7c4, 0xb378c4cdd622e777
    mov v0.16b, v3.16b
    mla v0.2s, v1.2s, v2.s[2]
    CHKV v0, 0x2a2b443225c27c44, 0x0000000000000000
    mov v0.16b, v3.16b
    mls v0.4s, v1.4s, v2.s[0]
    CHKV v0, 0x16d39aa230990444, 0x3cc9e1e61c440808
    mov v0.16b, v3.16b
    mls v0.4h, v1.4h, v2.h[6]
    CHKV v0, 0x33a9ff8ae0633044, 0x0000000000000000
    mov v20.16b, v2.16b
    mul v0.4s, v1.4s, v20.s[3]  /* Rm above v15 (S elements) */
    CHKV v0, 0x5cd62298575d1400, 0x23e20b28ad05ebe8
    mov v15.16b, v2.16b
    mul v0.8h, v1.8h, v15.h[5]
    CHKV v0, 0xddac22540f582600, 0x817c3fccfe1cbc6c

    /* halving */
    shadd v0.16b, v1.16b, v2.16b
    CHKV v0, 0xff003fc002010580, 0xffffffffffffffff
    uhadd v0.16b, v1.16b, v2.16b
    CHKV v0, 0x7f80bf4002810580, 0x7f7f7f7f7f7f7f7f
    srhadd v0.8h, v1.8h, v2.8h
    CHKV v0, 0x00003f4103020580, 0x0000000000000000
    urhadd v0.4s, v1.4s, v2.4s
    CHKV v0, 0x8000bf4103018580, 0x8000000080000000
    shsub v0.4s, v1.4s, v2.4s
    CHKV v0, 0x80febfc0fffc7e00, 0x0123456789abcdef
    uhsub v0.8b, v1.8b, v2.8b
    CHKV v0, 0x007fc0c0ff7cfe00, 0x0000000000000000

    /* max / min */
    smax v0.16b, v1.16b, v2.16b
    CHKV v0, 0x7f017f0103050780, 0x0123456776543210
    umax v0.16b, v1.16b, v2.16b
    CHKV v0, 0x80ffff8003fe0780, 0xfedcba9889abcdef
    smin v0.8h, v1.8h, v2.8h
    CHKV v0, 0x80ffff8002fe0380, 0xfedcba9889abcdef
    umin v0.4s, v1.4s, v2.4s
    CHKV v0, 0x7f01ff8002fe0380, 0x0123456776543210
    smin v0.2s, v1.2s, v2.2s
    CHKV v0, 0x80ff7f0102fe0380, 0x0000000000000000
    smaxp v0.16b, v1.16b, v2.16b
    CHKV v0, 0x2367abefff7f0203, 0xfeba76327fff0507
    umaxp v0.8h, v1.8h, v2.8h
    CHKV v0, 0x4567cdef80ff0380, 0xfedc7654ff800780
    sminp v0.4s, v1.4s, v2.4s
    CHKV v0, 0x89abcdef80ff7f01, 0xfedcba9803050780
    uminp v0.8b, v1.8b, v2.8b
    CHKV v0, 0x0180030780010203, 0x0000000000000000
    uminp v0.2s, v1.2s, v2.2s
    CHKV v0, 0x0305078002fe0380, 0x0000000000000000

    /* absolute difference */
    sabd v0.16b, v1.16b, v2.16b
    CHKV v0, 0xff02808101070400, 0x03478bcfeda96521
    uabd v0.8h, v1.8h, v2.8h
    CHKV v0, 0x01fe807f00070400, 0xfdb9753113579bdf
    sabd v0.2s, v1.2s, v2.2s
    CHKV v0, 0xfe02807f00070400, 0x0000000000000000
    mov v0.16b, v3.16b
    saba v0.8h, v1.8h, v2.8h
    CHKV v0, 0x0f13a1a3333a4844, 0x579cf1356420eca9
    mov v0.16b, v3.16b
    uaba v0.16b, v1.16b, v2.16b
    CHKV v0, 0x120fa2a1342c4844, 0x520edb978ace2367

    /* unary */
    neg v0.16b, v1.16b
    CHKV v0, 0x800181fffe02fd80, 0xffddbb9977553311
    neg v0.2d, v1.2d
    CHKV v0, 0x7f0080fefd01fc80, 0xfedcba9876543211
    neg d0, d2
    CHKV v0, 0x80fe007ffcfaf880, 0x0000000000000000
    abs v0.8h, v1.8h
    CHKV v0, 0x7f017f0102fe0380, 0x0123456776553211
    abs v0.2s, v2.2s
    CHKV v0, 0x7f01ff8003050780, 0x0000000000000000
    abs d0, d2
    CHKV v0, 0x7f01ff8003050780, 0x0000000000000000
    cnt v0.16b, v1.16b
    CHKV v0, 0x0108070101070201, 0x0103030503050507
    cnt v0.8b, v2.8b
    CHKV v0, 0x0701080102020301, 0x0000000000000000
    clz v0.16b, v1.16b
    CHKV v0, 0x0000010706000600, 0x0702010100000000
    clz v0.8h, v2.8h
    CHKV v0, 0x0001000000060005, 0x0000000000010002
    clz v0.4s, v3.4s
    CHKV v0, 0x0000000300000002, 0x0000000100000001
    cls v0.16b, v1.16b
    CHKV v0, 0x0007000605060500, 0x0601000000000102
    cls v0.4h, v2.4h
    CHKV v0, 0x0000000800050004, 0x0000000000000000
    cls v0.4s, v1.4s
    CHKV v0, 0x0000000000000005, 0x0000000600000000
    movi v5.2d, #0
    clz v0.4s, v5.4s
    CHKV v0, 0x0000002000000020, 0x0000002000000020
    cls v0.8h, v5.8h
    CHKV v0, 0x000f000f000f000f, 0x000f000f000f000f
    TEST_PASS
TEST_END
