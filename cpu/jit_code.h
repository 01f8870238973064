/* Tier 1's executable memory and compile counters (cpu/jit_code_x86.c).
 *
 * One JitCode per machine (Machine.jit_code, made by machine_init and
 * destroyed by machine_destroy once the vCPUs and the translation cache are
 * gone), or per unit test (tests/unit/common.h); jit_compile allocates from
 * cpu->jit_code and records the allocator in the block (IRBlock.jit_code),
 * so the block's code goes back to the JitCode it came from. Nothing here is
 * shared between machines.
 *
 * Memory: RWX arenas (one of the limit's size, or 64 MiB ones without a
 * limit), handed out in chunks of a multiple of 64 bytes up to 16 KiB (a
 * power of two above) with per-size free lists under one mutex (compiling is rare next to running). Chunks come back through
 * jit_code_free when their block is freed (after the translation cache's
 * RCU grace period). */
#ifndef FLOTILLA_JIT_CODE_H
#define FLOTILLA_JIT_CODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ir.h"

typedef struct JitCode JitCode;

/* Main thread, before any vCPU runs (or a test's thread): code memory
 * bounded to `limit` bytes (0: unbounded). The bound is one arena mapped on
 * first use; without room for a block (and no larger free chunk to split),
 * it stays with the interpreter and jit_code_take_exhausted() reports it
 * once. NULL if out of memory. */
JitCode *jit_code_new(uint64_t limit);
/* Main thread, once no code can run and no block holding code can be freed
 * any more (every vCPU joined, the translation cache destroyed and its RCU
 * callbacks run): unmap every arena and free jc. NULL: nothing. */
void jit_code_destroy(JitCode *jc);

/* Any thread (the compiling vCPU): a chunk of at least len bytes, its size
 * in *out_size; NULL if there is no room (the exhaustion is recorded) or no
 * code memory at all. */
void *jit_code_alloc(JitCode *jc, size_t len, uint32_t *out_size);
/* Any thread (the RCU free callback, or a recompile on the owner thread):
 * give back code from jit_code_alloc on the same jc. */
void jit_code_free(JitCode *jc, void *code, uint32_t size);
/* Any thread: true (once) if an allocation failed for want of room since
 * the last call; the translation cache then flushes. */
bool jit_code_take_exhausted(JitCode *jc);
/* Any thread: where compiles dump their code (FLOTILLA_JIT_DUMP when jc
 * was made; see cpu/jit_x86.c), or NULL. */
const char *jit_code_dump_dir(const JitCode *jc);

/* Any thread (the compiling vCPU): count one compile, successful (with its
 * inline and called op counts, called_opc[IR_NUM_OPS] by opcode) or not
 * (called_opc NULL: the others are ignored); loop_flags: the block is a
 * self-loop whose NZCV pack was left to its exits (Ctx.lnz); lts_sites:
 * its accesses with a TLB site cache (Ctx.lts_op). */
void jit_code_count(JitCode *jc, bool ok, uint64_t native, uint64_t called, const uint32_t *called_opc,
                    bool loop_flags, uint32_t lts_sites);

typedef struct JitStats {
    uint64_t blocks_compiled;
    uint64_t blocks_failed;  /* left to the interpreter */
    uint64_t ops_native;     /* ops with inline code */
    uint64_t ops_called;     /* ops run through interp_exec_op (always) */
    uint64_t code_bytes;     /* bytes of live native code */
    uint64_t loop_flags;     /* self-loops packing NZCV on their exits only */
    uint64_t lts_sites;      /* self-loops' accesses with a TLB site cache */
    /* of ops_called, by IR opcode (compiled fallback sites; the times they
     * ran are in CPUStats.jit.fallback) */
    uint64_t ops_called_by_opc[IR_NUM_OPS];
} JitStats;

/* Any thread: jc's counters (approximate while vCPUs run); all zero for a
 * NULL jc. */
void jit_get_stats(JitCode *jc, JitStats *s);

#endif
