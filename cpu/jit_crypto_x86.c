/* Tier 1: the cryptographic extension on the host's AES-NI, SHA-NI and
 * PCLMULQDQ (when cpuid has them; otherwise the C helpers of
 * cpu/helpers_crypto.c run, and they stay the oracle of the unit tests).
 *
 * - AESE = SubBytes(ShiftRows(Vd ^ Vn)) = aesenclast(Vd ^ Vn, 0); AESD the
 *   same with aesdeclast. Both architectures hold the AES state in the same
 *   byte order (byte i of the register is state byte i, column-major).
 * - AESMC has no x86 instruction of its own: aesdeclast(x, 0) undoes
 *   ShiftRows and SubBytes, and aesenc(., 0) redoes them and mixes the
 *   columns, so aesenc(aesdeclast(x, 0), 0) = MixColumns(x). AESIMC is aesimc.
 * - PMULL/PMULL2 .1Q: pclmulqdq with the halves selected by the immediate.
 * - SHA256H/H2 (four rounds): Arm keeps the state as {a,b,c,d}, {e,f,g,h};
 *   sha256rnds2 does two rounds on {A,B,E,F}, {C,D,G,H} (A in the top dword)
 *   with W+K in XMM0. The state is shuffled in, two sha256rnds2 run, and the
 *   half the instruction returns is shuffled out (Intel's SHA extensions
 *   paper gives the same conversions). SHA256SU0 is sha256msg1;
 *   SHA256SU1 is sha256msg2 of Vd + (Vm:Vn >> 32 bits) and Vm.
 * SHA-1 stays on the helpers.
 *
 * Thread rules: the compiling thread. */
#include "jit_simd_emit.h"

#include "translate.h"

#define RD(imm) ((int)((imm) & 31))
#define RN(imm) ((int)(((imm) >> 5) & 31))
#define RM(imm) ((int)(((imm) >> 10) & 31))

static void pshufd(JitBuf *j, int dst, int src, uint8_t sel) { sse_i(j, 0x0f70, dst, src, sel); }
static void palignr(JitBuf *j, int dst, int src, uint8_t n) { sse_i(j, 0x0f3a0f, dst, src, n); }
static void pblendw(JitBuf *j, int dst, int src, uint8_t sel) { sse_i(j, 0x0f3a0e, dst, src, sel); }

static bool aes(JitBuf *j, uint32_t helper, uint64_t imm)
{
    if (!jsimd_has(JSF_AES))
        return false;
    int rd = RD(imm), rn = RN(imm);
    vload(j, X0, rn, true);
    pzero(j, X1);
    switch (helper) {
    case HELPER_aese: case HELPER_aesd:
        vload(j, X2, rd, true);
        sse(j, 0x0fef, X0, X2);                           /* pxor: AddRoundKey first */
        sse(j, helper == HELPER_aese ? 0x0f38dd : 0x0f38df, X0, X1); /* aesenclast / aesdeclast */
        break;
    case HELPER_aesmc:
        sse(j, 0x0f38df, X0, X1);                         /* aesdeclast */
        sse(j, 0x0f38dc, X0, X1);                         /* aesenc */
        break;
    default:
        sse(j, 0x0f38db, X0, X0);                         /* aesimc */
        break;
    }
    vstore(j, X0, rd, true);
    return true;
}

static bool sha256(JitBuf *j, uint32_t helper, uint64_t imm)
{
    if (!jsimd_has(JSF_SHA | JSF_SSE41 | JSF_SSSE3))
        return false;
    int rd = RD(imm), rn = RN(imm), rm = RM(imm);
    switch (helper) {
    case HELPER_sha256su0:
        vload(j, X0, rd, true);
        vload(j, X1, rn, true);
        x_rr(j, 0, 0x0f38cc, X0, X1);                     /* sha256msg1 */
        vstore(j, X0, rd, true);
        return true;
    case HELPER_sha256su1:
        vload(j, X1, rm, true);
        vload(j, X2, rn, true);
        sse(j, 0x0f6f, X0, X1);
        palignr(j, X0, X2, 4);                            /* Vm<31:0> : Vn<127:32> */
        vload(j, X2, rd, true);
        sse(j, 0x0ffe, X0, X2);                           /* paddd */
        x_rr(j, 0, 0x0f38cd, X0, X1);                     /* sha256msg2 */
        vstore(j, X0, rd, true);
        return true;
    default: break;
    }
    bool h2 = helper == HELPER_sha256h2;
    vload(j, X3, h2 ? rn : rd, true);                     /* a b c d */
    vload(j, X4, h2 ? rd : rn, true);                     /* e f g h */
    vload(j, X0, rm, true);                               /* W + K */
    pshufd(j, X3, X3, 0xb1);                              /* b a d c */
    pshufd(j, X4, X4, 0x1b);                              /* h g f e */
    sse(j, 0x0f6f, X5, X3);
    palignr(j, X5, X4, 8);                                /* ABEF */
    pblendw(j, X4, X3, 0xf0);                             /* CDGH */
    x_rr(j, 0, 0x0f38cb, X4, X5);                         /* sha256rnds2: ABEF after two rounds */
    pshufd(j, X0, X0, 0x0e);
    x_rr(j, 0, 0x0f38cb, X5, X4);                         /* ABEF after four; X4 = CDGH */
    pshufd(j, X5, X5, 0x1b);                              /* A B E F, A lowest */
    pshufd(j, X4, X4, 0xb1);                              /* G H C D */
    if (h2) {
        palignr(j, X4, X5, 8);                            /* e f g h */
        vstore(j, X4, rd, true);
    } else {
        pblendw(j, X5, X4, 0xf0);                         /* a b c d */
        vstore(j, X5, rd, true);
    }
    return true;
}

/* SHA1C/P/M: sha1rnds4 adds K itself and takes the message words in reverse
 * order with E added to the first; Arm's Vm already holds W + K. */
static bool sha1_rounds(JitBuf *j, uint32_t helper, uint64_t imm)
{
    static const uint32_t k[3] = {0x5a827999, 0x6ed9eba1, 0x8f1bbcdc}; /* C (choose), P, M */
    int f = helper == HELPER_sha1c ? 0 : helper == HELPER_sha1p ? 1 : 2;
    vload(j, X0, RD(imm), true);
    pshufd(j, X0, X0, 0x1b);                              /* A in the top dword */
    vload(j, X1, RM(imm), true);
    pshufd(j, X1, X1, 0x1b);                              /* W0 + K in the top dword */
    xsplat(j, X2, 32, k[f]);
    sse(j, 0x0ffa, X1, X2);                               /* psubd: - K */
    x_mem(j, X66, 0x0f6e, X2, RBX, voff(RN(imm)));        /* movd: E */
    sse_sh(j, 0x0f73, 7, X2, 12);                         /* pslldq: to the top dword */
    sse(j, 0x0ffe, X1, X2);                               /* + E */
    x_rr(j, 0, 0x0f3acc, X0, X1);                         /* sha1rnds4 */
    jb_byte(j, (uint8_t)f);
    pshufd(j, X0, X0, 0x1b);
    vstore(j, X0, RD(imm), true);
    return true;
}

static bool sha1(JitBuf *j, uint32_t helper, uint64_t imm)
{
    int rd = RD(imm), rn = RN(imm), rm = RM(imm);
    switch (helper) {
    case HELPER_sha1h:                                    /* ROL(Sn, 30), the rest zero */
        x_mem(j, 0, 0x8b, RAX, RBX, voff(rn));            /* mov eax, [n] */
        x_shift_ri(j, 0, 0, RAX, 30);                     /* rol eax, 30 */
        vstore_rax(j, rd);
        return true;
    case HELPER_sha1su0:                                  /* (Vn<63:0> : Vd<127:64>) ^ Vd ^ Vm */
        vload(j, X0, rd, true);
        vload_hi(j, X1, rd);
        x_mem(j, X66, 0x0f16, X1, RBX, voff(rn));         /* movhpd: n0 above d1 */
        sse(j, 0x0fef, X0, X1);
        vload(j, X1, rm, true);
        sse(j, 0x0fef, X0, X1);
        vstore(j, X0, rd, true);
        return true;
    case HELPER_sha1su1:                                  /* sha1msg2 on the reversed words */
        if (!jsimd_has(JSF_SHA))
            return false;
        vload(j, X0, rd, true);
        pshufd(j, X0, X0, 0x1b);
        vload(j, X1, rn, true);
        pshufd(j, X1, X1, 0x1b);
        x_rr(j, 0, 0x0f38ca, X0, X1);                     /* sha1msg2 */
        pshufd(j, X0, X0, 0x1b);
        vstore(j, X0, rd, true);
        return true;
    default:
        return jsimd_has(JSF_SHA) && sha1_rounds(j, helper, imm);
    }
}

bool jit_crypto_inline(JitBuf *j, uint32_t helper, uint64_t imm)
{
    switch (helper) {
    case HELPER_sha1c: case HELPER_sha1p: case HELPER_sha1m: case HELPER_sha1h: case HELPER_sha1su0:
    case HELPER_sha1su1:
        return sha1(j, helper, imm);
    case HELPER_aese: case HELPER_aesd: case HELPER_aesmc: case HELPER_aesimc:
        return aes(j, helper, imm);
    case HELPER_sha256h: case HELPER_sha256h2: case HELPER_sha256su0: case HELPER_sha256su1:
        return sha256(j, helper, imm);
    case HELPER_pmull64:
        if (!jsimd_has(JSF_PCLMUL))
            return false;
        vload(j, X0, RN(imm), true);
        vload(j, X1, RM(imm), true);
        sse_i(j, 0x0f3a44, X0, X1, imm >> 15 & 1 ? 0x11 : 0x00); /* pclmulqdq */
        vstore(j, X0, RD(imm), true);
        return true;
    default:
        return false;
    }
}
