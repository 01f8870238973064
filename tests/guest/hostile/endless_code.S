/* A hostile guest (issue 11, item 1): its undefined-instruction handler skips
 * forward through never-executed memory (zeroed RAM reads as UDF #0), so
 * every instruction is a new translated block and the translation cache
 * grows as fast as flotilla can translate. It never ends by itself (run it
 * with -max-insns); past the first 128 MiB of RAM (run it with -m 128M or
 * more) it wraps around to `zone`. Not one of the self-checking guest tests:
 * endless_code.sh runs it. */
    .section .text.boot
    .global _start
_start:
    adr x0, vectors
    msr vbar_el1, x0
    adr x3, zone
    ldr x2, =0x48000000     /* RAM base + 128 MiB */
    b zone                  /* executing the zeros below raises UNDEF */

    .balign 2048
vectors:
    .skip 0x200             /* current EL with SPx, synchronous */
    mrs x1, elr_el1
    add x1, x1, #4          /* skip the UDF: the next word is a new block */
    cmp x1, x2
    csel x1, x3, x1, hs
    msr elr_el1, x1
    eret
    .ltorg
    .balign 4096
zone:
