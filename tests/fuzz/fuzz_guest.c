/* Guest-side fuzzer (docs/guest-fuzz.md), bare metal on flotilla
 * -semihosting, GICv3. With -smp N, cores 1..N-1 (PSCI CPU_ON) do nothing
 * but step 1 below, concurrently and forever. Core 0, each round:
 *   1. device fuzzing at EL1: random reads and writes of random registers of
 *      the GIC distributor and redistributor, the PL011, the PL031, an empty
 *      MMIO hole, and of the timer and GIC CPU interface system registers;
 *   2. a page of random instruction words run at EL0 (MMU on: EL0 can reach
 *      only its code page and two data pages), with random x0-x30, SCTLR.A /
 *      SA0 and FP access; every exception skips to the next word, and the
 *      round ends at the final SVC, when the pc leaves the page, after 4096
 *      exceptions, or when the virtual timer (the watchdog) fires.
 * The seed and the number of rounds are patched in by guest_fuzz.py; the
 * program prints "FUZZ-DONE" and a tally, and exits 0 through semihosting.
 * flotilla passes if it neither crashes nor hangs, whatever the guest did. */
#include <stdint.h>

extern volatile uint64_t fuzz_params[2];
extern uint64_t run_el0(uint64_t entry, const uint64_t *regs, uint64_t sp_el0);

/* Shared with the vectors (fuzz_guest.S). */
volatile uint64_t fz_saved_sp, fz_exc_count, fz_code_lo, fz_code_hi, fz_el1_exc;
extern char fz_secondary_entry[];
static volatile uint64_t ncpus = 1; /* written by core 0 before any CPU_ON */

#define PAGE 4096
static uint64_t l1[512] __attribute__((aligned(PAGE)));
static uint64_t l2[512] __attribute__((aligned(PAGE)));
static uint64_t l3[512] __attribute__((aligned(PAGE)));
static uint32_t code[PAGE / 4] __attribute__((aligned(PAGE)));
static uint8_t data[2 * PAGE] __attribute__((aligned(PAGE)));
static uint64_t regs[31];
static uint64_t rng_state;

/* xorshift64*; each core has its own state (core 0's is rng_state). */
static uint64_t rng_r(uint64_t *st)
{
    uint64_t x = *st;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *st = x;
    return x * 0x2545f4914f6cdd1dull;
}

static uint64_t rng(void) { return rng_r(&rng_state); }

static void semihost(uint64_t op, const void *arg)
{
    register uint64_t x0 __asm__("x0") = op;
    register const void *x1 __asm__("x1") = arg;
    __asm__ volatile("hlt #0xf000" : "+r"(x0) : "r"(x1) : "memory");
}

static void puts_(const char *s) { semihost(4, s); }

static void puthex(uint64_t v)
{
    char buf[19] = "0x";
    for (int i = 0; i < 16; i++)
        buf[2 + i] = "0123456789abcdef"[(v >> (60 - 4 * i)) & 15];
    buf[18] = 0;
    puts_(buf);
}

static void putdec(uint64_t v)
{
    char buf[21];
    int i = 20;
    buf[i] = 0;
    do {
        buf[--i] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    puts_(buf + i);
}

#define SYSREG_W(name, v) __asm__ volatile("msr " name ", %0" ::"r"((uint64_t)(v)))
#define SYSREG_R(name) ({ uint64_t _v; __asm__ volatile("mrs %0, " name : "=r"(_v)); _v; })

/* Identity map, 4K granule, T0SZ = 25. 0-1 GiB Device (EL1 only); 1-2 GiB
 * Normal, EL1 only, executable at EL1; in it the code page is EL0 RWX (so
 * EL0 can even rewrite it) and the data pages EL0 RW. */
static void mmu_on(void)
{
    const uint64_t UXN = 1ull << 54, PXN = 1ull << 53, AF = 1u << 10, SH = 3u << 8, AP_EL0 = 1u << 6;
    l1[0] = 0x0 | 1 | 1u << 2 | AF | UXN | PXN;
    l1[1] = (uint64_t)(uintptr_t)l2 | 3;
    l2[0] = (uint64_t)(uintptr_t)l3 | 3;
    for (uint64_t i = 1; i < 512; i++)
        l2[i] = (0x40000000ull + (i << 21)) | 1 | AF | SH | UXN;
    for (uint64_t i = 0; i < 512; i++) {
        uint64_t pa = 0x40000000ull + (i << 12);
        uint64_t d = pa | 3 | AF | SH | UXN;
        if (pa == (uintptr_t)code)
            d = pa | 3 | AF | SH | AP_EL0 | PXN;
        else if (pa == (uintptr_t)data || pa == (uintptr_t)data + PAGE)
            d = pa | 3 | AF | SH | AP_EL0 | UXN | PXN;
        l3[i] = d;
    }
    SYSREG_W("mair_el1", 0xff);
    SYSREG_W("tcr_el1", 0x200803519ull);
    SYSREG_W("ttbr0_el1", (uintptr_t)l1);
    __asm__ volatile("dsb ish; tlbi vmalle1; dsb ish; isb" ::: "memory");
    uint64_t s = SYSREG_R("sctlr_el1");
    s |= 1 | 1u << 2 | 1u << 12;                  /* M, C, I */
    s |= 1u << 14 | 1u << 15 | 1u << 26;          /* EL0 may DC ZVA, read CTR_EL0, clean/invalidate */
    s &= ~(1ull << 16 | 1ull << 18 | 1ull << 9);  /* EL0 WFI/WFE and DAIF access trap */
    SYSREG_W("sctlr_el1", s);
    __asm__ volatile("isb");
}

static void mmio_write(uint64_t a, uint64_t v, int size)
{
    switch (size) {
    case 1: *(volatile uint8_t *)a = (uint8_t)v; break;
    case 8: *(volatile uint64_t *)a = v; break;
    default: *(volatile uint32_t *)a = (uint32_t)v; break;
    }
}

static uint64_t mmio_read(uint64_t a, int size)
{
    switch (size) {
    case 1: return *(volatile uint8_t *)a;
    case 8: return *(volatile uint64_t *)a;
    default: return *(volatile uint32_t *)a;
    }
}

/* A value biased to what registers care about: bits, masks, small, random. */
static uint64_t fuzz_value(uint64_t *st)
{
    switch (rng_r(st) % 4) {
    case 0: return 1ull << (rng_r(st) % 64);
    case 1: return rng_r(st) % 2 ? ~0ull : 0;
    case 2: return rng_r(st) % 256;
    default: return rng_r(st);
    }
}

static void fuzz_sysreg(uint64_t *st)
{
    uint64_t v = fuzz_value(st);
    switch (rng_r(st) % 16) {
    case 0: SYSREG_W("cntv_ctl_el0", v & 3); break;
    case 1: SYSREG_W("cntv_cval_el0", SYSREG_R("cntvct_el0") + (v & 0xffff)); break;
    case 2: SYSREG_W("cntv_tval_el0", v); break;
    case 3: SYSREG_W("cntp_ctl_el0", v & 3); break;
    case 4: SYSREG_W("cntp_cval_el0", v); break;
    case 5: SYSREG_W("cntp_tval_el0", v & 0xfffff); break;
    case 6: SYSREG_W("cntkctl_el1", v); break;
    case 7: SYSREG_W("s3_0_c4_c6_0", v); break;   /* ICC_PMR_EL1 */
    case 8: SYSREG_W("s3_0_c12_c12_3", v); break; /* ICC_BPR1_EL1 */
    case 9: SYSREG_W("s3_0_c12_c12_7", v); break; /* ICC_IGRPEN1_EL1 */
    case 10: SYSREG_W("s3_0_c12_c11_5", (v & 0xffff) | (rng_r(st) % 16) << 24 | (rng_r(st) % 2) << 40); break; /* ICC_SGI1R_EL1 */
    case 11: SYSREG_W("s3_0_c12_c12_4", v); break; /* ICC_CTLR_EL1 */
    case 12: SYSREG_W("s3_0_c12_c12_1", v % 1024); break; /* ICC_EOIR1_EL1 */
    case 13: SYSREG_W("s3_0_c12_c11_1", v % 1024); break; /* ICC_DIR_EL1 */
    case 14: SYSREG_W("s3_0_c12_c9_0", v); break;  /* ICC_AP1R0_EL1 */
    default: (void)SYSREG_R("s3_0_c12_c12_0"); break; /* ICC_IAR1_EL1: acknowledge something */
    }
}

static void fuzz_devices(uint64_t *st, int n)
{
    static const uint64_t base[] = {0x08000000, 0x080a0000, 0x09000000, 0x09010000, 0x0a000000};
    const uint64_t span[] = {0x10000, 0x20000 * ncpus, 0x1000, 0x1000, 0x1000};
    for (int i = 0; i < n; i++) {
        if (rng_r(st) % 4 == 0) {
            fuzz_sysreg(st);
            continue;
        }
        unsigned d = (unsigned)(rng_r(st) % 5);
        int size = rng_r(st) % 8 == 0 ? 1 : rng_r(st) % 8 == 0 ? 8 : 4;
        uint64_t a = base[d] + (rng_r(st) % span[d] & ~(uint64_t)(size - 1));
        if (rng_r(st) % 2 || (d == 2 && a < base[2] + 4))
            (void)mmio_read(a, size); /* no writes to UARTDR: keep the log readable */
        else
            mmio_write(a, fuzz_value(st), size);
    }
}

/* Cores 1..N-1: device fuzzing at EL1 (MMU off) until core 0 ends the run. */
void fuzz_secondary(uint64_t idx)
{
    uint64_t st = fuzz_params[0] * 0x9e3779b97f4a7c15ull + idx * 0x632be59bd9b4e019ull + 1;
    for (;;)
        fuzz_devices(&st, 64);
}

static int64_t psci_cpu_on(uint64_t mpidr, uint64_t entry, uint64_t context)
{
    register uint64_t x0 __asm__("x0") = 0xc4000003;
    register uint64_t x1 __asm__("x1") = mpidr;
    register uint64_t x2 __asm__("x2") = entry;
    register uint64_t x3 __asm__("x3") = context;
    __asm__ volatile("hvc #0" : "+r"(x0) : "r"(x1), "r"(x2), "r"(x3) : "memory");
    return (int64_t)x0;
}

/* MPIDR of core n: Aff0 = n % 16, Aff1 = n / 16 (flotilla's GICv3 clusters). */
static uint64_t mpidr_of(uint64_t n) { return (n / 16) << 8 | n % 16; }

/* Count the cores (CPU_ON with entry 0: INVALID_ADDRESS (-9) for a core
 * that exists, INVALID_PARAMETERS for one that does not), then start the
 * others; ncpus is final before any of them reads it. */
static void start_secondaries(void)
{
    uint64_t n = 1;
    while (n < 64 && psci_cpu_on(mpidr_of(n), 0, 0) == -9)
        n++;
    ncpus = n;
    __asm__ volatile("dmb ish" ::: "memory");
    for (uint64_t i = 1; i < n; i++)
        psci_cpu_on(mpidr_of(i), (uintptr_t)fz_secondary_entry, i);
}

/* Make the watchdog (virtual timer, PPI 27, Group 1, priority 0) able to end
 * the EL0 round again, whatever the device fuzzing did. */
static void arm_watchdog(void)
{
    mmio_write(0x08000000, 0x12, 4);      /* GICD_CTLR: ARE, EnableGrp1 */
    mmio_write(0x080a0014, 0, 4);         /* GICR_WAKER: awake */
    uint64_t sgi = 0x080b0000;
    mmio_write(sgi + 0x080, mmio_read(sgi + 0x080, 4) | 1u << 27, 4); /* IGROUPR0 */
    mmio_write(sgi + 0x400 + 27, 0, 1);   /* IPRIORITYR */
    mmio_write(sgi + 0x380, 1u << 27, 4); /* ICACTIVER0 */
    mmio_write(sgi + 0x100, 1u << 27, 4); /* ISENABLER0 */
    SYSREG_W("s3_0_c12_c9_0", 0);         /* ICC_AP1R0_EL1: no active priority */
    SYSREG_W("s3_0_c12_c12_4", 0);        /* ICC_CTLR_EL1: EOImode 0 */
    SYSREG_W("s3_0_c4_c6_0", 0xff);       /* ICC_PMR_EL1 */
    SYSREG_W("s3_0_c12_c12_7", 1);        /* ICC_IGRPEN1_EL1 */
    SYSREG_W("cntv_tval_el0", SYSREG_R("cntfrq_el0") / 2000); /* 0.5 ms */
    SYSREG_W("cntv_ctl_el0", 1);
    __asm__ volatile("isb");
}

static void fill_code(void)
{
    int n = PAGE / 4 - 1;
    for (int i = 0; i < n; i++) {
        uint32_t w = (uint32_t)rng();
        /* Most branches leave the page at once: keep one in four, so that
         * a round runs more than a few words. */
        while ((w >> 26 & 7) == 5 && rng() % 4)
            w = (uint32_t)rng();
        code[i] = w;
    }
    code[n] = 0xd4000001; /* SVC #0: the end of the round */
    fz_code_lo = (uintptr_t)code;
    fz_code_hi = (uintptr_t)&code[n];
    /* The page was run last round: drop its translations, one way or the
     * other (both are flotilla paths worth exercising). */
    if (rng() % 2) {
        __asm__ volatile("dsb ish; ic iallu; dsb ish; isb" ::: "memory");
    } else {
        for (uintptr_t a = (uintptr_t)code; a < (uintptr_t)code + PAGE; a += 64)
            __asm__ volatile("dc cvau, %0; ic ivau, %0" ::"r"(a) : "memory");
        __asm__ volatile("dsb ish; isb" ::: "memory");
    }
}

static void random_state(void)
{
    for (int i = 0; i < 31; i++) {
        switch (rng() % 3) {
        case 0: regs[i] = (uintptr_t)data + rng() % sizeof(data); break;
        case 1: regs[i] = rng() % 256; break;
        default: regs[i] = rng(); break;
        }
    }
    uint64_t s = SYSREG_R("sctlr_el1");
    s = (s & ~(1ull << 1 | 1ull << 4)) | (rng() % 4 == 0 ? 1ull << 1 : 0) | (rng() % 2 ? 1ull << 4 : 0); /* A, SA0 */
    SYSREG_W("sctlr_el1", s);
    SYSREG_W("cpacr_el1", rng() % 4 ? 3ull << 20 : 0); /* FP/SIMD at EL0, or trapped */
    __asm__ volatile("isb");
}

void fuzz_main(void)
{
    uint64_t seed = fuzz_params[0], rounds = fuzz_params[1];
    rng_state = seed * 0x9e3779b97f4a7c15ull + 1;
    if (!rng_state)
        rng_state = 1;
    puts_("FUZZ seed ");
    puthex(seed);
    puts_("\n");
    start_secondaries();
    puts_("FUZZ cores ");
    putdec(ncpus);
    puts_("\n");
    mmu_on();
    uint64_t why[10] = {0}, exc = 0;
    for (uint64_t r = 0; r < rounds; r++) {
        fuzz_devices(&rng_state, (int)(rng() % 12));
        fill_code();
        random_state();
        arm_watchdog();
        fz_exc_count = 0;
        uint64_t entry = (uintptr_t)code + (rng() % 64) * 4;
        uint64_t reason = run_el0(entry, regs, (uintptr_t)data + PAGE + (rng() % 64) * 16);
        SYSREG_W("cntv_ctl_el0", 0);
        why[reason < 10 ? reason : 0]++;
        exc += fz_exc_count;
    }
    puts_("FUZZ-DONE rounds ");
    putdec(rounds);
    puts_(" el0-exceptions ");
    putdec(exc);
    puts_(" el1-exceptions ");
    putdec(fz_el1_exc);
    puts_(" ends: final-svc ");
    putdec(why[1]);
    puts_(" left-page ");
    putdec(why[3]);
    puts_(" cap ");
    putdec(why[2]);
    puts_(" watchdog ");
    putdec(why[4]);
    puts_(" other ");
    putdec(why[5] + why[6] + why[7] + why[8] + why[9] + why[0]);
    puts_("\n");
    static const uint64_t exit_block[2] = {0x20026, 0};
    semihost(0x18, exit_block);
}
