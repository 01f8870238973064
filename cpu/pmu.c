/* PMUv3 (docs/pmu.md): the registers and the lazy counters.
 *
 * Every counter that counts INST_RETIRED or CPU_CYCLES (1 cycle per
 * instruction: the cycles model) advances by the instructions the core ran
 * since the last sync, if the counter is enabled and its filter allows the
 * EL those instructions ran at (pmu.count_el). EXC_TAKEN is noted by
 * cpu_raise and added at the next sync, EXC_RETURN by helper_eret, SW_INCR
 * by a write of PMSWINC_EL0.
 *
 * A register access sees the state at the boundary before the accessing
 * instruction: MRS/MSR of a PMU register end their block, so the dispatcher's
 * count, which includes the whole current block, minus one is exact.
 *
 * Thread rules: owner vCPU only (the accessors run from helper_mrs /
 * helper_msr or a debugger on the core's own thread), except
 * pmu_register_sysregs and pmu_init (main thread, start-up). */
#include <stddef.h>
#include <string.h>

#include "cpu.h"
#include "debug.h"
#include "pmu.h"
#include "sysreg.h"
#include "translate.h"

/* PMCR_EL0 */
#define PMCR_E (1u << 0)
#define PMCR_P (1u << 1)
#define PMCR_C (1u << 2)
#define PMCR_D (1u << 3)
#define PMCR_X (1u << 4)
#define PMCR_DP (1u << 5)
#define PMCR_LC (1u << 6)
#define PMCR_WMASK (PMCR_E | PMCR_D | PMCR_X | PMCR_DP | PMCR_LC)
/* IMP = Arm (0x41), IDCODE = Cortex-A57 (0x01), N = 6 */
#define PMCR_ID (0x41u << 24 | 0x01u << 16 | (uint32_t)PMU_NCOUNTERS << 11)

#define CCNT_BIT (1u << 31)
#define CNT_MASK (CCNT_BIT | ((1u << PMU_NCOUNTERS) - 1))

/* PMEVTYPER / PMCCFILTR: P (no EL1), U (no EL0). NSK, NSU, NSH and M are
 * RES0 without EL2 and EL3; v8.0 event numbers have 10 bits. */
#define EVT_P (1u << 31)
#define EVT_U (1u << 30)
#define EVTYPER_WMASK (EVT_P | EVT_U | 0x3ffu)
#define CCFILTR_WMASK (EVT_P | EVT_U)

/* PMCEID0: exactly the common events counted here. */
#define PMCEID0_VALUE                                                                              \
    (1u << PMU_EV_SW_INCR | 1u << PMU_EV_INST_RETIRED | 1u << PMU_EV_EXC_TAKEN |                  \
     1u << PMU_EV_EXC_RETURN | 1u << PMU_EV_CPU_CYCLES)

/* PMUSERENR_EL0 */
#define UEN_EN (1u << 0)
#define UEN_SW (1u << 1)
#define UEN_CR (1u << 2)
#define UEN_ER (1u << 3)

/* ---------------- counting ---------------- */

/* The core's instruction count at the boundary before the instruction being
 * executed. Inside a block the dispatcher has already counted the whole block
 * (chain_budget0 != chain_budget), and a PMU access is its block's last
 * instruction; at a safe point (dispatcher, debugger) nothing is in flight. */
static uint64_t insns_now(const CPUState *cpu)
{
    uint64_t n = cpu->stats.insns + (uint64_t)((int64_t)cpu->chain_budget0 - cpu->chain_budget);
    return cpu->chain_budget0 != cpu->chain_budget ? n - 1 : n;
}

static bool filter_allows(uint32_t type, int el)
{
    return !(type & (el ? EVT_P : EVT_U));
}

/* Event counter i, 32 bits: add n, set its overflow bit on a wrap. */
static void evcnt_add(PMUState *p, int i, uint64_t n)
{
    uint64_t v = (uint64_t)p->evcnt[i] + n;
    if (v >> 32)
        p->ovs |= 1u << i;
    p->evcnt[i] = (uint32_t)v;
}

/* The cycle counter: n cycles, through the divider if PMCR.D. It overflows
 * at 2^64 with PMCR.LC, else when bit 31 carries out. */
static void ccnt_add(PMUState *p, uint64_t n)
{
    if (p->pmcr & PMCR_D) {
        uint64_t c = p->ccnt_div + n;
        p->ccnt_div = (uint32_t)(c & 63);
        n = c >> 6;
    }
    if (!n)
        return;
    uint64_t old = p->ccnt, v = old + n;
    bool wrap = (p->pmcr & PMCR_LC) ? (v < old) : (((old & 0xffffffffull) + n) >> 32) != 0;
    if (wrap)
        p->ovs |= CCNT_BIT;
    p->ccnt = v;
}

static bool counting(const PMUState *p, int i)
{
    return (p->pmcr & PMCR_E) && (p->cnten & (1u << i));
}

/* Owner only. Instructions (and cycles) until the first interrupt-enabled
 * counter running at the current EL overflows; 0 if none. */
static uint64_t overflow_distance(const PMUState *p, int el)
{
    if (!(p->pmcr & PMCR_E))
        return 0;
    uint64_t best = 0;
    uint32_t live = p->cnten & p->inten;
    for (int i = 0; i < PMU_NCOUNTERS; i++) {
        uint32_t ev = p->evtyper[i] & 0x3ff;
        /* BR_RETIRED: a branch is at least one instruction, so it cannot
         * wrap sooner; at that point the next sync sets a nearer deadline. */
        if (!(live & (1u << i)) || !filter_allows(p->evtyper[i], el) ||
            (ev != PMU_EV_INST_RETIRED && ev != PMU_EV_CPU_CYCLES && ev != PMU_EV_BR_RETIRED))
            continue;
        uint64_t d = (1ull << 32) - p->evcnt[i];
        if (!best || d < best)
            best = d;
    }
    if ((live & CCNT_BIT) && filter_allows(p->ccfiltr, el)) {
        uint64_t d = (p->pmcr & PMCR_LC) ? -p->ccnt : (1ull << 32) - (p->ccnt & 0xffffffffull);
        if (!d) /* LC and ccnt == 0: 2^64 cycles away */
            d = UINT64_MAX;
        if (p->pmcr & PMCR_D)
            d = d > (UINT64_MAX >> 6) ? UINT64_MAX : (d << 6) - p->ccnt_div;
        if (!best || d < best)
            best = d;
    }
    return best;
}

/* Owner only. Drive PPI 23 from PMOVSSET & PMINTENSET (and PMCR.E, as QEMU). */
static void update_irq(PMUState *p)
{
    bool level = (p->pmcr & PMCR_E) && (p->ovs & p->inten);
    if (level != p->irq_level) {
        p->irq_level = level;
        irq_set(&p->irq, level);
    }
}

/* Owner only. Recompute what depends on the configuration and the EL. */
static void settle(CPUState *cpu)
{
    PMUState *p = &cpu->pmu;
    p->active = (p->pmcr & PMCR_E) && (p->cnten & CNT_MASK);
    bool br = false;
    for (int i = 0; p->active && i < PMU_NCOUNTERS; i++)
        br |= counting(p, i) && (p->evtyper[i] & 0x3ff) == PMU_EV_BR_RETIRED;
    if (br != p->count_br) {
        /* Blocks that count branches only while a counter wants them: the
         * translation flag comes with the debug ones (cpu->dbg_tbf). */
        p->count_br = br;
        debug_update(cpu);
    }
    p->count_el = (uint8_t)cpu_el(cpu);
    uint64_t d = p->active ? overflow_distance(p, p->count_el) : 0;
    p->deadline = d ? (d > UINT64_MAX - p->synced_insns ? UINT64_MAX : p->synced_insns + d) : 0;
    update_irq(p);
}

/* Owner only. Count everything since the last sync at `now`. */
static void sync_at(CPUState *cpu, uint64_t now)
{
    PMUState *p = &cpu->pmu;
    uint64_t n = now - p->synced_insns;
    int el = p->count_el;
    if (p->pmcr & PMCR_E) {
        for (int i = 0; i < PMU_NCOUNTERS; i++) {
            if (!counting(p, i))
                continue;
            uint32_t t = p->evtyper[i], ev = t & 0x3ff;
            if ((ev == PMU_EV_INST_RETIRED || ev == PMU_EV_CPU_CYCLES) && filter_allows(t, el))
                evcnt_add(p, i, n);
            else if (ev == PMU_EV_BR_RETIRED && filter_allows(t, el))
                evcnt_add(p, i, p->br - p->synced_br);
            else if (ev == PMU_EV_EXC_TAKEN)
                for (int from = 0; from < 2; from++)
                    if (p->exc_from[from] && filter_allows(t, from))
                        evcnt_add(p, i, p->exc_from[from]);
        }
        if ((p->cnten & CCNT_BIT) && filter_allows(p->ccfiltr, el))
            ccnt_add(p, n);
    }
    p->exc_from[0] = p->exc_from[1] = 0;
    p->synced_insns = now;
    p->synced_br = p->br;
    settle(cpu);
}

void pmu_sync(CPUState *cpu)
{
    sync_at(cpu, insns_now(cpu));
}

void pmu_exception_return(CPUState *cpu, int from_el)
{
    PMUState *p = &cpu->pmu;
    /* The ERET itself ran at from_el: it is the last instruction of its
     * block, so the dispatcher's count (insns_now + 1) includes it. */
    uint64_t now = insns_now(cpu) + (cpu->chain_budget0 != cpu->chain_budget ? 1 : 0);
    p->count_el = (uint8_t)from_el;
    sync_at(cpu, now);
    for (int i = 0; i < PMU_NCOUNTERS; i++)
        if (counting(p, i) && (p->evtyper[i] & 0x3ff) == PMU_EV_EXC_RETURN && filter_allows(p->evtyper[i], from_el))
            evcnt_add(p, i, 1);
    settle(cpu);
}

/* ---------------- registers ---------------- */

/* EL0 access classes (SysRegDef.offset of the PMU entries): which
 * PMUSERENR_EL0 bits besides EN allow the access at EL0. */
enum { ACC_EN, ACC_SW, ACC_CR, ACC_ER };

static uint32_t trap_iss(uint32_t enc, bool is_read, int rt)
{
    uint32_t op0 = enc >> 14 & 3, op1 = enc >> 11 & 7, crn = enc >> 7 & 15, crm = enc >> 3 & 15, op2 = enc & 7;
    return op0 << 20 | op2 << 17 | op1 << 14 | crn << 10 | (uint32_t)rt << 5 | crm << 1 | (is_read ? 1u : 0u);
}

/* EL0 access per PMUSERENR_EL0: EN allows everything; SW also PMSWINC
 * writes, CR cycle-counter reads, ER event-counter reads and PMSELR.
 * Denied: trapped to EL1 with EC 0x18. */
static bool chk_pmu(CPUState *cpu, const SysRegDef *r, bool is_read, int rt)
{
    if (cpu_el(cpu) > 0)
        return true;
    uint32_t u = cpu->pmu.userenr;
    bool ok = u & UEN_EN;
    switch (r->offset) {
    case ACC_SW:
        ok = ok || (u & UEN_SW);
        break;
    case ACC_CR:
        ok = ok || (is_read && (u & UEN_CR));
        break;
    case ACC_ER:
        ok = ok || ((is_read || r->enc == SYSREG_ENC(3, 3, 9, 12, 5)) && (u & UEN_ER));
        break;
    default:
        break;
    }
    if (!ok)
        cpu_raise(cpu, EXC_SYSREG_TRAP, trap_iss(r->enc, is_read, rt), 0);
    return ok;
}

/* Register identities (SysRegDef.value). */
enum {
    R_PMCR, R_CNTENSET, R_CNTENCLR, R_OVSCLR, R_SWINC, R_SELR, R_CEID0, R_CEID1, R_CCNTR, R_XEVTYPER,
    R_XEVCNTR, R_USERENR, R_INTENSET, R_INTENCLR, R_OVSSET, R_CCFILTR,
    R_EVCNTR0 = 0x100,   /* + n */
    R_EVTYPER0 = 0x200,  /* + n */
};

/* Counter n's type (n = 31: PMCCFILTR), 0 for a counter that does not exist. */
static uint64_t type_read(const PMUState *p, uint32_t n)
{
    return n == 31 ? p->ccfiltr : n < PMU_NCOUNTERS ? p->evtyper[n] : 0;
}

static void type_write(PMUState *p, uint32_t n, uint64_t v)
{
    if (n == 31)
        p->ccfiltr = (uint32_t)v & CCFILTR_WMASK;
    else if (n < PMU_NCOUNTERS)
        p->evtyper[n] = (uint32_t)v & EVTYPER_WMASK;
}

static uint64_t pmu_read(CPUState *cpu, const SysRegDef *r)
{
    PMUState *p = &cpu->pmu;
    pmu_sync(cpu);
    uint32_t id = (uint32_t)r->value;
    if (id >= R_EVTYPER0)
        return type_read(p, id - R_EVTYPER0);
    if (id >= R_EVCNTR0)
        return p->evcnt[id - R_EVCNTR0];
    switch (id) {
    case R_PMCR:
        return PMCR_ID | p->pmcr;
    case R_CNTENSET:
    case R_CNTENCLR:
        return p->cnten;
    case R_INTENSET:
    case R_INTENCLR:
        return p->inten;
    case R_OVSSET:
    case R_OVSCLR:
        return p->ovs;
    case R_SELR:
        return p->selr;
    case R_CEID0:
        return PMCEID0_VALUE;
    case R_CEID1:
        return 1u << (PMU_EV_BR_RETIRED - 32);
    case R_CCNTR:
        return p->ccnt;
    case R_XEVTYPER:
        return type_read(p, p->selr);
    case R_XEVCNTR:
        /* SEL = 31 or a counter that does not exist: RAZ/WI (one of the
         * CONSTRAINED UNPREDICTABLE choices). */
        return p->selr < PMU_NCOUNTERS ? p->evcnt[p->selr] : 0;
    case R_USERENR:
        return p->userenr;
    case R_CCFILTR:
        return p->ccfiltr;
    default:
        return 0;
    }
}

static void pmu_write(CPUState *cpu, const SysRegDef *r, uint64_t v)
{
    PMUState *p = &cpu->pmu;
    pmu_sync(cpu); /* count up to here with the old configuration */
    uint32_t id = (uint32_t)r->value, w = (uint32_t)v;
    if (id >= R_EVTYPER0) {
        type_write(p, id - R_EVTYPER0, v);
    } else if (id >= R_EVCNTR0) {
        p->evcnt[id - R_EVCNTR0] = w;
    } else {
        switch (id) {
        case R_PMCR:
            if (w & PMCR_P)
                memset(p->evcnt, 0, sizeof(p->evcnt));
            if (w & PMCR_C) {
                p->ccnt = 0;
                p->ccnt_div = 0;
            }
            p->pmcr = w & PMCR_WMASK;
            break;
        case R_CNTENSET:
            p->cnten |= w & CNT_MASK;
            break;
        case R_CNTENCLR:
            p->cnten &= ~w;
            break;
        case R_INTENSET:
            p->inten |= w & CNT_MASK;
            break;
        case R_INTENCLR:
            p->inten &= ~w;
            break;
        case R_OVSSET:
            p->ovs |= w & CNT_MASK;
            break;
        case R_OVSCLR:
            p->ovs &= ~w;
            break;
        case R_SWINC:
            for (int i = 0; i < PMU_NCOUNTERS; i++)
                if ((w & (1u << i)) && counting(p, i) && (p->evtyper[i] & 0x3ff) == PMU_EV_SW_INCR &&
                    filter_allows(p->evtyper[i], cpu_el(cpu)))
                    evcnt_add(p, i, 1);
            break;
        case R_SELR:
            p->selr = w & 31;
            break;
        case R_CCNTR:
            p->ccnt = v;
            break;
        case R_XEVTYPER:
            type_write(p, p->selr, v);
            break;
        case R_XEVCNTR:
            if (p->selr < PMU_NCOUNTERS)
                p->evcnt[p->selr] = w;
            break;
        case R_USERENR:
            p->userenr = w & 0xf;
            break;
        case R_CCFILTR:
            p->ccfiltr = w & CCFILTR_WMASK;
            break;
        default:
            break;
        }
    }
    settle(cpu); /* new enables, filters, deadline and interrupt level */
}

/* Every PMU access ends its block (SR_EXIT, SR_EXIT_READ): see insns_now. */
#define PMU_FLAGS (SR_EXIT | SR_EXIT_READ)
#define PREG(name, op1, crn, crm, op2, fl, acc, id)                                                \
    {SYSREG_ENC(3, op1, crn, crm, op2), (fl) | PMU_FLAGS, name, chk_pmu, pmu_read,                 \
     ((fl) & (SR_W0 | SR_W1)) ? pmu_write : NULL, acc, id}
#define EVCNTR(n)                                                                                  \
    PREG("PMEVCNTR" #n "_EL0", 3, 14, 8 + ((n) >> 3), (n) & 7, SR_RW01, ACC_ER, R_EVCNTR0 + (n))
#define EVTYPER(n)                                                                                 \
    PREG("PMEVTYPER" #n "_EL0", 3, 14, 12 + ((n) >> 3), (n) & 7, SR_RW01, ACC_EN, R_EVTYPER0 + (n))

static const SysRegDef pmu_regs[] = {
    PREG("PMCR_EL0", 3, 9, 12, 0, SR_RW01, ACC_EN, R_PMCR),
    PREG("PMCNTENSET_EL0", 3, 9, 12, 1, SR_RW01, ACC_EN, R_CNTENSET),
    PREG("PMCNTENCLR_EL0", 3, 9, 12, 2, SR_RW01, ACC_EN, R_CNTENCLR),
    PREG("PMOVSCLR_EL0", 3, 9, 12, 3, SR_RW01, ACC_EN, R_OVSCLR),
    PREG("PMSWINC_EL0", 3, 9, 12, 4, SR_W0 | SR_W1, ACC_SW, R_SWINC),
    PREG("PMSELR_EL0", 3, 9, 12, 5, SR_RW01, ACC_ER, R_SELR),
    PREG("PMCEID0_EL0", 3, 9, 12, 6, SR_R0 | SR_R1, ACC_EN, R_CEID0),
    PREG("PMCEID1_EL0", 3, 9, 12, 7, SR_R0 | SR_R1, ACC_EN, R_CEID1),
    PREG("PMCCNTR_EL0", 3, 9, 13, 0, SR_RW01, ACC_CR, R_CCNTR),
    PREG("PMXEVTYPER_EL0", 3, 9, 13, 1, SR_RW01, ACC_EN, R_XEVTYPER),
    PREG("PMXEVCNTR_EL0", 3, 9, 13, 2, SR_RW01, ACC_ER, R_XEVCNTR),
    /* PMUSERENR_EL0 is read-only at EL0, and always readable there. */
    {SYSREG_ENC(3, 3, 9, 14, 0), SR_R0 | SR_RW1 | PMU_FLAGS, "PMUSERENR_EL0", NULL, pmu_read, pmu_write,
     ACC_EN, R_USERENR},
    PREG("PMINTENSET_EL1", 0, 9, 14, 1, SR_RW1, ACC_EN, R_INTENSET),
    PREG("PMINTENCLR_EL1", 0, 9, 14, 2, SR_RW1, ACC_EN, R_INTENCLR),
    PREG("PMOVSSET_EL0", 3, 9, 14, 3, SR_RW01, ACC_EN, R_OVSSET),
    PREG("PMCCFILTR_EL0", 3, 14, 15, 7, SR_RW01, ACC_EN, R_CCFILTR),
    EVCNTR(0), EVCNTR(1), EVCNTR(2), EVCNTR(3), EVCNTR(4), EVCNTR(5),
    EVTYPER(0), EVTYPER(1), EVTYPER(2), EVTYPER(3), EVTYPER(4), EVTYPER(5),
};

void pmu_register_sysregs(void)
{
    sysreg_register(pmu_regs, (int)(sizeof(pmu_regs) / sizeof(pmu_regs[0])));
}

void pmu_init(CPUState *cpu, IRQLine irq)
{
    memset(&cpu->pmu, 0, sizeof(cpu->pmu));
    cpu->pmu.irq = irq;
    cpu->pmu.synced_insns = cpu->stats.insns;
}

/* Owner vCPU (generated code of a TBF_PMUBR block, before each branch
 * instruction): one more BR_RETIRED (docs/pmu.md). */
uint64_t helper_pmu_br(CPUState *cpu, uint64_t a, uint64_t b, uint64_t c, uint64_t imm)
{
    (void)a, (void)b, (void)c, (void)imm;
    cpu->pmu.br++;
    return 0;
}
