/* Encoding coverage report for flotilla's A64 decoder (target `coverage-report`,
 * run by scripts/coverage-report.sh and by the ctest coverage.report).
 *
 * For each A64 encoding class of the Arm ARM (C4.1) it draws instruction words
 * (uniformly at random inside the class, and stratified: every combination of
 * the class's opcode bits with random register/immediate fields) and asks two
 * questions of each word:
 *   flotilla:  does a pattern of decode_table() decode it, and does that
 *              pattern's translate function accept it (returns true without
 *              emitting the UNDEFINED exception) on a scratch block at EL1 with
 *              FP enabled, exactly as translate_block() would call it?
 *   reference: binutils. objdump -M no-aliases tells allocated from unallocated
 *              (it prints `.inst` or `udf`), and re-assembling the text with
 *              `as -march=armv8-a+lse+crypto+crc` tells the base architecture
 *              flotilla targets from newer features (SVE, FP16, RCpc, PAuth...).
 * A word the reference allocates in the base architecture that flotilla rejects
 * is "not implemented"; unless a line of the exclusion file (POSIX ERE over the
 * disassembly, " :: " then the reason) covers it, --check makes it a failure.
 *
 * Single-threaded host tool; not part of the simulator. */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <regex.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cpu/decode.h"
#include "cpu/translate.h"
#include "devices/devices.h"
#include "smp/machine.h"

/* ---------------- encoding classes (Arm ARM C4.1, top-level op0) ---------------- */

typedef struct Class {
    const char *top;    /* the C4.1 top-level class */
    const char *name;   /* the sub-class reported */
    uint32_t mask, value;
    uint32_t enum_bits; /* bits enumerated by the stratified sampler (0: default) */
} Class;

/* Order matters: a word belongs to the first class that matches, so specific
 * sub-spaces (crypto inside Advanced SIMD, system inside branches) come first. */
static const Class classes[] = {
    {"Reserved (op0=0000)", "reserved, UDF", 0x9e000000, 0x00000000, 0},
    {"SME (op0=0000, op=1)", "SME", 0x9e000000, 0x80000000, 0},
    {"Unallocated (op0=0001)", "unallocated", 0x1e000000, 0x02000000, 0},
    {"SVE (op0=0010)", "SVE", 0x1e000000, 0x04000000, 0},
    {"Unallocated (op0=0011)", "unallocated", 0x1e000000, 0x06000000, 0},
    {"Data processing -- immediate (op0=100x)", "data processing immediate", 0x1c000000, 0x10000000, 0},
    {"Branches, exception generating and system (op0=101x)", "system instructions and registers", 0xffc00000,
     0xd5000000, 0x003fffe0},
    {"Branches, exception generating and system (op0=101x)", "branches, exception generation", 0x1c000000,
     0x14000000, 0},
    {"Loads and stores (op0=x1x0)", "integer loads and stores", 0x0e000000, 0x08000000, 0},
    {"Loads and stores (op0=x1x0)", "SIMD&FP loads and stores", 0x0e000000, 0x0c000000, 0},
    {"Data processing -- register (op0=x101)", "data processing register", 0x0e000000, 0x0a000000, 0},
    {"Data processing -- SIMD and FP (op0=x111)", "crypto AES", 0xff3e0c00, 0x4e280800, 0},
    {"Data processing -- SIMD and FP (op0=x111)", "crypto three-register SHA", 0xff208c00, 0x5e000000, 0},
    {"Data processing -- SIMD and FP (op0=x111)", "crypto two-register SHA", 0xff3e0c00, 0x5e280800, 0},
    {"Data processing -- SIMD and FP (op0=x111)", "crypto v8.2+ (SHA512, SHA3, SM3, SM4)", 0xfe000000, 0xce000000, 0},
    {"Data processing -- SIMD and FP (op0=x111)", "scalar floating point", 0x5e000000, 0x1e000000, 0},
    {"Data processing -- SIMD and FP (op0=x111)", "Advanced SIMD scalar", 0xde000000, 0x5e000000, 0},
    {"Data processing -- SIMD and FP (op0=x111)", "Advanced SIMD vector", 0x9e000000, 0x0e000000, 0},
    {"Data processing -- SIMD and FP (op0=x111)", "other SIMD&FP space", 0x0e000000, 0x0e000000, 0},
};
#define NCLASSES ((int)(sizeof(classes) / sizeof(classes[0])))

static int class_of(uint32_t w)
{
    for (int i = 0; i < NCLASSES; i++)
        if ((w & classes[i].mask) == classes[i].value)
            return i;
    return -1; /* cannot happen: the top-level classes cover every word */
}

/* ---------------- small utilities ---------------- */

static void die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "coverage-report: ");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n");
    va_end(ap);
    exit(2);
}

static void *xmalloc(size_t n)
{
    void *p = calloc(1, n ? n : 1);
    if (!p)
        die("out of memory");
    return p;
}

/* splitmix64: deterministic, so the committed report reproduces. */
static uint64_t rng_state;
static uint32_t rnd32(void)
{
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return (uint32_t)(z ^ (z >> 31));
}

/* ---------------- the sample ---------------- */

enum Mode { M_RANDOM, M_STRAT, M_NMODES };
static const char *const mode_names[M_NMODES] = {"uniform random", "stratified"};

enum FlStatus { FL_IMPL, FL_UNDEF, FL_NOPAT };
enum RefStatus { REF_UNALLOC, REF_NEWER, REF_BASE };

typedef struct Word {
    uint32_t w;
    uint8_t cls, mode, fl, ref;
    const InsnPattern *pat;
    char *text;       /* disassembly (mnemonic and operands), NULL if unallocated */
    int excl;         /* index of the exclusion rule that covers it, -1 if none */
} Word;

static Word *words;
static size_t nwords, capwords;

static void add_word(uint32_t w, int cls, int mode)
{
    if (nwords == capwords) {
        capwords = capwords ? capwords * 2 : 65536;
        words = realloc(words, capwords * sizeof(Word));
        if (!words)
            die("out of memory");
    }
    words[nwords++] = (Word){.w = w, .cls = (uint8_t)cls, .mode = (uint8_t)mode, .excl = -1};
}

static void sample_random(int per_class)
{
    for (int c = 0; c < NCLASSES; c++) {
        for (int n = 0, tries = 0; n < per_class && tries < per_class * 1000; tries++) {
            uint32_t w = (rnd32() & ~classes[c].mask) | classes[c].value;
            if (class_of(w) != c)
                continue; /* belongs to a more specific class listed earlier */
            add_word(w, c, M_RANDOM);
            n++;
        }
    }
}

/* Every combination of the opcode bits (by default bits 31:21 and 15:10, where
 * A64 keeps most opcode fields) not fixed by the class, each with `repeat`
 * random fillings of the register and immediate fields. */
static void sample_stratified(int repeat)
{
    for (int c = 0; c < NCLASSES; c++) {
        uint32_t eb = classes[c].enum_bits ? classes[c].enum_bits : 0xffe0fc00u;
        eb &= ~classes[c].mask;
        int rep = classes[c].enum_bits ? 1 : repeat; /* the system space is large: once */
        uint32_t sub = 0;
        do {
            for (int r = 0; r < rep; r++) {
                uint32_t w = (rnd32() & ~(classes[c].mask | eb)) | sub | classes[c].value;
                if (class_of(w) == c)
                    add_word(w, c, M_STRAT);
            }
            sub = (sub - eb) & eb;
        } while (sub);
    }
}

/* ---------------- flotilla's answer ---------------- */

/* A one-core machine with its devices, as machine_init() builds it up to the
 * kernel load: the board registers the GIC CPU interface and timer system
 * registers, which the MRS/MSR translate functions look up. */
static CPUState *scratch_cpu(void)
{
    static Machine m;
    m.opt.smp = 1;
    m.opt.ram_size = 16u << 20;
    m.opt.semihosting = true; /* as the guest tests run: HLT #0xf000 is implemented */
    m.log = stderr;
    pthread_mutex_init(&m.log_lock, NULL);
    pthread_mutex_init(&m.exit_lock, NULL);
    if (!physmap_init(&m.pm, RAM_BASE, m.opt.ram_size))
        die("physmap_init failed");
    m.ncpus = 1;
    m.cpus = xmalloc(sizeof(CPUState *));
    CPUState *cpu = aligned_alloc(64, (sizeof(CPUState) + 63) & ~(size_t)63);
    if (!cpu)
        die("out of memory");
    memset(cpu, 0, sizeof(*cpu));
    cpu->machine = &m;
    cpu->mpidr = 1ull << 31;
    cpu_reset(cpu, 0);
    m.cpus[0] = cpu;
    if (!devices_init(&m))
        die("devices_init failed");
    return cpu;
}

static void classify_flotilla(void)
{
    CPUState *cpu = scratch_cpu();
    IRBlock b;
    ir_block_init(&b, 0x40001000);
    for (size_t i = 0; i < nwords; i++) {
        Word *wd = &words[i];
        wd->pat = decode_lookup(wd->w);
        if (!wd->pat) {
            wd->fl = FL_NOPAT;
            continue;
        }
        /* The same call translate_block() makes, on a fresh scratch block. */
        b.nops = b.ntemps = b.ninsns = 0;
        DisasCtx ctx = {.b = &b, .cpu = cpu, .pc = 0x40001000, .tb_flags = 1 | TBF_FP, .insn = wd->w};
        bool ok = wd->pat->trans(&ctx, wd->w);
        for (uint32_t k = 0; ok && k < b.nops; k++)
            if (b.ops[k].opc == IR_RAISE && b.ops[k].aux == EXC_UNDEF)
                ok = false; /* accepted by the decoder but UNDEFINED (gen_undef) */
        wd->fl = ok ? FL_IMPL : FL_UNDEF;
    }
    ir_block_free(&b);
}

/* ---------------- the reference's answer ---------------- */

static char tmpdir[256];
static char binutils_version[128] = "unknown";
/* Assembler complaints other than "not supported": counted for the report. */
static size_t asm_other;
static char asm_other_example[256];

static void run(const char *cmd)
{
    int rc = system(cmd);
    if (rc == -1)
        die("cannot run: %s", cmd);
    (void)rc; /* as exits non-zero when some lines are rejected: expected */
}

static void run_version(const char *objdump)
{
    char cmd[600], line[256];
    snprintf(cmd, sizeof(cmd), "%s --version 2>/dev/null | head -1", objdump);
    FILE *p = popen(cmd, "r");
    if (p && fgets(line, sizeof(line), p)) {
        line[strcspn(line, "\n")] = 0;
        snprintf(binutils_version, sizeof(binutils_version), "%.120s", line);
    }
    if (p)
        pclose(p);
}

/* Disassemble words.bin; texts[i] = "mnemonic operands" (single spaces, no
 * comment) or NULL when objdump calls the word unallocated (.inst) or UDF. */
static void disassemble(const char *objdump, bool aliases, char **texts)
{
    char cmd[2048], line[1024];
    /* -z: objdump otherwise collapses runs of zero words into "...". */
    snprintf(cmd, sizeof(cmd), "%s -D -z -b binary -m aarch64 %s %s/words.bin", objdump,
             aliases ? "" : "-M no-aliases", tmpdir);
    FILE *p = popen(cmd, "r");
    if (!p)
        die("cannot run %s", cmd);
    size_t seen = 0;
    while (fgets(line, sizeof(line), p)) {
        char *q = line;
        while (*q == ' ')
            q++;
        char *end;
        unsigned long addr = strtoul(q, &end, 16);
        if (end == q || *end != ':' || end[1] != '\t')
            continue;
        q = end + 2;
        uint32_t w = (uint32_t)strtoul(q, &end, 16);
        if (end - q != 8 || addr % 4 || addr / 4 >= nwords || words[addr / 4].w != w)
            continue;
        q = end;
        while (*q == ' ' || *q == '\t')
            q++;
        q[strcspn(q, "\n")] = 0;
        char *cmt = strstr(q, "//");
        if (cmt)
            *cmt = 0;
        /* Normalise whitespace: the exclusion rules and the assembler see "mnem ops". */
        char norm[512];
        size_t n = 0;
        for (char *c = q; *c && n + 1 < sizeof(norm); c++) {
            char ch = (*c == '\t') ? ' ' : *c;
            if (ch == ' ' && (n == 0 || norm[n - 1] == ' '))
                continue;
            norm[n++] = ch;
        }
        while (n && norm[n - 1] == ' ')
            n--;
        norm[n] = 0;
        seen++;
        /* .inst: unallocated; UDF: the permanently UNDEFINED encoding */
        texts[addr / 4] = (!strncmp(norm, ".inst", 5) || !strncmp(norm, "udf ", 4)) ? NULL : strdup(norm);
    }
    pclose(p);
    if (seen != nwords)
        die("objdump disassembled %zu of %zu words", seen, nwords);
}

/* Assemble texts[i] for the words with sel[i] set; on return sel[i] is set
 * only for the words the assembler refused for the -march. */
static void assemble(const char *as, const char *march, char **texts, bool *sel, bool count_other)
{
    char path[512], cmd[2048], line[1024];
    size_t *line_word = xmalloc((nwords + 1) * sizeof(size_t));
    size_t nlines = 0;
    snprintf(path, sizeof(path), "%s/words.s", tmpdir);
    FILE *f = fopen(path, "w");
    if (!f)
        die("%s: %s", path, strerror(errno));
    for (size_t i = 0; i < nwords; i++) {
        if (!sel[i])
            continue;
        /* A pc-relative target prints as an absolute address, which the
         * assembler would take as an out-of-range offset: use "." instead,
         * since only the mnemonic and operand kinds matter here. */
        const char *t = texts[i];
        const char *last = strrchr(t, ' ');
        if (last && !strncmp(last, " 0x", 3) && last[3 + strspn(last + 3, "0123456789abcdef")] == 0)
            fprintf(f, "%.*s .\n", (int)(last - t), t);
        else
            fprintf(f, "%s\n", t);
        line_word[++nlines] = i;
        sel[i] = false;
    }
    fclose(f);
    snprintf(cmd, sizeof(cmd), "%s -march=%s -o %s/words.o %s/words.s 2>&1", as, march, tmpdir, tmpdir);
    FILE *p = popen(cmd, "r");
    if (!p)
        die("cannot run %s", cmd);
    while (fgets(line, sizeof(line), p)) {
        char *c = strstr(line, "words.s:");
        if (!c || !strstr(line, "Error:"))
            continue;
        size_t ln = strtoul(c + 8, NULL, 10);
        if (ln < 1 || ln > nlines)
            continue;
        /* Only "not supported by the selected processor" means a newer feature;
         * other complaints (constrained-unpredictable register choices) keep
         * the word in the base architecture, where objdump put it. */
        if (strstr(line, "selected processor does not support")) {
            sel[line_word[ln]] = true;
        } else if (count_other) {
            if (!asm_other++) {
                snprintf(asm_other_example, sizeof(asm_other_example), "%s", c);
                asm_other_example[strcspn(asm_other_example, "\n")] = 0;
            }
        }
    }
    pclose(p);
    free(line_word);
}

static void classify_reference(const char *objdump, const char *as, const char *march)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/words.bin", tmpdir);
    FILE *f = fopen(path, "wb");
    if (!f)
        die("%s: %s", path, strerror(errno));
    for (size_t i = 0; i < nwords; i++) {
        uint8_t le[4] = {(uint8_t)words[i].w, (uint8_t)(words[i].w >> 8), (uint8_t)(words[i].w >> 16),
                         (uint8_t)(words[i].w >> 24)};
        fwrite(le, 1, 4, f);
    }
    fclose(f);
    run_version(objdump);

    char **texts = xmalloc(nwords * sizeof(char *));
    bool *sel = xmalloc(nwords * sizeof(bool));
    disassemble(objdump, true, texts);
    for (size_t i = 0; i < nwords; i++) {
        words[i].text = texts[i];
        words[i].ref = texts[i] ? REF_BASE : REF_UNALLOC;
        sel[i] = texts[i] != NULL;
    }
    assemble(as, march, texts, sel, true);
    /* The assembler refuses some aliases introduced later for encodings of
     * the base architecture (BFC for BFM, BTI for HINT...): a word is newer
     * only if its underlying instruction is refused too. SYS is not rescued:
     * a newer DC/TLBI/AT operation is not an ARMv8.0 instruction. */
    char **raw = xmalloc(nwords * sizeof(char *));
    disassemble(objdump, false, raw);
    for (size_t i = 0; i < nwords; i++)
        if (sel[i] && (!raw[i] || !strncmp(raw[i], "sys", 3)))
            sel[i] = false, words[i].ref = REF_NEWER;
    assemble(as, march, raw, sel, false);
    for (size_t i = 0; i < nwords; i++) {
        if (texts[i] && words[i].ref == REF_BASE && sel[i])
            words[i].ref = REF_NEWER;
        free(raw[i]);
    }
    free(raw);
    free(sel);
    free(texts);
}

/* ---------------- exclusions ---------------- */

/* A rule: optional bit conditions "@MASK=VALUE" / "@MASK!=VALUE" (for
 * fields the disassembly does not show, e.g. should-be-one fields), then a
 * POSIX ERE over the disassembly. */
typedef struct Excl {
    char *pattern, *reason;
    regex_t re;
    int nconds;
    struct { uint32_t mask, value; bool neg; } cond[4];
    size_t hits;
} Excl;
static Excl *excls;
static int nexcls;

static void load_exclusions(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        die("%s: %s", path, strerror(errno));
    char line[1024];
    int ln = 0;
    while (fgets(line, sizeof(line), f)) {
        ln++;
        line[strcspn(line, "\n")] = 0;
        char *s = line;
        while (isspace((unsigned char)*s))
            s++;
        if (!*s || *s == '#')
            continue;
        char *sep = strstr(s, " :: ");
        if (!sep)
            die("%s:%d: expected \"REGEX :: reason\"", path, ln);
        *sep = 0;
        char *reason = sep + 4;
        while (isspace((unsigned char)*reason))
            reason++;
        if (!*reason)
            die("%s:%d: an exclusion needs a reason", path, ln);
        excls = realloc(excls, (size_t)(nexcls + 1) * sizeof(Excl));
        if (!excls)
            die("out of memory");
        Excl *e = &excls[nexcls];
        memset(e, 0, sizeof(*e));
        e->pattern = strdup(s);
        e->reason = strdup(reason);
        while (*s == '@') {
            char *end;
            if (e->nconds == 4)
                die("%s:%d: at most 4 bit conditions", path, ln);
            e->cond[e->nconds].mask = (uint32_t)strtoul(s + 1, &end, 0);
            e->cond[e->nconds].neg = *end == '!';
            end += e->cond[e->nconds].neg;
            if (*end != '=')
                die("%s:%d: expected @MASK=VALUE or @MASK!=VALUE", path, ln);
            e->cond[e->nconds].value = (uint32_t)strtoul(end + 1, &end, 0);
            e->nconds++;
            s = end;
            while (*s == ' ')
                s++;
        }
        if (regcomp(&e->re, s, REG_EXTENDED | REG_NOSUB))
            die("%s:%d: bad regular expression: %s", path, ln, s);
        nexcls++;
    }
    fclose(f);
}

static bool excl_conds(const Excl *e, uint32_t w)
{
    for (int i = 0; i < e->nconds; i++)
        if (((w & e->cond[i].mask) == e->cond[i].value) == e->cond[i].neg)
            return false;
    return true;
}

/* ---------------- aggregation by instruction ---------------- */

/* Groups words by mnemonic (and system register / operation name for MRS,
 * MSR, SYS, SYSL), which is what a reader acts on. */
typedef struct Agg {
    char key[96];
    size_t count;
    uint32_t example;
    const char *text;
    const char *pat;
    int excl;
    int cls;
} Agg;

static void agg_key(const Word *wd, char *key, size_t n)
{
    if (!wd->text) {
        snprintf(key, n, "(unallocated) %s", wd->pat ? wd->pat->name : "");
        return;
    }
    const char *t = wd->text;
    size_t m = strcspn(t, " ");
    snprintf(key, n, "%.*s", (int)m, t);
    if (!strcmp(key, "mrs") || !strcmp(key, "msr") || !strcmp(key, "sys") || !strcmp(key, "sysl")) {
        /* the operand naming the register/operation: not a general register */
        const char *ops = t + m;
        char buf[64];
        const char *c = ops;
        while (*c) {
            while (*c == ' ' || *c == ',')
                c++;
            size_t l = strcspn(c, " ,");
            if (!l)
                break;
            snprintf(buf, sizeof(buf), "%.*s", (int)l, c);
            bool gpr = (buf[0] == 'x' || buf[0] == 'w') && (isdigit((unsigned char)buf[1]) || !strcmp(buf + 1, "zr"));
            bool crn = buf[0] == 'C' && isdigit((unsigned char)buf[1]);
            if (!gpr && !crn && buf[0] != '#') {
                size_t kl = strlen(key);
                /* unnamed encodings sN_M_cX_cY_Z are grouped together */
                snprintf(key + kl, n - kl, " %s", buf[0] == 's' && isdigit((unsigned char)buf[1]) ? "<S-encoding>" : buf);
                break;
            }
            c += l;
        }
    }
}

static Agg *aggregate(bool (*want)(const Word *), size_t *nout)
{
    Agg *a = NULL;
    size_t n = 0, cap = 0;
    for (size_t i = 0; i < nwords; i++) {
        const Word *wd = &words[i];
        if (!want(wd))
            continue;
        char key[96];
        agg_key(wd, key, sizeof(key));
        size_t j;
        for (j = 0; j < n; j++)
            if (!strcmp(a[j].key, key) && a[j].excl == wd->excl)
                break;
        if (j == n) {
            if (n == cap) {
                cap = cap ? cap * 2 : 256;
                a = realloc(a, cap * sizeof(Agg));
                if (!a)
                    die("out of memory");
            }
            a[n] = (Agg){.count = 0, .example = wd->w, .text = wd->text, .pat = wd->pat ? wd->pat->name : NULL,
                         .excl = wd->excl, .cls = wd->cls};
            snprintf(a[n].key, sizeof(a[n].key), "%s", key);
            n++;
        }
        a[j].count++;
    }
    *nout = n;
    return a;
}

static int cmp_agg(const void *x, const void *y)
{
    const Agg *a = x, *b = y;
    if (a->excl != b->excl)
        return a->excl - b->excl;
    if (a->count != b->count)
        return a->count < b->count ? 1 : -1;
    return strcmp(a->key, b->key);
}

static bool is_notimpl(const Word *wd) { return wd->ref == REF_BASE && wd->fl != FL_IMPL; }
static bool is_notimpl_unexcl(const Word *wd) { return is_notimpl(wd) && wd->excl < 0; }
static bool is_newer(const Word *wd) { return wd->ref == REF_NEWER && wd->fl != FL_IMPL; }
static bool is_extra(const Word *wd) { return wd->ref != REF_BASE && wd->fl == FL_IMPL; }

/* ---------------- report ---------------- */

typedef struct Counts {
    size_t total, impl, unalloc, newer, notimpl_excl, notimpl, extra_unalloc, extra_newer;
} Counts;

static void count(Counts *c, const Word *wd)
{
    c->total++;
    if (wd->fl == FL_IMPL) {
        if (wd->ref == REF_BASE)
            c->impl++;
        else if (wd->ref == REF_NEWER)
            c->extra_newer++;
        else
            c->extra_unalloc++;
    } else if (wd->ref == REF_UNALLOC) {
        c->unalloc++;
    } else if (wd->ref == REF_NEWER) {
        c->newer++;
    } else if (wd->excl >= 0) {
        c->notimpl_excl++;
    } else {
        c->notimpl++;
    }
}

static void pct(FILE *o, size_t a, size_t b)
{
    if (b)
        fprintf(o, "%.1f%%", 100.0 * (double)a / (double)b);
    else
        fprintf(o, "-");
}

static void print_table(FILE *o, int mode)
{
    fprintf(o, "| class | sub-class | words | implemented | coverage | not impl. | excluded | newer feature | "
               "unallocated | accepted beyond reference |\n");
    fprintf(o, "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    Counts all = {0};
    for (int c = 0; c < NCLASSES; c++) {
        Counts k = {0};
        for (size_t i = 0; i < nwords; i++)
            if (words[i].cls == c && words[i].mode == mode) {
                count(&k, &words[i]);
                count(&all, &words[i]);
            }
        if (!k.total)
            continue;
        fprintf(o, "| %s | %s | %zu | %zu | ", classes[c].top, classes[c].name, k.total, k.impl);
        pct(o, k.impl, k.impl + k.notimpl + k.notimpl_excl);
        fprintf(o, " | %zu | %zu | %zu | %zu | %zu |\n", k.notimpl, k.notimpl_excl, k.newer, k.unalloc,
                k.extra_unalloc + k.extra_newer);
    }
    fprintf(o, "| **all** | | %zu | %zu | ", all.total, all.impl);
    pct(o, all.impl, all.impl + all.notimpl + all.notimpl_excl);
    fprintf(o, " | %zu | %zu | %zu | %zu | %zu |\n\n", all.notimpl, all.notimpl_excl, all.newer, all.unalloc,
            all.extra_unalloc + all.extra_newer);
}

static const char *cls_short(int c) { return classes[c].name; }

static void print_agg_list(FILE *o, Agg *a, size_t n, size_t limit, bool with_reason)
{
    fprintf(o, "| instruction | words | example | disassembly | flotilla pattern | class |%s\n",
            with_reason ? " exclusion |" : "");
    fprintf(o, "|---|---:|---|---|---|---|%s\n", with_reason ? "---|" : "");
    for (size_t i = 0; i < n && i < limit; i++) {
        fprintf(o, "| `%s` | %zu | `%08" PRIx32 "` | `%s` | %s | %s |", a[i].key, a[i].count, a[i].example,
                a[i].text ? a[i].text : "", a[i].pat ? a[i].pat : "(none)", cls_short(a[i].cls));
        if (with_reason)
            fprintf(o, " %s |", a[i].excl >= 0 ? excls[a[i].excl].reason : "");
        fprintf(o, "\n");
    }
    if (n > limit)
        fprintf(o, "\n(%zu more groups not shown)\n", n - limit);
    fprintf(o, "\n");
}

static int cmp_str(const void *x, const void *y) { return strcmp(*(const char *const *)x, *(const char *const *)y); }

static void print_patterns(FILE *o)
{
    int n;
    const InsnPattern *t = decode_table(&n);
    fprintf(o, "## Patterns flotilla implements, by class\n\n");
    fprintf(o, "%d patterns in decode_table() (cpu/a64/*.def). A pattern is listed under the first class "
               "that contains all of it, or (marked *) the first class it overlaps.\n\n", n);
    const char **names = xmalloc((size_t)n * sizeof(char *));
    for (int c = 0; c < NCLASSES; c++) {
        int k = 0;
        for (int i = 0; i < n; i++) {
            const InsnPattern *p = &t[i];
            int home = -1;
            bool inside = false;
            for (int d = 0; d < NCLASSES && home < 0; d++)
                if ((classes[d].mask & ~p->mask) == 0 && ((p->value ^ classes[d].value) & classes[d].mask) == 0)
                    home = d, inside = true;
            for (int d = 0; d < NCLASSES && home < 0; d++)
                if (((p->value ^ classes[d].value) & classes[d].mask & p->mask) == 0)
                    home = d;
            if (home != c)
                continue;
            char *s = xmalloc(strlen(p->name) + 2);
            sprintf(s, "%s%s", p->name, inside ? "" : "*");
            names[k++] = s;
        }
        if (!k)
            continue;
        qsort(names, (size_t)k, sizeof(char *), cmp_str);
        fprintf(o, "**%s / %s** (%d): ", classes[c].top, classes[c].name, k);
        for (int i = 0; i < k; i++) {
            fprintf(o, "%s%s", i ? ", " : "", names[i]);
            free((void *)names[i]);
        }
        fprintf(o, "\n\n");
    }
    free(names);
}

static void usage(void)
{
    fprintf(stderr,
            "usage: coverage-report [--random N] [--repeat R] [--seed S] [--march M]\n"
            "                       [--objdump PATH] [--as PATH] [--exclusions FILE]\n"
            "                       [--output FILE] [--check]\n");
    exit(2);
}

int main(int argc, char **argv)
{
    int per_class = 20000, repeat = 2;
    uint64_t seed = 1;
    const char *march = "armv8-a+lse+crypto+crc";
    const char *objdump = "aarch64-linux-gnu-objdump", *as = "aarch64-linux-gnu-as";
    const char *excl_path = NULL, *out_path = NULL;
    bool check = false;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--check")) {
            check = true;
            continue;
        }
        if (!v)
            usage();
        i++;
        if (!strcmp(a, "--random"))
            per_class = atoi(v);
        else if (!strcmp(a, "--repeat"))
            repeat = atoi(v);
        else if (!strcmp(a, "--seed"))
            seed = strtoull(v, NULL, 0);
        else if (!strcmp(a, "--march"))
            march = v;
        else if (!strcmp(a, "--objdump"))
            objdump = v;
        else if (!strcmp(a, "--as"))
            as = v;
        else if (!strcmp(a, "--exclusions"))
            excl_path = v;
        else if (!strcmp(a, "--output"))
            out_path = v;
        else
            usage();
    }
    rng_state = seed;
    if (excl_path)
        load_exclusions(excl_path);

    snprintf(tmpdir, sizeof(tmpdir), "%s/flotilla-coverage-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    if (!mkdtemp(tmpdir))
        die("mkdtemp: %s", strerror(errno));

    decode_init();
    sample_random(per_class);
    sample_stratified(repeat);
    classify_flotilla();
    classify_reference(objdump, as, march);

    for (size_t i = 0; i < nwords; i++) {
        Word *wd = &words[i];
        if (!is_notimpl(wd) || !wd->text)
            continue;
        for (int e = 0; e < nexcls; e++)
            if (excl_conds(&excls[e], wd->w) && !regexec(&excls[e].re, wd->text, 0, NULL, 0)) {
                wd->excl = e;
                excls[e].hits++;
                break;
            }
    }

    char cmd[600];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
    run(cmd);

    FILE *o = stdout;
    if (out_path && !(o = fopen(out_path, "w")))
        die("%s: %s", out_path, strerror(errno));

    size_t nfail = 0;
    for (size_t i = 0; i < nwords; i++)
        nfail += is_notimpl_unexcl(&words[i]);

    fprintf(o, "# A64 encoding coverage\n\n");
    fprintf(o, "Generated by `scripts/coverage-report.sh` (scripts/coverage.c); do not edit by hand.\n\n");
    fprintf(o, "Parameters: seed %" PRIu64 ", %d uniform random words per class, stratified sampling with %d "
               "random filling(s) per opcode combination; reference `%s` and `as -march=%s`; "
               "flotilla translates at EL1 with FP/SIMD enabled. %zu words in all.\n\n",
            seed, per_class, repeat, binutils_version, march, nwords);
    if (asm_other)
        fprintf(o, "The assembler refused %zu disassembled words for reasons other than the -march (kept as "
                   "allocated base-architecture words), e.g. `%s`.\n\n", asm_other, asm_other_example);
    fprintf(o, "How to read it: *implemented* = a pattern decodes the word and its translate function accepts "
               "it; *not impl.* = binutils decodes it for `%s` but flotilla raises UNDEFINED and no exclusion "
               "covers it; *excluded* = the same, covered by docs/coverage-exclusions.txt; *newer feature* = "
               "binutils decodes it but the assembler refuses it for that -march (flotilla rejects it, as the "
               "ID registers say); *unallocated* = objdump prints `.inst`/`udf` and flotilla rejects it; "
               "*accepted beyond reference* = flotilla accepts a word the reference calls unallocated or newer "
               "(worth a look: it should probably be UNDEFINED). Coverage = implemented / (implemented + not "
               "impl. + excluded). Uniform sampling weighs each class by encoding-space size; stratified "
               "sampling enumerates the opcode bits (31:21 and 15:10; 21:5 for system instructions), so "
               "every instruction with its opcode there is hit.\n\n", march);
    for (int m = 0; m < M_NMODES; m++) {
        fprintf(o, "## Coverage, %s sampling\n\n", mode_names[m]);
        print_table(o, m);
    }

    size_t na;
    Agg *a = aggregate(is_notimpl_unexcl, &na);
    if (na) /* qsort(NULL, 0) is undefined: nothing was aggregated */
        qsort(a, na, sizeof(Agg), cmp_agg);
    fprintf(o, "## Not implemented (allocated in %s, rejected by flotilla, not excluded)\n\n", march);
    if (na)
        print_agg_list(o, a, na, 400, false);
    else
        fprintf(o, "None.\n\n");
    if (check || !out_path) {
        /* stderr: what makes the check red */
        for (size_t i = 0; i < na; i++)
            fprintf(stderr, "not implemented: %-28s %6zu words, e.g. %08" PRIx32 " %s (pattern %s)\n", a[i].key,
                    a[i].count, a[i].example, a[i].text ? a[i].text : "", a[i].pat ? a[i].pat : "none");
    }
    free(a);

    fprintf(o, "## Exclusions (docs/coverage-exclusions.txt)\n\n");
    fprintf(o, "Not-implemented words the project chose to leave out, with the reason.\n\n");
    fprintf(o, "| rule (ERE over the disassembly) | words | reason |\n|---|---:|---|\n");
    for (int e = 0; e < nexcls; e++)
        fprintf(o, "| `%s` | %zu | %s |\n", excls[e].pattern, excls[e].hits, excls[e].reason);
    fprintf(o, "\n");
    a = aggregate(is_notimpl, &na);
    if (na) /* qsort(NULL, 0) is undefined: nothing was aggregated */
        qsort(a, na, sizeof(Agg), cmp_agg);
    size_t ne = 0;
    for (size_t i = 0; i < na; i++)
        if (a[i].excl >= 0)
            a[ne++] = a[i];
    if (ne) {
        fprintf(o, "Excluded instructions found in the sample:\n\n");
        print_agg_list(o, a, ne, 300, true);
    }
    free(a);

    fprintf(o, "## Out of scope by design\n\n"
               "- AArch32 (A32/T32): flotilla implements AArch64 only, at EL0 and EL1; no AArch32 encodings "
               "are decoded.\n"
               "- SVE, SVE2 and SME (op0 = 0010, op0 = 0000 with bit 31 set): not implemented, not advertised "
               "(ID_AA64PFR0.SVE = 0, ID_AA64PFR1.SME = 0).\n"
               "- EL2 and EL3: not implemented, so their system registers and instructions (ERET variants, "
               "TLBI ...E2/E3, AT S1E2, *_EL2/*_EL3 registers) are UNDEFINED at EL1.\n"
               "- Features after ARMv8.0 other than LSE atomics, AES/SHA1/SHA256/PMULL64 and CRC32: FP16 "
               "arithmetic, RDM (SQRDMLAH), dot product, FCMA/JSCVT, RCpc (LDAPR), pointer authentication, "
               "MTE, BTI (the HINT space is implemented, so BTI and PAC hints execute as NOPs), flag "
               "manipulation, FRINTTS, BF16, I8MM, SHA512/SHA3/SM3/SM4, LS64, MOPS... The assembler rejects "
               "them for `%s`; they appear as *newer feature* above. Most common ones in the sample:\n\n",
            march);
    a = aggregate(is_newer, &na);
    if (na) /* qsort(NULL, 0) is undefined: nothing was aggregated */
        qsort(a, na, sizeof(Agg), cmp_agg);
    for (size_t i = 0; i < na && i < 60; i++)
        fprintf(o, "%s`%s` (%zu)", i ? ", " : "", a[i].key, a[i].count);
    fprintf(o, "%s\n\n", na > 60 ? ", ..." : "");
    free(a);

    a = aggregate(is_extra, &na);
    if (na) /* qsort(NULL, 0) is undefined: nothing was aggregated */
        qsort(a, na, sizeof(Agg), cmp_agg);
    fprintf(o, "## Accepted beyond the reference\n\n"
               "Words flotilla accepts although objdump calls them unallocated (or the assembler a newer "
               "feature). Some are binutils being strict about CONSTRAINED UNPREDICTABLE or reserved fields; "
               "the rest should become UNDEFINED.\n\n");
    if (na)
        print_agg_list(o, a, na, 200, false);
    else
        fprintf(o, "None.\n\n");
    free(a);

    print_patterns(o);
    if (o != stdout)
        fclose(o);

    if (check) {
        printf("coverage: %zu words sampled, %zu allocated base-architecture words not implemented and not "
               "excluded\n",
               nwords, nfail);
        return nfail ? 1 : 0;
    }
    return 0;
}
