/* System registers (MRS/MSR), PSTATE field writes (MSR immediate) and SYS
 * instructions (DC/IC/TLBI). The register table below is the one list of
 * registers flotilla implements; the translator (trans_system.c) rejects
 * unknown registers and EL0 accesses to EL1 registers at translate time,
 * the helpers here do the runtime checks and the accesses.
 * Thread rules: helpers and accessors run on the owner vCPU thread; the
 * table functions follow sysreg.h. */
#include "sysreg.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <time.h>

#include "../devices/devices.h"
#include "../memory/mem.h"
#include "../smp/machine.h"
#include "../smp/workq.h"
#include "../sync/tcache.h"
#include "translate.h"

/* ---------------- runtime checks ---------------- */

/* ISS of EC 0x18 (trapped MSR/MRS/system instruction). */
static uint32_t sysreg_trap_iss(uint32_t enc, bool is_read, int rt)
{
    uint32_t op0 = enc >> 14 & 3, op1 = enc >> 11 & 7, crn = enc >> 7 & 15, crm = enc >> 3 & 15, op2 = enc & 7;
    return op0 << 20 | op2 << 17 | op1 << 14 | crn << 10 | (uint32_t)rt << 5 | crm << 1 | (is_read ? 1u : 0u);
}

/* EL0 access allowed only when an SCTLR_EL1 enable bit is set (UCT, UMA,
 * DZE, UCI): otherwise trapped to EL1 with EC 0x18. */
static bool el0_sctlr_enabled(CPUState *cpu, int bitno, uint32_t enc, bool is_read, int rt)
{
    if (cpu_el(cpu) > 0 || (cpu->sctlr_el1 >> bitno & 1))
        return true;
    cpu_raise(cpu, EXC_SYSREG_TRAP, sysreg_trap_iss(enc, is_read, rt), 0);
    return false;
}

static bool chk_uct(CPUState *cpu, const SysRegDef *r, bool is_read, int rt)
{
    return el0_sctlr_enabled(cpu, 15, r->enc, is_read, rt);
}

static bool chk_uma(CPUState *cpu, const SysRegDef *r, bool is_read, int rt)
{
    return el0_sctlr_enabled(cpu, 9, r->enc, is_read, rt);
}

/* CNTKCTL_EL1.EL0PCTEN (bit 0) / EL0VCTEN (bit 1) gate EL0 counter reads;
 * CNTFRQ_EL0 is readable at EL0 when either is set. r->value holds the mask. */
static bool chk_cntkctl(CPUState *cpu, const SysRegDef *r, bool is_read, int rt)
{
    uint64_t need = r->enc == SYSREG_ENC(3, 3, 14, 0, 1) ? 1 : r->enc == SYSREG_ENC(3, 3, 14, 0, 2) ? 2 : 3;
    if (cpu_el(cpu) > 0 || (cpu->cntkctl_el1 & need))
        return true;
    cpu_raise(cpu, EXC_SYSREG_TRAP, sysreg_trap_iss(r->enc, is_read, rt), 0);
    return false;
}

/* FPCR/FPSR follow CPACR_EL1.FPEN like FP instructions (EC 0x07; ISS has
 * CV = 1, COND = 0xE for exceptions taken from AArch64). */
static bool chk_fp(CPUState *cpu, const SysRegDef *r, bool is_read, int rt)
{
    (void)r, (void)is_read, (void)rt;
    unsigned fpen = (unsigned)(cpu->cpacr_el1 >> 20) & 3;
    if (fpen == 3 || (fpen == 1 && cpu_el(cpu) == 1))
        return true;
    cpu_raise(cpu, EXC_FP_TRAP, 1u << 24 | 0xeu << 20, 0);
    return false;
}

/* SP_EL0 is UNDEFINED at EL1 while it is the current stack pointer. */
static bool chk_sp_el0(CPUState *cpu, const SysRegDef *r, bool is_read, int rt)
{
    (void)r, (void)is_read, (void)rt;
    if (cpu->pstate & PSTATE_SP)
        return true;
    cpu_raise(cpu, EXC_UNDEF, 0, 0);
    return false;
}

/* ---------------- accessors ---------------- */

static uint64_t *field(CPUState *cpu, const SysRegDef *r) { return (uint64_t *)((char *)cpu + r->offset); }
static uint64_t rd_field(CPUState *cpu, const SysRegDef *r) { return *field(cpu, r); }
static void wr_field(CPUState *cpu, const SysRegDef *r, uint64_t v) { *field(cpu, r) = v & r->value; }
static uint64_t rd_const(CPUState *cpu, const SysRegDef *r)
{
    (void)cpu;
    return r->value;
}

/* Interrupts unmasked: have the dispatcher re-evaluate pending interrupts
 * at the next safe point (the request may have been consumed while masked).
 * Without -det a DAIF write leaves its block only when that finds an
 * interrupt pending (trans_system.c, daif_write; one raised later kicks the
 * core itself), so the request is made only then. true: it was made. */
static bool recheck_irqs(CPUState *cpu, uint32_t old_pstate)
{
    if (!(old_pstate & ~cpu->pstate & (PSTATE_A | PSTATE_I | PSTATE_F)))
        return false;
    Machine *m = cpu->machine;
    cpu->det_point = true; /* the write ends its block under -det: interrupts are taken right after it */
    if (m && !m->det && !machine_irq_pending(m, cpu->index))
        return false;
    atomic_fetch_or(&cpu->request, REQ_IRQ);
    return true;
}

/* The end of a DAIF write's helper. imm bits 63:32: the instructions after
 * it in its block, when the translator let the block go on past it
 * (daif_write): if the write made the request, the block leaves at the next
 * instruction (returns 1) and gives those back, counted on entry, as
 * helper_dsb does. */
static uint64_t daif_leave(CPUState *cpu, uint64_t imm, bool requested)
{
    if (!requested || !(imm >> 32))
        return 0;
    cpu->chain_budget += (int32_t)(uint32_t)(imm >> 32);
    return 1;
}

/* Writes that have no effect (RAZ/WI registers). */
static void wr_ignore(CPUState *cpu, const SysRegDef *r, uint64_t v) { (void)cpu, (void)r, (void)v; }

static uint64_t rd_nzcv(CPUState *cpu, const SysRegDef *r)
{
    (void)r;
    return cpu_nzcv(cpu);
}
static void wr_nzcv(CPUState *cpu, const SysRegDef *r, uint64_t v)
{
    (void)r;
    cpu->nzcv = (uint32_t)v & 0xf0000000u;
}

#define DAIF_BITS (PSTATE_D | PSTATE_A | PSTATE_I | PSTATE_F)
static uint64_t rd_daif(CPUState *cpu, const SysRegDef *r)
{
    (void)r;
    return cpu->pstate & DAIF_BITS;
}
static void wr_daif(CPUState *cpu, const SysRegDef *r, uint64_t v)
{
    (void)r;
    uint32_t old = cpu->pstate;
    cpu->pstate = (old & ~DAIF_BITS) | ((uint32_t)v & DAIF_BITS);
    cpu->daif_requested = recheck_irqs(cpu, old);
}

static uint64_t rd_currentel(CPUState *cpu, const SysRegDef *r)
{
    (void)r;
    return (uint64_t)cpu_el(cpu) << 2;
}

static uint64_t rd_spsel(CPUState *cpu, const SysRegDef *r)
{
    (void)r;
    return cpu->pstate & PSTATE_SP;
}
static void wr_spsel(CPUState *cpu, const SysRegDef *r, uint64_t v)
{
    (void)r;
    uint32_t old = cpu->pstate;
    cpu->pstate = (old & ~PSTATE_SP) | ((uint32_t)v & PSTATE_SP);
    cpu_sync_sp(cpu, old);
}

static uint64_t rd_fpcr(CPUState *cpu, const SysRegDef *r)
{
    (void)r;
    return cpu->fpcr;
}
static void wr_fpcr(CPUState *cpu, const SysRegDef *r, uint64_t v)
{
    cpu->fpcr = (uint32_t)(v & r->value);
}
static uint64_t rd_fpsr(CPUState *cpu, const SysRegDef *r)
{
    (void)r;
    return cpu->fpsr;
}
static void wr_fpsr(CPUState *cpu, const SysRegDef *r, uint64_t v)
{
    cpu->fpsr = (uint32_t)(v & r->value);
}

/* TCR_EL1, MAIR_EL1: a change of the translation controls drops the whole
 * TLB (the architecture asks for TLBI after it; flushing here is simpler
 * and safe). An unchanged value flushes nothing. */
static void wr_field_flush(CPUState *cpu, const SysRegDef *r, uint64_t v)
{
    uint64_t old = *field(cpu, r);
    wr_field(cpu, r, v);
    if (*field(cpu, r) != old)
        tlb_flush(cpu);
}

/* TTBRn_EL1: entries are ASID-tagged, so only an ASID change matters (a new
 * table base with the same ASID needs a TLBI, as on hardware). */
static void wr_ttbr(CPUState *cpu, const SysRegDef *r, uint64_t v)
{
    wr_field(cpu, r, v);
    tlb_sync_asid(cpu);
}

/* SCTLR_EL1 (v8.0, no AArch32, little-endian only): RES1 bits read as one. */
#define SCTLR_RES1 0x30d00800ull
static void wr_sctlr(CPUState *cpu, const SysRegDef *r, uint64_t v)
{
    uint64_t old = cpu->sctlr_el1;
    cpu->sctlr_el1 = (v & r->value) | SCTLR_RES1;
    if (cpu->sctlr_el1 != old)
        tlb_flush(cpu);
}

static uint64_t rd_mpidr(CPUState *cpu, const SysRegDef *r)
{
    (void)r;
    return cpu->mpidr;
}

/* ID_AA64PFR0_EL1: EL0 and EL1 AArch64 only, no EL2/EL3, FP and AdvSIMD
 * (no half precision). GIC = 1 only when someone registered the ICC_*
 * system registers (GICv3 CPU interface). */
static uint64_t rd_pfr0(CPUState *cpu, const SysRegDef *r)
{
    (void)cpu;
    uint64_t gic = sysreg_find(SYSREG_ENC(3, 0, 12, 12, 5)) ? 1 : 0; /* ICC_SRE_EL1 */
    return r->value | gic << 24;
}

/* DCZID_EL0.DZP reads 1 at EL0 when SCTLR_EL1.DZE forbids DC ZVA. */
static uint64_t rd_dczid(CPUState *cpu, const SysRegDef *r)
{
    uint64_t v = r->value;
    if (cpu_el(cpu) == 0 && !(cpu->sctlr_el1 >> 14 & 1))
        v |= 1u << 4;
    return v;
}

/* Cortex-A57-like cache geometry: L1 D, L1 I, L2 unified, 64-byte lines. */
static uint64_t rd_ccsidr(CPUState *cpu, const SysRegDef *r)
{
    (void)r;
    switch (cpu->csselr_el1 & 0xf) {
    case 0: return 0x701fe00a; /* L1 D: 32 KiB, 2-way */
    case 1: return 0x201fe012; /* L1 I: 48 KiB, 3-way */
    case 2: return 0x70ffe07a; /* L2: 2 MiB, 16-way */
    default: return 0;         /* no such cache: UNKNOWN */
    }
}

static uint64_t rd_counter(CPUState *cpu, const SysRegDef *r)
{
    (void)cpu, (void)r;
    return sysreg_counter();
}

static uint64_t rd_oslsr(CPUState *cpu, const SysRegDef *r)
{
    (void)r;
    /* OSLM = 0b10 (OS lock implemented), OSLK from OSLAR_EL1. */
    return 1u << 3 | (cpu->oslk & 1) << 1;
}
static void wr_oslar(CPUState *cpu, const SysRegDef *r, uint64_t v)
{
    (void)r;
    cpu->oslk = v & 1;
}

long sysreg_plain_offset(const SysRegDef *r, uint32_t tb_flags)
{
    if (r->read != rd_field)
        return -1;
    if (r->check == chk_sp_el0 ? !(tb_flags & TBF_SPX) : r->check != NULL)
        return -1;
    return (long)r->offset;
}

/* ---------------- the table ---------------- */

#define E SYSREG_ENC
#define FIELD(nm, enc, fl, fld, mask) {enc, fl, #nm, NULL, rd_field, wr_field, offsetof(CPUState, fld), mask}
#define CONSTREG(nm, enc, fl, v) {enc, fl, #nm, NULL, rd_const, NULL, 0, v}
#define CUSTOM(nm, enc, fl, chk, rd, wr, v) {enc, fl, #nm, chk, rd, wr, 0, v}
#define ALL64 (~0ull)
#define LOW32 0xffffffffull

/* ID_AA64ISAR0: AES = 2 (with PMULL), SHA1 = 1, SHA2 = 1, CRC32 = 1, Atomic (LSE) = 2 */
#define ISAR0_VALUE (2ull << 4 | 1ull << 8 | 1ull << 12 | 1ull << 16 | 2ull << 20)
/* ID_AA64MMFR0: PARange 40 bits, 16-bit ASIDs, no mixed endian, no Secure
 * memory, 4K and 64K granules (fields 0 = supported) and 16K (1). */
#define MMFR0_VALUE (2ull | 2ull << 4 | 1ull << 20)
/* ID_AA64DFR0: DebugVer v8 (the architectural minimum), no trace, PMUVer 1
 * (PMUv3, cpu/pmu.c), 6 breakpoints, 4 watchpoints, 2 context-aware
 * (Cortex-A57; cpu/debug.c). */
#define DFR0_VALUE (6ull | 1ull << 8 | 5ull << 12 | 3ull << 20 | 1ull << 28)
/* CTR_EL0: bit 31 RES1, CWG = ERG = DminLine = IminLine = 64 bytes, L1Ip =
 * PIPT, IDC = DIC = 0 (guest must clean/invalidate for new code). */
#define CTR_VALUE 0x8444c004ull
/* CLIDR_EL1: L1 separate I/D, L2 unified; LoUIS = 1, LoC = 2, LoUU = 1. */
#define CLIDR_VALUE 0x0a200023ull
/* SCTLR_EL1 writable bits: M A C SA SA0 UMA I DZE UCT nTWI nTWE WXN UCI (+ RES1). */
#define SCTLR_WMASK (0x1full | 1ull << 9 | 1ull << 12 | 1ull << 14 | 1ull << 15 | 1ull << 16 | \
                     1ull << 18 | 1ull << 19 | 1ull << 26)
/* SPSR_EL1: NZCV, SS, IL, DAIF, M[4:0] (PAN and UAO are not implemented). */
#define SPSR_WMASK 0xf03003dfull
/* FPCR: AHP DN FZ RMode (trapped FP exceptions are not supported: RAZ/WI). */
#define FPCR_WMASK 0x07c00000ull
/* FPSR: QC and the cumulative exception flags. */
#define FPSR_WMASK 0x0800009full

static const SysRegDef core_regs[] = {
    /* PSTATE views */
    CUSTOM(NZCV, E(3, 3, 4, 2, 0), SR_RW01, NULL, rd_nzcv, wr_nzcv, 0),
    CUSTOM(DAIF, E(3, 3, 4, 2, 1), SR_RW01 | SR_EXIT, chk_uma, rd_daif, wr_daif, 0),
    CUSTOM(CurrentEL, E(3, 0, 4, 2, 2), SR_R1, NULL, rd_currentel, NULL, 0),
    CUSTOM(SPSel, E(3, 0, 4, 2, 0), SR_RW1 | SR_EXIT, NULL, rd_spsel, wr_spsel, 0),
    {E(3, 0, 4, 1, 0), SR_RW1, "SP_EL0", chk_sp_el0, rd_field, wr_field, offsetof(CPUState, sp_el[0]), ALL64},
    /* SP_EL1 (op1 = 4) is an EL2 register: UNDEFINED at EL1, so not listed. */

    /* exception handling */
    FIELD(ELR_EL1, E(3, 0, 4, 0, 1), SR_RW1, elr_el1, ALL64),
    FIELD(SPSR_EL1, E(3, 0, 4, 0, 0), SR_RW1, spsr_el1, SPSR_WMASK),
    FIELD(ESR_EL1, E(3, 0, 5, 2, 0), SR_RW1, esr_el1, LOW32),
    FIELD(FAR_EL1, E(3, 0, 6, 0, 0), SR_RW1, far_el1, ALL64),
    FIELD(VBAR_EL1, E(3, 0, 12, 0, 0), SR_RW1, vbar_el1, ~0x7ffull),
    FIELD(AFSR0_EL1, E(3, 0, 5, 1, 0), SR_RW1, afsr0_el1, LOW32),
    FIELD(AFSR1_EL1, E(3, 0, 5, 1, 1), SR_RW1, afsr1_el1, LOW32),

    /* control and translation regime (the MMU itself interprets these) */
    {E(3, 0, 1, 0, 0), SR_RW1 | SR_EXIT, "SCTLR_EL1", NULL, rd_field, wr_sctlr, offsetof(CPUState, sctlr_el1), SCTLR_WMASK},
    FIELD(CPACR_EL1, E(3, 0, 1, 0, 2), SR_RW1 | SR_EXIT, cpacr_el1, 0x00300000ull),
    {E(3, 0, 2, 0, 0), SR_RW1 | SR_EXIT, "TTBR0_EL1", NULL, rd_field, wr_ttbr, offsetof(CPUState, ttbr0_el1), ALL64},
    {E(3, 0, 2, 0, 1), SR_RW1 | SR_EXIT, "TTBR1_EL1", NULL, rd_field, wr_ttbr, offsetof(CPUState, ttbr1_el1), ALL64},
    {E(3, 0, 2, 0, 2), SR_RW1 | SR_EXIT, "TCR_EL1", NULL, rd_field, wr_field_flush, offsetof(CPUState, tcr_el1), ALL64},
    {E(3, 0, 10, 2, 0), SR_RW1, "MAIR_EL1", NULL, rd_field, wr_field_flush, offsetof(CPUState, mair_el1), ALL64},
    FIELD(AMAIR_EL1, E(3, 0, 10, 3, 0), SR_RW1, amair_el1, ALL64),
    FIELD(CONTEXTIDR_EL1, E(3, 0, 13, 0, 1), SR_RW1, contextidr_el1, LOW32),
    FIELD(PAR_EL1, E(3, 0, 7, 4, 0), SR_RW1, par_el1, ALL64),

    /* thread ID registers */
    FIELD(TPIDR_EL0, E(3, 3, 13, 0, 2), SR_RW01, tpidr_el0, ALL64),
    FIELD(TPIDRRO_EL0, E(3, 3, 13, 0, 3), SR_R0 | SR_RW1, tpidrro_el0, ALL64),
    FIELD(TPIDR_EL1, E(3, 0, 13, 0, 4), SR_RW1, tpidr_el1, ALL64),

    /* FP control */
    CUSTOM(FPCR, E(3, 3, 4, 4, 0), SR_RW01, chk_fp, rd_fpcr, wr_fpcr, FPCR_WMASK),
    CUSTOM(FPSR, E(3, 3, 4, 4, 1), SR_RW01, chk_fp, rd_fpsr, wr_fpsr, FPSR_WMASK),

    /* identification */
    CONSTREG(MIDR_EL1, E(3, 0, 0, 0, 0), SR_R1, 0x411fd070ull),
    CUSTOM(MPIDR_EL1, E(3, 0, 0, 0, 5), SR_R1, NULL, rd_mpidr, NULL, 0),
    CONSTREG(REVIDR_EL1, E(3, 0, 0, 0, 6), SR_R1, 0),
    CONSTREG(AIDR_EL1, E(3, 1, 0, 0, 7), SR_R1, 0),
    CUSTOM(ID_AA64PFR0_EL1, E(3, 0, 0, 4, 0), SR_R1, NULL, rd_pfr0, NULL, 0x11),
    CONSTREG(ID_AA64PFR1_EL1, E(3, 0, 0, 4, 1), SR_R1, 0),
    CONSTREG(ID_AA64ZFR0_EL1, E(3, 0, 0, 4, 4), SR_R1, 0),
    CONSTREG(ID_AA64DFR0_EL1, E(3, 0, 0, 5, 0), SR_R1, DFR0_VALUE),
    CONSTREG(ID_AA64DFR1_EL1, E(3, 0, 0, 5, 1), SR_R1, 0),
    CONSTREG(ID_AA64AFR0_EL1, E(3, 0, 0, 5, 4), SR_R1, 0),
    CONSTREG(ID_AA64AFR1_EL1, E(3, 0, 0, 5, 5), SR_R1, 0),
    CONSTREG(ID_AA64ISAR0_EL1, E(3, 0, 0, 6, 0), SR_R1, ISAR0_VALUE),
    CONSTREG(ID_AA64ISAR1_EL1, E(3, 0, 0, 6, 1), SR_R1, 0),
    CONSTREG(ID_AA64MMFR0_EL1, E(3, 0, 0, 7, 0), SR_R1, MMFR0_VALUE),
    CONSTREG(ID_AA64MMFR1_EL1, E(3, 0, 0, 7, 1), SR_R1, 0),
    CONSTREG(ID_AA64MMFR2_EL1, E(3, 0, 0, 7, 2), SR_R1, 0),
    /* (the rest of the ID space, AArch32 ID registers included, is RAZ: see sysreg_init) */

    /* caches */
    CUSTOM(CTR_EL0, E(3, 3, 0, 0, 1), SR_R0 | SR_R1, chk_uct, rd_const, NULL, CTR_VALUE),
    CUSTOM(DCZID_EL0, E(3, 3, 0, 0, 7), SR_R0 | SR_R1, NULL, rd_dczid, NULL, 4),
    CONSTREG(CLIDR_EL1, E(3, 1, 0, 0, 1), SR_R1, CLIDR_VALUE),
    CUSTOM(CCSIDR_EL1, E(3, 1, 0, 0, 0), SR_R1, NULL, rd_ccsidr, NULL, 0),
    FIELD(CSSELR_EL1, E(3, 2, 0, 0, 0), SR_RW1, csselr_el1, 0xf),

    /* generic timer: frequency and counters (the timers are the timer device's) */
    {E(3, 3, 14, 0, 0), SR_R0 | SR_RW1, "CNTFRQ_EL0", chk_cntkctl, rd_field, wr_field, offsetof(CPUState, cntfrq_el0), LOW32},
    CUSTOM(CNTPCT_EL0, E(3, 3, 14, 0, 1), SR_R0 | SR_R1, chk_cntkctl, rd_counter, NULL, 0),
    CUSTOM(CNTVCT_EL0, E(3, 3, 14, 0, 2), SR_R0 | SR_R1, chk_cntkctl, rd_counter, NULL, 0),
    FIELD(CNTKCTL_EL1, E(3, 0, 14, 1, 0), SR_RW1, cntkctl_el1, 0x3ff),

    /* debug (MDSCR, OSLAR, OSDLR and the breakpoint/watchpoint registers are
     * replaced by cpu/debug.c's, which raise the debug exceptions) */
    FIELD(MDSCR_EL1, E(2, 0, 0, 2, 2), SR_RW1, mdscr_el1, LOW32),
    FIELD(MDCCINT_EL1, E(2, 0, 0, 2, 0), SR_RW1, mdccint_el1, LOW32),
    CONSTREG(MDCCSR_EL0, E(2, 3, 0, 1, 0), SR_R1, 0),
    CUSTOM(OSLAR_EL1, E(2, 0, 1, 0, 4), SR_W1, NULL, NULL, wr_oslar, 0),
    CUSTOM(OSLSR_EL1, E(2, 0, 1, 1, 4), SR_R1, NULL, rd_oslsr, NULL, 0),
    FIELD(OSDLR_EL1, E(2, 0, 1, 3, 4), SR_RW1, osdlr_el1, 1),
    FIELD(DBGBVR0_EL1, E(2, 0, 0, 0, 4), SR_RW1, dbgbvr[0], ALL64),
    FIELD(DBGBCR0_EL1, E(2, 0, 0, 0, 5), SR_RW1, dbgbcr[0], LOW32),
    FIELD(DBGWVR0_EL1, E(2, 0, 0, 0, 6), SR_RW1, dbgwvr[0], ALL64),
    FIELD(DBGWCR0_EL1, E(2, 0, 0, 0, 7), SR_RW1, dbgwcr[0], LOW32),
    FIELD(DBGBVR1_EL1, E(2, 0, 0, 1, 4), SR_RW1, dbgbvr[1], ALL64),
    FIELD(DBGBCR1_EL1, E(2, 0, 0, 1, 5), SR_RW1, dbgbcr[1], LOW32),
    FIELD(DBGWVR1_EL1, E(2, 0, 0, 1, 6), SR_RW1, dbgwvr[1], ALL64),
    FIELD(DBGWCR1_EL1, E(2, 0, 0, 1, 7), SR_RW1, dbgwcr[1], LOW32),
    /* Debug registers of ARMv8.0 with no external debugger attached:
     * RAZ/WI (no claim tags, no ROM table, OS save/restore and the debug
     * communications channel idle, authentication status "not implemented"). */
    CUSTOM(DBGAUTHSTATUS_EL1, E(2, 0, 7, 14, 6), SR_R1, NULL, rd_const, NULL, 0),
    CUSTOM(DBGCLAIMSET_EL1, E(2, 0, 7, 8, 6), SR_RW1, NULL, rd_const, wr_ignore, 0),
    CUSTOM(DBGCLAIMCLR_EL1, E(2, 0, 7, 9, 6), SR_RW1, NULL, rd_const, wr_ignore, 0),
    CUSTOM(DBGPRCR_EL1, E(2, 0, 1, 4, 4), SR_RW1, NULL, rd_const, wr_ignore, 0),
    CUSTOM(MDRAR_EL1, E(2, 0, 1, 0, 0), SR_R1, NULL, rd_const, NULL, 0),
    CUSTOM(OSECCR_EL1, E(2, 0, 0, 6, 2), SR_RW1, NULL, rd_const, wr_ignore, 0),
    CUSTOM(OSDTRRX_EL1, E(2, 0, 0, 0, 2), SR_RW1, NULL, rd_const, wr_ignore, 0),
    CUSTOM(OSDTRTX_EL1, E(2, 0, 0, 3, 2), SR_RW1, NULL, rd_const, wr_ignore, 0),
    CUSTOM(DBGDTR_EL0, E(2, 3, 0, 4, 0), SR_RW1, NULL, rd_const, wr_ignore, 0),
    CUSTOM(DBGDTRRX_EL0, E(2, 3, 0, 5, 0), SR_RW1, NULL, rd_const, wr_ignore, 0), /* write: DBGDTRTX_EL0 */
    /* IMPLEMENTATION DEFINED auxiliary control: nothing to control. */
    CUSTOM(ACTLR_EL1, E(3, 0, 1, 0, 1), SR_RW1, NULL, rd_const, wr_ignore, 0),
    /* No higher EL: the reset vector base is where flotilla starts cores (0 = unknown). */
    CUSTOM(RVBAR_EL1, E(3, 0, 12, 0, 1), SR_R1, NULL, rd_const, NULL, 0),
};

/* Unlisted encodings in the ID register space (op0=3, op1=0, CRn=0,
 * CRm=1..7) are RAZ at EL1, which also covers the AArch32 ID registers. */
static const SysRegDef id_raz = {0, SR_R1, "ID register (RAZ)", NULL, rd_const, NULL, 0, 0};

/* Indexed by encoding. Written by sysreg_init (once) and sysreg_register
 * (main thread, before vCPU threads exist), read-only afterwards. */
static const SysRegDef *sysreg_index[1u << 16];
static pthread_once_t sysreg_once = PTHREAD_ONCE_INIT;

static void sysreg_init(void)
{
    for (unsigned crm = 1; crm <= 7; crm++)
        for (unsigned op2 = 0; op2 <= 7; op2++)
            sysreg_index[SYSREG_ENC(3, 0, 0, crm, op2)] = &id_raz;
    for (size_t i = 0; i < sizeof(core_regs) / sizeof(core_regs[0]); i++)
        sysreg_index[core_regs[i].enc] = &core_regs[i];
}

const SysRegDef *sysreg_find(uint32_t enc)
{
    pthread_once(&sysreg_once, sysreg_init);
    return sysreg_index[enc & 0xffff];
}

void sysreg_register(const SysRegDef *defs, int n)
{
    pthread_once(&sysreg_once, sysreg_init);
    for (int i = 0; i < n; i++)
        sysreg_index[defs[i].enc & 0xffff] = &defs[i];
}

uint64_t sysreg_counter(void)
{
    static _Atomic uint64_t base_ns;
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    uint64_t ns = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
    uint64_t base = atomic_load_explicit(&base_ns, memory_order_relaxed);
    if (!base) {
        uint64_t expected = 0;
        /* First caller wins; everyone then counts from the same origin. */
        if (!atomic_compare_exchange_strong(&base_ns, &expected, ns))
            ns = ns < expected ? expected : ns;
        base = atomic_load(&base_ns);
    }
    /* 62.5 MHz: one tick every 16 ns. */
    return (ns - base) * CNTFRQ_HZ / 1000000000ull;
}

void sysreg_log_unimp(CPUState *cpu, uint64_t pc, uint32_t enc, bool is_read)
{
    Machine *m = cpu->machine;
    if (!machine_tracing(m, TRACE_UNIMP))
        return;
    unsigned op0 = enc >> 14 & 3, op1 = enc >> 11 & 7, crn = enc >> 7 & 15, crm = enc >> 3 & 15, op2 = enc & 7;
    machine_log(m,
                "cpu%d: unimplemented system register S%u_%u_C%u_C%u_%u (op0=%u op1=%u CRn=%u CRm=%u op2=%u) %s "
                "at pc=0x%016" PRIx64 "\n",
                cpu->index, op0, op1, crn, crm, op2, op0, op1, crn, crm, op2, is_read ? "read" : "write", pc);
}

/* ---------------- helpers called from IR ---------------- */

/* imm: encoding in bits 15:0, Rt in bits 20:16. The translator has already
 * checked that the register exists and that the EL may access it. */
uint64_t helper_mrs(CPUState *cpu, uint64_t a, uint64_t b, uint64_t c, uint64_t imm)
{
    (void)a, (void)b, (void)c;
    const SysRegDef *r = sysreg_find((uint32_t)imm);
    if (!r || !r->read) {
        sysreg_log_unimp(cpu, cpu->pc, (uint32_t)imm & 0xffff, true);
        cpu_raise(cpu, EXC_UNDEF, 0, 0);
        return 0;
    }
    if (r->check && !r->check(cpu, r, true, (int)(imm >> 16 & 31)))
        return 0;
    return r->read(cpu, r);
}

uint64_t helper_msr(CPUState *cpu, uint64_t v, uint64_t b, uint64_t c, uint64_t imm)
{
    (void)b, (void)c;
    const SysRegDef *r = sysreg_find((uint32_t)imm);
    if (!r || !r->write) {
        sysreg_log_unimp(cpu, cpu->pc, (uint32_t)imm & 0xffff, false);
        cpu_raise(cpu, EXC_UNDEF, 0, 0);
        return 0;
    }
    if (r->check && !r->check(cpu, r, false, (int)(imm >> 16 & 31)))
        return 0;
    cpu->daif_requested = false;
    r->write(cpu, r, v);
    return daif_leave(cpu, imm, cpu->daif_requested); /* wr_daif's, for DAIF */
}

/* imm: op1 << 8 | op2 << 4 | CRm. The translator only emits the fields
 * that exist (SPSel, DAIFSet, DAIFClr). */
uint64_t helper_msr_pstate(CPUState *cpu, uint64_t a, uint64_t b, uint64_t c, uint64_t imm)
{
    (void)a, (void)b, (void)c;
    unsigned op1 = (unsigned)(imm >> 8) & 7, op2 = (unsigned)(imm >> 4) & 7, crm = (unsigned)imm & 15;
    uint32_t old = cpu->pstate;
    if (op1 == 0 && op2 == 5) { /* SPSel */
        cpu->pstate = (old & ~PSTATE_SP) | (crm & 1);
        cpu_sync_sp(cpu, old);
    } else if (op1 == 3 && (op2 == 6 || op2 == 7)) { /* DAIFSet / DAIFClr */
        uint32_t enc = SYSREG_ENC(0, op1, 4, crm, op2);
        if (!el0_sctlr_enabled(cpu, 9, enc, false, 31))
            return 0;
        if (op2 == 6)
            cpu->pstate |= crm << 6;
        else
            cpu->pstate &= ~(crm << 6);
        return daif_leave(cpu, imm, recheck_irqs(cpu, old));
    } else {
        cpu_raise(cpu, EXC_UNDEF, 0, 0);
    }
    return 0;
}

/* The IC IALLU path (tcache_flush_changed), on the invalidating vCPU: the
 * host address of a guest physical page of RAM, or NULL. */
static const void *ram_page_of(void *pm, uint64_t ppage) { return phys_ram_ptr(pm, ppage, 0x1000); }

/* SYS operations the translator routes here (imm: op1 << 11 | CRn << 7 |
 * CRm << 3 | op2, Rt in bits 20:16; a = Xt): IC, TLBI, AT, DC ZVA, and the
 * EL0 permission checks of DC CVAU / DC CVAC / DC CIVAC. */
uint64_t helper_sys(CPUState *cpu, uint64_t xt, uint64_t b, uint64_t c, uint64_t imm)
{
    (void)b, (void)c;
    Machine *m = cpu->machine;
    uint32_t enc = (uint32_t)imm & 0x3fff;
    int rt = (int)(imm >> 16 & 31);
    switch (enc) {
    case SYSREG_ENC(0, 3, 7, 4, 1): /* DC ZVA */
        if (el0_sctlr_enabled(cpu, 14, SYSREG_ENC(1, 3, 7, 4, 1), false, rt))
            mem_dc_zva(cpu, xt);
        return 0;
    case SYSREG_ENC(0, 3, 7, 10, 1): /* DC CVAC */
    case SYSREG_ENC(0, 3, 7, 11, 1): /* DC CVAU */
    case SYSREG_ENC(0, 3, 7, 14, 1): /* DC CIVAC */
        el0_sctlr_enabled(cpu, 26, enc | 1u << 14, false, rt);
        return 0;
    case SYSREG_ENC(0, 3, 7, 5, 1): { /* IC IVAU: drop translations of that page */
        if (!el0_sctlr_enabled(cpu, 26, enc | 1u << 14, false, rt))
            return 0;
        uint64_t pa;
        /* Blocks whose instructions are unchanged stay (tcache.h), but
         * not under -det: there a block kept across an IC and run after a
         * later write that no IC covered (Linux's alternatives patch their
         * own tail, then run it and IC IALLU) would run the old code, while
         * the same run under gdb, whose stops flush the cache, runs the new
         * one. Both are allowed; -det must give one run. */
        if (mmu_translate(cpu, xt, ACC_READ, MEM_CM, &pa))
            tcache_invalidate_page_changed(m->tcache, pa,
                                           m->det ? NULL : phys_ram_ptr(&m->pm, pa & ~0xfffull, 0x1000));
        return 0;
    }
    case SYSREG_ENC(0, 0, 7, 1, 0): /* IC IALLUIS */
    case SYSREG_ENC(0, 0, 7, 5, 0): /* IC IALLU */
        if (m->det)
            tcache_flush_all(m->tcache); /* as for IC IVAU */
        else
            tcache_flush_changed(m->tcache, ram_page_of, &m->pm);
        return 0;
    default:
        break;
    }
    if ((enc >> 7 & 15) == 8) {
        /* TLBI (EL1&0 regime, v8.0 forms). Xt: ASID in [63:48], VA[55:12]
         * in [43:0]. We cache only final-level entries, so the last-level
         * forms (VALE1, VAALE1) act like VAE1, VAAE1. */
        uint64_t va = (uint64_t)((int64_t)(xt << 20) >> 8);
        uint16_t asid = (uint16_t)(xt >> 48);
        if (!(cpu->tcr_el1 & (1ull << 36))) /* TCR_EL1.AS = 0: 8-bit ASIDs */
            asid &= 0xff;
        enum TLBOpKind kind;
        switch (enc & 7) {
        case 0: kind = TLBOP_ALL; tlb_flush(cpu); break;                             /* VMALLE1 */
        case 1: case 5: kind = TLBOP_VA_ASID; tlb_flush_page_asid(cpu, va, asid); break; /* VAE1, VALE1 */
        case 2: kind = TLBOP_ASID; tlb_flush_asid(cpu, asid); break;                 /* ASIDE1 */
        default: kind = TLBOP_VA; tlb_flush_page(cpu, va); break;                    /* VAAE1, VAALE1 */
        }
        /* Inner Shareable forms: the same operation on every other core,
         * complete when this core's next DSB completes (smp/workq.c). */
        if ((enc >> 3 & 15) == 3)
            tlb_broadcast(cpu, kind, va, asid);
        /* The block goes on by a chained branch (trans_SYS): if this may
         * have changed the mapping of the page this code runs from, the
         * next chained entry must stop, so that the dispatcher fetches
         * through the new one. */
        if (kind == TLBOP_ALL || kind == TLBOP_ASID || ((va ^ cpu->pc) & TLB_PAGE_MASK & ((1ull << 56) - 1)) == 0)
            atomic_fetch_or(&cpu->request, REQ_SAFEPOINT);
        return 0;
    }
    if ((enc >> 7 & 15) == 7 && (enc >> 3 & 15) == 8 && (enc >> 11) == 0 && (enc & 7) < 4) {
        /* AT S1E1R, S1E1W, S1E0R, S1E0W (op2 bit 0: write, bit 1: EL0). */
        uint64_t par = mmu_at(cpu, xt, enc & 1, (enc & 2) != 0);
        if (!cpu->exc_pending)
            cpu->par_el1 = par;
        return 0;
    }
    sysreg_log_unimp(cpu, cpu->pc, enc | 1u << 14, false);
    cpu_raise(cpu, EXC_UNDEF, 0, 0);
    return 0;
}
