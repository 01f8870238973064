/* Command-line options, spelled as a QEMU user would guess, and -config. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../devices/devices.h"
#include "gdbstub.h"
#include "options.h"
#include "trace.h"

#define MAX_CPUS 64
#define MIN_RAM (16ull << 20)
/* The CPU reports 40 PA bits (ID_AA64MMFR0.PARange) and RAM starts at
 * 1 GiB: all of it must sit below 1 TiB to be reachable. */
#define MAX_RAM ((1ull << 40) - RAM_BASE)

bool parse_size(const char *s, uint64_t *out)
{
    char *end;
    errno = 0;
    if (!*s || *s == '-')
        return false;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || end == s)
        return false;
    uint64_t mul = 1ull << 20;
    if (*end) {
        switch (*end) {
        case 'k': case 'K': mul = 1ull << 10; break;
        case 'm': case 'M': mul = 1ull << 20; break;
        case 'g': case 'G': mul = 1ull << 30; break;
        case 't': case 'T': mul = 1ull << 40; break;
        case 'b': case 'B': mul = 1; break;
        default: return false;
        }
        if (end[1] && strcasecmp(end + 1, "iB") && strcasecmp(end + 1, "B"))
            return false;
    }
    if (v > UINT64_MAX / mul)
        return false;
    *out = v * mul;
    return true;
}

static bool parse_int(const char *s, long lo, long hi, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 0);
    if (errno || end == s || *end || v < lo || v > hi)
        return false;
    *out = v;
    return true;
}

/* A whole number for option `name` in lo..hi: false after one line on
 * stderr ("invalid <what> '<v>' (lo..hi<unit>)"). */
static bool parse_ranged(const char *name, const char *v, long lo, long hi, const char *what, const char *unit,
                         long *out)
{
    if (parse_int(v, lo, hi, out))
        return true;
    fprintf(stderr, "flotilla: %s: invalid %s '%s' (%ld..%ld%s)\n", name, what, v, lo, hi, unit);
    return false;
}

static bool set_smp(MachineOptions *opt, const char *v, const char *where)
{
    long n;
    const char *p = v;
    if (!strncmp(p, "cpus=", 5))
        p += 5;
    char buf[32];
    size_t len = strcspn(p, ",");
    if (len >= sizeof(buf))
        len = sizeof(buf) - 1;
    memcpy(buf, p, len);
    buf[len] = 0;
    if (!parse_int(buf, 1, MAX_CPUS, &n)) {
        fprintf(stderr, "flotilla: %s: invalid core count '%s' (1..%d)\n", where, v, MAX_CPUS);
        return false;
    }
    opt->smp = (int)n;
    return true;
}

static bool set_mem(MachineOptions *opt, const char *v, const char *where)
{
    uint64_t sz;
    const char *p = !strncmp(v, "size=", 5) ? v + 5 : v;
    if (!parse_size(p, &sz)) {
        fprintf(stderr, "flotilla: %s: invalid memory size '%s' (e.g. 512M, 2G)\n", where, v);
        return false;
    }
    if (sz < MIN_RAM || sz > MAX_RAM || (sz & 0xfff)) {
        fprintf(stderr, "flotilla: %s: memory size '%s' out of range (16M..1023G, 4K multiple: RAM at 1G must end "
                "below the CPU's 40-bit physical address limit)\n", where, v);
        return false;
    }
    opt->ram_size = sz;
    return true;
}

static bool set_machine(MachineOptions *opt, const char *v, const char *where)
{
    /* virt[,gic-version=2|3] */
    size_t len = strcspn(v, ",");
    if (!(len == 4 && !strncmp(v, "virt", 4))) {
        fprintf(stderr, "flotilla: %s: unknown machine '%s' (supported: virt)\n", where, v);
        return false;
    }
    for (const char *p = v + len; *p == ',';) {
        p++;
        size_t n = strcspn(p, ",");
        if (n > 12 && !strncmp(p, "gic-version=", 12)) {
            /* As QEMU spells it: 2, 3, or max (= 3 here). */
            if (n == 13 && p[12] == '3') {
                opt->gic_version = 3;
            } else if (n == 13 && p[12] == '2') {
                opt->gic_version = 2;
            } else if (n == 15 && !strncmp(p + 12, "max", 3)) {
                opt->gic_version = 3;
            } else {
                fprintf(stderr, "flotilla: %s: invalid gic-version '%.*s' (2, 3 or max)\n", where,
                        (int)(n - 12), p + 12);
                return false;
            }
        } else {
            fprintf(stderr, "flotilla: %s: unknown machine option '%.*s' (supported: gic-version=2|3|max)\n", where,
                    (int)n, p);
            return false;
        }
        p += n;
    }
    opt->machine_type = v;
    return true;
}

static bool set_cpu(MachineOptions *opt, const char *v, const char *where)
{
    static const char *const models[] = {"cortex-a57", "cortex-a53", "cortex-a72", "max", "host"};
    for (size_t i = 0; i < sizeof(models) / sizeof(models[0]); i++)
        if (!strcmp(v, models[i])) {
            opt->cpu_model = v;
            return true;
        }
    fprintf(stderr, "flotilla: %s: unknown CPU model '%s' (supported: cortex-a57, cortex-a53, cortex-a72, max)\n",
            where, v);
    return false;
}

static bool set_pin(MachineOptions *opt, const char *v, const char *where)
{
    /* The host's PU numbers are checked by smp/topology.c; an empty value
     * would otherwise fail there without a word. */
    if (!*v) {
        fprintf(stderr, "flotilla: %s: empty value (none, compact, scatter or host PU numbers like 0,2,4)\n", where);
        return false;
    }
    opt->pin = v;
    return true;
}

/* A translation cache bound: whole MiB, as QEMU's tb-size (a K/M/G suffix
 * is accepted too). At least 1 MiB; at most 64 GiB. */
static bool set_tb_size(MachineOptions *opt, const char *v, const char *where)
{
    uint64_t sz;
    if (!parse_size(v, &sz) || sz < (1ull << 20) || sz > (64ull << 30)) {
        fprintf(stderr, "flotilla: %s: invalid translation cache size '%s' (MiB, 1..65536)\n", where, v);
        return false;
    }
    opt->tb_size = sz;
    return true;
}

/* -accel NAME[,prop=value...] as QEMU spells it. Only TCG exists here (the
 * JIT and the interpreter are both TCG-like); tb-size is honoured, thread=multi
 * and the off forms of QEMU's other TCG switches are what flotilla always
 * does, anything else is refused with a reason. */
static bool set_accel(MachineOptions *opt, const char *v)
{
    size_t len = strcspn(v, ",");
    const char *name = v;
    if (len > 6 && !strncmp(v, "accel=", 6))
        name += 6;
    size_t nlen = len - (size_t)(name - v);
    if (!(nlen == 3 && !strncmp(name, "tcg", 3))) {
        static const char *const hw[] = {"kvm", "xen", "hvf", "whpx", "nvmm", "hax", "qtest"};
        for (size_t i = 0; i < sizeof(hw) / sizeof(hw[0]); i++)
            if (strlen(hw[i]) == nlen && !strncmp(name, hw[i], nlen)) {
                fprintf(stderr, "flotilla: -accel: '%.*s' is not available: flotilla runs the guest with its own "
                                "translator (-accel tcg)\n", (int)nlen, name);
                return false;
            }
        fprintf(stderr, "flotilla: -accel: unknown accelerator '%.*s' (supported: tcg)\n", (int)nlen, name);
        return false;
    }
    for (const char *p = v + len; *p == ',';) {
        p++;
        size_t n = strcspn(p, ",");
        char prop[64];
        snprintf(prop, sizeof(prop), "%.*s", (int)(n < sizeof(prop) - 1 ? n : sizeof(prop) - 1), p);
        const char *eq = strchr(prop, '=');
        const char *val = eq ? eq + 1 : "";
        size_t klen = eq ? (size_t)(eq - prop) : strlen(prop);
#define KEY(k) (klen == strlen(k) && !strncmp(prop, k, klen))
        bool ok;
        if (KEY("tb-size"))
            ok = set_tb_size(opt, val, "-accel tcg,tb-size");
        else if (KEY("thread"))
            ok = !strcmp(val, "multi") || (fprintf(stderr, "flotilla: -accel: thread=%s is not supported "
                                                           "(every core has its own thread: thread=multi)\n", val), false);
        else if (KEY("one-insn-per-tb") || KEY("split-wx"))
            ok = !strcmp(val, "off") || (fprintf(stderr, "flotilla: -accel: %.*s=%s is not supported (only off)\n",
                                                 (int)klen, prop, val), false);
        else {
            fprintf(stderr, "flotilla: -accel: unknown tcg property '%s' (supported: tb-size=MB, thread=multi)\n",
                    prop);
            ok = false;
        }
#undef KEY
        if (!ok)
            return false;
        p += n;
    }
    return true;
}

/* ---- -config files ----
 * INI as inih reads it ([section], name = value or name: value, ; and #
 * comment lines, " ;" inline comments), parsed here in place: no line
 * length limit (a long append = stays whole), the first error stops the
 * parse (a binary file gives one line, not hundreds), and values point into
 * the file's buffer, which the options own (options_free). */

#define CONFIG_MAX_BYTES (1u << 20) /* far above any machine description */

static char *trim(char *s, char *end)
{
    while (s < end && (*s == ' ' || *s == '\t'))
        s++;
    while (end > s && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r'))
        end--;
    *end = 0;
    return s;
}

/* Whether a comma-separated -d list names "help". */
static bool has_help_item(const char *list)
{
    for (const char *p = list; *p;) {
        size_t n = strcspn(p, ",");
        if (n == 4 && !strncmp(p, "help", 4))
            return true;
        p += n;
        if (*p == ',')
            p++;
    }
    return false;
}

/* One name = value of `section`; false after one line on stderr. */
static bool cfg_set(MachineOptions *opt, const char *section, const char *name, char *value, const char *where)
{
    bool ok = true;
    if (!strcmp(section, "machine")) {
        if (!strcmp(name, "cpus"))
            ok = set_smp(opt, value, where);
        else if (!strcmp(name, "memory"))
            ok = set_mem(opt, value, where);
        else if (!strcmp(name, "type"))
            ok = set_machine(opt, value, where);
        else if (!strcmp(name, "cpu"))
            ok = set_cpu(opt, value, where);
        else if (!strcmp(name, "pin"))
            ok = set_pin(opt, value, where);
        else if (!strcmp(name, "cluster_size")) {
            long n;
            ok = parse_int(value, 1, 16, &n);
            if (ok)
                opt->cluster_size = (int)n;
            else
                fprintf(stderr, "flotilla: %s: cluster_size must be 1..16, not '%s'\n", where, value);
        } else
            goto unknown;
    } else if (!strcmp(section, "boot")) {
        if (!strcmp(name, "kernel"))
            opt->kernel = value;
        else if (!strcmp(name, "initrd"))
            opt->initrd = value;
        else if (!strcmp(name, "append"))
            opt->append = value;
        else if (!strcmp(name, "semihosting")) {
            if (!strcmp(value, "on") || !strcmp(value, "true") || !strcmp(value, "1"))
                opt->semihosting = true;
            else if (!strcmp(value, "off") || !strcmp(value, "false") || !strcmp(value, "0"))
                opt->semihosting = false;
            else {
                fprintf(stderr, "flotilla: %s: semihosting must be on or off, not '%s'\n", where, value);
                ok = false;
            }
        } else
            goto unknown;
    } else if (!strcmp(section, "trace")) {
        if (!strcmp(name, "items") && has_help_item(value)) {
            /* trace_parse would print the item list and fail without a word. */
            fprintf(stderr, "flotilla: %s: 'help' only works on the command line (flotilla -d help lists the items)\n",
                    where);
            ok = false;
        } else if (!strcmp(name, "items"))
            ok = trace_parse(value, &opt->trace);
        else if (!strcmp(name, "file"))
            opt->log_file = value;
        else
            goto unknown;
    } else {
        fprintf(stderr, "flotilla: %s: unknown section [%s]\n", where, section);
        ok = false;
    }
    return ok;
unknown:
    fprintf(stderr, "flotilla: %s: unknown key '%s' in [%s]\n", where, name, section);
    return false;
}

/* Parse the NUL-terminated text of `path` in place into opt. */
static bool config_parse_text(const char *path, char *text, size_t len, MachineOptions *opt)
{
    /* Text only: a NUL or another control byte means a binary file. */
    int line = 1;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)text[i];
        if (c == '\n')
            line++;
        else if ((c < 0x20 && c != '\t' && c != '\r') || c == 0x7f) {
            fprintf(stderr, "flotilla: %s:%d: not a text file (byte 0x%02x)\n", path, line, c);
            return false;
        }
    }
    const char *section = "";
    char *p = text;
    if (len >= 3 && !memcmp(p, "\xEF\xBB\xBF", 3))
        p += 3; /* a UTF-8 byte order mark */
    for (line = 1; *p; line++) {
        char *eol = strchr(p, '\n');
        char *next = eol ? eol + 1 : p + strlen(p);
        char *s = trim(p, eol ? eol : next);
        p = next;
        if (!*s || *s == ';' || *s == '#')
            continue;
        if (*s == '[') {
            char *close = strchr(s, ']');
            if (!close) {
                fprintf(stderr, "flotilla: %s:%d: section header '%s' has no closing ']'\n", path, line, s);
                return false;
            }
            *close = 0;
            section = trim(s + 1, close);
            continue;
        }
        size_t k = strcspn(s, "=:");
        if (!s[k]) {
            fprintf(stderr, "flotilla: %s:%d: malformed line (expected name = value)\n", path, line);
            return false;
        }
        char *name = trim(s, s + k);
        char *value = s + k + 1;
        /* An inline comment needs white space before its ';', as in inih. */
        for (char *c = value; *c; c++)
            if (*c == ';' && c > value && (c[-1] == ' ' || c[-1] == '\t')) {
                *c = 0;
                break;
            }
        value = trim(value, value + strlen(value));
        char where[256];
        snprintf(where, sizeof(where), "%s:%d: [%s] %.64s", path, line, section, name);
        if (!cfg_set(opt, section, name, value, where))
            return false;
    }
    return true;
}

bool config_load(const char *path, MachineOptions *opt)
{
    if (opt->nconfig_text == OPT_MAX_CONFIGS) {
        fprintf(stderr, "flotilla: too many -config files (at most %d)\n", OPT_MAX_CONFIGS);
        return false;
    }
    uint8_t *data;
    size_t len;
    if (!load_read_file("config", path, CONFIG_MAX_BYTES, &data, &len))
        return false;
    char *text = realloc(data, len + 1);
    if (!text) {
        free(data);
        fprintf(stderr, "flotilla: out of memory reading config '%s'\n", path);
        return false;
    }
    text[len] = 0;
    /* Owned from here on, even on error: values already set point into it. */
    opt->config_text[opt->nconfig_text++] = text;
    return config_parse_text(path, text, len, opt);
}

bool options_open_outputs(MachineOptions *opt)
{
    if (!opt->log_file && !opt->stats_file)
        return true;
    opt->out = calloc(1, sizeof(*opt->out));
    if (!opt->out) {
        fprintf(stderr, "flotilla: out of memory\n");
        return false;
    }
    if (opt->log_file && !(opt->out->log = fopen(opt->log_file, "w"))) {
        fprintf(stderr, "flotilla: cannot open log file '%s': %s\n", opt->log_file, strerror(errno));
        return false;
    }
    if (opt->stats_file && !(opt->out->stats = fopen(opt->stats_file, "w"))) {
        fprintf(stderr, "flotilla: -stats: cannot write '%s': %s\n", opt->stats_file, strerror(errno));
        return false;
    }
    return true;
}

bool options_free(MachineOptions *opt)
{
    bool ok = true;
    for (int i = 0; i < opt->nconfig_text; i++)
        free(opt->config_text[i]);
    opt->nconfig_text = 0;
    if (opt->out) {
        if (opt->out->log && fclose(opt->out->log) != 0) {
            fprintf(stderr, "flotilla: error writing log file '%s'\n", opt->log_file);
            ok = false;
        }
        if (opt->out->stats && fclose(opt->out->stats) != 0) {
            fprintf(stderr, "flotilla: -stats: error writing '%s'\n", opt->stats_file);
            ok = false;
        }
        free(opt->out->prev_boots);
        free(opt->out);
        opt->out = NULL;
    }
    return ok;
}

static void usage(void)
{
    printf("usage: flotilla [options]\n"
           "  -M virt[,gic-version=2|3]  machine (only 'virt'; GICv3 by default)\n"
           "  -cpu MODEL                 CPU model (cortex-a57, cortex-a53, cortex-a72, max)\n"
           "  -smp N                     number of cores (1..%d)\n"
           "  -m SIZE                    guest RAM (K/M/G suffix, default 512M, at most 1023G)\n"
           "  -kernel FILE               ELF executable, arm64 Linux Image (gzip'd or not), else a raw kernel\n"
           "                             at RAM+0x80000 (Images and raw kernels get the DTB in x0)\n"
           "  -initrd FILE               initial ramdisk (not for ELF kernels)\n"
           "  -append STRING             kernel command line (not for ELF kernels)\n"
           "  -nic user[,hostfwd=tcp::HOSTPORT-:GUESTPORT][,mac=M]  virtio-net on user-mode networking (libslirp)\n"
           "  -netdev user,id=ID[,hostfwd=...]  a user-mode network for -device virtio-net-device,netdev=ID\n"
           "  -device virtio-rng-device | virtio-serial-device | virtconsole,chardev=ID | virtio-net-device,netdev=ID\n"
           "                             a virtio device (virtconsole: Linux's hvc0 on the -chardev ID)\n"
           "  -chardev file,id=ID,path=OUT[,input-path=IN] | null,id=ID\n"
           "                             host end of a virtconsole\n"
           "  -dtb FILE                  device tree for the kernel (its /memory and /chosen are set)\n"
           "  -drive file=IMG[,if=virtio][,format=raw][,readonly=on][,cache=MODE][,serial=S]\n"
           "                             a virtio-blk disk (raw image; repeatable, first = highest slot)\n"
           "  -config FILE               machine description (see configs/)\n"
           "  -semihosting               enable Arm semihosting (HLT #0xF000)\n"
           "  -nographic                 console on stdio (the default)\n"
           "  -no-reboot                 exit instead of rebooting\n"
           "  -d ITEM,...                trace items (-d help lists them)\n"
           "  -D FILE                    write the trace to FILE\n"
           "  -max-insns N               stop after N guest instructions per core (exit 3)\n"
           "  -pin none|compact|scatter|LIST  pin vCPU threads to host PUs (LIST: 0,2,4; -d smp shows it)\n"
           "  -accel tcg[,tb-size=MB]    bound the translation cache (default from -m and host RAM, docs/jit.md)\n"
           "  -tb-size MB                the same bound\n"
           "  -tier jit|interp           execution tier (default jit: x86-64 code; interp: the reference interpreter)\n"
           "  -jit-threshold N           compile a block to x86-64 at its Nth run, interpreting it before (default 4;\n"
           "                             1: when it is translated)\n"
           "  -jit-side-exits N          conditional branches a block may go on past (0..2, default 2; 0: every\n"
           "                             conditional branch ends its block)\n"
           "  -jit-loop-traces 0|1       a block may go on at the target of a conditional branch back to\n"
           "                             before it, making a loop in two pieces one self-loop (default 1)\n"
           "  -jit-threads N             host threads that compile blocks while the cores go on interpreting\n"
           "                             them (0..8; default 1, or 0 with more cores than host CPUs; 0: the\n"
           "                             core that runs a block the Nth time compiles it; always 0 under -det)\n"
           "  -halt-poll-ns N            a core in WFI/WFE spins up to N ns for its wake-up before it sleeps,\n"
           "                             adapted to how soon wake-ups come (default 200000; 0: sleep at once;\n"
           "                             never when there are more cores than host CPUs, nor under -det)\n"
           "  -stats FILE                write per-core counters as JSON to FILE at exit (opened at start)\n"
           "  -progress                  print guest MIPS per core on stderr every second\n"
           "  -perfmap                   name JIT code for perf in /tmp/perf-<pid>.map (see docs/jit.md)\n"
           "  -det seed=N[,sched=random|pct][,depth=D][,quantum=Q][,steps=S][,weak=on][,rr=record|replay,rrfile=F]\n"
           "                             deterministic multicore run: seeded scheduler, virtual time, input\n"
           "                             record/replay; the same run under gdb (-s/-gdb); no -nic/-netdev\n"
           "                             (docs/determinism.md)\n"
           "  -gdb tcp::PORT|unix:PATH   gdb remote stub on a loopback TCP port or a Unix socket (docs/debug.md)\n"
           "  -s                         the same as -gdb tcp::1234\n"
           "  -S                         cores wait at reset until gdb continues (with -s or -gdb)\n"
           "  -h, -help                  this help\n"
           "  -V, -version               version\n",
           MAX_CPUS);
}

int options_parse(int argc, char **argv, MachineOptions *opt)
{
    memset(opt, 0, sizeof(*opt));
    opt->smp = 1;
    opt->ram_size = 512ull << 20;
    opt->tier = TIER_JIT; /* the interpreter stays available as the reference: -tier interp */
    opt->jit_threshold = JIT_THRESHOLD_DEFAULT;
    opt->side_exits = IR_SIDE_EXITS;
    opt->loop_traces = true;
    opt->jit_threads = -1;
    opt->halt_poll_ns = HALT_POLL_NS_DEFAULT;
    opt->machine_type = "virt";
    opt->cpu_model = "cortex-a57";
    /* -config first, so the command line overrides it. */
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i][0] == '-' && argv[i][1] == '-' ? argv[i] + 1 : argv[i];
        if (!strcmp(a, "-config")) {
            if (i + 1 >= argc) {
                fprintf(stderr, "flotilla: option -config needs an argument\n");
                return OPT_ERROR;
            }
            opt->config_file = argv[i + 1];
            if (!config_load(argv[i + 1], opt))
                return OPT_ERROR;
            i++;
        }
    }
    for (int i = 1; i < argc; i++) {
        /* Accept --opt as well as -opt, like QEMU. */
        const char *a = argv[i][0] == '-' && argv[i][1] == '-' ? argv[i] + 1 : argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
#define NEEDS_ARG                                                                                   \
    do {                                                                                            \
        if (!v) {                                                                                   \
            fprintf(stderr, "flotilla: option %s needs an argument\n", a);                          \
            return OPT_ERROR;                                                                       \
        }                                                                                           \
        i++;                                                                                        \
    } while (0)
        if (!strcmp(a, "-h") || !strcmp(a, "-help")) {
            usage();
            return OPT_EXIT_OK;
        } else if (!strcmp(a, "-V") || !strcmp(a, "-version")) {
            printf("flotilla %s\n", FLOTILLA_VERSION);
            return OPT_EXIT_OK;
        } else if (!strcmp(a, "-smp")) {
            NEEDS_ARG;
            if (!set_smp(opt, v, "-smp"))
                return OPT_ERROR;
        } else if (!strcmp(a, "-m")) {
            NEEDS_ARG;
            if (!set_mem(opt, v, "-m"))
                return OPT_ERROR;
        } else if (!strcmp(a, "-M") || !strcmp(a, "-machine")) {
            NEEDS_ARG;
            if (!set_machine(opt, v, "-M"))
                return OPT_ERROR;
        } else if (!strcmp(a, "-cpu")) {
            NEEDS_ARG;
            if (!set_cpu(opt, v, "-cpu"))
                return OPT_ERROR;
        } else if (!strcmp(a, "-kernel")) {
            NEEDS_ARG;
            opt->kernel = v;
        } else if (!strcmp(a, "-initrd")) {
            NEEDS_ARG;
            opt->initrd = v;
        } else if (!strcmp(a, "-append")) {
            NEEDS_ARG;
            opt->append = v;
        } else if (!strcmp(a, "-dtb")) {
            NEEDS_ARG;
            opt->dtb = v;
        } else if (!strcmp(a, "-nic") || !strcmp(a, "-netdev")) {
            NEEDS_ARG;
            bool nic = a[2] == 'i';
            int *n = nic ? &opt->nnics : &opt->nnetdevs;
            if (*n == OPT_MAX_DRIVES) {
                fprintf(stderr, "flotilla: %s: at most %d\n", a, OPT_MAX_DRIVES);
                return OPT_ERROR;
            }
            (nic ? opt->nics : opt->netdevs)[(*n)++] = v;
        } else if (!strcmp(a, "-device") || !strcmp(a, "-chardev")) {
            NEEDS_ARG;
            bool dev = a[2] == 'e';
            int *n = dev ? &opt->ndevices : &opt->nchardevs;
            if (*n == OPT_MAX_DRIVES) {
                fprintf(stderr, "flotilla: %s: at most %d\n", a, OPT_MAX_DRIVES);
                return OPT_ERROR;
            }
            (dev ? opt->devices : opt->chardevs)[(*n)++] = v;
        } else if (!strcmp(a, "-drive")) {
            NEEDS_ARG;
            if (opt->ndrives == OPT_MAX_DRIVES) {
                fprintf(stderr, "flotilla: -drive: at most %d drives\n", OPT_MAX_DRIVES);
                return OPT_ERROR;
            }
            opt->drives[opt->ndrives++] = v;
        } else if (!strcmp(a, "-config")) {
            NEEDS_ARG; /* already read */
        } else if (!strcmp(a, "-d")) {
            NEEDS_ARG;
            if (!trace_parse(v, &opt->trace))
                return !strcmp(v, "help") ? OPT_EXIT_OK : OPT_ERROR;
        } else if (!strcmp(a, "-D")) {
            NEEDS_ARG;
            opt->log_file = v;
        } else if (!strcmp(a, "-pin")) {
            NEEDS_ARG;
            if (!set_pin(opt, v, "-pin"))
                return OPT_ERROR;
        } else if (!strcmp(a, "-max-insns")) {
            NEEDS_ARG;
            long n;
            if (!parse_int(v, 1, __LONG_MAX__, &n)) {
                fprintf(stderr, "flotilla: -max-insns: invalid count '%s'\n", v);
                return OPT_ERROR;
            }
            opt->max_insns = (uint64_t)n;
        } else if (!strcmp(a, "-tier")) {
            NEEDS_ARG;
            if (!strcmp(v, "interp"))
                opt->tier = TIER_INTERP;
            else if (!strcmp(v, "jit"))
                opt->tier = TIER_JIT;
            else {
                fprintf(stderr, "flotilla: -tier: unknown tier '%s' (interp or jit)\n", v);
                return OPT_ERROR;
            }
        } else if (!strcmp(a, "-jit-threshold")) {
            NEEDS_ARG;
            long n;
            if (!parse_ranged(a, v, 1, 1000000, "count", "", &n))
                return OPT_ERROR;
            opt->jit_threshold = (uint32_t)n;
        } else if (!strcmp(a, "-jit-side-exits")) {
            NEEDS_ARG;
            long n;
            if (!parse_ranged(a, v, 0, IR_SIDE_EXITS, "count", "", &n))
                return OPT_ERROR;
            opt->side_exits = (uint8_t)n;
        } else if (!strcmp(a, "-jit-loop-traces")) {
            NEEDS_ARG;
            long n;
            if (!parse_ranged(a, v, 0, 1, "value", "", &n))
                return OPT_ERROR;
            opt->loop_traces = n != 0;
        } else if (!strcmp(a, "-jit-threads")) {
            NEEDS_ARG;
            long n;
            if (!parse_ranged(a, v, 0, 8, "count", "", &n))
                return OPT_ERROR;
            opt->jit_threads = (int)n;
        } else if (!strcmp(a, "-halt-poll-ns")) {
            NEEDS_ARG;
            long n;
            if (!parse_ranged(a, v, 0, 10000000, "time", " ns", &n))
                return OPT_ERROR;
            opt->halt_poll_ns = (uint32_t)n;
        } else if (!strcmp(a, "-accel")) {
            NEEDS_ARG;
            if (!set_accel(opt, v))
                return OPT_ERROR;
        } else if (!strcmp(a, "-tb-size")) {
            NEEDS_ARG;
            if (!set_tb_size(opt, v, "-tb-size"))
                return OPT_ERROR;
        } else if (!strcmp(a, "-semihosting")) {
            opt->semihosting = true;
        } else if (!strcmp(a, "-semihosting-config")) {
            NEEDS_ARG;
            if (strstr(v, "enable=off"))
                opt->semihosting = false;
            else if (strstr(v, "enable=on") || strstr(v, "enable=true"))
                opt->semihosting = true;
            else {
                fprintf(stderr, "flotilla: -semihosting-config: only enable=on|off is supported\n");
                return OPT_ERROR;
            }
        } else if (!strcmp(a, "-nographic")) {
            /* the console is always on stdio */
        } else if (!strcmp(a, "-stats")) {
            NEEDS_ARG;
            opt->stats_file = v;
        } else if (!strcmp(a, "-progress")) {
            opt->progress = true;
        } else if (!strcmp(a, "-perfmap")) {
            opt->perfmap = true;
        } else if (!strcmp(a, "-det")) {
            NEEDS_ARG;
            if (!det_parse(v, &opt->det))
                return OPT_ERROR;
        } else if (!strcmp(a, "-no-reboot")) {
            opt->no_reboot = true;
        } else if (!strcmp(a, "-s")) {
            opt->gdb_dev = "tcp::1234";
        } else if (!strcmp(a, "-S")) {
            opt->gdb_wait = true;
        } else if (!strcmp(a, "-gdb")) {
            NEEDS_ARG;
            if (!gdb_parse_dev(v))
                return OPT_ERROR;
            opt->gdb_dev = v;
        } else {
            fprintf(stderr, "flotilla: unknown option '%s' (try -h)\n", argv[i]);
            return OPT_ERROR;
        }
#undef NEEDS_ARG
    }
    if (!opt->kernel) {
        fprintf(stderr, "flotilla: no kernel given (use -kernel FILE)\n");
        return OPT_ERROR;
    }
    if (opt->gdb_wait && !opt->gdb_dev) {
        fprintf(stderr, "flotilla: -S needs a gdb stub (-s or -gdb DEV): nothing could ever continue the cores\n");
        return OPT_ERROR;
    }
    /* Under -det virtio-blk, -rng and -console requests are served by the
     * notifying vCPU (docs/virtio.md). The network is input from outside,
     * at host-timed moments: not deterministic. */
    if (opt->det.on && (opt->nnics || opt->nnetdevs)) {
        fprintf(stderr, "flotilla: -det does not support the network (-nic, -netdev): its input is not deterministic\n");
        return OPT_ERROR;
    }
    return OPT_OK;
}
