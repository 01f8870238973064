/* Tier 1's executable memory and compile counters: one JitCode per machine
 * (interface and design in cpu/jit_code.h). */
#include "jit_code.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "../memory/hugemem.h"

#define CODE_ARENA (64u << 20)
/* Size classes: every multiple of 64 bytes up to 16 KiB (blocks are ~0.9 KiB
 * on average: power-of-two chunks wasted 41% of the arena on a Linux boot,
 * and spread the hot code over more pages), then powers of two up to 16 MiB. */
#define CODE_UNIT_SHIFT 6
#define CODE_FINE 256 /* fine classes: 64 B .. 16 KiB */
#define CODE_FINE_MAX ((size_t)CODE_FINE << CODE_UNIT_SHIFT)
#define CODE_COARSE_MIN_SHIFT 15
#define CODE_MAX_SHIFT 24
#define CODE_CLASSES (CODE_FINE + CODE_MAX_SHIFT - CODE_COARSE_MIN_SHIFT + 1)

typedef struct FreeChunk {
    struct FreeChunk *next;
} FreeChunk;

typedef struct Arena {
    void *base;
    size_t len;
} Arena;

struct JitCode {
    /* Under lock: the arena being carved, the free lists, every arena
     * mapped (for jit_code_destroy). */
    pthread_mutex_t lock;
    uint8_t *arena_cur, *arena_end;
    FreeChunk *free_list[CODE_CLASSES];
    Arena *arenas;
    size_t narenas, arenas_cap;
    /* Set at creation: the bound (0: none). Under lock: bytes of arena
     * mapped so far. */
    uint64_t limit, mapped;
    /* Set when an allocation failed for want of room (the cache flushes on it). */
    _Atomic bool exhausted;

    _Atomic uint64_t st_compiled, st_failed, st_native, st_called, st_bytes, st_loop_flags, st_lts_sites;
    _Atomic uint64_t st_called_opc[IR_NUM_OPS];
    /* FLOTILLA_JIT_DUMP, read once at creation (a getenv per compile was
     * ~0.5% of a compile worker's time); NULL: no dumps. */
    char *dump_dir;
};

JitCode *jit_code_new(uint64_t limit)
{
    JitCode *jc = calloc(1, sizeof(*jc));
    if (!jc)
        return NULL;
    pthread_mutex_init(&jc->lock, NULL);
    jc->limit = limit;
    const char *dir = getenv("FLOTILLA_JIT_DUMP");
    if (dir && !(jc->dump_dir = strdup(dir))) {
        free(jc);
        return NULL;
    }
    return jc;
}

void jit_code_destroy(JitCode *jc)
{
    if (!jc)
        return;
    for (size_t i = 0; i < jc->narenas; i++)
        hugemem_unmap(jc->arenas[i].base, jc->arenas[i].len);
    free(jc->arenas);
    free(jc->dump_dir);
    pthread_mutex_destroy(&jc->lock);
    free(jc);
}

const char *jit_code_dump_dir(const JitCode *jc)
{
    return jc ? jc->dump_dir : NULL;
}

bool jit_code_take_exhausted(JitCode *jc)
{
    return jc && atomic_load_explicit(&jc->exhausted, memory_order_relaxed) && atomic_exchange(&jc->exhausted, false);
}

/* The class of a chunk of `size` bytes, rounded up to one (its size in
 * *out); -1 if larger than any. */
static int size_class(size_t size, size_t *out)
{
    if (size <= CODE_FINE_MAX) {
        size_t units = size ? (size + (1u << CODE_UNIT_SHIFT) - 1) >> CODE_UNIT_SHIFT : 1;
        *out = units << CODE_UNIT_SHIFT;
        return (int)units - 1;
    }
    for (unsigned s = CODE_COARSE_MIN_SHIFT; s <= CODE_MAX_SHIFT; s++) {
        if (((size_t)1 << s) >= size) {
            *out = (size_t)1 << s;
            return CODE_FINE + (int)(s - CODE_COARSE_MIN_SHIFT);
        }
    }
    return -1;
}

/* Any thread, under jc->lock: put [p, p + bytes) (a multiple of 64) on the
 * free lists, as chunks that are each exactly a class's size. */
static void free_range(JitCode *jc, uint8_t *p, size_t bytes)
{
    while (bytes) {
        size_t piece = bytes <= CODE_FINE_MAX ? bytes : CODE_FINE_MAX;
        for (unsigned s = CODE_MAX_SHIFT; s >= CODE_COARSE_MIN_SHIFT && bytes > CODE_FINE_MAX; s--) {
            if (((size_t)1 << s) <= bytes) {
                piece = (size_t)1 << s;
                break;
            }
        }
        size_t sz;
        int c = size_class(piece, &sz);
        FreeChunk *f = (FreeChunk *)p;
        f->next = jc->free_list[c];
        jc->free_list[c] = f;
        p += piece;
        bytes -= piece;
    }
}

/* Any thread, under jc->lock: a chunk of class c (sz bytes) cut from a free
 * chunk of a larger class (the rest goes back to the free lists), or NULL.
 * Without it, a guest could make the cache hold chunks of one size only and
 * then ask for another: with a bounded arena nothing could be compiled any
 * more. */
static void *split_larger(JitCode *jc, int c, size_t sz)
{
    for (int k = c + 1; k < CODE_CLASSES; k++) {
        if (!jc->free_list[k])
            continue;
        uint8_t *p = (uint8_t *)jc->free_list[k];
        jc->free_list[k] = jc->free_list[k]->next;
        size_t ksz = k < CODE_FINE ? (size_t)(k + 1) << CODE_UNIT_SHIFT
                                   : (size_t)1 << (k - CODE_FINE + CODE_COARSE_MIN_SHIFT);
        free_range(jc, p + sz, ksz - sz);
        return p;
    }
    return NULL;
}

/* Any thread, under jc->lock: map a new arena of len bytes and make it the
 * current one; false (nothing changed) if it cannot be mapped or recorded. */
static bool map_arena(JitCode *jc, size_t len)
{
    if (jc->narenas == jc->arenas_cap) {
        size_t cap = jc->arenas_cap ? 2 * jc->arenas_cap : 4;
        Arena *n = realloc(jc->arenas, cap * sizeof(*n));
        if (!n)
            return false;
        jc->arenas = n;
        jc->arenas_cap = cap;
    }
    /* Huge pages where the host allows them: fewer first-write faults
     * and TLB entries for the hot blocks (docs/jit.md, "Code memory"). */
    void *a = hugemem_map(len, PROT_READ | PROT_WRITE | PROT_EXEC);
    if (!a)
        return false;
    jc->arenas[jc->narenas++] = (Arena){a, len};
    jc->arena_cur = a;
    jc->arena_end = jc->arena_cur + len;
    jc->mapped += len;
    return true;
}

void *jit_code_alloc(JitCode *jc, size_t len, uint32_t *out_size)
{
    if (!jc)
        return NULL;
    size_t sz;
    int c = size_class(len, &sz);
    if (c < 0)
        return NULL;
    void *p = NULL;
    pthread_mutex_lock(&jc->lock);
    if (jc->free_list[c]) {
        p = jc->free_list[c];
        jc->free_list[c] = jc->free_list[c]->next;
    } else if (!jc->arena_cur || (size_t)(jc->arena_end - jc->arena_cur) < sz) {
        /* The tail of the old arena is abandoned: at most one chunk. With
         * a limit, the whole bound is one arena (mapped once, backed only
         * where code is written), so all code is within rel32 reach. */
        size_t arena = jc->limit ? (size_t)jc->limit : CODE_ARENA;
        if (!jc->limit || !jc->mapped) {
            if (!map_arena(jc, arena) && !jc->arena_cur) {
                /* No code memory at all (e.g. ulimit -v): interpret; a
                 * cache flush would not help, so do not ask for one. */
                pthread_mutex_unlock(&jc->lock);
                return NULL;
            }
        }
        if (jc->arena_cur && (size_t)(jc->arena_end - jc->arena_cur) >= sz) {
            p = jc->arena_cur;
            jc->arena_cur += sz;
        } else {
            p = split_larger(jc, c, sz);
        }
    } else {
        p = jc->arena_cur;
        jc->arena_cur += sz;
    }
    pthread_mutex_unlock(&jc->lock);
    if (!p) {
        atomic_store(&jc->exhausted, true);
        return NULL;
    }
    *out_size = (uint32_t)sz;
    atomic_fetch_add_explicit(&jc->st_bytes, sz, memory_order_relaxed);
    return p;
}

void jit_code_free(JitCode *jc, void *code, uint32_t size)
{
    size_t sz;
    int c = size_class(size, &sz);
    pthread_mutex_lock(&jc->lock);
    FreeChunk *f = code;
    f->next = jc->free_list[c];
    jc->free_list[c] = f;
    pthread_mutex_unlock(&jc->lock);
    atomic_fetch_sub_explicit(&jc->st_bytes, size, memory_order_relaxed);
}

void jit_code_count(JitCode *jc, bool ok, uint64_t native, uint64_t called, const uint32_t *called_opc,
                    bool loop_flags, uint32_t lts_sites)
{
    if (!jc)
        return;
    if (!ok) {
        atomic_fetch_add_explicit(&jc->st_failed, 1, memory_order_relaxed);
        return;
    }
    atomic_fetch_add_explicit(&jc->st_native, native, memory_order_relaxed);
    atomic_fetch_add_explicit(&jc->st_called, called, memory_order_relaxed);
    for (int i = 0; i < IR_NUM_OPS; i++)
        if (called_opc[i])
            atomic_fetch_add_explicit(&jc->st_called_opc[i], called_opc[i], memory_order_relaxed);
    atomic_fetch_add_explicit(&jc->st_compiled, 1, memory_order_relaxed);
    if (loop_flags)
        atomic_fetch_add_explicit(&jc->st_loop_flags, 1, memory_order_relaxed);
    if (lts_sites)
        atomic_fetch_add_explicit(&jc->st_lts_sites, lts_sites, memory_order_relaxed);
}

void jit_get_stats(JitCode *jc, JitStats *s)
{
    memset(s, 0, sizeof(*s));
    if (!jc)
        return;
    s->blocks_compiled = atomic_load(&jc->st_compiled);
    s->blocks_failed = atomic_load(&jc->st_failed);
    s->loop_flags = atomic_load(&jc->st_loop_flags);
    s->lts_sites = atomic_load(&jc->st_lts_sites);
    s->ops_native = atomic_load(&jc->st_native);
    s->ops_called = atomic_load(&jc->st_called);
    s->code_bytes = atomic_load(&jc->st_bytes);
    for (int i = 0; i < IR_NUM_OPS; i++)
        s->ops_called_by_opc[i] = atomic_load_explicit(&jc->st_called_opc[i], memory_order_relaxed);
}
