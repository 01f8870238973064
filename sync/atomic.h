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

#endif
