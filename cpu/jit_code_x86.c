/* Tier 1's executable memory and compile counters: one JitCode per machine
 * (interface and design in cpu/jit_code.h). */
#include "jit_code.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define CODE_ARENA (64u << 20)
#define CODE_MIN_SHIFT 6
#define CODE_MAX_SHIFT 24
#define CODE_CLASSES (CODE_MAX_SHIFT - CODE_MIN_SHIFT + 1)

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

    _Atomic uint64_t st_compiled, st_failed, st_native, st_called, st_bytes;
    _Atomic uint64_t st_called_opc[IR_NUM_OPS];
};

JitCode *jit_code_new(uint64_t limit)
{
    JitCode *jc = calloc(1, sizeof(*jc));
    if (!jc)
        return NULL;
    pthread_mutex_init(&jc->lock, NULL);
    jc->limit = limit;
    return jc;
}

void jit_code_destroy(JitCode *jc)
{
    if (!jc)
        return;
    for (size_t i = 0; i < jc->narenas; i++)
        munmap(jc->arenas[i].base, jc->arenas[i].len);
    free(jc->arenas);
    pthread_mutex_destroy(&jc->lock);
    free(jc);
}

bool jit_code_take_exhausted(JitCode *jc)
{
    return jc && atomic_load_explicit(&jc->exhausted, memory_order_relaxed) && atomic_exchange(&jc->exhausted, false);
}

/* Any thread, under jc->lock: a chunk of class c carved out of a free chunk
 * of a larger class (the rest goes to the smaller free lists), or NULL.
 * Without it, a guest could make the cache hold chunks of one size only and
 * then ask for another: with a bounded arena nothing could be compiled any
 * more. */
static void *split_larger(JitCode *jc, unsigned c)
{
    for (unsigned k = c + 1; k < CODE_CLASSES; k++) {
        if (!jc->free_list[k])
            continue;
        uint8_t *p = (uint8_t *)jc->free_list[k];
        jc->free_list[k] = jc->free_list[k]->next;
        for (unsigned h = k; h > c; h--) {
            /* keep the lower half, free the upper one */
            FreeChunk *up = (FreeChunk *)(p + ((size_t)1 << (h - 1 + CODE_MIN_SHIFT)));
            up->next = jc->free_list[h - 1];
            jc->free_list[h - 1] = up;
        }
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
    void *a = mmap(NULL, len, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (a == MAP_FAILED)
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
    unsigned c = 0;
    while (((size_t)1 << (c + CODE_MIN_SHIFT)) < len)
        c++;
    if (c >= CODE_CLASSES)
        return NULL;
    size_t sz = (size_t)1 << (c + CODE_MIN_SHIFT);
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
            p = split_larger(jc, c);
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
    unsigned c = 0;
    while (((uint32_t)1 << (c + CODE_MIN_SHIFT)) < size)
        c++;
    pthread_mutex_lock(&jc->lock);
    FreeChunk *f = code;
    f->next = jc->free_list[c];
    jc->free_list[c] = f;
    pthread_mutex_unlock(&jc->lock);
    atomic_fetch_sub_explicit(&jc->st_bytes, size, memory_order_relaxed);
}

void jit_code_count(JitCode *jc, bool ok, uint64_t native, uint64_t called, const uint32_t *called_opc)
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
}

void jit_get_stats(JitCode *jc, JitStats *s)
{
    memset(s, 0, sizeof(*s));
    if (!jc)
        return;
    s->blocks_compiled = atomic_load(&jc->st_compiled);
    s->blocks_failed = atomic_load(&jc->st_failed);
    s->ops_native = atomic_load(&jc->st_native);
    s->ops_called = atomic_load(&jc->st_called);
    s->code_bytes = atomic_load(&jc->st_bytes);
    for (int i = 0; i < IR_NUM_OPS; i++)
        s->ops_called_by_opc[i] = atomic_load_explicit(&jc->st_called_opc[i], memory_order_relaxed);
}
