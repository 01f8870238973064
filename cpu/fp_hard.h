/* Host floating point ("hardfloat") fast paths for the fp group's helpers
 * (cpu/fp_hard.c). Each is a drop-in for helper_fp_scalar, helper_fp_cmp or
 * helper_simd_fp, specialised for one instruction class, that computes on
 * the host FPU when the result and the FPSR flags are provably the ones
 * soft-float (cpu/fpu.c) gives, and otherwise calls that helper.
 * Thread rules: fp_hard_helper may be called from any thread; the helpers it
 * returns run on the owning vCPU's thread, like the helpers they replace. */
#ifndef FLOTILLA_FP_HARD_H
#define FLOTILLA_FP_HARD_H

#include <stdbool.h>
#include <stdint.h>

#include "translate.h"

/* The fast helper for an IR_CALL of `helper` with immediate `imm` (FpKind in
 * bits 63:32, the instruction word in 31:0), or NULL when there is none
 * (the soft helper is called). Any thread. */
HelperFn fp_hard_helper(uint32_t helper, uint64_t imm);

/* Whether fused multiply-add may use the host's FMA3: cpuid has FMA and AVX
 * with the YMM state saved (HOST_FMA3), and the tests have not forbidden it.
 * Any thread. */
bool fp_hard_fma3(void);

/* Tests: false makes the fast paths ignore the host's FMA3 (fused ops get no
 * fast path, inline or in C, as on a host without it). Any thread. */
void fp_hard_allow_fma(bool on);

#endif
