/* Unit tests for the PMUv3 (cpu/pmu.c): the register accessors called the
 * way a debugger calls them (at a safe point) and the way helper_mrs does
 * (from the last instruction of a running block), the overflow deadline the
 * dispatcher uses, the interrupt line, and that an unused PMU sets no
 * deadline. The guest tests pmu_count and pmu_irq cover the rest on both
 * tiers. */
#include "common.h"
#include "cpu/sysreg.h"

static int irq_level = -1, irq_changes;

static void irq_rec(void *opaque, int n, int level)
{
    (void)opaque;
    cr_assert_eq(n, PMU_PPI);
    irq_level = level;
    irq_changes++;
}

static TestMachine *tm;
static CPUState *cpu;

static void setup(void)
{
    tm = test_machine_new();
    cpu = tm->cpu;
    pmu_register_sysregs();
    IRQLine l;
    irq_init(&l, irq_rec, NULL, PMU_PPI);
    pmu_init(cpu, l);
}

static void teardown(void)
{
    test_machine_free(tm);
}

static const SysRegDef *reg(uint32_t op1, uint32_t crn, uint32_t crm, uint32_t op2)
{
    const SysRegDef *r = sysreg_find(SYSREG_ENC(3, op1, crn, crm, op2));
    cr_assert_not_null(r);
    return r;
}

#define PMCR reg(3, 9, 12, 0)
#define PMCNTENSET reg(3, 9, 12, 1)
#define PMOVSCLR reg(3, 9, 12, 3)
#define PMOVSSET reg(3, 9, 14, 3)
#define PMINTENSET reg(0, 9, 14, 1)
#define PMCCNTR reg(3, 9, 13, 0)
#define PMEVCNTR0 reg(3, 14, 8, 0)
#define PMEVTYPER0 reg(3, 14, 12, 0)

static void wr(const SysRegDef *r, uint64_t v) { r->write(cpu, r, v); }
static uint64_t rd(const SysRegDef *r) { return r->read(cpu, r); }

/* What the dispatcher does after a pass of n instructions. */
static void run_pass(uint32_t n)
{
    cpu->stats.insns += n;
    cpu->chain_budget0 = cpu->chain_budget;
}

TestSuite(pmu, .init = setup, .fini = teardown);

Test(pmu, unused_pmu_sets_no_deadline)
{
    cr_assert_eq(cpu->pmu.deadline, 0);
    cr_assert_not(cpu->pmu.active);
    wr(PMEVTYPER0, 0x08);
    wr(PMCNTENSET, 1);        /* enabled, but PMCR.E = 0 */
    cr_assert_not(cpu->pmu.active);
    wr(PMCR, 1);
    cr_assert(cpu->pmu.active);
    cr_assert_eq(cpu->pmu.deadline, 0, "no overflow interrupt enabled: no deadline");
    cr_assert_eq(rd(PMCR), 0x41013001);
}

Test(pmu, counts_at_a_safe_point_and_inside_a_block)
{
    wr(PMEVTYPER0, 0x08);     /* INST_RETIRED */
    wr(PMCR, 0x41);           /* E, LC */
    wr(PMCNTENSET, 0x80000001);
    run_pass(100);
    /* a debugger at a safe point: nothing in flight */
    cr_assert_eq(rd(PMEVCNTR0), 100);
    cr_assert_eq(rd(PMCCNTR), 100);
    /* helper_mrs in a block of 10 whose last instruction is the MRS: the
     * dispatcher has counted all 10, the read sees the 9 before it */
    cpu->chain_budget0 = 1000;
    cpu->chain_budget = 990;
    cr_assert_eq(rd(PMEVCNTR0), 109);
    cr_assert_eq(rd(PMCCNTR), 109);
}

Test(pmu, el_filter_uses_the_el_of_the_instructions)
{
    wr(PMEVTYPER0, 0x80000008); /* INST_RETIRED, not at EL1 */
    wr(PMCR, 1);
    wr(PMCNTENSET, 1);
    run_pass(50);               /* at EL1: filtered */
    cr_assert_eq(rd(PMEVCNTR0), 0);
    /* an exception from EL0 after 30 EL0 instructions (cpu_raise notes it,
     * the dispatcher syncs before running more code) */
    cpu->pstate &= ~(3u << PSTATE_EL_SHIFT); /* EL0, as after an ERET (synced there) */
    pmu_sync(cpu);
    run_pass(30);
    pmu_exception_taken(&cpu->pmu, 0);
    cpu->pstate |= 1u << PSTATE_EL_SHIFT;
    pmu_sync(cpu);
    run_pass(20);               /* EL1 again */
    cr_assert_eq(rd(PMEVCNTR0), 30);
}

Test(pmu, overflow_deadline_and_interrupt_line)
{
    wr(PMEVTYPER0, 0x08);
    wr(PMEVCNTR0, 0xfffffffbu); /* 5 short of the wrap */
    wr(PMINTENSET, 1);
    wr(PMCR, 1);
    run_pass(7);                /* not counting yet */
    wr(PMCNTENSET, 1);
    cr_assert_eq(cpu->pmu.deadline, cpu->stats.insns + 5);
    run_pass(4);
    pmu_sync(cpu);
    cr_assert_eq(rd(PMOVSSET), 0);
    cr_assert_neq(irq_level, 1);
    run_pass(3);                /* the dispatcher's check: stats.insns >= deadline */
    cr_assert_geq(cpu->stats.insns, cpu->pmu.deadline);
    pmu_sync(cpu);
    cr_assert_eq(rd(PMOVSSET), 1);
    cr_assert_eq(rd(PMEVCNTR0), 2);
    cr_assert_eq(irq_level, 1);
    cr_assert_eq(cpu->pmu.deadline, cpu->stats.insns + (1ull << 32) - 2);
    wr(PMOVSCLR, 1);
    cr_assert_eq(irq_level, 0);
}

Test(pmu, only_six_event_counters)
{
    cr_assert_not_null(sysreg_find(SYSREG_ENC(3, 3, 14, 8, 5)));  /* PMEVCNTR5_EL0 */
    cr_assert_null(sysreg_find(SYSREG_ENC(3, 3, 14, 8, 6)));      /* PMEVCNTR6_EL0: UNDEFINED */
    cr_assert_null(sysreg_find(SYSREG_ENC(3, 3, 14, 12, 6)));     /* PMEVTYPER6_EL0 */
    uint64_t dfr0 = sysreg_find(SYSREG_ENC(3, 0, 0, 5, 0))->read(cpu, sysreg_find(SYSREG_ENC(3, 0, 0, 5, 0)));
    cr_assert_eq(dfr0 >> 8 & 15, 1, "ID_AA64DFR0_EL1.PMUVer = PMUv3");
}
