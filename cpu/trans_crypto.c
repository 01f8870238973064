/* Translate functions: the cryptographic extension (cpu/a64/crypto.def):
 * AES, SHA-1, SHA-256 and PMULL/PMULL2 with 64-bit elements. Each is one
 * call to a non-faulting helper in cpu/helpers_crypto.c, which reads and
 * writes cpu->v directly (register numbers in imm). Every trans_* here is
 * called by the decoder on the translating vCPU thread only. */
#include "translate.h"

static bool crypto_call(DisasCtx *s, uint32_t insn, enum HelperId h)
{
    if (!fp_access_check(s))
        return true;
    uint64_t imm = bits(insn, 4, 0) | bits(insn, 9, 5) << 5 | bits(insn, 20, 16) << 10 | bit(insn, 30) << 15;
    t_call(s, h, 0, IR_NO_TEMP, IR_NO_TEMP, IR_NO_TEMP, imm);
    return true;
}

bool trans_AESE(DisasCtx *s, uint32_t insn) { return crypto_call(s, insn, HELPER_aese); }
bool trans_AESD(DisasCtx *s, uint32_t insn) { return crypto_call(s, insn, HELPER_aesd); }
bool trans_AESMC(DisasCtx *s, uint32_t insn) { return crypto_call(s, insn, HELPER_aesmc); }
bool trans_AESIMC(DisasCtx *s, uint32_t insn) { return crypto_call(s, insn, HELPER_aesimc); }
bool trans_SHA1C(DisasCtx *s, uint32_t insn) { return crypto_call(s, insn, HELPER_sha1c); }
bool trans_SHA1P(DisasCtx *s, uint32_t insn) { return crypto_call(s, insn, HELPER_sha1p); }
bool trans_SHA1M(DisasCtx *s, uint32_t insn) { return crypto_call(s, insn, HELPER_sha1m); }
bool trans_SHA1SU0(DisasCtx *s, uint32_t insn) { return crypto_call(s, insn, HELPER_sha1su0); }
bool trans_SHA256H(DisasCtx *s, uint32_t insn) { return crypto_call(s, insn, HELPER_sha256h); }
bool trans_SHA256H2(DisasCtx *s, uint32_t insn) { return crypto_call(s, insn, HELPER_sha256h2); }
bool trans_SHA256SU1(DisasCtx *s, uint32_t insn) { return crypto_call(s, insn, HELPER_sha256su1); }
bool trans_SHA1H(DisasCtx *s, uint32_t insn) { return crypto_call(s, insn, HELPER_sha1h); }
bool trans_SHA1SU1(DisasCtx *s, uint32_t insn) { return crypto_call(s, insn, HELPER_sha1su1); }
bool trans_SHA256SU0(DisasCtx *s, uint32_t insn) { return crypto_call(s, insn, HELPER_sha256su0); }
bool trans_PMULL_1Q(DisasCtx *s, uint32_t insn) { return crypto_call(s, insn, HELPER_pmull64); }
