/* Arm weak-memory mode (-det seed=N,weak=on): per-core store buffers on
 * the interpreter tier. Plain stores wait in their core's buffer and drain
 * to memory in a seeded random order between different addresses (in order
 * for overlapping ones, and after every store before a DMB ST); loads read
 * their own core's buffer first; full DMBs, DSB, release stores,
 * exclusives, LSE atomics and helper calls drain the buffer. The reasoning about what this may and may not show is in
 * docs/determinism.md, "Weak memory".
 *
 * Thread rules: weakmem_create/destroy from the main thread (det_create /
 * det_destroy); everything else only by the vCPU thread holding the -det
 * baton (a core's buffer is touched by its owner while it runs, and by the
 * scheduler, on the holder's thread, between turns). */
#ifndef FLOTILLA_WEAKMEM_H
#define FLOTILLA_WEAKMEM_H

#include <stdbool.h>
#include <stdint.h>

struct CPUState;
struct Machine;

/* Main thread: a buffer per core (cpu->weak), seeded from seed. */
bool weakmem_create(struct Machine *m, uint64_t seed);
void weakmem_destroy(struct Machine *m);

/* Owner vCPU (holder): the interpreter's plain and acquire loads, plain
 * stores. false: a guest exception was raised. */
bool weak_load(struct CPUState *cpu, uint64_t va, int size, uint16_t irflags, uint64_t *val);
bool weak_store(struct CPUState *cpu, uint64_t va, int size, uint16_t irflags, uint64_t val);
/* Holder: drain this core's whole buffer, oldest first (barriers, atomics). */
void weak_drain_all(struct CPUState *cpu);
/* Holder: a barrier. types = DMB's CRm<1:0>: 2 (DMB ST) orders earlier
 * stores before later ones (a fence in the buffer), 1 (DMB LD) needs
 * nothing (loads are performed in order, before any later store drains),
 * anything else drains the whole buffer. */
void weak_fence(struct CPUState *cpu, int types);
/* Holder, at each scheduling step: drain a random part of every buffer. */
void weak_sched_step(struct Machine *m);

#endif
