/* Every LSE atomic (LDADD/LDCLR/LDEOR/LDSET/LDSMAX/LDSMIN/LDUMAX/LDUMIN, SWP,
 * the ST<op> aliases, CAS, CASP) in every size and ordering: the returned
 * old value (zero-extended) and the memory result. Generated (expected values
 * computed from the Arm ARM definitions); every check also passes under
 * qemu-aarch64-static when built with -DQEMU_USER -march=armv8.1-a. */
/* Run as a Linux user program under qemu-aarch64-static when built with
 * -DQEMU_USER (reference check of the expected values); otherwise the
 * bare-metal harness. Exception tests are bare-metal only. */
    .arch armv8.1-a
#ifdef QEMU_USER
.macro TEST_START
    .text
    .global _start
_start:
.endm
.macro EXPECT reg, value
    ldr x28, =\value
    cmp \reg, x28
    b.eq .Lok\@
    mov x0, #(\@ & 0xff)  /* which macro use failed */
    mov x8, #93
    svc #0
.Lok\@:
.endm
.macro TEST_PASS
    mov x0, #0
    mov x8, #93
    svc #0
.endm
.macro TEST_END
    .ltorg
    .bss
    .balign 4096
scratch_start:
    .skip 65536
    .text
.endm
#else
#include "harness.inc"
#endif

TEST_START
    adrp x20, scratch_start
    add x20, x20, :lo12:scratch_start
    /* ldaddb */
    ldr x0, =0xf0e1d2c3b4a59687
    str x0, [x20]
    ldr x1, =0x102030405060718
    mov x2, #-1
    ldaddb w1, w2, [x20]
    EXPECT x2, 0x87
    ldr x3, [x20]
    EXPECT x3, 0xf0e1d2c3b4a5969f
    EXPECT x1, 0x102030405060718
    /* ldaddab */
    ldr x0, =0x102030405060708
    str x0, [x20]
    ldr x1, =0xfedcba9876543291
    mov x2, #-1
    ldaddab w1, w2, [x20]
    EXPECT x2, 0x8
    ldr x3, [x20]
    EXPECT x3, 0x102030405060799
    EXPECT x1, 0xfedcba9876543291
    /* ldaddlb */
    ldr x0, =0x7f7f7f7f7f7f7f7f
    str x0, [x20]
    ldr x1, =0x8080808080808080
    mov x2, #-1
    ldaddlb w1, w2, [x20]
    EXPECT x2, 0x7f
    ldr x3, [x20]
    EXPECT x3, 0x7f7f7f7f7f7f7fff
    EXPECT x1, 0x8080808080808080
    /* ldaddalb */
    ldr x0, =0xf0e1d2c3b4a59687
    str x0, [x20]
    ldr x1, =0x102030405060718
    mov x2, #-1
    ldaddalb w1, w2, [x20]
    EXPECT x2, 0x87
    ldr x3, [x20]
    EXPECT x3, 0xf0e1d2c3b4a5969f
    EXPECT x1, 0x102030405060718
    /* ldaddh */
    ldr x0, =0x102030405060708
    str x0, [x20]
    ldr x1, =0xfedcba9876543291
    mov x2, #-1
    ldaddh w1, w2, [x20]
    EXPECT x2, 0x708
    ldr x3, [x20]
    EXPECT x3, 0x102030405063999
    EXPECT x1, 0xfedcba9876543291
    /* ldaddah */
    ldr x0, =0x7f7f7f7f7f7f7f7f
    str x0, [x20]
    ldr x1, =0x8080808080808080
    mov x2, #-1
    ldaddah w1, w2, [x20]
    EXPECT x2, 0x7f7f
    ldr x3, [x20]
    EXPECT x3, 0x7f7f7f7f7f7fffff
    EXPECT x1, 0x8080808080808080
    /* ldaddlh */
    ldr x0, =0xf0e1d2c3b4a59687
    str x0, [x20]
    ldr x1, =0x102030405060718
    mov x2, #-1
    ldaddlh w1, w2, [x20]
    EXPECT x2, 0x9687
    ldr x3, [x20]
    EXPECT x3, 0xf0e1d2c3b4a59d9f
    EXPECT x1, 0x102030405060718
    /* ldaddalh */
    ldr x0, =0x102030405060708
    str x0, [x20]
    ldr x1, =0xfedcba9876543291
    mov x2, #-1
    ldaddalh w1, w2, [x20]
    EXPECT x2, 0x708
    ldr x3, [x20]
    EXPECT x3, 0x102030405063999
    EXPECT x1, 0xfedcba9876543291
    /* ldadd */
    ldr x0, =0x7f7f7f7f7f7f7f7f
    str x0, [x20]
    ldr x1, =0x8080808080808080
    mov x2, #-1
    ldadd w1, w2, [x20]
    EXPECT x2, 0x7f7f7f7f
    ldr x3, [x20]
    EXPECT x3, 0x7f7f7f7fffffffff
    EXPECT x1, 0x8080808080808080
    /* ldadda */
    ldr x0, =0xf0e1d2c3b4a59687
    str x0, [x20]
    ldr x1, =0x102030405060718
    mov x2, #-1
    ldadda w1, w2, [x20]
    EXPECT x2, 0xb4a59687
    ldr x3, [x20]
    EXPECT x3, 0xf0e1d2c3b9ab9d9f
    EXPECT x1, 0x102030405060718
    /* ldaddl */
    ldr x0, =0x102030405060708
    str x0, [x20]
    ldr x1, =0xfedcba9876543291
    mov x2, #-1
    ldaddl w1, w2, [x20]
    EXPECT x2, 0x5060708
    ldr x3, [x20]
    EXPECT x3, 0x10203047b5a3999
    EXPECT x1, 0xfedcba9876543291
    /* ldaddal */
    ldr x0, =0x7f7f7f7f7f7f7f7f
    str x0, [x20]
    ldr x1, =0x8080808080808080
    mov x2, #-1
    ldaddal w1, w2, [x20]
    EXPECT x2, 0x7f7f7f7f
    ldr x3, [x20]
    EXPECT x3, 0x7f7f7f7fffffffff
    EXPECT x1, 0x8080808080808080
    /* ldadd */
    ldr x0, =0xf0e1d2c3b4a59687
    str x0, [x20]
    ldr x1, =0x102030405060718
    mov x2, #-1
    ldadd x1, x2, [x20]
    EXPECT x2, 0xf0e1d2c3b4a59687
    ldr x3, [x20]
    EXPECT x3, 0xf1e3d5c7b9ab9d9f
    EXPECT x1, 0x102030405060718
    /* ldadda */
    ldr x0, =0x102030405060708
    str x0, [x20]
    ldr x1, =0xfedcba9876543291
    mov x2, #-1
    ldadda x1, x2, [x20]
    EXPECT x2, 0x102030405060708
    ldr x3, [x20]
    EXPECT x3, 0xffdebd9c7b5a3999
    EXPECT x1, 0xfedcba9876543291
    /* ldaddl */
    ldr x0, =0x7f7f7f7f7f7f7f7f
    str x0, [x20]
    ldr x1, =0x8080808080808080
    mov x2, #-1
    ldaddl x1, x2, [x20]
    EXPECT x2, 0x7f7f7f7f7f7f7f7f
    ldr x3, [x20]
    EXPECT x3, 0xffffffffffffffff
    EXPECT x1, 0x8080808080808080
    /* ldaddal */
    ldr x0, =0xf0e1d2c3b4a59687
    str x0, [x20]
    ldr x1, =0x102030405060718
    mov x2, #-1
    ldaddal x1, x2, [x20]
    EXPECT x2, 0xf0e1d2c3b4a59687
    ldr x3, [x20]
    EXPECT x3, 0xf1e3d5c7b9ab9d9f
    EXPECT x1, 0x102030405060718
    /* ldclrb */
    ldr x0, =0x102030405060708
    str x0, [x20]
    ldr x1, =0xfedcba9876543291
    mov x2, #-1
    ldclrb w1, w2, [x20]
    EXPECT x2, 0x8
    ldr x3, [x20]
    EXPECT x3, 0x102030405060708
    EXPECT x1, 0xfedcba9876543291
    /* ldclrab */
    ldr x0, =0x7f7f7f7f7f7f7f7f
    str x0, [x20]
    ldr x1, =0x8080808080808080
    mov x2, #-1
    ldclrab w1, w2, [x20]
    EXPECT x2, 0x7f
    ldr x3, [x20]
    EXPECT x3, 0x7f7f7f7f7f7f7f7f
    EXPECT x1, 0x8080808080808080
    /* ldclrlb */
    ldr x0, =0xf0e1d2c3b4a59687
    str x0, [x20]
    ldr x1, =0x102030405060718
    mov x2, #-1
    ldclrlb w1, w2, [x20]
    EXPECT x2, 0x87
    ldr x3, [x20]
    EXPECT x3, 0xf0e1d2c3b4a59687
    EXPECT x1, 0x102030405060718
    /* ldclralb */
    ldr x0, =0x102030405060708
    str x0, [x20]
    ldr x1, =0xfedcba9876543291
    mov x2, #-1
    ldclralb w1, w2, [x20]
    EXPECT x2, 0x8
    ldr x3, [x20]
    EXPECT x3, 0x102030405060708
    EXPECT x1, 0xfedcba9876543291
    /* ldclrh */
    ldr x0, =0x7f7f7f7f7f7f7f7f
    str x0, [x20]
    ldr x1, =0x8080808080808080
    mov x2, #-1
    ldclrh w1, w2, [x20]
    EXPECT x2, 0x7f7f
    ldr x3, [x20]
    EXPECT x3, 0x7f7f7f7f7f7f7f7f
    EXPECT x1, 0x8080808080808080
    /* ldclrah */
    ldr x0, =0xf0e1d2c3b4a59687
    str x0, [x20]
    ldr x1, =0x102030405060718
    mov x2, #-1
    ldclrah w1, w2, [x20]
    EXPECT x2, 0x9687
    ldr x3, [x20]
    EXPECT x3, 0xf0e1d2c3b4a59087
    EXPECT x1, 0x102030405060718
    /* ldclrlh */
    ldr x0, =0x102030405060708
    str x0, [x20]
    ldr x1, =0xfedcba9876543291
    mov x2, #-1
    ldclrlh w1, w2, [x20]
    EXPECT x2, 0x708
    ldr x3, [x20]
    EXPECT x3, 0x102030405060508
    EXPECT x1, 0xfedcba9876543291
    /* ldclralh */
    ldr x0, =0x7f7f7f7f7f7f7f7f
    str x0, [x20]
    ldr x1, =0x8080808080808080
    mov x2, #-1
    ldclralh w1, w2, [x20]
    EXPECT x2, 0x7f7f
    ldr x3, [x20]
    EXPECT x3, 0x7f7f7f7f7f7f7f7f
    EXPECT x1, 0x8080808080808080
    /* ldclr */
    ldr x0, =0xf0e1d2c3b4a59687
    str x0, [x20]
    ldr x1, =0x102030405060718
    mov x2, #-1
    ldclr w1, w2, [x20]
    EXPECT x2, 0xb4a59687
    ldr x3, [x20]
    EXPECT x3, 0xf0e1d2c3b0a19087
    EXPECT x1, 0x102030405060718
    /* ldclra */
    ldr x0, =0x102030405060708
    str x0, [x20]
    ldr x1, =0xfedcba9876543291
    mov x2, #-1
    ldclra w1, w2, [x20]
    EXPECT x2, 0x5060708
    ldr x3, [x20]
    EXPECT x3, 0x102030401020508
    EXPECT x1, 0xfedcba9876543291
    /* ldclrl */
    ldr x0, =0x7f7f7f7f7f7f7f7f
    str x0, [x20]
    ldr x1, =0x8080808080808080
    mov x2, #-1
    ldclrl w1, w2, [x20]
    EXPECT x2, 0x7f7f7f7f
    ldr x3, [x20]
    EXPECT x3, 0x7f7f7f7f7f7f7f7f
    EXPECT x1, 0x8080808080808080
    /* ldclral */
    ldr x0, =0xf0e1d2c3b4a59687
    str x0, [x20]
    ldr x1, =0x102030405060718
    mov x2, #-1
    ldclral w1, w2, [x20]
    EXPECT x2, 0xb4a59687
    ldr x3, [x20]
    EXPECT x3, 0xf0e1d2c3b0a19087
    EXPECT x1, 0x102030405060718
    /* ldclr */
    ldr x0, =0x102030405060708
    str x0, [x20]
    ldr x1, =0xfedcba9876543291
    mov x2, #-1
    ldclr x1, x2, [x20]
    EXPECT x2, 0x102030405060708
    ldr x3, [x20]
    EXPECT x3, 0x102010401020508
    EXPECT x1, 0xfedcba9876543291
    /* ldclra */
    ldr x0, =0x7f7f7f7f7f7f7f7f
    str x0, [x20]
    ldr x1, =0x8080808080808080
    mov x2, #-1
    ldclra x1, x2, [x20]
    EXPECT x2, 0x7f7f7f7f7f7f7f7f
    ldr x3, [x20]
    EXPECT x3, 0x7f7f7f7f7f7f7f7f
    EXPECT x1, 0x8080808080808080
    /* ldclrl */
    ldr x0, =0xf0e1d2c3b4a59687
    str x0, [x20]
    ldr x1, =0x102030405060718
    mov x2, #-1
    ldclrl x1, x2, [x20]
    EXPECT x2, 0xf0e1d2c3b4a59687
    ldr x3, [x20]
    EXPECT x3, 0xf0e1d0c3b0a19087
    EXPECT x1, 0x102030405060718
    /* ldclral */
    ldr x0, =0x102030405060708
    str x0, [x20]
    ldr x1, =0xfedcba9876543291
    mov x2, #-1
    ldclral x1, x2, [x20]
    EXPECT x2, 0x102030405060708
    ldr x3, [x20]
    EXPECT x3, 0x102010401020508
    EXPECT x1, 0xfedcba9876543291
    /* ldeorb */
    ldr x0, =0x7f7f7f7f7f7f7f7f
    str x0, [x20]
    ldr x1, =0x8080808080808080
    mov x2, #-1
    ldeorb w1, w2, [x20]
    EXPECT x2, 0x7f
    ldr x3, [x20]
    EXPECT x3, 0x7f7f7f7f7f7f7fff
    EXPECT x1, 0x8080808080808080
    /* ldeorab */
    ldr x0, =0xf0e1d2c3b4a59687
    str x0, [x20]
    ldr x1, =0x102030405060718
    mov x2, #-1
    ldeorab w1, w2, [x20]
    EXPECT x2, 0x87
    ldr x3, [x20]
    EXPECT x3, 0xf0e1d2c3b4a5969f
    EXPECT x1, 0x102030405060718
    /* ldeorlb */
    ldr x0, =0x102030405060708
    str x0, [x20]
    ldr x1, =0xfedcba9876543291
    mov x2, #-1
    ldeorlb w1, w2, [x20]
    EXPECT x2, 0x8
    ldr x3, [x20]
    EXPECT x3, 0x102030405060799
    EXPECT x1, 0xfedcba9876543291
    /* ldeoralb */
    ldr x0, =0x7f7f7f7f7f7f7f7f
    str x0, [x20]
    ldr x1, =0x8080808080808080
    mov x2, #-1
    ldeoralb w1, w2, [x20]
    EXPECT x2, 0x7f
    ldr x3, [x20]
    EXPECT x3, 0x7f7f7f7f7f7f7fff
    EXPECT x1, 0x8080808080808080
    /* ldeorh */
    ldr x0, =0xf0e1d2c3b4a59687
    str x0, [x20]
    ldr x1, =0x102030405060718
    mov x2, #-1
    ldeorh w1, w2, [x20]
    EXPECT x2, 0x9687
    ldr x3, [x20]
    EXPECT x3, 0xf0e1d2c3b4a5919f
    EXPECT x1, 0x102030405060718
    /* ldeorah */
    ldr x0, =0x102030405060708
    str x0, [x20]
    ldr x1, =0xfedcba9876543291
    mov x2, #-1
    ldeorah w1, w2, [x20]
    EXPECT x2, 0x708
    ldr x3, [x20]
    EXPECT x3, 0x102030405063599
    EXPECT x1, 0xfedcba9876543291
    /* ldeorlh */
    ldr x0, =0x7f7f7f7f7f7f7f7f
    str x0, [x20]
    ldr x1, =0x8080808080808080
    mov x2, #-1
    ldeorlh w1, w2, [x20]
    EXPECT x2, 0x7f7f
    ldr x3, [x20]
    EXPECT x3, 0x7f7f7f7f7f7fffff
    EXPECT x1, 0x8080808080808080
    /* ldeoralh */
    ldr x0, =0xf0e1d2c3b4a59687
    str x0, [x20]
    ldr x1, =0x102030405060718
    mov x2, #-1
    ldeoralh w1, w2, [x20]
    EXPECT x2, 0x9687
    ldr x3, [x20]
    EXPECT x3, 0xf0e1d2c3b4a5919f
    EXPECT x1, 0x102030405060718
    /* ldeor */
    ldr x0, =0x102030405060708
    str x0, [x20]
    ldr x1, =0xfedcba9876543291
    mov x2, #-1
    ldeor w1, w2, [x20]
    EXPECT x2, 0x5060708
    ldr x3, [x20]
    EXPECT x3, 0x102030473523599
    EXPECT x1, 0xfedcba9876543291
    /* ldeora */
    ldr x0, =0x7f7f7f7f7f7f7f7f
    str x0, [x20]
    ldr x1, =0x8080808080808080
    mov x2, #-1
    ldeora w1, w2, [x20]
    EXPECT x2, 0x7f7f7f7f
    ldr x3, [x20]
    EXPECT x3, 0x7f7f7f7fffffffff
    EXPECT x1, 0x8080808080808080
    /* ldeorl */
    ldr x0, =0xf0e1d2c3b4a59687
    str x0, [x20]
    ldr x1, =0x102030405060718
    mov x2, #-1
    ldeorl w1, w2, [x20]
    EXPECT x2, 0xb4a59687
    ldr x3, [x20]
    EXPECT x3, 0xf0e1d2c3b1a3919f
    EXPECT x1, 0x102030405060718
    /* ldeoral */
    ldr x0, =0x102030405060708
    str x0, [x20]
    ldr x1, =0xfedcba9876543291
    mov x2, #-1
    ldeoral w1, w2, [x20]
    EXPECT x2, 0x5060708
    ldr x3, [x20]
    EXPECT x3, 0x102030473523599
    EXPECT x1, 0xfedcba9876543291
    /* ldeor */
    ldr x0, =0x7f7f7f7f7f7f7f7f
    str x0, [x20]
    ldr x1, =0x8080808080808080
    mov x2, #-1
    ldeor x1, x2, [x20]
    EXPECT x2, 0x7f7f7f7f7f7f7f7f
    ldr x3, [x20]
    EXPECT x3, 0xffffffffffffffff
    EXPECT x1, 0x8080808080808080
    /* ldeora */
    ldr x0, =0xf0e1d2c3b4a59687
    str x0, [x20]
    ldr x1, =0x102030405060718
    mov x2, #-1
    ldeora x1, x2, [x20]
    EXPECT x2, 0xf0e1d2c3b4a59687
    ldr x3, [x20]
    EXPECT x3, 0xf1e3d1c7b1a3919f
    EXPECT x1, 0x102030405060718
    /* ldeorl */
    ldr x0, =0x102030405060708
    str x0, [x20]
    ldr x1, =0xfedcba9876543291
    mov x2, #-1
    ldeorl x1, x2, [x20]
    EXPECT x2, 0x102030405060708
    ldr x3, [x20]
    EXPECT x3, 0xffdeb99c73523599
    EXPECT x1, 0xfedcba9876543291
    /* ldeoral */
    ldr x0, =0x7f7f7f7f7f7f7f7f
    str x0, [x20]
    ldr x1, =0x8080808080808080
    mov x2, #-1
    ldeoral x1, x2, [x20]
    EXPECT x2, 0x7f7f7f7f7f7f7f7f
    ldr x3, [x20]
    EXPECT x3, 0xffffffffffffffff
    EXPECT x1, 0x8080808080808080
    /* ldsetb */
    ldr x0, =0xf0e1d2c3b4a59687
    str x0, [x20]
    ldr x1, =0x102030405060718
    mov x2, #-1
    ldsetb w1, w2, [x20]
    EXPECT x2, 0x87
    ldr x3, [x20]
    EXPECT x3, 0xf0e1d2c3b4a5969f
    EXPECT x1, 0x102030405060718
    /* ldsetab */
    ldr x0, =0x102030405060708
    str x0, [x20]
    ldr x1, =0xfedcba9876543291
    mov x2, #-1
    ldsetab w1, w2, [x20]
    EXPECT x2, 0x8
    ldr x3, [x20]
    EXPECT x3, 0x102030405060799
    EXPECT x1, 0xfedcba9876543291
    /* ldsetlb */
    ldr x0, =0x7f7f7f7f7f7f7f7f
    str x0, [x20]
    ldr x1, =0x8080808080808080
    mov x2, #-1
    ldsetlb w1, w2, [x20]
    EXPECT x2, 0x7f
    ldr x3, [x20]
    EXPECT x3, 0x7f7f7f7f7f7f7fff
    EXPECT x1, 0x8080808080808080
    /* ldsetalb */
    ldr x0, =0xf0e1d2c3b4a59687
    str x0, [x20]
    ldr x1, =0x102030405060718
    mov x2, #-1
    ldsetalb w1, w2, [x20]
    EXPECT x2, 0x87
    ldr x3, [x20]
    EXPECT x3, 0xf0e1d2c3b4a5969f
    EXPECT x1, 0x102030405060718
    /* ldseth */
    ldr x0, =0x102030405060708
    str x0, [x20]
    ldr x1, =0xfedcba9876543291
    mov x2, #-1
    ldseth w1, w2, [x20]
    EXPECT x2, 0x708
    ldr x3, [x20]
    EXPECT x3, 0x102030405063799
    EXPECT x1, 0xfedcba9876543291
    /* ldsetah */
    ldr x0, =0x7f7f7f7f7f7f7f7f
    str x0, [x20]
    ldr x1, =0x8080808080808080
    mov x2, #-1
    ldsetah w1, w2, [x20]
    EXPECT x2, 0x7f7f
    ldr x3, [x20]
    EXPECT x3, 0x7f7f7f7f7f7fffff
    EXPECT x1, 0x8080808080808080
    /* ldsetlh */
    ldr x0, =0xf0e1d2c3b4a59687
    str x0, [x20]
    ldr x1, =0x102030405060718
    mov x2, #-1
    ldsetlh w1, w2, [x20]
    EXPECT x2, 0x9687
    ldr x3, [x20]
    EXPECT x3, 0xf0e1d2c3b4a5979f
    EXPECT x1, 0x102030405060718
    /* ldsetalh */
    ldr x0, =0x102030405060708
    str x0, [x20]
    ldr x1, =0xfedcba9876543291
    mov x2, #-1
    ldsetalh w1, w2, [x20]
    EXPECT x2, 0x708
    ldr x3, [x20]
    EXPECT x3, 0x102030405063799
    EXPECT x1, 0xfedcba9876543291
    /* ldset */
    ldr x0, =0x7f7f7f7f7f7f7f7f
    str x0, [x20]
    ldr x1, =0x8080808080808080
    mov x2, #-1
    ldset w1, w2, [x20]
    EXPECT x2, 0x7f7f7f7f
    ldr x3, [x20]
    EXPECT x3, 0x7f7f7f7fffffffff
    EXPECT x1, 0x8080808080808080
    /* ldseta */
    ldr x0, =0xf0e1d2c3b4a59687
    str x0, [x20]
    ldr x1, =0x102030405060718
    mov x2, #-1
    ldseta w1, w2, [x20]
    EXPECT x2, 0xb4a59687
    ldr x3, [x20]
    EXPECT x3, 0xf0e1d2c3b5a7979f
    EXPECT x1, 0x102030405060718
    /* ldsetl */
    ldr x0, =0x102030405060708
    str x0, [x20]
    ldr x1, =0xfedcba9876543291
    mov x2, #-1
    ldsetl w1, w2, [x20]
    EXPECT x2, 0x5060708
    ldr x3, [x20]
    EXPECT x3, 0x102030477563799
    EXPECT x1, 0xfedcba9876543291
    /* ldsetal */
    ldr x0, =0x7f7f7f7f7f7f7f7f
    str x0, [x20]
    ldr x1, =0x8080808080808080
    mov x2, #-1
    ldsetal w1, w2, [x20]
    EXPECT x2, 0x7f7f7f7f
    ldr x3, [x20]
    EXPECT x3, 0x7f7f7f7fffffffff
    EXPECT x1, 0x8080808080808080
    /* ldset */
    ldr x0, =0xf0e1d2c3b4a59687
    str x0, [x20]
    ldr x1, =0x102030405060718
    mov x2, #-1
    ldset x1, x2, [x20]
    EXPECT x2, 0xf0e1d2c3b4a59687
    ldr x3, [x20]
    EXPECT x3, 0xf1e3d3c7b5a7979f
    EXPECT x1, 0x102030405060718
    /* ldseta */
    ldr x0, =0x102030405060708
    str x0, [x20]
    ldr x1, =0xfedcba9876543291
    mov x2, #-1
    ldseta x1, x2, [x20]
    EXPECT x2, 0x102030405060708
    ldr x3, [x20]
    EXPECT x3, 0xffdebb9c77563799
    EXPECT x1, 0xfedcba9876543291
    /* ldsetl */
    ldr x0, =0x7f7f7f7f7f7f7f7f
    str x0, [x20]
    ldr x1, =0x8080808080808080
    mov x2, #-1
    ldsetl x1, x2, [x20]
    EXPECT x2, 0x7f7f7f7f7f7f7f7f
    ldr x3, [x20]
    EXPECT x3, 0xffffffffffffffff
    EXPECT x1, 0x8080808080808080
    /* ldsetal */
    ldr x0, =0xf0e1d2c3b4a59687
    str x0, [x20]
    ldr x1, =0x102030405060718
    mov x2, #-1
    ldsetal x1, x2, [x20]
    EXPECT x2, 0xf0e1d2c3b4a59687
    ldr x3, [x20]
    EXPECT x3, 0xf1e3d3c7b5a7979f
    EXPECT x1, 0x102030405060718
    /* ldsmaxb */
    ldr x0, =0x102030405060708
    str x0, [x20]
    ldr x1, =0xfedcba9876543291
    mov x2, #-1
    ldsmaxb w1, w2, [x20]
    EXPECT x2, 0x8
    ldr x3, [x20]
    EXPECT x3, 0x102030405060708
    EXPECT x1, 0xfedcba9876543291
    /* ldsmaxab */
    ldr x0, =0x7f7f7f7f7f7f7f7f
    str x0, [x20]
    ldr x1, =0x8080808080808080
    mov x2, #-1
    ldsmaxab w1, w2, [x20]
    EXPECT x2, 0x7f
    ldr x3, [x20]
    EXPECT x3, 0x7f7f7f7f7f7f7f7f
    EXPECT x1, 0x8080808080808080
    /* ldsmaxlb */
    ldr x0, =0xf0e1d2c3b4a59687
    str x0, [x20]
    ldr x1, =0x102030405060718
    mov x2, #-1
    ldsmaxlb w1, w2, [x20]
    EXPECT x2, 0x87
    ldr x3, [x20]
    EXPECT x3, 0xf0e1d2c3b4a59618
    EXPECT x1, 0x102030405060718
    /* ldsmaxalb */
    ldr x0, =0x102030405060708
    str x0, [x20]
    ldr x1, =0xfedcba9876543291
    mov x2, #-1
    ldsmaxalb w1, w2, [x20]
    EXPECT x2, 0x8
    ldr x3, [x20]
    EXPECT x3, 0x102030405060708
    EXPECT x1, 0xfedcba9876543291
    /* ldsmaxh */
    ldr x0, =0x7f7f7f7f7f7f7f7f
    str x0, [x20]
    ldr x1, =0x8080808080808080
    mov x2, #-1
    ldsmaxh w1, w2, [x20]
    EXPECT x2, 0x7f7f
    ldr x3, [x20]
    EXPECT x3, 0x7f7f7f7f7f7f7f7f
    EXPECT x1, 0x8080808080808080
    /* ldsmaxah */
    ldr x0, =0xf0e1d2c3b4a59687
    str x0, [x20]
    ldr x1, =0x102030405060718
    mov x2, #-1
    ldsmaxah w1, w2, [x20]
    EXPECT x2, 0x9687
    ldr x3, [x20]
    EXPECT x3, 0xf0e1d2c3b4a50718
    EXPECT x1, 0x102030405060718
    /* ldsmaxlh */
    ldr x0, =0x102030405060708
    str x0, [x20]
    ldr x1, =0xfedcba9876543291
    mov x2, #-1
    ldsmaxlh w1, w2, [x20]
    EXPECT x2, 0x708
    ldr x3, [x20]
    EXPECT x3, 0x102030405063291
    EXPECT x1, 0xfedcba9876543291
    /* ldsmaxalh */
    ldr x0, =0x7f7f7f7f7f7f7f7f
    str x0, [x20]
    ldr x1, =0x8080808080808080
    mov x2, #-1
    ldsmaxalh w1, w2, [x20]
    EXPECT x2, 0x7f7f
    ldr x3, [x20]
    EXPECT x3, 0x7f7f7f7f7f7f7f7f
    EXPECT x1, 0x8080808080808080
    /* ldsmax */
    ldr x0, =0xf0e1d2c3b4a59687
    str x0, [x20]
    ldr x1, =0x102030405060718
    mov x2, #-1
    ldsmax w1, w2, [x20]
    EXPECT x2, 0xb4a59687
    ldr x3, [x20]
    EXPECT x3, 0xf0e1d2c305060718
    EXPECT x1, 0x102030405060718
    /* ldsmaxa */
    ldr x0, =0x102030405060708
    str x0, [x20]
    ldr x1, =0xfedcba9876543291
    mov x2, #-1
    ldsmaxa w1, w2, [x20]
    EXPECT x2, 0x5060708
    ldr x3, [x20]
    EXPECT x3, 0x102030476543291
    EXPECT x1, 0xfedcba9876543291
    /* ldsmaxl */
    ldr x0, =0x7f7f7f7f7f7f7f7f
    str x0, [x20]
    ldr x1, =0x8080808080808080
    mov x2, #-1
    ldsmaxl w1, w2, [x20]
    EXPECT x2, 0x7f7f7f7f
    ldr x3, [x20]
    EXPECT x3, 0x7f7f7f7f7f7f7f7f
    EXPECT x1, 0x8080808080808080
    /* ldsmaxal */
    ldr x0, =0xf0e1d2c3b4a59687
    str x0, [x20]
    ldr x1, =0x102030405060718
    mov x2, #-1
    ldsmaxal w1, w2, [x20]
    EXPECT x2, 0xb4a59687
    ldr x3, [x20]
    EXPECT x3, 0xf0e1d2c305060718
    EXPECT x1, 0x102030405060718
    /* ldsmax */
    ldr x0, =0x102030405060708
    str x0, [x20]
    ldr x1, =0xfedcba9876543291
    mov x2, #-1
    ldsmax x1, x2, [x20]
    EXPECT x2, 0x102030405060708
    ldr x3, [x20]
    EXPECT x3, 0x102030405060708
    EXPECT x1, 0xfedcba9876543291
    /* ldsmaxa */
    ldr x0, =0x7f7f7f7f7f7f7f7f
    str x0, [x20]
    ldr x1, =0x8080808080808080
    mov x2, #-1
    ldsmaxa x1, x2, [x20]
    EXPECT x2, 0x7f7f7f7f7f7f7f7f
    ldr x3, [x20]
    EXPECT x3, 0x7f7f7f7f7f7f7f7f
    EXPECT x1, 0x8080808080808080
    /* ldsmaxl */
    ldr x0, =0xf0e1d2c3b4a59687
    str x0, [x20]
    ldr x1, =0x102030405060718
    mov x2, #-1
    ldsmaxl x1, x2, [x20]
    EXPECT x2, 0xf0e1d2c3b4a59687
    ldr x3, [x20]
    EXPECT x3, 0x102030405060718
    EXPECT x1, 0x102030405060718
    /* ldsmaxal */
    ldr x0, =0x102030405060708
    str x0, [x20]
    ldr x1, =0xfedcba9876543291
    mov x2, #-1
    ldsmaxal x1, x2, [x20]
    EXPECT x2, 0x102030405060708
    ldr x3, [x20]
    EXPECT x3, 0x102030405060708
    EXPECT x1, 0xfedcba9876543291
    /* ldsminb */
    ldr x0, =0x7f7f7f7f7f7f7f7f
    str x0, [x20]
    ldr x1, =0x8080808080808080
    mov x2, #-1
    ldsminb w1, w2, [x20]
    EXPECT x2, 0x7f
    ldr x3, [x20]
    EXPECT x3, 0x7f7f7f7f7f7f7f80
    EXPECT x1, 0x8080808080808080
    /* ldsminab */
    ldr x0, =0xf0e1d2c3b4a59687
    str x0, [x20]
    ldr x1, =0x102030405060718
    mov x2, #-1
    ldsminab w1, w2, [x20]
    EXPECT x2, 0x87
    ldr x3, [x20]
    EXPECT x3, 0xf0e1d2c3b4a59687
    EXPECT x1, 0x102030405060718
    /* ldsminlb */
    ldr x0, =0x102030405060708
    str x0, [x20]
    ldr x1, =0xfedcba9876543291
    mov x2, #-1
    ldsminlb w1, w2, [x20]
    EXPECT x2, 0x8
    ldr x3, [x20]
    EXPECT x3, 0x102030405060791
    EXPECT x1, 0xfedcba9876543291
    /* ldsminalb */
    ldr x0, =0x7f7f7f7f7f7f7f7f
    str x0, [x20]
    ldr x1, =0x8080808080808080
    mov x2, #-1
    ldsminalb w1, w2, [x20]
    EXPECT x2, 0x7f
    ldr x3, [x20]
    EXPECT x3, 0x7f7f7f7f7f7f7f80
    EXPECT x1, 0x8080808080808080
    /* ldsminh */
    ldr x0, =0xf0e1d2c3b4a59687
    str x0, [x20]
    ldr x1, =0x102030405060718
    mov x2, #-1
    ldsminh w1, w2, [x20]
    EXPECT x2, 0x9687
    ldr x3, [x20]
    EXPECT x3, 0xf0e1d2c3b4a59687
    EXPECT x1, 0x102030405060718
    /* ldsminah */
    ldr x0, =0x102030405060708
    str x0, [x20]
    ldr x1, =0xfedcba9876543291
    mov x2, #-1
    ldsminah w1, w2, [x20]
    EXPECT x2, 0x708
    ldr x3, [x20]
    EXPECT x3, 0x102030405060708
    EXPECT x1, 0xfedcba9876543291
    /* ldsminlh */
    ldr x0, =0x7f7f7f7f7f7f7f7f
    str x0, [x20]
    ldr x1, =0x8080808080808080
    mov x2, #-1
    ldsminlh w1, w2, [x20]
    EXPECT x2, 0x7f7f
    ldr x3, [x20]
    EXPECT x3, 0x7f7f7f7f7f7f8080
    EXPECT x1, 0x8080808080808080
    /* ldsminalh */
    ldr x0, =0xf0e1d2c3b4a59687
    str x0, [x20]
    ldr x1, =0x102030405060718
    mov x2, #-1
    ldsminalh w1, w2, [x20]
    EXPECT x2, 0x9687
    ldr x3, [x20]
    EXPECT x3, 0xf0e1d2c3b4a59687
    EXPECT x1, 0x102030405060718
    /* ldsmin */
    ldr x0, =0x102030405060708
    str x0, [x20]
    ldr x1, =0xfedcba9876543291
    mov x2, #-1
    ldsmin w1, w2, [x20]
    EXPECT x2, 0x5060708
    ldr x3, [x20]
    EXPECT x3, 0x102030405060708
    EXPECT x1, 0xfedcba9876543291
    /* ldsmina */
    ldr x0, =0x7f7f7f7f7f7f7f7f
    str x0, [x20]
    ldr x1, =0x8080808080808080
    mov x2, #-1
    ldsmina w1, w2, [x20]
    EXPECT x2, 0x7f7f7f7f
    ldr x3, [x20]
    EXPECT x3, 0x7f7f7f7f80808080
    EXPECT x1, 0x8080808080808080
    /* ldsminl */
    ldr x0, =0xf0e1d2c3b4a59687
    str x0, [x20]
    ldr x1, =0x102030405060718
    mov x2, #-1
    ldsminl w1, w2, [x20]
    EXPECT x2, 0xb4a59687
    ldr x3, [x20]
    EXPECT x3, 0xf0e1d2c3b4a59687
    EXPECT x1, 0x102030405060718
    /* ldsminal */
    ldr x0, =0x102030405060708
    str x0, [x20]
    ldr x1, =0xfedcba9876543291
    mov x2, #-1
    ldsminal w1, w2, [x20]
    EXPECT x2, 0x5060708
    ldr x3, [x20]
    EXPECT x3, 0x102030405060708
    EXPECT x1, 0xfedcba9876543291
    /* ldsmin */
    ldr x0, =0x7f7f7f7f7f7f7f7f
    str x0, [x20]
    ldr x1, =0x8080808080808080
    mov x2, #-1
    ldsmin x1, x2, [x20]
    EXPECT x2, 0x7f7f7f7f7f7f7f7f
    ldr x3, [x20]
    EXPECT x3, 0x8080808080808080
    EXPECT x1, 0x8080808080808080
    /* ldsmina */
    ldr x0, =0xf0e1d2c3b4a59687
    str x0, [x20]
    ldr x1, =0x102030405060718
    mov x2, #-1
    ldsmina x1, x2, [x20]
    EXPECT x2, 0xf0e1d2c3b4a59687
    ldr x3, [x20]
    EXPECT x3, 0xf0e1d2c3b4a59687
    EXPECT x1, 0x102030405060718
    /* ldsminl */
    ldr x0, =0x102030405060708
    str x0, [x20]
    ldr x1, =0xfedcba9876543291
    mov x2, #-1
    ldsminl x1, x2, [x20]
    EXPECT x2, 0x102030405060708
    ldr x3, [x20]
    EXPECT x3, 0xfedcba9876543291
    EXPECT x1, 0xfedcba9876543291
    /* ldsminal */
    ldr x0, =0x7f7f7f7f7f7f7f7f
    str x0, [x20]
    ldr x1, =0x8080808080808080
    mov x2, #-1
    ldsminal x1, x2, [x20]
    EXPECT x2, 0x7f7f7f7f7f7f7f7f
    ldr x3, [x20]
    EXPECT x3, 0x8080808080808080
    EXPECT x1, 0x8080808080808080
    /* ldumaxb */
    ldr x0, =0xf0e1d2c3b4a59687
    str x0, [x20]
    ldr x1, =0x102030405060718
    mov x2, #-1
    ldumaxb w1, w2, [x20]
    EXPECT x2, 0x87
    ldr x3, [x20]
    EXPECT x3, 0xf0e1d2c3b4a59687
    EXPECT x1, 0x102030405060718
    /* ldumaxab */
    ldr x0, =0x102030405060708
    str x0, [x20]
    ldr x1, =0xfedcba9876543291
    mov x2, #-1
    ldumaxab w1, w2, [x20]
    EXPECT x2, 0x8
    ldr x3, [x20]
    EXPECT x3, 0x102030405060791
    EXPECT x1, 0xfedcba9876543291
    /* ldumaxlb */
    ldr x0, =0x7f7f7f7f7f7f7f7f
    str x0, [x20]
    ldr x1, =0x8080808080808080
    mov x2, #-1
    ldumaxlb w1, w2, [x20]
    EXPECT x2, 0x7f
    ldr x3, [x20]
    EXPECT x3, 0x7f7f7f7f7f7f7f80
    EXPECT x1, 0x8080808080808080
    /* ldumaxalb */
    ldr x0, =0xf0e1d2c3b4a59687
    str x0, [x20]
    ldr x1, =0x102030405060718
    mov x2, #-1
    ldumaxalb w1, w2, [x20]
    EXPECT x2, 0x87
    ldr x3, [x20]
    EXPECT x3, 0xf0e1d2c3b4a59687
    EXPECT x1, 0x102030405060718
    /* ldumaxh */
    ldr x0, =0x102030405060708
    str x0, [x20]
    ldr x1, =0xfedcba9876543291
    mov x2, #-1
    ldumaxh w1, w2, [x20]
    EXPECT x2, 0x708
    ldr x3, [x20]
    EXPECT x3, 0x102030405063291
    EXPECT x1, 0xfedcba9876543291
    /* ldumaxah */
    ldr x0, =0x7f7f7f7f7f7f7f7f
    str x0, [x20]
    ldr x1, =0x8080808080808080
    mov x2, #-1
    ldumaxah w1, w2, [x20]
    EXPECT x2, 0x7f7f
    ldr x3, [x20]
    EXPECT x3, 0x7f7f7f7f7f7f8080
    EXPECT x1, 0x8080808080808080
    /* ldumaxlh */
    ldr x0, =0xf0e1d2c3b4a59687
    str x0, [x20]
    ldr x1, =0x102030405060718
    mov x2, #-1
    ldumaxlh w1, w2, [x20]
    EXPECT x2, 0x9687
    ldr x3, [x20]
    EXPECT x3, 0xf0e1d2c3b4a59687
    EXPECT x1, 0x102030405060718
    /* ldumaxalh */
    ldr x0, =0x102030405060708
    str x0, [x20]
    ldr x1, =0xfedcba9876543291
    mov x2, #-1
    ldumaxalh w1, w2, [x20]
    EXPECT x2, 0x708
    ldr x3, [x20]
    EXPECT x3, 0x102030405063291
    EXPECT x1, 0xfedcba9876543291
    /* ldumax */
    ldr x0, =0x7f7f7f7f7f7f7f7f
    str x0, [x20]
    ldr x1, =0x8080808080808080
    mov x2, #-1
    ldumax w1, w2, [x20]
    EXPECT x2, 0x7f7f7f7f
    ldr x3, [x20]
    EXPECT x3, 0x7f7f7f7f80808080
    EXPECT x1, 0x8080808080808080
    /* ldumaxa */
    ldr x0, =0xf0e1d2c3b4a59687
    str x0, [x20]
    ldr x1, =0x102030405060718
    mov x2, #-1
    ldumaxa w1, w2, [x20]
    EXPECT x2, 0xb4a59687
    ldr x3, [x20]
    EXPECT x3, 0xf0e1d2c3b4a59687
    EXPECT x1, 0x102030405060718
    /* ldumaxl */
    ldr x0, =0x102030405060708
    str x0, [x20]
    ldr x1, =0xfedcba9876543291
    mov x2, #-1
    ldumaxl w1, w2, [x20]
    EXPECT x2, 0x5060708
    ldr x3, [x20]
    EXPECT x3, 0x102030476543291
    EXPECT x1, 0xfedcba9876543291
    /* ldumaxal */
    ldr x0, =0x7f7f7f7f7f7f7f7f
    str x0, [x20]
    ldr x1, =0x8080808080808080
    mov x2, #-1
    ldumaxal w1, w2, [x20]
    EXPECT x2, 0x7f7f7f7f
    ldr x3, [x20]
    EXPECT x3, 0x7f7f7f7f80808080
    EXPECT x1, 0x8080808080808080
    /* ldumax */
    ldr x0, =0xf0e1d2c3b4a59687
    str x0, [x20]
    ldr x1, =0x102030405060718
    mov x2, #-1
    ldumax x1, x2, [x20]
    EXPECT x2, 0xf0e1d2c3b4a59687
    ldr x3, [x20]
    EXPECT x3, 0xf0e1d2c3b4a59687
    EXPECT x1, 0x102030405060718
    /* ldumaxa */
    ldr x0, =0x102030405060708
    str x0, [x20]
    ldr x1, =0xfedcba9876543291
    mov x2, #-1
    ldumaxa x1, x2, [x20]
    EXPECT x2, 0x102030405060708
    ldr x3, [x20]
    EXPECT x3, 0xfedcba9876543291
    EXPECT x1, 0xfedcba9876543291
    /* ldumaxl */
    ldr x0, =0x7f7f7f7f7f7f7f7f
    str x0, [x20]
    ldr x1, =0x8080808080808080
    mov x2, #-1
    ldumaxl x1, x2, [x20]
    EXPECT x2, 0x7f7f7f7f7f7f7f7f
    ldr x3, [x20]
    EXPECT x3, 0x8080808080808080
    EXPECT x1, 0x8080808080808080
    /* ldumaxal */
    ldr x0, =0xf0e1d2c3b4a59687
    str x0, [x20]
    ldr x1, =0x102030405060718
    mov x2, #-1
    ldumaxal x1, x2, [x20]
    EXPECT x2, 0xf0e1d2c3b4a59687
    ldr x3, [x20]
    EXPECT x3, 0xf0e1d2c3b4a59687
    EXPECT x1, 0x102030405060718
    /* lduminb */
    ldr x0, =0x102030405060708
    str x0, [x20]
    ldr x1, =0xfedcba9876543291
    mov x2, #-1
    lduminb w1, w2, [x20]
    EXPECT x2, 0x8
    ldr x3, [x20]
    EXPECT x3, 0x102030405060708
    EXPECT x1, 0xfedcba9876543291
    /* lduminab */
    ldr x0, =0x7f7f7f7f7f7f7f7f
    str x0, [x20]
    ldr x1, =0x8080808080808080
    mov x2, #-1
    lduminab w1, w2, [x20]
    EXPECT x2, 0x7f
    ldr x3, [x20]
    EXPECT x3, 0x7f7f7f7f7f7f7f7f
    EXPECT x1, 0x8080808080808080
    /* lduminlb */
    ldr x0, =0xf0e1d2c3b4a59687
    str x0, [x20]
    ldr x1, =0x102030405060718
    mov x2, #-1
    lduminlb w1, w2, [x20]
    EXPECT x2, 0x87
    ldr x3, [x20]
    EXPECT x3, 0xf0e1d2c3b4a59618
    EXPECT x1, 0x102030405060718
    /* lduminalb */
    ldr x0, =0x102030405060708
    str x0, [x20]
    ldr x1, =0xfedcba9876543291
    mov x2, #-1
    lduminalb w1, w2, [x20]
    EXPECT x2, 0x8
    ldr x3, [x20]
    EXPECT x3, 0x102030405060708
    EXPECT x1, 0xfedcba9876543291
    /* lduminh */
    ldr x0, =0x7f7f7f7f7f7f7f7f
    str x0, [x20]
    ldr x1, =0x8080808080808080
    mov x2, #-1
    lduminh w1, w2, [x20]
    EXPECT x2, 0x7f7f
    ldr x3, [x20]
    EXPECT x3, 0x7f7f7f7f7f7f7f7f
    EXPECT x1, 0x8080808080808080
    /* lduminah */
    ldr x0, =0xf0e1d2c3b4a59687
    str x0, [x20]
    ldr x1, =0x102030405060718
    mov x2, #-1
    lduminah w1, w2, [x20]
    EXPECT x2, 0x9687
    ldr x3, [x20]
    EXPECT x3, 0xf0e1d2c3b4a50718
    EXPECT x1, 0x102030405060718
    /* lduminlh */
    ldr x0, =0x102030405060708
    str x0, [x20]
    ldr x1, =0xfedcba9876543291
    mov x2, #-1
    lduminlh w1, w2, [x20]
    EXPECT x2, 0x708
    ldr x3, [x20]
    EXPECT x3, 0x102030405060708
    EXPECT x1, 0xfedcba9876543291
    /* lduminalh */
    ldr x0, =0x7f7f7f7f7f7f7f7f
    str x0, [x20]
    ldr x1, =0x8080808080808080
    mov x2, #-1
    lduminalh w1, w2, [x20]
    EXPECT x2, 0x7f7f
    ldr x3, [x20]
    EXPECT x3, 0x7f7f7f7f7f7f7f7f
    EXPECT x1, 0x8080808080808080
    /* ldumin */
    ldr x0, =0xf0e1d2c3b4a59687
    str x0, [x20]
    ldr x1, =0x102030405060718
    mov x2, #-1
    ldumin w1, w2, [x20]
    EXPECT x2, 0xb4a59687
    ldr x3, [x20]
    EXPECT x3, 0xf0e1d2c305060718
    EXPECT x1, 0x102030405060718
    /* ldumina */
    ldr x0, =0x102030405060708
    str x0, [x20]
    ldr x1, =0xfedcba9876543291
    mov x2, #-1
    ldumina w1, w2, [x20]
    EXPECT x2, 0x5060708
    ldr x3, [x20]
    EXPECT x3, 0x102030405060708
    EXPECT x1, 0xfedcba9876543291
    /* lduminl */
    ldr x0, =0x7f7f7f7f7f7f7f7f
    str x0, [x20]
    ldr x1, =0x8080808080808080
    mov x2, #-1
    lduminl w1, w2, [x20]
    EXPECT x2, 0x7f7f7f7f
    ldr x3, [x20]
    EXPECT x3, 0x7f7f7f7f7f7f7f7f
    EXPECT x1, 0x8080808080808080
    /* lduminal */
    ldr x0, =0xf0e1d2c3b4a59687
    str x0, [x20]
    ldr x1, =0x102030405060718
    mov x2, #-1
    lduminal w1, w2, [x20]
    EXPECT x2, 0xb4a59687
    ldr x3, [x20]
    EXPECT x3, 0xf0e1d2c305060718
    EXPECT x1, 0x102030405060718
    /* ldumin */
    ldr x0, =0x102030405060708
    str x0, [x20]
    ldr x1, =0xfedcba9876543291
    mov x2, #-1
    ldumin x1, x2, [x20]
    EXPECT x2, 0x102030405060708
    ldr x3, [x20]
    EXPECT x3, 0x102030405060708
    EXPECT x1, 0xfedcba9876543291
    /* ldumina */
    ldr x0, =0x7f7f7f7f7f7f7f7f
    str x0, [x20]
    ldr x1, =0x8080808080808080
    mov x2, #-1
    ldumina x1, x2, [x20]
    EXPECT x2, 0x7f7f7f7f7f7f7f7f
    ldr x3, [x20]
    EXPECT x3, 0x7f7f7f7f7f7f7f7f
    EXPECT x1, 0x8080808080808080
    /* lduminl */
    ldr x0, =0xf0e1d2c3b4a59687
    str x0, [x20]
    ldr x1, =0x102030405060718
    mov x2, #-1
    lduminl x1, x2, [x20]
    EXPECT x2, 0xf0e1d2c3b4a59687
    ldr x3, [x20]
    EXPECT x3, 0x102030405060718
    EXPECT x1, 0x102030405060718
    /* lduminal */
    ldr x0, =0x102030405060708
    str x0, [x20]
    ldr x1, =0xfedcba9876543291
    mov x2, #-1
    lduminal x1, x2, [x20]
    EXPECT x2, 0x102030405060708
    ldr x3, [x20]
    EXPECT x3, 0x102030405060708
    EXPECT x1, 0xfedcba9876543291
    /* swpb */
    ldr x0, =0x7f7f7f7f7f7f7f7f
    str x0, [x20]
    ldr x1, =0x8080808080808080
    mov x2, #-1
    swpb w1, w2, [x20]
    EXPECT x2, 0x7f
    ldr x3, [x20]
    EXPECT x3, 0x7f7f7f7f7f7f7f80
    EXPECT x1, 0x8080808080808080
    /* swpab */
    ldr x0, =0xf0e1d2c3b4a59687
    str x0, [x20]
    ldr x1, =0x102030405060718
    mov x2, #-1
    swpab w1, w2, [x20]
    EXPECT x2, 0x87
    ldr x3, [x20]
    EXPECT x3, 0xf0e1d2c3b4a59618
    EXPECT x1, 0x102030405060718
    /* swplb */
    ldr x0, =0x102030405060708
    str x0, [x20]
    ldr x1, =0xfedcba9876543291
    mov x2, #-1
    swplb w1, w2, [x20]
    EXPECT x2, 0x8
    ldr x3, [x20]
    EXPECT x3, 0x102030405060791
    EXPECT x1, 0xfedcba9876543291
    /* swpalb */
    ldr x0, =0x7f7f7f7f7f7f7f7f
    str x0, [x20]
    ldr x1, =0x8080808080808080
    mov x2, #-1
    swpalb w1, w2, [x20]
    EXPECT x2, 0x7f
    ldr x3, [x20]
    EXPECT x3, 0x7f7f7f7f7f7f7f80
    EXPECT x1, 0x8080808080808080
    /* swph */
    ldr x0, =0xf0e1d2c3b4a59687
    str x0, [x20]
    ldr x1, =0x102030405060718
    mov x2, #-1
    swph w1, w2, [x20]
    EXPECT x2, 0x9687
    ldr x3, [x20]
    EXPECT x3, 0xf0e1d2c3b4a50718
    EXPECT x1, 0x102030405060718
    /* swpah */
    ldr x0, =0x102030405060708
    str x0, [x20]
    ldr x1, =0xfedcba9876543291
    mov x2, #-1
    swpah w1, w2, [x20]
    EXPECT x2, 0x708
    ldr x3, [x20]
    EXPECT x3, 0x102030405063291
    EXPECT x1, 0xfedcba9876543291
    /* swplh */
    ldr x0, =0x7f7f7f7f7f7f7f7f
    str x0, [x20]
    ldr x1, =0x8080808080808080
    mov x2, #-1
    swplh w1, w2, [x20]
    EXPECT x2, 0x7f7f
    ldr x3, [x20]
    EXPECT x3, 0x7f7f7f7f7f7f8080
    EXPECT x1, 0x8080808080808080
    /* swpalh */
    ldr x0, =0xf0e1d2c3b4a59687
    str x0, [x20]
    ldr x1, =0x102030405060718
    mov x2, #-1
    swpalh w1, w2, [x20]
    EXPECT x2, 0x9687
    ldr x3, [x20]
    EXPECT x3, 0xf0e1d2c3b4a50718
    EXPECT x1, 0x102030405060718
    /* swp */
    ldr x0, =0x102030405060708
    str x0, [x20]
    ldr x1, =0xfedcba9876543291
    mov x2, #-1
    swp w1, w2, [x20]
    EXPECT x2, 0x5060708
    ldr x3, [x20]
    EXPECT x3, 0x102030476543291
    EXPECT x1, 0xfedcba9876543291
    /* swpa */
    ldr x0, =0x7f7f7f7f7f7f7f7f
    str x0, [x20]
    ldr x1, =0x8080808080808080
    mov x2, #-1
    swpa w1, w2, [x20]
    EXPECT x2, 0x7f7f7f7f
    ldr x3, [x20]
    EXPECT x3, 0x7f7f7f7f80808080
    EXPECT x1, 0x8080808080808080
    /* swpl */
    ldr x0, =0xf0e1d2c3b4a59687
    str x0, [x20]
    ldr x1, =0x102030405060718
    mov x2, #-1
    swpl w1, w2, [x20]
    EXPECT x2, 0xb4a59687
    ldr x3, [x20]
    EXPECT x3, 0xf0e1d2c305060718
    EXPECT x1, 0x102030405060718
    /* swpal */
    ldr x0, =0x102030405060708
    str x0, [x20]
    ldr x1, =0xfedcba9876543291
    mov x2, #-1
    swpal w1, w2, [x20]
    EXPECT x2, 0x5060708
    ldr x3, [x20]
    EXPECT x3, 0x102030476543291
    EXPECT x1, 0xfedcba9876543291
    /* swp */
    ldr x0, =0x7f7f7f7f7f7f7f7f
    str x0, [x20]
    ldr x1, =0x8080808080808080
    mov x2, #-1
    swp x1, x2, [x20]
    EXPECT x2, 0x7f7f7f7f7f7f7f7f
    ldr x3, [x20]
    EXPECT x3, 0x8080808080808080
    EXPECT x1, 0x8080808080808080
    /* swpa */
    ldr x0, =0xf0e1d2c3b4a59687
    str x0, [x20]
    ldr x1, =0x102030405060718
    mov x2, #-1
    swpa x1, x2, [x20]
    EXPECT x2, 0xf0e1d2c3b4a59687
    ldr x3, [x20]
    EXPECT x3, 0x102030405060718
    EXPECT x1, 0x102030405060718
    /* swpl */
    ldr x0, =0x102030405060708
    str x0, [x20]
    ldr x1, =0xfedcba9876543291
    mov x2, #-1
    swpl x1, x2, [x20]
    EXPECT x2, 0x102030405060708
    ldr x3, [x20]
    EXPECT x3, 0xfedcba9876543291
    EXPECT x1, 0xfedcba9876543291
    /* swpal */
    ldr x0, =0x7f7f7f7f7f7f7f7f
    str x0, [x20]
    ldr x1, =0x8080808080808080
    mov x2, #-1
    swpal x1, x2, [x20]
    EXPECT x2, 0x7f7f7f7f7f7f7f7f
    ldr x3, [x20]
    EXPECT x3, 0x8080808080808080
    EXPECT x1, 0x8080808080808080
    /* staddb */
    ldr x0, =0xf0e1d2c3b4a59687
    str x0, [x20]
    ldr x1, =0x102030405060718
    staddb w1, [x20]
    ldr x3, [x20]
    EXPECT x3, 0xf0e1d2c3b4a5969f
    /* staddlb */
    ldr x0, =0x102030405060708
    str x0, [x20]
    ldr x1, =0xfedcba9876543291
    staddlb w1, [x20]
    ldr x3, [x20]
    EXPECT x3, 0x102030405060799
    /* staddh */
    ldr x0, =0x7f7f7f7f7f7f7f7f
    str x0, [x20]
    ldr x1, =0x8080808080808080
    staddh w1, [x20]
    ldr x3, [x20]
    EXPECT x3, 0x7f7f7f7f7f7fffff
    /* staddlh */
    ldr x0, =0xf0e1d2c3b4a59687
    str x0, [x20]
    ldr x1, =0x102030405060718
    staddlh w1, [x20]
    ldr x3, [x20]
    EXPECT x3, 0xf0e1d2c3b4a59d9f
    /* stadd */
    ldr x0, =0x102030405060708
    str x0, [x20]
    ldr x1, =0xfedcba9876543291
    stadd w1, [x20]
    ldr x3, [x20]
    EXPECT x3, 0x10203047b5a3999
    /* staddl */
    ldr x0, =0x7f7f7f7f7f7f7f7f
    str x0, [x20]
    ldr x1, =0x8080808080808080
    staddl w1, [x20]
    ldr x3, [x20]
    EXPECT x3, 0x7f7f7f7fffffffff
    /* stadd */
    ldr x0, =0xf0e1d2c3b4a59687
    str x0, [x20]
    ldr x1, =0x102030405060718
    stadd x1, [x20]
    ldr x3, [x20]
    EXPECT x3, 0xf1e3d5c7b9ab9d9f
    /* staddl */
    ldr x0, =0x102030405060708
    str x0, [x20]
    ldr x1, =0xfedcba9876543291
    staddl x1, [x20]
    ldr x3, [x20]
    EXPECT x3, 0xffdebd9c7b5a3999
    /* stclrb */
    ldr x0, =0x7f7f7f7f7f7f7f7f
    str x0, [x20]
    ldr x1, =0x8080808080808080
    stclrb w1, [x20]
    ldr x3, [x20]
    EXPECT x3, 0x7f7f7f7f7f7f7f7f
    /* stclrlb */
    ldr x0, =0xf0e1d2c3b4a59687
    str x0, [x20]
    ldr x1, =0x102030405060718
    stclrlb w1, [x20]
    ldr x3, [x20]
    EXPECT x3, 0xf0e1d2c3b4a59687
    /* stclrh */
    ldr x0, =0x102030405060708
    str x0, [x20]
    ldr x1, =0xfedcba9876543291
    stclrh w1, [x20]
    ldr x3, [x20]
    EXPECT x3, 0x102030405060508
    /* stclrlh */
    ldr x0, =0x7f7f7f7f7f7f7f7f
    str x0, [x20]
    ldr x1, =0x8080808080808080
    stclrlh w1, [x20]
    ldr x3, [x20]
    EXPECT x3, 0x7f7f7f7f7f7f7f7f
    /* stclr */
    ldr x0, =0xf0e1d2c3b4a59687
    str x0, [x20]
    ldr x1, =0x102030405060718
    stclr w1, [x20]
    ldr x3, [x20]
    EXPECT x3, 0xf0e1d2c3b0a19087
    /* stclrl */
    ldr x0, =0x102030405060708
    str x0, [x20]
    ldr x1, =0xfedcba9876543291
    stclrl w1, [x20]
    ldr x3, [x20]
    EXPECT x3, 0x102030401020508
    /* stclr */
    ldr x0, =0x7f7f7f7f7f7f7f7f
    str x0, [x20]
    ldr x1, =0x8080808080808080
    stclr x1, [x20]
    ldr x3, [x20]
    EXPECT x3, 0x7f7f7f7f7f7f7f7f
    /* stclrl */
    ldr x0, =0xf0e1d2c3b4a59687
    str x0, [x20]
    ldr x1, =0x102030405060718
    stclrl x1, [x20]
    ldr x3, [x20]
    EXPECT x3, 0xf0e1d0c3b0a19087
    /* steorb */
    ldr x0, =0x102030405060708
    str x0, [x20]
    ldr x1, =0xfedcba9876543291
    steorb w1, [x20]
    ldr x3, [x20]
    EXPECT x3, 0x102030405060799
    /* steorlb */
    ldr x0, =0x7f7f7f7f7f7f7f7f
    str x0, [x20]
    ldr x1, =0x8080808080808080
    steorlb w1, [x20]
    ldr x3, [x20]
    EXPECT x3, 0x7f7f7f7f7f7f7fff
    /* steorh */
    ldr x0, =0xf0e1d2c3b4a59687
    str x0, [x20]
    ldr x1, =0x102030405060718
    steorh w1, [x20]
    ldr x3, [x20]
    EXPECT x3, 0xf0e1d2c3b4a5919f
    /* steorlh */
    ldr x0, =0x102030405060708
    str x0, [x20]
    ldr x1, =0xfedcba9876543291
    steorlh w1, [x20]
    ldr x3, [x20]
    EXPECT x3, 0x102030405063599
    /* steor */
    ldr x0, =0x7f7f7f7f7f7f7f7f
    str x0, [x20]
    ldr x1, =0x8080808080808080
    steor w1, [x20]
    ldr x3, [x20]
    EXPECT x3, 0x7f7f7f7fffffffff
    /* steorl */
    ldr x0, =0xf0e1d2c3b4a59687
    str x0, [x20]
    ldr x1, =0x102030405060718
    steorl w1, [x20]
    ldr x3, [x20]
    EXPECT x3, 0xf0e1d2c3b1a3919f
    /* steor */
    ldr x0, =0x102030405060708
    str x0, [x20]
    ldr x1, =0xfedcba9876543291
    steor x1, [x20]
    ldr x3, [x20]
    EXPECT x3, 0xffdeb99c73523599
    /* steorl */
    ldr x0, =0x7f7f7f7f7f7f7f7f
    str x0, [x20]
    ldr x1, =0x8080808080808080
    steorl x1, [x20]
    ldr x3, [x20]
    EXPECT x3, 0xffffffffffffffff
    /* stsetb */
    ldr x0, =0xf0e1d2c3b4a59687
    str x0, [x20]
    ldr x1, =0x102030405060718
    stsetb w1, [x20]
    ldr x3, [x20]
    EXPECT x3, 0xf0e1d2c3b4a5969f
    /* stsetlb */
    ldr x0, =0x102030405060708
    str x0, [x20]
    ldr x1, =0xfedcba9876543291
    stsetlb w1, [x20]
    ldr x3, [x20]
    EXPECT x3, 0x102030405060799
    /* stseth */
    ldr x0, =0x7f7f7f7f7f7f7f7f
    str x0, [x20]
    ldr x1, =0x8080808080808080
    stseth w1, [x20]
    ldr x3, [x20]
    EXPECT x3, 0x7f7f7f7f7f7fffff
    /* stsetlh */
    ldr x0, =0xf0e1d2c3b4a59687
    str x0, [x20]
    ldr x1, =0x102030405060718
    stsetlh w1, [x20]
    ldr x3, [x20]
    EXPECT x3, 0xf0e1d2c3b4a5979f
    /* stset */
    ldr x0, =0x102030405060708
    str x0, [x20]
    ldr x1, =0xfedcba9876543291
    stset w1, [x20]
    ldr x3, [x20]
    EXPECT x3, 0x102030477563799
    /* stsetl */
    ldr x0, =0x7f7f7f7f7f7f7f7f
    str x0, [x20]
    ldr x1, =0x8080808080808080
    stsetl w1, [x20]
    ldr x3, [x20]
    EXPECT x3, 0x7f7f7f7fffffffff
    /* stset */
    ldr x0, =0xf0e1d2c3b4a59687
    str x0, [x20]
    ldr x1, =0x102030405060718
    stset x1, [x20]
    ldr x3, [x20]
    EXPECT x3, 0xf1e3d3c7b5a7979f
    /* stsetl */
    ldr x0, =0x102030405060708
    str x0, [x20]
    ldr x1, =0xfedcba9876543291
    stsetl x1, [x20]
    ldr x3, [x20]
    EXPECT x3, 0xffdebb9c77563799
    /* stsmaxb */
    ldr x0, =0x7f7f7f7f7f7f7f7f
    str x0, [x20]
    ldr x1, =0x8080808080808080
    stsmaxb w1, [x20]
    ldr x3, [x20]
    EXPECT x3, 0x7f7f7f7f7f7f7f7f
    /* stsmaxlb */
    ldr x0, =0xf0e1d2c3b4a59687
    str x0, [x20]
    ldr x1, =0x102030405060718
    stsmaxlb w1, [x20]
    ldr x3, [x20]
    EXPECT x3, 0xf0e1d2c3b4a59618
    /* stsmaxh */
    ldr x0, =0x102030405060708
    str x0, [x20]
    ldr x1, =0xfedcba9876543291
    stsmaxh w1, [x20]
    ldr x3, [x20]
    EXPECT x3, 0x102030405063291
    /* stsmaxlh */
    ldr x0, =0x7f7f7f7f7f7f7f7f
    str x0, [x20]
    ldr x1, =0x8080808080808080
    stsmaxlh w1, [x20]
    ldr x3, [x20]
    EXPECT x3, 0x7f7f7f7f7f7f7f7f
    /* stsmax */
    ldr x0, =0xf0e1d2c3b4a59687
    str x0, [x20]
    ldr x1, =0x102030405060718
    stsmax w1, [x20]
    ldr x3, [x20]
    EXPECT x3, 0xf0e1d2c305060718
    /* stsmaxl */
    ldr x0, =0x102030405060708
    str x0, [x20]
    ldr x1, =0xfedcba9876543291
    stsmaxl w1, [x20]
    ldr x3, [x20]
    EXPECT x3, 0x102030476543291
    /* stsmax */
    ldr x0, =0x7f7f7f7f7f7f7f7f
    str x0, [x20]
    ldr x1, =0x8080808080808080
    stsmax x1, [x20]
    ldr x3, [x20]
    EXPECT x3, 0x7f7f7f7f7f7f7f7f
    /* stsmaxl */
    ldr x0, =0xf0e1d2c3b4a59687
    str x0, [x20]
    ldr x1, =0x102030405060718
    stsmaxl x1, [x20]
    ldr x3, [x20]
    EXPECT x3, 0x102030405060718
    /* stsminb */
    ldr x0, =0x102030405060708
    str x0, [x20]
    ldr x1, =0xfedcba9876543291
    stsminb w1, [x20]
    ldr x3, [x20]
    EXPECT x3, 0x102030405060791
    /* stsminlb */
    ldr x0, =0x7f7f7f7f7f7f7f7f
    str x0, [x20]
    ldr x1, =0x8080808080808080
    stsminlb w1, [x20]
    ldr x3, [x20]
    EXPECT x3, 0x7f7f7f7f7f7f7f80
    /* stsminh */
    ldr x0, =0xf0e1d2c3b4a59687
    str x0, [x20]
    ldr x1, =0x102030405060718
    stsminh w1, [x20]
    ldr x3, [x20]
    EXPECT x3, 0xf0e1d2c3b4a59687
    /* stsminlh */
    ldr x0, =0x102030405060708
    str x0, [x20]
    ldr x1, =0xfedcba9876543291
    stsminlh w1, [x20]
    ldr x3, [x20]
    EXPECT x3, 0x102030405060708
    /* stsmin */
    ldr x0, =0x7f7f7f7f7f7f7f7f
    str x0, [x20]
    ldr x1, =0x8080808080808080
    stsmin w1, [x20]
    ldr x3, [x20]
    EXPECT x3, 0x7f7f7f7f80808080
    /* stsminl */
    ldr x0, =0xf0e1d2c3b4a59687
    str x0, [x20]
    ldr x1, =0x102030405060718
    stsminl w1, [x20]
    ldr x3, [x20]
    EXPECT x3, 0xf0e1d2c3b4a59687
    /* stsmin */
    ldr x0, =0x102030405060708
    str x0, [x20]
    ldr x1, =0xfedcba9876543291
    stsmin x1, [x20]
    ldr x3, [x20]
    EXPECT x3, 0xfedcba9876543291
    /* stsminl */
    ldr x0, =0x7f7f7f7f7f7f7f7f
    str x0, [x20]
    ldr x1, =0x8080808080808080
    stsminl x1, [x20]
    ldr x3, [x20]
    EXPECT x3, 0x8080808080808080
    /* stumaxb */
    ldr x0, =0xf0e1d2c3b4a59687
    str x0, [x20]
    ldr x1, =0x102030405060718
    stumaxb w1, [x20]
    ldr x3, [x20]
    EXPECT x3, 0xf0e1d2c3b4a59687
    /* stumaxlb */
    ldr x0, =0x102030405060708
    str x0, [x20]
    ldr x1, =0xfedcba9876543291
    stumaxlb w1, [x20]
    ldr x3, [x20]
    EXPECT x3, 0x102030405060791
    /* stumaxh */
    ldr x0, =0x7f7f7f7f7f7f7f7f
    str x0, [x20]
    ldr x1, =0x8080808080808080
    stumaxh w1, [x20]
    ldr x3, [x20]
    EXPECT x3, 0x7f7f7f7f7f7f8080
    /* stumaxlh */
    ldr x0, =0xf0e1d2c3b4a59687
    str x0, [x20]
    ldr x1, =0x102030405060718
    stumaxlh w1, [x20]
    ldr x3, [x20]
    EXPECT x3, 0xf0e1d2c3b4a59687
    /* stumax */
    ldr x0, =0x102030405060708
    str x0, [x20]
    ldr x1, =0xfedcba9876543291
    stumax w1, [x20]
    ldr x3, [x20]
    EXPECT x3, 0x102030476543291
    /* stumaxl */
    ldr x0, =0x7f7f7f7f7f7f7f7f
    str x0, [x20]
    ldr x1, =0x8080808080808080
    stumaxl w1, [x20]
    ldr x3, [x20]
    EXPECT x3, 0x7f7f7f7f80808080
    /* stumax */
    ldr x0, =0xf0e1d2c3b4a59687
    str x0, [x20]
    ldr x1, =0x102030405060718
    stumax x1, [x20]
    ldr x3, [x20]
    EXPECT x3, 0xf0e1d2c3b4a59687
    /* stumaxl */
    ldr x0, =0x102030405060708
    str x0, [x20]
    ldr x1, =0xfedcba9876543291
    stumaxl x1, [x20]
    ldr x3, [x20]
    EXPECT x3, 0xfedcba9876543291
    /* stuminb */
    ldr x0, =0x7f7f7f7f7f7f7f7f
    str x0, [x20]
    ldr x1, =0x8080808080808080
    stuminb w1, [x20]
    ldr x3, [x20]
    EXPECT x3, 0x7f7f7f7f7f7f7f7f
    /* stuminlb */
    ldr x0, =0xf0e1d2c3b4a59687
    str x0, [x20]
    ldr x1, =0x102030405060718
    stuminlb w1, [x20]
    ldr x3, [x20]
    EXPECT x3, 0xf0e1d2c3b4a59618
    /* stuminh */
    ldr x0, =0x102030405060708
    str x0, [x20]
    ldr x1, =0xfedcba9876543291
    stuminh w1, [x20]
    ldr x3, [x20]
    EXPECT x3, 0x102030405060708
    /* stuminlh */
    ldr x0, =0x7f7f7f7f7f7f7f7f
    str x0, [x20]
    ldr x1, =0x8080808080808080
    stuminlh w1, [x20]
    ldr x3, [x20]
    EXPECT x3, 0x7f7f7f7f7f7f7f7f
    /* stumin */
    ldr x0, =0xf0e1d2c3b4a59687
    str x0, [x20]
    ldr x1, =0x102030405060718
    stumin w1, [x20]
    ldr x3, [x20]
    EXPECT x3, 0xf0e1d2c305060718
    /* stuminl */
    ldr x0, =0x102030405060708
    str x0, [x20]
    ldr x1, =0xfedcba9876543291
    stuminl w1, [x20]
    ldr x3, [x20]
    EXPECT x3, 0x102030405060708
    /* stumin */
    ldr x0, =0x7f7f7f7f7f7f7f7f
    str x0, [x20]
    ldr x1, =0x8080808080808080
    stumin x1, [x20]
    ldr x3, [x20]
    EXPECT x3, 0x7f7f7f7f7f7f7f7f
    /* stuminl */
    ldr x0, =0xf0e1d2c3b4a59687
    str x0, [x20]
    ldr x1, =0x102030405060718
    stuminl x1, [x20]
    ldr x3, [x20]
    EXPECT x3, 0x102030405060718
    ldr x0, =0x1234
    str x0, [x20]
    mov x1, #0x55
    swp x1, xzr, [x20]
    ldr x3, [x20]
    EXPECT x3, 0x55
    /* casb match */
    ldr x0, =0x102030405060708
    str x0, [x20]
    ldr x1, =0xdead000000000008
    ldr x2, =0xfedcba9876543291
    casb w1, w2, [x20]
    EXPECT x1, 0x8
    ldr x3, [x20]
    EXPECT x3, 0x102030405060791
    /* casb mismatch */
    ldr x0, =0x7f7f7f7f7f7f7f7f
    str x0, [x20]
    ldr x1, =0x80
    ldr x2, =0x8080808080808080
    casb w1, w2, [x20]
    EXPECT x1, 0x7f
    ldr x3, [x20]
    EXPECT x3, 0x7f7f7f7f7f7f7f7f
    /* casab match */
    ldr x0, =0xf0e1d2c3b4a59687
    str x0, [x20]
    ldr x1, =0xdead000000000087
    ldr x2, =0x102030405060718
    casab w1, w2, [x20]
    EXPECT x1, 0x87
    ldr x3, [x20]
    EXPECT x3, 0xf0e1d2c3b4a59618
    /* casab mismatch */
    ldr x0, =0x102030405060708
    str x0, [x20]
    ldr x1, =0x9
    ldr x2, =0xfedcba9876543291
    casab w1, w2, [x20]
    EXPECT x1, 0x8
    ldr x3, [x20]
    EXPECT x3, 0x102030405060708
    /* caslb match */
    ldr x0, =0x7f7f7f7f7f7f7f7f
    str x0, [x20]
    ldr x1, =0xdead00000000007f
    ldr x2, =0x8080808080808080
    caslb w1, w2, [x20]
    EXPECT x1, 0x7f
    ldr x3, [x20]
    EXPECT x3, 0x7f7f7f7f7f7f7f80
    /* caslb mismatch */
    ldr x0, =0xf0e1d2c3b4a59687
    str x0, [x20]
    ldr x1, =0x88
    ldr x2, =0x102030405060718
    caslb w1, w2, [x20]
    EXPECT x1, 0x87
    ldr x3, [x20]
    EXPECT x3, 0xf0e1d2c3b4a59687
    /* casalb match */
    ldr x0, =0x102030405060708
    str x0, [x20]
    ldr x1, =0xdead000000000008
    ldr x2, =0xfedcba9876543291
    casalb w1, w2, [x20]
    EXPECT x1, 0x8
    ldr x3, [x20]
    EXPECT x3, 0x102030405060791
    /* casalb mismatch */
    ldr x0, =0x7f7f7f7f7f7f7f7f
    str x0, [x20]
    ldr x1, =0x80
    ldr x2, =0x8080808080808080
    casalb w1, w2, [x20]
    EXPECT x1, 0x7f
    ldr x3, [x20]
    EXPECT x3, 0x7f7f7f7f7f7f7f7f
    /* cash match */
    ldr x0, =0xf0e1d2c3b4a59687
    str x0, [x20]
    ldr x1, =0xdead000000009687
    ldr x2, =0x102030405060718
    cash w1, w2, [x20]
    EXPECT x1, 0x9687
    ldr x3, [x20]
    EXPECT x3, 0xf0e1d2c3b4a50718
    /* cash mismatch */
    ldr x0, =0x102030405060708
    str x0, [x20]
    ldr x1, =0x709
    ldr x2, =0xfedcba9876543291
    cash w1, w2, [x20]
    EXPECT x1, 0x708
    ldr x3, [x20]
    EXPECT x3, 0x102030405060708
    /* casah match */
    ldr x0, =0x7f7f7f7f7f7f7f7f
    str x0, [x20]
    ldr x1, =0xdead000000007f7f
    ldr x2, =0x8080808080808080
    casah w1, w2, [x20]
    EXPECT x1, 0x7f7f
    ldr x3, [x20]
    EXPECT x3, 0x7f7f7f7f7f7f8080
    /* casah mismatch */
    ldr x0, =0xf0e1d2c3b4a59687
    str x0, [x20]
    ldr x1, =0x9688
    ldr x2, =0x102030405060718
    casah w1, w2, [x20]
    EXPECT x1, 0x9687
    ldr x3, [x20]
    EXPECT x3, 0xf0e1d2c3b4a59687
    /* caslh match */
    ldr x0, =0x102030405060708
    str x0, [x20]
    ldr x1, =0xdead000000000708
    ldr x2, =0xfedcba9876543291
    caslh w1, w2, [x20]
    EXPECT x1, 0x708
    ldr x3, [x20]
    EXPECT x3, 0x102030405063291
    /* caslh mismatch */
    ldr x0, =0x7f7f7f7f7f7f7f7f
    str x0, [x20]
    ldr x1, =0x7f80
    ldr x2, =0x8080808080808080
    caslh w1, w2, [x20]
    EXPECT x1, 0x7f7f
    ldr x3, [x20]
    EXPECT x3, 0x7f7f7f7f7f7f7f7f
    /* casalh match */
    ldr x0, =0xf0e1d2c3b4a59687
    str x0, [x20]
    ldr x1, =0xdead000000009687
    ldr x2, =0x102030405060718
    casalh w1, w2, [x20]
    EXPECT x1, 0x9687
    ldr x3, [x20]
    EXPECT x3, 0xf0e1d2c3b4a50718
    /* casalh mismatch */
    ldr x0, =0x102030405060708
    str x0, [x20]
    ldr x1, =0x709
    ldr x2, =0xfedcba9876543291
    casalh w1, w2, [x20]
    EXPECT x1, 0x708
    ldr x3, [x20]
    EXPECT x3, 0x102030405060708
    /* cas match */
    ldr x0, =0x7f7f7f7f7f7f7f7f
    str x0, [x20]
    ldr x1, =0xdead00007f7f7f7f
    ldr x2, =0x8080808080808080
    cas w1, w2, [x20]
    EXPECT x1, 0x7f7f7f7f
    ldr x3, [x20]
    EXPECT x3, 0x7f7f7f7f80808080
    /* cas mismatch */
    ldr x0, =0xf0e1d2c3b4a59687
    str x0, [x20]
    ldr x1, =0xb4a59688
    ldr x2, =0x102030405060718
    cas w1, w2, [x20]
    EXPECT x1, 0xb4a59687
    ldr x3, [x20]
    EXPECT x3, 0xf0e1d2c3b4a59687
    /* casa match */
    ldr x0, =0x102030405060708
    str x0, [x20]
    ldr x1, =0xdead000005060708
    ldr x2, =0xfedcba9876543291
    casa w1, w2, [x20]
    EXPECT x1, 0x5060708
    ldr x3, [x20]
    EXPECT x3, 0x102030476543291
    /* casa mismatch */
    ldr x0, =0x7f7f7f7f7f7f7f7f
    str x0, [x20]
    ldr x1, =0x7f7f7f80
    ldr x2, =0x8080808080808080
    casa w1, w2, [x20]
    EXPECT x1, 0x7f7f7f7f
    ldr x3, [x20]
    EXPECT x3, 0x7f7f7f7f7f7f7f7f
    /* casl match */
    ldr x0, =0xf0e1d2c3b4a59687
    str x0, [x20]
    ldr x1, =0xdead0000b4a59687
    ldr x2, =0x102030405060718
    casl w1, w2, [x20]
    EXPECT x1, 0xb4a59687
    ldr x3, [x20]
    EXPECT x3, 0xf0e1d2c305060718
    /* casl mismatch */
    ldr x0, =0x102030405060708
    str x0, [x20]
    ldr x1, =0x5060709
    ldr x2, =0xfedcba9876543291
    casl w1, w2, [x20]
    EXPECT x1, 0x5060708
    ldr x3, [x20]
    EXPECT x3, 0x102030405060708
    /* casal match */
    ldr x0, =0x7f7f7f7f7f7f7f7f
    str x0, [x20]
    ldr x1, =0xdead00007f7f7f7f
    ldr x2, =0x8080808080808080
    casal w1, w2, [x20]
    EXPECT x1, 0x7f7f7f7f
    ldr x3, [x20]
    EXPECT x3, 0x7f7f7f7f80808080
    /* casal mismatch */
    ldr x0, =0xf0e1d2c3b4a59687
    str x0, [x20]
    ldr x1, =0xb4a59688
    ldr x2, =0x102030405060718
    casal w1, w2, [x20]
    EXPECT x1, 0xb4a59687
    ldr x3, [x20]
    EXPECT x3, 0xf0e1d2c3b4a59687
    /* cas match */
    ldr x0, =0x102030405060708
    str x0, [x20]
    ldr x1, =0x102030405060708
    ldr x2, =0xfedcba9876543291
    cas x1, x2, [x20]
    EXPECT x1, 0x102030405060708
    ldr x3, [x20]
    EXPECT x3, 0xfedcba9876543291
    /* cas mismatch */
    ldr x0, =0x7f7f7f7f7f7f7f7f
    str x0, [x20]
    ldr x1, =0x7f7f7f7f7f7f7f80
    ldr x2, =0x8080808080808080
    cas x1, x2, [x20]
    EXPECT x1, 0x7f7f7f7f7f7f7f7f
    ldr x3, [x20]
    EXPECT x3, 0x7f7f7f7f7f7f7f7f
    /* casa match */
    ldr x0, =0xf0e1d2c3b4a59687
    str x0, [x20]
    ldr x1, =0xf0e1d2c3b4a59687
    ldr x2, =0x102030405060718
    casa x1, x2, [x20]
    EXPECT x1, 0xf0e1d2c3b4a59687
    ldr x3, [x20]
    EXPECT x3, 0x102030405060718
    /* casa mismatch */
    ldr x0, =0x102030405060708
    str x0, [x20]
    ldr x1, =0x102030405060709
    ldr x2, =0xfedcba9876543291
    casa x1, x2, [x20]
    EXPECT x1, 0x102030405060708
    ldr x3, [x20]
    EXPECT x3, 0x102030405060708
    /* casl match */
    ldr x0, =0x7f7f7f7f7f7f7f7f
    str x0, [x20]
    ldr x1, =0x7f7f7f7f7f7f7f7f
    ldr x2, =0x8080808080808080
    casl x1, x2, [x20]
    EXPECT x1, 0x7f7f7f7f7f7f7f7f
    ldr x3, [x20]
    EXPECT x3, 0x8080808080808080
    /* casl mismatch */
    ldr x0, =0xf0e1d2c3b4a59687
    str x0, [x20]
    ldr x1, =0xf0e1d2c3b4a59688
    ldr x2, =0x102030405060718
    casl x1, x2, [x20]
    EXPECT x1, 0xf0e1d2c3b4a59687
    ldr x3, [x20]
    EXPECT x3, 0xf0e1d2c3b4a59687
    /* casal match */
    ldr x0, =0x102030405060708
    str x0, [x20]
    ldr x1, =0x102030405060708
    ldr x2, =0xfedcba9876543291
    casal x1, x2, [x20]
    EXPECT x1, 0x102030405060708
    ldr x3, [x20]
    EXPECT x3, 0xfedcba9876543291
    /* casal mismatch */
    ldr x0, =0x7f7f7f7f7f7f7f7f
    str x0, [x20]
    ldr x1, =0x7f7f7f7f7f7f7f80
    ldr x2, =0x8080808080808080
    casal x1, x2, [x20]
    EXPECT x1, 0x7f7f7f7f7f7f7f7f
    ldr x3, [x20]
    EXPECT x3, 0x7f7f7f7f7f7f7f7f
    /* casp w match */
    ldr x0, =0x5060708b4a59687
    str x0, [x20]
    ldr x4, =0xffff0000b4a59687
    ldr x5, =0x5060708
    ldr x6, =0x102030405060718
    ldr x7, =0xfedcba9876543291
    casp w4, w5, w6, w7, [x20]
    EXPECT x4, 0xb4a59687
    EXPECT x5, 0x5060708
    ldr x8, [x20]
    EXPECT x8, 0x7654329105060718
    /* casp w mismatch */
    ldr x0, =0x7f7f7f7f05060708
    str x0, [x20]
    ldr x4, =0xffff000005060709
    ldr x5, =0x7f7f7f7f
    ldr x6, =0xfedcba9876543291
    ldr x7, =0x8080808080808080
    casp w4, w5, w6, w7, [x20]
    EXPECT x4, 0x5060708
    EXPECT x5, 0x7f7f7f7f
    ldr x8, [x20]
    EXPECT x8, 0x7f7f7f7f05060708
    /* caspa w match */
    ldr x0, =0xb4a596877f7f7f7f
    str x0, [x20]
    ldr x4, =0xffff00007f7f7f7f
    ldr x5, =0xb4a59687
    ldr x6, =0x8080808080808080
    ldr x7, =0x102030405060718
    caspa w4, w5, w6, w7, [x20]
    EXPECT x4, 0x7f7f7f7f
    EXPECT x5, 0xb4a59687
    ldr x8, [x20]
    EXPECT x8, 0x506071880808080
    /* caspa w mismatch */
    ldr x0, =0x5060708b4a59687
    str x0, [x20]
    ldr x4, =0xffff0000b4a59688
    ldr x5, =0x5060708
    ldr x6, =0x102030405060718
    ldr x7, =0xfedcba9876543291
    caspa w4, w5, w6, w7, [x20]
    EXPECT x4, 0xb4a59687
    EXPECT x5, 0x5060708
    ldr x8, [x20]
    EXPECT x8, 0x5060708b4a59687
    /* caspl w match */
    ldr x0, =0x7f7f7f7f05060708
    str x0, [x20]
    ldr x4, =0xffff000005060708
    ldr x5, =0x7f7f7f7f
    ldr x6, =0xfedcba9876543291
    ldr x7, =0x8080808080808080
    caspl w4, w5, w6, w7, [x20]
    EXPECT x4, 0x5060708
    EXPECT x5, 0x7f7f7f7f
    ldr x8, [x20]
    EXPECT x8, 0x8080808076543291
    /* caspl w mismatch */
    ldr x0, =0xb4a596877f7f7f7f
    str x0, [x20]
    ldr x4, =0xffff00007f7f7f80
    ldr x5, =0xb4a59687
    ldr x6, =0x8080808080808080
    ldr x7, =0x102030405060718
    caspl w4, w5, w6, w7, [x20]
    EXPECT x4, 0x7f7f7f7f
    EXPECT x5, 0xb4a59687
    ldr x8, [x20]
    EXPECT x8, 0xb4a596877f7f7f7f
    /* caspal w match */
    ldr x0, =0x5060708b4a59687
    str x0, [x20]
    ldr x4, =0xffff0000b4a59687
    ldr x5, =0x5060708
    ldr x6, =0x102030405060718
    ldr x7, =0xfedcba9876543291
    caspal w4, w5, w6, w7, [x20]
    EXPECT x4, 0xb4a59687
    EXPECT x5, 0x5060708
    ldr x8, [x20]
    EXPECT x8, 0x7654329105060718
    /* caspal w mismatch */
    ldr x0, =0x7f7f7f7f05060708
    str x0, [x20]
    ldr x4, =0xffff000005060709
    ldr x5, =0x7f7f7f7f
    ldr x6, =0xfedcba9876543291
    ldr x7, =0x8080808080808080
    caspal w4, w5, w6, w7, [x20]
    EXPECT x4, 0x5060708
    EXPECT x5, 0x7f7f7f7f
    ldr x8, [x20]
    EXPECT x8, 0x7f7f7f7f05060708
    b 1f
    .ltorg
1:
    /* casp x match */
    ldr x0, =0x7f7f7f7f7f7f7f7f
    ldr x1, =0xf0e1d2c3b4a59687
    stp x0, x1, [x20]
    ldr x4, =0x7f7f7f7f7f7f7f7f
    ldr x5, =0xf0e1d2c3b4a59687
    ldr x6, =0x8080808080808080
    ldr x7, =0x102030405060718
    casp x4, x5, x6, x7, [x20]
    EXPECT x4, 0x7f7f7f7f7f7f7f7f
    EXPECT x5, 0xf0e1d2c3b4a59687
    ldp x8, x9, [x20]
    EXPECT x8, 0x8080808080808080
    EXPECT x9, 0x102030405060718
    /* casp x mismatch */
    ldr x0, =0xf0e1d2c3b4a59687
    ldr x1, =0x102030405060708
    stp x0, x1, [x20]
    ldr x4, =0xf0e1d2c3b4a59688
    ldr x5, =0x102030405060708
    ldr x6, =0x102030405060718
    ldr x7, =0xfedcba9876543291
    casp x4, x5, x6, x7, [x20]
    EXPECT x4, 0xf0e1d2c3b4a59687
    EXPECT x5, 0x102030405060708
    ldp x8, x9, [x20]
    EXPECT x8, 0xf0e1d2c3b4a59687
    EXPECT x9, 0x102030405060708
    /* caspa x match */
    ldr x0, =0x102030405060708
    ldr x1, =0x7f7f7f7f7f7f7f7f
    stp x0, x1, [x20]
    ldr x4, =0x102030405060708
    ldr x5, =0x7f7f7f7f7f7f7f7f
    ldr x6, =0xfedcba9876543291
    ldr x7, =0x8080808080808080
    caspa x4, x5, x6, x7, [x20]
    EXPECT x4, 0x102030405060708
    EXPECT x5, 0x7f7f7f7f7f7f7f7f
    ldp x8, x9, [x20]
    EXPECT x8, 0xfedcba9876543291
    EXPECT x9, 0x8080808080808080
    /* caspa x mismatch */
    ldr x0, =0x7f7f7f7f7f7f7f7f
    ldr x1, =0xf0e1d2c3b4a59687
    stp x0, x1, [x20]
    ldr x4, =0x7f7f7f7f7f7f7f80
    ldr x5, =0xf0e1d2c3b4a59687
    ldr x6, =0x8080808080808080
    ldr x7, =0x102030405060718
    caspa x4, x5, x6, x7, [x20]
    EXPECT x4, 0x7f7f7f7f7f7f7f7f
    EXPECT x5, 0xf0e1d2c3b4a59687
    ldp x8, x9, [x20]
    EXPECT x8, 0x7f7f7f7f7f7f7f7f
    EXPECT x9, 0xf0e1d2c3b4a59687
    /* caspl x match */
    ldr x0, =0xf0e1d2c3b4a59687
    ldr x1, =0x102030405060708
    stp x0, x1, [x20]
    ldr x4, =0xf0e1d2c3b4a59687
    ldr x5, =0x102030405060708
    ldr x6, =0x102030405060718
    ldr x7, =0xfedcba9876543291
    caspl x4, x5, x6, x7, [x20]
    EXPECT x4, 0xf0e1d2c3b4a59687
    EXPECT x5, 0x102030405060708
    ldp x8, x9, [x20]
    EXPECT x8, 0x102030405060718
    EXPECT x9, 0xfedcba9876543291
    /* caspl x mismatch */
    ldr x0, =0x102030405060708
    ldr x1, =0x7f7f7f7f7f7f7f7f
    stp x0, x1, [x20]
    ldr x4, =0x102030405060709
    ldr x5, =0x7f7f7f7f7f7f7f7f
    ldr x6, =0xfedcba9876543291
    ldr x7, =0x8080808080808080
    caspl x4, x5, x6, x7, [x20]
    EXPECT x4, 0x102030405060708
    EXPECT x5, 0x7f7f7f7f7f7f7f7f
    ldp x8, x9, [x20]
    EXPECT x8, 0x102030405060708
    EXPECT x9, 0x7f7f7f7f7f7f7f7f
    /* caspal x match */
    ldr x0, =0x7f7f7f7f7f7f7f7f
    ldr x1, =0xf0e1d2c3b4a59687
    stp x0, x1, [x20]
    ldr x4, =0x7f7f7f7f7f7f7f7f
    ldr x5, =0xf0e1d2c3b4a59687
    ldr x6, =0x8080808080808080
    ldr x7, =0x102030405060718
    caspal x4, x5, x6, x7, [x20]
    EXPECT x4, 0x7f7f7f7f7f7f7f7f
    EXPECT x5, 0xf0e1d2c3b4a59687
    ldp x8, x9, [x20]
    EXPECT x8, 0x8080808080808080
    EXPECT x9, 0x102030405060718
    /* caspal x mismatch */
    ldr x0, =0xf0e1d2c3b4a59687
    ldr x1, =0x102030405060708
    stp x0, x1, [x20]
    ldr x4, =0xf0e1d2c3b4a59688
    ldr x5, =0x102030405060708
    ldr x6, =0x102030405060718
    ldr x7, =0xfedcba9876543291
    caspal x4, x5, x6, x7, [x20]
    EXPECT x4, 0xf0e1d2c3b4a59687
    EXPECT x5, 0x102030405060708
    ldp x8, x9, [x20]
    EXPECT x8, 0xf0e1d2c3b4a59687
    EXPECT x9, 0x102030405060708
    /* casp x with XZR as the second of a pair (SP is not zero here) */
    ldr x0, =0x1111222233334444
    stp x0, xzr, [x20]
    mov x30, x0
    ldr x4, =0x5555666677778888
    ldr x5, =0x99990000aaaabbbb
    casp x30, xzr, x4, x5, [x20]    /* expected (x30, 0): match */
    ldp x8, x9, [x20]
    EXPECT x8, 0x5555666677778888
    EXPECT x9, 0x99990000aaaabbbb
    EXPECT x30, 0x1111222233334444
    mov x4, x8
    mov x5, x9
    ldr x30, =0xcccc
    casp x4, x5, x30, xzr, [x20]    /* new (0xcccc, 0) */
    ldp x8, x9, [x20]
    EXPECT x8, 0xcccc
    EXPECT x9, 0
    EXPECT x4, 0x5555666677778888
    EXPECT x5, 0x99990000aaaabbbb
    b 1f
    .ltorg
1:
#ifndef QEMU_USER
    adr x0, vectors
    msr vbar_el1, x0
    isb
    mov x9, #0
    add x0, x20, #5
    ldadd w1, w2, [x0]
    EXPECT x9, 0x96000021
    sub x11, x10, x0
    EXPECT x11, 0
    mov x9, #0
    add x0, x20, #5
    swph w1, w2, [x0]
    EXPECT x9, 0x96000021
    sub x11, x10, x0
    EXPECT x11, 0
    mov x9, #0
    add x0, x20, #5
    cas x1, x2, [x0]
    EXPECT x9, 0x96000021
    sub x11, x10, x0
    EXPECT x11, 0
    mov x9, #0
    add x0, x20, #5
    stsetl w1, [x0]
    EXPECT x9, 0x96000021
    sub x11, x10, x0
    EXPECT x11, 0
    mov x9, #0
    add x0, x20, #8
    caspal x4, x5, x6, x7, [x0]
    EXPECT x9, 0x96000021
    mov x9, #0
    add x0, x20, #4
    casp w4, w5, w6, w7, [x0]   /* a pair of W registers: 8-byte alignment */
    EXPECT x9, 0x96000021
#endif
    TEST_PASS
#ifndef QEMU_USER
    .balign 2048
vectors:
    .skip 0x200
    mrs x9, esr_el1
    mrs x10, far_el1
    mrs x11, elr_el1
    add x11, x11, #4
    msr elr_el1, x11
    eret
#endif
TEST_END
