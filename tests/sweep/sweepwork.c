/* The sweep tests' bare-metal workload (flotilla -semihosting -kernel):
 * a fixed amount of integer work whose checksum does not depend on the
 * machine, printed as "SWEEP checksum 0x..." with the work done, then exit
 * 0. Built with -DSWEEP_PANIC it instead takes an unexpected exception (a
 * load from unmapped memory), which the harness's vectors report before
 * exiting with status 2: the sweep runner must record that run as failed. */
#include <stdint.h>

#include "libguest.h"

#ifndef SWEEP_ITERS
#define SWEEP_ITERS 3000000
#endif

int main(void)
{
#ifdef SWEEP_PANIC
    guest_puts("SWEEP about to fault\n");
    volatile uint64_t *bad = (volatile uint64_t *)0x7000000000ull; /* beyond the 40-bit PA space */
    (void)*bad;
#endif
    uint64_t x = 0x243f6a8885a308d3ull, h = 0xcbf29ce484222325ull;
    for (uint64_t i = 0; i < SWEEP_ITERS; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        h = (h ^ (x & 0xff)) * 0x100000001b3ull;
    }
    guest_puts("SWEEP iterations ");
    guest_put_dec(SWEEP_ITERS);
    guest_puts("\nSWEEP checksum ");
    guest_put_hex(h);
    guest_puts("\n");
    return 0;
}
