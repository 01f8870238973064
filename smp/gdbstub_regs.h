/* The gdb stub's register file (smp/gdbstub_regs.c). Thread rules: init on
 * the main thread at start-up; the accessors on the stub thread, for a
 * stopped core only. */
#ifndef FLOTILLA_GDBSTUB_REGS_H
#define FLOTILLA_GDBSTUB_REGS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include "../cpu/cpu.h"

#define GDB_MAX_SYSREGS 96

typedef struct GdbRegs {
    int nsys;                 /* system registers the machine has, gdb numbers 68.. */
    int sys[GDB_MAX_SYSREGS]; /* index into the candidate list */
    char *xml;                /* target.xml */
    size_t xml_len;
} GdbRegs;

/* Main thread, start-up (after the machine registered its sysregs). */
bool gdbregs_init(GdbRegs *gr);
void gdbregs_free(GdbRegs *gr);
/* Stub thread. Number of registers; bytes of register rn (0: no such register). */
int gdbregs_count(const GdbRegs *gr);
int gdbregs_size(const GdbRegs *gr, int rn);
/* Stub thread, core stopped. Little-endian bytes of register rn; returns the size (0: none). */
int gdbregs_read(const GdbRegs *gr, CPUState *cpu, int rn, uint8_t *out);
/* Stub thread, core stopped. false: no such register or not writable. */
bool gdbregs_write(const GdbRegs *gr, CPUState *cpu, int rn, const uint8_t *in);

/* gdb numbers of the registers the 'g' packet carries: x0..fpcr. */
#define GDB_G_REGS 68

#endif
