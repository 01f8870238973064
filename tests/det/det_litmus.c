/* Litmus tests for -det weak=on (and the default mode): every shape runs
 * LITMUS_ITERS times on -smp N (cores that a shape does not use only meet
 * the barriers; shapes with more threads than cores are skipped). Per shape the program prints
 *     LITMUS <name> <verdict> seen=<times the interesting outcome showed> of=<runs>
 * and exits 1 if an outcome the Arm model forbids showed. Which allowed
 * outcomes must show is decided by the host (det_check.py litmus), from
 * the table in docs/determinism.md.
 *
 * Verdicts (the "interesting" outcome of each shape, Allowed or Forbidden
 * on ARMv8-A): herd7's AArch64 model (aarch64.cat, the Arm ARM's
 * B2.3 "Definition of the Armv8 memory model" in executable form) as
 * listed in the diy/herd litmus catalogue (Alglave, Maranget et al.) and
 * Pulte et al., "Simplifying ARM concurrency", POPL 2018. Each shape's
 * comment gives its standard name. */
#include "mp.h"

#ifndef LITMUS_ITERS
#define LITMUS_ITERS 2000
#endif

static volatile uint64_t X, Y, Z;
static volatile uint64_t res[4][2];

typedef void (*thread_fn)(int core);

typedef struct Shape {
    const char *name;
    int nthreads;
    thread_fn th[4];
    int (*weak)(void);   /* 1: the interesting outcome showed */
    int forbidden;       /* 1: Arm forbids it */
} Shape;

#define P "r"(&X), "r"(&Y), "r"(&Z)
#define T(fn, code)                                                                              \
    static void fn(int core)                                                                     \
    {                                                                                            \
        uint64_t a = 0, b = 0;                                                                   \
        __asm__ volatile(code : [a] "=&r"(a), [b] "=&r"(b) : [x] "r"(&X), [y] "r"(&Y), [z] "r"(&Z) \
                         : "x9", "x10", "memory", "cc");                                         \
        res[core][0] = a;                                                                        \
        res[core][1] = b;                                                                        \
    }

/* ---- SB: store buffering. P0: x=1; r0=y | P1: y=1; r1=x. r0=0, r1=0? ---- */
T(sb0, "mov x9,#1\n str x9,[%[x]]\n ldr %[a],[%[y]]")
T(sb1, "mov x9,#1\n str x9,[%[y]]\n ldr %[a],[%[x]]")
T(sbd0, "mov x9,#1\n str x9,[%[x]]\n dmb sy\n ldr %[a],[%[y]]")
T(sbd1, "mov x9,#1\n str x9,[%[y]]\n dmb sy\n ldr %[a],[%[x]]")
T(sbra0, "mov x9,#1\n stlr x9,[%[x]]\n ldar %[a],[%[y]]")
T(sbra1, "mov x9,#1\n stlr x9,[%[y]]\n ldar %[a],[%[x]]")
T(sbst0, "mov x9,#1\n str x9,[%[x]]\n dmb st\n ldr %[a],[%[y]]")
T(sbst1, "mov x9,#1\n str x9,[%[y]]\n dmb st\n ldr %[a],[%[x]]")
static int sb_w(void) { return res[0][0] == 0 && res[1][0] == 0; }

/* ---- MP: message passing. P0: x=1; y=1 | P1: r0=y; r1=x. r0=1, r1=0? ---- */
T(mp0, "mov x9,#1\n str x9,[%[x]]\n str x9,[%[y]]")
T(mp1, "ldr %[a],[%[y]]\n ldr %[b],[%[x]]")
T(mpst0, "mov x9,#1\n str x9,[%[x]]\n dmb st\n str x9,[%[y]]")
T(mpld1, "ldr %[a],[%[y]]\n dmb ld\n ldr %[b],[%[x]]")
T(mpsy0, "mov x9,#1\n str x9,[%[x]]\n dmb sy\n str x9,[%[y]]")
T(mpaddr1, "ldr %[a],[%[y]]\n eor x9,%[a],%[a]\n ldr %[b],[%[x],x9]")
T(mprel0, "mov x9,#1\n str x9,[%[x]]\n stlr x9,[%[y]]")
T(mpacq1, "ldar %[a],[%[y]]\n ldr %[b],[%[x]]")
T(mpctrlisb1, "ldr %[a],[%[y]]\n cbz %[a],1f\n 1: isb\n ldr %[b],[%[x]]")
static int mp_w(void) { return res[1][0] == 1 && res[1][1] == 0; }

/* ---- 2+2W. P0: x=1; y=2 | P1: y=1; x=2. final x=1, y=1? ---- */
T(w0, "mov x9,#1\n mov x10,#2\n str x9,[%[x]]\n str x10,[%[y]]")
T(w1, "mov x9,#1\n mov x10,#2\n str x9,[%[y]]\n str x10,[%[x]]")
T(wst0, "mov x9,#1\n mov x10,#2\n str x9,[%[x]]\n dmb st\n str x10,[%[y]]")
T(wst1, "mov x9,#1\n mov x10,#2\n str x9,[%[y]]\n dmb st\n str x10,[%[x]]")
T(wrel0, "mov x9,#1\n mov x10,#2\n str x9,[%[x]]\n stlr x10,[%[y]]")
T(wrel1, "mov x9,#1\n mov x10,#2\n str x9,[%[y]]\n stlr x10,[%[x]]")
static int w22_w(void) { return X == 1 && Y == 1; }

/* ---- R. P0: x=1; y=1 | P1: y=2; r0=x. final y=2, r0=0? ---- */
T(r0, "mov x9,#1\n str x9,[%[x]]\n str x9,[%[y]]")
T(r1, "mov x9,#2\n str x9,[%[y]]\n ldr %[a],[%[x]]")
T(rd0, "mov x9,#1\n str x9,[%[x]]\n dmb sy\n str x9,[%[y]]")
T(rd1, "mov x9,#2\n str x9,[%[y]]\n dmb sy\n ldr %[a],[%[x]]")
static int r_w(void) { return Y == 2 && res[1][0] == 0; }

/* ---- S. P0: x=2; y=1 | P1: r0=y; x=1. r0=1, final x=2? ---- */
T(s0, "mov x9,#2\n mov x10,#1\n str x9,[%[x]]\n str x10,[%[y]]")
T(s1, "ldr %[a],[%[y]]\n mov x9,#1\n str x9,[%[x]]")
T(sst0, "mov x9,#2\n mov x10,#1\n str x9,[%[x]]\n dmb st\n str x10,[%[y]]")
T(sdata1, "ldr %[a],[%[y]]\n eor x9,%[a],%[a]\n add x9,x9,#1\n str x9,[%[x]]")
static int s_w(void) { return res[1][0] == 1 && X == 2; }

/* ---- LB. P0: r0=x; y=1 | P1: r1=y; x=1. r0=1, r1=1? ---- */
T(lb0, "ldr %[a],[%[x]]\n mov x9,#1\n str x9,[%[y]]")
T(lb1, "ldr %[a],[%[y]]\n mov x9,#1\n str x9,[%[x]]")
T(lbd0, "ldr %[a],[%[x]]\n eor x9,%[a],%[a]\n add x9,x9,#1\n str x9,[%[y]]")
T(lbd1, "ldr %[a],[%[y]]\n eor x9,%[a],%[a]\n add x9,x9,#1\n str x9,[%[x]]")
T(lbc0, "ldr %[a],[%[x]]\n cbz %[a],1f\n 1: mov x9,#1\n str x9,[%[y]]")
T(lbc1, "ldr %[a],[%[y]]\n cbz %[a],1f\n 1: mov x9,#1\n str x9,[%[x]]")
static int lb_w(void) { return res[0][0] == 1 && res[1][0] == 1; }

/* ---- coherence ---- */
/* CoRR: P0: x=1 | P1: r0=x; r1=x. r0=1, r1=0? */
T(corr0, "mov x9,#1\n str x9,[%[x]]")
T(corr1, "ldr %[a],[%[x]]\n ldr %[b],[%[x]]")
static int corr_w(void) { return res[1][0] == 1 && res[1][1] == 0; }
/* CoWW: P0: x=1; x=2. final x=1? */
T(coww0, "mov x9,#1\n mov x10,#2\n str x9,[%[x]]\n str x10,[%[x]]")
static int coww_w(void) { return X == 1; }
/* CoRW2: P0: r0=x; x=1 | P1: x=2. r0=2, final x=2? */
T(corw0, "ldr %[a],[%[x]]\n mov x9,#1\n str x9,[%[x]]")
T(corw1, "mov x9,#2\n str x9,[%[x]]")
static int corw_w(void) { return res[0][0] == 2 && X == 2; }
/* CoWR: P0: x=1; r0=x | P1: x=2. r0=2, final x=1? */
T(cowr0, "mov x9,#1\n str x9,[%[x]]\n ldr %[a],[%[x]]")
static int cowr_w(void) { return res[0][0] == 2 && X == 1; }
/* own store forwarding (CoWR on one core): P0: x=1; r0=x. r0=0? */
static int fwd_w(void) { return res[0][0] == 0; }

/* ---- three and four threads ---- */
/* WRC: P0: x=1 | P1: r0=x; y=1 | P2: r1=y; r2=x. r0=1, r1=1, r2=0? */
T(wrc1, "ldr %[a],[%[x]]\n mov x9,#1\n str x9,[%[y]]")
T(wrc2, "ldr %[a],[%[y]]\n ldr %[b],[%[x]]")
T(wrcd1, "ldr %[a],[%[x]]\n dmb sy\n mov x9,#1\n str x9,[%[y]]")
T(wrca2, "ldr %[a],[%[y]]\n eor x9,%[a],%[a]\n ldr %[b],[%[x],x9]")
static int wrc_w(void) { return res[1][0] == 1 && res[2][0] == 1 && res[2][1] == 0; }
/* IRIW+addrs: P0: x=1 | P1: y=1 | P2: r0=x; addr r1=y | P3: r2=y; addr r3=x.
 * r0=1, r1=0, r2=1, r3=0? (the two readers disagree on the order) */
T(iriw1, "mov x9,#1\n str x9,[%[y]]")
T(iriw2, "ldr %[a],[%[x]]\n eor x9,%[a],%[a]\n ldr %[b],[%[y],x9]")
T(iriw3, "ldr %[a],[%[y]]\n eor x9,%[a],%[a]\n ldr %[b],[%[x],x9]")
static int iriw_w(void) { return res[2][0] == 1 && res[2][1] == 0 && res[3][0] == 1 && res[3][1] == 0; }

/* ---- atomics keep their semantics: 8 increments per core, 2 cores ---- */
T(ldadd, "mov x9,#1\n mov x10,#8\n 1: ldadd x9,xzr,[%[z]]\n subs x10,x10,#1\n b.ne 1b")
T(llsc, "mov x10,#8\n 1: ldxr x9,[%[z]]\n add x9,x9,#1\n stxr w11,x9,[%[z]]\n cbnz w11,1b\n subs x10,x10,#1\n b.ne 1b")
static int atom_w(void) { return Z != 16; }

static void llsc_wrap(int core);

static const Shape shapes[] = {
    {"SB", 2, {sb0, sb1}, sb_w, 0},
    {"SB+dmb.sys", 2, {sbd0, sbd1}, sb_w, 1},
    {"SB+rel+acq", 2, {sbra0, sbra1}, sb_w, 1},
    {"SB+dmb.sts", 2, {sbst0, sbst1}, sb_w, 0},
    {"MP", 2, {mp0, mp1}, mp_w, 0},
    {"MP+dmb.st+dmb.ld", 2, {mpst0, mpld1}, mp_w, 1},
    {"MP+dmb.sy+addr", 2, {mpsy0, mpaddr1}, mp_w, 1},
    {"MP+rel+acq", 2, {mprel0, mpacq1}, mp_w, 1},
    {"MP+dmb.sy+ctrlisb", 2, {mpsy0, mpctrlisb1}, mp_w, 1},
    {"MP+po+dmb.ld", 2, {mp0, mpld1}, mp_w, 0},
    {"MP+dmb.st+po", 2, {mpst0, mp1}, mp_w, 0},
    {"2+2W", 2, {w0, w1}, w22_w, 0},
    {"2+2W+dmb.sts", 2, {wst0, wst1}, w22_w, 1},
    {"2+2W+rels", 2, {wrel0, wrel1}, w22_w, 1},
    {"R", 2, {r0, r1}, r_w, 0},
    {"R+dmb.sys", 2, {rd0, rd1}, r_w, 1},
    {"S", 2, {s0, s1}, s_w, 0},
    {"S+dmb.st+data", 2, {sst0, sdata1}, s_w, 1},
    {"LB", 2, {lb0, lb1}, lb_w, 0},
    {"LB+datas", 2, {lbd0, lbd1}, lb_w, 1},
    {"LB+ctrls", 2, {lbc0, lbc1}, lb_w, 1},
    {"CoRR", 2, {corr0, corr1}, corr_w, 1},
    {"CoWW", 1, {coww0}, coww_w, 1},
    {"CoRW2", 2, {corw0, corw1}, corw_w, 1},
    {"CoWR", 2, {cowr0, corw1}, cowr_w, 1},
    {"CoWR-own", 1, {cowr0}, fwd_w, 1},
    {"WRC", 3, {corr0, wrc1, wrc2}, wrc_w, 0},
    {"WRC+dmb.sy+addr", 3, {corr0, wrcd1, wrca2}, wrc_w, 1},
    {"IRIW+addrs", 4, {corr0, iriw1, iriw2, iriw3}, iriw_w, 1},
    {"LDADD-count", 2, {ldadd, ldadd}, atom_w, 1},
    {"LDXR/STXR-count", 2, {llsc_wrap, llsc_wrap}, atom_w, 1},
};
#define NSHAPES ((int)(sizeof(shapes) / sizeof(shapes[0])))

static void llsc_wrap(int core) { llsc(core); }

static int ncores; /* cores started; shapes with more threads are skipped */
static uint32_t seen[NSHAPES];

static void run_all(int core)
{
    while (__atomic_load_n(&ncores, __ATOMIC_ACQUIRE) == 0)
        mp_wfe();
    for (int s = 0; s < NSHAPES; s++) {
        const Shape *sh = &shapes[s];
        if (sh->nthreads > ncores)
            continue;
        for (int it = 0; it < LITMUS_ITERS; it++) {
            mp_barrier(ncores);
            if (core < sh->nthreads)
                sh->th[core](core);
            mp_barrier(ncores);
            if (core == 0) {
                seen[s] += (uint32_t)sh->weak();
                X = Y = Z = 0;
                for (int i = 0; i < 4; i++)
                    res[i][0] = res[i][1] = 0;
            }
        }
    }
}

int main(void)
{
    ncores = 0;
    int n = mp_start(run_all);
    ncores = n; /* the others wait at the first barrier until this is set */
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    mp_sev();
    run_all(0);
    mp_join(n);
    int bad = 0;
    for (int s = 0; s < NSHAPES; s++) {
        if (shapes[s].nthreads > n)
            continue;
        guest_puts("LITMUS ");
        guest_puts(shapes[s].name);
        guest_puts(shapes[s].forbidden ? " forbidden seen=" : " allowed seen=");
        guest_put_dec(seen[s]);
        guest_puts(" of=");
        guest_put_dec(LITMUS_ITERS);
        guest_puts("\n");
        bad += shapes[s].forbidden && seen[s];
    }
    guest_puts(bad ? "LITMUS-FORBIDDEN-SEEN\n" : "LITMUS-DONE\n");
    return bad ? 1 : 0;
}
