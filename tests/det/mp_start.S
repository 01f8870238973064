/* Secondary-core entry for the -det guest programs: PSCI CPU_ON starts a
 * core here with x0 = its index (the context id). Each core gets its own
 * 16 KiB stack and core 0's vector table (mp_vbar: the harness's guard
 * vectors), then
 * runs mp_secondary(index) in C. */
    .text
    .global mp_secondary_entry
mp_secondary_entry:
    adrp x1, mp_vbar
    ldr x1, [x1, :lo12:mp_vbar]
    msr vbar_el1, x1
    isb
    adrp x1, mp_stacks
    add x1, x1, :lo12:mp_stacks
    add x2, x0, #1
    lsl x2, x2, #14
    add x1, x1, x2
    mov sp, x1
    bl mp_secondary
1:  wfe
    b 1b

    .bss
    .balign 16
    .global mp_stacks
mp_stacks:
    .space 16384 * 8
