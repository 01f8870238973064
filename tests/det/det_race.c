/* A racy program for the -det determinism tests: every core increments a
 * shared counter with an unsynchronised load/add/store (lost updates) and
 * logs the order in which the cores pass a point (an LDADD ticket). The
 * output (final counter, hash of the order, per-core tickets) is a function
 * of the interleaving: identical for one seed, different between seeds. */
#include "mp.h"

#define ITERS 3000

static volatile uint64_t counter;
static uint32_t ticket;
static uint8_t order[MP_MAX * ITERS];
#ifdef WITH_CLOCK
/* det_race_clock.elf: every iteration also reads the virtual counter in the
 * middle of its block, so guest time is part of the output (gdb.det_replay
 * checks that stops do not move it). */
static uint64_t clock_mix[MP_MAX];
#define READ_CLOCK(core)                                             \
    do {                                                             \
        uint64_t c_;                                                 \
        __asm__ volatile("mrs %0, cntvct_el0" : "=r"(c_));           \
        clock_mix[core] = clock_mix[core] * 31 + c_;                 \
    } while (0)
#else
#define READ_CLOCK(core) ((void)0)
#endif

/* The "bp:" comments mark lines where tests/gdb/gdb_det.py sets breakpoints. */
static void work(int core)
{
    for (int i = 0; i < ITERS; i++) {
        uint64_t v = counter; /* bp:load */
        for (volatile int k = 0; k < (i * 7 + core) % 5; k++) {
        }
        counter = v + 1;
        READ_CLOCK(core);
        uint32_t t = __atomic_fetch_add(&ticket, 1, __ATOMIC_RELAXED);
        order[t] = (uint8_t)core; /* bp:order */
    }
}

int main(void)
{
    int n = mp_start(work);
    work(0);
    mp_join(n);
    uint64_t h = 1469598103934665603ull; /* FNV-1a over the order */
    uint32_t switches = 0;
    for (uint32_t i = 0; i < ticket; i++) {
        h = (h ^ order[i]) * 1099511628211ull;
        switches += i && order[i] != order[i - 1];
    }
    guest_puts("cores ");
    guest_put_dec((uint64_t)n);
    guest_puts(" counter ");
    guest_put_dec(counter);
    guest_puts(" switches ");
    guest_put_dec(switches);
    guest_puts(" order-hash ");
    guest_put_hex(h);
#ifdef WITH_CLOCK
    uint64_t ch = 0;
    for (int c = 0; c < n; c++)
        ch = ch * 1099511628211ull + clock_mix[c];
    guest_puts(" clock-hash ");
    guest_put_hex(ch);
#endif
    guest_puts("\n");
    return 0;
}
