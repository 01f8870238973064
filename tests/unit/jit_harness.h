/* The two-tier harness shared by the JIT's unit tests (test_jit.c,
 * test_jit_mem.c): a test machine with an exclusive monitor, random
 * operands, and run_both, which runs a block on the interpreter (the
 * reference) and on the JIT from the same state and requires the whole
 * CPUState, the scratch RAM and the block exit to be identical. Each test
 * file declares TestSuite(jit, .init = setup, .fini = teardown). */
#ifndef FLOTILLA_TEST_JIT_HARNESS_H
#define FLOTILLA_TEST_JIT_HARNESS_H

#include "common.h"

#include "cpu/jit_x86.h"
#include "cpu/sysreg.h"
#include "cpu/translate.h"
#include "sync/monitor.h"

#include <inttypes.h>

static TestMachine *tm;
static CPUState *cpu;
static CPUState *snap, *ref;

#define SCR_PA (RAM_BASE + 0x20000)
#define SCR_LEN 0x4000
static uint8_t ram_snap[SCR_LEN], ram_ref[SCR_LEN];

static inline void setup(void)
{
    tm = test_machine_new();
    cpu = tm->cpu;
    tm->m.monitor = monitor_create(&tm->m, 0);
    cr_assert_not_null(tm->m.monitor);
    snap = aligned_alloc(64, sizeof(CPUState));
    ref = aligned_alloc(64, sizeof(CPUState));
    cr_assert(snap && ref);
}

static inline void teardown(void)
{
    jit_scratch_free(cpu->jit_scratch); /* harness_from_copy's */
    cpu->jit_scratch = NULL;
    monitor_destroy(tm->m.monitor);
    tm->m.monitor = NULL;
    test_machine_free(tm);
    free(snap);
    free(ref);
    tm = NULL;
    cpu = NULL;
}


static uint64_t rs = 0x9e3779b97f4a7c15ull;
static inline uint64_t rnd(void)
{
    rs ^= rs << 13;
    rs ^= rs >> 7;
    rs ^= rs << 17;
    return rs;
}

/* Operands biased to the edges where widths, signs and carries matter. */
/* A call of an Advanced SIMD helper, as the translator makes one: `add
 * v1.4s, v2.4s, v3.4s` or `mla v0.4s, v1.4s, v2.s[0]` (the instruction word
 * in imm). Neither can fault nor touches NZCV or X registers. */
static inline void simd_call(IRBlock *blk)
{
    const bool mla = rnd() & 1;
    IRTemp z = ir_const(blk, 0);
    ir_emit(blk, IR_CALL, 8, 0, z, z, z, mla ? HELPER_simd_elem : HELPER_simd_3same, mla ? 0x6f820020 : 0x4ea38441);
}

static inline uint64_t operand(void)
{
    static const uint64_t edge[] = {
        0, 1, 2, 0xff, 0x80, 0x7fff, 0x8000, 0xffff, 0x7fffffff, 0x80000000u, 0xffffffffu, 0x100000000ull,
        0x7fffffffffffffffull, 0x8000000000000000ull, ~0ull, ~0ull - 1, 0xdeadbeef00000000ull, 31, 32, 63, 64,
    };
    switch (rnd() % 6) {
    case 0: return edge[rnd() % (sizeof(edge) / sizeof(edge[0]))];
    case 1: return rnd() % 130;
    case 2: return (uint32_t)rnd();
    case 3: return (uint64_t)-(int64_t)(rnd() % 130);
    case 4: return edge[rnd() % (sizeof(edge) / sizeof(edge[0]))] + (rnd() % 3) - 1;
    default: return rnd();
    }
}

static inline const char *field_diff(const CPUState *a, const CPUState *b)
{
    static char buf[128];
    for (int i = 0; i < 32; i++)
        if (a->x[i] != b->x[i]) {
            snprintf(buf, sizeof(buf), "x%d interp %#" PRIx64 " jit %#" PRIx64, i, a->x[i], b->x[i]);
            return buf;
        }
    if (a->pc != b->pc) {
        snprintf(buf, sizeof(buf), "pc interp %#" PRIx64 " jit %#" PRIx64, a->pc, b->pc);
        return buf;
    }
    if (a->nzcv != b->nzcv) {
        snprintf(buf, sizeof(buf), "nzcv interp %#x jit %#x", a->nzcv, b->nzcv);
        return buf;
    }
    if (memcmp(a->v, b->v, sizeof(a->v)))
        return "v registers";
    if (a->exc_pending != b->exc_pending || a->esr_el1 != b->esr_el1 || a->far_el1 != b->far_el1)
        return "exception state";
    if (memcmp(a->tlb, b->tlb, sizeof(a->tlb)))
        return "tlb";
    if (memcmp(&a->stats, &b->stats, sizeof(a->stats)))
        return "stats";
    const uint8_t *pa = (const uint8_t *)a, *pb = (const uint8_t *)b;
    for (size_t i = 0; i < sizeof(*a); i++)
        if (pa[i] != pb[i]) {
            snprintf(buf, sizeof(buf), "byte %zu (excl_ver at %zu, tmp128 at %zu)", i, offsetof(CPUState, excl_ver),
                     offsetof(CPUState, tmp128));
            return buf;
        }
    return "nothing?";
}

static inline void dump_block(const IRBlock *b)
{
    char *s = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&s, &n);
    ir_dump(b, f);
    fclose(f);
    cr_log_error("%s", s);
    free(s);
}

/* What the last run_both's JIT run added to the tier-1 counters. */
static uint64_t ran_fallback[IR_NUM_OPS], ran_mem_slow, ran_mem_refill, ran_mem_armed;
/* run_both compiles the block as a lazy compile does one translated
 * unoptimized: from an optimized copy that is gone afterwards. The JIT's
 * run then sees the block's own ops poisoned (an op the code still
 * pointed into would run as an undefined instruction). */
static bool harness_from_copy;

/* Run blk on both tiers from the current state; leave the JIT's result. */
/* The interpreter's run (ref, ram_ref) and the JIT's (cpu, scratch RAM) left
 * the same state: same exit, registers, flags, memory. */
static inline void expect_same(int bx_i, int bx_j, const IRBlock *blk, const char *what)
{
    uint8_t *ram = test_ram(tm, SCR_PA, SCR_LEN);
    /* The monitor's granule versions are global and keep growing: the
     * second run sees later ones (what matters, STXR's status, is in x[]). */
    if (cpu->excl_ver != ref->excl_ver && cpu->excl_ver != EXCL_NONE && ref->excl_ver != EXCL_NONE)
        ref->excl_ver = cpu->excl_ver;
    /* Either form of NZCV is the same state (the JIT's lazy one: cpu.h). */
    cpu->nzcv = cpu_nzcv(cpu);
    ref->nzcv = cpu_nzcv(ref);
    if (bx_i != bx_j || memcmp(ref, cpu, sizeof(*cpu)) || memcmp(ram_ref, ram, SCR_LEN)) {
        dump_block(blk);
        cr_assert_eq(bx_i, bx_j, "%s: block exit interp %d jit %d", what, bx_i, bx_j);
        cr_assert(!memcmp(ram_ref, ram, SCR_LEN), "%s: guest RAM differs", what);
        cr_assert_fail("%s: state differs: %s (budget interp %d jit %d)", what, field_diff(ref, cpu),
                       ref->chain_budget, cpu->chain_budget);
    }
}

static inline int run_both(IRBlock *blk, const char *what)
{
    const char *err = ir_verify(blk);
    if (err)
        dump_block(blk);
    cr_assert_null(err, "%s: block does not verify: %s", what, err ? err : "");
    blk->unoptimized = harness_from_copy;
    if (harness_from_copy && !cpu->jit_scratch)
        cpu->jit_scratch = jit_scratch_new(); /* the optimized copy is made in it */
    cr_assert(jit_compile(cpu, blk, cpu_tb_flags(cpu)), "%s: jit_compile failed", what);
    if (harness_from_copy) {
        /* The next compile's copy lands where blk's was: a pointer into
         * it would now find another block's ops. */
        IRBlock other;
        ir_block_init(&other, blk->pc);
        ir_emit(&other, IR_INSN_START, 8, 0, IR_NO_TEMP, IR_NO_TEMP, IR_NO_TEMP, 0, blk->pc);
        while (other.nops + 1 < blk->nops) /* as many ops: the copy is not moved */
            ir_emit(&other, IR_INSN_START, 8, 0, IR_NO_TEMP, IR_NO_TEMP, IR_NO_TEMP, 0, blk->pc + 4 * other.nops);
        ir_exit(&other, blk->pc + 0x100);
        other.unoptimized = true;
        cr_assert(jit_compile(cpu, &other, cpu_tb_flags(cpu)), "%s: the other block did not compile", what);
        ir_block_free(&other);
    }
    cr_assert_not_null(blk->native);
    uint8_t *ram = test_ram(tm, SCR_PA, SCR_LEN);
    cpu->exc_pending = false;
    memcpy(snap, cpu, sizeof(*cpu));
    memcpy(ram_snap, ram, SCR_LEN);

    void *native = blk->native;
    blk->native = NULL; /* the interpreter proper */
    int bx_i = interp_run(cpu, blk);
    memcpy(ref, cpu, sizeof(*cpu));
    memcpy(ram_ref, ram, SCR_LEN);
    blk->native = native;

    memcpy(cpu, snap, sizeof(*cpu));
    memcpy(ram, ram_snap, SCR_LEN);
    IROp *own_ops = blk->ops, *poisoned = NULL;
    if (harness_from_copy) {
        poisoned = malloc(blk->nops * sizeof(IROp));
        cr_assert_not_null(poisoned);
        memset(poisoned, 0xff, blk->nops * sizeof(IROp));
        blk->ops = poisoned;
    }
    int bx_j = interp_run(cpu, blk);
    blk->ops = own_ops;
    free(poisoned);
    /* Native direct-branch exits name their block for the dispatcher's
     * chaining; the interpreter has no such field to set. */
    if (bx_slot(bx_j) >= 0)
        cr_assert_eq(cpu->jit_last, (const void *)blk, "%s: jit_last is not the exiting block", what);
    cpu->jit_last = ref->jit_last;
    /* Scratch of generated code (call_abs parks R9 and R10 there). */
    memcpy(ref->jit_save, cpu->jit_save, sizeof(cpu->jit_save));
    /* tlb_refill's MMIO load leaves its value and entry there (memory/tlb.c). */
    ref->mmio_val = cpu->mmio_val;
    ref->mmio_addend = cpu->mmio_addend;
    /* Locked stores count by the host access that made them (the JIT makes
     * byte elements one access where it can): a sweep hint, not state. */
    ref->mem_locked = cpu->mem_locked;
    /* stats.jit counts what only generated code does (fallback calls, TLB
     * slow paths): the interpreter must leave it alone, the JIT's counts are
     * kept for the tests to check, and it is left out of the comparison. */
    cr_assert(!memcmp(&ref->stats.jit, &snap->stats.jit, sizeof(snap->stats.jit)),
              "%s: the interpreter changed stats.jit", what);
    for (int k = 0; k < IR_NUM_OPS; k++)
        ran_fallback[k] = cpu->stats.jit.fallback[k] - snap->stats.jit.fallback[k];
    ran_mem_slow = cpu->stats.jit.mem_slow - snap->stats.jit.mem_slow;
    ran_mem_refill = cpu->stats.jit.mem_refill - snap->stats.jit.mem_refill;
    ran_mem_armed = cpu->stats.jit.mem_armed - snap->stats.jit.mem_armed;
    ref->stats.jit = cpu->stats.jit;
    expect_same(bx_i, bx_j, blk, what);
    return bx_j;
}

static inline uint64_t scratch_addr(void)
{
    switch (rnd() % 8) {
    case 0: return SCR_PA + 0x1000 - 1 - rnd() % 7;    /* crossing a page */
    case 1: return 0x1000 + (rnd() & 0xfff);            /* nothing mapped: abort */
    case 2: return SCR_PA + (rnd() % (SCR_LEN - 16));   /* any alignment */
    default: return SCR_PA + ((rnd() % (SCR_LEN - 16)) & ~7ull);
    }
}

/* Put the guest in one of the regimes the inline TLB path indexes. */
static inline void random_regime(void)
{
    uint32_t old = cpu->pstate;
    uint32_t el = rnd() % 3 == 0 ? 0 : 1;
    cpu->pstate = (cpu->pstate & ~(3u << PSTATE_EL_SHIFT) & ~PSTATE_PAN) | el << PSTATE_EL_SHIFT |
                  ((rnd() & 1) ? PSTATE_PAN : 0);
    cpu_sync_sp(cpu, old);
    if (rnd() % 4 == 0)
        tlb_flush(cpu);
}

/* ---- self-loops (test_jit_loop.c, test_jit_vcache.c) ---- */

#define LOOP_PC 0x40001000ull

/* A copy of a block's IR, for the reference run of the IR as built. */
static inline void copy_block(IRBlock *to, const IRBlock *from)
{
    ir_block_init(to, from->pc);
    to->ops = realloc(to->ops, (from->nops + 1) * sizeof(IROp));
    cr_assert_not_null(to->ops);
    memcpy(to->ops, from->ops, from->nops * sizeof(IROp));
    to->nops = to->cap = from->nops;
    to->ntemps = from->ntemps;
    to->ninsns = from->ninsns;
    to->n1 = from->n1;
    to->pc2 = from->pc2;
}

/* The interpreter with the chained entry's rule: a block whose branch
 * through `slot` goes back to its own start runs again if no request is pending
 * and the budget has its ninsns. */
static inline int interp_loop(IRBlock *orig, int slot)
{
    int bx = interp_run(cpu, orig);
    for (;;) {
        if (bx != (slot ? BX_SLOT1 : BX_SLOT0) || cpu->pc != orig->pc)
            return bx;
        if (atomic_load(&cpu->request))
            return BX_EXIT;
        if ((int32_t)(cpu->chain_budget - orig->ninsns) < 0)
            return BX_EXIT;
        cpu->chain_budget -= orig->ninsns;
        bx = interp_run(cpu, orig);
    }
}

/* blk (compiled, its slot chained to itself) against orig (the IR as built)
 * on interp_loop, from the same state: same exit, state and scratch RAM. */
static inline void run_loop_both(IRBlock *orig, IRBlock *blk, int slot, const char *what)
{
    uint8_t *ram = test_ram(tm, SCR_PA, SCR_LEN);
    memcpy(snap, cpu, sizeof(*cpu));
    memcpy(ram_snap, ram, SCR_LEN);
    int bx_i = interp_loop(orig, slot);
    memcpy(ref, cpu, sizeof(*cpu));
    memcpy(ram_ref, ram, SCR_LEN);
    memcpy(cpu, snap, sizeof(*cpu));
    memcpy(ram, ram_snap, SCR_LEN);
    int bx_j = jit_run(cpu, blk);
    cpu->jit_last = ref->jit_last;
    memcpy(ref->jit_save, cpu->jit_save, sizeof(cpu->jit_save));
    /* tlb_refill's MMIO load leaves its value and entry there (memory/tlb.c). */
    ref->mmio_val = cpu->mmio_val;
    ref->mmio_addend = cpu->mmio_addend;
    ref->mem_locked = cpu->mem_locked;
    ref->stats.jit = cpu->stats.jit;
    expect_same(bx_i, bx_j, orig, what);
}

/* One op with random inputs (or `in`, if not NULL), its result in X0, then EXIT. */
/* An input temp holding v: a constant or a guest register (x10 + i). */
static inline IRTemp input(IRBlock *blk, int i, uint64_t v)
{
    if (rnd() & 1)
        return ir_const(blk, v);
    cpu->x[10 + i] = v;
    return ir_emit(blk, IR_GET_REG, 8, 0, IR_NO_TEMP, IR_NO_TEMP, IR_NO_TEMP, 0, (uint64_t)(10 + i));
}

#endif
