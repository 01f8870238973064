/* A tiny multicore runtime for bare-metal guest programs (tests/det/):
 * start the other cores with PSCI CPU_ON, a barrier, WFE/SEV waiting.
 * Built with LSE atomics (-march=armv8-a+lse), no libgcc. */
#ifndef DET_MP_H
#define DET_MP_H

#include <stdint.h>

#include "libguest.h"

#define MP_MAX 8

typedef void (*mp_fn)(int core);

/* Core 0: start every other core running fn(index); returns the number of
 * cores (cores that do not exist make CPU_ON fail). */
int mp_start(mp_fn fn);
/* Any core: wait until all n cores arrived (sense-reversing, WFE). */
void mp_barrier(int n);
/* Any core: this core is done; core 0 waits for the others with mp_join. */
void mp_done(void);
void mp_join(int n);

static inline void mp_sev(void) { __asm__ volatile("sev" ::: "memory"); }
static inline void mp_wfe(void) { __asm__ volatile("wfe" ::: "memory"); }

#endif
