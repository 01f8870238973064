/* Arm self-hosted debug at EL1/EL0 (hardware breakpoints, watchpoints,
 * software step, MDSCR_EL1.MDE/KDE, OS lock and OS double lock) and the
 * hooks gdb's breakpoints, watchpoints and stepping share with them.
 * Design: docs/debug.md.
 *
 * Thread rules: every function runs on the owner vCPU thread, except
 * debug_register_sysregs (main thread, start-up) and debug_update, which
 * the gdb stub also calls for a core it holds stopped. */
#ifndef FLOTILLA_DEBUG_H
#define FLOTILLA_DEBUG_H

#include <stdbool.h>
#include <stdint.h>

#include "cpu.h"

struct TBlock;
struct DisasCtx;

/* Main thread, start-up. Add the debug registers to the sysreg table. */
void debug_register_sysregs(void);
/* Owner vCPU (or the gdb stub for a stopped core). Recompute cpu->dbg_tbf
 * and cpu->dbg_wp_any after a debug register, MDSCR, OS lock or gdb change;
 * flushes the core's TLB when the watched pages may have changed. */
void debug_update(CPUState *cpu);
/* Owner vCPU, translating instruction number i of a block at s->pc: false
 * to end the block before it (a gdb breakpoint after the first
 * instruction), true to go on. May emit the breakpoint's terminal (and
 * then sets s->end) or the runtime hardware-breakpoint check. */
bool debug_translate_insn(struct DisasCtx *s, uint32_t i);
/* Owner vCPU. Is a watchpoint (guest or gdb) on page vpage? */
bool debug_page_watched(CPUState *cpu, uint64_t vpage);
/* Owner vCPU, slow memory path (cpu->dbg_wp_any): check an access of size
 * bytes at va. false: a watchpoint exception was raised, or gdb stops the
 * machine before the access (cpu->exc_pending; pc stays at the instruction). */
bool debug_check_watch(CPUState *cpu, uint64_t va, uint64_t size, bool write, bool rmw);
/* Owner vCPU, dispatcher, before a block (cpu->dbg_tbf != 0): true if a
 * pending software-step exception was taken instead. */
bool debug_before_block(CPUState *cpu);
/* Owner vCPU, dispatcher, after a TBF_STEP block (tb NULL: the fetch
 * faulted): the software-step state machine and gdb's step report. */
void debug_after_block(CPUState *cpu, const struct TBlock *tb);

#endif
