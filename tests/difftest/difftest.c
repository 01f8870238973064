/* difftest: differential tester of flotilla's A64 instructions against
 * qemu-aarch64-static (see docs/difftest.md), integer mode or FP/SIMD mode
 * (--fpsimd).
 *
 * For each batch of up to DT_MAX_SEQ seeds: generate the sequences (gen.c),
 * patch a copy of each harness ELF (code chunks, slots, dump header), run
 * `qemu-aarch64-static -cpu cortex-a76 q.elf` (FP/SIMD mode: cortex-a72) and
 * `flotilla -semihosting -kernel f.elf` side by side, and compare for every
 * sequence X0-X30, SP, NZCV, the fault records (as classes) and the scratch
 * memory, and in FP/SIMD mode V0-V31 (128 bits each), FPCR and FPSR. For a mismatching seed, the same sequence is rerun truncated after
 * each unit (all truncations in one batch) to find the first instruction
 * whose result differs; mismatches are reported grouped by that instruction.
 * Host program: single-threaded (child processes only). */
#define _GNU_SOURCE
#include <capstone/capstone.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cpu/decode.h"
#include "gen.h"

/* ---------------------------------------------------------------- options */

static const char *opt_qemu = "qemu-aarch64-static";
static const char *opt_qemu_cpu;       /* default: cortex-a76, FP/SIMD mode cortex-a72 */
static const char *opt_exclude;
static const char *opt_flotilla;
static const char *opt_qemu_elf, *opt_flotilla_elf;
static uint64_t opt_seed = 1, opt_count = 0, opt_insns = 0;
static int opt_batch = DT_MAX_SEQ;
static int opt_max_report = 5;
static int opt_max_attrib = 300;
static bool opt_list, opt_verbose, opt_keep;
static int opt_timeout = 120;
static char *opt_flotilla_args[16];
static int opt_nflotilla_args;

/* ---------------------------------------------------------------- ELF images */

typedef struct Image {
    const char *path;
    uint8_t *data, *work;
    size_t size;
    Elf64_Phdr ph[16];
    int nph;
    uint64_t sym_code, sym_common_init, sym_finish, sym_hdr, sym_slots;
} Image;

static void die(const char *fmt, const char *arg)
{
    fprintf(stderr, "difftest: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\n");
    exit(2);
}

static uint8_t *read_file(const char *path, size_t *size)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *b = malloc(n > 0 ? (size_t)n : 1);
    if (n < 0 || fread(b, 1, (size_t)n, f) != (size_t)n) {
        fclose(f);
        free(b);
        return NULL;
    }
    fclose(f);
    *size = (size_t)n;
    return b;
}

static void image_load(Image *im, const char *path)
{
    im->path = path;
    im->data = read_file(path, &im->size);
    if (!im->data)
        die("cannot read %s", path);
    Elf64_Ehdr *eh = (Elf64_Ehdr *)im->data;
    if (im->size < sizeof(*eh) || memcmp(eh->e_ident, ELFMAG, SELFMAG) || eh->e_machine != EM_AARCH64)
        die("%s: not an AArch64 ELF", path);
    for (int i = 0; i < eh->e_phnum && im->nph < 16; i++) {
        Elf64_Phdr *p = (Elf64_Phdr *)(im->data + eh->e_phoff + (size_t)i * eh->e_phentsize);
        if (p->p_type == PT_LOAD)
            im->ph[im->nph++] = *p;
    }
    Elf64_Shdr *sh = (Elf64_Shdr *)(im->data + eh->e_shoff);
    for (int i = 0; i < eh->e_shnum; i++) {
        if (sh[i].sh_type != SHT_SYMTAB)
            continue;
        Elf64_Sym *sym = (Elf64_Sym *)(im->data + sh[i].sh_offset);
        const char *str = (const char *)(im->data + sh[sh[i].sh_link].sh_offset);
        for (size_t k = 0; k < sh[i].sh_size / sizeof(Elf64_Sym); k++) {
            const char *n = str + sym[k].st_name;
            if (!strcmp(n, "dt_code")) im->sym_code = sym[k].st_value;
            else if (!strcmp(n, "dt_common_init")) im->sym_common_init = sym[k].st_value;
            else if (!strcmp(n, "dt_finish")) im->sym_finish = sym[k].st_value;
            else if (!strcmp(n, "dt_hdr")) im->sym_hdr = sym[k].st_value;
            else if (!strcmp(n, "dt_slots")) im->sym_slots = sym[k].st_value;
        }
    }
    if (im->sym_code != DT_CODE_ADDR || im->sym_slots != DT_SLOTS_ADDR || !im->sym_finish ||
        !im->sym_common_init || im->sym_hdr != DT_DATA_ADDR)
        die("%s: harness symbols missing or not at the layout.h addresses", path);
    im->work = malloc(im->size);
}

/* File bytes backing guest address va (n bytes) in the work copy. */
static uint8_t *image_at(Image *im, uint64_t va, size_t n)
{
    for (int i = 0; i < im->nph; i++) {
        Elf64_Phdr *p = &im->ph[i];
        if (va >= p->p_vaddr && va + n <= p->p_vaddr + p->p_filesz)
            return im->work + p->p_offset + (va - p->p_vaddr);
    }
    fprintf(stderr, "difftest: %s: address 0x%" PRIx64 " not in a loaded segment\n", im->path, va);
    exit(2);
}

static void put32(Image *im, uint64_t va, uint32_t v) { memcpy(image_at(im, va, 4), &v, 4); }
static void put64(Image *im, uint64_t va, uint64_t v) { memcpy(image_at(im, va, 8), &v, 8); }

/* Patch a batch of sequences (ascending chunks) into the work copy. */
static void image_patch(Image *im, GenSeq *const *seqs, int n)
{
    memcpy(im->work, im->data, im->size);
    put32(im, im->sym_common_init, gen_enc_b(im->sym_common_init, gen_chunk_addr(seqs[0]->chunk)));
    for (int i = 0; i < n; i++) {
        const GenSeq *q = seqs[i];
        uint64_t ca = gen_chunk_addr(q->chunk), sa = gen_slot_addr(q->chunk);
        memcpy(image_at(im, ca, sizeof(q->code)), q->code, sizeof(q->code));
        uint64_t link = ca + 4 * (uint64_t)q->link_word;
        put32(im, link, gen_enc_b(link, i + 1 < n ? gen_chunk_addr(seqs[i + 1]->chunk) : im->sym_finish));
        memcpy(image_at(im, sa, DT_SCRATCH_SIZE), q->scratch, DT_SCRATCH_SIZE);
        uint64_t init = sa + DT_SCRATCH_SIZE + INIT_OFF;
        for (int r = 0; r < 31; r++)
            put64(im, init + 8 * (uint64_t)r, q->init_x[r]);
        put64(im, init + 248, q->init_sp);
        put64(im, init + 256, q->init_nzcv);
        if (gen_fpsimd()) {
            put64(im, sa + DT_SCRATCH_SIZE + INIT_FPCR, q->init_fpcr);
            put64(im, sa + DT_SCRATCH_SIZE + INIT_FPSR, q->init_fpsr);
            for (int r = 0; r < 32; r++) {
                put64(im, sa + DT_SCRATCH_SIZE + INIT_V(r), q->init_v[r][0]);
                put64(im, sa + DT_SCRATCH_SIZE + INIT_V(r) + 8, q->init_v[r][1]);
            }
        }
    }
    put64(im, DT_DATA_ADDR + HDR_DUMP_ADDR, gen_slot_addr(seqs[0]->chunk));
    put64(im, DT_DATA_ADDR + HDR_DUMP_LEN,
          (uint64_t)(seqs[n - 1]->chunk - seqs[0]->chunk + 1) * DT_SLOT_SIZE);
}

/* ---------------------------------------------------------------- processes */

static char tmpdir[256];

static bool write_file(const char *path, const void *b, size_t n)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return false;
    bool ok = fwrite(b, 1, n, f) == n;
    return fclose(f) == 0 && ok;
}

static pid_t spawn(char *const argv[], const char *out, const char *err)
{
    pid_t pid = fork();
    if (pid < 0)
        die("fork: %s", strerror(errno));
    if (pid == 0) {
        int fo = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        int fe = open(err, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        int fi = open("/dev/null", O_RDONLY);
        if (fo < 0 || fe < 0 || fi < 0)
            _exit(127);
        dup2(fi, 0);
        dup2(fo, 1);
        dup2(fe, 2);
        execvp(argv[0], argv);
        _exit(127);
    }
    return pid;
}

/* Wait for both children, killing them (by pid) after the timeout. */
static void wait_both(pid_t p[2], int status[2])
{
    bool done[2] = { false, false };
    struct timespec t0, now;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    while (!done[0] || !done[1]) {
        for (int i = 0; i < 2; i++) {
            if (done[i])
                continue;
            pid_t r = waitpid(p[i], &status[i], WNOHANG);
            if (r == p[i])
                done[i] = true;
        }
        clock_gettime(CLOCK_MONOTONIC, &now);
        if (now.tv_sec - t0.tv_sec > opt_timeout) {
            for (int i = 0; i < 2; i++)
                if (!done[i]) {
                    kill(p[i], SIGKILL);
                    waitpid(p[i], &status[i], 0);
                    status[i] = -1;
                    done[i] = true;
                }
        }
        if (!done[0] || !done[1])
            nanosleep(&(struct timespec){ 0, 1000000 }, NULL);
    }
}

typedef struct RunOut {
    uint8_t *buf[2];
    size_t len[2];
    int status[2];
    char err[2][512];
} RunOut;

enum { QEMU = 0, FLOT = 1 };
static const char *const side_name[2] = { "qemu", "flotilla" };
static Image img[2];
static uint64_t nruns;

static void run_batch(GenSeq *const *seqs, int n, RunOut *o)
{
    char elf[2][300], out[2][300], err[2][300];
    for (int s = 0; s < 2; s++) {
        image_patch(&img[s], seqs, n);
        snprintf(elf[s], sizeof(elf[s]), "%s/%s.elf", tmpdir, side_name[s]);
        snprintf(out[s], sizeof(out[s]), "%s/%s.out", tmpdir, side_name[s]);
        snprintf(err[s], sizeof(err[s]), "%s/%s.err", tmpdir, side_name[s]);
        if (!write_file(elf[s], img[s].work, img[s].size))
            die("cannot write %s", elf[s]);
        chmod(elf[s], 0755);
    }
    char *qa[] = { (char *)opt_qemu, "-cpu", (char *)opt_qemu_cpu, elf[QEMU], NULL };
    char *fa[32] = { (char *)opt_flotilla, "-semihosting", "-max-insns", "200000000" };
    int na = 4;
    for (int i = 0; i < opt_nflotilla_args; i++)
        fa[na++] = opt_flotilla_args[i];
    fa[na++] = "-kernel";
    fa[na++] = elf[FLOT];
    fa[na] = NULL;
    pid_t p[2] = { spawn(qa, out[QEMU], err[QEMU]), spawn(fa, out[FLOT], err[FLOT]) };
    wait_both(p, o->status);
    nruns++;
    for (int s = 0; s < 2; s++) {
        o->buf[s] = read_file(out[s], &o->len[s]);
        if (!o->buf[s])
            o->len[s] = 0;
        size_t el = 0;
        uint8_t *e = read_file(err[s], &el);
        o->err[s][0] = 0;
        if (e) {
            size_t from = el > sizeof(o->err[s]) - 1 ? el - (sizeof(o->err[s]) - 1) : 0;
            memcpy(o->err[s], e + from, el - from);
            o->err[s][el - from] = 0;
            free(e);
        }
    }
}

static void run_free(RunOut *o)
{
    free(o->buf[0]);
    free(o->buf[1]);
}

/* ---------------------------------------------------------------- compare */

typedef struct State {
    bool present;
    uint64_t x[31], sp, nzcv, nfaults, done;
    uint64_t v[32][2], fpcr, fpsr;
    uint64_t fpc[DT_MAX_FAULTS], fcode[DT_MAX_FAULTS];
    uint8_t scratch[DT_SCRATCH_SIZE];
} State;

static void state_get(State *st, const RunOut *o, int side, int first_chunk, int chunk)
{
    memset(st, 0, sizeof(*st));
    size_t off = (size_t)(chunk - first_chunk) * DT_SLOT_SIZE;
    if (o->len[side] < off + DT_SLOT_SIZE)
        return;
    const uint8_t *s = o->buf[side] + off;
    st->present = true;
    memcpy(st->scratch, s, DT_SCRATCH_SIZE);
    const uint8_t *ob = s + DT_SCRATCH_SIZE;
    memcpy(st->x, ob, sizeof(st->x));
    memcpy(&st->sp, ob + OUT_SP, 8);
    memcpy(&st->nzcv, ob + OUT_NZCV, 8);
    memcpy(&st->nfaults, ob + OUT_NFAULTS, 8);
    memcpy(&st->done, ob + OUT_DONE, 8);
    memcpy(&st->fpcr, ob + OUT_FPCR, 8);
    memcpy(&st->fpsr, ob + OUT_FPSR, 8);
    memcpy(st->v, ob + OUT_V(0), sizeof(st->v));
    for (int i = 0; i < DT_MAX_FAULTS; i++) {
        memcpy(&st->fpc[i], ob + OUT_FAULTS + 16 * i, 8);
        memcpy(&st->fcode[i], ob + OUT_FAULTS + 16 * i + 8, 8);
    }
}

enum FaultClass { FC_UNDEF, FC_DABT, FC_ALIGN, FC_BRK, FC_OTHER };
static const char *const fc_name[] = { "UNDEF", "data-abort", "alignment", "BRK", "other" };

static int fault_class(int side, uint64_t code)
{
    if (side == QEMU) {
        switch (code) {
        case 4: return FC_UNDEF;   /* SIGILL */
        case 11: return FC_DABT;   /* SIGSEGV */
        case 7: return FC_ALIGN;   /* SIGBUS */
        case 5: return FC_BRK;     /* SIGTRAP */
        default: return FC_OTHER;
        }
    }
    unsigned ec = (unsigned)(code >> 26) & 0x3f;
    switch (ec) {
    case 0x00: return FC_UNDEF;
    case 0x24: case 0x25: return (code & 0x3f) == 0x21 ? FC_ALIGN : FC_DABT;
    case 0x22: case 0x26: return FC_ALIGN;
    case 0x3c: return FC_BRK;
    default: return FC_OTHER;
    }
}

/* Compare; append a description of the differences to buf (if non-NULL). */
static bool states_equal(const State *q, const State *f, char *buf, size_t bn)
{
    size_t len = buf ? strlen(buf) : 0;
    bool eq = true;
#define OUT(...) do { eq = false; if (buf && len < bn) len += (size_t)snprintf(buf + len, bn - len, __VA_ARGS__); } while (0)
    if (!q->present || !f->present || q->done != DT_DONE_MAGIC || f->done != DT_DONE_MAGIC) {
        OUT("    sequence did not complete: qemu %s, flotilla %s\n",
            !q->present ? "no output" : q->done != DT_DONE_MAGIC ? "no epilogue" : "ok",
            !f->present ? "no output" : f->done != DT_DONE_MAGIC ? "no epilogue" : "ok");
        if (!q->present || !f->present)
            return false;
    }
    for (int i = 0; i < 31; i++)
        if (q->x[i] != f->x[i])
            OUT("    x%-2d expected 0x%016" PRIx64 " got 0x%016" PRIx64 "\n", i, q->x[i], f->x[i]);
    if (q->sp != f->sp)
        OUT("    sp  expected 0x%016" PRIx64 " got 0x%016" PRIx64 "\n", q->sp, f->sp);
    if ((q->nzcv ^ f->nzcv) & 0xf0000000)
        OUT("    nzcv expected %" PRIx64 " got %" PRIx64 "\n", q->nzcv >> 28 & 15, f->nzcv >> 28 & 15);
    if (gen_fpsimd()) {
        for (int i = 0; i < 32; i++)
            if (q->v[i][0] != f->v[i][0] || q->v[i][1] != f->v[i][1])
                OUT("    v%-2d expected 0x%016" PRIx64 "_%016" PRIx64 " got 0x%016" PRIx64 "_%016" PRIx64 "\n", i,
                    q->v[i][1], q->v[i][0], f->v[i][1], f->v[i][0]);
        if (q->fpcr != f->fpcr)
            OUT("    fpcr expected 0x%08" PRIx64 " got 0x%08" PRIx64 "\n", q->fpcr, f->fpcr);
        if (q->fpsr != f->fpsr)
            OUT("    fpsr expected 0x%08" PRIx64 " got 0x%08" PRIx64 " (QC=bit 27, IDC=7, IXC=4, UFC=3, OFC=2, DZC=1, IOC=0)\n",
                q->fpsr, f->fpsr);
    }
    if (q->nfaults != f->nfaults)
        OUT("    faults: expected %" PRIu64 " got %" PRIu64 "\n", q->nfaults, f->nfaults);
    uint64_t nf = q->nfaults > f->nfaults ? q->nfaults : f->nfaults;
    if (nf > DT_MAX_FAULTS)
        nf = DT_MAX_FAULTS;
    for (uint64_t i = 0; i < nf; i++) {
        bool hq = i < q->nfaults, hf = i < f->nfaults;
        int cq = hq ? fault_class(QEMU, q->fcode[i]) : -1, cf = hf ? fault_class(FLOT, f->fcode[i]) : -1;
        if (hq != hf || q->fpc[i] != f->fpc[i] || cq != cf) {
            char a[80] = "none", b[80] = "none";
            if (hq)
                snprintf(a, sizeof(a), "pc 0x%" PRIx64 " %s (signal %" PRIu64 ")", q->fpc[i], fc_name[cq], q->fcode[i]);
            if (hf)
                snprintf(b, sizeof(b), "pc 0x%" PRIx64 " %s (ESR 0x%" PRIx64 ")", f->fpc[i], fc_name[cf], f->fcode[i]);
            OUT("    fault %" PRIu64 ": expected %s got %s\n", i, a, b);
        }
    }
    int shown = 0;
    for (int i = 0; i < DT_SCRATCH_SIZE; i += 8) {
        if (memcmp(q->scratch + i, f->scratch + i, 8)) {
            uint64_t a, b;
            memcpy(&a, q->scratch + i, 8);
            memcpy(&b, f->scratch + i, 8);
            if (shown++ < 6)
                OUT("    mem [x28%+d] expected 0x%016" PRIx64 " got 0x%016" PRIx64 "\n", i - DT_BASE_OFF, a, b);
            else
                eq = false;
        }
    }
    if (shown > 6)
        OUT("    ... %d more differing scratch words\n", shown - 6);
#undef OUT
    return eq;
}

/* ---------------------------------------------------------------- report */

static csh cs;
static char replay_cmd[2048];
static const char *opt_objdump = "aarch64-linux-gnu-objdump";

/* Disassemble n words at pc into out[]: objdump (knows LSE, unlike the
 * capstone 4 of Debian 12), capstone when objdump is not available. */
static void disasm_block(const uint32_t *w, int n, uint64_t pc, char (*out)[96])
{
    for (int i = 0; i < n; i++)
        out[i][0] = 0;
    char bin[320], cmd[800];
    snprintf(bin, sizeof(bin), "%s/disasm.bin", tmpdir);
    if (opt_objdump[0] && write_file(bin, w, (size_t)n * 4)) {
        snprintf(cmd, sizeof(cmd), "'%s' -D -b binary -maarch64 --adjust-vma=0x%" PRIx64 " '%s' 2>/dev/null",
                 opt_objdump, pc, bin);
        FILE *p = popen(cmd, "r");
        char line[512];
        while (p && fgets(line, sizeof(line), p)) {
            unsigned long long a;
            unsigned word;
            int used = 0;
            if (sscanf(line, " %llx: %x %n", &a, &word, &used) < 2 || !used || a < pc || (a - pc) % 4)
                continue;
            uint64_t i = (a - pc) / 4;
            if (i >= (uint64_t)n)
                continue;
            char *t = line + used, *d = out[i];
            size_t k = 0;
            for (; *t && *t != '\n' && k < 95; t++)
                d[k++] = *t == '\t' ? ' ' : *t;
            d[k] = 0;
        }
        if (p)
            pclose(p);
        unlink(bin);
    }
    for (int i = 0; i < n; i++) {
        if (out[i][0])
            continue;
        cs_insn *insn;
        size_t c = cs_disasm(cs, (const uint8_t *)&w[i], 4, pc + 4 * (uint64_t)i, 1, &insn);
        if (c == 1) {
            snprintf(out[i], 96, "%.31s %.63s", insn->mnemonic, insn->op_str);
            cs_free(insn, c);
        } else {
            snprintf(out[i], 96, ".inst 0x%08x", w[i]);
        }
    }
}

static void disasm(uint32_t w, uint64_t pc, char *buf, size_t n)
{
    char d[1][96];
    disasm_block(&w, 1, pc, d);
    snprintf(buf, n, "%s", d[0]);
}

static void print_sequence(FILE *fp, const GenSeq *q, int mark_unit)
{
    uint64_t ca = gen_chunk_addr(q->chunk);
    fprintf(fp, "  initial: nzcv=%" PRIx64 " sp=0x%" PRIx64 " x28=0x%" PRIx64 "\n", q->init_nzcv >> 28,
            q->init_sp, gen_slot_addr(q->chunk) + DT_BASE_OFF);
    for (int i = 0; i < 31; i += 4) {
        fprintf(fp, "   ");
        for (int k = i; k < i + 4 && k < 31; k++)
            if (k != 28)
                fprintf(fp, " x%-2d=%016" PRIx64, k, q->init_x[k]);
        fprintf(fp, "\n");
    }
    if (gen_fpsimd()) {
        fprintf(fp, "  initial: fpcr=0x%08" PRIx64 " fpsr=0x%08" PRIx64 "\n", q->init_fpcr, q->init_fpsr);
        for (int i = 0; i < 32; i += 2)
            fprintf(fp, "    v%-2d=%016" PRIx64 "_%016" PRIx64 "  v%-2d=%016" PRIx64 "_%016" PRIx64 "\n", i,
                    q->init_v[i][1], q->init_v[i][0], i + 1, q->init_v[i + 1][1], q->init_v[i + 1][0]);
    }
    static char dis[DT_CHUNK_WORDS][96];
    disasm_block(q->code, DT_CHUNK_WORDS, ca, dis);
    for (int u = 0; u < q->nunits; u++) {
        for (int w = q->unit_start[u]; w < q->unit_start[u + 1]; w++) {
            const char *d = dis[w];
            uint64_t pc = ca + 4 * (uint64_t)w;
            bool drawn = w == q->unit_main[u] || w == q->unit_main2[u];
            fprintf(fp, "  %s %3d %" PRIx64 ": %08x  %-40s%s%s\n", u == mark_unit && drawn ? "=>" : "  ",
                    u, pc, q->code[w], d, drawn ? " ; " : "", drawn ? gen_insn_name(q->code[w]) : "");
        }
    }
}

typedef struct Group {
    char name[48];
    int count;
    uint64_t seeds[8];
    char example[2048];
    char line[400];     /* the same in known-mismatches.txt form */
} Group;

static Group groups[512];
static int ngroups;
static uint64_t nmismatch, nunattributed;

static Group *group_get(const char *name)
{
    for (int i = 0; i < ngroups; i++)
        if (!strcmp(groups[i].name, name))
            return &groups[i];
    if (ngroups == (int)(sizeof(groups) / sizeof(groups[0])))
        return &groups[ngroups - 1];
    Group *g = &groups[ngroups++];
    snprintf(g->name, sizeof(g->name), "%s", name);
    return g;
}

/* Per pattern: drawn instructions that were UNDEF on qemu (coverage quality:
 * a pattern whose draws are mostly unallocated tests little but decoding). */
static uint64_t *undef_count;

static void count_undefs(const RunOut *o, int first_chunk, const GenSeq *q)
{
    State st;
    state_get(&st, o, QEMU, first_chunk, q->chunk);
    if (!st.present)
        return;
    uint64_t ca = gen_chunk_addr(q->chunk);
    for (uint64_t i = 0; i < st.nfaults && i < DT_MAX_FAULTS; i++) {
        if (fault_class(QEMU, st.fcode[i]) != FC_UNDEF || st.fpc[i] < ca)
            continue;
        uint64_t w = (st.fpc[i] - ca) / 4;
        if (w >= DT_CHUNK_WORDS)
            continue;
        for (int u = 0; u < q->nunits; u++)
            if (q->unit_main[u] == (int)w || q->unit_main2[u] == (int)w) {
                int p = gen_insn_pattern(q->code[w]);
                if (p >= 0)
                    undef_count[p]++;
            }
    }
}

/* Whether the run of the sequence (given as seqs/RunOut) matches. */
static bool seq_matches(const RunOut *o, int first_chunk, const GenSeq *q, char *buf, size_t bn)
{
    State sq, sf;
    state_get(&sq, o, QEMU, first_chunk, q->chunk);
    state_get(&sf, o, FLOT, first_chunk, q->chunk);
    return states_equal(&sq, &sf, buf, bn);
}

static bool run_one_matches(GenSeq *q, char *buf, size_t bn)
{
    RunOut o;
    GenSeq *p = q;
    run_batch(&p, 1, &o);
    bool m = seq_matches(&o, q->chunk, q, buf, bn);
    run_free(&o);
    return m;
}

/* First unit whose truncation mismatches; -1 if none, -2 if even the empty
 * sequence (harness only) mismatches. Truncation k keeps units 0..k-1 and
 * runs in chunk k. */
static int attribute(uint64_t seed, int nunits, char *diff, size_t dn)
{
    static GenSeq var[GEN_MAX_UNITS + 1];
    GenSeq *vp[GEN_MAX_UNITS + 1];
    int nv = nunits + 1;
    for (int k = 0; k < nv; k++) {
        gen_sequence(&var[k], seed, k, k);
        vp[k] = &var[k];
    }
    RunOut o;
    run_batch(vp, nv, &o);
    bool complete = o.len[0] >= (size_t)nv * DT_SLOT_SIZE && o.len[1] >= (size_t)nv * DT_SLOT_SIZE;
    int found = -1;
    if (complete) {
        for (int k = 0; k < nv && found < 0; k++)
            if (!seq_matches(&o, 0, &var[k], NULL, 0))
                found = k;
        if (found >= 0) {
            diff[0] = 0;
            seq_matches(&o, 0, &var[found], diff, dn);
        }
    }
    run_free(&o);
    if (!complete) {
        /* A crash takes the whole batch: bisect with single runs. */
        if (!run_one_matches(&var[0], NULL, 0)) {
            found = 0;
        } else {
            int lo = 1, hi = nunits;  /* truncation hi is assumed to mismatch */
            while (lo < hi) {
                int mid = (lo + hi) / 2;
                if (!run_one_matches(&var[mid], NULL, 0))
                    hi = mid;
                else
                    lo = mid + 1;
            }
            found = hi;
        }
        diff[0] = 0;
        if (run_one_matches(&var[found], diff, dn))
            return -1;
    }
    return found < 0 ? -1 : found == 0 ? -2 : found - 1;
}

static void report_mismatch(GenSeq *q, const char *diff)
{
    nmismatch++;
    char adiff[2048] = "";
    int unit = nmismatch <= (uint64_t)opt_max_attrib ? attribute(q->seed, q->nunits, adiff, sizeof(adiff)) : -1;
    char name[48] = "(unattributed)", insn[128] = "";
    if (unit >= 0) {
        int w = q->unit_main[unit];
        uint32_t word = q->code[w];
        const char *pn = gen_insn_name(word);
        snprintf(name, sizeof(name), "%s", strcmp(pn, "?") ? pn : "(not in table)");
        char d[96];
        disasm(word, gen_chunk_addr(q->chunk) + 4 * (uint64_t)w, d, sizeof(d));
        snprintf(insn, sizeof(insn), "%08x %s", word, d);
        if (q->unit_main2[unit] >= 0) {
            uint32_t w2 = q->code[q->unit_main2[unit]];
            disasm(w2, 0, d, sizeof(d));
            size_t l = strlen(insn);
            snprintf(insn + l, sizeof(insn) - l, " (after %08x %s)", w2, d);
        }
    } else if (unit == -2) {
        snprintf(name, sizeof(name), "(harness)");
        snprintf(insn, sizeof(insn), "none: the empty sequence already differs");
    } else {
        nunattributed++;
    }
    Group *g = group_get(name);
    if (g->count < 8)
        g->seeds[g->count] = q->seed;
    if (!g->count) {
        snprintf(g->example, sizeof(g->example), "  seed %" PRIu64 ": %s\n%.1800s", q->seed, insn,
                 unit != -1 ? adiff : diff);
        /* first differing item, whitespace squeezed */
        const char *d = unit != -1 ? adiff : diff;
        char first[200];
        size_t k = 0;
        for (; *d == ' '; d++)
            ;
        for (; *d && *d != '\n' && k < sizeof(first) - 1; d++)
            if (*d != ' ' || (k && first[k - 1] != ' '))
                first[k++] = *d;
        first[k] = 0;
        snprintf(g->line, sizeof(g->line), "%-14s seed %" PRIu64 ": %.60s: %s", name, q->seed, insn, first);
    }
    g->count++;
    if (nmismatch <= (uint64_t)opt_max_report || opt_verbose) {
        printf("MISMATCH seed %" PRIu64 " (chunk %d), first differing instruction: %s %s\n", q->seed, q->chunk,
               unit != -1 ? name : "unknown", insn);
        printf("  replay: %s --seed %" PRIu64 " --count 1 -v\n", replay_cmd, q->seed);
        printf("  final state (qemu = expected, flotilla = got):\n%s", diff);
        if (unit >= 0)
            printf("  state after units 0..%d only (truncated sequence):\n%s", unit, adiff);
        print_sequence(stdout, q, unit);
        fflush(stdout);
    }
}

/* ---------------------------------------------------------------- groups */

static const char *const group_names[G_NUM_GROUPS] = {
    "DP_IMM", "DP_REG", "BRANCH", "SYSTEM", "LDST", "FP", "SIMD", "SIMD_LDST", "CRYPTO",
};

/* --exclude FILE: one pattern name per line (first word), the rest of the
 * line is the reason; '#' starts a comment line. */
static void load_exclusions(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        die("cannot read the exclusion file %s", path);
    char line[512];
    int n = 0;
    while (fgets(line, sizeof(line), f)) {
        char name[128];
        if (sscanf(line, " %127s", name) != 1 || name[0] == '#')
            continue;
        if (gen_exclude(name))
            n++;
        else
            printf("difftest: %s: pattern %s is not in the table (ignored)\n", path, name);
    }
    fclose(f);
    printf("difftest: %d pattern(s) excluded by %s\n", n, path);
}

/* Per group: patterns in the table, usable, excluded, drawn instructions. */
static void print_group_counts(void)
{
    uint64_t pat[G_NUM_GROUPS] = { 0 }, use[G_NUM_GROUPS] = { 0 }, exc[G_NUM_GROUPS] = { 0 }, drawn[G_NUM_GROUPS] = { 0 };
    uint64_t und[G_NUM_GROUPS] = { 0 };
    for (int i = 0; i < gen_npatterns(); i++) {
        int g = gen_pattern_group(i);
        if (g < 0 || g >= G_NUM_GROUPS)
            continue;
        pat[g]++;
        use[g] += gen_pattern_usable(i);
        exc[g] += gen_pattern_excluded(i);
        drawn[g] += gen_pattern_drawn(i);
        und[g] += undef_count[i];
    }
    printf("per group: patterns in table / drawn from / excluded / drawn instructions / of which UNDEF on qemu\n");
    for (int g = 0; g < G_NUM_GROUPS; g++)
        if (pat[g])
            printf("  %-10s %5" PRIu64 " %5" PRIu64 " %5" PRIu64 " %9" PRIu64 " %9" PRIu64 "\n", group_names[g], pat[g],
                   use[g], exc[g], drawn[g], und[g]);
}

/* ---------------------------------------------------------------- main */

static void usage(void)
{
    printf("usage: difftest --qemu-elf Q.elf --flotilla-elf F.elf --flotilla PATH [options]\n"
           "  --seed S          first seed (default 1)\n"
           "  --count N         number of sequences\n"
           "  --insns N         run sequences until N drawn instructions (with --count: whichever first)\n"
           "  --batch K         sequences per process launch (1..%d, default %d)\n"
           "  --qemu PATH       qemu-aarch64-static binary\n"
           "  --qemu-cpu MODEL  qemu CPU model (default cortex-a76: v8.2 with LSE; --fpsimd: cortex-a72)\n"
           "  --fpsimd          FP/SIMD mode: groups FP, SIMD, SIMD_LDST, CRYPTO (+15%% integer)\n"
           "  --exclude FILE    never draw the patterns named in FILE (first word of a line; # comments)\n"
           "  --max-report N    print full details of the first N mismatches (default 5)\n"
           "  --max-attrib N    locate the first differing instruction for N mismatches (default 300)\n"
           "  --timeout SEC     per batch (default 120)\n"
           "  --list            list the encoding patterns and how many were drawn\n"
           "  --keep            keep the temporary directory (patched ELFs, outputs)\n"
           "  --flotilla-arg A  extra flotilla argument (repeatable), e.g. a tier selection\n"
           "  --objdump PATH    aarch64 objdump for listings (\"\" = capstone only)\n"
           "  -v                print every mismatch, and the sequence of --count 1 runs\n",
           DT_MAX_SEQ, DT_MAX_SEQ);
}

int main(int argc, char **argv)
{
    static const struct option lo[] = {
        { "qemu-elf", 1, 0, 'Q' }, { "flotilla-elf", 1, 0, 'F' }, { "flotilla", 1, 0, 'f' },
        { "qemu", 1, 0, 'q' }, { "qemu-cpu", 1, 0, 'c' }, { "seed", 1, 0, 's' }, { "count", 1, 0, 'n' },
        { "insns", 1, 0, 'i' }, { "batch", 1, 0, 'b' }, { "max-report", 1, 0, 'r' },
        { "max-attrib", 1, 0, 'a' }, { "timeout", 1, 0, 't' }, { "list", 0, 0, 'l' },
        { "keep", 0, 0, 'k' }, { "objdump", 1, 0, 'o' }, { "flotilla-arg", 1, 0, 'A' }, { "help", 0, 0, 'h' },
        { "fpsimd", 0, 0, 'P' }, { "exclude", 1, 0, 'X' }, { 0, 0, 0, 0 },
    };
    int c;
    while ((c = getopt_long(argc, argv, "vh", lo, NULL)) != -1) {
        switch (c) {
        case 'Q': opt_qemu_elf = optarg; break;
        case 'F': opt_flotilla_elf = optarg; break;
        case 'f': opt_flotilla = optarg; break;
        case 'q': opt_qemu = optarg; break;
        case 'c': opt_qemu_cpu = optarg; break;
        case 's': opt_seed = strtoull(optarg, NULL, 0); break;
        case 'n': opt_count = strtoull(optarg, NULL, 0); break;
        case 'i': opt_insns = strtoull(optarg, NULL, 0); break;
        case 'b': opt_batch = atoi(optarg); break;
        case 'r': opt_max_report = atoi(optarg); break;
        case 'a': opt_max_attrib = atoi(optarg); break;
        case 't': opt_timeout = atoi(optarg); break;
        case 'l': opt_list = true; break;
        case 'k': opt_keep = true; break;
        case 'o': opt_objdump = optarg; break;
        case 'A':
            if (opt_nflotilla_args < 16)
                opt_flotilla_args[opt_nflotilla_args++] = optarg;
            break;
        case 'v': opt_verbose = true; break;
        case 'P': gen_set_fpsimd(true); break;
        case 'X': opt_exclude = optarg; break;
        default: usage(); return c == 'h' ? 0 : 2;
        }
    }
    if (!opt_qemu_cpu)
        opt_qemu_cpu = gen_fpsimd() ? "cortex-a72" : "cortex-a76";
    if (opt_exclude)
        load_exclusions(opt_exclude);
    gen_init();
    undef_count = calloc((size_t)gen_npatterns(), sizeof(*undef_count));
    if (opt_list && !opt_count && !opt_insns) {
        for (int i = 0; i < gen_npatterns(); i++)
            printf("%-14s %s\n", gen_pattern_name(i), gen_pattern_usable(i) ? "usable" : "excluded");
        return 0;
    }
    if (!opt_qemu_elf || !opt_flotilla_elf || !opt_flotilla || (!opt_count && !opt_insns)) {
        usage();
        return 2;
    }
    if (opt_batch < 1 || opt_batch > DT_MAX_SEQ)
        opt_batch = DT_MAX_SEQ;
    const char *missing = gen_harness_missing();
    if (missing) {
        /* ctest SKIP_RETURN_CODE: nothing can be compared before V0-V31 can be set and read */
        printf("difftest: SKIPPED: the FP/SIMD harness needs %s, which flotilla's table does not have yet\n", missing);
        return 77;
    }
    image_load(&img[QEMU], opt_qemu_elf);
    image_load(&img[FLOT], opt_flotilla_elf);
    if (cs_open(CS_ARCH_ARM64, CS_MODE_ARM, &cs) != CS_ERR_OK)
        die("%s", "capstone: cannot open AArch64");
    snprintf(replay_cmd, sizeof(replay_cmd), "%s%s --qemu %s --qemu-cpu %s --qemu-elf %s --flotilla-elf %s --flotilla %s%s%s",
             argv[0], gen_fpsimd() ? " --fpsimd" : "", opt_qemu, opt_qemu_cpu, opt_qemu_elf, opt_flotilla_elf,
             opt_flotilla, opt_exclude ? " --exclude " : "", opt_exclude ? opt_exclude : "");
    const char *t = getenv("TMPDIR");
    snprintf(tmpdir, sizeof(tmpdir), "%s/difftest.XXXXXX", t ? t : "/tmp");
    if (!mkdtemp(tmpdir))
        die("mkdtemp: %s", strerror(errno));

    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    static GenSeq seqs[DT_MAX_SEQ];
    GenSeq *sp[DT_MAX_SEQ];
    uint64_t seed = opt_seed, nseq = 0, ninsns = 0;
    for (;;) {
        if (opt_count && nseq >= opt_count)
            break;
        if (opt_insns && ninsns >= opt_insns)
            break;
        /* one batch: ascending chunks, never wrapping */
        int n = 0;
        while (n < opt_batch) {
            if ((opt_count && nseq + (uint64_t)n >= opt_count) || (opt_insns && ninsns >= opt_insns))
                break;
            int chunk = (int)(seed % DT_MAX_SEQ);
            if (n && chunk == 0)
                break;
            gen_sequence(&seqs[n], seed, chunk, -1);
            ninsns += (uint64_t)seqs[n].ninsns;
            sp[n] = &seqs[n];
            n++;
            seed++;
        }
        RunOut o;
        run_batch(sp, n, &o);
        int first = sp[0]->chunk;
        for (int s = 0; s < 2; s++) {
            size_t want = (size_t)(sp[n - 1]->chunk - first + 1) * DT_SLOT_SIZE;
            if (o.len[s] != want || o.status[s] != 0)
                fprintf(stderr, "difftest: seeds %" PRIu64 "..%" PRIu64 ": %s exited with status 0x%x, %zu of %zu bytes%s%s\n",
                        sp[0]->seed, sp[n - 1]->seed, side_name[s], o.status[s], o.len[s], want,
                        o.err[s][0] ? ", stderr ends:\n" : "", o.err[s]);
        }
        bool crashed = false;
        for (int s = 0; s < 2; s++)
            if (o.len[s] != (size_t)(sp[n - 1]->chunk - first + 1) * DT_SLOT_SIZE)
                crashed = true;
        for (int i = 0; i < n; i++) {
            char diff[4096] = "";
            bool ok;
            if (crashed && n > 1)   /* isolate the sequence that kills a simulator */
                ok = run_one_matches(sp[i], diff, sizeof(diff));
            else
                ok = seq_matches(&o, first, sp[i], diff, sizeof(diff));
            if (!crashed)
                count_undefs(&o, first, sp[i]);
            if (!ok)
                report_mismatch(sp[i], diff);
            else if (opt_verbose && opt_count == 1)
                print_sequence(stdout, sp[i], -1);
        }
        run_free(&o);
        nseq += (uint64_t)n;
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;

    if (ngroups) {
        printf("\nmismatches by first differing instruction (pattern: sequences, seeds):\n");
        for (int i = 0; i < ngroups; i++) {
            Group *g = &groups[i];
            printf("%-14s %5d  seeds", g->name, g->count);
            for (int k = 0; k < g->count && k < 8; k++)
                printf(" %" PRIu64, g->seeds[k]);
            printf("\n%s", g->example);
        }
        printf("\nthe same as known-mismatches.txt lines (for review before adding):\n");
        for (int i = 0; i < ngroups; i++)
            if (groups[i].name[0] != '(')
                printf("%s\n", groups[i].line);
    }
    if (opt_list) {
        printf("\npattern coverage (drawn instructions, of which UNDEF on qemu):\n");
        for (int i = 0; i < gen_npatterns(); i++)
            printf("  %-14s %s %8" PRIu64 " %8" PRIu64 "\n", gen_pattern_name(i),
                   gen_pattern_excluded(i) ? "excl." : gen_pattern_usable(i) ? "     " : "n/a  ",
                   gen_pattern_drawn(i), undef_count[i]);
        uint64_t rd, ru;
        gen_raw_counts(&rd, &ru);
        printf("  raw integer-space draws: %" PRIu64 ", of which not in the table: %" PRIu64 "\n", rd, ru);
    }
    print_group_counts();
    printf("difftest: seeds %" PRIu64 "..%" PRIu64 ": %" PRIu64 " sequences, %" PRIu64
           " random instructions, %" PRIu64 " mismatching (%" PRIu64 " unattributed), %" PRIu64
           " process pairs, %.1f s\n",
           opt_seed, seed - 1, nseq, ninsns, nmismatch, nunattributed, nruns, secs);
    if (!opt_keep) {
        const char *names[] = { "qemu.elf", "qemu.out", "qemu.err", "flotilla.elf", "flotilla.out", "flotilla.err" };
        for (unsigned i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
            char p[320];
            snprintf(p, sizeof(p), "%s/%s", tmpdir, names[i]);
            unlink(p);
        }
        rmdir(tmpdir);
    } else {
        printf("difftest: files kept in %s\n", tmpdir);
    }
    cs_close(&cs);
    return nmismatch ? 1 : 0;
}
