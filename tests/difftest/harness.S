/* Difftest harness: runs a batch of generated instruction sequences and dumps
 * the final state of each. Built twice from this file:
 *   -DTARGET_QEMU      Linux user program for qemu-aarch64-static: write(2)
 *                      and exit_group(2) through SVC; faults are caught with
 *                      signal handlers on an alternate stack.
 *   -DTARGET_FLOTILLA  bare metal for `flotilla -semihosting`: output and exit
 *                      through semihosting (HLT #0xF000); faults are caught
 *                      through VBAR_EL1.
 * The common part (section .text.common and the data block) is identical in
 * both ELFs and at the same addresses (link.ld); the runner patches the code
 * chunks (dt_code), the slots (dt_slots: initial scratch and registers) and
 * the header (dt_hdr: what to dump) of a copy of each ELF. The per-sequence
 * prologue and epilogue are generated too (layout.h), so the harness itself
 * has no loop and needs no conditional branch. See docs/difftest.md.
 *
 * A fault (UNDEF, data abort, ...) is recorded as {pc, code} in the current
 * slot's out block (found through x28) and skipped (pc + 4): code = ESR_EL1
 * on flotilla, the signal number on qemu. */
#include "layout.h"

    .section .text.common, "ax"
    .global _start
_start:
    ldr x28, =(DT_SLOTS_ADDR + DT_BASE_OFF)   /* a sane x28 until chunk 0 */
    b target_init               /* comes back to dt_common_init */

    .global dt_common_init
dt_common_init:
    b dt_code                   /* the runner patches chunk branches */
    .ltorg

    .global dt_code
    .balign 4096
dt_code:
    .rept DT_CODE_WORDS
    nop
    .endr

    .global dt_finish
dt_finish:
    b target_output

    /* ---------------- data block (common) ---------------- */
    .section .data.dt, "aw"
    .balign 4096
    .global dt_hdr, dt_slots
dt_hdr:
    .quad DT_MAGIC, 0, 0, 0
    .balign 4096
dt_slots:
    .skip DT_MAX_SEQ * DT_SLOT_SIZE

/* ---------------- target-specific part ---------------- */
    .section .text.target, "ax"

#if defined(TARGET_FLOTILLA)

target_init:
    adr x0, dt_vectors
    msr vbar_el1, x0
    /* The MMU on with a flat map, so that data accesses are to Normal
     * memory as in qemu's user mode (with the MMU off they are Device, where
     * unaligned accesses fault). 4K granule, T0SZ = 25 (start at level 1):
     * 0-1 GiB a Device block (EL1 only); 0x4000_0000-0x400f_ffff (the code)
     * 4K pages EL1 RW and executable; the rest of 1-2 GiB (the data block,
     * the scratch areas) EL0 and EL1 RW, never executable, so that the
     * unprivileged LDTR/STTR work as at qemu's EL0. */
    ldr x0, =dt_pt_l1
    ldr x1, =dt_pt_l2
    ldr x2, =dt_pt_l3
    mov x3, #0x405                  /* block, AttrIndx 1 (Device), AF */
    str x3, [x0]
    orr x3, x1, #3                  /* table */
    str x3, [x0, #8]
    orr x3, x2, #3
    str x3, [x1]
    ldr x5, =0x0060000040000741     /* 2 MiB block, UXN, PXN, AF, inner shareable, AP = 01 */
    mov x4, #1
1:  add x3, x5, x4, lsl #21
    str x3, [x1, x4, lsl #3]
    add x4, x4, #1
    cmp x4, #512
    b.lo 1b
    ldr x5, =0x40000703             /* page, AF, inner shareable, AP = 00: the code */
    ldr x6, =0x0060000040000743     /* page, UXN, PXN, AP = 01: data */
    mov x4, #0
2:  cmp x4, #256
    csel x3, x5, x6, lo
    add x3, x3, x4, lsl #12
    str x3, [x2, x4, lsl #3]
    add x4, x4, #1
    cmp x4, #512
    b.lo 2b
    mov x1, #0xff                   /* MAIR: attr 0 Normal WB, attr 1 Device-nGnRnE */
    msr mair_el1, x1
    ldr x1, =0x200803519            /* IPS 40 bits, EPD1, SH0 inner, WB walks, T0SZ 25 */
    msr tcr_el1, x1
    msr ttbr0_el1, x0
    dsb ish
    tlbi vmalle1
    dsb ish
    isb
    mrs x1, sctlr_el1
    mov x2, #((1 << 12) | (1 << 2) | 1) /* I, C, M */
    orr x1, x1, x2
    msr sctlr_el1, x1
    isb
    b dt_common_init

target_output:
    ldr x1, =sh_write_block
    ldr x0, =dt_hdr
    ldr x2, [x0, #HDR_DUMP_ADDR]
    str x2, [x1, #8]
    ldr x2, [x0, #HDR_DUMP_LEN]
    str x2, [x1, #16]
    mov x0, #5                  /* SYS_WRITE {fd, buf, len} */
    hlt #0xf000
    mov x0, #0x18               /* SYS_EXIT {ADP_Stopped_ApplicationExit, 0} */
    ldr x1, =sh_exit_block
    hlt #0xf000
    b .
    .ltorg

    /* Every vector: record {ELR_EL1, ESR_EL1}, skip the instruction. Uses
     * only x28 (the slot base, never written by generated code) and two
     * save slots; flags are restored by ERET from SPSR_EL1. The record index
     * wraps (AND) instead of being bounded by a compare-and-branch. */
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
    and x0, x0, #(DT_MAX_FAULTS - 1)
    add x1, x28, x0, lsl #4
    mrs x0, elr_el1
    str x0, [x1, #(B_OUT + OUT_FAULTS)]
    mrs x0, esr_el1
    str x0, [x1, #(B_OUT + OUT_FAULTS + 8)]
    mrs x0, elr_el1
    add x0, x0, #4
    msr elr_el1, x0
    ldr x0, [x28, #(B_OUT + SAVE_OFF)]
    ldr x1, [x28, #(B_OUT + SAVE_OFF + 8)]
    eret

    .data
    .balign 8
sh_write_block:
    .quad 1, 0, 0
sh_exit_block:
    .quad 0x20026, 0
    .bss
    .balign 4096
dt_pt_l1:
    .skip 4096
dt_pt_l2:
    .skip 4096
dt_pt_l3:
    .skip 4096

#elif defined(TARGET_QEMU)

#define SYS_write 64
#define SYS_exit_group 94
#define SYS_sigaltstack 132
#define SYS_rt_sigaction 134
#define SYS_rt_sigreturn 139
#define SYS_mmap 222
#define PROT_READ 1
#define PROT_WRITE 2
#define MAP_PRIVATE 0x02
#define MAP_ANONYMOUS 0x20
#define ALTSTACK_HINT 0x700000000000    /* a hint: qemu-user may place it elsewhere, never near the slots */
#define ALTSTACK_SIZE 65536
#define SA_SIGINFO 0x4
#define SA_RESTORER 0x04000000
#define SA_ONSTACK 0x08000000
#define UC_X28 408                  /* offsetof(ucontext_t, uc_mcontext.regs[28]) */
#define UC_PC 440                   /* offsetof(ucontext_t, uc_mcontext.pc) */

target_init:
    /* The alternate signal stack is mapped far above everything a
     * sequence's SP can reach (the slots at ~1 GiB, +-16 MiB of ADD/SUB
     * immediates, any 32-bit WSP). Linux, and qemu-user, push the signal
     * frame at the interrupted SP instead when that SP lies on the
     * alternate stack: with the stack in .bss right after the slots, a
     * sequence that moved SP into it and then faulted wrote a signal frame
     * over chunk 255's init block, and the sequence run there later in the
     * same process started from other registers on qemu only. */
    mov x0, #ALTSTACK_HINT
    mov x1, #ALTSTACK_SIZE
    mov x2, #(PROT_READ | PROT_WRITE)
    mov x3, #(MAP_PRIVATE | MAP_ANONYMOUS)
    mov x4, #-1
    mov x5, #0
    mov x8, #SYS_mmap
    svc #0
    cmn x0, #4095                   /* -errno: keep the .bss stack */
    b.hs 1f
    ldr x1, =altstack_desc
    str x0, [x1]
1:  ldr x0, =altstack_desc
    mov x1, #0
    mov x8, #SYS_sigaltstack
    svc #0
    .irp sig, 4, 5, 7, 8, 11        /* SIGILL SIGTRAP SIGBUS SIGFPE SIGSEGV */
    mov x0, #\sig
    ldr x1, =sigaction_desc
    mov x2, #0
    mov x3, #8
    mov x8, #SYS_rt_sigaction
    svc #0
    .endr
    b dt_common_init

    /* write(1, dump_addr, dump_len) until done, then exit_group(0). */
target_output:
    ldr x9, =dt_hdr
    ldr x10, [x9, #HDR_DUMP_ADDR]
    ldr x11, [x9, #HDR_DUMP_LEN]
1:  cbz x11, 2f
    mov x0, #1
    mov x1, x10
    mov x2, x11
    mov x8, #SYS_write
    svc #0
    cmp x0, #0
    b.le 2f
    add x10, x10, x0
    sub x11, x11, x0
    b 1b
2:  mov x0, #0
    mov x8, #SYS_exit_group
    svc #0
    b .

    /* x0 = signal, x2 = ucontext: record {pc, signal} in the slot of the
     * interrupted x28, skip the instruction. */
sig_handler:
    ldr x3, [x2, #UC_X28]
    ldr x4, [x3, #(B_OUT + OUT_NFAULTS)]
    add x5, x4, #1
    str x5, [x3, #(B_OUT + OUT_NFAULTS)]
    and x4, x4, #(DT_MAX_FAULTS - 1)
    add x5, x3, x4, lsl #4
    ldr x6, [x2, #UC_PC]
    str x6, [x5, #(B_OUT + OUT_FAULTS)]
    str x0, [x5, #(B_OUT + OUT_FAULTS + 8)]
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
    .quad altstack, 0, ALTSTACK_SIZE
sigaction_desc:                     /* kernel struct sigaction */
    .quad sig_handler, SA_SIGINFO | SA_RESTORER | SA_ONSTACK, sig_restorer, 0
    .bss
    .balign 16
altstack:
    .skip ALTSTACK_SIZE

#else
#error "define TARGET_QEMU or TARGET_FLOTILLA"
#endif
