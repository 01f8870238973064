/* See mp.h. */
#include "mp.h"

extern void mp_secondary_entry(void);

static mp_fn the_fn;
uint64_t mp_vbar; /* core 0's VBAR_EL1, for the secondaries (mp_start.S) */
static volatile uint32_t bar_count, bar_gen, done_count;

static int64_t psci_cpu_on(uint64_t mpidr, uint64_t entry, uint64_t ctx)
{
    register uint64_t x0 __asm__("x0") = 0xc4000003;
    register uint64_t x1 __asm__("x1") = mpidr;
    register uint64_t x2 __asm__("x2") = entry;
    register uint64_t x3 __asm__("x3") = ctx;
    __asm__ volatile("hvc #0" : "+r"(x0) : "r"(x1), "r"(x2), "r"(x3) : "memory");
    return (int64_t)x0;
}

void mp_secondary(int core);
void mp_secondary(int core)
{
    the_fn(core);
    mp_done();
}

int mp_start(mp_fn fn)
{
    the_fn = fn;
    __asm__ volatile("mrs %0, vbar_el1" : "=r"(mp_vbar));
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    int n = 1;
    while (n < MP_MAX && psci_cpu_on((uint64_t)n, (uint64_t)(uintptr_t)mp_secondary_entry, (uint64_t)n) == 0)
        n++;
    return n;
}

void mp_barrier(int n)
{
    uint32_t gen = __atomic_load_n(&bar_gen, __ATOMIC_ACQUIRE);
    if (__atomic_add_fetch(&bar_count, 1, __ATOMIC_ACQ_REL) == (uint32_t)n) {
        __atomic_store_n(&bar_count, 0, __ATOMIC_RELAXED);
        __atomic_store_n(&bar_gen, gen + 1, __ATOMIC_RELEASE);
        mp_sev();
    } else {
        while (__atomic_load_n(&bar_gen, __ATOMIC_ACQUIRE) == gen)
            mp_wfe();
    }
}

void mp_done(void)
{
    __atomic_add_fetch(&done_count, 1, __ATOMIC_RELEASE);
    mp_sev();
}

void mp_join(int n)
{
    while (__atomic_load_n(&done_count, __ATOMIC_ACQUIRE) != (uint32_t)(n - 1))
        mp_wfe();
}
