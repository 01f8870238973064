/* The atomic-emulation layer: exclusives (through the exclusive monitor) and
 * LSE atomics as host atomic instructions on guest RAM. Owner thread only
 * (each call acts for the calling vCPU); the monitor state they share is
 * designed for concurrent use (see docs/atomics.md).
 *
 * All return false when a guest exception was raised (alignment fault, MMU
 * fault); the exception is already taken (cpu->pc is the vector). */
#ifndef FLOTILLA_ATOMIC_H
#define FLOTILLA_ATOMIC_H

#include <stdbool.h>
#include <stdint.h>

#include "../cpu/cpu.h"
#include "../cpu/ir.h"

bool atomic_load_excl(CPUState *cpu, uint64_t va, int size, uint16_t flags, uint64_t *val);
/* *status = 0 on success, 1 on failure (STXR's Ws). */
bool atomic_store_excl(CPUState *cpu, uint64_t va, int size, uint16_t flags, uint64_t val, uint64_t *status);
/* LDAR/STLR (and the IR_LOAD/IR_STORE ops flagged IRF_ACQ/IRF_REL):
 * alignment-checked accesses with the ordering of docs/atomics.md. */
bool atomic_load_acquire(CPUState *cpu, uint64_t va, int size, uint16_t flags, uint64_t *val);
bool atomic_store_release(CPUState *cpu, uint64_t va, int size, uint16_t flags, uint64_t val);
bool atomic_rmw(CPUState *cpu, uint64_t va, int size, uint16_t flags, enum IRRmw op, uint64_t operand,
                uint64_t *old);
bool atomic_cas(CPUState *cpu, uint64_t va, int size, uint16_t flags, uint64_t expected, uint64_t desired,
                uint64_t *old);
/* CLREX, and exception entry/return (the architecture clears the local monitor). */
void atomic_clear_monitor(CPUState *cpu);

/* atomic_reserve_host's answer when the granule's slot or page is settling:
 * the LDXR must run through atomic_load_excl, which makes the dispatcher
 * wait (cpu->excl_wait). Odd, so never a version. */
#define ATOMIC_RESERVE_WAIT 3ull
/* Owner thread: the reservation half of LDXR for the JIT's inline LDXR
 * (cpu/jit_excl_x86.c) when its fast path found the slot or page of `host`
 * not STABLE and used, or its TLB's armed tags behind the monitor: what
 * load_excl does between the translation and the data load
 * (monitor_reserve, tlb_sync_armed). Returns the version to record,
 * MON_VER_INVALID, or ATOMIC_RESERVE_WAIT (nothing else done then). */
uint64_t atomic_reserve_host(CPUState *cpu, void *host);

#endif
