/* The virt board: which devices exist and where (DESIGN.md's table), and
 * how their interrupts are wired: GICv3 (distributor + one redistributor
 * per core, CPU interface as ICC_* system registers), the per-core generic
 * timers (PPI 30 physical, PPI 27 virtual), the PMUs (PPI 23), PL011 (SPI 1), PL031 (SPI 2).
 * The GIC's output towards a core kicks that core with REQ_IRQ; the core
 * takes the interrupt at its next safe point (smp/vcpu.c).
 *
 * Thread rules: devices_init/devices_destroy on the main thread while no
 * vCPU runs; the system register accessors run on the owner vCPU; the GIC
 * signal callback runs on any thread, under the GIC lock. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "../cpu/sysreg.h"
#include "../smp/machine.h"
#include "devices.h"
#include "gicv2.h"
#include "gicv3.h"
#include "pl011.h"
#include "pl031.h"
#include "timer.h"
#include "virtio_devices.h"
#include "virtio_mmio.h"
#include "../smp/gdbstub.h"

#define PL011_SPI 1

/* Under the GIC lock: only set the request bit and wake. Only rising edges
 * matter: the level (gicv3_irq_pending) is what the core acts on, and a
 * core sleeping in WFI sleeps only while the level is low. */
static void gic_signal(void *opaque, int cpu, bool pending)
{
    Machine *m = opaque;
    if (pending)
        vcpu_kick(m->cpus[cpu], REQ_IRQ);
}

bool machine_irq_pending(Machine *m, int cpu)
{
    if (m->gic)
        return gicv3_irq_pending(m->gic, cpu);
    return m->gic2 && gicv2_irq_pending(m->gic2, cpu);
}

/* ---------------- system registers ---------------- */

/* ISS of EC 0x18 (trapped MSR/MRS), as cpu/sysreg.c builds it. */
static uint32_t trap_iss(uint32_t enc, bool is_read, int rt)
{
    uint32_t op0 = enc >> 14 & 3, op1 = enc >> 11 & 7, crn = enc >> 7 & 15, crm = enc >> 3 & 15, op2 = enc & 7;
    return op0 << 20 | op2 << 17 | op1 << 14 | crn << 10 | (uint32_t)rt << 5 | crm << 1 | (is_read ? 1u : 0u);
}

static uint64_t rd_icc(CPUState *cpu, const SysRegDef *r)
{
    uint64_t v = 0;
    if (!gic_cpuif_read(cpu->machine->gic, cpu->index, r->enc, &v))
        cpu_raise(cpu, EXC_UNDEF, 0, 0);
    return v;
}

static void wr_icc(CPUState *cpu, const SysRegDef *r, uint64_t v)
{
    if (!gic_cpuif_write(cpu->machine->gic, cpu->index, r->enc, v))
        cpu_raise(cpu, EXC_UNDEF, 0, 0);
}

/* EL0 access to a timer register: CNTKCTL_EL1 enables, else trap to EL1. */
static bool chk_timer(CPUState *cpu, const SysRegDef *r, bool is_read, int rt)
{
    if (cpu_el(cpu) > 0)
        return true;
    uint64_t k = cpu->cntkctl_el1, need;
    switch (r->enc) {
    case CNTFRQ_EL0: need = CNTKCTL_EL0PCTEN | CNTKCTL_EL0VCTEN; break;
    case CNTPCT_EL0: need = CNTKCTL_EL0PCTEN; break;
    case CNTVCT_EL0: need = CNTKCTL_EL0VCTEN; break;
    case CNTP_TVAL_EL0: case CNTP_CTL_EL0: case CNTP_CVAL_EL0: need = CNTKCTL_EL0PTEN; break;
    default: need = CNTKCTL_EL0VTEN; break;
    }
    if (k & need)
        return true;
    cpu_raise(cpu, EXC_SYSREG_TRAP, trap_iss(r->enc, is_read, rt), 0);
    return false;
}

static uint64_t rd_timer(CPUState *cpu, const SysRegDef *r)
{
    uint64_t v = 0;
    GenericTimer *t = &cpu->machine->gtimer[cpu->index];
    if (gtimer_sysreg_read(t, r->enc, cpu_el(cpu), cpu->cntkctl_el1, &v) != GT_OK)
        cpu_raise(cpu, EXC_UNDEF, 0, 0); /* chk_timer and the flags already filtered: not reached */
    return v;
}

static void wr_timer(CPUState *cpu, const SysRegDef *r, uint64_t v)
{
    GenericTimer *t = &cpu->machine->gtimer[cpu->index];
    if (gtimer_sysreg_write(t, r->enc, cpu_el(cpu), cpu->cntkctl_el1, v) != GT_OK)
        cpu_raise(cpu, EXC_UNDEF, 0, 0);
}

/* ISR_EL1: which interrupts are pending at the core's inputs (I = bit 7).
 * FIQ and SError are not modelled, so F and A read 0. */
static uint64_t rd_isr(CPUState *cpu, const SysRegDef *r)
{
    (void)r;
    return machine_irq_pending(cpu->machine, cpu->index) ? 1u << 7 : 0;
}

#define ICC(nm, fl) {nm, fl, #nm, NULL, rd_icc, wr_icc, 0, 0}
#define TMR(nm, fl) {nm, fl, #nm, chk_timer, rd_timer, wr_timer, 0, 0}

/* Read-only ICC registers are not writable and write-only ones not
 * readable: the other direction is UNDEFINED (the translator rejects it). */
static const SysRegDef icc_regs[] = {
    ICC(ICC_PMR_EL1, SR_RW1),
    ICC(ICC_IAR0_EL1, SR_R1),
    ICC(ICC_EOIR0_EL1, SR_W1),
    ICC(ICC_HPPIR0_EL1, SR_R1),
    ICC(ICC_BPR0_EL1, SR_RW1),
    ICC(ICC_AP0R0_EL1, SR_RW1),
    ICC(ICC_AP1R0_EL1, SR_RW1),
    ICC(ICC_DIR_EL1, SR_W1),
    ICC(ICC_RPR_EL1, SR_R1),
    ICC(ICC_SGI1R_EL1, SR_W1),
    ICC(ICC_ASGI1R_EL1, SR_W1),
    ICC(ICC_SGI0R_EL1, SR_W1),
    ICC(ICC_IAR1_EL1, SR_R1),
    ICC(ICC_EOIR1_EL1, SR_W1),
    ICC(ICC_HPPIR1_EL1, SR_R1),
    ICC(ICC_BPR1_EL1, SR_RW1),
    ICC(ICC_CTLR_EL1, SR_RW1),
    ICC(ICC_SRE_EL1, SR_RW1),
    ICC(ICC_IGRPEN0_EL1, SR_RW1),
    ICC(ICC_IGRPEN1_EL1, SR_RW1),
};

/* Registered with either GIC. */
static const SysRegDef timer_regs[] = {
    /* the generic timer (replaces cpu/sysreg.c's counter-only entries so
     * every counter read uses the same SysCounter as the timers) */
    TMR(CNTFRQ_EL0, SR_R0 | SR_RW1),
    TMR(CNTPCT_EL0, SR_R0 | SR_R1),
    TMR(CNTVCT_EL0, SR_R0 | SR_R1),
    TMR(CNTP_TVAL_EL0, SR_RW01),
    TMR(CNTP_CTL_EL0, SR_RW01),
    TMR(CNTP_CVAL_EL0, SR_RW01),
    TMR(CNTV_TVAL_EL0, SR_RW01),
    TMR(CNTV_CTL_EL0, SR_RW01),
    TMR(CNTV_CVAL_EL0, SR_RW01),
    {SYSREG_ENC(3, 0, 12, 1, 0), SR_R1, "ISR_EL1", NULL, rd_isr, NULL, 0, 0},
    /* CNTKCTL_EL1 stays cpu/sysreg.c's stored field: the timers read it. */
};

/* ---------------- the board ---------------- */

/* Start-up: the line of SPI `spi` on whichever GIC the board has. */
static IRQLine spi_line(Machine *m, int spi)
{
    return m->gic ? gicv3_spi_line(m->gic, spi) : gicv2_spi_line(m->gic2, spi);
}

bool devices_init(Machine *m)
{
    int gicv = m->opt.gic_version ? m->opt.gic_version : 3;
    if (gicv != 2 && gicv != 3) {
        fprintf(stderr, "flotilla: -M virt,gic-version=%d: not supported (2 or 3)\n", m->opt.gic_version);
        return false;
    }
    if (gicv == 2 && m->ncpus > GICV2_MAX_CPUS) {
        fprintf(stderr, "flotilla: -M virt,gic-version=2 supports at most %d cores (-smp %d)\n", GICV2_MAX_CPUS,
                m->ncpus);
        return false;
    }
    uint64_t *mpidr = calloc((size_t)m->ncpus, sizeof(uint64_t));
    m->counter = calloc(1, sizeof(SysCounter));
    m->gtimer = calloc((size_t)m->ncpus, sizeof(GenericTimer));
    if (!mpidr || !m->counter || !m->gtimer) {
        free(mpidr);
        return false;
    }
    for (int i = 0; i < m->ncpus; i++)
        mpidr[i] = m->cpus[i]->mpidr;
    if (gicv == 3) {
        m->gic = gicv3_new(m->ncpus, mpidr, 0, gic_signal, m);
        if (m->gic)
            gicv3_map(m->gic, &m->pm, GIC_DIST_BASE, GIC_REDIST_BASE);
    } else {
        /* GICv2: memory-mapped CPU interface; no ICC_* registers, so
         * ID_AA64PFR0_EL1.GIC reads 0 (cpu/sysreg.c). */
        m->gic2 = gicv2_new(m->ncpus, 0, gic_signal, m);
        if (m->gic2)
            gicv2_map(m->gic2, &m->pm, GICV2_DIST_BASE, GICV2_CPU_BASE);
    }
    free(mpidr);
    if (!m->gic && !m->gic2)
        return false;

    /* -det: guest time is virtual, a function of instruction counts.
     * Under gdb (without -det) the counter stops while the machine is
     * stopped (smp/gdbstub.c). */
    if (m->det)
        syscounter_init(m->counter, det_clock_ns, m->det);
    else
        syscounter_init(m->counter, m->opt.gdb_dev ? gdb_clock_ns : NULL, m);
    for (int i = 0; i < m->ncpus; i++) {
        if (m->gic)
            gtimer_init(&m->gtimer[i], m->counter, gicv3_ppi_line(m->gic, i, GIC_PPI_PTIMER_NS),
                        gicv3_ppi_line(m->gic, i, GIC_PPI_VTIMER));
        else
            gtimer_init(&m->gtimer[i], m->counter, gicv2_ppi_line(m->gic2, i, GIC_PPI_PTIMER_NS),
                        gicv2_ppi_line(m->gic2, i, GIC_PPI_VTIMER));
    }
    /* Each core's PMU overflow interrupt: PPI 23 (cpu/pmu.c). */
    for (int i = 0; i < m->ncpus; i++)
        pmu_init(m->cpus[i], m->gic ? gicv3_ppi_line(m->gic, i, PMU_PPI) : gicv2_ppi_line(m->gic2, i, PMU_PPI));
    pmu_register_sysregs();
    /* With GICv2 the ICC_* registers stay UNDEFINED (and ID_AA64PFR0_EL1.GIC reads 0). */
    if (m->gic)
        sysreg_register(icc_regs, (int)(sizeof(icc_regs) / sizeof(icc_regs[0])));
    sysreg_register(timer_regs, (int)(sizeof(timer_regs) / sizeof(timer_regs[0])));

    /* UART lock -> GIC lock when the UART changes its line. */
    m->uart = pl011_create(m, UART_BASE, STDOUT_FILENO, spi_line(m, PL011_SPI));
    if (!m->uart)
        return false;

    if (m->det) {
        /* -det: virtual clock, fixed start date, alarms polled by the
         * scheduler (smp/det.c) instead of a thread. */
        m->rtc = pl031_new(det_clock_ns, m->det, DET_RTC_EPOCH, spi_line(m, PL031_SPI));
        if (m->rtc)
            pl031_map(m->rtc, &m->pm, PL031_BASE);
    } else {
        m->rtc = pl031_create(&m->pm, PL031_BASE, spi_line(m, PL031_SPI));
    }
    if (!m->rtc)
        return false;
    /* Alarms fire from their own thread, so no vCPU has to poll the RTC
     * (not with an injected clock: -det). */
    pl031_start_alarm_thread(m->rtc);

    /* virtio-mmio: 32 transports, always present as on QEMU's virt. */
    IRQLine vlines[VIRTIO_MMIO_SLOTS];
    for (int i = 0; i < VIRTIO_MMIO_SLOTS; i++)
        vlines[i] = spi_line(m, VIRTIO_MMIO_SPI + i);
    m->virtio = virtio_board_new(&m->pm, m->monitor, VIRTIO_MMIO_BASE, vlines);
    if (m->virtio && m->det) {
        /* -det: requests served by the notifying vCPU, rng bytes seeded */
        m->virtio->inline_io = true;
        m->virtio->det_seed = m->opt.det.seed;
    }
    if (!m->virtio)
        return false;
    return virtio_devices_add(m);
}

void devices_destroy(Machine *m)
{
    virtio_board_free(m->virtio); /* stops the I/O threads before the GIC goes */
    m->virtio = NULL;
    pl031_destroy(m->rtc);
    m->rtc = NULL;
    pl011_destroy(m->uart);
    m->uart = NULL;
    if (m->gic)
        gicv3_free(m->gic);
    m->gic = NULL;
    if (m->gic2)
        gicv2_free(m->gic2);
    m->gic2 = NULL;
    free(m->gtimer);
    m->gtimer = NULL;
    free(m->counter);
    m->counter = NULL;
}
