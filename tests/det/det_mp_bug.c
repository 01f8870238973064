/* A planted missing-barrier bug: message passing without DMB. Core 1
 * fills a buffer and then sets a ready flag with plain stores; core 0 waits
 * for the flag and reads the buffer. On Arm hardware the stores may become
 * visible out of order, so core 0 can see the flag and stale data; an x86
 * host (TSO) never shows it, nor does flotilla's default mode. -det
 * weak=on shows it. Built with -DWITH_BARRIER (det_mp_fixed.elf) the
 * producer has DMB ST and the consumer DMB LD: then it must never show.
 * Exit status 1 and "BUG" when core 0 reads stale data. */
#include "mp.h"

#define ROUNDS 50

static volatile uint64_t data[4];
static volatile uint64_t ready, consumed;

static void producer(int core)
{
    (void)core;
    for (uint64_t r = 1; r <= ROUNDS; r++) {
        while (consumed != r - 1) {
        }
        for (int i = 0; i < 4; i++)
            data[i] = r;
#ifdef WITH_BARRIER
        __asm__ volatile("dmb st" ::: "memory");
#endif
        ready = r;
    }
}

int main(void)
{
    int n = mp_start(producer);
    if (n < 2) {
        guest_puts("needs -smp 2\n");
        return 2;
    }
    for (uint64_t r = 1; r <= ROUNDS; r++) {
        while (ready != r) {
        }
#ifdef WITH_BARRIER
        __asm__ volatile("dmb ld" ::: "memory");
#endif
        for (int i = 0; i < 4; i++) {
            if (data[i] != r) {
                guest_puts("BUG: round ");
                guest_put_dec(r);
                guest_puts(" read stale data ");
                guest_put_dec(data[i]);
                guest_puts("\n");
                return 1;
            }
        }
        consumed = r;
    }
    mp_join(n);
    guest_puts("ok: all rounds consistent\n");
    return 0;
}
