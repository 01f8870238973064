/* Unit tests for the tier-1 x86-64 backend (cpu/jit_x86.c): every IR op,
 * alone and in random blocks, with many random operands, is run on the
 * interpreter (the reference) and on the JIT from the same initial state;
 * the whole CPUState, the guest scratch RAM and the block exit must be
 * identical. Memory ops run with a cold and a warm TLB, at EL0, EL1 and
 * EL1 with PAN, on RAM, across pages, unaligned and on unmapped addresses,
 * with the exclusive monitor present (armed granules take the locked path).
 * The atomics and the access runs are in test_jit_mem.c, NZCV in test_jit_flags.c,
 * the register allocator in test_jit_regalloc.c. */
#include "jit_harness.h"

TestSuite(jit, .init = setup, .fini = teardown);

/* One op with random inputs (or `in`, if not NULL), its result in X0, then EXIT. */
static void op_block(int opc, int size, const uint64_t *in_vals)
{
    IRBlock blk;
    ir_block_init(&blk, 0x40001000);
    ir_emit(&blk, IR_INSN_START, 8, 0, IR_NO_TEMP, IR_NO_TEMP, IR_NO_TEMP, 0, 0x40001000);
    IRTemp nz = ir_const(&blk, rnd() & 0xf0000000u);
    ir_emit(&blk, IR_SET_NZCV, 8, 0, nz, IR_NO_TEMP, IR_NO_TEMP, 0, 0);
    uint64_t v[3] = {operand(), operand(), operand()};
    if (in_vals)
        memcpy(v, in_vals, sizeof(v));
    uint16_t flags = 0;
    uint32_t aux = 0;
    uint64_t imm = rnd();
    const IROpInfo *inf = &ir_op_info[opc];
    switch (opc) {
    case IR_GET_REG: case IR_SET_REG: imm %= 32; break;
    case IR_GET_VREG: case IR_SET_VREG: imm %= 64; break;
    case IR_GET_FIELD: { /* the stored registers MRS reads this way, and X registers */
        static const uint64_t f[] = {offsetof(CPUState, tpidr_el1), offsetof(CPUState, tpidr_el0),
                                     offsetof(CPUState, sp_el[0]), offsetof(CPUState, ttbr0_el1)};
        /* (not pc: generated code stores it lazily, and MRS never reads it so) */
        imm = rnd() & 1 ? f[rnd() % 4] : offsetof(CPUState, x) + 8 * (imm % 31);
        break;
    }
    case IR_SEXT: case IR_ZEXT: {
        static const uint64_t w[] = {1, 7, 8, 15, 16, 31, 32, 33, 48, 63, 64};
        imm = w[rnd() % 11];
        break;
    }
    case IR_COND: imm %= 16; break;
    case IR_CHECK_ALIGN:
        imm = (rnd() & 1) ? 15 : (1ull << (rnd() % 64)) - 1;
        aux = EXC_SP_ALIGN;
        break;
    case IR_FENCE: imm %= 2; break;
    case IR_CALL:
        aux = HELPER_crc32;
        imm = (1u << (rnd() % 4)) | (rnd() & 1) << 8;
        break;
    case IR_LOAD:
        v[0] = scratch_addr();
        if (rnd() & 1) {
            flags |= IRF_SIGNED;
            aux = (rnd() & 1) ? 4 : 8;
        }
        if (rnd() % 4 == 0)
            flags |= IRF_ACQ;
        if (rnd() % 4 == 0)
            flags |= IRF_ALIGN; /* SCTLR_EL1.A */
        break;
    case IR_STORE:
        v[0] = scratch_addr();
        if (rnd() % 4 == 0)
            flags |= IRF_REL;
        if (rnd() % 4 == 0)
            flags |= IRF_ALIGN;
        break;
    case IR_LOAD_V: case IR_STORE_V: case IR_LOAD_V2: /* more in test_jit_mem.c */
        v[0] = scratch_addr();
        imm %= opc == IR_LOAD_V2 ? 1024 : 32;
        if (rnd() % 4 == 0)
            flags |= IRF_ALIGN;
        break;
    case IR_LOAD_EXCL: case IR_STORE_EXCL: case IR_ATOMIC_RMW: case IR_CAS:
        v[0] = scratch_addr();
        aux = opc == IR_ATOMIC_RMW ? (uint32_t)(rnd() % 9) : 0;
        if (opc == IR_CAS && (rnd() & 1) && v[0] >= SCR_PA && v[0] + 8 <= SCR_PA + SCR_LEN)
            memcpy(&v[1], test_ram(tm, v[0], 8), 8); /* expected value matches */
        if (opc == IR_ATOMIC_RMW || opc == IR_CAS) {
            flags |= (rnd() & 1 ? IRF_ACQ : 0) | (rnd() & 1 ? IRF_REL : 0);
            /* An armed granule: both tiers must take the slot lock. */
            if (rnd() % 4 == 0 && v[0] >= SCR_PA && v[0] < SCR_PA + SCR_LEN)
                monitor_reserve(tm->m.monitor, test_ram(tm, v[0], 1));
        }
        break;
    default: break;
    }
    if (inf->kind == IRK_MEM) {
        static const int sizes[] = {1, 2, 4, 8};
        size = opc == IR_LOAD_V || opc == IR_STORE_V ? 16 : opc == IR_LOAD_V2 ? 32 : sizes[rnd() % 4];
        if (opc == IR_LOAD && (flags & IRF_SIGNED) && size == 8)
            flags &= (uint16_t)~IRF_SIGNED;
        random_regime();
    }
    IRTemp in[3] = {IR_NO_TEMP, IR_NO_TEMP, IR_NO_TEMP};
    /* Inputs as constants (the backend folds some) or from registers. */
    for (int i = 0; i < inf->nin; i++) {
        if (rnd() & 1) {
            in[i] = ir_const(&blk, v[i]);
        } else {
            cpu->x[10 + i] = v[i];
            in[i] = ir_emit(&blk, IR_GET_REG, 8, 0, IR_NO_TEMP, IR_NO_TEMP, IR_NO_TEMP, 0, (uint64_t)(10 + i));
        }
    }
    IRTemp r = ir_emit(&blk, opc, size, flags, in[0], in[1], in[2], aux, imm);
    if (inf->has_dst)
        ir_set_reg(&blk, 0, r);
    ir_exit(&blk, 0x40002000);
    char what[64];
    snprintf(what, sizeof(what), "%s size %d", inf->name, size);
    run_both(&blk, what);
    ir_block_free(&blk);
}

static void one_op(int opc, int size) { op_block(opc, size, NULL); }

Test(jit, every_op_random_operands)
{
    for (int opc = 0; opc < IR_NUM_OPS; opc++) {
        const IROpInfo *inf = &ir_op_info[opc];
        if (inf->kind == IRK_TERM || inf->kind == IRK_EXIT)
            continue;
        int n = inf->kind == IRK_MEM ? 3000 : 600;
        for (int i = 0; i < n; i++) {
            one_op(opc, (rnd() & 1) ? 8 : 4);
        }
    }
}

/* op(a, b) on both tiers; the JIT must have run it inline (no fallback). */
static void inline_op(int opc, int size, uint64_t a, uint64_t b)
{
    uint64_t v[3] = {a, b, 0};
    op_block(opc, size, v);
    for (int k = 0; k < IR_NUM_OPS; k++)
        cr_assert_eq(ran_fallback[k], 0, "%s size %d (%#" PRIx64 ", %#" PRIx64 "): %s ran as a fallback",
                     ir_op_info[opc].name, size, a, b, ir_op_info[k].name);
}

/* Division and the bit ops the JIT generates inline, at the edges where x86
 * differs from Arm or the widths matter: x/0, MIN/-1, all-zero and all-ones,
 * every single bit and bit run, 32-bit operands with garbage above them;
 * CLZ/CLS with LZCNT (if the host has it) and with BSR; register-count
 * shifts with SHLX/SHRX/SARX (BMI2, if the host has it) and with CL; BIC
 * with ANDN (BMI1) and without. */
Test(jit, inline_div_and_bit_ops)
{
    static const uint64_t edge[] = {
        0, 1, 2, 3, 7, ~0ull, ~0ull - 1, 0x7fffffff, 0x80000000u, 0x80000001u, 0xffffffffu, 0xfffffffeu,
        0xffffffff80000000ull, 0x100000000ull, 0x7fffffffffffffffull, 0x8000000000000000ull,
        0x8000000000000001ull, 0xdeadbeef00000000ull, 0x12345678ffffffffull, 0x0123456789abcdefull,
    };
    static const int ops[] = {IR_UDIV, IR_SDIV, IR_CLZ, IR_CLS, IR_RBIT, IR_REV16, IR_REV32,
                              IR_SHL, IR_SHR, IR_SAR, IR_ROR, IR_ANDN, IR_ORN, IR_XORN};
    const size_t nedge = sizeof(edge) / sizeof(edge[0]);
    for (int lz = 1; lz >= 0; lz--) {
        jit_allow_lzcnt(lz);
        jit_allow_bmi(lz);
        for (size_t o = 0; o < sizeof(ops) / sizeof(ops[0]); o++) {
            int opc = ops[o];
            for (int size = 4; size <= 8; size += 4) {
                if (opc == IR_REV32 && size == 4)
                    continue; /* never translated: a fallback (counted in fallback_counts) */
                if (ir_op_info[opc].nin == 2) {
                    for (size_t i = 0; i < nedge; i++)
                        for (size_t k = 0; k < nedge; k++)
                            inline_op(opc, size, edge[i], edge[k]);
                    for (int i = 0; i < 64; i++) {
                        uint64_t bit = 1ull << i;
                        inline_op(opc, size, ~0ull << i, bit);
                        inline_op(opc, size, bit, ~0ull << i);
                    }
                    /* The shifts have few cases past the edges: x86 masks the count as Arm does. */
                    const bool shift = opc == IR_SHL || opc == IR_SHR || opc == IR_SAR || opc == IR_ROR ||
                                       opc == IR_ANDN || opc == IR_ORN || opc == IR_XORN; /* and these: few edges */
                    for (int i = 0; i < (shift ? 200 : 2000); i++)
                        inline_op(opc, size, operand(), operand());
                    for (int i = 0; i < (shift ? 100 : 500); i++)
                        inline_op(opc, size, rnd(), rnd() % 17 - 8);
                } else {
                    for (size_t i = 0; i < nedge; i++)
                        inline_op(opc, size, edge[i], 0);
                    for (int i = 0; i < 64; i++) {
                        uint64_t bit = 1ull << i;
                        uint64_t run[] = {bit, ~bit, bit - 1, ~(bit - 1), ~0ull << i, (~0ull << i) >> 1};
                        for (size_t k = 0; k < sizeof(run) / sizeof(run[0]); k++)
                            inline_op(opc, size, run[k], 0);
                    }
                    for (int i = 0; i < 2000; i++)
                        inline_op(opc, size, operand(), 0);
                }
            }
        }
    }
    jit_allow_lzcnt(true);
    jit_allow_bmi(true);
}

/* Fallbacks are counted per opcode when compiled (jit_get_stats) and each
 * time they run (stats.jit.fallback); inline TLB misses in stats.jit.mem_slow. */
Test(jit, fallback_counts)
{
    static JitStats before, after;
    for (int run = 0; run < 2; run++) {
        IRBlock blk;
        ir_block_init(&blk, 0x40001000);
        ir_emit(&blk, IR_INSN_START, 8, 0, IR_NO_TEMP, IR_NO_TEMP, IR_NO_TEMP, 0, 0x40001000);
        IRTemp x = ir_const(&blk, 0x0123456789abcdefull);
        IRTemp r1 = ir_emit(&blk, IR_REV32, 4, 0, x, IR_NO_TEMP, IR_NO_TEMP, 0, 0); /* not translated: falls back */
        IRTemp r2 = ir_emit(&blk, IR_REV32, 4, 0, r1, IR_NO_TEMP, IR_NO_TEMP, 0, 0);
        ir_set_reg(&blk, 1, r2);
        IRTemp d = ir_emit(&blk, IR_LOAD, 8, 0, ir_const(&blk, SCR_PA), IR_NO_TEMP, IR_NO_TEMP, 0, 0);
        ir_set_reg(&blk, 2, d);
        ir_exit(&blk, 0x40002000);
        if (run == 0)
            tlb_flush(cpu);
        jit_get_stats(cpu->jit_code, &before);
        run_both(&blk, "fallback counts");
        jit_get_stats(cpu->jit_code, &after);
        cr_assert_eq(after.ops_called_by_opc[IR_REV32] - before.ops_called_by_opc[IR_REV32], 2);
        cr_assert_eq(after.ops_called_by_opc[IR_LOAD], before.ops_called_by_opc[IR_LOAD]);
        cr_assert_eq(ran_fallback[IR_REV32], 2);
        cr_assert_eq(ran_fallback[IR_LOAD], 0);
        /* Cold TLB: the load's inline path misses once; then it hits. */
        cr_assert_eq(ran_mem_slow, run == 0 ? 1 : 0, "run %d: %" PRIu64 " slow paths", run, ran_mem_slow);
        ir_block_free(&blk);
    }
}

/* An inline LOAD/STORE that misses L1 calls tlb_refill: on RAM the access
 * resumes inline (stats.jit.mem_refill), after a walk or from L2; MMIO,
 * page-crossing, an armed granule and a fault go on to interp_exec_op or
 * the exception exit. Values in every temp register (RBP/R12-R15, and R9/R10,
 * which the stubs' shared tails park around their C calls) live across the
 * access. */
#define NLIVE 8
/* A block at 0x40001000 that makes live[] from X0-X7 (random values)
 * first: temps that must survive the slow paths' C calls. Each is X[r] + 1,
 * not the register itself, which the backend would rather read again from
 * the CPUState than keep: so all seven temp registers hold one (and a slot the eighth). */
static void start_with_live_regs(IRBlock *blk, IRTemp live[NLIVE])
{
    ir_block_init(blk, 0x40001000);
    ir_emit(blk, IR_INSN_START, 8, 0, IR_NO_TEMP, IR_NO_TEMP, IR_NO_TEMP, 0, 0x40001000);
    for (int r = 0; r < NLIVE; r++) {
        cpu->x[r] = operand();
        IRTemp g = ir_emit(blk, IR_GET_REG, 8, 0, IR_NO_TEMP, IR_NO_TEMP, IR_NO_TEMP, 0, (uint64_t)r);
        live[r] = ir_emit(blk, IR_ADD, 8, 0, g, ir_const(blk, 1), IR_NO_TEMP, 0, 0);
    }
}

/* The device callbacks trash every caller-saved register generated code
 * keeps something in (R9/R10 temps, R11 the budget), as any C callee may:
 * the stubs and their shared tails must park and restore them. */
static void clobber_caller_saved(void)
{
#if defined(__x86_64__)
    __asm__ volatile("mov $-1, %%r9\n\tmov $-1, %%r10\n\tmov $-1, %%r11" ::: "r9", "r10", "r11");
#endif
}
static uint64_t jmmio_rd(void *opaque, uint64_t off, int size)
{
    (void)opaque, (void)size;
    clobber_caller_saved();
    return off ^ 0x5a5a;
}
static void jmmio_wr(void *opaque, uint64_t off, uint64_t v, int size)
{
    (void)opaque, (void)off, (void)v, (void)size;
    clobber_caller_saved();
}
static const MMIOOps jmmio_ops = {.read = jmmio_rd, .write = jmmio_wr};

Test(jit, tlb_refill_resumes_inline)
{
    physmap_add_mmio(&tm->m.pm, "test", 0x09000000, 0x1000, &jmmio_ops, NULL, NULL);
    cpu->tcr_el1 |= 1ull << 37; /* TBI0: a tagged VA has its own L1 entry, in the same slot */
    tlb_flush(cpu);
    const uint64_t va = SCR_PA + 0x100, tagged = va | 0x5aull << 56;
    static const struct {
        uint64_t addr;
        bool store, excl; /* excl: LDXR of va first (arms its page) */
        uint64_t slow, refill;
    } acc[] = {
        {va, false, false, 1, 1},          /* cold: walked */
        {tagged, true, false, 1, 1},       /* same slot, other tag: walked, replaces va in L1 */
        {va, false, false, 1, 1},          /* from L2 */
        {va + 8, true, false, 0, 0},       /* hit */
        {0x09000010, false, false, 1, 0},  /* MMIO */
        {0x09000018, true, false, 1, 0},   /* MMIO, in L1 now */
        {0x09000020, false, false, 1, 1},  /* MMIO load, in L1: read by tlb_refill, resumes inline */
        {tagged, true, true, 1, 0},        /* the armed page: its write tag has TLB_TAG_ARMED, the C path locks */
        {SCR_PA + 0xffc, false, false, 1, 0}, /* page-crossing */
        {0x1000, false, false, 1, 0},      /* nothing there: external abort */
    };
    for (size_t k = 0; k < sizeof(acc) / sizeof(acc[0]); k++) {
        IRBlock blk;
        IRTemp live[NLIVE];
        start_with_live_regs(&blk, live);
        if (acc[k].excl)
            ir_set_reg(&blk, 9, ir_emit(&blk, IR_LOAD_EXCL, 8, 0, ir_const(&blk, va), IR_NO_TEMP, IR_NO_TEMP, 0, 0));
        ir_emit(&blk, IR_INSN_START, 8, 0, IR_NO_TEMP, IR_NO_TEMP, IR_NO_TEMP, 0, 0x40001004);
        IRTemp a = ir_const(&blk, acc[k].addr), v = live[1];
        if (acc[k].store)
            ir_emit(&blk, IR_STORE, 8, 0, a, live[0], IR_NO_TEMP, 0, 0);
        else
            v = ir_emit(&blk, IR_LOAD, 8, 0, a, IR_NO_TEMP, IR_NO_TEMP, 0, 0);
        for (int r = 0; r < NLIVE; r++) {
            v = ir_emit(&blk, IR_ADD, 8, 0, v, live[r], IR_NO_TEMP, 0, 0);
            ir_set_reg(&blk, 10 + r, v);
        }
        ir_exit(&blk, 0x40002000);
        run_both(&blk, "tlb refill");
        cr_assert_eq(ran_mem_slow, acc[k].slow, "access %zu: %" PRIu64 " slow paths", k, ran_mem_slow);
        cr_assert_eq(ran_mem_refill, acc[k].refill, "access %zu: %" PRIu64 " refills", k, ran_mem_refill);
        cr_assert_eq(ran_fallback[IR_LOAD] + ran_fallback[IR_STORE], 0);
        ir_block_free(&blk);
    }
    cr_assert(cpu->exc_pending);
}

/* An MMIO load whose page is in L1 is read by tlb_refill and finished by
 * the inline load (from cpu->mmio_val): every size, signed or not, the
 * value in the op's own width, live temps kept; what it leaves to the
 * interpreter's path (unaligned, acquire) still goes there, with the same
 * result. */
static uint64_t jmmio_rd8(void *opaque, uint64_t off, int size)
{
    (void)opaque;
    clobber_caller_saved();
    uint64_t v = 0x8091a2b3c4d5e6f7ull ^ off * 0x0101010101010101ull;
    return size == 8 ? v : v & ((1ull << 8 * size) - 1);
}
static const MMIOOps jmmio8_ops = {.read = jmmio_rd8, .write = jmmio_wr};

Test(jit, mmio_loads_in_tlb_refill)
{
    physmap_add_mmio(&tm->m.pm, "test", 0x09000000, 0x1000, &jmmio8_ops, NULL, NULL);
    tlb_flush(cpu);
    static const struct {
        uint64_t addr;
        int size;
        uint16_t flags;
        uint64_t refill; /* tlb_refill did it */
    } acc[] = {
        {0x09000040, 8, 0, 0},           /* cold: walked, interp_exec_op */
        {0x09000040, 8, 0, 1},
        {0x09000041, 1, 0, 1},
        {0x09000042, 2, 0, 1},
        {0x09000044, 4, 0, 1},
        {0x09000081, 1, IRF_SIGNED, 1},  /* sign-extended by the inline load */
        {0x09000082, 2, IRF_SIGNED, 1},
        {0x09000084, 4, IRF_SIGNED, 1},
        {0x09000043, 4, 0, 0},           /* unaligned: mem_load's path (MMU off: no Device fault) */
        {0x09000048, 8, IRF_ACQ, 0},     /* acquire: atomic_load_acquire's path */
    };
    for (size_t k = 0; k < sizeof(acc) / sizeof(acc[0]); k++) {
        IRBlock blk;
        IRTemp live[NLIVE];
        start_with_live_regs(&blk, live);
        ir_emit(&blk, IR_INSN_START, 8, 0, IR_NO_TEMP, IR_NO_TEMP, IR_NO_TEMP, 0, 0x40001004);
        IRTemp v = ir_emit(&blk, IR_LOAD, acc[k].size, acc[k].flags, ir_const(&blk, acc[k].addr), IR_NO_TEMP,
                           IR_NO_TEMP, 8, 0);
        ir_set_reg(&blk, 9, v);
        for (int r = 0; r < NLIVE; r++)
            ir_set_reg(&blk, 10 + r, ir_emit(&blk, IR_ADD, 8, 0, v, live[r], IR_NO_TEMP, 0, 0));
        ir_exit(&blk, 0x40002000);
        run_both(&blk, "mmio load");
        cr_assert_not(cpu->exc_pending, "access %zu faulted", k);
        cr_assert_eq(ran_mem_refill, acc[k].refill, "access %zu: %" PRIu64 " refills", k, ran_mem_refill);
        uint64_t want = jmmio_rd8(NULL, acc[k].addr - 0x09000000, acc[k].size);
        if (acc[k].flags & IRF_SIGNED)
            want = (uint64_t)((int64_t)(want << (64 - 8 * acc[k].size)) >> (64 - 8 * acc[k].size));
        cr_assert_eq(cpu->x[9], want, "access %zu: x9 %#" PRIx64 " want %#" PRIx64, k, cpu->x[9], want);
        ir_block_free(&blk);
    }
}

/* CBZ/CBNZ/TBZ/TBNZ: a CMP_EQ/NE read only by the BRCOND right after it
 * branches on EFLAGS (no setcc); one also read later keeps its value. Both
 * sizes, against zero and against another register, with the operand in a
 * host register or in its slot (many live temps), taken or not. */
Test(jit, compare_and_branch_fused)
{
    for (int i = 0; i < 400; i++) {
        IRBlock blk;
        ir_block_init(&blk, 0x40001000);
        ir_emit(&blk, IR_INSN_START, 8, 0, IR_NO_TEMP, IR_NO_TEMP, IR_NO_TEMP, 0, 0x40001000);
        IRTemp live[12];
        const int nlive = rnd() & 1 ? 12 : 2;
        for (int r = 0; r < nlive; r++) {
            cpu->x[r] = rnd() & 1 ? operand() : (rnd() & 1 ? 0 : 1ull << (rnd() % 64));
            live[r] = ir_emit(&blk, IR_GET_REG, 8, 0, IR_NO_TEMP, IR_NO_TEMP, IR_NO_TEMP, 0, (uint64_t)r);
        }
        IRTemp a = live[rnd() % 2];
        if (rnd() & 1) /* TBZ's shape */
            a = ir_emit(&blk, IR_AND, 8, 0, a, ir_const(&blk, 1ull << (rnd() % 64)), IR_NO_TEMP, 0, 0);
        IRTemp b = rnd() & 1 ? ir_const(&blk, 0) : live[1];
        const int size = rnd() & 1 ? 8 : 4;
        IRTemp cmp = ir_emit(&blk, rnd() & 1 ? IR_CMP_EQ : IR_CMP_NE, size, 0, a, b, IR_NO_TEMP, 0, 0);
        ir_emit(&blk, IR_BRCOND, 8, 0, cmp, IR_NO_TEMP, IR_NO_TEMP, 0, 0x40003000);
        if (rnd() & 1) /* read again after the branch: not fused */
            ir_set_reg(&blk, 20, cmp);
        for (int r = 0; r < nlive; r++) /* keep them live across the branch */
            ir_set_reg(&blk, 21 + (r % 8), live[r]);
        ir_exit(&blk, 0x40002000);
        run_both(&blk, "compare and branch");
        ir_block_free(&blk);
    }
}

/* Terminals and the conditional exit: pc and exit value. */
Test(jit, terminals)
{
    for (int i = 0; i < 200; i++) {
        IRBlock blk;
        ir_block_init(&blk, 0x40001000);
        ir_emit(&blk, IR_INSN_START, 8, 0, IR_NO_TEMP, IR_NO_TEMP, IR_NO_TEMP, 0, 0x40001000 + 4 * (rnd() % 64));
        IRTemp c = ir_const(&blk, rnd() & 1 ? 0 : operand());
        ir_emit(&blk, IR_BRCOND, 8, 0, c, IR_NO_TEMP, IR_NO_TEMP, 0, rnd());
        switch (rnd() % 4) {
        case 0: ir_emit(&blk, IR_GOTO, 8, 0, IR_NO_TEMP, IR_NO_TEMP, IR_NO_TEMP, (uint32_t)(rnd() & 1), rnd()); break;
        case 1: ir_emit(&blk, IR_JUMP, 8, 0, ir_const(&blk, rnd()), IR_NO_TEMP, IR_NO_TEMP, 0, 0); break;
        case 2: ir_exit(&blk, rnd()); break;
        default:
            ir_emit(&blk, IR_RAISE, 8, 0, IR_NO_TEMP, IR_NO_TEMP, IR_NO_TEMP, (uint32_t)(rnd() % EXC_ILLEGAL_STATE),
                    rnd() & 0xffff);
            break;
        }
        run_both(&blk, "terminal");
        ir_block_free(&blk);
        cpu_reset(cpu, RAM_BASE);
    }
}

/* Random straight-line blocks: values flow through many temps, guest
 * registers, flags and memory, so stale or clobbered host registers show. */
Test(jit, random_blocks)
{
    static const int alu[] = {IR_ADD, IR_SUB, IR_AND, IR_OR, IR_XOR, IR_ANDN, IR_ORN, IR_XORN, IR_SHL, IR_SHR,
                              IR_SAR, IR_ROR, IR_MUL, IR_UMULH, IR_SMULH, IR_UDIV, IR_SDIV, IR_ADD_FLAGS,
                              IR_SUB_FLAGS, IR_ADC, IR_ADC_FLAGS, IR_SBC, IR_SBC_FLAGS, IR_CMP_EQ, IR_CMP_NE};
    static const int un[] = {IR_MOV, IR_NOT, IR_NEG, IR_CLZ, IR_CLS, IR_RBIT, IR_REV, IR_REV16, IR_REV32};
    for (int iter = 0; iter < 400; iter++) {
        IRBlock blk;
        ir_block_init(&blk, 0x40001000);
        IRTemp pool[64];
        int np = 0;
        for (int r = 0; r < 31; r++)
            cpu->x[r] = operand();
        random_regime();
        int n = 10 + (int)(rnd() % 60);
        for (int i = 0; i < n; i++) {
            if (rnd() % 4 == 0)
                ir_emit(&blk, IR_INSN_START, 8, 0, IR_NO_TEMP, IR_NO_TEMP, IR_NO_TEMP, 0, 0x40001000 + 4 * (uint64_t)i);
            IRTemp a = np ? pool[rnd() % np] : IR_NO_TEMP, b = np ? pool[rnd() % np] : IR_NO_TEMP;
            IRTemp c = np ? pool[rnd() % np] : IR_NO_TEMP;
            int size = (rnd() & 1) ? 8 : 4;
            IRTemp d = IR_NO_TEMP;
            switch (np < 3 ? 0 : rnd() % 12) {
            case 0: d = ir_const(&blk, operand()); break;
            case 1: d = ir_emit(&blk, IR_GET_REG, 8, 0, IR_NO_TEMP, IR_NO_TEMP, IR_NO_TEMP, 0, rnd() % 32); break;
            case 2: ir_emit(&blk, IR_SET_REG, 8, 0, a, IR_NO_TEMP, IR_NO_TEMP, 0, rnd() % 32); break;
            case 3: case 4: case 5:
                d = ir_emit(&blk, alu[rnd() % (sizeof(alu) / sizeof(alu[0]))], size, 0, a, b, IR_NO_TEMP, 0, 0);
                break;
            case 6: d = ir_emit(&blk, un[rnd() % (sizeof(un) / sizeof(un[0]))], size, 0, a, IR_NO_TEMP, IR_NO_TEMP, 0, 0); break;
            case 7: d = ir_emit(&blk, IR_COND, 8, 0, IR_NO_TEMP, IR_NO_TEMP, IR_NO_TEMP, 0, rnd() % 16); break;
            case 8: d = ir_emit(&blk, IR_SELECT, 8, 0, a, b, c, 0, 0); break;
            case 9: {
                /* memory at a fresh scratch address (sometimes unmapped) */
                IRTemp addr = ir_const(&blk, scratch_addr());
                static const int sizes[] = {1, 2, 4, 8};
                int ms = sizes[rnd() % 4];
                switch (rnd() % 8) {
                case 0: case 1: d = ir_emit(&blk, IR_LOAD, ms, 0, addr, IR_NO_TEMP, IR_NO_TEMP, 0, 0); break;
                case 2: case 3: ir_emit(&blk, IR_STORE, ms, 0, addr, a, IR_NO_TEMP, 0, 0); break;
                case 4: d = ir_emit(&blk, IR_LOAD_EXCL, ms, 0, addr, IR_NO_TEMP, IR_NO_TEMP, 0, 0); break;
                case 5: d = ir_emit(&blk, IR_ATOMIC_RMW, ms, 0, addr, a, IR_NO_TEMP, (uint32_t)(rnd() % 9), 0); break;
                case 6: d = ir_emit(&blk, IR_CAS, ms, 0, addr, a, b, 0, 0); break;
                default: d = ir_emit(&blk, IR_STORE_EXCL, ms, 0, addr, a, IR_NO_TEMP, 0, 0); break;
                }
                break;
            }
            case 10: ir_emit(&blk, IR_LOGIC_FLAGS, size, 0, a, IR_NO_TEMP, IR_NO_TEMP, 0, 0); break;
            default: {
                /* exclusive pair on one granule, then a plain store or an
                 * atomic into it */
                uint64_t base = SCR_PA + ((rnd() % (SCR_LEN - 64)) & ~63ull);
                IRTemp addr = ir_const(&blk, base);
                d = ir_emit(&blk, IR_LOAD_EXCL, 8, 0, addr, IR_NO_TEMP, IR_NO_TEMP, 0, 0);
                int ms = 1 << (rnd() % 3);
                IRTemp a2 = ir_const(&blk, base + (rnd() % 60));
                if (rnd() % 3 == 0)
                    ir_emit(&blk, IR_STORE, ms, 0, a2, a, IR_NO_TEMP, 0, 0);
                else if (rnd() & 1)
                    ir_emit(&blk, IR_ATOMIC_RMW, ms, 0, a2, a, IR_NO_TEMP, (uint32_t)(rnd() % 9), 0);
                else
                    ir_emit(&blk, IR_CAS, ms, 0, a2, a, b, 0, 0);
                if (rnd() & 1)
                    d = ir_emit(&blk, IR_STORE_EXCL, 8, 0, addr, b, IR_NO_TEMP, 0, 0);
                break;
            }
            }
            if (d != IR_NO_TEMP && np < 64)
                pool[np++] = d;
            else if (d != IR_NO_TEMP)
                pool[rnd() % 64] = d;
        }
        if (np && (rnd() & 1))
            ir_emit(&blk, IR_BRCOND, 8, 0, pool[rnd() % np], IR_NO_TEMP, IR_NO_TEMP, 0, 0x40003000);
        ir_exit(&blk, 0x40002000);
        ir_optimize(&blk);
        run_both(&blk, "random block");
        ir_block_free(&blk);
    }
}

/* The JIT fixes the TLB regime at compile time from tb_flags (EL, TBF_PAN);
 * the interpreter picks it per access from PSTATE. Each regime's entry for
 * one page points to its own host buffer: a load and a store must use the
 * same one on both tiers. */
Test(jit, tlb_regime_from_tb_flags)
{
    static _Alignas(64) uint8_t host[MMU_IDX_NUM][4096];
    const uint64_t va = SCR_PA + 0x100, page = va & TLB_PAGE_MASK;
    const unsigned slot = (unsigned)(va >> TLB_PAGE_BITS) & (TLB_SIZE - 1);
    static const struct { uint32_t el, pan; int idx; } regs[] = {
        {0, 0, MMU_IDX_EL0}, {0, 1, MMU_IDX_EL0}, {1, 0, MMU_IDX_EL1}, {1, 1, MMU_IDX_EL1_PAN},
    };
    for (size_t r = 0; r < sizeof(regs) / sizeof(regs[0]); r++) {
        uint32_t old = cpu->pstate;
        cpu->pstate = (old & ~(3u << PSTATE_EL_SHIFT) & ~PSTATE_PAN) | regs[r].el << PSTATE_EL_SHIFT |
                      (regs[r].pan ? PSTATE_PAN : 0);
        cpu_sync_sp(cpu, old);
        cr_assert_eq((cpu_tb_flags(cpu) & TBF_PAN) != 0, regs[r].el == 1 && regs[r].pan);
        memset(host, 0, sizeof(host));
        for (int i = 0; i < MMU_IDX_NUM; i++) {
            uint64_t v = 0x1111111111111111ull * (uint64_t)(i + 1);
            memcpy(&host[i][va & 0xfff], &v, 8);
            TLBTable *t = &cpu->tlb[i];
            t->tag_read[slot] = t->tag_write[slot] = page;
            t->tag_exec[slot] = TLB_INVALID_TAG;
            t->addend[slot] = (uint64_t)(uintptr_t)host[i] - page;
        }
        IRBlock blk;
        ir_block_init(&blk, 0x40001000);
        IRTemp a = ir_const(&blk, va);
        ir_set_reg(&blk, 0, ir_emit(&blk, IR_LOAD, 8, 0, a, IR_NO_TEMP, IR_NO_TEMP, 0, 0));
        ir_emit(&blk, IR_STORE, 4, 0, ir_const(&blk, va + 8), ir_const(&blk, 0xabcd), IR_NO_TEMP, 0, 0);
        ir_exit(&blk, 0x40001004);
        run_both(&blk, "regime");
        ir_block_free(&blk);
        int want = regs[r].idx;
        cr_assert_eq(cpu->x[0], 0x1111111111111111ull * (uint64_t)(want + 1), "regime %zu", r);
        for (int i = 0; i < MMU_IDX_NUM; i++)
            cr_assert_eq(host[i][(va & 0xfff) + 8], i == want ? 0xcd : 0, "regime %zu: store to row %d", r, i);
    }
}

/* interp_run dispatches to the native code, and freeing the block frees it. */
Test(jit, dispatch_and_free)
{
    IRBlock blk;
    ir_block_init(&blk, 0x40001000);
    IRTemp a = ir_const(&blk, 40);
    IRTemp b = ir_const(&blk, 2);
    ir_set_reg(&blk, 5, ir_op2(&blk, IR_ADD, 8, a, b));
    ir_exit(&blk, 0x40001004);
    cr_assert(jit_compile(cpu, &blk, cpu_tb_flags(cpu)));
    JitStats st;
    jit_get_stats(cpu->jit_code, &st);
    cr_assert_geq(st.blocks_compiled, 1);
    cr_assert_gt(st.code_bytes, 0);
    cr_assert_eq(interp_run(cpu, &blk), BX_EXIT);
    cr_assert_eq(cpu->x[5], 42);
    cr_assert_eq(cpu->pc, 0x40001004);
    ir_block_free(&blk);
    cr_assert_null(blk.native);
}

/* A block of n SET_REGs of constants: its code grows with n. */
static void sized_block(IRBlock *blk, int n)
{
    ir_block_init(blk, 0x40001000);
    for (int i = 0; i < n; i++)
        ir_set_reg(blk, i % 30, ir_const(blk, 0x123456789ull * (uint64_t)(i + 1)));
    ir_exit(blk, 0x40001004);
}

/* Compile copies of a block of n ops into blks[] until the code memory is
 * full: how many fit. */
static int fill_code(IRBlock *blks, int max, int n)
{
    int k = 0;
    for (; k < max; k++) {
        sized_block(&blks[k], n);
        if (!jit_compile(cpu, &blks[k], cpu_tb_flags(cpu))) {
            ir_block_free(&blks[k]);
            break;
        }
    }
    return k;
}

/* With a bound (the translation cache's, docs/jit.md), code memory never
 * grows past it: a block that does not fit stays with the interpreter and
 * the exhaustion is reported once; freed chunks are reused, and freed large
 * chunks are cut up for small blocks. The core compiles into a bounded
 * JitCode of the test's own instead of the test machine's. */
Test(jit, code_memory_bounded)
{
    enum { LIMIT = 64 << 10, MAXB = 4096 };
    JitCode *jc = jit_code_new(LIMIT), *machine_jc = cpu->jit_code;
    cr_assert_not_null(jc);
    cpu->jit_code = jc;
    static IRBlock blks[MAXB];
    cr_assert_not(jit_code_take_exhausted(jc));
    int large = fill_code(blks, MAXB, 200);
    cr_assert(large > 0 && large < MAXB, "%d large blocks in %d bytes", large, LIMIT);
    uint32_t large_size = blks[0].native_size;
    JitStats st;
    jit_get_stats(jc, &st);
    cr_expect_leq(st.code_bytes, LIMIT);
    cr_expect(jit_code_take_exhausted(jc), "a full arena is reported");
    cr_expect_not(jit_code_take_exhausted(jc), "... once");
    for (int k = 0; k < large; k++)
        ir_block_free(&blks[k]);
    int small = fill_code(blks, MAXB, 1);
    uint32_t small_size = blks[0].native_size;
    cr_assert_gt(large_size, 4 * small_size);
    cr_expect_geq((uint64_t)small * small_size, (uint64_t)large * large_size,
                  "the freed large chunks were cut up: %d x %u bytes after %d x %u", small, small_size, large,
                  large_size);
    cr_log_info("code memory: %d blocks of %u bytes, then %d of %u in %d bytes", large, large_size, small,
                small_size, LIMIT);
    jit_get_stats(jc, &st);
    cr_expect_leq(st.code_bytes, LIMIT);
    cr_expect(jit_code_take_exhausted(jc));
    for (int k = 0; k < small; k++)
        ir_block_free(&blks[k]);
    jit_get_stats(jc, &st);
    cr_expect_eq(st.code_bytes, 0);
    IRBlock one;
    sized_block(&one, 1);
    cr_expect(jit_compile(cpu, &one, cpu_tb_flags(cpu)), "room again after freeing");
    ir_block_free(&one);
    cpu->jit_code = machine_jc;
    jit_code_destroy(jc);
}

/* Malformed blocks stay with the interpreter. */
Test(jit, rejects_bad_blocks)
{
    IRBlock blk;
    ir_block_init(&blk, 0x40001000);
    ir_const(&blk, 1);
    cr_assert_not(jit_compile(cpu, &blk, 1), "no terminal");
    cr_assert_null(blk.native);
    ir_block_free(&blk);
}

/* A block at pc: x[reg] += 1, then `term` (0: GOTO target through slot 1,
 * 1: JUMP to the constant target, 2: BRCOND taken to target through slot 0). */
static void counting_block(IRBlock *blk, uint64_t pc, int reg, int term, uint64_t target)
{
    ir_block_init(blk, pc);
    ir_emit(blk, IR_INSN_START, 8, 0, IR_NO_TEMP, IR_NO_TEMP, IR_NO_TEMP, 0, pc);
    blk->ninsns = 1;
    IRTemp v = ir_emit(blk, IR_GET_REG, 8, 0, IR_NO_TEMP, IR_NO_TEMP, IR_NO_TEMP, 0, (uint64_t)reg);
    IRTemp w = ir_emit(blk, IR_ADD, 8, 0, v, ir_const(blk, 1), IR_NO_TEMP, 0, 0);
    ir_emit(blk, IR_SET_REG, 8, 0, w, IR_NO_TEMP, IR_NO_TEMP, 0, (uint64_t)reg);
    if (term == 0) {
        ir_emit(blk, IR_GOTO, 8, 0, IR_NO_TEMP, IR_NO_TEMP, IR_NO_TEMP, 1, target);
    } else if (term == 1) {
        ir_emit(blk, IR_JUMP, 8, 0, ir_const(blk, target), IR_NO_TEMP, IR_NO_TEMP, 0, 0);
    } else {
        ir_emit(blk, IR_BRCOND, 8, 0, ir_const(blk, 1), IR_NO_TEMP, IR_NO_TEMP, 0, target);
        ir_exit(blk, pc + 4);
    }
    cr_assert(jit_compile(cpu, blk, cpu_tb_flags(cpu)));
}

/* Direct chaining: a patched jump runs the next block without returning;
 * the chained entry refuses (nothing run, pc = its block) when a request is
 * pending or the budget is spent; unpatching restores the exit. */
Test(jit, chaining_direct)
{
    const uint64_t pa = 0x40001000, pb = 0x40001040, far = 0x40005000;
    for (int term = 0; term <= 2; term += 2) {
        IRBlock a, b;
        int slot = term == 0 ? 1 : 0;
        int bx_slot = slot ? BX_SLOT1 : BX_SLOT0;
        counting_block(&a, pa, 1, term, pb);
        counting_block(&b, pb, 2, 0, far);
        cr_assert_neq(a.chain_site[slot], 0, "a same-page direct branch has a patch site");
        cr_assert_eq(b.chain_site[1], 0, "a cross-page branch has none");
        cpu->x[1] = cpu->x[2] = 0;
        cpu->chain_budget = 100;

        cr_assert_eq(jit_run(cpu, &a), bx_slot);
        cr_assert_eq(cpu->jit_last, (const void *)&a);
        cr_assert_eq(cpu->pc, pb);
        cr_assert_eq(cpu->x[1], 1);
        cr_assert_eq(cpu->x[2], 0);

        cr_assert_not(jit_chain_patch(&a, slot, &a), "the slot's target is b, not a");
        cr_assert(jit_chain_patch(&a, slot, &b));
        cr_assert_eq(jit_run(cpu, &a), BX_SLOT1, "a then b, which leaves through its own slot 1");
        cr_assert_eq(cpu->jit_last, (const void *)&b);
        cr_assert_eq(cpu->pc, far);
        cr_assert_eq(cpu->x[1], 2);
        cr_assert_eq(cpu->x[2], 1);
        cr_assert_eq(cpu->chain_budget, 99, "b's chained entry took its instruction");

        atomic_store(&cpu->request, REQ_DONE);
        cr_assert_eq(jit_run(cpu, &a), BX_EXIT, "b refuses to start while a request is pending");
        cr_assert_eq(cpu->pc, pb);
        cr_assert_eq(cpu->x[1], 3);
        cr_assert_eq(cpu->x[2], 1);
        cr_assert_eq(cpu->chain_budget, 99);
        atomic_store(&cpu->request, 0);

        cpu->chain_budget = 0;
        cr_assert_eq(jit_run(cpu, &a), BX_EXIT, "b refuses to start without budget");
        cr_assert_eq(cpu->pc, pb);
        cr_assert_eq(cpu->x[2], 1);
        cr_assert_eq(cpu->chain_budget, 0, "a refused entry gives its instructions back");

        cpu->chain_budget = 100;
        cr_assert(jit_chain_patch(&a, slot, NULL));
        cr_assert_eq(jit_run(cpu, &a), bx_slot);
        cr_assert_eq(cpu->jit_last, (const void *)&a);
        cr_assert_eq(cpu->pc, pb);
        cr_assert_eq(cpu->x[2], 1);
        ir_block_free(&a);
        ir_block_free(&b);
    }
}

/* Indirect and cross-page branches look the jump cache up in generated
 * code: a hit (same pc and flags, native code) jumps there; anything else
 * returns to the dispatcher with pc set. */
Test(jit, chaining_jump_cache)
{
    const uint64_t pa = 0x40001000, pb = 0x40003000, far = 0x40005000;
    for (int term = 0; term <= 1; term++) {
        IRBlock a, b;
        int bx = term == 0 ? BX_SLOT1 : BX_JUMP;
        counting_block(&a, pa, 1, term, pb);
        counting_block(&b, pb, 2, 0, far);
        cpu->x[1] = cpu->x[2] = 0;
        cpu->chain_budget = 100;
        JCEntry *je = &cpu->jc[jc_index(pb)];
        *je = (JCEntry){.pc = ~0ull};
        cr_assert_eq(jit_run(cpu, &a), bx, "empty entry: miss");
        cr_assert_eq(cpu->pc, pb);

        *je = (JCEntry){.pc = pb, .flags = cpu_tb_flags(cpu), .tb = (struct TBlock *)&b, .code = b.native};
        cr_assert_eq(jit_run(cpu, &a), BX_SLOT1, "hit: b ran and left through slot 1");
        cr_assert_eq(cpu->pc, far);
        cr_assert_eq(cpu->x[2], 1);

        je->flags ^= TBF_FP;
        cr_assert_eq(jit_run(cpu, &a), bx, "other translation flags: miss");
        je->flags ^= TBF_FP;
        je->code = NULL;
        cr_assert_eq(jit_run(cpu, &a), bx, "interpreted block: miss");
        je->code = b.native;
        je->pc = pb + 0x1000;
        cr_assert_eq(jit_run(cpu, &a), bx, "other pc in the slot: miss");
        cr_assert_eq(cpu->pc, pb);
        cr_assert_eq(cpu->x[2], 1);
        cr_assert_eq(cpu->x[1], 5);
        ir_block_free(&a);
        ir_block_free(&b);
    }
    /* An emptied entry (pc ~0) never matches a misaligned target. */
    IRBlock c;
    counting_block(&c, pa, 1, 1, ~0ull);
    JCEntry *je = &cpu->jc[jc_index(~0ull)];
    *je = (JCEntry){.pc = ~0ull, .flags = cpu_tb_flags(cpu), .code = (void *)1};
    cr_assert_eq(jit_run(cpu, &c), BX_JUMP);
    cr_assert_eq(cpu->pc, ~0ull);
    ir_block_free(&c);
}

/* The jump cache's index folds bits 18-31 of the pc in (jc_index): blocks
 * 256 KiB apart, which a direct-mapped index by pc >> 2 put in one slot, take
 * two, and the inline probe of an indirect branch finds each in the slot the
 * dispatcher fills, with the BMI2 rotate and without it. A page's 1024 pcs
 * take 1024 distinct slots (jc_clear_page visits those). */
Test(jit, jump_cache_index_in_generated_code)
{
    const uint64_t pa = 0x40001000;
    const uint64_t targets[] = {0x40003000, 0x40043000, 0x40083000, 0x7fff0040ull,
                                0xffff800008ce4d50ull, 0xffff800008164d50ull, 0xfffffffffffffffcull};
    cr_assert_neq(jc_index(targets[4]), jc_index(targets[5]), "mutex_lock and ktime_get, 256 KiB apart");
    cr_assert_neq(jc_index(targets[0]), jc_index(targets[1]));
    for (int bmi = 0; bmi <= 1; bmi++) {
        jit_allow_bmi(bmi);
        for (size_t t = 0; t < sizeof(targets) / sizeof(targets[0]); t++) {
            const uint64_t pb = targets[t];
            IRBlock a, b;
            counting_block(&a, pa, 1, 1, pb);
            counting_block(&b, pb, 2, 0, pb + 0x2000);
            cpu->x[1] = cpu->x[2] = 0;
            cpu->chain_budget = 100;
            for (size_t u = 0; u < sizeof(targets) / sizeof(targets[0]); u++)
                cpu->jc[jc_index(targets[u])] = (JCEntry){.pc = ~0ull};
            cr_assert_eq(jit_run(cpu, &a), BX_JUMP, "bmi %d target %zu: empty, miss", bmi, t);
            cpu->jc[jc_index(pb)] =
                (JCEntry){.pc = pb, .flags = cpu_tb_flags(cpu), .tb = (struct TBlock *)&b, .code = b.native};
            cr_assert_eq(jit_run(cpu, &a), BX_SLOT1, "bmi %d target %zu: hit", bmi, t);
            cr_assert_eq(cpu->pc, pb + 0x2000);
            cr_assert_eq(cpu->x[2], 1);
            cpu->jc[jc_index(pb)].pc = ~0ull;
            ir_block_free(&a);
            ir_block_free(&b);
        }
    }
    jit_allow_bmi(true);
    for (size_t t = 0; t < sizeof(targets) / sizeof(targets[0]); t++) {
        static uint8_t seen[JC_SIZE];
        memset(seen, 0, sizeof(seen));
        const uint64_t page = targets[t] & ~0xfffull;
        for (unsigned i = 0; i < 1024; i++) {
            const uint32_t k = jc_index(page + 4ull * i);
            cr_assert_eq(seen[k], 0, "page %zu: pc %u shares a slot", t, i);
            seen[k] = 1;
        }
    }
}

/* Advanced SIMD integer ops generated as SSE (cpu/jit_simd_x86.c) against
 * their C helpers: random allocated instruction words of the inlined classes
 * (three same, shift by immediate, by element; every size, Q, register
 * aliasing), random vector registers, with and without SSE4.1. The whole
 * CPUState (V registers, FPSR) must match. */
#include "cpu/jit_simd_x86.h"

static uint32_t simd_word(int cls)
{
    uint32_t q = rnd() & 1, rd = rnd() % 32, rn = rnd() % 32, rm = rnd() % 32;
    if (rnd() % 4 == 0)
        rn = rd; /* aliasing */
    if (cls == 0) {
        static const uint8_t opcs[] = {0x10, 0x13, 0x12, 0x11, 0x06, 0x07, 0x0c, 0x0d};
        uint32_t opc = opcs[rnd() % 8], u = rnd() & 1, size = rnd() % 4;
        if (opc == 0x13 || opc == 0x12 || opc == 0x0c || opc == 0x0d)
            size = rnd() % 3; /* no 64-bit elements */
        if (size == 3)
            q = 1;
        if (opc == 0x13 && u)
            u = 0; /* PMUL is another op */
        return q << 30 | u << 29 | 0x0eu << 24 | size << 22 | 1u << 21 | rm << 16 | opc << 11 | 1u << 10 | rn << 5 | rd;
    }
    if (cls == 1) {
        static const uint8_t opcs[] = {0x0a, 0x00, 0x02};
        uint32_t opc = opcs[rnd() % 3], u = opc == 0x0a ? 0 : rnd() & 1;
        uint32_t immh = 1 + rnd() % 15, immb = rnd() % 8;
        if (immh & 8)
            q = 1;
        return q << 30 | u << 29 | 0x1eu << 23 | immh << 19 | immb << 16 | opc << 11 | 1u << 10 | rn << 5 | rd;
    }
    static const uint8_t keys[][2] = {{0, 0x8}, {1, 0x0}, {1, 0x4}}; /* MUL, MLA, MLS (U, opcode) */
    int k = (int)(rnd() % 3);
    uint32_t size = 1 + rnd() % 2, l = rnd() & 1, mb = rnd() & 1, h = rnd() & 1;
    return q << 30 | (uint32_t)keys[k][0] << 29 | 0x0fu << 24 | size << 22 | l << 21 | mb << 20 | (rm & 15) << 16 |
           (uint32_t)keys[k][1] << 12 | h << 11 | rn << 5 | rd;
}

Test(jit, simd_inline_against_helpers)
{
    static const enum HelperId helpers[] = {HELPER_simd_3same, HELPER_simd_shimm, HELPER_simd_elem};
    int inlined = 0, total = 0;
    for (int pass = 0; pass < 2; pass++) {
        jit_allow_sse41(pass == 0);
        for (int i = 0; i < 3000; i++) {
            int cls = (int)(rnd() % 3);
            uint32_t insn = simd_word(cls);
            for (int r = 0; r < 32; r++) {
                cpu->v[r][0] = operand();
                cpu->v[r][1] = operand();
            }
            cpu->fpsr = (uint32_t)rnd() & 0x0800009fu;
            JitBuf probe = {0};
            inlined += jit_simd_inline(&probe, helpers[cls], insn);
            jb_free(&probe);
            total++;
            IRBlock blk;
            ir_block_init(&blk, 0x40001000);
            IRTemp z = ir_const(&blk, 0);
            ir_emit(&blk, IR_CALL, 8, 0, z, z, z, helpers[cls], insn);
            ir_exit(&blk, 0x40001004);
            run_both(&blk, "simd");
            ir_block_free(&blk);
        }
    }
    jit_allow_sse41(true);
    cr_log_info("simd: %d of %d words inlined", inlined, total);
    cr_assert_gt(inlined, total / 2, "most generated words take the inline path (%d of %d)", inlined, total);
}

/* ---- FP arithmetic inline on SSE (cpu/jit_fp_x86.c) ---- */

#include "cpu/fp_hard.h"
#include "cpu/fpu.h"
#include "cpu/jit_fp_x86.h"

/* An FP operand of n bits: mostly ordinary values (the inline path), else
 * zeros, infinities, NaNs, denormals, the smallest and largest normals;
 * garbage above n bits. */
static bool fp_ordinary; /* only positive ordinary values */
static uint64_t fp_operand(int n)
{
    static const uint64_t e64[] = {0, 0x8000000000000000ull, 0x7ff0000000000000ull, 0x7ff8000000000001ull,
                                   0x7ff0000000000001ull, 1, 0x000fffffffffffffull, 0x0010000000000000ull,
                                   0x0020000000000000ull, 0x7fefffffffffffffull, 0x2000000000000000ull};
    static const uint64_t e32[] = {0, 0x80000000, 0x7f800000, 0x7fc00001, 0x7f800001, 1, 0x007fffff,
                                   0x00800000, 0x01000000, 0x7f7fffff, 0x20000000};
    uint64_t r = rnd(), v;
    if (r % 4 == 0 && !fp_ordinary) {
        v = n == 64 ? e64[(r >> 8) % 11] : e32[(r >> 8) % 11];
    } else { /* sign, exponent around 1.0, random fraction */
        int eb = n == 64 ? 11 : 8, fb = n - 1 - eb;
        uint64_t bias = (1ull << (eb - 1)) - 1, e = bias - 8 + (r >> 8) % 16;
        v = (fp_ordinary ? 0 : r >> 40 & 1) << (n - 1) | e << fb | (rnd() & ((1ull << fb) - 1));
    }
    return n == 64 ? v : v | rnd() << 32;
}

static uint32_t fp_word(bool *vector, uint64_t *kind)
{
    uint32_t type = rnd() & 1, rd = rnd() % 32, rn = rnd() % 32, rm = rnd() % 32, ra = rnd() % 32;
    *vector = false;
    switch (rnd() % 6) {
    case 5: /* FCMP, FCMPE, with #0 too (the operand is then 0 in the IR) */
        *kind = 0;
        return 0x1e202000 | type << 22 | rm << 16 | rn << 5 | (uint32_t)(rnd() % 4) << 3;
    case 0: { /* FMUL FDIV FADD FSUB FNMUL */
        static const uint32_t ops[] = {0, 1, 2, 3, 8};
        *kind = FPK_DP2;
        return 0x1e200800 | type << 22 | rm << 16 | ops[rnd() % 5] << 12 | rn << 5 | rd;
    }
    case 1: /* FSQRT */
        *kind = FPK_DP1;
        return 0x1e21c000 | type << 22 | rn << 5 | rd;
    case 2: /* FMADD FMSUB FNMADD FNMSUB */
        *kind = FPK_DP3;
        return 0x1f000000 | type << 22 | (uint32_t)(rnd() & 1) << 21 | rm << 16 | (uint32_t)(rnd() & 1) << 15 |
               ra << 10 | rn << 5 | rd;
    case 3: { /* FMUL FMLA FMLS by element, vector */
        static const uint32_t ops[] = {9, 1, 5};
        uint32_t q = type ? 1 : rnd() & 1, l = type ? 0 : rnd() & 1;
        *vector = true;
        *kind = FPK_VELEM;
        return 0x0f800000 | q << 30 | type << 22 | l << 21 | rm << 16 | ops[rnd() % 3] << 12 |
               (uint32_t)(rnd() & 1) << 11 | rn << 5 | rd;
    }
    default: { /* vector FADD FSUB FMUL FDIV FMLA FMLS */
        static const uint32_t ops[][3] = {{0, 0, 2}, {0, 1, 2}, {1, 0, 3}, {1, 0, 7}, {0, 0, 1}, {0, 1, 1}};
        const uint32_t *o = ops[rnd() % 6];
        uint32_t q = type ? 1 : rnd() & 1;
        *vector = true;
        *kind = FPK_V3SAME;
        if (rnd() % 4 == 0)
            rn = rd; /* aliasing */
        return 0x0e20c400 | q << 30 | o[0] << 29 | o[1] << 23 | type << 22 | rm << 16 | o[2] << 11 | rn << 5 | rd;
    }
    }
}

/* Random FP words of the inline classes on both tiers, in random FPCR modes
 * with FPSR.IXC mostly set: identical state (V registers, FPSR, the scalar
 * result in x0). Then positive ordinary operands in RN with IXC set: none
 * may fall back to soft-float (stats.jit.fp_soft). */
Test(jit, fp_inline_against_soft_float)
{
    uint64_t total = 0, soft = 0;
    for (int i = 0; i < 8000; i++) {
        fp_ordinary = i >= 6000;
        if (i == 6000)
            total = soft = 0;
        fp_hard_allow_fma(i % 3 != 0); /* as on a host without FMA3 */
        bool vector;
        uint64_t kind;
        uint32_t insn = fp_word(&vector, &kind);
        int n = bit(insn, 22) ? 64 : 32;
        for (int r = 0; r < 32; r++)
            for (int h = 0; h < 2; h++)
                cpu->v[r][h] = n == 64 ? fp_operand(64) : (uint32_t)fp_operand(32) | fp_operand(32) << 32;
        cpu->fpcr = rnd() % 3 && !fp_ordinary ? 0 : (uint32_t)rnd() & (fp_ordinary ? FPCR_DN : 0x07c00000u);
        cpu->fpsr = (rnd() % 5 || fp_ordinary ? FPEXC_IXC : 0) | ((uint32_t)rnd() & 0x0800008fu);
        IRBlock blk;
        ir_block_init(&blk, 0x40001000);
        bool cmp = (insn & 0xff20fc07) == 0x1e202000;
        uint32_t helper = vector ? HELPER_simd_fp : cmp ? HELPER_fp_cmp : HELPER_fp_scalar;
        IRTemp a = input(&blk, 0, fp_operand(n)), b = input(&blk, 1, bit(insn, 3) && cmp ? 0 : fp_operand(n));
        IRTemp c = input(&blk, 2, cmp ? 1 : fp_operand(n));
        IRTemp t = ir_emit(&blk, IR_CALL, 8, 0, a, b, c, helper, kind << 32 | insn);
        ir_set_reg(&blk, 0, t);
        ir_exit(&blk, 0x40001004);
        uint64_t before = cpu->stats.jit.fp_soft;
        run_both(&blk, "fp");
        ir_block_free(&blk);
        total++;
        soft += cpu->stats.jit.fp_soft - before;
    }
    fp_ordinary = false;
    fp_hard_allow_fma(true);
    cr_assert_eq(soft, 0, "ordinary operands stay on the host FP paths (%llu of %llu fell back)",
                 (unsigned long long)soft, (unsigned long long)total);
}

/* FADD and FSUB (scalar and vector) take any finite result inline: exact
 * zeros (x - x, -0 + -0), denormal sums and differences, and sums just below
 * the smallest normal. Both tiers must agree in every FPCR mode, with IXC
 * set or clear; in RN with IXC set and FZ = 0, the finite ones must not
 * reach soft-float (an inexact tiny sum is impossible, so none may). */
Test(jit, fp_sum_tiny_and_zero_results)
{
    static const uint64_t d[] = {0, 0x8000000000000000ull, 1, 0x8000000000000001ull, 0x000fffffffffffffull,
                                 0x0010000000000000ull, 0x8010000000000001ull, 0x0020000000000000ull,
                                 0x3ff0000000000000ull, 0xbff0000000000000ull, 0x7fefffffffffffffull,
                                 0x7ff0000000000000ull, 0x7ff8000000000000ull};
    static const uint32_t s[] = {0, 0x80000000, 1, 0x80000001, 0x007fffff, 0x00800000, 0x80800001, 0x01000000,
                                 0x3f800000, 0xbf800000, 0x7f7fffff, 0x7f800000, 0x7fc00000};
    const size_t n = sizeof(d) / sizeof(d[0]);
    uint64_t soft = 0;
    for (int type = 0; type < 2; type++)
        for (int vec = 0; vec < 2; vec++)
            for (int sub = 0; sub < 2; sub++)
                for (size_t i = 0; i < n; i++)
                    for (size_t k = 0; k < n; k++)
                        for (int mode = 0; mode < 3; mode++) {
                            uint64_t a = type ? d[i] : s[i], b = type ? d[k] : s[k];
                            uint32_t insn =
                                vec ? 0x4e20d400 | (uint32_t)sub << 23 | (uint32_t)type << 22 | 2 << 16 | 1 << 5
                                    : 0x1e202800 | (uint32_t)type << 22 | 2 << 16 | (uint32_t)sub << 12 | 1 << 5;
                            cpu->fpcr = mode == 0 ? 0 : mode == 1 ? FPCR_FZ : (uint32_t)(rnd() % 4) << 22;
                            cpu->fpsr = mode == 2 && rnd() % 2 ? 0 : FPEXC_IXC;
                            for (int r = 0; r < 3; r++)
                                for (int h = 0; h < 2; h++)
                                    cpu->v[r][h] = type ? (r == 1 ? a : b) : (r == 1 ? a | a << 32 : b | b << 32);
                            IRBlock blk;
                            ir_block_init(&blk, 0x40001000);
                            IRTemp ta = input(&blk, 0, a), tb = input(&blk, 1, b), z = ir_const(&blk, 0);
                            uint64_t kind = vec ? FPK_V3SAME : FPK_DP2;
                            IRTemp t = ir_emit(&blk, IR_CALL, 8, 0, vec ? z : ta, vec ? z : tb, z,
                                               vec ? HELPER_simd_fp : HELPER_fp_scalar, kind << 32 | insn);
                            ir_set_reg(&blk, 0, t);
                            ir_exit(&blk, 0x40001004);
                            uint64_t before = cpu->stats.jit.fp_soft;
                            run_both(&blk, "fp sum");
                            ir_block_free(&blk);
                            bool finite = i < n - 3 && k < n - 3; /* no max (overflow), inf or NaN */
                            if (mode == 0 && finite)
                                soft += cpu->stats.jit.fp_soft - before;
                        }
    cr_assert_eq(soft, 0, "finite sums in RN with IXC set stay inline (%llu fell back)", (unsigned long long)soft);
}

/* Mostly mapped (an abort ends the block), some crossing a page. */
static uint64_t fp_mem_addr(void)
{
    uint64_t a = scratch_addr();
    return a < SCR_PA && rnd() % 4 ? SCR_PA + 8 * (rnd() % 64) : a;
}

/* Blocks of dependent scalar FP ops (results feeding later ops, S and D
 * mixed) with register moves, V-register writes, constants, ALU ops, guest
 * loads and stores (TLB misses, page crossings, aborts), vector FP ops,
 * writes of FPCR and FPSR, FP ops that stay helper calls (FRINTN) and FCMPs
 * between them: the inline ops keep results
 * in XMM8-15 for the next ones, and every slow path (ordinary operands mixed
 * with zeros, denormals, NaNs, huge values; any FPCR mode; IXC set or clear)
 * must reload them. Both tiers must agree on every result. */
Test(jit, fp_chains_through_xmm_cache)
{
    for (int iter = 0; iter < 3000; iter++) {
        fp_hard_allow_fma(iter % 4 != 0);
        jit_fp_scramble_xmm(iter % 2 == 0);
        cpu->fpcr = rnd() % 4 ? 0 : (uint32_t)rnd() & 0x07c00000u;
        cpu->fpsr = (rnd() % 6 ? FPEXC_IXC : 0) | ((uint32_t)rnd() & 0x0800008fu);
        IRBlock blk;
        ir_block_init(&blk, 0x40001000);
        IRTemp pool[48];
        bool isd[48];
        int np = 0;
        for (int i = 0; i < 4; i++) {
            isd[np] = rnd() & 1;
            fp_ordinary = rnd() % 3 != 0;
            pool[np] = input(&blk, i, fp_operand(isd[np] ? 64 : 32));
            np++;
        }
        fp_ordinary = false;
        int nops = 4 + (int)(rnd() % 16);
        for (int i = 0; i < nops && np < 44; i++) {
            bool d = rnd() & 1;
            IRTemp a = pool[rnd() % np], b = pool[rnd() % np], cc = pool[rnd() % np];
            if (rnd() % 2) /* mostly the latest result: a chain */
                a = pool[np - 1];
            uint32_t type = d ? 1u << 22 : 0, insn, helper = HELPER_fp_scalar;
            uint64_t kind;
            switch (rnd() % 8) {
            case 0: case 1: case 2: { /* FMUL FDIV FADD FSUB FNMUL */
                static const uint32_t ops[] = {0, 1, 2, 3, 8, 2, 3, 0};
                kind = FPK_DP2;
                insn = 0x1e200800 | type | ops[rnd() % 8] << 12;
                break;
            }
            case 3: case 4: /* FMADD FMSUB FNMADD FNMSUB */
                kind = FPK_DP3;
                insn = 0x1f000000 | type | (uint32_t)(rnd() & 1) << 21 | (uint32_t)(rnd() & 1) << 15;
                break;
            case 5: /* FSQRT, or FRINTN (a helper call) */
                kind = FPK_DP1;
                insn = (rnd() & 1 ? 0x1e21c000 : 0x1e244000) | type;
                break;
            case 6: /* FCMP */
                kind = 0;
                helper = HELPER_fp_cmp;
                insn = 0x1e202000 | type;
                break;
            default: { /* moves, state writes, ALU ops, memory and vector FP ops between the FP ops */
                switch (rnd() % 10) {
                case 0: ir_emit(&blk, IR_SET_VREG, 8, 0, a, IR_NO_TEMP, IR_NO_TEMP, 0, rnd() % 64); break;
                case 7: { /* MSR FPCR or FPSR mid-block: later ops must see the new mode (the FP mode word) */
                    bool fpcr = rnd() & 1;
                    uint64_t v = fpcr ? (rnd() % 2 ? 0 : rnd() & 0x07c00000u) : (rnd() % 2 ? FPEXC_IXC : 0);
                    IRTemp z = ir_const(&blk, 0);
                    ir_emit(&blk, IR_CALL, 8, IRF_EXCEPT, ir_const(&blk, v), z, z, HELPER_msr,
                            fpcr ? SYSREG_ENC(3, 3, 4, 4, 0) : SYSREG_ENC(3, 3, 4, 4, 1));
                    break;
                }
                case 1: ir_set_reg(&blk, 1 + (int)(rnd() % 8), a); break;
                case 2: pool[np] = ir_const(&blk, fp_operand(d ? 64 : 32)), isd[np++] = d; break;
                case 3: /* inline loads (straight into the cache too, for the FP ops reading them) and
                         * stores: their TLB refills and interpreter calls reload the cache */
                    if (rnd() % 3 == 0)
                        tlb_flush(cpu);
                    pool[np] = ir_emit(&blk, IR_LOAD, d ? 8 : 4, rnd() % 4 ? 0 : IRF_ALIGN, /* LDR S/D, MMU off */
                                       ir_const(&blk, fp_mem_addr()), IR_NO_TEMP,
                                       IR_NO_TEMP, 0, 0);
                    isd[np++] = d;
                    break;
                case 4:
                    ir_emit(&blk, IR_STORE, rnd() % 2 ? 8 : 4, 0, ir_const(&blk, fp_mem_addr()), a, IR_NO_TEMP, 0,
                            0);
                    break;
                case 5: ir_set_reg(&blk, 1, ir_emit(&blk, IR_ADD, 8, 0, a, b, IR_NO_TEMP, 0, 0)); break;
                case 6: { /* FADD/FMUL .4S or .2D V4, V5, V6, inline */
                    IRTemp z = ir_const(&blk, 0);
                    uint32_t vi = (rnd() & 1 ? 0x4e20d400 : 0x6e20dc00) | (d ? 1u << 22 : 0) | 6 << 16 | 5 << 5 | 4;
                    ir_emit(&blk, IR_CALL, 8, 0, z, z, z, HELPER_simd_fp, (uint64_t)FPK_V3SAME << 32 | vi);
                    break;
                }
                default: ir_emit(&blk, IR_INSN_START, 0, 0, IR_NO_TEMP, IR_NO_TEMP, IR_NO_TEMP, 0,
                                 0x40001000 + 4 * (uint64_t)i);
                }
                continue;
            }
            }
            IRTemp t = ir_emit(&blk, IR_CALL, 8, 0, a, b, cc, helper, kind << 32 | insn);
            if (helper == HELPER_fp_cmp) {
                ir_set_reg(&blk, 9, t);
                continue;
            }
            pool[np] = t;
            isd[np++] = d;
        }
        for (int k = 0; k < np && k < 20; k++)
            ir_set_reg(&blk, 10 + k, pool[k]);
        ir_exit(&blk, 0x40001004);
        run_both(&blk, "fp chain");
        ir_block_free(&blk);
    }
    jit_fp_scramble_xmm(false);
    fp_hard_allow_fma(true);
}
