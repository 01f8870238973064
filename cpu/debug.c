/* Arm self-hosted debug exceptions at EL1/EL0 and the translator/TLB/
 * dispatcher hooks that gdb's breakpoints, watchpoints and stepping share.
 *
 * - Hardware breakpoints (DBGBCR/DBGBVR, unlinked address match): with any
 *   enabled and MDSCR_EL1.MDE set, the core translates with TBF_HWBP and
 *   every instruction starts with a call that compares pc with this core's
 *   registers (blocks are shared by all cores, the registers are not).
 * - gdb breakpoints are machine-wide, so they are checked when a block is
 *   translated: the block ends before one, and one at a block's start
 *   becomes a call that stops the machine, then an exit to the same pc.
 * - Watchpoints: pages they overlap get the MMIO tag bit in the TLB, so
 *   their accesses take the slow path, which checks the exact byte range.
 * - Software step: MDSCR_EL1.SS makes one-instruction, interpreted blocks
 *   (TBF_STEP) and the dispatcher runs the step state machine.
 * Thread rules: see debug.h. */
#include "debug.h"

#include "../smp/gdbstub.h"
#include "../smp/machine.h"
#include "../sync/tcache.h"
#include "sysreg.h"
#include "translate.h"

#define MDSCR_SS (1ull << 0)
#define MDSCR_KDE (1ull << 13)
#define MDSCR_MDE (1ull << 15)
/* DBGBVR/DBGWVR hold VA[48:2]; the bits above are a sign extension. */
#define DBG_VA_MASK 0x0001fffffffffffcull
/* ESR ISS: IFSC/DFSC "debug exception" */
#define ISS_DEBUG 0x22u
#define DBG_PAGE (1ull << TLB_PAGE_BITS)

/* OS lock or OS double lock set: no debug exception but BRK. */
static bool debug_locked(const CPUState *cpu) { return (cpu->oslk & 1) || (cpu->osdlr_el1 & 1); }

/* Debug exceptions enabled at the current EL (no EL2/EL3, Non-secure):
 * always at EL0, at EL1 only with MDSCR_EL1.KDE and PSTATE.D clear. */
static bool debug_enabled_here(const CPUState *cpu)
{
    if (debug_locked(cpu))
        return false;
    if (cpu_el(cpu) == 0)
        return true;
    return (cpu->mdscr_el1 & MDSCR_KDE) && !(cpu->pstate & PSTATE_D);
}

/* PMC/PAC (with HMC = 0, SSC = 0b00 or 0b11 as Linux writes them): bit 0
 * matches at EL1, bit 1 at EL0. */
static bool priv_match(unsigned pmc, int el) { return el == 0 ? (pmc & 2) != 0 : (pmc & 1) != 0; }

static bool bp_matches(const CPUState *cpu, int i, uint64_t pc, int el)
{
    uint64_t bcr = cpu->dbgbcr[i];
    if (!(bcr & 1) || (bcr >> 20 & 15) != 0 || !((bcr >> 5) & 15)) /* enabled, unlinked address match, BAS */
        return false;
    if (!priv_match((unsigned)(bcr >> 1) & 3, el))
        return false;
    return ((pc ^ cpu->dbgbvr[i]) & DBG_VA_MASK) == 0;
}

static bool any_bp(const CPUState *cpu)
{
    for (int i = 0; i < DBG_NUM_BP; i++)
        if ((cpu->dbgbcr[i] & 1) && (cpu->dbgbcr[i] >> 20 & 15) == 0)
            return true;
    return false;
}

/* The byte range [*lo, *hi] a watchpoint covers, with its byte-select mask
 * (bit k: byte (*lo & ~7) + k) when no address MASK is used. */
static bool wp_range(const CPUState *cpu, int i, uint64_t *lo, uint64_t *hi, unsigned *bas)
{
    uint64_t wcr = cpu->dbgwcr[i];
    if (!(wcr & 1))
        return false;
    unsigned mask = (unsigned)(wcr >> 24) & 31;
    uint64_t a = cpu->dbgwvr[i] & DBG_VA_MASK;
    if (mask >= 3) {
        *lo = a & ~((1ull << mask) - 1);
        *hi = *lo + (1ull << mask) - 1;
        *bas = 0xff;
        return true;
    }
    unsigned b = (unsigned)(wcr >> 5) & 0xff;
    if (a & 4) /* a word-aligned address selects with BAS[3:0] */
        b = (b & 0xf) << 4;
    if (!b)
        return false;
    *lo = a & ~7ull;
    *hi = *lo + 7;
    *bas = b;
    return true;
}

static bool any_wp(const CPUState *cpu)
{
    uint64_t lo, hi;
    unsigned bas;
    for (int i = 0; i < DBG_NUM_WP; i++)
        if (wp_range(cpu, i, &lo, &hi, &bas))
            return true;
    return false;
}

/* Does guest watchpoint i match an access of [va, va + size) at el? */
static bool wp_matches(const CPUState *cpu, int i, uint64_t va, uint64_t size, bool write, bool rmw, int el)
{
    uint64_t lo, hi;
    unsigned bas;
    if (!wp_range(cpu, i, &lo, &hi, &bas))
        return false;
    uint64_t wcr = cpu->dbgwcr[i];
    unsigned lsc = (unsigned)(wcr >> 3) & 3; /* bit 0: loads, bit 1: stores */
    if (!priv_match((unsigned)(wcr >> 1) & 3, el) || !(rmw ? lsc : write ? (lsc & 2) : (lsc & 1)))
        return false;
    for (uint64_t k = 0; k < size; k++) {
        uint64_t b = (va + k) & (DBG_VA_MASK | 3);
        if (b >= lo && b <= hi && (bas >> (b & 7) & 1))
            return true;
    }
    return false;
}

void debug_update(CPUState *cpu)
{
    Machine *m = cpu->machine;
    bool locked = debug_locked(cpu), mde = (cpu->mdscr_el1 & MDSCR_MDE) && !locked;
    uint32_t f = 0;
    if (cpu->gdb_step || cpu->gdb_skip_bp || ((cpu->mdscr_el1 & MDSCR_SS) && !locked))
        f |= TBF_STEP;
    if (cpu->gdb_skip_bp)
        f |= TBF_NOGDBBP;
    if (mde && any_bp(cpu))
        f |= TBF_HWBP;
    if (cpu->pmu.count_br) /* not debug, but a translation flag too (cpu/pmu.c) */
        f |= TBF_PMUBR;
    bool wp = (mde && any_wp(cpu)) || (m && m->gdb && gdb_has_wp(m));
    cpu->dbg_tbf = f;
    /* Watched pages are chosen at TLB fill: refill after any change (the
     * registers change rarely; Linux writes them at context switch only
     * for tasks that use them). */
    if (wp || cpu->dbg_wp_any)
        tlb_flush(cpu);
    cpu->dbg_wp_any = wp;
}

/* ---------------- translation ---------------- */

bool debug_translate_insn(DisasCtx *s, uint32_t i)
{
    Machine *m = s->cpu->machine;
    if (m && m->gdb && !(i == 0 && (s->tb_flags & TBF_NOGDBBP)) && gdb_bp_at(m, s->pc)) {
        if (i > 0)
            return false;
        /* The block is just the stop: pc stays at the breakpoint. */
        ir_emit(s->b, IR_INSN_START, 8, 0, IR_NO_TEMP, IR_NO_TEMP, IR_NO_TEMP, 0, s->pc);
        s->b->ninsns++;
        t_call(s, HELPER_gdb_bp, 0, IR_NO_TEMP, IR_NO_TEMP, IR_NO_TEMP, s->pc);
        gen_exit(s, s->pc);
        return true;
    }
    return true;
}

uint64_t helper_gdb_bp(CPUState *cpu, uint64_t a, uint64_t b, uint64_t c, uint64_t pc)
{
    (void)a, (void)b, (void)c, (void)pc;
    /* The block was counted whole (one instruction) when entered, but the
     * breakpointed instruction has not run: give it back, so that -stats
     * and -det's exact points do not see gdb's stops. */
    cpu->chain_budget += 1;
    gdb_vcpu_hit(cpu, GDB_STOP_BP, 0);
    return 0;
}

/* Emitted before every instruction of a TBF_HWBP block (imm = its pc). */
uint64_t helper_debug_insn(CPUState *cpu, uint64_t a, uint64_t b, uint64_t c, uint64_t pc)
{
    (void)a, (void)b, (void)c;
    if (!(cpu->mdscr_el1 & MDSCR_MDE) || !debug_enabled_here(cpu))
        return 0;
    int el = cpu_el(cpu);
    for (int i = 0; i < DBG_NUM_BP; i++) {
        if (bp_matches(cpu, i, pc, el)) {
            cpu_raise(cpu, EXC_BKPT, ISS_DEBUG, 0);
            return 0;
        }
    }
    return 0;
}

/* ---------------- watchpoints ---------------- */

bool debug_page_watched(CPUState *cpu, uint64_t vpage)
{
    Machine *m = cpu->machine;
    if (m && m->gdb && gdb_page_watched(m, vpage))
        return true;
    if (!(cpu->mdscr_el1 & MDSCR_MDE) || debug_locked(cpu))
        return false;
    uint64_t p = vpage & (DBG_VA_MASK | 3) & TLB_PAGE_MASK;
    for (int i = 0; i < DBG_NUM_WP; i++) {
        uint64_t lo, hi;
        unsigned bas;
        if (wp_range(cpu, i, &lo, &hi, &bas) && lo <= p + DBG_PAGE - 1 && hi >= p)
            return true;
    }
    return false;
}

bool debug_check_watch(CPUState *cpu, uint64_t va, uint64_t size, bool write, bool rmw)
{
    Machine *m = cpu->machine;
    uint64_t hit;
    if (m && m->gdb && !cpu->gdb_skip_bp && gdb_watch_hit(m, va, size, write, rmw, &hit)) {
        /* Stop before the access, as Arm watchpoints do (gdb steps over
         * it with the watchpoint removed): no exception, pc unchanged. */
        gdb_vcpu_hit(cpu, GDB_STOP_WATCH, hit);
        cpu->exc_pending = true;
        cpu->gdb_watch_stop = true; /* the dispatcher gives back the unrun rest, from pc */
        return false;
    }
    if (!(cpu->mdscr_el1 & MDSCR_MDE) || !debug_enabled_here(cpu))
        return true;
    int el = cpu_el(cpu);
    for (int i = 0; i < DBG_NUM_WP; i++) {
        if (wp_matches(cpu, i, va, size, write, rmw, el)) {
            cpu_raise(cpu, EXC_WATCH, (write || rmw ? 1u << 6 : 0) | ISS_DEBUG, va);
            return false;
        }
    }
    return true;
}

/* ---------------- software step ---------------- */

static bool guest_step_active(const CPUState *cpu) { return (cpu->mdscr_el1 & MDSCR_SS) && debug_enabled_here(cpu); }

bool debug_before_block(CPUState *cpu)
{
    cpu->dbg_step_guest = false;
    if (!cpu->gdb_step && guest_step_active(cpu)) {
        if (!(cpu->pstate & PSTATE_SS)) {
            /* Active-pending: the step exception comes before any
             * instruction. ISV (and EX) only when an instruction was just
             * stepped, not after an ERET with SPSR.SS = 0. */
            uint32_t iss = ISS_DEBUG;
            if (cpu->dbg_step_done)
                iss |= 1u << 24 | (cpu->dbg_step_ex ? 1u << 6 : 0);
            cpu->dbg_step_done = false;
            cpu_raise(cpu, EXC_SSTEP, iss, 0);
            cpu->exc_pending = false;
            return true;
        }
        cpu->dbg_step_guest = true; /* active-not-pending: step one instruction */
    }
    cpu->dbg_step_done = false;
    cpu->dbg_step_seq = cpu->dbg_exc_seq;
    return false;
}

void debug_after_block(CPUState *cpu, const TBlock *tb)
{
    Machine *m = cpu->machine;
    if (cpu->dbg_step_guest) {
        cpu->dbg_step_guest = false;
        /* Completed without an exception: PSTATE.SS = 0 (active-pending).
         * An exception entry saved SS in SPSR and cleared it already. */
        if (cpu->dbg_exc_seq == cpu->dbg_step_seq && !cpu->excl_wait && !cpu->sleeping) {
            const uint32_t *insn = tb ? phys_ram_ptr(&m->pm, tb->pa, 4) : NULL;
            cpu->pstate &= ~PSTATE_SS;
            cpu->dbg_step_done = true;
            /* LDXR, LDAXR, LDXP, LDAXP: ESR.EX = 1 */
            cpu->dbg_step_ex = insn && (*insn & 0x3fc00000u) == 0x08400000u;
        }
    }
    bool report = cpu->gdb_step && !cpu->excl_wait;
    if (cpu->gdb_skip_bp || report) {
        cpu->gdb_skip_bp = false;
        if (report)
            cpu->gdb_step = false;
        debug_update(cpu);
    }
    if (report)
        gdb_vcpu_hit(cpu, GDB_STOP_STEP, 0);
}

/* ---------------- registers ---------------- */

#define E SYSREG_ENC

static uint64_t *dbg_field(CPUState *cpu, const SysRegDef *r) { return (uint64_t *)((char *)cpu + r->offset); }
static uint64_t rd_dbg(CPUState *cpu, const SysRegDef *r) { return *dbg_field(cpu, r); }
/* Writes that change which breakpoints, watchpoints or steps are live. */
static void wr_dbg(CPUState *cpu, const SysRegDef *r, uint64_t v)
{
    *dbg_field(cpu, r) = v & r->value;
    debug_update(cpu);
}
static void wr_oslar(CPUState *cpu, const SysRegDef *r, uint64_t v)
{
    (void)r;
    cpu->oslk = v & 1;
    debug_update(cpu);
}

/* DBGBCR: E PMC BAS HMC SSC LBN BT; DBGWCR: E PAC LSC BAS HMC SSC LBN WT MASK. */
#define BCR_WMASK 0x00ffe1e7ull
#define WCR_WMASK 0x1f1fffffull
#define VR_WMASK (~3ull)
#define BP(n)                                                                                                   \
    {E(2, 0, 0, n, 4), SR_RW1 | SR_EXIT, "DBGBVR" #n "_EL1", NULL, rd_dbg, wr_dbg, offsetof(CPUState, dbgbvr[n]), \
     VR_WMASK},                                                                                                 \
    {E(2, 0, 0, n, 5), SR_RW1 | SR_EXIT, "DBGBCR" #n "_EL1", NULL, rd_dbg, wr_dbg, offsetof(CPUState, dbgbcr[n]), BCR_WMASK}
#define WP(n)                                                                                                   \
    {E(2, 0, 0, n, 6), SR_RW1 | SR_EXIT, "DBGWVR" #n "_EL1", NULL, rd_dbg, wr_dbg, offsetof(CPUState, dbgwvr[n]), \
     VR_WMASK},                                                                                                 \
    {E(2, 0, 0, n, 7), SR_RW1 | SR_EXIT, "DBGWCR" #n "_EL1", NULL, rd_dbg, wr_dbg, offsetof(CPUState, dbgwcr[n]), WCR_WMASK}

static const SysRegDef debug_regs[] = {
    BP(0), BP(1), BP(2), BP(3), BP(4), BP(5),
    WP(0), WP(1), WP(2), WP(3),
    {E(2, 0, 0, 2, 2), SR_RW1 | SR_EXIT, "MDSCR_EL1", NULL, rd_dbg, wr_dbg, offsetof(CPUState, mdscr_el1), 0xffffffffull},
    {E(2, 0, 1, 3, 4), SR_RW1 | SR_EXIT, "OSDLR_EL1", NULL, rd_dbg, wr_dbg, offsetof(CPUState, osdlr_el1), 1},
    {E(2, 0, 1, 0, 4), SR_W1 | SR_EXIT, "OSLAR_EL1", NULL, NULL, wr_oslar, 0, 0},
};

void debug_register_sysregs(void)
{
    sysreg_register(debug_regs, (int)(sizeof(debug_regs) / sizeof(debug_regs[0])));
}
