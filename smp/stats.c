/* -stats and -progress (see stats.h). The JSON is written after every vCPU
 * thread joined, so the counters are read without races. The progress
 * thread reads insns counters while their owners write them: relaxed
 * 64-bit loads, which on the x86-64 host can be at worst one sample stale
 * (a report, not a synchronisation; TSan would flag it, so the TSan tests
 * do not use -progress). */
#define _GNU_SOURCE /* pthread_setname_np */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>
#include <x86intrin.h>

#include "../cpu/jit_x86.h"
#include "../sync/monitor.h"
#include "../sync/tcache.h"
#include "jitq.h"
#include "machine.h"
#include "options.h"
#include "stats.h"
#include "topology.h"

static const char *const exc_kind_names[EXC_NUM_KINDS] = {
    "undef", "svc", "hvc", "smc", "brk", "hlt", "dabort", "iabort", "pc_align", "sp_align",
    "sysreg_trap", "fp_trap", "illegal_state", "breakpoint", "step", "watchpoint", "irq", "fiq", "serror",
};
_Static_assert(EXC_NUM_KINDS == 19, "update exc_kind_names");

static struct {
    uint64_t start_ns;
    uint64_t start_tsc; /* the host TSC at start_ns (tsc_ns) */
    pthread_t thread;
    bool thread_running;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    bool quit;
} st = {.lock = PTHREAD_MUTEX_INITIALIZER};

static uint64_t mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static uint64_t load_relaxed(const uint64_t *p) { return __atomic_load_n(p, __ATOMIC_RELAXED); }

static void *progress_thread(void *arg)
{
    pthread_setname_np(pthread_self(), "progress"); /* for top -H, perf, gdb */
    Machine *m = arg;
    int n = m->ncpus;
    uint64_t *prev = calloc((size_t)n, sizeof(uint64_t));
    double *rate = calloc((size_t)n, sizeof(double));
    if (!prev || !rate)
        goto out;
    uint64_t t_prev = mono_ns();
    struct timespec dl;
    clock_gettime(CLOCK_MONOTONIC, &dl);
    pthread_mutex_lock(&st.lock);
    while (!st.quit) {
        dl.tv_sec += 1;
        while (!st.quit && pthread_cond_timedwait(&st.cond, &st.lock, &dl) != ETIMEDOUT)
            ;
        if (st.quit)
            break;
        uint64_t t = mono_ns();
        double dt = (double)(t - t_prev) / 1e9, total = 0;
        t_prev = t;
        for (int i = 0; i < n; i++) {
            uint64_t v = load_relaxed(&m->cpus[i]->stats.insns);
            rate[i] = (double)(v - prev[i]) / dt;
            prev[i] = v;
            total += rate[i];
        }
        /* One write per line so lines from the guest console do not split it. */
        char line[64 + 24 * 64];
        int len = snprintf(line, sizeof(line), "flotilla: %.0fs total %.1f MIPS |",
                           (double)(t - st.start_ns) / 1e9, total / 1e6);
        for (int i = 0; i < n && len < (int)sizeof(line) - 24; i++)
            len += snprintf(line + len, sizeof(line) - (size_t)len, " cpu%d %.1f", i, rate[i] / 1e6);
        if (len < (int)sizeof(line) - 1)
            line[len++] = '\n';
        pthread_mutex_unlock(&st.lock);
        if (write(STDERR_FILENO, line, (size_t)len) < 0) {
            /* stderr closed: nothing useful to do */
        }
        pthread_mutex_lock(&st.lock);
    }
    pthread_mutex_unlock(&st.lock);
out:
    free(prev);
    free(rate);
    return NULL;
}

void stats_start(Machine *m)
{
    st.start_ns = mono_ns();
    st.start_tsc = __rdtsc();
    if (!m->opt.progress)
        return;
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&st.cond, &ca);
    pthread_condattr_destroy(&ca);
    st.quit = false;
    st.thread_running = pthread_create(&st.thread, NULL, progress_thread, m) == 0;
    if (!st.thread_running)
        fprintf(stderr, "flotilla: -progress: cannot start the reporting thread\n");
}

static void json_str(FILE *f, const char *s)
{
    fputc('"', f);
    for (; s && *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            fprintf(f, "\\%c", c);
        else if (c < 0x20)
            fprintf(f, "\\u%04x", c);
        else
            fputc(c, f);
    }
    fputc('"', f);
}

/* The host CPU model from /proc/cpuinfo ("model name"), or "unknown". */
static void host_model(char *buf, size_t len)
{
    snprintf(buf, len, "unknown");
    FILE *f = fopen("/proc/cpuinfo", "r");
    if (!f)
        return;
    char line[512];
    while (fgets(line, sizeof(line), f)) {
        if (!strncmp(line, "model name", 10)) {
            char *p = strchr(line, ':');
            if (p) {
                p++;
                while (*p == ' ' || *p == '\t')
                    p++;
                p[strcspn(p, "\n")] = 0;
                snprintf(buf, len, "%s", p);
            }
            break;
        }
    }
    fclose(f);
}

/* "name": count for the nonzero entries of v[IR_NUM_OPS], by IR op name. */
static void json_op_counts(FILE *f, const uint64_t *v)
{
    bool first = true;
    fputc('{', f);
    for (int k = 0; k < IR_NUM_OPS; k++) {
        if (!v[k])
            continue;
        fprintf(f, "%s\"%s\": %llu", first ? "" : ", ", ir_op_info[k].name, (unsigned long long)v[k]);
        first = false;
    }
    fputc('}', f);
}

/* Host TSC ticks since stats_start to ns, at the rate measured over the
 * run (an invariant TSC, as x86-64 hosts have): the translate and compile
 * times are TSC spans, a clock_gettime pair each being 0.4-1% of them. */
static uint64_t tsc_ns(uint64_t ticks)
{
    const uint64_t tsc = __rdtsc() - st.start_tsc;
    return tsc ? (uint64_t)((double)ticks * (double)(mono_ns() - st.start_ns) / (double)tsc) : 0;
}

/* Tier-1 counters: the compiler's (this machine's, Machine.jit_code) and, summed over the
 * cores, how often fallback ops and memory slow paths ran. */
static void write_jit_json(Machine *m, FILE *f)
{
    JitStats js;
    jit_get_stats(m->jit_code, &js);
    uint64_t runs[IR_NUM_OPS] = {0}, mem_slow = 0, mem_refill = 0, mem_armed = 0, fp_soft = 0, excl_slow = 0,
             excl_reserve = 0, excl_locked = 0, lts_miss = 0;
    for (int i = 0; i < m->ncpus; i++) {
        const CPUStats *s = &m->cpus[i]->stats;
        for (int k = 0; k < IR_NUM_OPS; k++)
            runs[k] += s->jit.fallback[k];
        mem_slow += s->jit.mem_slow;
        mem_refill += s->jit.mem_refill;
        mem_armed += s->jit.mem_armed;
        fp_soft += s->jit.fp_soft;
        excl_slow += s->jit.excl_slow;
        excl_reserve += s->jit.excl_reserve;
        excl_locked += s->jit.excl_locked;
        lts_miss += s->jit.lts_miss;
    }
    fprintf(f, "  \"jit\": {\"blocks_compiled\": %llu, \"blocks_failed\": %llu, \"ops_native\": %llu,"
               " \"ops_called\": %llu, \"code_bytes\": %llu, \"mem_slow_paths\": %llu, \"mem_refills\": %llu,"
               " \"mem_armed_page_stores\": %llu, \"fp_soft\": %llu, \"excl_slow_paths\": %llu,"
               " \"excl_reserves\": %llu, \"excl_locked_pairs\": %llu, \"loop_flags\": %llu, \"loop_tlb_sites\": %llu,"
               " \"loop_tlb_misses\": %llu},\n",
            (unsigned long long)js.blocks_compiled, (unsigned long long)js.blocks_failed,
            (unsigned long long)js.ops_native, (unsigned long long)js.ops_called,
            (unsigned long long)js.code_bytes, (unsigned long long)mem_slow, (unsigned long long)mem_refill,
            (unsigned long long)mem_armed, (unsigned long long)fp_soft, (unsigned long long)excl_slow,
            (unsigned long long)excl_reserve, (unsigned long long)excl_locked, (unsigned long long)js.loop_flags, (unsigned long long)js.lts_sites,
            (unsigned long long)lts_miss);
    JitQueueStats qs;
    jitq_get_stats(m->jitq, &qs);
    fprintf(f, "  \"jit_workers\": {\"threads\": %llu, \"queued\": %llu, \"compiled\": %llu, \"failed\": %llu,"
               " \"dropped\": %llu, \"full\": %llu, \"wakeups\": %llu, \"boosted\": %llu, \"compile_ns\": %llu},\n",
            (unsigned long long)qs.threads, (unsigned long long)qs.queued, (unsigned long long)qs.compiled,
            (unsigned long long)qs.failed, (unsigned long long)qs.dropped, (unsigned long long)qs.full,
            (unsigned long long)qs.wakeups, (unsigned long long)qs.boosted, (unsigned long long)tsc_ns(qs.compile_tsc));
    fprintf(f, "  \"jit_fallbacks\": ");
    json_op_counts(f, runs);
    fprintf(f, ",\n  \"jit_fallback_sites\": ");
    json_op_counts(f, js.ops_called_by_opc);
    fprintf(f, ",\n");
}

/* Main thread, at exit: the translation cache's bound and what it held;
 * the host's peak RSS (what the bound is there to limit). */
static void write_tcache_json(Machine *m, FILE *f)
{
    if (!m->tcache)
        return; /* a machine without one (unit tests) */
    TCacheStats ts;
    tcache_get_stats(m->tcache, &ts);
    struct rusage ru;
    if (getrusage(RUSAGE_SELF, &ru) != 0)
        memset(&ru, 0, sizeof(ru));
    fprintf(f, "  \"tcache\": {\"limit_bytes\": %llu, \"bytes\": %llu, \"peak_bytes\": %llu, \"pending_bytes\": %llu,"
               " \"flushes\": %llu, \"flushed_bytes\": %llu, \"inserted\": %llu, \"invalidated\": %llu,"
               " \"live_blocks\": %llu, \"kept_unchanged\": %llu, \"ops_dropped\": %llu},\n",
            (unsigned long long)ts.limit, (unsigned long long)ts.bytes, (unsigned long long)ts.peak_bytes,
            (unsigned long long)ts.pending_bytes, (unsigned long long)ts.flushes,
            (unsigned long long)ts.flushed_bytes, (unsigned long long)ts.inserted,
            (unsigned long long)ts.invalidated, (unsigned long long)ts.live, (unsigned long long)ts.kept,
            (unsigned long long)ts.ops_dropped);
    fprintf(f, "  \"host_max_rss_kb\": %ld,\n", ru.ru_maxrss);
}

/* Main thread, at exit: the exclusive monitor's counters (docs/atomics.md):
 * how many plain stores found their granule armed and took the locked path. */
static void write_monitor_json(Machine *m, FILE *f)
{
    if (!m->monitor)
        return;
    const MonitorStats *ms = &m->monitor->stats;
    fprintf(f, "  \"monitor\": {\"arms\": %llu, \"page_arms\": %llu, \"page_disarms\": %llu,"
               " \"grace_periods\": %llu, \"settled_inline\": %llu, \"pages_settled_inline\": %llu,"
               " \"sweeps\": %llu, \"disarms\": %llu, \"locked_stores\": %llu, \"idle_sweeps\": %llu},\n",
            (unsigned long long)atomic_load(&ms->arms), (unsigned long long)atomic_load(&ms->page_arms),
            (unsigned long long)atomic_load(&ms->page_disarms), (unsigned long long)atomic_load(&ms->grace_periods),
            (unsigned long long)atomic_load(&ms->settled_inline), (unsigned long long)atomic_load(&ms->pages_settled_inline),
            (unsigned long long)atomic_load(&ms->sweeps), (unsigned long long)atomic_load(&ms->disarms),
            (unsigned long long)atomic_load(&ms->locked_stores), (unsigned long long)atomic_load(&ms->idle_sweeps));
}

static void write_json(Machine *m, int status, FILE *f)
{
    uint64_t wall = mono_ns() - st.start_ns;
    char model[256];
    host_model(model, sizeof(model));
    struct utsname u;
    if (uname(&u) != 0)
        memset(&u, 0, sizeof(u));
    uint64_t total_insns = 0;
    for (int i = 0; i < m->ncpus; i++)
        total_insns += m->cpus[i]->stats.insns;
    fprintf(f, "{\n  \"version\": \"flotilla %s\",\n", FLOTILLA_VERSION);
    fprintf(f, "  \"exit_status\": %d,\n  \"wall_ns\": %llu,\n", status, (unsigned long long)wall);
    fprintf(f, "  \"total_insns\": %llu,\n  \"mips\": %.3f,\n", (unsigned long long)total_insns,
            wall ? (double)total_insns / ((double)wall / 1e3) : 0.0);
    fprintf(f, "  \"machine\": {\"cores\": %d, \"ram_bytes\": %llu, \"tier\": \"%s\", \"pin\": ", m->ncpus,
            (unsigned long long)m->opt.ram_size, m->opt.tier == TIER_JIT ? "jit" : "interp");
    json_str(f, m->opt.pin ? m->opt.pin : "none");
    fprintf(f, "},\n  \"host\": {\"cpu_model\": ");
    json_str(f, model);
    fprintf(f, ", \"online_cpus\": %ld, \"kernel\": ", sysconf(_SC_NPROCESSORS_ONLN));
    json_str(f, u.release);
    fprintf(f, ", \"machine\": ");
    json_str(f, u.machine);
    fprintf(f, "},\n");
    write_jit_json(m, f);
    write_tcache_json(m, f);
    write_monitor_json(m, f);
    fprintf(f, "  \"cpus\": [\n");
    for (int i = 0; i < m->ncpus; i++) {
        const CPUStats *s = &m->cpus[i]->stats;
        fprintf(f, "    {\"index\": %d, \"insns\": %llu, \"blocks_dispatched\": %llu, \"blocks_translated\": %llu,"
                   " \"loop_traces\": %llu, \"translate_ns\": %llu,\n", i, (unsigned long long)s->insns,
                (unsigned long long)s->blocks_dispatched, (unsigned long long)s->blocks_translated,
                (unsigned long long)s->loop_traces, (unsigned long long)tsc_ns(s->translate_tsc));
        fprintf(f, "     \"blocks_interpreted\": %llu, \"interp_waiting\": %llu,\n",
                (unsigned long long)s->blocks_interpreted, (unsigned long long)s->interp_waiting);
        fprintf(f, "     \"tcache_lookups\": %llu, \"tcache_misses\": %llu, \"jc_hits\": %llu,\n",
                (unsigned long long)s->tcache_lookups, (unsigned long long)s->tcache_misses,
                (unsigned long long)s->jc_hits);
        fprintf(f, "     \"tlb_misses\": %llu, \"tlb_flushes\": %llu, \"tlbi_broadcasts\": %llu, \"tlbi_skipped\": %llu,"
                   " \"host_yields\": %llu,\n",
                (unsigned long long)s->tlb_misses, (unsigned long long)s->tlb_flushes,
                (unsigned long long)s->tlbi_broadcasts, (unsigned long long)s->tlbi_skipped,
                (unsigned long long)s->host_yields);
        fprintf(f, "     \"halt_polls_woken\": %llu, \"halt_polls_slept\": %llu, \"halt_poll_ns\": %llu,\n",
                (unsigned long long)s->halt_polls_woken, (unsigned long long)s->halt_polls_slept,
                (unsigned long long)s->halt_poll_ns);
        fprintf(f, "     \"exceptions\": {");
        for (int k = 0; k < EXC_NUM_KINDS; k++)
            fprintf(f, "%s\"%s\": %llu", k ? ", " : "", exc_kind_names[k], (unsigned long long)s->exceptions[k]);
        fprintf(f, "},\n     \"undef_insns\": %llu, \"irqs_taken\": %llu, \"idle_ns\": %llu,"
                   " \"settle_wait_ns\": %llu, \"safepoint_wait_ns\": %llu,\n",
                (unsigned long long)s->undef_insns, (unsigned long long)s->irqs_taken,
                (unsigned long long)s->idle_ns, (unsigned long long)s->settle_wait_ns,
                (unsigned long long)s->safepoint_wait_ns);
        fprintf(f, "     \"host_cpu\": %d", s->host_cpu);
        if (m->placement)
            fprintf(f, ", \"host_core\": %d, \"host_package\": %d", m->placement[i].core,
                    m->placement[i].package);
        fprintf(f, "}%s\n", i + 1 < m->ncpus ? "," : "");
    }
    fprintf(f, "  ]\n}\n");
}

/* Boots before a PSCI reboot are kept for the final file up to this much
 * JSON; a guest that reboots without end only has them counted after. */
#define PREV_BOOTS_MAX (256u << 10)

void stats_finish(Machine *m, int status)
{
    if (st.thread_running) {
        pthread_mutex_lock(&st.lock);
        st.quit = true;
        pthread_cond_signal(&st.cond);
        pthread_mutex_unlock(&st.lock);
        pthread_join(st.thread, NULL);
        st.thread_running = false;
    }
    RunOutputs *out = m->opt.out;
    if (!out || !out->stats)
        return;
    char *json = NULL;
    size_t len = 0;
    FILE *ms = open_memstream(&json, &len);
    if (!ms) {
        fprintf(stderr, "flotilla: -stats: out of memory\n");
        return;
    }
    write_json(m, status, ms);
    if (fclose(ms) != 0) {
        free(json);
        fprintf(stderr, "flotilla: -stats: out of memory\n");
        return;
    }
    if (m->reboot) {
        /* Not the last boot: kept for the file written at exit. */
        char *p = out->prev_len + len + 2 <= PREV_BOOTS_MAX ? realloc(out->prev_boots, out->prev_len + len + 2) : NULL;
        if (!p) {
            out->prev_dropped++;
        } else {
            if (out->prev_len)
                p[out->prev_len++] = ',';
            memcpy(p + out->prev_len, json, len);
            out->prev_len += len;
            p[out->prev_len] = 0;
            out->prev_boots = p;
        }
        free(json);
        return;
    }
    /* The last boot's object, with the earlier boots (if any) inside it:
     * a single boot gives the same file as ever. */
    FILE *f = out->stats;
    const char *body = json;
    if (out->prev_len || out->prev_dropped) {
        fputs("{\n  \"previous_boots\": [", f);
        fwrite(out->prev_boots ? out->prev_boots : "", 1, out->prev_len, f);
        fprintf(f, "],\n  \"previous_boots_dropped\": %d,\n", out->prev_dropped);
        body = json + 2; /* past the object's "{\n" */
    }
    fputs(body, f);
    fflush(f);
    free(json);
}