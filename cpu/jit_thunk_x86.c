/* Tier 1: the shared tails of the slow-path stubs (docs/jit.md, "Stub
 * size"). A memory stub's TLB refill and any interpreter call
 * (interp_exec_op: a stub's last resort, a fallback op) used to write out
 * their whole C call in every stub: park R8-R10 and the budget register,
 * load the callee's 64-bit address, call, restore, the -stats count. That
 * was over half of every block's code bytes. Generated code now calls one
 * of these through a literal at the end of its block (`call [rip+lit]`,
 * jit_call_thunk), and each does that work once for all blocks.
 *
 * Called from generated code only: RBX = the CPUState, RSP 16-byte
 * aligned before the call (so 8 off inside), the block's temp slots at
 * RSP + 8. They may clobber what a C call may (RAX, RCX, RDX, RSI, RDI,
 * XMM) and keep R8, R9, R10 (temps) and R11 (the budget, which C reads and
 * changes in cpu->chain_budget). Thread rules: the owning vCPU's generated
 * code. */
#include <stddef.h>

#include "jit_x86_ctx.h"

/* Extended asm in a function body, emitted into .text as standalone code,
 * so that the CPUState offsets come from offsetof (no copy of the layout
 * to keep in step). Never called as a C function. */
__attribute__((used)) static void jit_thunks_asm(void)
{
    __asm__ volatile(
        ".pushsection .text\n"
        /* flotilla_jit_refill_pc: flotilla_jit_refill (below, where it
         * falls through to) with RAX = the guest pc of the access, stored
         * in cpu->pc first for a fault: the stubs' store of it, done once
         * here (7 bytes less in each). */
        ".globl flotilla_jit_refill_pc\n"
        ".type flotilla_jit_refill_pc, @function\n"
        "flotilla_jit_refill_pc:\n"
        "    mov %%rax, %c[pc](%%rbx)\n"
        ".size flotilla_jit_refill_pc, .-flotilla_jit_refill_pc\n"
        /* flotilla_jit_refill: RSI = the guest va, EDX = tlb_refill's mode.
         * Counts the slow path, calls tlb_refill(cpu, va, mode) and
         * returns its result in RAX (the stub tests it), counting a refill
         * that gave an entry (above TLB_REFILL_FAULT, 1). */
        ".globl flotilla_jit_refill\n"
        ".type flotilla_jit_refill, @function\n"
        "flotilla_jit_refill:\n"
        "    incq %c[slow](%%rbx)\n"
        "    mov %%rbx, %%rdi\n"
        "    mov %%r9, %c[save](%%rbx)\n"
        "    mov %%r10, %c[save]+8(%%rbx)\n"
        "    mov %%r8, %c[save]+16(%%rbx)\n"
        "    mov %%r11d, %c[budget](%%rbx)\n"
        "    sub $8, %%rsp\n"
        "    call tlb_refill\n"
        "    add $8, %%rsp\n"
        "    mov %c[budget](%%rbx), %%r11d\n"
        "    mov %c[save](%%rbx), %%r9\n"
        "    mov %c[save]+8(%%rbx), %%r10\n"
        "    mov %c[save]+16(%%rbx), %%r8\n"
        "    cmp $1, %%rax\n"
        "    jbe 1f\n"
        "    incq %c[refill](%%rbx)\n"
        "1:  ret\n"
        ".size flotilla_jit_refill, .-flotilla_jit_refill\n"
        /* flotilla_jit_interp: RSI = the IROp. interp_exec_op(cpu, op, t)
         * with t = the caller's RSP (its temp slots); returns its result
         * in EAX (-1: go on). */
        ".globl flotilla_jit_interp\n"
        ".type flotilla_jit_interp, @function\n"
        "flotilla_jit_interp:\n"
        "    mov %%rbx, %%rdi\n"
        "    lea 8(%%rsp), %%rdx\n"
        "    mov %%r9, %c[save](%%rbx)\n"
        "    mov %%r10, %c[save]+8(%%rbx)\n"
        "    mov %%r8, %c[save]+16(%%rbx)\n"
        "    mov %%r11d, %c[budget](%%rbx)\n"
        "    sub $8, %%rsp\n"
        "    call interp_exec_op\n"
        "    add $8, %%rsp\n"
        "    mov %c[budget](%%rbx), %%r11d\n"
        "    mov %c[save](%%rbx), %%r9\n"
        "    mov %c[save]+8(%%rbx), %%r10\n"
        "    mov %c[save]+16(%%rbx), %%r8\n"
        "    ret\n"
        ".size flotilla_jit_interp, .-flotilla_jit_interp\n"
        ".popsection\n"
        :
        : [slow] "i"(CPU_OFF(stats.jit.mem_slow)), [refill] "i"(CPU_OFF(stats.jit.mem_refill)),
          [save] "i"(CPU_OFF(jit_save)), [budget] "i"(CPU_OFF(chain_budget)), [pc] "i"(CPU_OFF(pc)));
}
