/* Bare-metal floating-point micro-benchmarks (bench/fp.sh): dense matmul and
 * a radix-2 complex FFT, each in double and single precision. Each kernel
 * reports "BENCH-FP name ns-per-op" (timed with CNTVCT_EL0) and
 * "FPCHECK name hex": a hash of the result's bits and of FPSR, which
 * bench/fp.sh compares between flotilla (both tiers) and qemu-system-aarch64,
 * so a wrong result or flag is caught. Freestanding: twiddle factors come from
 * a Taylor series, not libm. Built with bm_crt0.S and tests/guest/libguest.c. */
#include <stdint.h>

#include "fpbench.h"

#ifndef FP_SCALE
#define FP_SCALE 1
#endif
#ifndef FP_ONLY
#define FP_ONLY 15 /* kernels to run: bit 0 matmul_d, 1 matmul_s, 2 fft_d, 3 fft_s */
#endif

enum { MN = 48, FN = 1024 };

#define MATMUL(T, NAME)                                                                           \
    static T NAME##_a[MN][MN], NAME##_b[MN][MN], NAME##_c[MN][MN];                                \
    static __attribute__((noinline)) void NAME(void)                                              \
    {                                                                                             \
        for (int i = 0; i < MN; i++)                                                              \
            for (int j = 0; j < MN; j++) {                                                        \
                NAME##_a[i][j] = (T)((i * 7 + j * 3) % 17) / (T)9 - (T)0.9;                       \
                NAME##_b[i][j] = (T)((i * 5 + j * 11) % 13) / (T)7 + (T)0.1;                      \
            }                                                                                     \
        uint64_t t0 = cntvct();                                                                   \
        for (int r = 0; r < 4 * FP_SCALE; r++)                                                    \
            for (int i = 0; i < MN; i++)                                                          \
                for (int j = 0; j < MN; j++) {                                                    \
                    T s = (T)r;                                                                   \
                    for (int k = 0; k < MN; k++)                                                  \
                        s += NAME##_a[i][k] * NAME##_b[k][j];                                     \
                    NAME##_c[i][j] = s;                                                           \
                }                                                                                 \
        uint64_t t1 = cntvct();                                                                   \
        hash = 0xcbf29ce484222325ull;                                                             \
        for (int i = 0; i < MN; i++)                                                              \
            for (int j = 0; j < MN; j++) {                                                        \
                union { T f; uint64_t u; } x = {.u = 0};                                          \
                x.f = NAME##_c[i][j];                                                             \
                mix(x.u);                                                                         \
            }                                                                                     \
        report(#NAME, t1 - t0, (uint64_t)4 * FP_SCALE * MN * MN * MN);                            \
    }
MATMUL(double, matmul_d)
MATMUL(float, matmul_s)

/* sin and cos of x in [-pi, pi] by Taylor series (enough terms for double). */
static void sincos_taylor(double x, double *s, double *c)
{
    double term = x, sum = x;
    for (int k = 1; k < 14; k++) {
        term *= -x * x / ((2 * k) * (2 * k + 1));
        sum += term;
    }
    *s = sum;
    term = 1, sum = 1;
    for (int k = 1; k < 14; k++) {
        term *= -x * x / ((2 * k - 1) * (2 * k));
        sum += term;
    }
    *c = sum;
}

#define FFT(T, NAME)                                                                              \
    static T NAME##_re[FN], NAME##_im[FN], NAME##_wr[FN / 2], NAME##_wi[FN / 2];                  \
    static void NAME##_run(void) /* in place, scaled by 1/sqrt(FN) */                             \
    {                                                                                             \
        for (int i = 1, j = 0; i < FN; i++) { /* bit reversal */                                  \
            int bit = FN >> 1;                                                                    \
            for (; j & bit; bit >>= 1)                                                            \
                j ^= bit;                                                                         \
            j |= bit;                                                                             \
            if (i < j) {                                                                          \
                T t = NAME##_re[i]; NAME##_re[i] = NAME##_re[j]; NAME##_re[j] = t;                \
                t = NAME##_im[i]; NAME##_im[i] = NAME##_im[j]; NAME##_im[j] = t;                  \
            }                                                                                     \
        }                                                                                         \
        for (int len = 2; len <= FN; len <<= 1) {                                                 \
            int step = FN / len;                                                                  \
            for (int i = 0; i < FN; i += len)                                                     \
                for (int k = 0; k < len / 2; k++) {                                               \
                    T wr = NAME##_wr[k * step], wi = NAME##_wi[k * step];                         \
                    int p = i + k, q = i + k + len / 2;                                           \
                    T xr = NAME##_re[q] * wr - NAME##_im[q] * wi;                                 \
                    T xi = NAME##_re[q] * wi + NAME##_im[q] * wr;                                 \
                    NAME##_re[q] = NAME##_re[p] - xr;                                             \
                    NAME##_im[q] = NAME##_im[p] - xi;                                             \
                    NAME##_re[p] += xr;                                                           \
                    NAME##_im[p] += xi;                                                           \
                }                                                                                 \
        }                                                                                         \
        for (int i = 0; i < FN; i++) { /* times 2^-5: the next run sees the same range */         \
            NAME##_re[i] *= (T)0.03125;                                                           \
            NAME##_im[i] *= (T)0.03125;                                                           \
        }                                                                                         \
    }                                                                                             \
    static __attribute__((noinline)) void NAME(void)                                              \
    {                                                                                             \
        for (int k = 0; k < FN / 2; k++) {                                                        \
            double s, c;                                                                          \
            sincos_taylor(-2 * 3.14159265358979323846 * k / FN, &s, &c);                          \
            NAME##_wr[k] = (T)c;                                                                  \
            NAME##_wi[k] = (T)s;                                                                  \
        }                                                                                         \
        for (int i = 0; i < FN; i++) {                                                            \
            NAME##_re[i] = (T)((i * 13) % 29) / (T)11 - (T)1.2;                                   \
            NAME##_im[i] = (T)((i * 7) % 19) / (T)23;                                             \
        }                                                                                         \
        uint64_t t0 = cntvct();                                                                   \
        for (int r = 0; r < 8 * FP_SCALE; r++)                                                    \
            NAME##_run();                                                                         \
        uint64_t t1 = cntvct();                                                                   \
        hash = 0xcbf29ce484222325ull;                                                             \
        for (int i = 0; i < FN; i++) {                                                            \
            union { T f; uint64_t u; } x = {.u = 0}, y = {.u = 0};                                \
            x.f = NAME##_re[i];                                                                   \
            y.f = NAME##_im[i];                                                                   \
            mix(x.u);                                                                             \
            mix(y.u);                                                                             \
        }                                                                                         \
        /* 10 FP ops per butterfly, FN/2 * log2(FN) butterflies and 2 * FN scalings per run */    \
        report(#NAME, t1 - t0, (uint64_t)8 * FP_SCALE * ((FN / 2) * 10 * 10 + 2 * FN));           \
    }
FFT(double, fft_d)
FFT(float, fft_s)

int main(void)
{
    /* QEMU starts a bare-metal ELF with FP access trapped (CPACR_EL1.FPEN) */
    __asm__ volatile("mrs x0, cpacr_el1; orr x0, x0, #(3 << 20); msr cpacr_el1, x0; isb" ::: "x0");
    if (FP_ONLY & 1)
        matmul_d();
    if (FP_ONLY & 2)
        matmul_s();
    if (FP_ONLY & 4)
        fft_d();
    if (FP_ONLY & 8)
        fft_s();
    return 0;
}
