/* Unallocated encodings inside the data-processing groups must be UNDEFINED
 * (ESR_EL1 = EC 0, IL 1) and must change neither the destination register
 * nor NZCV: reserved field values of the v8.0 patterns (logical immediate
 * N=1 with sf=0 and all-ones elements, add/sub shift 3 and imm6 >= 32 at
 * 32 bits, extended imm3 > 4, MOVZ/MOVK hw >= 2 at 32 bits, bitfield and
 * EXTR N != sf, ...) and later-architecture encodings that ARMv8.0 leaves
 * unallocated (RMIF/SETF8/SETF16 v8.4, add/sub with tags, PAC and CSSC
 * 1-source forms). Every word was also checked to raise SIGILL under
 * `qemu-aarch64-static -cpu cortex-a53`. System-level (VBAR_EL1), so it runs
 * on flotilla only. */
#include "harness.inc"

.set .Lnundef, 0

/* Execute \word (Rd = x0) and check it trapped as UNDEFINED without side
 * effects. x21 = last ESR, x24 = exception count (set by the handler). */
.macro UNDEF word
    ldr x0, =0x5a5a5a5a5a5a5a5a
    mov x28, #0xa0000000
    msr nzcv, x28
    mov x21, #-1
    .inst \word
    EXPECT_NZCV 0b1010
    .set .Lnundef, .Lnundef + 1
    EXPECT x24, .Lnundef
    EXPECT x21, 0x02000000
    EXPECT x0, 0x5a5a5a5a5a5a5a5a
.endm

TEST_START
    adr x0, vectors
    msr vbar_el1, x0
    isb
    mov x24, #0
    ldr x1, =0x0123456789abcdef
    ldr x2, =0xfedcba9876543210
    mov x3, #3

    /* the handler works: a known UNDEFINED word */
    UNDEF 0x00000000            /* UDF #0 */

    /* logical immediate */
    UNDEF 0x12400020            /* and w0, w1, #imm with N = 1 */
    UNDEF 0x9240fc20            /* N = 1, imms = 111111: all-ones element */
    UNDEF 0x9200fc20            /* N = 0, imms = 111111: no element size */
    UNDEF 0x9200f820            /* N = 0, imms = 11111x: element size 1 */
    /* add/sub */
    UNDEF 0x8bc20020            /* add (shifted) with shift = 11 */
    UNDEF 0x0b028020            /* add w0, w1, w2, lsl #32 */
    UNDEF 0x8b225420            /* add (extended) with imm3 = 5 */
    UNDEF 0x8b624020            /* add (extended) with opt = 01 */
    UNDEF 0x91800420            /* add with tags (MTE) */
    UNDEF 0xb1800420            /* adds, bit 23 set */
    UNDEF 0x9a028020            /* adc with bits 15:10 != 0 */
    UNDEF 0xba008422            /* rmif x1, #1, #2 (v8.4) */
    UNDEF 0x3a00082d            /* setf8 w1 (v8.4) */
    UNDEF 0x3a00482d            /* setf16 w1 (v8.4) */
    /* move wide */
    UNDEF 0x52c00020            /* movz w0, #1, lsl #32 */
    UNDEF 0x72e00020            /* movk w0, #1, lsl #48 */
    UNDEF 0xb2800020            /* move wide opc = 01 */
    /* bitfield / extract */
    UNDEF 0x93001c20            /* sbfm x with N = 0 */
    UNDEF 0x13201c20            /* sbfm w with immr = 32 */
    UNDEF 0x13009c20            /* sbfm w with imms = 39 */
    UNDEF 0xf3401c20            /* bitfield opc = 11 */
    UNDEF 0x13828020            /* extr w with lsb = 32 */
    UNDEF 0x93820420            /* extr x with N = 0 */
    UNDEF 0xb3c20420            /* extract op21 = 01 */
    /* conditional select / compare */
    UNDEF 0xba820020            /* csel with S = 1 */
    UNDEF 0x9a820820            /* conditional select op2 = 10 */
    UNDEF 0xfa420420            /* ccmp with o2 = 1 */
    UNDEF 0xfa420030            /* ccmp with o3 = 1 */
    /* 1 and 2 sources */
    UNDEF 0x5ac00c20            /* rev (64-bit opcode) with sf = 0 */
    UNDEF 0xdac10020            /* opcode2 = 00001 (PAC, v8.3) */
    UNDEF 0xdac01820            /* ctz x0, x1 (CSSC) */
    UNDEF 0x9ac20020            /* 2-source opcode 000000 */
    UNDEF 0x1ac24c20            /* crc32x with sf = 0 */
    UNDEF 0x9ac24020            /* crc32b with sf = 1 */
    UNDEF 0xbac20820            /* 2-source with S = 1 */
    /* 3 sources */
    UNDEF 0x9b627c20            /* op31 = 011 */
    UNDEF 0x1b220c20            /* smaddl with sf = 0 */
    UNDEF 0x9b42fc20            /* smulh with o0 = 1 */
    UNDEF 0xbb020c20            /* op54 = 01 */

    /* the registers the words named as sources are untouched */
    EXPECT x1, 0x0123456789abcdef
    EXPECT x2, 0xfedcba9876543210
    EXPECT x3, 3
    TEST_PASS

    SKIP_UNDEF_VECTORS
TEST_END
