/* Deterministic multicore mode (-det): one vCPU thread runs guest code at a
 * time (the baton), a seeded scheduler picks the next core at quantum ends
 * and switch points, guest time is virtual (derived from instruction
 * counts), device input is delivered at scheduling points and can be
 * recorded and replayed. Design and rules: docs/determinism.md.
 *
 * Thread rules: det_parse from the main thread (option parsing); det_create
 * and det_destroy from the main thread, before the vCPU threads start / after
 * they are joined. Every other function is called by the vCPU thread that
 * holds the baton (the "holder"), except where marked. */
#ifndef FLOTILLA_DET_H
#define FLOTILLA_DET_H

#include <stdbool.h>
#include <stdint.h>

struct Machine;
struct CPUState;
struct CharPort;

enum { DET_SCHED_RANDOM, DET_SCHED_PCT };
enum { DET_RR_NONE, DET_RR_RECORD, DET_RR_REPLAY };

typedef struct DetOptions {
    bool on;
    uint64_t seed;
    int sched;          /* DET_SCHED_* */
    int depth;          /* PCT bug depth D (D-1 priority change points) */
    uint64_t quantum;   /* instructions per turn at most */
    uint64_t steps;     /* PCT: change points are drawn from [1, steps] global instructions */
    bool weak;          /* weak=on: Arm weak-memory store buffers (smp/weakmem.c) */
    int rr;             /* DET_RR_* */
    const char *rrfile;
} DetOptions;

/* Main thread. Parse "seed=N[,sched=random|pct][,depth=D][,quantum=Q]
 * [,steps=S][,weak=on|off][,rr=record|replay,rrfile=F]". false after one
 * line on stderr. */
bool det_parse(const char *s, DetOptions *o);

/* Main thread, machine_init (after the cores exist, before the devices):
 * m->det. false after a message (e.g. the rr file cannot be opened). */
bool det_create(struct Machine *m);
/* Main thread, machine_init, once the monitor exists: with weak=on, a
 * store buffer per core (smp/weakmem.c). false after a message. */
bool det_create_weak(struct Machine *m);
/* Main thread, after the vCPU threads are joined. Closes the rr file. */
void det_destroy(struct Machine *m);

/* Any thread (the system counter and the PL031 read it): virtual time in
 * ns. Advanced only by the holder at scheduling points. */
uint64_t det_clock_ns(void *det);
/* Fixed RTC start in -det mode (Unix seconds), instead of the host's clock. */
#define DET_RTC_EPOCH 1767225600u /* 2026-01-01T00:00:00Z */

/* Main thread, machine_run: the port the console thread delivers input to
 * in -det mode (queued, then handed to the UART at scheduling points). */
struct CharPort *det_input_port(struct Machine *m);

/* Owner vCPU thread, once before its loop: wait for the first turn (core 0
 * starts with the baton). false if the machine stopped meanwhile. */
bool det_enter(struct CPUState *cpu);
/* Owner vCPU (holder), at every dispatcher pass: is this pass an exact
 * point? Yes when its instruction count is one the guest's run fixes,
 * whatever the block layout, chains or gdb: the turn's budget (or a PCT
 * change point) is reached, the instruction just run asked for one
 * (cpu->det_point: DAIF unmask, ERET, WFI/WFE, SEV), or no instruction ran
 * since the last exact point. Only exact points act (docs/determinism.md). */
bool det_exact_point(struct CPUState *cpu);
/* Owner vCPU, at every exact point (holder): account the instructions
 * run since the last call, and hand the baton over at the end of the turn or
 * at a switch point. Returns when this core has the baton again (or the
 * machine stops). */
void det_safepoint(struct CPUState *cpu);
/* Owner vCPU (holder): the core cannot run (WFI/WFE, parked, blocked) until
 * a request arrives or virtual time reaches wake_ns. Hands the baton on;
 * returns when this core is picked again. */
void det_idle(struct CPUState *cpu, uint64_t wake_ns);
/* Owner vCPU (holder): instructions this core may still run in its turn
 * (bounds the dispatcher's pass budget). */
int64_t det_budget(const struct CPUState *cpu);
/* Holder: a scheduling point (SEV, whose block ends after it): the
 * scheduler decides at the next pass, an exact point. */
void det_switch_point(struct CPUState *holder);
/* Any thread (vcpu_kick): `target` got request bits `req`; in -det mode
 * only the holder kicks guest-visibly, so this is a switch point for it,
 * taken at its next exact point. gdb's stop requests (REQ_DEBUG, from the
 * stub thread or a core that hit a breakpoint) are not: stopping must not
 * change the schedule. */
void det_kicked(struct Machine *m, struct CPUState *target, uint32_t req);
/* Owner vCPU, when its loop ends: pass the baton on (or wake everyone if
 * the machine stops). */
void det_exit(struct CPUState *cpu);

#endif
