/* Guest-side fuzzer, the assembly half (see fuzz_guest.c and
 * docs/guest-fuzz.md): entry with the patchable parameter block, the
 * vectors, and run_el0, which runs random EL0 code until a vector ends the
 * round. EL1 state lives on SP_EL1, which EL0 code cannot reach. */

#define FZ_MAX_EXC 4096         /* exceptions per round before it is ended */

    .section .text.boot, "ax"
    .global _start
_start:
    b 1f
    .balign 8
    /* Parameter block, patched by guest_fuzz.py (found by its symbol). */
    .global fuzz_params
fuzz_params:
    .quad 1                     /* seed */
    .quad 300                   /* rounds */
1:  adrp x0, fz_stack_top
    add x0, x0, :lo12:fz_stack_top
    mov sp, x0
    adrp x0, fz_vectors
    add x0, x0, :lo12:fz_vectors
    msr vbar_el1, x0
    isb
    bl fuzz_main
    b .

    .text
/* Secondary cores (PSCI CPU_ON, x0 = the core's index): a 4 KiB stack
 * each, the same vectors, then fuzz_secondary, which never returns. */
    .global fz_secondary_entry
fz_secondary_entry:
    adrp x1, fz_sec_stacks
    add x1, x1, :lo12:fz_sec_stacks
    add x2, x0, #1
    add x1, x1, x2, lsl #12
    mov sp, x1
    adrp x1, fz_vectors
    add x1, x1, :lo12:fz_vectors
    msr vbar_el1, x1
    isb
    bl fuzz_secondary
    b .

/* uint64_t run_el0(uint64_t entry, const uint64_t regs[31], uint64_t sp_el0):
 * ERET to EL0t at entry (DAIF clear) with x0-x30 = regs. Returns, with the
 * round's end reason, when a vector branches to fz_end_round. */
    .global run_el0
run_el0:
    stp x29, x30, [sp, #-96]!
    stp x19, x20, [sp, #16]
    stp x21, x22, [sp, #32]
    stp x23, x24, [sp, #48]
    stp x25, x26, [sp, #64]
    stp x27, x28, [sp, #80]
    adrp x3, fz_saved_sp
    mov x4, sp
    str x4, [x3, :lo12:fz_saved_sp]
    msr elr_el1, x0
    msr sp_el0, x2
    msr spsr_el1, xzr
    mov x30, x1
    ldp x0, x1, [x30, #0]
    ldp x2, x3, [x30, #16]
    ldp x4, x5, [x30, #32]
    ldp x6, x7, [x30, #48]
    ldp x8, x9, [x30, #64]
    ldp x10, x11, [x30, #80]
    ldp x12, x13, [x30, #96]
    ldp x14, x15, [x30, #112]
    ldp x16, x17, [x30, #128]
    ldp x18, x19, [x30, #144]
    ldp x20, x21, [x30, #160]
    ldp x22, x23, [x30, #176]
    ldp x24, x25, [x30, #192]
    ldp x26, x27, [x30, #208]
    ldp x28, x29, [x30, #224]
    ldr x30, [x30, #240]
    eret

/* x0 = reason. Back to run_el0's caller on the saved EL1 stack. */
fz_end_round:
    adrp x3, fz_saved_sp
    ldr x4, [x3, :lo12:fz_saved_sp]
    mov sp, x4
    ldp x19, x20, [sp, #16]
    ldp x21, x22, [sp, #32]
    ldp x23, x24, [sp, #48]
    ldp x25, x26, [sp, #64]
    ldp x27, x28, [sp, #80]
    ldp x29, x30, [sp], #96
    ret

/* Count one exception of the round; ends the round (reason 2) past the cap.
 * Uses x0, x1. */
.macro COUNT_EXC
    adrp x0, fz_exc_count
    ldr x1, [x0, :lo12:fz_exc_count]
    add x1, x1, #1
    str x1, [x0, :lo12:fz_exc_count]
    cmp x1, #FZ_MAX_EXC
    mov x0, #2
    b.hs fz_end_round
.endm

    .balign 2048
fz_vectors:
    /* current EL with SP_EL0: never used (EL1 runs on SP_EL1) */
    .rept 4
    .balign 128
    mov x0, #9
    b fz_end_round
    .endr
    /* current EL with SP_ELx: a fault of the device fuzzing at EL1 (a
     * hole, an UNDEFINED ICC register...): skip the instruction */
    .balign 128
    b fz_el1_sync
    .balign 128
    eret                        /* IRQ: EL1 runs masked, never taken */
    .balign 128
    eret
    .balign 128
    eret
    /* lower EL, AArch64 */
    .balign 128
    b fz_lower_sync
    .balign 128
    b fz_lower_irq
    .balign 128
    mov x0, #6                  /* FIQ */
    b fz_end_round
    .balign 128
    mov x0, #7                  /* SError */
    b fz_end_round
    /* lower EL, AArch32: cannot happen (no AArch32 EL0) */
    .rept 4
    .balign 128
    mov x0, #8
    b fz_end_round
    .endr

fz_el1_sync:
    stp x0, x1, [sp, #-16]!
    adrp x0, fz_el1_exc
    ldr x1, [x0, :lo12:fz_el1_exc]
    add x1, x1, #1
    str x1, [x0, :lo12:fz_el1_exc]
    mrs x0, elr_el1
    add x0, x0, #4
    msr elr_el1, x0
    ldp x0, x1, [sp], #16
    eret

/* Synchronous exception from the random EL0 code: skip the instruction
 * while the pc stays inside the code page, else end the round. */
fz_lower_sync:
    stp x0, x1, [sp, #-32]!
    stp x2, x3, [sp, #16]
    COUNT_EXC
    mrs x2, elr_el1
    adrp x0, fz_code_lo
    ldr x1, [x0, :lo12:fz_code_lo]
    cmp x2, x1
    mov x0, #3                  /* left the code page (below) */
    b.lo fz_end_round
    adrp x0, fz_code_hi
    ldr x1, [x0, :lo12:fz_code_hi]
    cmp x2, x1
    mov x0, #1                  /* reached the final SVC, or left the page */
    b.hs fz_end_round
    and x2, x2, #~3             /* a misaligned pc (BR) skips to the next word */
    add x2, x2, #4
    msr elr_el1, x2
    ldp x2, x3, [sp, #16]
    ldp x0, x1, [sp], #32
    eret

/* IRQ while EL0 ran: the watchdog (virtual timer, PPI 27) ends the round;
 * any other interrupt the device fuzzing enabled is completed and disabled
 * in the GIC, so that a level that stays high cannot starve EL0. */
fz_lower_irq:
    stp x0, x1, [sp, #-32]!
    stp x2, x3, [sp, #16]
    COUNT_EXC
    mrs x2, s3_0_c12_c12_0      /* ICC_IAR1_EL1 */
    cmp x2, #1020
    mov x0, #5                  /* spurious: end the round */
    b.hs fz_end_round
    msr s3_0_c12_c12_1, x2      /* ICC_EOIR1_EL1 */
    cmp x2, #27
    b.ne 1f
    msr cntv_ctl_el0, xzr
    mov x0, #4
    b fz_end_round
1:  mov x3, #1
    and x1, x2, #31
    lsl x3, x3, x1              /* the INTID's bit in its enable register */
    cmp x2, #32
    b.hs 2f
    ldr x0, =0x080b0180         /* GICR_ICENABLER0 (SGI_base of core 0) */
    str w3, [x0]
    b 3f
2:  lsr x1, x2, #5
    ldr x0, =0x08000180         /* GICD_ICENABLER<n> */
    str w3, [x0, x1, lsl #2]
3:  ldp x2, x3, [sp, #16]
    ldp x0, x1, [sp], #32
    eret
    .ltorg

    .bss
    .balign 16
    .space 16384
fz_stack_top:
    .balign 16
fz_sec_stacks:
    .space 4096 * 64
