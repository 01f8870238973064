/* Difftest harness: runs one generated instruction sequence and dumps the
 * final state. Built twice from this file:
 *   -DTARGET_QEMU      Linux user program for qemu-aarch64-static: write(2)
 *                      and exit_group(2) through SVC; faults are caught with
 *                      signal handlers on an alternate stack.
 *   -DTARGET_FLOTILLA  bare metal for `flotilla -semihosting`: output and exit
 *                      through semihosting (HLT #0xF000); faults are caught
 *                      through VBAR_EL1.
 * The common part (section .text.common and the data block) is identical in
 * both ELFs and at the same addresses (link.ld); the generator patches the
 * code area (dt_code), the initial registers (dt_init) and the initial
 * scratch contents (dt_scratch) of a copy of each ELF. See docs/difftest.md.
 *
 * Run: x28 = DT_BASE (dt_scratch + 4096) for the whole run; x0..x27, x29,
 * x30, SP and NZCV come from dt_init. A fault (UNDEF, data abort, ...) in the
 * code area is recorded as {pc, code} in the out block and skipped (pc + 4):
 * code = ESR_EL1 on flotilla, the signal number on qemu. */
#include "layout.h"

    .section .text.common, "ax"
    .global _start
_start:
    adr x28, dt_base
    b target_init               /* comes back to dt_common_init */

    .global dt_common_init
dt_common_init:
    ldr x0, [x28, #(B_OUT + INIT_NZCV)]
    msr nzcv, x0
    ldr x0, [x28, #(B_OUT + INIT_SP)]
    mov sp, x0
    .irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,29,30
    ldr x\n, [x28, #(B_OUT + INIT_X(\n))]
    .endr

    /* The generated sequence; it ends with a branch to dt_dump. */
    .global dt_code
    .balign 16
dt_code:
    .rept DT_CODE_WORDS
    nop
    .endr

    .global dt_dump
dt_dump:
    .irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30
    str x\n, [x28, #(B_OUT + OUT_X(\n))]
    .endr
    mov x0, sp
    str x0, [x28, #(B_OUT + OUT_SP)]
    mrs x0, nzcv
    str x0, [x28, #(B_OUT + OUT_NZCV)]
    b target_output

    /* ---------------- data block (common) ---------------- */
    .section .data.dt, "aw"
    .balign 64
    .global dt_magic, dt_scratch, dt_base, dt_out, dt_init
dt_magic:
    .ascii "FLDIFT01"
    .quad 0
dt_scratch:
    .skip DT_BASE_OFF
dt_base:
    .skip DT_SCRATCH_SIZE - DT_BASE_OFF
dt_out:
    .skip DT_OUT_SIZE
dt_save:
    .skip 16
dt_init:
    .skip DT_INIT_SIZE
    .balign 16

/* ---------------- target-specific part ---------------- */
    .section .text.target, "ax"

#if defined(TARGET_FLOTILLA)

target_init:
    adr x0, dt_vectors
    msr vbar_el1, x0
    isb
    b dt_common_init

target_output:
    mov x0, #5                  /* SYS_WRITE {fd, buf, len} */
    adr x1, sh_write_block
    hlt #0xf000
    mov x0, #0x18               /* SYS_EXIT {ADP_Stopped_ApplicationExit, 0} */
    adr x1, sh_exit_block
    hlt #0xf000
    b .

    /* Every vector: record {ELR_EL1, ESR_EL1}, skip the instruction. Uses
     * only x28 (the harness base, never written by generated code) and two
     * save slots; flags are restored by ERET from SPSR_EL1. */
    .balign 2048
dt_vectors:
    .rept 16
    b fault_entry
    .balign 128
    .endr

fault_entry:
    str x0, [x28, #(B_OUT + SAVE_OFF)]
    str x1, [x28, #(B_OUT + SAVE_OFF + 8)]
    ldr x0, [x28, #(B_OUT + OUT_NFAULTS)]
    add x1, x0, #1
    str x1, [x28, #(B_OUT + OUT_NFAULTS)]
    cmp x0, #DT_MAX_FAULTS
    b.hs 1f
    add x1, x28, x0, lsl #4
    mrs x0, elr_el1
    str x0, [x1, #(B_OUT + OUT_FAULTS)]
    mrs x0, esr_el1
    str x0, [x1, #(B_OUT + OUT_FAULTS + 8)]
1:  mrs x0, elr_el1
    add x0, x0, #4
    msr elr_el1, x0
    ldr x0, [x28, #(B_OUT + SAVE_OFF)]
    ldr x1, [x28, #(B_OUT + SAVE_OFF + 8)]
    eret

    .data
    .balign 8
sh_write_block:
    .quad 1, dt_magic, DT_DUMP_LEN
sh_exit_block:
    .quad 0x20026, 0

#elif defined(TARGET_QEMU)

#define SYS_write 64
#define SYS_exit_group 94
#define SYS_sigaltstack 132
#define SYS_rt_sigaction 134
#define SYS_rt_sigreturn 139
#define SA_SIGINFO 0x4
#define SA_RESTORER 0x04000000
#define SA_ONSTACK 0x08000000
#define UC_PC 440                   /* offsetof(ucontext_t, uc_mcontext.pc) */

target_init:
    adr x0, altstack_desc
    mov x1, #0
    mov x8, #SYS_sigaltstack
    svc #0
    .irp sig, 4, 5, 7, 8, 11        /* SIGILL SIGTRAP SIGBUS SIGFPE SIGSEGV */
    mov x0, #\sig
    adr x1, sigaction_desc
    mov x2, #0
    mov x3, #8
    mov x8, #SYS_rt_sigaction
    svc #0
    .endr
    b dt_common_init

target_output:
    mov x0, #1
    adr x1, dt_magic
    ldr x2, =DT_DUMP_LEN
    mov x8, #SYS_write
    svc #0
    mov x0, #0
    mov x8, #SYS_exit_group
    svc #0
    b .

    /* x0 = signal, x2 = ucontext: record {pc, signal}, skip the instruction. */
sig_handler:
    adr x3, dt_out
    ldr x4, [x3, #OUT_NFAULTS]
    add x5, x4, #1
    str x5, [x3, #OUT_NFAULTS]
    cmp x4, #DT_MAX_FAULTS
    b.hs 1f
    add x5, x3, x4, lsl #4
    ldr x6, [x2, #UC_PC]
    str x6, [x5, #OUT_FAULTS]
    str x0, [x5, #(OUT_FAULTS + 8)]
1:  ldr x6, [x2, #UC_PC]
    add x6, x6, #4
    str x6, [x2, #UC_PC]
    ret

sig_restorer:
    mov x8, #SYS_rt_sigreturn
    svc #0
    .ltorg

    .data
    .balign 8
altstack_desc:                      /* stack_t */
    .quad altstack, 0, 65536
sigaction_desc:                     /* kernel struct sigaction */
    .quad sig_handler, SA_SIGINFO | SA_RESTORER | SA_ONSTACK, sig_restorer, 0
    .bss
    .balign 16
altstack:
    .skip 65536

#else
#error "define TARGET_QEMU or TARGET_FLOTILLA"
#endif
