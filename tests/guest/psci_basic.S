/* PSCI 1.1 / SMCCC 1.1 firmware calls over HVC #0 and SMC #0 (flotilla's
 * built-in firmware; expected values from the PSCI spec, DEN0022, and
 * SMCCC, DEN0028): PSCI_VERSION = 1.1, PSCI_FEATURES, SMCCC_VERSION,
 * SMCCC_ARCH_FEATURES, MIGRATE_INFO_TYPE, AFFINITY_INFO, CPU_ON errors
 * (ALREADY_ON for self, INVALID_PARAMETERS for an unknown MPIDR),
 * unknown function IDs (NOT_SUPPORTED), registers other than x0 kept,
 * CPU_SUSPEND (standby) returning at once when an interrupt is pending,
 * and the test ends with SYSTEM_OFF (exit status 0). */
#include "harness.inc"

#define NOT_SUPPORTED 0xffffffffffffffff
#define INVALID_PARAMETERS 0xfffffffffffffffe
#define ALREADY_ON 0xfffffffffffffffc

.macro CALL conduit, fn, a1=0, a2=0, a3=0
    ldr x0, =\fn
    ldr x1, =\a1
    ldr x2, =\a2
    ldr x3, =\a3
    \conduit #0
.endm

TEST_START
    CALL hvc, 0x84000000          /* PSCI_VERSION */
    EXPECT x0, 0x10001
    CALL smc, 0x84000000          /* the SMC conduit answers too */
    EXPECT x0, 0x10001

    /* PSCI_FEATURES */
    CALL hvc, 0x8400000a, 0xc4000003    /* CPU_ON (SMC64) */
    EXPECT x0, 0
    CALL hvc, 0x8400000a, 0x84000002    /* CPU_OFF */
    EXPECT x0, 0
    CALL hvc, 0x8400000a, 0x84000008    /* SYSTEM_OFF */
    EXPECT x0, 0
    CALL hvc, 0x8400000a, 0x8400000a    /* PSCI_FEATURES itself */
    EXPECT x0, 0
    CALL hvc, 0x8400000a, 0x80000000    /* SMCCC_VERSION: SMCCC >= 1.1 */
    EXPECT x0, 0
    CALL hvc, 0x8400000a, 0xc400000e    /* SYSTEM_SUSPEND: optional, absent */
    EXPECT x0, NOT_SUPPORTED
    CALL hvc, 0x8400000a, 0x12345678    /* not a PSCI function */
    EXPECT x0, NOT_SUPPORTED

    /* SMCCC */
    CALL hvc, 0x80000000          /* SMCCC_VERSION */
    EXPECT x0, 0x10001
    CALL hvc, 0x80000001, 0x80008000    /* ARCH_FEATURES(ARCH_WORKAROUND_1) */
    EXPECT x0, NOT_SUPPORTED

    CALL hvc, 0x84000006          /* MIGRATE_INFO_TYPE: no Trusted OS */
    EXPECT x0, 2

    /* AFFINITY_INFO: core 0 (MPIDR affinity 0) is on; no core 7 */
    CALL hvc, 0xc4000004, 0, 0
    EXPECT x0, 0
    CALL hvc, 0x84000004, 0, 0    /* SMC32 form */
    EXPECT x0, 0
    CALL hvc, 0xc4000004, 7, 0
    EXPECT x0, INVALID_PARAMETERS

    /* CPU_ON: self is ALREADY_ON, an unknown MPIDR is INVALID_PARAMETERS */
    adr x4, .
    CALL hvc, 0xc4000003, 0, 0x40080000, 0
    EXPECT x0, ALREADY_ON
    CALL hvc, 0xc4000003, 0x100, 0x40080000, 0
    EXPECT x0, INVALID_PARAMETERS

    /* unknown function IDs: NOT_SUPPORTED; x1..x3 and others unchanged */
    ldr x9, =0x9999
    CALL hvc, 0xc2000000, 0x11, 0x22, 0x33
    EXPECT x0, NOT_SUPPORTED
    EXPECT x1, 0x11
    EXPECT x2, 0x22
    EXPECT x3, 0x33
    EXPECT x9, 0x9999
    CALL smc, 0x0, 0x11           /* fast-call bit clear */
    EXPECT x0, NOT_SUPPORTED
    ldr x0, =0x184000000          /* bits 63:32 set: not PSCI_VERSION */
    hvc #0
    EXPECT x0, NOT_SUPPORTED

    /* CPU_SUSPEND (standby) returns once an interrupt is pending, even
     * with PSTATE.I masking it (IRQs stay masked here): send SGI 3 to
     * self through the GIC first. */
    ldr x1, =0x08000000
    mov w2, #2
    str w2, [x1]                  /* GICD_CTLR.EnableGrp1 */
    ldr x1, =0x080A0000
    ldr w2, [x1, #0x14]
    bic w2, w2, #2
    str w2, [x1, #0x14]           /* GICR_WAKER */
    ldr x1, =0x080B0000
    mov w2, #(1 << 3)
    str w2, [x1, #0x80]           /* GICR_IGROUPR0 */
    str w2, [x1, #0x100]          /* GICR_ISENABLER0 */
    mov x0, #0xf0
    msr S3_0_C4_C6_0, x0          /* ICC_PMR_EL1 */
    mov x0, #1
    msr S3_0_C12_C12_7, x0        /* ICC_IGRPEN1_EL1 */
    ldr x0, =(3 << 24) | 1
    msr S3_0_C12_C11_5, x0        /* ICC_SGI1R_EL1: SGI 3 to self */
    isb
    CALL hvc, 0xc4000001, 0, 0, 0 /* CPU_SUSPEND, standby state 0 */
    EXPECT x0, 0
    mrs x0, S3_0_C12_C12_0        /* ICC_IAR1_EL1 */
    EXPECT x0, 3
    msr S3_0_C12_C12_1, x0        /* EOI */

    /* The end: SYSTEM_OFF stops the machine with status 0. */
    adrp x1, pass_msg
    add x1, x1, :lo12:pass_msg
    mov x0, #4                    /* SYS_WRITE0 */
    hlt #0xf000
    CALL hvc, 0x84000008
    /* never reached: SYSTEM_OFF does not return */
    mov x27, #(__LINE__ & 0xffff)
    b harness_fail

    .data
pass_msg:
    .asciz "PASS (SYSTEM_OFF)\n"
    .text

TEST_END
