/* -d tracing of translation and execution. Owner vCPU thread only. */
#ifndef FLOTILLA_TRACE_H
#define FLOTILLA_TRACE_H

#include <stdint.h>

#include "../cpu/cpu.h"

struct TBlock;

/* After a block is translated: in_asm (disassembly), op (IR). */
void trace_translated(CPUState *cpu, const struct TBlock *tb, const uint32_t *code);
/* Before a block runs: exec (one line), cpu (register dump). */
void trace_exec(CPUState *cpu, const struct TBlock *tb);
/* Parse a -d list ("in_asm,exec,int,unimp,op,smp,cpu" or "help"). Returns
 * false and prints the reason on an unknown item. */
bool trace_parse(const char *list, uint32_t *mask);

#endif
