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

static void work(int core)
{
    for (int i = 0; i < ITERS; i++) {
        uint64_t v = counter;
        for (volatile int k = 0; k < (i * 7 + core) % 5; k++) {
        }
        counter = v + 1;
        uint32_t t = __atomic_fetch_add(&ticket, 1, __ATOMIC_RELAXED);
        order[t] = (uint8_t)core;
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
    guest_puts("\n");
    return 0;
}
