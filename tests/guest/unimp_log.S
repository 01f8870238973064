/* System registers flotilla does not implement are UNDEFINED, and -d unimp
 * names the ones the guest runs, once per instruction, not the ones it only
 * skips: the MRS of GMID_EL1 below sits in the same block as the taken CBZ
 * in front of it (a side exit, docs/jit.md), so it is translated but never
 * run; the MRS of RNDR runs five times in a loop; the MSR to APIAKEYLO_EL1
 * once. unimp_log.sh checks the log; this program checks the traps. */
#include "harness.inc"

TEST_START
    adr x0, vectors
    msr vbar_el1, x0
    isb
    mov x24, #0
    mov x5, #0
    cbz x5, 1f
    mrs x0, s3_1_c0_c0_4        /* GMID_EL1 (MTE): skipped */
1:  mov x6, #5
2:  mrs x0, s3_3_c2_c4_0        /* RNDR (FEAT_RNG): run five times */
    sub x6, x6, #1
    cbnz x6, 2b
    msr s3_0_c2_c1_0, x5        /* APIAKEYLO_EL1 (PAuth): run once */
    EXPECT x24, 6
    EXPECT x21, 0x02000000      /* EC 0: UNDEFINED */
    TEST_PASS

    SKIP_UNDEF_VECTORS
TEST_END
