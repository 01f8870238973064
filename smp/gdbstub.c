/* gdb remote stub: all-stop mode, one gdb thread per guest core (thread id
 * = core index + 1). The stub thread owns the socket. Stopping the machine
 * = REQ_DEBUG to every core, each of which parks at its next safe point in
 * gdb_vcpu_park (RCU offline and "asleep" for exclusive sections, like a
 * WFI); once all are parked the stub owns their CPUState until it resumes
 * them. Breakpoints are checked by the translator, watchpoints on the TLB
 * slow path (cpu/debug.c). Protocol coverage and design: docs/debug.md.
 * Thread rules: see gdbstub.h. */
#define _GNU_SOURCE
#include "gdbstub.h"

#include <errno.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>
#include <urcu-qsbr.h>

#include "../cpu/debug.h"
#include "../memory/ptw.h"
#include "../sync/tcache.h"
#include "gdbstub_regs.h"
#include "machine.h"
#include "workq.h"

#define GDB_MAX_BP 64
#define GDB_MAX_WP 16
#define GDB_MAX_WP_LEN 65536 /* bytes one gdb watchpoint may cover */
#define PKT_MAX 0x4000       /* our PacketSize */
#define MEM_MAX 0x1000       /* bytes per m/M packet */
#define DBG_PAGE (1ull << TLB_PAGE_BITS)

typedef struct GdbPoint {
    uint64_t addr, len;
    int type; /* Z type: 0/1 breakpoint, 2 write, 3 read, 4 access watchpoint */
} GdbPoint;

enum { ACT_STAY, ACT_CONT, ACT_STEP };

typedef struct GdbStub {
    Machine *m;
    int listen_fd, conn_fd, wake_fd;
    char *unix_path;
    pthread_t thread;
    bool thread_started;
    GdbRegs regs;

    /* park handshake (lock) */
    pthread_mutex_t lock;
    pthread_cond_t cond;
    bool stop_req;        /* every core must park */
    int nparked;
    uint64_t gen;         /* bumped at every resume */
    int nleft;            /* parks left since the last resume (weights, as nparked) */
    int *action;          /* per core, ACT_*: set by the stub before a resume */
    enum GdbStopKind stop_kind;
    int stop_cpu;         /* reporting core, -1 = none (Ctrl-C, -S) */
    uint64_t stop_addr;
    _Atomic bool quit;    /* the stub thread must end (gdb_stop) */

    /* gdb's points: changed only while every core is parked */
    GdbPoint bp[GDB_MAX_BP];
    int nbp;
    GdbPoint wp[GDB_MAX_WP];
    int nwp;
    bool bp_changed;

    _Atomic uint64_t paused_ns;
    _Atomic uint64_t stop_t0;  /* host time the machine stopped at, 0 while it runs */

    /* stub thread only */
    int g_cpu, c_cpu;     /* Hg / Hc thread (core index) */
    bool running;
    char rx[PKT_MAX + 64];
    uint8_t rbuf[4096];
    size_t rlen, rpos;
    char tx[2 * PKT_MAX + 64];
} GdbStub;

/* The -gdb device, parsed. */
typedef struct GdbDev {
    bool is_unix;
    int port;
    char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
} GdbDev;

static uint64_t mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static bool parse_dev(const char *dev, GdbDev *d)
{
    memset(d, 0, sizeof(*d));
    if (!strncmp(dev, "unix:", 5)) {
        const char *p = dev + 5;
        size_t n = strcspn(p, ",");
        if (n == 0 || n >= sizeof(d->path))
            return false;
        memcpy(d->path, p, n);
        d->is_unix = true;
        return true;
    }
    if (strncmp(dev, "tcp:", 4))
        return false;
    const char *colon = strrchr(dev + 4, ':');
    if (!colon)
        return false;
    const char *host = dev + 4;
    if (colon != host && strncmp(host, "localhost:", 10) && strncmp(host, "127.0.0.1:", 10))
        return false; /* we listen on the loopback interface only */
    char *end;
    long port = strtol(colon + 1, &end, 10);
    if (end == colon + 1 || (*end && *end != ',') || port < 1 || port > 65535)
        return false;
    d->port = (int)port;
    return true;
}

bool gdb_parse_dev(const char *dev)
{
    GdbDev d;
    if (!parse_dev(dev, &d)) {
        fprintf(stderr, "flotilla: -gdb: bad device '%s' (expected tcp::PORT, tcp:localhost:PORT or unix:PATH)\n",
                dev);
        return false;
    }
    return true;
}

/* ---------------- hooks for the vCPUs ---------------- */

bool gdb_bp_at(const Machine *m, uint64_t pc)
{
    const GdbStub *g = m->gdb;
    for (int i = 0; i < g->nbp; i++)
        if (g->bp[i].addr == pc)
            return true;
    return false;
}

bool gdb_has_wp(const Machine *m) { return m->gdb && m->gdb->nwp > 0; }

bool gdb_page_watched(const Machine *m, uint64_t vpage)
{
    const GdbStub *g = m->gdb;
    for (int i = 0; i < g->nwp; i++)
        if (g->wp[i].addr <= vpage + DBG_PAGE - 1 && g->wp[i].addr + g->wp[i].len - 1 >= vpage)
            return true;
    return false;
}

bool gdb_watch_hit(const Machine *m, uint64_t va, uint64_t size, bool write, bool rmw, uint64_t *hit)
{
    const GdbStub *g = m->gdb;
    for (int i = 0; i < g->nwp; i++) {
        const GdbPoint *w = &g->wp[i];
        bool kind = w->type == 4 || rmw || (w->type == 2 ? write : !write);
        if (kind && va <= w->addr + w->len - 1 && va + size - 1 >= w->addr) {
            *hit = va > w->addr ? va : w->addr;
            return true;
        }
    }
    return false;
}

uint64_t gdb_paused_ns(const Machine *m) { return m->gdb ? atomic_load(&m->gdb->paused_ns) : 0; }

static void notify_stub(GdbStub *g)
{
    uint64_t one = 1;
    ssize_t r = write(g->wake_fd, &one, sizeof(one));
    (void)r;
}

static void kick_all(Machine *m)
{
    for (int i = 0; i < m->ncpus; i++)
        vcpu_kick(m->cpus[i], REQ_DEBUG);
}

void gdb_vcpu_hit(CPUState *cpu, enum GdbStopKind kind, uint64_t addr)
{
    Machine *m = cpu->machine;
    GdbStub *g = m->gdb;
    if (!g)
        return;
    pthread_mutex_lock(&g->lock);
    bool first = !g->stop_req;
    if (first) {
        g->stop_req = true;
        g->stop_kind = kind;
        g->stop_cpu = cpu->index;
        g->stop_addr = addr;
    }
    pthread_mutex_unlock(&g->lock);
    kick_all(m); /* this core too: it parks at its next safe point */
}

void gdb_vcpu_park(CPUState *cpu)
{
    Machine *m = cpu->machine;
    GdbStub *g = m->gdb;
    if (!g)
        return;
    pthread_mutex_lock(&g->lock);
    if (!g->stop_req) { /* a stale request: the machine was resumed since */
        pthread_mutex_unlock(&g->lock);
        return;
    }
    /* Stopped like a sleeping core: exclusive sections and RCU grace
     * periods do not wait for it. Under -det only the baton holder runs
     * (this core): the others wait for the baton and cannot move until it
     * passes it on, so its park stops the whole machine. */
    int weight = m->det ? m->ncpus : 1;
    if (m->det && g->stop_cpu < 0)
        g->stop_cpu = cpu->index; /* a Ctrl-C stopped the holder: report it */
    vcpu_idle_begin(cpu);
    rcu_thread_offline();
    g->nparked += weight;
    if (g->nparked == m->ncpus) {
        pthread_cond_broadcast(&g->cond);
        notify_stub(g);
    }
    uint64_t seen = g->gen;
    for (;;) {
        if (g->quit || atomic_load(&m->stopping))
            break;
        if (g->gen != seen) {
            seen = g->gen;
            if (g->action[cpu->index] != ACT_STAY)
                break;
        }
        pthread_cond_wait(&g->cond, &g->lock);
    }
    g->nparked -= weight;
    g->nleft += weight;
    pthread_cond_broadcast(&g->cond); /* resume() waits for the leavers */
    pthread_mutex_unlock(&g->lock);
    rcu_thread_online();
    vcpu_idle_end(cpu);
    /* The stub may have flushed the translation cache (breakpoints
     * changed) while this core was offline: its jump cache may name freed
     * blocks, so drop it before the next lookup. */
    tlb_jc_flush(cpu);
}

/* ---------------- stop and resume (stub thread) ---------------- */

/* Ask every core to park (no-op if already asked). */
static void request_stop(GdbStub *g, enum GdbStopKind kind)
{
    pthread_mutex_lock(&g->lock);
    if (!g->stop_req) {
        g->stop_req = true;
        g->stop_kind = kind;
        g->stop_cpu = -1;
    }
    pthread_mutex_unlock(&g->lock);
    kick_all(g->m);
}

static bool all_parked(GdbStub *g)
{
    pthread_mutex_lock(&g->lock);
    bool r = g->stop_req && g->nparked == g->m->ncpus;
    pthread_mutex_unlock(&g->lock);
    return r;
}

/* Under g->lock: wait on g->cond for at most 50 ms (the loops around it
 * also watch conditions nobody signals, e.g. the machine stopping). */
static void wait_a_while(GdbStub *g)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_nsec += 50000000;
    if (ts.tv_nsec >= 1000000000) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000;
    }
    pthread_cond_timedwait(&g->cond, &g->lock, &ts);
}

/* Wait until every core has parked (false: the machine is stopping). */
static bool wait_parked(GdbStub *g)
{
    pthread_mutex_lock(&g->lock);
    while (g->nparked < g->m->ncpus && !atomic_load(&g->m->stopping)) {
        wait_a_while(g);
    }
    bool ok = g->nparked == g->m->ncpus;
    pthread_mutex_unlock(&g->lock);
    if (ok && !atomic_load(&g->stop_t0))
        atomic_store(&g->stop_t0, mono_ns());
    if (ok && g->stop_cpu >= 0)
        g->g_cpu = g->c_cpu = g->stop_cpu;
    return ok;
}

/* Resume with the per-core actions in g->action (all cores parked). */
static void resume(GdbStub *g)
{
    Machine *m = g->m;
    if (g->bp_changed) {
        /* Blocks were translated against the old breakpoint set. */
        rcu_thread_online();
        tcache_flush_all(m->tcache);
        rcu_thread_offline();
        g->bp_changed = false;
    }
    if (m->det) {
        /* -det: the schedule decides which core runs; holding some cores
         * while others run would change it. Any resume runs the machine;
         * a stepped core stops the machine after its next instruction,
         * whenever the schedule runs it (docs/debug.md). */
        bool any = false;
        for (int i = 0; i < m->ncpus; i++)
            any |= g->action[i] != ACT_STAY;
        for (int i = 0; any && i < m->ncpus; i++)
            if (g->action[i] == ACT_STAY)
                g->action[i] = ACT_CONT;
    }
    for (int i = 0; i < m->ncpus; i++) {
        CPUState *cpu = m->cpus[i];
        cpu->gdb_step = g->action[i] == ACT_STEP;
        /* The reported core goes over the breakpoint or watched access it
         * stopped at (if gdb left it in place) before either can fire again. */
        cpu->gdb_skip_bp = g->action[i] != ACT_STAY && i == g->stop_cpu &&
                           (g->stop_kind == GDB_STOP_WATCH || gdb_bp_at(m, cpu->pc));
        debug_update(cpu);
        vcpu_post(cpu, REQ_JC_FLUSH);
    }
    pthread_mutex_lock(&g->lock);
    uint64_t now = mono_ns(), t0 = atomic_load(&g->stop_t0);
    if (t0)
        atomic_fetch_add(&g->paused_ns, now - t0);
    atomic_store(&g->stop_t0, 0);
    g->stop_req = false;
    g->stop_kind = GDB_STOP_NONE;
    g->stop_cpu = -1;
    /* Wait until every core told to run has left its park: until then it
     * still counts as parked, and a stop requested at once (Ctrl-C right
     * after a continue) would look complete while that core is about to
     * run, and the stub would touch its CPUState and the actions while it
     * reads them. (Counted as leavers, not as nparked: a core may park
     * again before the others have left.) */
    int stay = 0;
    for (int i = 0; i < m->ncpus; i++)
        stay += g->action[i] == ACT_STAY;
    if (m->det)
        stay = stay == m->ncpus ? m->ncpus : 0; /* the holder's park counts for all */
    int need = g->nparked - stay;
    g->nleft = 0;
    g->gen++;
    pthread_cond_broadcast(&g->cond);
    while (g->nleft < need && !g->quit && !atomic_load(&m->stopping)) {
        wait_a_while(g);
    }
    pthread_mutex_unlock(&g->lock);
    g->running = true;
}

/* ---------------- packet I/O ---------------- */

static const char hexd[] = "0123456789abcdef";

static int hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static bool send_all(int fd, const char *p, size_t n)
{
    while (n) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return false;
        p += w;
        n -= (size_t)w;
    }
    return true;
}

static bool send_packet(GdbStub *g, const char *data, size_t n)
{
    if (n > 2 * PKT_MAX)
        n = 2 * PKT_MAX;
    uint8_t sum = 0;
    g->tx[0] = '$';
    for (size_t i = 0; i < n; i++) {
        g->tx[1 + i] = data[i];
        sum = (uint8_t)(sum + (uint8_t)data[i]);
    }
    g->tx[1 + n] = '#';
    g->tx[2 + n] = hexd[sum >> 4];
    g->tx[3 + n] = hexd[sum & 15];
    return send_all(g->conn_fd, g->tx, n + 4);
}

static bool reply(GdbStub *g, const char *s) { return send_packet(g, s, strlen(s)); }

/* Next byte from the connection: -1 on EOF/error, -2 if nothing came within
 * timeout_ms (then also when the machine stops or a stop completes). */
static int read_byte(GdbStub *g, int timeout_ms)
{
    if (g->rpos < g->rlen)
        return g->rbuf[g->rpos++];
    struct pollfd pf = {.fd = g->conn_fd, .events = POLLIN};
    int r = poll(&pf, 1, timeout_ms);
    if (r == 0 || (r < 0 && errno == EINTR))
        return -2;
    if (r < 0)
        return -1;
    ssize_t n = recv(g->conn_fd, g->rbuf, sizeof(g->rbuf), 0);
    if (n <= 0)
        return -1;
    g->rlen = (size_t)n;
    g->rpos = 1;
    return g->rbuf[0];
}

/* Read one packet into g->rx (NUL-terminated). 1: got one; 0: Ctrl-C; -1:
 * connection closed; -2: timeout. Bad checksums are NAKed and skipped. */
static int read_packet(GdbStub *g, int timeout_ms)
{
    for (;;) {
        int c = read_byte(g, timeout_ms);
        if (c < 0)
            return c;
        if (c == 3)
            return 0;
        if (c != '$')
            continue; /* acks and noise */
        size_t n = 0;
        uint8_t sum = 0;
        bool overflow = false;
        for (;;) {
            c = read_byte(g, 5000);
            if (c < 0)
                return c == -2 ? -1 : c; /* a packet cut off for 5 s: drop the connection */
            if (c == '#')
                break;
            sum = (uint8_t)(sum + (uint8_t)c);
            if (n < PKT_MAX)
                g->rx[n++] = (char)c;
            else
                overflow = true;
        }
        int h = read_byte(g, 5000), l = read_byte(g, 5000);
        if (h < 0 || l < 0)
            return -1;
        g->rx[n] = 0;
        if (hexval(h) < 0 || hexval(l) < 0 || (uint8_t)(hexval(h) << 4 | hexval(l)) != sum || overflow) {
            if (!send_all(g->conn_fd, "-", 1))
                return -1;
            continue;
        }
        if (!send_all(g->conn_fd, "+", 1))
            return -1;
        return 1;
    }
}

/* ---------------- packet handlers ---------------- */

static bool parse_hex64(const char **p, uint64_t *v)
{
    const char *s = *p;
    uint64_t x = 0;
    int n = 0;
    while (hexval(*s) >= 0) {
        if (n++ >= 16)
            return false;
        x = x << 4 | (uint64_t)hexval(*s++);
    }
    if (!n)
        return false;
    *v = x;
    *p = s;
    return true;
}

/* A thread id: -1 (all), 0 (any) or a core number + 1. */
static bool parse_tid(const char **p, int64_t *tid)
{
    if (**p == '-' && (*p)[1] == '1') {
        *p += 2;
        *tid = -1;
        return true;
    }
    uint64_t v;
    if (!parse_hex64(p, &v) || v > 0x7fffffff)
        return false;
    *tid = (int64_t)v;
    return true;
}

static bool valid_core(GdbStub *g, int64_t tid) { return tid >= 1 && tid <= g->m->ncpus; }

static void stop_reply(GdbStub *g, char *out, size_t cap)
{
    int core = g->stop_cpu >= 0 ? g->stop_cpu : g->g_cpu;
    if (g->stop_kind == GDB_STOP_WATCH) {
        const char *kind = "awatch";
        for (int i = 0; i < g->nwp; i++)
            if (g->stop_addr >= g->wp[i].addr && g->stop_addr < g->wp[i].addr + g->wp[i].len)
                kind = g->wp[i].type == 2 ? "watch" : g->wp[i].type == 3 ? "rwatch" : "awatch";
        snprintf(out, cap, "T05%s:%" PRIx64 ";thread:%x;", kind, g->stop_addr, core + 1);
    } else {
        snprintf(out, cap, "T%02xthread:%x;", g->stop_kind == GDB_STOP_SIGINT ? 2 : 5, core + 1);
    }
}

/* Guest virtual -> physical through core `cpu`'s current EL1&0 regime,
 * ignoring permissions (a debugger may read what the guest may not). */
static bool gdb_translate(CPUState *cpu, uint64_t va, uint64_t *pa)
{
    PTWResult res;
    int f = mmu_walk(cpu, va, ACC_READ, false, false, &res);
    if (f != PTW_FAULT_NONE && f != PTW_FAULT_PERMISSION)
        return false;
    *pa = res.pa;
    return true;
}

static void handle_read_mem(GdbStub *g, const char *p)
{
    uint64_t addr, len;
    if (!parse_hex64(&p, &addr) || *p++ != ',' || !parse_hex64(&p, &len) || *p) {
        reply(g, "E01");
        return;
    }
    if (len > MEM_MAX)
        len = MEM_MAX;
    CPUState *cpu = g->m->cpus[g->g_cpu];
    const size_t cap = 2 * MEM_MAX + 1;
    char buf[2 * MEM_MAX + 1];
    size_t n = 0;
    for (uint64_t done = 0; done < len;) {
        uint64_t va = addr + done, pa;
        uint64_t chunk = DBG_PAGE - (va & (DBG_PAGE - 1));
        if (chunk > len - done)
            chunk = len - done;
        uint8_t tmp[DBG_PAGE];
        if (!gdb_translate(cpu, va, &pa) || !phys_read(g->m, pa, tmp, chunk))
            break;
        for (uint64_t i = 0; i < chunk && n + 2 < cap; i++) {
            buf[n++] = hexd[tmp[i] >> 4];
            buf[n++] = hexd[tmp[i] & 15];
        }
        done += chunk;
    }
    if (!n && len) {
        reply(g, "E14"); /* EFAULT: not mapped, or not RAM */
        return;
    }
    send_packet(g, buf, n);
}

static void handle_write_mem(GdbStub *g, const char *p)
{
    uint64_t addr, len;
    if (!parse_hex64(&p, &addr) || *p++ != ',' || !parse_hex64(&p, &len) || *p++ != ':' || len > MEM_MAX ||
        strlen(p) != 2 * len) {
        reply(g, "E01");
        return;
    }
    uint8_t data[MEM_MAX];
    for (uint64_t i = 0; i < len; i++) {
        int h = hexval(p[2 * i]), l = hexval(p[2 * i + 1]);
        if (h < 0 || l < 0) {
            reply(g, "E01");
            return;
        }
        data[i] = (uint8_t)(h << 4 | l);
    }
    CPUState *cpu = g->m->cpus[g->g_cpu];
    /* Translate every page first: all or nothing. */
    uint64_t pas[MEM_MAX / DBG_PAGE + 2];
    int np = 0;
    for (uint64_t done = 0; done < len; np++) {
        uint64_t va = addr + done;
        uint64_t chunk = DBG_PAGE - (va & (DBG_PAGE - 1));
        if (chunk > len - done)
            chunk = len - done;
        if (!gdb_translate(cpu, va, &pas[np]) || !phys_ram_ptr(&g->m->pm, pas[np], chunk)) {
            reply(g, "E14");
            return;
        }
        done += chunk;
    }
    rcu_thread_online();
    np = 0;
    for (uint64_t done = 0; done < len; np++) {
        uint64_t va = addr + done;
        uint64_t chunk = DBG_PAGE - (va & (DBG_PAGE - 1));
        if (chunk > len - done)
            chunk = len - done;
        phys_write(g->m, pas[np], data + done, chunk);
        tcache_invalidate_page(g->m->tcache, pas[np]); /* it may be code */
        done += chunk;
    }
    rcu_thread_offline();
    reply(g, "OK");
}

static void handle_regs_read(GdbStub *g)
{
    CPUState *cpu = g->m->cpus[g->g_cpu];
    char buf[GDB_G_REGS * 32 + 1];
    size_t n = 0;
    for (int rn = 0; rn < GDB_G_REGS; rn++) {
        uint8_t v[16];
        int sz = gdbregs_read(&g->regs, cpu, rn, v);
        for (int i = 0; i < sz; i++) {
            buf[n++] = hexd[v[i] >> 4];
            buf[n++] = hexd[v[i] & 15];
        }
    }
    send_packet(g, buf, n);
}

static bool unhex(const char *p, uint8_t *out, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        int h = hexval(p[2 * i]), l = h >= 0 ? hexval(p[2 * i + 1]) : -1;
        if (h < 0 || l < 0)
            return false;
        out[i] = (uint8_t)(h << 4 | l);
    }
    return true;
}

static void handle_regs_write(GdbStub *g, const char *p)
{
    CPUState *cpu = g->m->cpus[g->g_cpu];
    size_t need = 0;
    for (int rn = 0; rn < GDB_G_REGS; rn++)
        need += 2 * (size_t)gdbregs_size(&g->regs, rn);
    if (strlen(p) != need) {
        reply(g, "E01");
        return;
    }
    uint8_t v[16];
    /* Validate first (cpsr may be refused), then write. */
    for (int pass = 0; pass < 2; pass++) {
        const char *q = p;
        for (int rn = 0; rn < GDB_G_REGS; rn++) {
            int sz = gdbregs_size(&g->regs, rn);
            if (!unhex(q, v, (size_t)sz)) {
                reply(g, "E01");
                return;
            }
            if (pass == 1 && !gdbregs_write(&g->regs, cpu, rn, v)) {
                reply(g, "E01");
                return;
            }
            q += 2 * sz;
        }
    }
    reply(g, "OK");
}

static void handle_reg_read(GdbStub *g, const char *p)
{
    uint64_t rn;
    uint8_t v[16];
    if (!parse_hex64(&p, &rn) || *p || rn >= (uint64_t)gdbregs_count(&g->regs)) {
        reply(g, "E01");
        return;
    }
    int sz = gdbregs_read(&g->regs, g->m->cpus[g->g_cpu], (int)rn, v);
    char buf[40];
    for (int i = 0; i < sz; i++) {
        buf[2 * i] = hexd[v[i] >> 4];
        buf[2 * i + 1] = hexd[v[i] & 15];
    }
    send_packet(g, buf, 2 * (size_t)sz);
}

static void handle_reg_write(GdbStub *g, const char *p)
{
    uint64_t rn;
    uint8_t v[16];
    if (!parse_hex64(&p, &rn) || *p++ != '=' || rn >= (uint64_t)gdbregs_count(&g->regs)) {
        reply(g, "E01");
        return;
    }
    int sz = gdbregs_size(&g->regs, (int)rn);
    if (strlen(p) != 2 * (size_t)sz || !unhex(p, v, (size_t)sz) ||
        !gdbregs_write(&g->regs, g->m->cpus[g->g_cpu], (int)rn, v)) {
        reply(g, "E01");
        return;
    }
    reply(g, "OK");
}

/* Z/z: insert or remove a breakpoint (0, 1) or watchpoint (2, 3, 4). */
static void handle_point(GdbStub *g, const char *p, bool insert)
{
    uint64_t type, addr, kind;
    if (!parse_hex64(&p, &type) || *p++ != ',' || !parse_hex64(&p, &addr) || *p++ != ',' ||
        !parse_hex64(&p, &kind) || (*p && *p != ';')) {
        reply(g, "E01");
        return;
    }
    if (type > 4) {
        reply(g, ""); /* unsupported type */
        return;
    }
    if (type <= 1) {
        if (addr & 3) {
            reply(g, "E01");
            return;
        }
        for (int i = 0; i < g->nbp; i++) {
            if (g->bp[i].addr == addr) {
                if (!insert) {
                    g->bp[i] = g->bp[--g->nbp];
                    g->bp_changed = true;
                }
                reply(g, "OK");
                return;
            }
        }
        if (insert) {
            if (g->nbp == GDB_MAX_BP) {
                reply(g, "E1c"); /* ENOSPC */
                return;
            }
            g->bp[g->nbp++] = (GdbPoint){addr, 4, (int)type};
            g->bp_changed = true;
        }
        reply(g, "OK");
        return;
    }
    if (kind == 0 || kind > GDB_MAX_WP_LEN || addr + kind - 1 < addr) {
        reply(g, "E01");
        return;
    }
    for (int i = 0; i < g->nwp; i++) {
        if (g->wp[i].addr == addr && g->wp[i].len == kind && g->wp[i].type == (int)type) {
            if (!insert)
                g->wp[i] = g->wp[--g->nwp];
            reply(g, "OK");
            return;
        }
    }
    if (insert) {
        if (g->nwp == GDB_MAX_WP) {
            reply(g, "E1c");
            return;
        }
        g->wp[g->nwp++] = (GdbPoint){addr, kind, (int)type};
    }
    reply(g, "OK"); /* debug_update at the resume refills the TLBs */
}

/* vCont;ACTION[:TID]...: the leftmost action that names a core wins. */
static bool handle_vcont(GdbStub *g, const char *p)
{
    Machine *m = g->m;
    for (int i = 0; i < m->ncpus; i++)
        g->action[i] = -1;
    while (*p == ';') {
        p++;
        int act;
        char a = *p++;
        if (a == 'c' || a == 'C')
            act = ACT_CONT;
        else if (a == 's' || a == 'S')
            act = ACT_STEP;
        else if (a == 't')
            act = ACT_STAY;
        else
            return false;
        if (a == 'C' || a == 'S') {
            uint64_t sig;
            if (!parse_hex64(&p, &sig))
                return false;
        }
        int64_t tid = -1;
        if (*p == ':') {
            p++;
            if (!parse_tid(&p, &tid) || (tid > 0 && !valid_core(g, tid)))
                return false;
        }
        if (*p && *p != ';')
            return false;
        for (int i = 0; i < m->ncpus; i++)
            if (g->action[i] < 0 && (tid <= 0 || tid == i + 1))
                g->action[i] = act;
    }
    if (*p)
        return false;
    for (int i = 0; i < m->ncpus; i++)
        if (g->action[i] < 0)
            g->action[i] = ACT_STAY;
    return true;
}

static void set_all_actions(GdbStub *g, int act, int step_core)
{
    for (int i = 0; i < g->m->ncpus; i++)
        g->action[i] = step_core >= 0 ? (i == step_core ? ACT_STEP : ACT_STAY) : act;
}

static void clear_points(GdbStub *g)
{
    if (g->nbp)
        g->bp_changed = true;
    g->nbp = 0;
    g->nwp = 0;
}

static void handle_query(GdbStub *g, const char *p)
{
    char buf[256];
    if (!strncmp(p, "qSupported", 10)) {
        snprintf(buf, sizeof(buf), "PacketSize=%x;qXfer:features:read+;vContSupported+", PKT_MAX);
        reply(g, buf);
    } else if (!strcmp(p, "qAttached")) {
        reply(g, "1");
    } else if (!strcmp(p, "qC")) {
        snprintf(buf, sizeof(buf), "QC%x", g->g_cpu + 1);
        reply(g, buf);
    } else if (!strcmp(p, "qfThreadInfo")) {
        size_t n = 0;
        char list[8 * 1024];
        list[n++] = 'm';
        for (int i = 0; i < g->m->ncpus && n + 16 < sizeof(list); i++)
            n += (size_t)snprintf(list + n, sizeof(list) - n, "%s%x", i ? "," : "", i + 1);
        send_packet(g, list, n);
    } else if (!strcmp(p, "qsThreadInfo")) {
        reply(g, "l");
    } else if (!strncmp(p, "qThreadExtraInfo,", 17)) {
        const char *q = p + 17;
        int64_t tid;
        if (!parse_tid(&q, &tid) || !valid_core(g, tid) || *q) {
            reply(g, "E01");
            return;
        }
        CPUState *cpu = g->m->cpus[tid - 1];
        char txt[64], hex[130];
        snprintf(txt, sizeof(txt), "CPU#%d EL%d", (int)tid - 1, cpu_el(cpu));
        size_t n = 0;
        for (const char *c = txt; *c; c++) {
            hex[n++] = hexd[(uint8_t)*c >> 4];
            hex[n++] = hexd[(uint8_t)*c & 15];
        }
        send_packet(g, hex, n);
    } else if (!strncmp(p, "qXfer:features:read:", 20)) {
        const char *q = p + 20;
        uint64_t off, len;
        if (strncmp(q, "target.xml:", 11)) {
            reply(g, "E00");
            return;
        }
        q += 11;
        if (!parse_hex64(&q, &off) || *q++ != ',' || !parse_hex64(&q, &len) || *q) {
            reply(g, "E01");
            return;
        }
        if (off >= g->regs.xml_len) {
            reply(g, "l");
            return;
        }
        if (len > PKT_MAX - 1)
            len = PKT_MAX - 1;
        size_t left = g->regs.xml_len - off, n = left < len ? left : len;
        char *o = malloc(n + 1);
        if (!o) {
            reply(g, "E0c");
            return;
        }
        o[0] = n < left ? 'm' : 'l';
        memcpy(o + 1, g->regs.xml + off, n); /* the XML has no $, # or } to escape */
        send_packet(g, o, n + 1);
        free(o);
    } else if (!strncmp(p, "qSymbol", 7)) {
        reply(g, "OK");
    } else {
        reply(g, "");
    }
}

/* Handle one packet while stopped. Returns false to end the session
 * (detach or kill). */
static bool handle_packet(GdbStub *g, char *p)
{
    char buf[128];
    switch (p[0]) {
    case '?':
        stop_reply(g, buf, sizeof(buf));
        reply(g, buf);
        return true;
    case 'q':
        handle_query(g, p);
        return true;
    case 'H': {
        const char *q = p + 2;
        int64_t tid;
        if ((p[1] != 'g' && p[1] != 'c') || !parse_tid(&q, &tid) || *q || (tid > 0 && !valid_core(g, tid))) {
            reply(g, "E01");
            return true;
        }
        if (tid > 0) {
            if (p[1] == 'g')
                g->g_cpu = (int)tid - 1;
            else
                g->c_cpu = (int)tid - 1;
        } else if (p[1] == 'c') {
            g->c_cpu = -1;
        }
        reply(g, "OK");
        return true;
    }
    case 'T': {
        const char *q = p + 1;
        int64_t tid;
        reply(g, parse_tid(&q, &tid) && !*q && valid_core(g, tid) ? "OK" : "E01");
        return true;
    }
    case 'g':
        if (p[1])
            reply(g, "E01");
        else
            handle_regs_read(g);
        return true;
    case 'G':
        handle_regs_write(g, p + 1);
        return true;
    case 'p':
        handle_reg_read(g, p + 1);
        return true;
    case 'P':
        handle_reg_write(g, p + 1);
        return true;
    case 'm':
        handle_read_mem(g, p + 1);
        return true;
    case 'M':
        handle_write_mem(g, p + 1);
        return true;
    case 'Z':
    case 'z':
        handle_point(g, p + 1, p[0] == 'Z');
        return true;
    case 'c':
    case 's': {
        if (p[1]) { /* an address to resume at: not supported */
            reply(g, "E01");
            return true;
        }
        int core = g->c_cpu >= 0 ? g->c_cpu : g->g_cpu;
        set_all_actions(g, ACT_CONT, p[0] == 's' ? core : -1);
        resume(g);
        return true;
    }
    case 'D':
        clear_points(g);
        set_all_actions(g, ACT_CONT, -1);
        reply(g, "OK");
        resume(g);
        return false;
    case 'k':
        machine_request_stop(g->m, 0);
        return false;
    case 'v':
        if (!strcmp(p, "vCont?")) {
            reply(g, "vCont;c;C;s;S;t");
        } else if (!strncmp(p, "vCont;", 6) || !strcmp(p, "vCont")) {
            if (!handle_vcont(g, p + 5))
                reply(g, "E01");
            else
                resume(g);
        } else if (!strncmp(p, "vKill", 5)) {
            reply(g, "OK");
            machine_request_stop(g->m, 0);
            return false;
        } else {
            reply(g, "");
        }
        return true;
    default:
        reply(g, "");
        return true;
    }
}

/* ---------------- the stub thread ---------------- */

/* Let gdb acknowledge our last reply before the socket closes (it reports
 * a broken pipe otherwise): up to 1 s. */
static void await_ack(GdbStub *g)
{
    for (int i = 0; i < 10; i++) {
        int c = read_byte(g, 100);
        if (c == '+' || c == -1)
            break;
    }
}

/* One gdb connection. Returns false if the stub should end (kill, machine stopped). */
static bool session(GdbStub *g)
{
    Machine *m = g->m;
    g->rlen = g->rpos = 0;
    g->g_cpu = 0;
    g->c_cpu = -1;
    /* gdb expects a stopped target when it attaches. */
    request_stop(g, GDB_STOP_SIGINT);
    if (!wait_parked(g))
        return false;
    g->running = false;
    for (;;) {
        if (atomic_load(&m->stopping)) { /* the guest ended: tell gdb its exit status */
            char b[16];
            snprintf(b, sizeof(b), "W%02x", m->exit_status & 0xff);
            if (reply(g, b))
                await_ack(g);
            return false;
        }
        if (atomic_load(&g->quit))
            return false;
        if (g->running) {
            struct pollfd pf[2] = {{.fd = g->conn_fd, .events = POLLIN}, {.fd = g->wake_fd, .events = POLLIN}};
            if (g->rpos < g->rlen)
                pf[0].revents = POLLIN;
            else if (poll(pf, 2, 100) < 0 && errno != EINTR)
                return true;
            if (pf[1].revents & POLLIN) {
                uint64_t v;
                ssize_t r = read(g->wake_fd, &v, sizeof(v));
                (void)r;
            }
            if (pf[0].revents & (POLLIN | POLLHUP | POLLERR)) {
                int c = read_byte(g, 0);
                if (c == -1) /* gdb went away while running: keep running */
                    goto gone;
                if (c == 3)
                    request_stop(g, GDB_STOP_SIGINT);
            }
            if (all_parked(g)) {
                if (!wait_parked(g))
                    continue;
                g->running = false;
                char b[128];
                stop_reply(g, b, sizeof(b));
                if (!reply(g, b))
                    goto gone;
            }
            continue;
        }
        int r = read_packet(g, 100);
        if (r == -2 || r == 0)
            continue; /* Ctrl-C while stopped: nothing to do */
        if (r < 0)
            goto gone;
        if (!handle_packet(g, g->rx)) {
            await_ack(g);
            return !atomic_load(&m->stopping);
        }
    }
gone:
    /* The connection dropped: detach. Breakpoints may be translated into
     * running code, so stop, drop them (resume flushes) and resume. */
    if (g->running) {
        request_stop(g, GDB_STOP_SIGINT);
        if (!wait_parked(g))
            return true;
        g->running = false;
    }
    clear_points(g);
    set_all_actions(g, ACT_CONT, -1);
    resume(g);
    return true;
}

static void *gdb_thread(void *arg)
{
    pthread_setname_np(pthread_self(), "gdbstub"); /* for top -H, perf, gdb */
    GdbStub *g = arg;
    Machine *m = g->m;
    rcu_register_thread();
    rcu_thread_offline(); /* online only around translation-cache calls */
    while (!g->quit && !atomic_load(&m->stopping)) {
        struct pollfd pf = {.fd = g->listen_fd, .events = POLLIN};
        int r = poll(&pf, 1, 100);
        if (r <= 0)
            continue;
        int fd = accept(g->listen_fd, NULL, NULL);
        if (fd < 0)
            continue;
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
        g->conn_fd = fd;
        bool go_on = session(g);
        close(fd);
        g->conn_fd = -1;
        if (!go_on)
            break;
    }
    /* Leaving: nothing may stay parked. */
    pthread_mutex_lock(&g->lock);
    g->quit = true;
    g->stop_req = false;
    pthread_cond_broadcast(&g->cond);
    pthread_mutex_unlock(&g->lock);
    rcu_thread_online();
    rcu_unregister_thread();
    return NULL;
}

static int open_listener(const GdbDev *d, char **unix_path)
{
    int fd;
    if (d->is_unix) {
        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
            return -1;
        /* Bound and listening under a temporary name, then renamed, so
         * that the path appears only once it accepts connections: a client
         * that waits for the file (the gdb tests do) was refused when it
         * came between bind and listen. */
        struct sockaddr_un sa = {.sun_family = AF_UNIX};
        const int n = snprintf(sa.sun_path, sizeof(sa.sun_path), "%s.%ld.tmp", d->path, (long)getpid());
        const bool via_tmp = n > 0 && (size_t)n < sizeof(sa.sun_path);
        if (!via_tmp)
            memcpy(sa.sun_path, d->path, strlen(d->path) + 1);
        unlink(d->path); /* a stale socket from an earlier run */
        if (via_tmp)
            unlink(sa.sun_path);
        if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 1) < 0 ||
            (via_tmp && rename(sa.sun_path, d->path) < 0)) {
            const int e = errno;
            if (via_tmp)
                unlink(sa.sun_path);
            close(fd);
            errno = e;
            return -1;
        }
        *unix_path = strdup(d->path);
        return fd;
    }
    fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)d->port)};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 1) < 0) {
        close(fd);
        return -1;
    }
    return fd;
}

bool gdb_start(Machine *m, const char *dev, bool wait)
{
    GdbDev d;
    if (!parse_dev(dev, &d)) {
        fprintf(stderr, "flotilla: -gdb: bad device '%s'\n", dev);
        return false;
    }
    GdbStub *g = calloc(1, sizeof(*g));
    if (!g)
        return false;
    g->m = m;
    g->conn_fd = -1;
    g->stop_cpu = -1;
    g->action = calloc((size_t)m->ncpus, sizeof(int));
    pthread_mutex_init(&g->lock, NULL);
    pthread_cond_init(&g->cond, NULL);
    g->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    g->listen_fd = open_listener(&d, &g->unix_path);
    if (g->listen_fd < 0 || g->wake_fd < 0 || !g->action || !gdbregs_init(&g->regs)) {
        fprintf(stderr, "flotilla: -gdb %s: cannot listen: %s\n", dev, strerror(errno));
        if (g->listen_fd >= 0)
            close(g->listen_fd);
        if (g->wake_fd >= 0)
            close(g->wake_fd);
        free(g->action);
        free(g->unix_path);
        free(g);
        return false;
    }
    m->gdb = g;
    if (wait) {
        /* -S: every core parks before its first instruction. */
        g->stop_req = true;
        g->stop_kind = GDB_STOP_NONE;
        for (int i = 0; i < m->ncpus; i++)
            vcpu_post(m->cpus[i], REQ_DEBUG);
    }
    if (pthread_create(&g->thread, NULL, gdb_thread, g) != 0) {
        fprintf(stderr, "flotilla: cannot start the gdb stub thread\n");
        return false;
    }
    g->thread_started = true;
    return true;
}

void gdb_stop(Machine *m)
{
    GdbStub *g = m->gdb;
    if (!g)
        return;
    pthread_mutex_lock(&g->lock);
    g->quit = true;
    pthread_cond_broadcast(&g->cond);
    pthread_mutex_unlock(&g->lock);
    if (g->thread_started)
        pthread_join(g->thread, NULL);
    close(g->listen_fd);
    close(g->wake_fd);
    if (g->unix_path) {
        unlink(g->unix_path);
        free(g->unix_path);
    }
    gdbregs_free(&g->regs);
    free(g->action);
    m->gdb = NULL;
    free(g);
}

uint64_t gdb_clock_ns(void *opaque)
{
    Machine *m = opaque;
    GdbStub *g = m->gdb;
    if (!g)
        return mono_ns();
    /* Stopped: the counter stands still (gdb reads CNTVCT unchanged). */
    uint64_t t0 = atomic_load(&g->stop_t0);
    return (t0 ? t0 : mono_ns()) - atomic_load(&g->paused_ns);
}
