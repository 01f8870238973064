/* Unit test of the V registers' XMM cache (cpu/jit_xcache_x86.c): guest code
 * whose inline SIMD, vector FP and LDR Q ops chain through a few V
 * registers, so that most reads find their register in XMM8-15, mixed with
 * everything that must drop or refresh a cached copy: SIMD words that stay
 * helper calls, partial and 8-byte writes of V (INS, MOV to an element,
 * FMOV, LD1 of a lane, LD1/LD1R, scalar FP results), LDR/STR/LDP/STP Q on
 * the TLB's slow paths (misses, page crossings, aborts), MSR FPCR and FPSR,
 * vector FP ops sent to their slow path by the FPCR mode, and conditional
 * branches that leave the block. Both tiers run every block from the same
 * state (jit_harness.h: the whole CPUState and the scratch RAM must match),
 * with every stub made to clobber XMM8-15 half of the time, as a C helper
 * may, and with fewer host features some of the time. */
#include "jit_harness.h"

#include "cpu/decode.h"
#include "cpu/fp_hard.h"
#include "cpu/fpu.h"
#include "cpu/jit_fp_x86.h"
#include "cpu/jit_simd_x86.h"

static void vc_setup(void)
{
    setup();
    decode_init();
}

TestSuite(jit, .init = vc_setup, .fini = teardown);

/* A 64-bit half of a V register: two ordinary singles (exponent near 1.0),
 * an ordinary double, or edge bits. */
static uint64_t vhalf(void)
{
    switch (rnd() % 4) {
    case 0: {
        uint64_t r = 0;
        for (int i = 0; i < 2; i++)
            r |= (uint64_t)((uint32_t)(rnd() & 1) << 31 | (uint32_t)(120 + rnd() % 16) << 23 |
                            (uint32_t)(rnd() & 0x7fffff)) << (32 * i);
        return r;
    }
    case 1: return (rnd() & 1) << 63 | (1016 + rnd() % 16) << 52 | (rnd() & ((1ull << 52) - 1));
    case 2: return operand();
    default: return rnd();
    }
}

/* A random word of the Advanced SIMD / crypto table with Vd, Vn (and Vm
 * where the pattern leaves bits 20:16 free) in V0-V7, so that ops chain. */
static uint32_t simd_word(const InsnPattern *const *pick, int np)
{
    for (;;) {
        const InsnPattern *p = pick[rnd() % (unsigned)np];
        uint32_t w = ((uint32_t)rnd() & ~p->mask) | p->value;
        uint32_t regs = (uint32_t)(rnd() % 8) | (uint32_t)(rnd() % 8) << 5 | (uint32_t)(rnd() % 8) << 16;
        uint32_t free = ~p->mask & (0x3ffu | (p->mask & 0x1f0000u ? 0 : 0x1f0000u));
        w = (w & ~free) | (regs & free);
        if (decode_lookup(w) != p)
            continue;
        IRBlock one; /* no UNDEFINED word (it would end the block) */
        ir_block_init(&one, 0x40001000);
        translate_block(cpu, &one, 0x40001000, &w, 1);
        bool undef = false;
        for (uint32_t i = 0; i < one.nops; i++)
            undef |= one.ops[i].opc == IR_RAISE;
        ir_block_free(&one);
        if (!undef)
            return w;
    }
}

/* One instruction of the mix. x1, x3: mapped addresses, 16-byte aligned;
 * x2: any (page-crossing, unmapped, misaligned); x4: a value; x5: an FPCR
 * value; x6: an FPSR value. */
static uint32_t vc_word(const InsnPattern *const *pick, int np)
{
    uint32_t d = (uint32_t)(rnd() % 8), n = (uint32_t)(rnd() % 8), m = (uint32_t)(rnd() % 8);
    uint32_t x = rnd() % 3 == 0 ? 2 : rnd() & 1 ? 1 : 3;
    switch (rnd() % 25) {
    case 0: case 1: case 2: case 3: case 4: case 5: case 6: case 7:
        return simd_word(pick, np);
    case 8: case 9: /* vector FADD/FMUL/FMLA .4S/.2D (inline, slow path by the mode) */
    {
        static const uint32_t ops[] = {0x4e20d400, 0x6e20dc00, 0x4e20cc00, 0x4ea0d400};
        return ops[rnd() % 4] | (uint32_t)(rnd() & 1) << 22 | m << 16 | n << 5 | d;
    }
    case 10: return 0x4f801000 | (uint32_t)(rnd() & 1) << 11 | m << 16 | n << 5 | d; /* FMLA .4S by element */
    case 11: return 0x3dc00000 | (uint32_t)(rnd() % 4) << 10 | x << 5 | d;          /* LDR Q */
    case 12: return 0x3d800000 | (uint32_t)(rnd() % 4) << 10 | x << 5 | d;          /* STR Q */
    case 13: return 0xad400000 | (uint32_t)(rnd() % 4) << 15 | n << 10 | x << 5 | d; /* LDP Q */
    case 14: return 0xad000000 | (uint32_t)(rnd() % 4) << 15 | n << 10 | x << 5 | d; /* STP Q */
    case 15: /* an 8-byte half or an element from a GPR or another V */
        switch (rnd() % 4) {
        case 0: return 0x4e181c80 | d;                                              /* MOV Vd.D[1], X4 */
        case 1: return 0x4e081c80 | d;                                              /* MOV Vd.D[0], X4 */
        case 2: return 0x9e670080 | d;                                              /* FMOV Dd, X4 */
        default: return 0x6e0c0400 | n << 5 | d;                                    /* MOV Vd.S[1], Vn.S[0] */
        }
    case 16: /* structure loads: 8-byte accesses and SET_VREG */
        switch (rnd() % 3) {
        case 0: return 0x4c407000 | x << 5 | d;                                     /* LD1 {Vd.16B} */
        case 1: return 0x4d40c800 | x << 5 | d;                                     /* LD1R {Vd.4S} */
        default: return 0x4d408400 | x << 5 | d;                                    /* LD1 {Vd.D}[1] */
        }
    case 17: return 0x1e602800 | (uint32_t)(rnd() % 4) << 12 | m << 16 | n << 5 | d; /* FMUL/FDIV/FADD/FSUB D */
    case 18: return rnd() & 1 ? 0xd51b4405 : 0xd51b4426;                           /* MSR FPCR, X5 / FPSR, X6 */
    case 19: /* B.cond .+8 (ends the block: the translator emits BRCOND and GOTO) */
        return rnd() % 8 ? 0x91004021 : 0x54000040 | (uint32_t)(rnd() % 16);
    case 20: return 0x4e183c07 | n << 5;                                            /* UMOV X7, Vn.D[1] */
    case 21: return 0x91004021;                                                     /* ADD X1, X1, #16 */
    case 22: return 0x6e201c00 | m << 16 | n << 5 | d;                              /* EOR .16B */
    case 23: { /* MUL, MLA, MLS by element, .4S/.2S/.8H/.4H: an accumulator the cache may hold */
        static const uint32_t ops[] = {0x0f808000, 0x2f800000, 0x2f804000, 0x0f408000, 0x2f400000, 0x2f404000};
        return ops[rnd() % 6] | (uint32_t)(rnd() % 4 ? 1 : 0) << 30 | (uint32_t)(rnd() & 1) << 11 |
               (uint32_t)(rnd() & 1) << 21 | m << 16 | n << 5 | d;
    }
    default: return 0x4e208400 | m << 16 | n << 5 | d;                              /* ADD .16B */
    }
}

/* Random blocks of vc_word on both tiers (the IR optimiser on, as the
 * guest's blocks are): the whole state must match. */
Test(jit, simd_chains_through_v_cache)
{
    int count;
    const InsnPattern *tab = decode_table(&count);
    static const InsnPattern *pick[4096];
    int np = 0;
    for (int i = 0; i < count && np < 4096; i++)
        if ((tab[i].group == G_SIMD || tab[i].group == G_CRYPTO) && tab[i].mask)
            pick[np++] = &tab[i];
    cr_assert_gt(np, 100);
    cpu->cpacr_el1 |= 3u << 20; /* FP/SIMD enabled */
    long words_asked = 0, words_taken = 0;
    for (int iter = 0; iter < 6000; iter++) {
        jit_fp_scramble_xmm(iter % 2 == 0);
        /* other emitter paths (and more helper calls) on hosts with less */
        static const unsigned masks[] = {JSF_ALL, JSF_ALL, JSF_SSSE3, JSF_SSSE3 | JSF_SSE41};
        jit_simd_allow(masks[iter % 4]);
        fp_hard_allow_fma(iter % 3 != 0);
        random_regime();
        for (int r = 0; r < 32; r++)
            cpu->v[r][0] = vhalf(), cpu->v[r][1] = vhalf();
        cpu->x[1] = SCR_PA + ((rnd() % (SCR_LEN - 128)) & ~15ull);
        cpu->x[3] = SCR_PA + 0x1000 - 64 + 16 * (rnd() % 4); /* its pair may cross a page */
        switch (rnd() % 4) {
        case 0: cpu->x[2] = SCR_PA + 0x1000 - 1 - rnd() % 15; break; /* crossing a page */
        case 1: cpu->x[2] = rnd() % 4 ? SCR_PA + rnd() % (SCR_LEN - 128) : 0x1000 + (rnd() & 0xff0); break;
        default: cpu->x[2] = SCR_PA + ((rnd() % (SCR_LEN - 128)) & ~15ull); break;
        }
        cpu->x[4] = vhalf();
        cpu->x[5] = rnd() % 3 ? 0 : (uint32_t)rnd() & 0x07c00000u;
        cpu->x[6] = (rnd() % 4 ? FPEXC_IXC : 0) | ((uint32_t)rnd() & 0x0800009fu);
        cpu->fpcr = rnd() % 4 ? 0 : (uint32_t)rnd() & 0x07c00000u;
        cpu->fpsr = (rnd() % 6 ? FPEXC_IXC : 0) | ((uint32_t)rnd() & 0x0800009fu);
        cpu->nzcv = (uint32_t)rnd() & 0xf0000000u;
        uint32_t words[32];
        int n = 4 + (int)(rnd() % 28);
        for (int i = 0; i < n; i++)
            words[i] = vc_word(pick, np);
        IRBlock blk;
        ir_block_init(&blk, 0x40001000);
        translate_block(cpu, &blk, 0x40001000, words, (uint32_t)n);
        ir_optimize(&blk);
        char what[64];
        snprintf(what, sizeof what, "block %d (%d words from %08x)", iter, n, words[0]);
        run_both(&blk, what);
        words_asked += n;
        words_taken += blk.ninsns;
        ir_block_free(&blk);
    }
    jit_fp_scramble_xmm(false);
    jit_simd_allow(JSF_ALL);
    fp_hard_allow_fma(true);
    /* The blocks are long (no UNDEFINED word, few branches), so chains form. */
    cr_assert_gt(words_taken, words_asked * 9 / 10, "%ld of %ld words in blocks", words_taken, words_asked);
}

/* ---- self-loops: V registers carried around the back edge ---- */


/* Loops of vc_word (no branch) ending in SUB X30, X30, #1; CBNZ X30 to the
 * start, chained to themselves: the loop stub carries the destinations of
 * the SIMD ops in XMM8-15 into the next iteration (jit_loop_head_v), whose
 * reads take them from there. Against the interpreter running the IR as
 * built, iteration by iteration. */
Test(jit, simd_loops_through_v_cache)
{
    int count;
    const InsnPattern *tab = decode_table(&count);
    static const InsnPattern *pick[4096];
    int np = 0, looped = 0;
    for (int i = 0; i < count && np < 4096; i++)
        if ((tab[i].group == G_SIMD || tab[i].group == G_CRYPTO) && tab[i].mask)
            pick[np++] = &tab[i];
    cpu->cpacr_el1 |= 3u << 20;
    for (int iter = 0; iter < 1500; iter++) {
        jit_fp_scramble_xmm(iter % 2 == 0);
        random_regime();
        for (int r = 0; r < 32; r++)
            cpu->v[r][0] = vhalf(), cpu->v[r][1] = vhalf();
        cpu->x[1] = SCR_PA + ((rnd() % (SCR_LEN - 1024)) & ~15ull);
        cpu->x[2] = rnd() % 8 ? SCR_PA + rnd() % (SCR_LEN - 1024) : SCR_PA + 0x1000 - 1 - rnd() % 15;
        cpu->x[3] = SCR_PA + 0x1000 - 64 + 16 * (rnd() % 4);
        cpu->x[4] = vhalf();
        cpu->x[5] = rnd() % 3 ? 0 : (uint32_t)rnd() & 0x07c00000u;
        cpu->x[6] = (rnd() % 4 ? FPEXC_IXC : 0) | ((uint32_t)rnd() & 0x0800009fu);
        cpu->x[30] = 1 + rnd() % 8;
        cpu->fpcr = rnd() % 4 ? 0 : (uint32_t)rnd() & 0x07c00000u;
        cpu->fpsr = (rnd() % 6 ? FPEXC_IXC : 0) | ((uint32_t)rnd() & 0x0800009fu);
        cpu->chain_budget = (int32_t)(rnd() % 4 ? 100000 : rnd() % 80);
        atomic_store(&cpu->request, 0);
        uint32_t words[24];
        int n = 2 + (int)(rnd() % 18);
        for (int i = 0; i < n; i++) {
            do
                words[i] = vc_word(pick, np);
            while ((words[i] & 0xff000010) == 0x54000000); /* no B.cond */
        }
        words[n] = 0xd10007de;                                              /* SUB X30, X30, #1 */
        words[n + 1] = 0xb500001e | (uint32_t)(-(n + 1) & 0x7ffff) << 5;   /* CBNZ X30, start */
        IRBlock blk, orig;
        ir_block_init(&blk, LOOP_PC);
        translate_block(cpu, &blk, LOOP_PC, words, (uint32_t)n + 2);
        copy_block(&orig, &blk);
        ir_optimize(&blk);
        cpu->exc_pending = false;
        cr_assert(jit_compile(cpu, &blk, cpu_tb_flags(cpu)));
        looped += blk.chain_loop[0] != 0;
        cr_assert(jit_chain_patch(&blk, 0, &blk));
        char what[32];
        snprintf(what, sizeof(what), "loop %d", iter);
        run_loop_both(&orig, &blk, 0, what);
        cr_assert(jit_chain_patch(&blk, 0, NULL));
        ir_block_free(&blk);
        ir_block_free(&orig);
    }
    jit_fp_scramble_xmm(false);
    /* Most loops get the loop stub (a helper that may write X keeps a block off it). */
    cr_assert_gt(looped, 1500 / 2, "%d of 1500 loops chained through the loop stub", looped);
}
