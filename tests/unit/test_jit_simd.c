/* Unit tests for the Advanced SIMD and crypto ops the JIT emits as host SIMD
 * code (cpu/jit_simd_x86.c, jit_simd_perm_x86.c, jit_crypto_x86.c) against
 * their C helpers, with the two-tier harness of jit_harness.h: random words
 * of every Advanced SIMD and crypto encoding of the decode table, translated
 * as the guest would be, run on the interpreter (the helpers) and the JIT
 * from the same state; V registers biased to the lane edges (0, 1, 0x7f,
 * 0x80, 0xff, the halfword and word limits), FPSR.QC set or clear. The whole
 * CPUState must match. Each set of host features is tried (SSE2 only up to
 * everything the host has), and the inline path must be taken for most
 * words of the classes it covers. */
#include "jit_harness.h"

#include "cpu/decode.h"
#include "cpu/jit_simd_x86.h"

static void simd_setup(void)
{
    setup();
    decode_init();
}

TestSuite(jit, .init = simd_setup, .fini = teardown);

/* A 64-bit half whose lanes are edge values of some element size. */
static uint64_t lanes(void)
{
    static const uint64_t e8[] = {0, 1, 0x7f, 0x80, 0x81, 0xfe, 0xff, 0x40};
    static const uint64_t e16[] = {0, 1, 0x7fff, 0x8000, 0xffff, 0x00ff, 0x0100, 0x7f80};
    static const uint64_t e32[] = {0, 1, 0x7fffffff, 0x80000000u, 0xffffffffu, 0xffff, 0x10000, 0x8000};
    uint64_t r = 0;
    switch (rnd() % 5) {
    case 0:
        for (int i = 0; i < 64; i += 8)
            r |= (rnd() % 3 ? e8[rnd() % 8] : rnd() & 0xff) << i;
        return r;
    case 1:
        for (int i = 0; i < 64; i += 16)
            r |= (rnd() % 3 ? e16[rnd() % 8] : rnd() & 0xffff) << i;
        return r;
    case 2:
        for (int i = 0; i < 64; i += 32)
            r |= (rnd() % 3 ? e32[rnd() % 8] : rnd() & 0xffffffffu) << i;
        return r;
    case 3: return operand();
    default: return rnd();
    }
}

static void random_vregs(void)
{
    for (int r = 0; r < 32; r++) {
        cpu->v[r][0] = lanes();
        cpu->v[r][1] = lanes();
    }
    cpu->fpsr = (uint32_t)rnd() & 0x0800009fu;
}

static bool simd_class(uint32_t h)
{
    switch (h) {
    case HELPER_simd_3same: case HELPER_simd_3diff: case HELPER_simd_2misc: case HELPER_simd_across:
    case HELPER_simd_shimm: case HELPER_simd_elem: case HELPER_simd_perm: case HELPER_simd_ext:
    case HELPER_simd_tbl: case HELPER_aese: case HELPER_aesd: case HELPER_aesmc: case HELPER_aesimc:
    case HELPER_sha256h: case HELPER_sha256h2: case HELPER_sha256su0: case HELPER_sha256su1:
    case HELPER_pmull64: case HELPER_sha1c: case HELPER_sha1p: case HELPER_sha1m: case HELPER_sha1h:
    case HELPER_sha1su0: case HELPER_sha1su1:
        return true;
    default:
        return false;
    }
}

/* Run `n` random words of the SIMD/crypto table on both tiers with the
 * host features `mask`; count the helper calls and how many are inline. */
static void run_words(unsigned mask, int n, int *calls, int *inlined)
{
    int count;
    const InsnPattern *tab = decode_table(&count);
    const InsnPattern *pick[4096];
    int np = 0;
    for (int i = 0; i < count && np < 4096; i++)
        if ((tab[i].group == G_SIMD || tab[i].group == G_CRYPTO) && tab[i].mask)
            pick[np++] = &tab[i];
    cr_assert_gt(np, 100);
    jit_simd_allow(mask);
    cpu->cpacr_el1 |= 3u << 20; /* FP/SIMD enabled */
    for (int k = 0; k < n; k++) {
        const InsnPattern *p = pick[rnd() % (unsigned)np];
        uint32_t word = ((uint32_t)rnd() & ~p->mask) | p->value;
        if (rnd() % 4 == 0)
            word = (word & ~0x3e0u) | (word & 31) << 5; /* Vn = Vd */
        if (decode_lookup(word) != p)
            continue; /* a more specific pattern took it */
        random_vregs();
        IRBlock blk;
        ir_block_init(&blk, 0x40001000);
        translate_block(cpu, &blk, 0x40001000, &word, 1);
        for (uint32_t i = 0; i < blk.nops; i++) {
            const IROp *op = &blk.ops[i];
            if (op->opc != IR_CALL || !simd_class(op->aux))
                continue;
            JitBuf probe = {0};
            *inlined += jit_simd_inline(&probe, op->aux, op->imm);
            jb_free(&probe);
            (*calls)++;
        }
        char what[64];
        snprintf(what, sizeof what, "%s %08x (features %#x)", p->name, word, mask);
        run_both(&blk, what);
        ir_block_free(&blk);
    }
    jit_simd_allow(JSF_ALL);
}

Test(jit, simd_words_against_helpers)
{
    static const unsigned masks[] = {0, JSF_SSSE3, JSF_SSSE3 | JSF_SSE41, JSF_ALL};
    for (int m = 0; m < 4; m++) {
        int calls = 0, inlined = 0;
        run_words(masks[m], m == 3 ? 8000 : 2000, &calls, &inlined);
        cr_log_info("features %#x: %d of %d helper calls inline", masks[m], inlined, calls);
        if (masks[m] == JSF_ALL)
            cr_assert_gt(inlined, calls / 2, "most SIMD words take the inline path (%d of %d)", inlined, calls);
    }
}

/* The saturating ops must set FPSR.QC exactly when a lane saturates: words
 * of the saturating classes with QC clear, operands at the limits. */
Test(jit, simd_saturation_sets_qc)
{
    /* SQADD/UQADD/SQSUB/UQSUB .16B/.8H/.4S/.2S/.2D, SQDMULH/SQRDMULH .8H,
     * SQDMULL/SQDMLAL/SQDMLSL(2) .4S/.2D, SQDMULH/SQRDMULH .4S/.2S, also by element,
     * [SU]Q[R]SHL .4S/.2S/.2D, scalar [SU]Q{ADD,SUB} B/H/S/D and SQ[R]DMULH H/S, SQXTN/UQXTN/SQXTUN, SUQADD/USQADD .16B/.4H/.8H,
     * SQABS/SQNEG vector and scalar,
     * SQ[R]SHRN/UQ[R]SHRN/SQ[R]SHRUN, SQSHL/UQSHL/SQSHLU #n (8/16/32/64-bit) */
    static const uint32_t words[] = {
        0x4e200c00, 0x6e200c00, 0x4e202c00, 0x6e202c00, 0x4e600c00, 0x6e602c00, 0x4e60b400, 0x6e60b400,
        0x4ea00c00, 0x4ee00c00, 0x6ee00c00, 0x4ee02c00, 0x6ea02c00, 0x0ea02c00,
        0x0e60d000, 0x4ea0d000, 0x0e609000, 0x4ea09000, 0x4e60b000, 0x0ea0b000,
        0x0f40b000, 0x4f80b000, 0x0f403000, 0x4f803800, 0x4f407000, 0x0f807800,
        0x4ea0b400, 0x6ea0b400, 0x0ea0b400, 0x4f80c000, 0x0f80d800,
        0x4ea04c00, 0x6ea04c00, 0x6ee04c00, 0x0ea05c00, 0x6ea05c00, 0x6ee05c00,
        0x5e200c00, 0x7e602c00, 0x5ea00c00, 0x7ee00c00, 0x5ee02c00, 0x7e202c00, 0x5e60b400, 0x7ea0b400,
        0x0e214800, 0x2e214800, 0x2e212800, 0x0e614800, 0x4e614800,
        0x4e203800, 0x6e203800, 0x0e603800, 0x6e603800,
        0x4e207800, 0x6e607800, 0x0ea07800, 0x2ea07800, 0x5e207800, 0x7e607800, 0x5ea07800,
        0x0f0c9400, 0x2f0c9400, 0x2f0c8400, 0x0f189400, 0x0f0c9c00, 0x2f0c9c00, 0x2f0c8c00, 0x0f189c00,
        0x4f0f7400, 0x6f0f7400, 0x6f0f6400, 0x4f1d7400, 0x6f137400, 0x2f3b6400, 0x4f7d7400, 0x6f417400,
        0x6f7f6400, 0x6f086400, 0x6f206400, 0x4f087400,
    };
    int qc_set = 0, runs = 0;
    for (int k = 0; k < 4000; k++) {
        unsigned w = (unsigned)(rnd() % (sizeof words / sizeof words[0]));
        uint32_t rn = (uint32_t)(rnd() % 32), rm = w >= 14 && w < 31 && rnd() % 2 ? rn : (uint32_t)(rnd() % 32);
        uint32_t word = words[w] | (w < 45 ? rm << 16 : 0) | rn << 5 | (uint32_t)(rnd() % 32);
        cr_assert_not_null(decode_lookup(word), "%08x", word);
        random_vregs();
        cpu->fpsr &= ~(1u << 27);
        cpu->cpacr_el1 |= 3u << 20;
        IRBlock blk;
        ir_block_init(&blk, 0x40001000);
        translate_block(cpu, &blk, 0x40001000, &word, 1);
        run_both(&blk, "saturation");
        qc_set += (cpu->fpsr >> 27) & 1;
        runs++;
        ir_block_free(&blk);
    }
    cr_log_info("QC set in %d of %d runs", qc_set, runs);
    cr_assert(qc_set > runs / 10 && runs - qc_set > runs / 50, "both outcomes are exercised (%d of %d)", qc_set, runs);
}

/* LD2-LD4's and ST2-ST4's element shuffles (helper_vld_deinterleave, and
 * helper_vst_interleave, whose chunk the inline code returns in RAX):
 * every structure size, element size, Q and chunk, register lists wrapping
 * past V31. */
Test(jit, simd_interleave_against_helpers)
{
    int inlined = 0;
    for (int k = 0; k < 4000; k++) {
        bool st = k & 1;
        int selem = 2 + (int)(rnd() % 3), size = (int)(rnd() % 4), q = (int)(rnd() & 1) | (size == 3);
        uint64_t imm = rnd() % 32 | (uint64_t)selem << 5 | (uint64_t)size << 8 | (uint64_t)q << 10;
        if (st)
            imm |= (rnd() % (uint64_t)(selem * (q ? 2 : 1))) << 11;
        uint32_t h = st ? HELPER_vst_interleave : HELPER_vld_deinterleave;
        random_vregs();
        JitBuf probe = {0};
        inlined += jit_simd_inline(&probe, h, imm);
        jb_free(&probe);
        IRBlock blk;
        ir_block_init(&blk, 0x40001000);
        IRTemp z = ir_const(&blk, 0);
        IRTemp r = ir_emit(&blk, IR_CALL, 8, 0, z, z, z, h, imm);
        ir_set_reg(&blk, 0, r);
        ir_exit(&blk, 0x40001004);
        run_both(&blk, st ? "interleave" : "deinterleave");
        ir_block_free(&blk);
    }
    cr_assert_eq(inlined, 4000);
}

/* SCVTF, UCVTF, FCVTZS, FCVTZU (vector, integer; 2S, 4S) inline on SSE
 * (cpu/jit_fp_x86.c) against soft-float: lanes at the edges of each
 * direction (NaNs, infinities, zeros, denormals, -0.5, +-2^31 and 2^32 and
 * their neighbours, integers whose float rounds), every FPCR mode (RMode,
 * FZ, DN) and FPSR.IXC set or clear. Ordinary operands in RN with IXC set
 * must stay on the inline path. */
static uint32_t cvt_lane(bool to_int)
{
    static const uint32_t f[] = {0x7fc00000, 0x7f800001, 0x7f800000, 0xff800000, 0, 0x80000000, 1, 0x807fffff,
                                 0xbf000000, 0x4f000000, 0x4effffff, 0xcf000000, 0xcf000001, 0x4f800000,
                                 0x4f7fffff, 0x3f800000, 0xbf800000, 0x3fc00000};
    static const uint32_t i[] = {0, 1, 0x7fffffff, 0x80000000u, 0xffffffffu, 0x01000001, 0x00ffffff,
                                 0x7fffff80, 0xfffffe80, 0x12345678};
    if (rnd() % 2)
        return to_int ? f[rnd() % (sizeof f / sizeof f[0])] : i[rnd() % (sizeof i / sizeof i[0])];
    if (to_int) /* a float of magnitude 2^-4 .. 2^35 */
        return (uint32_t)(rnd() & 1) << 31 | (uint32_t)(123 + rnd() % 40) << 23 | ((uint32_t)rnd() & 0x7fffff);
    return (uint32_t)rnd();
}

Test(jit, simd_fp_convert_against_soft_float)
{
    static const uint32_t base[] = {0x0e21d800, 0x2e21d800, 0x0ea1b800, 0x2ea1b800}; /* SCVTF UCVTF FCVTZS FCVTZU */
    int fast = 0, ordinary = 0;
    cpu->cpacr_el1 |= 3u << 20;
    for (int k = 0; k < 8000; k++) {
        int w = (int)(rnd() % 4);
        bool plain = rnd() % 2;
        uint32_t word = base[w] | (uint32_t)(rnd() & 1) << 30 | (uint32_t)(rnd() % 32) << 5 | (uint32_t)(rnd() % 32);
        cr_assert_not_null(decode_lookup(word), "%08x", word);
        random_vregs();
        int rn = (int)(word >> 5 & 31);
        for (int l = 0; l < 4; l++) {
            uint32_t v = cvt_lane(w >= 2);
            if (plain) /* ordinary: in range, no NaN, positive for FCVTZU */
                v = w >= 2 ? (uint32_t)(127 + rnd() % 20) << 23 | ((uint32_t)rnd() & 0x7fffff) : (uint32_t)rnd() >> 1;
            cpu->v[rn][l / 2] = (cpu->v[rn][l / 2] & ~(0xffffffffull << 32 * (l % 2))) | (uint64_t)v << 32 * (l % 2);
        }
        cpu->fpcr = plain ? 0 : (uint32_t)(rnd() % 8) << 22 | (uint32_t)(rnd() % 2) << 25;
        cpu->fpsr = plain ? 0x10 : (uint32_t)rnd() & 0x9f;
        IRBlock blk;
        ir_block_init(&blk, 0x40001000);
        translate_block(cpu, &blk, 0x40001000, &word, 1);
        uint64_t soft0 = cpu->stats.jit.fp_soft;
        run_both(&blk, "fp convert");
        if (plain) {
            ordinary++;
            fast += cpu->stats.jit.fp_soft == soft0;
        }
        ir_block_free(&blk);
    }
    cr_log_info("ordinary conversions: %d of %d without soft-float", fast, ordinary);
    cr_assert_eq(fast, ordinary);
}
