/* gdb remote stub (-s, -S, -gdb tcp::PORT | unix:PATH): all-stop mode, one
 * gdb thread per guest core. Design and protocol coverage: docs/debug.md.
 *
 * Thread rules: the stub thread owns the socket. gdb's breakpoint and
 * watchpoint sets change only while every core is stopped (parked in
 * gdb_vcpu_park), so vCPUs read them without locks; the stop/resume
 * handshake (under GdbStub.lock) orders those accesses. While the machine
 * is stopped, the stub thread may read and write the stopped cores'
 * CPUState (ownership is handed over at the park and back at the resume,
 * as PSCI hands over the CPU_ON slot). */
#ifndef FLOTILLA_GDBSTUB_H
#define FLOTILLA_GDBSTUB_H

#include <stdbool.h>
#include <stdint.h>

#include "../cpu/cpu.h"

struct Machine;
struct GdbStub;

/* Why a core stopped the machine (the T reply). */
enum GdbStopKind { GDB_STOP_NONE, GDB_STOP_SIGINT, GDB_STOP_BP, GDB_STOP_STEP, GDB_STOP_WATCH };

/* Main thread, start-up: parse a -gdb device string ("tcp::1234",
 * "tcp:HOST:PORT", "unix:PATH"). false with a message on stderr if bad. */
bool gdb_parse_dev(const char *dev);
/* Main thread, before the vCPUs start: open the listening socket and
 * start the stub thread; with wait (-S) every core parks at its first safe
 * point until gdb continues. false with a message on error. */
bool gdb_start(struct Machine *m, const char *dev, bool wait);
/* Main thread, after the vCPUs have joined: stop the thread, close sockets. */
void gdb_stop(struct Machine *m);

/* Owner vCPU, at a safe point (REQ_DEBUG; under -det also the baton holder
 * waiting for input with every core idle): park while gdb holds the machine
 * (returns at once if no stop is requested). Under -det the holder's park
 * stops the whole machine. */
void gdb_vcpu_park(CPUState *cpu);
/* Owner vCPU: this core stopped for `kind` (addr: watchpoint data address):
 * stop every core and report it to gdb (first reporter wins). */
void gdb_vcpu_hit(CPUState *cpu, enum GdbStopKind kind, uint64_t addr);

/* Owner vCPU (sets read-only while cores run). A gdb breakpoint (Z0/Z1) at pc? */
bool gdb_bp_at(const struct Machine *m, uint64_t pc);
/* Owner vCPU. Any gdb watchpoint set? */
bool gdb_has_wp(const struct Machine *m);
/* Owner vCPU. Does a gdb watchpoint overlap page [vpage, vpage + 4K)? */
bool gdb_page_watched(const struct Machine *m, uint64_t vpage);
/* Owner vCPU. A gdb watchpoint hit by an access of size bytes at va
 * (write: a store; rmw: both); *hit gets the watchpoint's address. */
bool gdb_watch_hit(const struct Machine *m, uint64_t va, uint64_t size, bool write, bool rmw, uint64_t *hit);
/* Any thread: the system counter's clock with a gdb stub (opaque = the
 * Machine): CLOCK_MONOTONIC minus the time spent stopped. */
uint64_t gdb_clock_ns(void *opaque);
/* Any thread. Host ns the machine has spent stopped under gdb (the system
 * counter subtracts it, so a stopped machine's time does not jump). */
uint64_t gdb_paused_ns(const struct Machine *m);

#endif
