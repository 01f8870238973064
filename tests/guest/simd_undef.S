/* Unallocated size/Q/imm combinations inside the Advanced SIMD integer
 * classes must be UNDEFINED (ESR_EL1 = EC 0, IL 1) and leave V0 and X0
 * unchanged (and FPSR.QC clear). Every word below was checked to be
 * undefined for objdump and to raise SIGILL under
 * `qemu-aarch64-static -cpu cortex-a53`; most are an allocated encoding
 * with one field changed (named in the comment). System-level (VBAR_EL1),
 * so it runs on flotilla only. */
#include "harness.inc"
#include "simd_macros.inc"

.set .Lnundef, 0

/* Execute \word (Rd = 0, Rn = 1, Rm = 2 when it has them) and check it
 * trapped as UNDEFINED without side effects. x21 = last ESR, x24 = number
 * of exceptions (set by the handler). */
.macro UNDEF word
    LDV v0, 0x5a5a5a5a5a5a5a5a, 0xa5a5a5a5a5a5a5a5
    ldr x0, =0x5a5a5a5a5a5a5a5a
    mov x21, #-1
    .inst \word
    .set .Lnundef, .Lnundef + 1
    EXPECT x24, .Lnundef
    EXPECT x21, 0x02000000
    EXPECT x0, 0x5a5a5a5a5a5a5a5a
    CHKV v0, 0x5a5a5a5a5a5a5a5a, 0xa5a5a5a5a5a5a5a5
.endm

TEST_START
    adr x0, vectors
    msr vbar_el1, x0
    isb
    msr fpsr, xzr
    mov x24, #0
    LDV v1, 0x80ff7f0102fe0380, 0x8000000000000000
    LDV v2, 0x7f01ff8003050780, 0x7fffffffffffffff

    UNDEF 0x0ee28420            /* add v0.1d (size 11, Q 0) */
    UNDEF 0x4ee29c20            /* mul with size 11 */
    UNDEF 0x6e629c20            /* pmul with size 01 */
    UNDEF 0x4e22b420            /* sqdmulh with size 00 */
    UNDEF 0x5e22b420            /* scalar sqdmulh with size 00 */
    UNDEF 0x4ee20420            /* shadd with size 11 */
    UNDEF 0x0ee2bc20            /* addp .1d */
    UNDEF 0x6ea2bc20            /* three same U 1, opcode 10111 */
    UNDEF 0x5e228420            /* scalar add with size 00 */
    UNDEF 0x5e623420            /* scalar cmgt with size 01 */
    UNDEF 0x5ea24420            /* scalar sshl with size 10 */
    UNDEF 0x0ee20020            /* saddl with size 11 */
    UNDEF 0x0e62e020            /* pmull with size 01 */
    UNDEF 0x0e229020            /* sqdmlal with size 00 */
    UNDEF 0x5e22d020            /* scalar sqdmull with size 00 */
    UNDEF 0x6ee00820            /* rev32 with size 11 */
    UNDEF 0x4e601820            /* rev16 with size 01 */
    UNDEF 0x4e605820            /* cnt with size 01 */
    UNDEF 0x6ea05820            /* not/rbit opcode with size 10 */
    UNDEF 0x0ee0b820            /* abs .1d */
    UNDEF 0x5e20b820            /* scalar abs with size 00 */
    UNDEF 0x0ee12820            /* xtn with size 11 */
    UNDEF 0x2ee13820            /* shll with size 11 */
    UNDEF 0x5ee14820            /* scalar sqxtn with size 11 */
    UNDEF 0x0eb1b820            /* addv with size 10, Q 0 */
    UNDEF 0x4ef1b820            /* addv with size 11 */
    UNDEF 0x0eb03820            /* saddlv with size 10, Q 0 */
    UNDEF 0x5eb1b820            /* scalar addp with size 10 */
    UNDEF 0x4e100420            /* dup element with imm5 10000 */
    UNDEF 0x0e080420            /* dup element .1d */
    UNDEF 0x0e080c20            /* dup general .1d */
    UNDEF 0x0e083c20            /* umov w0 of a D element */
    UNDEF 0x4e043c20            /* umov x0 of an S element */
    UNDEF 0x0e042c20            /* smov w0 of an S element */
    UNDEF 0x4e082c20            /* smov x0 of a D element */
    UNDEF 0x0e041c20            /* ins general with Q 0 */
    UNDEF 0x2e040420            /* ins element with Q 0 */
    UNDEF 0x4f000c20            /* modified immediate o2 1 */
    UNDEF 0x0f7f0420            /* sshr .1d */
    UNDEF 0x0f7f8420            /* shrn with immh 1xxx */
    UNDEF 0x0f61a420            /* sshll with immh 1xxx */
    UNDEF 0x5f1f0420            /* scalar sshr with immh 01xx */
    UNDEF 0x5f017420            /* scalar shift with immh 0000 */
    UNDEF 0x5f7f9420            /* scalar sqshrn with immh 1xxx */
    UNDEF 0x4f028020            /* mul by element with size 00 */
    UNDEF 0x4fc28020            /* mul by element with size 11 */
    UNDEF 0x5f02c020            /* scalar sqdmulh by element size 00 */
    UNDEF 0x2e024020            /* ext 8B with index 8 */
    UNDEF 0x0ec23820            /* zip1 .1d */

    CHKQC 0
    /* an allocated neighbour still works (value checked under qemu) */
    .inst 0x7ee03820            /* usqadd d0, d1: saturates to 0 */
    EXPECT x24, .Lnundef
    CHKV v0, 0, 0
    CHKQC 1
    TEST_PASS

    SKIP_UNDEF_VECTORS
TEST_END
