/* Unit tests for command-line and -config parsing (smp/options.c): sizes,
 * core counts, machine and CPU names, unknown options, config files good and
 * malformed, and the command line overriding the file. Every error returns
 * OPT_ERROR (or false) with one line on stderr, never exits or crashes. */
#include "common.h"

#include <stdarg.h>
#include <unistd.h>

#include "smp/machine.h"
#include "smp/options.h"

/* stderr/stdout of the last parse. */
static char out_err[8192], out_std[8192];

static void slurp(FILE *f, char *buf, size_t cap)
{
    fflush(f);
    rewind(f);
    size_t n = fread(buf, 1, cap - 1, f);
    buf[n] = 0;
}

/* Capture stdout and stderr (file descriptors 1 and 2) into out_std/out_err. */
static FILE *cap_err, *cap_out;
static int save_err, save_out;

static void capture_begin(void)
{
    fflush(stdout);
    fflush(stderr);
    cap_err = tmpfile();
    cap_out = tmpfile();
    cr_assert(cap_err && cap_out);
    save_err = dup(2);
    save_out = dup(1);
    dup2(fileno(cap_err), 2);
    dup2(fileno(cap_out), 1);
}

static void capture_end(void)
{
    fflush(stdout);
    fflush(stderr);
    dup2(save_err, 2);
    dup2(save_out, 1);
    close(save_err);
    close(save_out);
    slurp(cap_err, out_err, sizeof(out_err));
    slurp(cap_out, out_std, sizeof(out_std));
    fclose(cap_err);
    fclose(cap_out);
}

/* Config texts the parsed options point into: freed after the test, since
 * tests parse into the same MachineOptions again and again (options_parse
 * starts from a blank one). */
static MachineOptions kept[64];
static int nkept;

static void keep_until_teardown(MachineOptions *opt)
{
    cr_assert_lt(nkept, 64);
    kept[nkept++] = *opt;
}

static void free_kept(void)
{
    for (int i = 0; i < nkept; i++)
        options_free(&kept[i]);
    nkept = 0;
}

TestSuite(options, .fini = free_kept);

/* options_parse("flotilla", args..., NULL) with stdout and stderr captured. */
static int parse(MachineOptions *opt, ...)
{
    char *argv[64];
    int argc = 0;
    argv[argc++] = "flotilla";
    va_list ap;
    va_start(ap, opt);
    for (const char *a; (a = va_arg(ap, const char *)) != NULL;)
        argv[argc++] = (char *)a;
    va_end(ap);
    argv[argc] = NULL;
    capture_begin();
    int r = options_parse(argc, argv, opt);
    capture_end();
    keep_until_teardown(opt);
    return r;
}

static int count_lines(const char *s)
{
    int n = 0;
    for (; *s; s++)
        n += *s == '\n';
    return n;
}

/* An error: OPT_ERROR and one line on stderr that names flotilla. */
#define EXPECT_ERROR(r, what)                                                                               \
    do {                                                                                                    \
        cr_expect_eq((r), OPT_ERROR, "%s: accepted", what);                                                 \
        cr_expect_eq(count_lines(out_err), 1, "%s: stderr should be one line, got: %s", what, out_err);     \
        cr_expect(strncmp(out_err, "flotilla: ", 10) == 0, "%s: message: %s", what, out_err);               \
    } while (0)

#define EXPECT_OK(r, what)                                                                                  \
    do {                                                                                                    \
        cr_expect_eq((r), OPT_OK, "%s: rejected: %s", what, out_err);                                       \
        cr_expect_str_empty(out_err, "%s: unexpected message: %s", what, out_err);                          \
    } while (0)

/* A config file with the given contents; the caller unlinks it. */
static char *write_config(const char *text)
{
    char *path = strdup("/tmp/flotilla-test-XXXXXX.ini");
    int fd = mkstemps(path, 4);
    cr_assert_geq(fd, 0);
    size_t len = strlen(text);
    cr_assert_eq(write(fd, text, len), (ssize_t)len);
    close(fd);
    return path;
}

Test(options, defaults)
{
    MachineOptions o;
    EXPECT_OK(parse(&o, "-kernel", "k.elf", NULL), "defaults");
    cr_expect_eq(o.smp, 1);
    cr_expect_eq(o.ram_size, 512ull << 20);
    cr_expect_str_eq(o.machine_type, "virt");
    cr_expect_str_eq(o.cpu_model, "cortex-a57");
    cr_expect_str_eq(o.kernel, "k.elf");
    cr_expect(!o.semihosting);
    cr_expect_eq(o.max_insns, 0);
}

Test(options, memory_sizes)
{
    static const struct { const char *arg; uint64_t want; } good[] = {
        {"512M", 512ull << 20}, {"1G", 1ull << 30}, {"1g", 1ull << 30}, {"2048", 2048ull << 20},
        {"65536K", 64ull << 20}, {"16M", 16ull << 20}, {"size=1G", 1ull << 30}, {"1GiB", 1ull << 30},
        {"512MB", 512ull << 20},
    };
    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        MachineOptions o;
        EXPECT_OK(parse(&o, "-m", good[i].arg, "-kernel", "k", NULL), good[i].arg);
        cr_expect_eq(o.ram_size, good[i].want, "-m %s: 0x%llx", good[i].arg, (unsigned long long)o.ram_size);
    }
    static const char *const bad[] = {
        "bad", "", "1.5G", "-1G", "0", "8M" /* below the minimum */, "1Q", "1Gx", "M",
        "99999999999999999999G" /* overflows */, "16777217K" /* not a 4K multiple */, "2T" /* above 1T */,
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        MachineOptions o;
        EXPECT_ERROR(parse(&o, "-m", bad[i], "-kernel", "k", NULL), bad[i]);
    }
}

Test(options, parse_size_directly)
{
    uint64_t v = 0;
    cr_expect(parse_size("4K", &v));
    cr_expect_eq(v, 4096);
    cr_expect(parse_size("3B", &v));
    cr_expect_eq(v, 3);
    cr_expect(parse_size("1T", &v));
    cr_expect_eq(v, 1ull << 40);
    cr_expect(parse_size("7", &v));
    cr_expect_eq(v, 7ull << 20);
    v = 12345;
    cr_expect(!parse_size("", &v));
    cr_expect(!parse_size("-5", &v));
    cr_expect(!parse_size("x", &v));
    cr_expect(!parse_size("17179869184G", &v), "2^34 GiB does not fit in 64 bits");
    cr_expect_eq(v, 12345, "a failed parse leaves the output alone");
}

Test(options, core_counts)
{
    static const struct { const char *arg; int want; } good[] = {
        {"1", 1}, {"4", 4}, {"64", 64}, {"cpus=2", 2}, {"8,sockets=1", 8},
    };
    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        MachineOptions o;
        EXPECT_OK(parse(&o, "-smp", good[i].arg, "-kernel", "k", NULL), good[i].arg);
        cr_expect_eq(o.smp, good[i].want, "-smp %s", good[i].arg);
    }
    static const char *const bad[] = {"0", "bad", "-1", "65", "4x", "", "cpus=", "99999999999999999999"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        MachineOptions o;
        EXPECT_ERROR(parse(&o, "-smp", bad[i], "-kernel", "k", NULL), bad[i]);
    }
}

Test(options, machine_and_cpu)
{
    MachineOptions o;
    EXPECT_OK(parse(&o, "-M", "virt", "-cpu", "max", "-kernel", "k", NULL), "-M virt -cpu max");
    cr_expect_str_eq(o.cpu_model, "max");
    EXPECT_OK(parse(&o, "-machine", "virt,gic-version=3", "-kernel", "k", NULL), "-machine virt,gic-version=3");
    EXPECT_ERROR(parse(&o, "-M", "vexpress", "-kernel", "k", NULL), "-M vexpress");
    EXPECT_ERROR(parse(&o, "-M", "virtual", "-kernel", "k", NULL), "-M virtual");
    EXPECT_ERROR(parse(&o, "-cpu", "cortex-a9", "-kernel", "k", NULL), "-cpu cortex-a9");
}

Test(options, other_options)
{
    MachineOptions o;
    EXPECT_OK(parse(&o, "--kernel", "k", "-semihosting", "-no-reboot", "-nographic", "-max-insns", "1000",
                    "-append", "console=ttyAMA0", "-initrd", "rd", "-D", "log.txt", NULL),
              "assorted");
    cr_expect(o.semihosting);
    cr_expect(o.no_reboot);
    cr_expect_eq(o.max_insns, 1000);
    cr_expect_str_eq(o.append, "console=ttyAMA0");
    cr_expect_str_eq(o.initrd, "rd");
    cr_expect_str_eq(o.log_file, "log.txt");
    cr_expect(!o.perfmap);
    EXPECT_OK(parse(&o, "-kernel", "k", "-perfmap", NULL), "-perfmap");
    cr_expect(o.perfmap);
    EXPECT_OK(parse(&o, "-kernel", "k", "-semihosting-config", "enable=on,target=native", NULL), "semihosting-config");
    cr_expect(o.semihosting);
    EXPECT_ERROR(parse(&o, "-kernel", "k", "-semihosting-config", "target=native", NULL), "semihosting-config");
    EXPECT_ERROR(parse(&o, "-kernel", "k", "-max-insns", "0", NULL), "-max-insns 0");
    EXPECT_ERROR(parse(&o, "-kernel", "k", "-max-insns", "lots", NULL), "-max-insns lots");
    cr_expect_eq(o.halt_poll_ns, HALT_POLL_NS_DEFAULT);
    EXPECT_OK(parse(&o, "-kernel", "k", "-halt-poll-ns", "0", NULL), "-halt-poll-ns 0");
    cr_expect_eq(o.halt_poll_ns, 0);
    EXPECT_OK(parse(&o, "-kernel", "k", "-halt-poll-ns", "50000", NULL), "-halt-poll-ns 50000");
    cr_expect_eq(o.halt_poll_ns, 50000);
    EXPECT_ERROR(parse(&o, "-kernel", "k", "-halt-poll-ns", "-1", NULL), "-halt-poll-ns -1");
    EXPECT_ERROR(parse(&o, "-kernel", "k", "-halt-poll-ns", "20000000", NULL), "-halt-poll-ns 20 ms");
    EXPECT_ERROR(parse(&o, "-kernel", "k", "-halt-poll-ns", NULL), "-halt-poll-ns without a value");
    cr_expect_eq(o.jit_threads, -1, "the default: machine_run decides");
    EXPECT_OK(parse(&o, "-kernel", "k", "-jit-threads", "0", NULL), "-jit-threads 0");
    cr_expect_eq(o.jit_threads, 0);
    EXPECT_OK(parse(&o, "-kernel", "k", "-jit-threads", "8", NULL), "-jit-threads 8");
    cr_expect_eq(o.jit_threads, 8);
    EXPECT_ERROR(parse(&o, "-kernel", "k", "-jit-threads", "9", NULL), "-jit-threads 9");
    EXPECT_ERROR(parse(&o, "-kernel", "k", "-jit-threads", "-1", NULL), "-jit-threads -1");
}

/* The spin before a WFI sleep (smp/vcpu.c): from 0, a wait shorter than
 * the longest window starts it at 10 us and doubles it up to that bound; a
 * longer wait (an idle core) drops it to 0. */
Test(options, halt_poll_window_adapts)
{
    static Machine m;
    static CPUState cpu;
    cpu.machine = &m;
    m.opt.halt_poll_ns = 200000;
    const uint32_t want[] = {10000, 20000, 40000, 80000, 160000, 200000, 200000};
    for (size_t k = 0; k < sizeof(want) / sizeof(want[0]); k++) {
        vcpu_halt_poll_adapt(&cpu, 150000); /* woken 150 us after the WFI: a longer window would have caught it */
        cr_expect_eq(cpu.halt_poll_ns, want[k], "step %zu: %u", k, cpu.halt_poll_ns);
    }
    vcpu_halt_poll_adapt(&cpu, 200001); /* beyond the bound: idle */
    cr_expect_eq(cpu.halt_poll_ns, 0);
    m.opt.halt_poll_ns = 4000; /* a bound below the first step */
    vcpu_halt_poll_adapt(&cpu, 100);
    cr_expect_eq(cpu.halt_poll_ns, 4000);
    vcpu_halt_poll_adapt(&cpu, 100);
    cr_expect_eq(cpu.halt_poll_ns, 4000);
}

/* -accel as QEMU spells it for TCG, and -tb-size: the translation cache
 * bound in MiB (docs/jit.md). Hardware accelerators and TCG modes flotilla
 * does not have are refused with one line. */
Test(options, accel_and_tb_size)
{
    MachineOptions o;
    EXPECT_OK(parse(&o, "-kernel", "k", NULL), "no -accel");
    cr_expect_eq(o.tb_size, 0, "default bound chosen by the machine");
    static const struct { const char *arg; uint64_t want; } good[] = {
        {"tcg", 0}, {"tcg,tb-size=64", 64ull << 20}, {"accel=tcg,tb-size=1024", 1ull << 30},
        {"tcg,thread=multi", 0}, {"tcg,thread=multi,tb-size=16,split-wx=off,one-insn-per-tb=off", 16ull << 20},
        {"tcg,tb-size=512K", 0}, /* below the 1 MiB minimum: checked below */
    };
    for (size_t i = 0; i + 1 < sizeof(good) / sizeof(good[0]); i++) {
        EXPECT_OK(parse(&o, "-accel", good[i].arg, "-kernel", "k", NULL), good[i].arg);
        cr_expect_eq(o.tb_size, good[i].want, "-accel %s", good[i].arg);
    }
    EXPECT_OK(parse(&o, "-tb-size", "32", "-kernel", "k", NULL), "-tb-size 32");
    cr_expect_eq(o.tb_size, 32ull << 20);
    EXPECT_OK(parse(&o, "--accel", "tcg,tb-size=2G", "-kernel", "k", NULL), "tb-size=2G");
    cr_expect_eq(o.tb_size, 2ull << 30);
    static const char *const bad[] = {
        "kvm", "hvf", "xen", "tcgx", "", "tcg,tb-size=0", "tcg,tb-size=512K", "tcg,tb-size=", "tcg,tb-size=-5",
        "tcg,tb-size=99999999999", "tcg,thread=single", "tcg,one-insn-per-tb=on", "tcg,frob=1", "tcg,",
        "kvm,tb-size=64",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        EXPECT_ERROR(parse(&o, "-accel", bad[i], "-kernel", "k", NULL), bad[i]);
    EXPECT_ERROR(parse(&o, "-tb-size", "0", "-kernel", "k", NULL), "-tb-size 0");
    EXPECT_ERROR(parse(&o, "-kernel", "k", "-accel", NULL), "-accel without argument");
    EXPECT_ERROR(parse(&o, "-accel", "kvm", "-kernel", "k", NULL), "kvm");
    cr_expect(strstr(out_err, "'kvm' is not available") != NULL, "message: %s", out_err);
}

Test(options, unknown_and_missing)
{
    MachineOptions o;
    EXPECT_ERROR(parse(&o, "-kernel", "k", "-frobnicate", NULL), "unknown option");
    EXPECT_ERROR(parse(&o, "-kernel", "k", "stray", NULL), "stray argument");
    EXPECT_ERROR(parse(&o, "-kernel", NULL), "-kernel without argument");
    EXPECT_ERROR(parse(&o, "-kernel", "k", "-m", NULL), "-m without argument");
    EXPECT_ERROR(parse(&o, "-kernel", "k", "-smp", NULL), "-smp without argument");
    EXPECT_ERROR(parse(&o, "-kernel", "k", "-config", NULL), "-config without argument");
    EXPECT_ERROR(parse(&o, "-smp", "2", NULL), "no kernel");
    EXPECT_ERROR(parse(&o, NULL), "no arguments");
}

Test(options, help_and_version)
{
    MachineOptions o;
    cr_expect_eq(parse(&o, "-h", NULL), OPT_EXIT_OK);
    cr_expect(strstr(out_std, "usage") != NULL, "help text: %s", out_std);
    cr_expect(strstr(out_std, "-perfmap") != NULL, "help text: %s", out_std);
    cr_expect(strstr(out_std, "-accel tcg[,tb-size=MB]") != NULL, "help text: %s", out_std);
    cr_expect_eq(parse(&o, "-V", NULL), OPT_EXIT_OK);
    cr_expect(strstr(out_std, FLOTILLA_VERSION) != NULL);
    cr_expect_eq(parse(&o, "--version", NULL), OPT_EXIT_OK);
}

Test(options, config_file_good_and_overridden)
{
    char *path = write_config("; a comment\n"
                              "[machine]\n"
                              "type = virt\n"
                              "cpu = cortex-a72\n"
                              "cpus = 4\n"
                              "memory = 1G\n"
                              "\n"
                              "[boot]\n"
                              "kernel = /tmp/vmlinux.elf\n"
                              "append = console=ttyAMA0 quiet\n"
                              "semihosting = on\n");
    MachineOptions o;
    EXPECT_OK(parse(&o, "-config", path, NULL), "config");
    cr_expect_eq(o.smp, 4);
    cr_expect_eq(o.ram_size, 1ull << 30);
    cr_expect_str_eq(o.cpu_model, "cortex-a72");
    cr_expect_str_eq(o.kernel, "/tmp/vmlinux.elf");
    cr_expect_str_eq(o.append, "console=ttyAMA0 quiet");
    cr_expect(o.semihosting);
    cr_expect_str_eq(o.config_file, path);

    /* The command line wins, wherever it stands relative to -config. */
    EXPECT_OK(parse(&o, "-smp", "2", "-config", path, "-m", "256M", "-kernel", "other", NULL), "override");
    cr_expect_eq(o.smp, 2);
    cr_expect_eq(o.ram_size, 256ull << 20);
    cr_expect_str_eq(o.kernel, "other");
    cr_expect_str_eq(o.cpu_model, "cortex-a72", "not overridden: from the file");
    unlink(path);
    free(path);

    /* The shipped machine descriptions parse. */
    static const char *const shipped[] = {"configs/virt.ini", "configs/virt-smp4.ini"};
    for (size_t i = 0; i < sizeof(shipped) / sizeof(shipped[0]); i++) {
        /* __FILE__ is .../tests/unit/test_options.c: the source root is above it. */
        char p[512];
        const char *f = __FILE__, *cut = strstr(f, "tests/unit/");
        snprintf(p, sizeof(p), "%.*s%s", cut ? (int)(cut - f) : 0, f, shipped[i]);
        cr_expect_eq(access(p, R_OK), 0, "cannot find %s", p);
        EXPECT_OK(parse(&o, "-config", p, "-kernel", "k", NULL), shipped[i]);
    }
}

Test(options, config_file_malformed)
{
    static const struct { const char *text, *what; bool names_file; } bad[] = {
        {"[machine]\ncpus 4\n", "line without '='", true},
        {"[machine]\ncpus = 0\n", "cpus = 0", true},
        {"[machine]\ncpus = many\n", "cpus = many", true},
        {"[machine]\nmemory = 1.5G\n", "bad memory", true},
        {"[machine]\nmemory = 4M\n", "memory too small", true},
        {"[machine]\ntype = sbsa\n", "unknown machine", true},
        {"[machine]\ncpu = pentium\n", "unknown cpu", true},
        {"[machine]\ncolour = blue\n", "unknown key", true},
        {"[network]\nmode = user\n", "unknown section", true},
        {"cpus = 2\n", "key outside a section", true},
        {"[boot]\nsemihosting = maybe\n", "bad boolean", true},
        {"[machine\ncpus = 2\n", "unterminated section", true},
        {"[trace]\nitems = nonsense\n", "bad trace item", false}, /* trace_parse names the item only */
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        char *path = write_config(bad[i].text);
        MachineOptions o;
        EXPECT_ERROR(parse(&o, "-config", path, "-kernel", "k", NULL), bad[i].what);
        if (bad[i].names_file)
            cr_expect(strstr(out_err, path) != NULL, "%s: the message should name the file: %s", bad[i].what,
                      out_err);
        /* config_load on its own says false too. */
        MachineOptions o2 = {0};
        capture_begin();
        bool loaded = config_load(path, &o2);
        capture_end();
        options_free(&o2);
        cr_expect(!loaded, "%s: config_load accepted", bad[i].what);
        cr_expect_eq(count_lines(out_err), 1, "%s: config_load: %s", bad[i].what, out_err);
        unlink(path);
        free(path);
    }
    MachineOptions o;
    EXPECT_ERROR(parse(&o, "-config", "/nonexistent/flotilla.ini", "-kernel", "k", NULL), "missing file");
}

Test(options, empty_pin_and_memory_beyond_pa_bits)
{
    MachineOptions o;
    EXPECT_ERROR(parse(&o, "-kernel", "k", "-pin", "", NULL), "-pin \"\"");
    cr_expect(strstr(out_err, "-pin") != NULL, "%s", out_err);
    EXPECT_OK(parse(&o, "-kernel", "k", "-pin", "compact", NULL), "-pin compact");
    /* RAM starts at 1 GiB; the CPU reports 40 PA bits: 1023G is the most. */
    EXPECT_ERROR(parse(&o, "-kernel", "k", "-m", "1T", NULL), "-m 1T");
    EXPECT_OK(parse(&o, "-kernel", "k", "-m", "1023G", NULL), "-m 1023G");
    cr_expect_eq(o.ram_size, 1023ull << 30);
}

Test(options, config_not_a_regular_text_file)
{
    MachineOptions o;
    EXPECT_ERROR(parse(&o, "-config", "/tmp", "-kernel", "k", NULL), "-config DIR");
    cr_expect(strstr(out_err, "not a regular file") != NULL, "%s", out_err);
    EXPECT_ERROR(parse(&o, "-config", "/dev/zero", "-kernel", "k", NULL), "-config /dev/zero");
    cr_expect(strstr(out_err, "not a regular file") != NULL, "%s", out_err);
    /* Binary data: one line, not one per garbage line. */
    char *path = strdup("/tmp/flotilla-test-XXXXXX.ini");
    int fd = mkstemps(path, 4);
    cr_assert_geq(fd, 0);
    uint8_t junk[8192];
    uint32_t x = 12345;
    for (size_t i = 0; i < sizeof(junk); i++) {
        x = x * 1103515245u + 12345u;
        junk[i] = (uint8_t)(x >> 24);
        if (i % 61 == 60)
            junk[i] = '\n';
    }
    cr_assert_eq(write(fd, junk, sizeof(junk)), (ssize_t)sizeof(junk));
    close(fd);
    EXPECT_ERROR(parse(&o, "-config", path, "-kernel", "k", NULL), "binary config");
    unlink(path);
    free(path);
}

Test(options, config_errors_name_their_own_line)
{
    char *path = write_config("; machine\n[machine\ncpus = 2\n");
    MachineOptions o;
    EXPECT_ERROR(parse(&o, "-config", path, "-kernel", "k", NULL), "[machine without ]");
    char want[600];
    snprintf(want, sizeof(want), "%s:2:", path);
    cr_expect(strstr(out_err, want) != NULL, "should blame line 2: %s", out_err);
    unlink(path);
    free(path);
    path = write_config("[machine]\ncpus = 2\n\ncpus = 99\n");
    EXPECT_ERROR(parse(&o, "-config", path, "-kernel", "k", NULL), "bad value on line 4");
    snprintf(want, sizeof(want), "%s:4:", path);
    cr_expect(strstr(out_err, want) != NULL, "should blame line 4: %s", out_err);
    unlink(path);
    free(path);
    path = write_config("[machine]\npin =\n");
    EXPECT_ERROR(parse(&o, "-config", path, "-kernel", "k", NULL), "empty pin in a config");
    unlink(path);
    free(path);
}

Test(options, config_long_lines_and_inih_syntax)
{
    /* inih cut lines at 200 characters; a kernel command line can be longer. */
    static char text[12000], arg[10000];
    for (size_t i = 0; i < sizeof(arg) - 1; i++)
        arg[i] = "abcdefghij"[i % 10];
    arg[sizeof(arg) - 1] = 0;
    snprintf(text, sizeof(text),
             "\xEF\xBB\xBF[boot]\r\nappend = %s\r\n  kernel: /tmp/k.elf ; inline comment\n"
             "# comment\n[ machine ]\ncpus=3\ncpu = cortex-a53;not a comment\n",
             arg);
    char *path = write_config(text);
    MachineOptions o;
    int r = parse(&o, "-config", path, NULL);
    cr_expect_eq(r, OPT_ERROR, "cortex-a53;not a comment is not a CPU model");
    unlink(path);
    free(path);
    snprintf(text, sizeof(text),
             "\xEF\xBB\xBF[boot]\r\nappend = %s\r\n  kernel: /tmp/k.elf ; inline comment\n"
             "# comment\n[ machine ]\ncpus=3\n",
             arg);
    path = write_config(text);
    EXPECT_OK(parse(&o, "-config", path, NULL), "long append");
    cr_expect_eq(strlen(o.append), sizeof(arg) - 1);
    cr_expect_str_eq(o.append, arg);
    cr_expect_str_eq(o.kernel, "/tmp/k.elf");
    cr_expect_eq(o.smp, 3);
    unlink(path);
    free(path);
}
