/* Auto-vectorised integer and floating-point loops (saxpy, dot products,
 * byte counts, min/max reductions, byte scans, widening multiplies, shifts,
 * int<->float conversions), each reduced to a checksum printed as
 * "vec <name> <hex>". The guest build (-O3 -ftree-vectorize, FP/SIMD allowed)
 * runs in flotilla; the same source built for the x86-64 host (VEC_HOST)
 * prints the expected lines and ctest guest.vectorize.host compares them.
 * FP results must be bit-identical: no -ffast-math, -ffp-contract=off on
 * both sides, and no reduction whose order the vectoriser could change. */
// guest-cflags: -O3 -ftree-vectorize -march=armv8-a -ffp-contract=off
#include <stdint.h>

#ifdef VEC_HOST
#include <stdio.h>
static void out(const char *name, uint64_t v) { printf("vec %s %016llx\n", name, (unsigned long long)v); }
#define RESULT() 0
#else
#include "libguest.h"
static void out(const char *name, uint64_t v)
{
    guest_puts("vec ");
    guest_puts(name);
    guest_puts(" ");
    /* fixed width, as the host's %016llx */
    for (int s = 60; s >= 0; s -= 4)
        guest_puts((const char[]){"0123456789abcdef"[(v >> s) & 0xf], 0});
    guest_puts("\n");
}
#define RESULT() GUEST_RESULT()
#endif

#define N 1024

static uint32_t seed = 12345;
static uint32_t rnd(void)
{
    seed = seed * 1103515245u + 12345u;
    return seed >> 8;
}

/* FNV-1a over bytes: the checksum of an output array. */
static uint64_t fnv(const void *p, unsigned long n)
{
    const unsigned char *c = p;
    uint64_t h = 0xcbf29ce484222325ull;
    for (unsigned long i = 0; i < n; i++) {
        h ^= c[i];
        h *= 0x100000001b3ull;
    }
    return h;
}

static float fx[N], fy[N], fz[N];
static double dx[N], dy[N], dz[N];
static int16_t hx[N], hy[N];
static int32_t ix[N], iy[N], iz[N];
static int64_t lz[N];
static uint8_t bx[N], by[N], bz[N];
static uint16_t uz[N];

/* Each kernel sits in its own noinline function so the vectoriser sees a
 * plain loop over global arrays. */
__attribute__((noinline)) static void saxpy(float a)
{
    for (int i = 0; i < N; i++)
        fy[i] = a * fx[i] + fy[i];
}
__attribute__((noinline)) static void daxpy(double a)
{
    for (int i = 0; i < N; i++)
        dy[i] = a * dx[i] + dy[i];
}
__attribute__((noinline)) static int32_t dot16(void)
{
    /* Wraps around on purpose: summed unsigned, as signed overflow is UB
     * (the guest's SIMD adds wrap the same way). */
    uint32_t s = 0;
    for (int i = 0; i < N; i++)
        s += (uint32_t)(hx[i] * hy[i]);
    return (int32_t)s;
}
__attribute__((noinline)) static int64_t dot32(void)
{
    uint64_t s = 0; /* wraps, as dot16 */
    for (int i = 0; i < N; i++)
        s += (uint64_t)((int64_t)ix[i] * iy[i]);
    return (int64_t)s;
}
/* Float dot product with four explicit lane sums: every lane adds in the
 * source order, so vector and scalar evaluation give the same bits. */
__attribute__((noinline)) static float dotf(void)
{
    float s[4] = {0, 0, 0, 0};
    for (int i = 0; i < N; i += 4)
        for (int k = 0; k < 4; k++)
            s[k] += fx[i + k] * fy[i + k];
    return (s[0] + s[1]) + (s[2] + s[3]);
}
__attribute__((noinline)) static double dotd(void)
{
    double s[2] = {0, 0};
    for (int i = 0; i < N; i += 2)
        for (int k = 0; k < 2; k++)
            s[k] += dx[i + k] * dy[i + k];
    return s[0] + s[1];
}
__attribute__((noinline)) static void fmul_arrays(void)
{
    for (int i = 0; i < N; i++) {
        fz[i] = fx[i] * fy[i] - fx[i] / (fy[i] + 3.0f);
        dz[i] = dx[i] * dy[i] - dx[i] / (dy[i] + 3.0);
    }
}
/* Byte histogram as 16 counting passes (the vectorisable form). */
__attribute__((noinline)) static void histogram(uint32_t hist[16])
{
    for (int v = 0; v < 16; v++) {
        uint32_t c = 0;
        for (int i = 0; i < N; i++)
            c += (bx[i] & 15) == v;
        hist[v] = c;
    }
}
__attribute__((noinline)) static uint64_t minmax(void)
{
    int32_t mn = INT32_MAX, mx = INT32_MIN;
    uint8_t bmax = 0, bmin = 255;
    int16_t hmax = INT16_MIN;
    for (int i = 0; i < N; i++) {
        mn = ix[i] < mn ? ix[i] : mn;
        mx = ix[i] > mx ? ix[i] : mx;
    }
    for (int i = 0; i < N; i++) {
        bmax = bx[i] > bmax ? bx[i] : bmax;
        bmin = bx[i] < bmin ? bx[i] : bmin;
    }
    for (int i = 0; i < N; i++)
        hmax = hx[i] > hmax ? hx[i] : hmax;
    return (uint64_t)(uint32_t)mn ^ (uint64_t)(uint32_t)mx << 32 ^ (uint64_t)bmax << 8 ^ bmin ^
           (uint64_t)(uint16_t)hmax << 40;
}
/* String-like scans: ASCII lower-casing, control characters, spaces. */
__attribute__((noinline)) static uint32_t bytescan(void)
{
    uint32_t ctl = 0, sp = 0;
    for (int i = 0; i < N; i++)
        bz[i] = (by[i] >= 'A' && by[i] <= 'Z') ? by[i] + 32 : by[i];
    for (int i = 0; i < N; i++) {
        ctl += by[i] < 0x20;
        sp += by[i] == ' ';
    }
    return ctl << 16 | sp;
}
__attribute__((noinline)) static void widen(void)
{
    for (int i = 0; i < N; i++)
        iz[i] = hx[i] * hy[i];
    for (int i = 0; i < N; i++)
        uz[i] = (uint16_t)(bx[i] * by[i]);
    for (int i = 0; i < N; i++)
        lz[i] = (int64_t)ix[i] * iy[i];
}
__attribute__((noinline)) static uint64_t shifts(int n)
{
    uint64_t h = 0;
    for (int i = 0; i < N; i++)
        iz[i] = (int32_t)((uint32_t)(ix[i] >> 3) + ((uint32_t)iy[i] >> 5) + ((uint32_t)ix[i] << 2)); /* wraps */
    h ^= fnv(iz, sizeof(iz));
    for (int i = 0; i < N; i++)
        iz[i] = ix[i] >> (iy[i] & 31);
    h ^= fnv(iz, sizeof(iz)) * 3;
    for (int i = 0; i < N; i++)
        bz[i] = (uint8_t)(bx[i] >> n | by[i] << (8 - n));
    h ^= fnv(bz, sizeof(bz)) * 5;
    return h;
}
__attribute__((noinline)) static uint64_t conversions(void)
{
    uint64_t h = 0;
    for (int i = 0; i < N; i++)
        fz[i] = (float)ix[i];
    h ^= fnv(fz, sizeof(fz));
    for (int i = 0; i < N; i++)
        iz[i] = (int32_t)(fx[i] * 1000.0f);
    h ^= fnv(iz, sizeof(iz)) * 3;
    for (int i = 0; i < N; i++)
        dz[i] = (double)hx[i] * 0.5;
    h ^= fnv(dz, sizeof(dz)) * 5;
    for (int i = 0; i < N; i++)
        lz[i] = (int64_t)(dx[i] * 1e6);
    h ^= fnv(lz, sizeof(lz)) * 7;
    for (int i = 0; i < N; i++)
        fz[i] = (float)dx[i];
    h ^= fnv(fz, sizeof(fz)) * 11;
    for (int i = 0; i < N; i++)
        dz[i] = (double)fx[i];
    h ^= fnv(dz, sizeof(dz)) * 13;
    for (int i = 0; i < N; i++)
        fz[i] = (float)bx[i];
    h ^= fnv(fz, sizeof(fz)) * 17;
    return h;
}

int main(void)
{
    static const char text[] = "The Quick brown FOX jumps\tover the LAZY dog.\r\n";
    for (int i = 0; i < N; i++) {
        int32_t r = (int32_t)rnd();
        fx[i] = (float)((r & 0xffff) - 0x8000) / 256.0f;
        fy[i] = (float)(((r >> 8) & 0xffff) - 0x7000) / 1024.0f;
        dx[i] = (double)((int32_t)rnd() - 0x400000) / 3000.0;
        dy[i] = (double)((int32_t)rnd() & 0xfffff) / 7.0;
        hx[i] = (int16_t)rnd();
        hy[i] = (int16_t)rnd();
        ix[i] = (int32_t)(rnd() << 8);
        iy[i] = (int32_t)(rnd() << 8);
        bx[i] = (uint8_t)rnd();
        by[i] = (i % 7 == 3) ? (uint8_t)rnd() : (uint8_t)text[i % (sizeof(text) - 1)];
    }

    saxpy(1.75f);
    out("saxpy", fnv(fy, sizeof(fy)));
    daxpy(-0.3);
    out("daxpy", fnv(dy, sizeof(dy)));
    out("dot16", (uint32_t)dot16());
    out("dot32", (uint64_t)dot32());
    float f = dotf();
    uint32_t fb;
    __builtin_memcpy(&fb, &f, 4);
    out("dotf", fb);
    double d = dotd();
    uint64_t db;
    __builtin_memcpy(&db, &d, 8);
    out("dotd", db);
    fmul_arrays();
    out("fmul", fnv(fz, sizeof(fz)) ^ fnv(dz, sizeof(dz)) * 3);
    uint32_t hist[16];
    histogram(hist);
    out("histogram", fnv(hist, sizeof(hist)));
    out("minmax", minmax());
    out("bytescan", bytescan() ^ fnv(bz, sizeof(bz)));
    widen();
    out("widen", fnv(iz, sizeof(iz)) ^ fnv(uz, sizeof(uz)) * 3 ^ fnv(lz, sizeof(lz)) * 5);
    out("shifts", shifts(3));
    out("conversions", conversions());
    return RESULT();
}
