/* The atomic-emulation layer: exclusives through the global exclusive
 * monitor (monitor.c), load-acquire/store-release, and the LSE atomics as
 * host atomic instructions on guest RAM. Design, ordering map and costs:
 * docs/atomics.md.
 *
 * Every write done here to an armed granule goes through the slot lock, so
 * it fails other cores' reservations exactly like a plain guest store does. */
#include "atomic.h"

#include <stdlib.h>
#include <string.h>

#include "../memory/mem.h"
#include "../smp/machine.h"
#include "monitor.h"

/* DFSC values (ESR_ELx.ISS[5:0] for data aborts). */
#define DFSC_ALIGN 0x21
#define DFSC_UNSUPPORTED_EXCL 0x35 /* exclusive/atomic to memory that cannot do it (MMIO) */
#define ISS_WNR (1u << 6)
/* Flag for atomic_ptr: the access reads and writes (WnR rule). The memory
 * layer applies the same rule to translation faults (memory/mem.h). */
#define IRF_RMW_ACCESS MEM_RMW

/* The machine's monitor, created on first use when the machine setup did not
 * make one (unit tests, or before machine.c creates it at start-up). */
static Monitor *get_monitor(Machine *m)
{
    Monitor *mon = __atomic_load_n(&m->monitor, __ATOMIC_ACQUIRE);
    if (__builtin_expect(mon != NULL, 1))
        return mon;
    Monitor *fresh = monitor_create(m, 0);
    if (!fresh)
        abort();
    Monitor *expected = NULL;
    if (__atomic_compare_exchange_n(&m->monitor, &expected, fresh, false, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
        return fresh;
    monitor_destroy(fresh); /* another core won the race */
    return expected;
}

static bool raise_align(CPUState *cpu, uint64_t va, bool write)
{
    cpu_raise(cpu, EXC_DABORT, (write ? ISS_WNR : 0) | DFSC_ALIGN, va);
    return false;
}

/* Host pointer for an exclusive/atomic access of `size` (<= 16) bytes at va,
 * naturally aligned. NULL: an exception was raised. */
static void *atomic_ptr(CPUState *cpu, uint64_t va, int size, bool write, uint16_t flags, uint64_t *pa)
{
    /* mem_host_ptr only knows sizes up to 8; 16-byte pairs check here.
     * ESR.WnR for an instruction that reads and writes (LSE, CAS, CASP) is
     * 0 when a read would have faulted too, as it would for alignment; so
     * only a pure store (STXR) reports WnR = 1. */
    if (va & (uint64_t)(size - 1)) {
        raise_align(cpu, va, write && !(flags & IRF_RMW_ACCESS));
        return NULL;
    }
    int probe = size > 8 ? 8 : size;
    void *host = mem_host_ptr(cpu, va, probe, write ? ACC_WRITE : ACC_READ, flags, pa);
    if (host)
        return host;
    if (!cpu->exc_pending) /* MMIO: no exclusives or atomics there */
        cpu_raise(cpu, EXC_DABORT, (write ? ISS_WNR : 0) | DFSC_UNSUPPORTED_EXCL, va);
    return NULL;
}

static uint64_t load_sz(const void *p, int size)
{
    switch (size) {
    case 1: return __atomic_load_n((const uint8_t *)p, __ATOMIC_RELAXED);
    case 2: return __atomic_load_n((const uint16_t *)p, __ATOMIC_RELAXED);
    case 4: return __atomic_load_n((const uint32_t *)p, __ATOMIC_RELAXED);
    default: return __atomic_load_n((const uint64_t *)p, __ATOMIC_RELAXED);
    }
}

static void store_sz(void *p, int size, uint64_t v)
{
    switch (size) {
    case 1: __atomic_store_n((uint8_t *)p, (uint8_t)v, __ATOMIC_RELAXED); break;
    case 2: __atomic_store_n((uint16_t *)p, (uint16_t)v, __ATOMIC_RELAXED); break;
    case 4: __atomic_store_n((uint32_t *)p, (uint32_t)v, __ATOMIC_RELAXED); break;
    default: __atomic_store_n((uint64_t *)p, v, __ATOMIC_RELAXED); break;
    }
}

static inline uint64_t zext_sz(uint64_t v, int size)
{
    return size == 8 ? v : v & ((1ull << (8 * size)) - 1);
}

/* Owner thread. */
void atomic_clear_monitor(CPUState *cpu)
{
    cpu->excl_addr = EXCL_NONE;
    cpu->excl_vaddr = EXCL_NONE;
    cpu->excl_ver = MON_VER_INVALID;
}

/* ---- exclusives ---- */

/* Reserve [va, va+size) and read it (size 1..16); vals[1] gets bytes 8..15. */
static bool load_excl(CPUState *cpu, uint64_t va, int size, uint16_t flags, uint64_t vals[2])
{
    uint64_t pa;
    void *host = atomic_ptr(cpu, va, size, false, flags, &pa);
    if (!host)
        return false;
    Monitor *mon = get_monitor(cpu->machine);
    /* The version is read (acquire) before the data: a write that lands
     * after it changes the version and fails the STXR. */
    uint64_t ver = monitor_reserve(mon, host);
    if (ver == MON_VER_INVALID && monitor_settling(mon, host))
        cpu->excl_wait = host;
    /* This core's own later stores to the page must lock too: on one vCPU
     * the page is stable at once, before any dispatcher pass. */
    tlb_sync_armed(cpu);
    if (size == 16) {
        vals[0] = load_sz(host, 8);
        vals[1] = load_sz((uint8_t *)host + 8, 8);
    } else {
        vals[0] = load_sz(host, size);
        vals[1] = 0;
    }
    cpu->excl_addr = pa;
    cpu->excl_vaddr = va;
    cpu->excl_size = (uint32_t)size;
    cpu->excl_ver = ver;
    cpu->excl_val[0] = vals[0];
    cpu->excl_val[1] = vals[1];
    /* Acquire: TSO keeps later accesses after this load; stop the compiler. */
    atomic_signal_fence(memory_order_seq_cst);
    return true;
}

/* Store-exclusive of size 1..16 (vals[1] = bytes 8..15). *status as STXR's Ws. */
static bool store_excl(CPUState *cpu, uint64_t va, int size, uint16_t flags, const uint64_t vals[2],
                       uint64_t *status)
{
    /* Arm ARM AArch64.ExclusiveMonitorsPass: the alignment check comes
     * first; the address is translated only if the local monitor passes. */
    if (va & (uint64_t)(size - 1))
        return raise_align(cpu, va, true);
    if (cpu->excl_vaddr != va || cpu->excl_size != (uint32_t)size || (cpu->excl_ver & 1)) {
        atomic_clear_monitor(cpu);
        *status = 1;
        return true;
    }
    uint64_t pa, ver = cpu->excl_ver;
    void *host = atomic_ptr(cpu, va, size, true, flags, &pa);
    if (!host)
        return false;
    /* Same VA but another physical page since the LDXR: fail (allowed). */
    bool same_pa = pa == cpu->excl_addr;
    atomic_clear_monitor(cpu);
    Monitor *mon = get_monitor(cpu->machine);
    if (!same_pa || !monitor_trylock_version(mon, host, ver)) {
        *status = 1;
        monitor_stxr_solo(mon, host);
        return true;
    }
    if (flags & IRF_REL)
        atomic_signal_fence(memory_order_seq_cst);
    if (size == 16) {
        store_sz(host, 8, vals[0]);
        store_sz((uint8_t *)host + 8, 8, vals[1]);
    } else {
        store_sz(host, size, vals[0]);
    }
    /* Release: STLXR then LDAR must not be reordered (store->load), so a
     * release pays a full fence after the store. */
    monitor_unlock(mon, host, (flags & IRF_REL) != 0);
    monitor_stxr_solo(mon, host);
    *status = 0;
    return true;
}

/* Owner thread. */
uint64_t atomic_reserve_host(CPUState *cpu, void *host)
{
    Monitor *mon = get_monitor(cpu->machine);
    uint64_t ver = monitor_reserve(mon, host);
    if (ver == MON_VER_INVALID && monitor_settling(mon, host))
        return ATOMIC_RESERVE_WAIT; /* load_excl reserves again (no effect while settling) and waits */
    tlb_sync_armed(cpu);
    return ver;
}

/* Owner thread (the calling vCPU). */
bool atomic_load_excl(CPUState *cpu, uint64_t va, int size, uint16_t flags, uint64_t *val)
{
    uint64_t v[2];
    if (!load_excl(cpu, va, size, flags, v))
        return false;
    *val = v[0];
    return true;
}

/* Owner thread. */
bool atomic_store_excl(CPUState *cpu, uint64_t va, int size, uint16_t flags, uint64_t val, uint64_t *status)
{
    uint64_t v[2] = {val, 0};
    return store_excl(cpu, va, size, flags, v, status);
}

/* ---- load-acquire / store-release ---- */

/* Owner thread. */
bool atomic_load_acquire(CPUState *cpu, uint64_t va, int size, uint16_t flags, uint64_t *val)
{
    /* LDAR/LDAXR must be naturally aligned (alignment fault otherwise). */
    if (va & (uint64_t)(size - 1))
        return raise_align(cpu, va, false);
    if (!mem_load(cpu, va, size, flags, val))
        return false;
    /* TSO keeps load->load and load->store order: compiler barrier only. */
    atomic_signal_fence(memory_order_seq_cst);
    return true;
}

/* Owner thread. */
bool atomic_store_release(CPUState *cpu, uint64_t va, int size, uint16_t flags, uint64_t val)
{
    if (va & (uint64_t)(size - 1))
        return raise_align(cpu, va, true);
    atomic_signal_fence(memory_order_seq_cst);
    if (!mem_store(cpu, va, size, flags, val))
        return false;
    /* RCsc: a later LDAR must not pass this store (x86 store buffer). */
    atomic_thread_fence(memory_order_seq_cst);
    return true;
}

/* ---- LSE ---- */

static inline int64_t sext_sz(uint64_t v, int size)
{
    switch (size) {
    case 1: return (int8_t)v;
    case 2: return (int16_t)v;
    case 4: return (int32_t)v;
    default: return (int64_t)v;
    }
}

static uint64_t rmw_compute(enum IRRmw op, uint64_t old, uint64_t opnd, int size)
{
    switch (op) {
    case IR_RMW_ADD: return old + opnd;
    case IR_RMW_CLR: return old & ~opnd;
    case IR_RMW_EOR: return old ^ opnd;
    case IR_RMW_SET: return old | opnd;
    case IR_RMW_SMAX: return sext_sz(old, size) >= sext_sz(opnd, size) ? old : opnd;
    case IR_RMW_SMIN: return sext_sz(old, size) <= sext_sz(opnd, size) ? old : opnd;
    case IR_RMW_UMAX: return zext_sz(old, size) >= zext_sz(opnd, size) ? old : opnd;
    case IR_RMW_UMIN: return zext_sz(old, size) <= zext_sz(opnd, size) ? old : opnd;
    default: return opnd; /* SWP */
    }
}

/* One host atomic RMW of `size` bytes; returns the old value (zero-extended). */
#define RMW_CASE(T)                                                                                     \
    {                                                                                                   \
        T *p = host, o = (T)opnd;                                                                       \
        switch (op) {                                                                                   \
        case IR_RMW_ADD: return __atomic_fetch_add(p, o, __ATOMIC_SEQ_CST);                             \
        case IR_RMW_CLR: return __atomic_fetch_and(p, (T)~o, __ATOMIC_SEQ_CST);                         \
        case IR_RMW_EOR: return __atomic_fetch_xor(p, o, __ATOMIC_SEQ_CST);                             \
        case IR_RMW_SET: return __atomic_fetch_or(p, o, __ATOMIC_SEQ_CST);                              \
        case IR_RMW_SWP: return __atomic_exchange_n(p, o, __ATOMIC_SEQ_CST);                            \
        default: {                                                                                      \
            T cur = __atomic_load_n(p, __ATOMIC_RELAXED);                                               \
            while (!__atomic_compare_exchange_n(p, &cur, (T)rmw_compute(op, cur, opnd, size), false,   \
                                                __ATOMIC_SEQ_CST, __ATOMIC_RELAXED))                    \
                ;                                                                                       \
            return cur;                                                                                 \
        }                                                                                               \
        }                                                                                               \
    }

static uint64_t host_rmw(void *host, int size, enum IRRmw op, uint64_t opnd)
{
    switch (size) {
    case 1: RMW_CASE(uint8_t)
    case 2: RMW_CASE(uint16_t)
    case 4: RMW_CASE(uint32_t)
    default: RMW_CASE(uint64_t)
    }
}
#undef RMW_CASE

static uint64_t host_cas(void *host, int size, uint64_t expected, uint64_t desired)
{
    switch (size) {
    case 1: {
        uint8_t e = (uint8_t)expected;
        __atomic_compare_exchange_n((uint8_t *)host, &e, (uint8_t)desired, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
        return e;
    }
    case 2: {
        uint16_t e = (uint16_t)expected;
        __atomic_compare_exchange_n((uint16_t *)host, &e, (uint16_t)desired, false, __ATOMIC_SEQ_CST,
                                    __ATOMIC_SEQ_CST);
        return e;
    }
    case 4: {
        uint32_t e = (uint32_t)expected;
        __atomic_compare_exchange_n((uint32_t *)host, &e, (uint32_t)desired, false, __ATOMIC_SEQ_CST,
                                    __ATOMIC_SEQ_CST);
        return e;
    }
    default: {
        uint64_t e = expected;
        __atomic_compare_exchange_n((uint64_t *)host, &e, desired, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
        return e;
    }
    }
}

/* 128-bit compare-and-swap (CMPXCHG16B; host is 16-byte aligned). Returns
 * the old value in old[0..1]. Inline asm: no libatomic, no -mcx16 needed. */
static void host_cas128(void *host, const uint64_t expected[2], const uint64_t desired[2], uint64_t old[2])
{
    uint64_t lo = expected[0], hi = expected[1];
    __asm__ __volatile__("lock cmpxchg16b %2"
                         : "+a"(lo), "+d"(hi), "+m"(*(volatile unsigned __int128 *)host)
                         : "b"(desired[0]), "c"(desired[1])
                         : "memory", "cc");
    old[0] = lo;
    old[1] = hi;
}

/* Any write to RAM by an atomic: locked when the granule is armed. */
static inline bool mon_enter(Monitor *mon, void *host, int size)
{
    if (!monitor_armed(mon, host, size))
        return false;
    monitor_lock(mon, host);
    return true;
}

/* Owner thread. */
bool atomic_rmw(CPUState *cpu, uint64_t va, int size, uint16_t flags, enum IRRmw op, uint64_t operand, uint64_t *old)
{
    uint64_t pa;
    void *host = atomic_ptr(cpu, va, size, true, flags | IRF_RMW_ACCESS, &pa);
    if (!host)
        return false;
    Monitor *mon = get_monitor(cpu->machine);
    bool locked = mon_enter(mon, host, size);
    *old = zext_sz(host_rmw(host, size, op, operand), size);
    if (locked)
        monitor_unlock(mon, host, false); /* the locked RMW above is the full barrier */
    cpu->mem_locked += locked; /* towards monitor_idle_stores, as a locked store */
    return true;
}

/* Owner thread. */
bool atomic_cas(CPUState *cpu, uint64_t va, int size, uint16_t flags, uint64_t expected, uint64_t desired,
                uint64_t *old)
{
    uint64_t pa;
    void *host = atomic_ptr(cpu, va, size, true, flags | IRF_RMW_ACCESS, &pa);
    if (!host)
        return false;
    Monitor *mon = get_monitor(cpu->machine);
    bool locked = mon_enter(mon, host, size);
    *old = zext_sz(host_cas(host, size, expected, desired), size);
    if (locked)
        monitor_unlock(mon, host, false);
    cpu->mem_locked += locked;
    return true;
}

/* ---- helpers for the pair forms (cpu/helpers.def) ---- */

/* imm = element size (4 or 8) | IRF_* << 8. */
static inline int pair_esize(uint64_t imm) { return (int)(imm & 0xff); }
static inline uint16_t pair_flags(uint64_t imm) { return (uint16_t)(imm >> 8); }

/* Owner thread. LDXP/LDAXP: a = address. Returns the first register's
 * value; the second is left in cpu->tmp128[1] (read with helper_ldp_hi). */
uint64_t helper_ldxp(CPUState *cpu, uint64_t a, uint64_t b, uint64_t c, uint64_t imm)
{
    (void)b, (void)c;
    int es = pair_esize(imm);
    uint64_t v[2];
    if (!load_excl(cpu, a, 2 * es, pair_flags(imm), v))
        return 0;
    if (es == 4) {
        cpu->tmp128[1] = v[0] >> 32;
        return (uint32_t)v[0];
    }
    cpu->tmp128[1] = v[1];
    return v[0];
}

/* Owner thread. STXP/STLXP: a = address, b = first, c = second register.
 * Returns the status (0 = stored). */
uint64_t helper_stxp(CPUState *cpu, uint64_t a, uint64_t b, uint64_t c, uint64_t imm)
{
    int es = pair_esize(imm);
    uint64_t v[2], status = 1;
    if (es == 4) {
        v[0] = (uint32_t)b | c << 32;
        v[1] = 0;
    } else {
        v[0] = b;
        v[1] = c;
    }
    if (!store_excl(cpu, a, 2 * es, pair_flags(imm), v, &status))
        return 0;
    return status;
}

/* Owner thread. */
uint64_t helper_ldp_hi(CPUState *cpu, uint64_t a, uint64_t b, uint64_t c, uint64_t imm)
{
    (void)a, (void)b, (void)c, (void)imm;
    return cpu->tmp128[1];
}

static inline uint64_t xreg_or_zero(const CPUState *cpu, unsigned r) { return r == 31 ? 0 : cpu->x[r]; }

/* Owner thread. CASP: a = address, b = rs | rt << 8 (both even; r+1 may be
 * 31 = ZR). Returns the old first element; the second in cpu->tmp128[1]. */
uint64_t helper_casp(CPUState *cpu, uint64_t a, uint64_t b, uint64_t c, uint64_t imm)
{
    (void)c;
    int es = pair_esize(imm);
    unsigned rs = (unsigned)(b & 0xff), rt = (unsigned)((b >> 8) & 0xff);
    uint64_t pa;
    void *host = atomic_ptr(cpu, a, 2 * es, true, pair_flags(imm) | IRF_RMW_ACCESS, &pa);
    if (!host)
        return 0;
    Monitor *mon = get_monitor(cpu->machine);
    bool locked = mon_enter(mon, host, 2 * es);
    uint64_t lo, hi;
    if (es == 4) {
        uint64_t exp = (uint32_t)xreg_or_zero(cpu, rs) | xreg_or_zero(cpu, rs + 1) << 32;
        uint64_t des = (uint32_t)xreg_or_zero(cpu, rt) | xreg_or_zero(cpu, rt + 1) << 32;
        uint64_t old = host_cas(host, 8, exp, des);
        lo = (uint32_t)old;
        hi = old >> 32;
    } else {
        uint64_t exp[2] = {xreg_or_zero(cpu, rs), xreg_or_zero(cpu, rs + 1)};
        uint64_t des[2] = {xreg_or_zero(cpu, rt), xreg_or_zero(cpu, rt + 1)};
        uint64_t old[2];
        host_cas128(host, exp, des, old);
        lo = old[0];
        hi = old[1];
    }
    if (locked)
        monitor_unlock(mon, host, false);
    cpu->tmp128[1] = hi;
    return lo;
}

/* Owner thread. CLREX. */
uint64_t helper_clrex(CPUState *cpu, uint64_t a, uint64_t b, uint64_t c, uint64_t imm)
{
    (void)a, (void)b, (void)c, (void)imm;
    atomic_clear_monitor(cpu);
    return 0;
}
