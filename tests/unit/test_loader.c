/* Unit tests for the kernel loaders (devices/loader.c): a tiny synthetic
 * ELF64 AArch64 executable loaded into a test machine's RAM (segments at
 * their physical addresses, .bss zeroed, entry point), raw binaries, and
 * malformed inputs, which must give an error, never a crash or a write
 * outside RAM. */
#include "common.h"

#include <elf.h>
#include <unistd.h>
#include <zlib.h>

#include "devices/boot.h"
#include "devices/devices.h"
#include "devices/fdt.h"

#include <libfdt.h>

static TestMachine *tm;
static char *paths[16];
static int npaths;

static void setup(void)
{
    tm = test_machine_new();
    npaths = 0;
}

static void teardown(void)
{
    for (int i = 0; i < npaths; i++) {
        unlink(paths[i]);
        free(paths[i]);
    }
    test_machine_free(tm);
}

TestSuite(loader, .init = setup, .fini = teardown);

static const char *write_file(const void *data, size_t len)
{
    cr_assert_lt(npaths, 16);
    char *path = strdup("/tmp/flotilla-loader-XXXXXX");
    int fd = mkstemp(path);
    cr_assert_geq(fd, 0);
    if (len)
        cr_assert_eq(write(fd, data, len), (ssize_t)len);
    close(fd);
    paths[npaths++] = path;
    return path;
}

/* load_kernel with its stderr discarded (errors are expected in most tests). */
static bool load_quiet(const char *path, uint64_t *entry)
{
    fflush(stderr);
    int save = dup(2);
    FILE *null = fopen("/dev/null", "w");
    dup2(fileno(null), 2);
    bool ok = load_kernel(&tm->m, path, entry);
    fflush(stderr);
    dup2(save, 2);
    close(save);
    fclose(null);
    return ok;
}

/* ---- a synthetic ELF: header, NPH program headers, then segment data ---- */

#define NPH 3
#define SEG0_PA (RAM_BASE + 0x100000)
#define SEG1_PA (RAM_BASE + 0x200000)
#define ENTRY (SEG0_PA + 8)

typedef struct {
    Elf64_Ehdr eh;
    Elf64_Phdr ph[NPH];
    uint8_t seg0[32]; /* code: filesz 32, memsz 0x100 (the rest is .bss) */
    uint8_t seg1[16]; /* data */
} TinyElf;

static void make_elf(TinyElf *e)
{
    memset(e, 0, sizeof(*e));
    memcpy(e->eh.e_ident, ELFMAG, SELFMAG);
    e->eh.e_ident[EI_CLASS] = ELFCLASS64;
    e->eh.e_ident[EI_DATA] = ELFDATA2LSB;
    e->eh.e_ident[EI_VERSION] = EV_CURRENT;
    e->eh.e_type = ET_EXEC;
    e->eh.e_machine = EM_AARCH64;
    e->eh.e_version = EV_CURRENT;
    e->eh.e_entry = ENTRY;
    e->eh.e_phoff = offsetof(TinyElf, ph);
    e->eh.e_ehsize = sizeof(Elf64_Ehdr);
    e->eh.e_phentsize = sizeof(Elf64_Phdr);
    e->eh.e_phnum = NPH;

    for (int i = 0; i < 32; i += 4) {
        uint32_t nop = 0xd503201f;
        memcpy(&e->seg0[i], &nop, 4);
    }
    for (int i = 0; i < 16; i++)
        e->seg1[i] = (uint8_t)(0xa0 + i);

    /* Loaded at its physical address; the virtual one differs on purpose. */
    e->ph[0] = (Elf64_Phdr){.p_type = PT_LOAD, .p_flags = PF_R | PF_X, .p_offset = offsetof(TinyElf, seg0),
                            .p_vaddr = 0xffff000000100000ull, .p_paddr = SEG0_PA, .p_filesz = 32,
                            .p_memsz = 0x100, .p_align = 16};
    /* A non-loadable header in between is skipped. */
    e->ph[1] = (Elf64_Phdr){.p_type = PT_NOTE, .p_offset = 0, .p_paddr = 0, .p_filesz = 8, .p_memsz = 8};
    e->ph[2] = (Elf64_Phdr){.p_type = PT_LOAD, .p_flags = PF_R | PF_W, .p_offset = offsetof(TinyElf, seg1),
                            .p_vaddr = SEG1_PA, .p_paddr = SEG1_PA, .p_filesz = 16, .p_memsz = 16, .p_align = 16};
}

Test(loader, elf_segments_and_entry)
{
    TinyElf e;
    make_elf(&e);
    /* Garbage where .bss goes, and around the segments. */
    memset(test_ram(tm, SEG0_PA - 0x10, 0x200), 0xee, 0x200);
    memset(test_ram(tm, SEG1_PA - 0x10, 0x40), 0xee, 0x40);

    uint64_t entry = 0;
    cr_assert(load_kernel(&tm->m, write_file(&e, sizeof(e)), &entry));
    cr_expect_eq(entry, ENTRY);

    const uint8_t *p0 = test_ram(tm, SEG0_PA, 0x100);
    cr_expect_eq(memcmp(p0, e.seg0, 32), 0, "segment 0 contents");
    for (int i = 32; i < 0x100; i++)
        cr_expect_eq(p0[i], 0, ".bss byte %d not zeroed", i);
    cr_expect_eq(*test_ram(tm, SEG0_PA + 0x100, 1), 0xee, "written past p_memsz");
    cr_expect_eq(*test_ram(tm, SEG0_PA - 1, 1), 0xee, "written before the segment");
    cr_expect_eq(memcmp(test_ram(tm, SEG1_PA, 16), e.seg1, 16), 0, "segment 1 contents");
    cr_expect_eq(*test_ram(tm, SEG1_PA + 16, 1), 0xee);
    cr_expect(!tm->m.linux_boot);
}

Test(loader, elf_segment_ending_at_end_of_ram)
{
    TinyElf e;
    make_elf(&e);
    const uint64_t end = RAM_BASE + TEST_RAM_SIZE;
    e.ph[2].p_paddr = end - 16; /* filesz == memsz, up to the last byte */
    uint64_t entry;
    cr_assert(load_quiet(write_file(&e, sizeof(e)), &entry));
    cr_expect_eq(memcmp(test_ram(tm, end - 16, 16), e.seg1, 16), 0);
}

/* Each corruption of the good ELF must be refused. */
typedef void (*Corrupt)(TinyElf *e, size_t *len);

static void c_class32(TinyElf *e, size_t *len) { e->eh.e_ident[EI_CLASS] = ELFCLASS32; (void)len; }
static void c_bigendian(TinyElf *e, size_t *len) { e->eh.e_ident[EI_DATA] = ELFDATA2MSB; (void)len; }
static void c_x86(TinyElf *e, size_t *len) { e->eh.e_machine = EM_X86_64; (void)len; }
static void c_arm32(TinyElf *e, size_t *len) { e->eh.e_machine = EM_ARM; (void)len; }
static void c_truncated_header(TinyElf *e, size_t *len) { (void)e; *len = 40; }
static void c_truncated_phdrs(TinyElf *e, size_t *len) { (void)e; *len = offsetof(TinyElf, ph) + 60; }
static void c_no_phdrs(TinyElf *e, size_t *len) { e->eh.e_phoff = 0; (void)len; }
static void c_phoff_past_end(TinyElf *e, size_t *len) { e->eh.e_phoff = 1u << 20; (void)len; }
static void c_phoff_wraps(TinyElf *e, size_t *len) { e->eh.e_phoff = (uint64_t)-(int64_t)sizeof(Elf64_Phdr); e->eh.e_phnum = 2; (void)len; }
static void c_phentsize(TinyElf *e, size_t *len) { e->eh.e_phentsize = 32; (void)len; }
static void c_phnum_huge(TinyElf *e, size_t *len) { e->eh.e_phnum = 0xffff; (void)len; }
static void c_seg_offset(TinyElf *e, size_t *len) { e->ph[0].p_offset = 1u << 20; (void)len; }
static void c_seg_offset_wraps(TinyElf *e, size_t *len) { e->ph[0].p_offset = ~0ull - 8; (void)len; }
static void c_seg_filesz(TinyElf *e, size_t *len) { e->ph[2].p_filesz = 1u << 20; e->ph[2].p_memsz = 2u << 20; (void)len; }
static void c_filesz_gt_memsz(TinyElf *e, size_t *len) { e->ph[0].p_memsz = 16; (void)len; }
static void c_below_ram(TinyElf *e, size_t *len) { e->ph[0].p_paddr = 0x1000; (void)len; }
static void c_past_ram(TinyElf *e, size_t *len) { e->ph[2].p_paddr = RAM_BASE + TEST_RAM_SIZE - 8; (void)len; }
static void c_memsz_wraps(TinyElf *e, size_t *len) { e->ph[0].p_memsz = ~0ull - 0x1000; (void)len; }
static void c_huge_paddr(TinyElf *e, size_t *len) { e->ph[0].p_paddr = ~0ull - 4; (void)len; }
static void c_no_load(TinyElf *e, size_t *len) { e->ph[0].p_type = PT_NULL; e->ph[2].p_type = PT_NOTE; (void)len; }
static void c_zero_phnum(TinyElf *e, size_t *len) { e->eh.e_phnum = 0; (void)len; }

Test(loader, malformed_elf_is_an_error)
{
    static const struct { Corrupt fn; const char *what; } cases[] = {
        {c_class32, "ELFCLASS32"},
        {c_bigendian, "big-endian"},
        {c_x86, "x86-64 machine"},
        {c_arm32, "32-bit Arm machine"},
        {c_truncated_header, "file shorter than the ELF header"},
        {c_truncated_phdrs, "program headers cut off"},
        {c_no_phdrs, "e_phoff = 0"},
        {c_phoff_past_end, "e_phoff past the end"},
        {c_phoff_wraps, "e_phoff + size wraps around"},
        {c_phentsize, "wrong e_phentsize"},
        {c_phnum_huge, "e_phnum past the end"},
        {c_seg_offset, "segment offset past the end"},
        {c_seg_offset_wraps, "segment offset wraps"},
        {c_seg_filesz, "segment data past the end"},
        {c_filesz_gt_memsz, "p_filesz > p_memsz"},
        {c_below_ram, "segment below RAM"},
        {c_past_ram, "segment running past RAM"},
        {c_memsz_wraps, "p_memsz wraps"},
        {c_huge_paddr, "p_paddr near 2^64"},
        {c_no_load, "no PT_LOAD"},
        {c_zero_phnum, "no program headers"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        TinyElf e;
        make_elf(&e);
        size_t len = sizeof(e);
        cases[i].fn(&e, &len);
        uint64_t entry = 0x1234;
        cr_expect(!load_quiet(write_file(&e, len), &entry), "%s: accepted", cases[i].what);
        cr_expect_eq(entry, 0x1234, "%s: entry written on failure", cases[i].what);
        /* Reuse the temp file slots. */
        unlink(paths[--npaths]);
        free(paths[npaths]);
    }
}

Test(loader, raw_binary)
{
    uint8_t code[1000];
    for (size_t i = 0; i < sizeof(code); i++)
        code[i] = (uint8_t)(i * 7 + 3);
    code[0] = 0x7f; /* like ELF, but not the magic */
    uint64_t entry = 0;
    cr_assert(load_kernel(&tm->m, write_file(code, sizeof(code)), &entry));
    cr_expect_eq(entry, RAW_LOAD_ADDR);
    cr_expect_eq(memcmp(test_ram(tm, RAW_LOAD_ADDR, sizeof(code)), code, sizeof(code)), 0);
    cr_expect(!tm->m.linux_boot);

    /* A single byte is a valid (if useless) raw image. */
    uint8_t one = 0x42;
    cr_assert(load_quiet(write_file(&one, 1), &entry));
    cr_expect_eq(*test_ram(tm, RAW_LOAD_ADDR, 1), 0x42);
}

Test(loader, raw_binary_too_big)
{
    size_t len = TEST_RAM_SIZE - (RAW_LOAD_ADDR - RAM_BASE) + 1;
    uint8_t *big = calloc(1, len);
    cr_assert_not_null(big);
    uint64_t entry = 0x1234;
    cr_expect(!load_quiet(write_file(big, len), &entry));
    cr_expect_eq(entry, 0x1234);
    free(big);
    /* Exactly filling RAM from the load address is fine. */
    len -= 1;
    big = calloc(1, len);
    cr_expect(load_quiet(write_file(big, len), &entry));
    free(big);
}

Test(loader, other_bad_files)
{
    uint64_t entry = 0x1234;
    cr_expect(!load_quiet("/nonexistent/kernel.elf", &entry), "missing file");
    cr_expect(!load_quiet(write_file(NULL, 0), &entry), "empty file");
    cr_expect(!load_quiet("/tmp", &entry), "a directory");

    /* A 32-bit Arm zImage (magic 0x016f2818 at 0x24) is refused, not run as raw code. */
    uint8_t img[128] = {0};
    const uint32_t zmagic = 0x016f2818;
    memcpy(img + 0x24, &zmagic, 4);
    cr_expect(!load_quiet(write_file(img, sizeof(img)), &entry), "32-bit Arm kernel");

    /* An arm64 Image header marked big-endian (flags bit 0) is refused. */
    memset(img, 0, sizeof(img));
    memcpy(img + 56, "ARM\x64", 4);
    img[24] = 1;
    cr_expect(!load_quiet(write_file(img, sizeof(img)), &entry), "big-endian Image");

    /* gzip: corrupt data, and valid gzip that is not an arm64 Image. */
    static const uint8_t junk_gz[] = {0x1f, 0x8b, 0x08, 0x00, 0xde, 0xad, 0xbe, 0xef, 0x00, 0x03, 0x01, 0x02};
    cr_expect(!load_quiet(write_file(junk_gz, sizeof(junk_gz)), &entry), "corrupt gzip");

    char gzpath[] = "/tmp/flotilla-loader-gz-XXXXXX";
    int fd = mkstemp(gzpath);
    cr_assert_geq(fd, 0);
    gzFile gz = gzdopen(fd, "wb");
    cr_assert_not_null(gz);
    static const char text[] = "this is not a kernel image, just some compressed text............";
    cr_assert_eq(gzwrite(gz, text, sizeof(text)), (int)sizeof(text));
    gzclose(gz);
    cr_expect(!load_quiet(gzpath, &entry), "gzip of something else");
    unlink(gzpath);
    cr_expect_eq(entry, 0x1234, "entry written on failure");
}

/* load_kernel with stderr captured into err (for the messages themselves). */
static char err[4096];
static bool load_capture(const char *path, uint64_t *entry)
{
    fflush(stderr);
    int save = dup(2);
    FILE *cap = tmpfile();
    cr_assert_not_null(cap);
    dup2(fileno(cap), 2);
    bool ok = load_kernel(&tm->m, path, entry);
    fflush(stderr);
    dup2(save, 2);
    close(save);
    rewind(cap);
    size_t n = fread(err, 1, sizeof(err) - 1, cap);
    err[n] = 0;
    fclose(cap);
    return ok;
}

static int lines(const char *s)
{
    int n = 0;
    for (; *s; s++)
        n += *s == '\n';
    return n;
}

Test(loader, elf_phdrs_at_an_unaligned_offset)
{
    /* Program headers at an odd e_phoff: read by copy, not in place (a
     * misaligned access, which UBSan reports). */
    TinyElf e;
    make_elf(&e);
    uint8_t buf[sizeof(TinyElf) + 1];
    size_t ph = offsetof(TinyElf, ph);
    memcpy(buf, &e, ph);
    buf[ph] = 0;                                        /* one pad byte */
    memcpy(buf + ph + 1, (uint8_t *)&e + ph, sizeof(e) - ph);
    Elf64_Ehdr eh;
    memcpy(&eh, buf, sizeof(eh));
    eh.e_phoff = ph + 1;
    memcpy(buf, &eh, sizeof(eh));
    for (int i = 0; i < NPH; i++) {                     /* segment data moved by one too */
        Elf64_Phdr p;
        memcpy(&p, buf + ph + 1 + i * sizeof(p), sizeof(p));
        if (p.p_type == PT_LOAD)
            p.p_offset += 1;
        memcpy(buf + ph + 1 + i * sizeof(p), &p, sizeof(p));
    }
    uint64_t entry = 0;
    cr_assert(load_quiet(write_file(buf, sizeof(buf)), &entry));
    cr_expect_eq(entry, ENTRY);
    cr_expect_eq(memcmp(test_ram(tm, SEG1_PA, 16), e.seg1, 16), 0);
}

Test(loader, not_a_regular_file_or_too_big)
{
    uint64_t entry = 0x1234;
    cr_expect(!load_capture("/dev/zero", &entry), "/dev/zero");
    cr_expect(strstr(err, "not a regular file") != NULL && lines(err) == 1, "%s", err);
    cr_expect(!load_capture("/tmp", &entry), "a directory");
    cr_expect(strstr(err, "not a regular file") != NULL, "%s", err);
    /* A sparse file far larger than RAM: refused from its size, unread. */
    const char *p = write_file(NULL, 0);
    cr_assert_eq(truncate(p, 4ull << 30), 0);
    cr_expect(!load_capture(p, &entry), "4 GiB sparse file");
    cr_expect(strstr(err, "larger than guest RAM") != NULL && lines(err) == 1, "%s", err);
    cr_expect_eq(entry, 0x1234);
}

Test(loader, gzip_bomb_stops_at_guest_ram)
{
    /* 64 MiB of zeros gzip'd (a few KB) against 16 MiB of guest RAM. */
    char gzpath[] = "/tmp/flotilla-loader-gz-XXXXXX";
    int fd = mkstemp(gzpath);
    cr_assert_geq(fd, 0);
    gzFile gz = gzdopen(fd, "wb9");
    cr_assert_not_null(gz);
    static uint8_t chunk[1 << 20];
    memcpy(chunk + 56, "ARM\x64", 4); /* an Image header first, so only the size is wrong */
    for (int i = 0; i < 64; i++) {
        cr_assert_eq(gzwrite(gz, chunk, sizeof(chunk)), (int)sizeof(chunk));
        memset(chunk, 0, 64);
    }
    gzclose(gz);
    uint64_t entry = 0x1234;
    cr_expect(!load_capture(gzpath, &entry));
    cr_expect(strstr(err, "expands beyond") != NULL && lines(err) == 1, "%s", err);
    unlink(gzpath);
    cr_expect_eq(entry, 0x1234);
}

Test(loader, image_text_offset_past_ram)
{
    /* A text_offset that would wrap the load address below the DTB. */
    uint8_t img[4096] = {0};
    memcpy(img + 56, "ARM\x64", 4);
    uint64_t text_offset = (uint64_t)-(int64_t)(0x200000 + 0x1000), image_size = sizeof(img);
    memcpy(img + 8, &text_offset, 8);
    memcpy(img + 16, &image_size, 8); /* text_offset only counts with an image_size */
    uint64_t entry = 0x1234;
    cr_expect(!load_capture(write_file(img, sizeof(img)), &entry));
    cr_expect(strstr(err, "text_offset") != NULL && lines(err) == 1, "%s", err);
    text_offset = TEST_RAM_SIZE;
    memcpy(img + 8, &text_offset, 8);
    cr_expect(!load_capture(write_file(img, sizeof(img)), &entry));
    cr_expect(strstr(err, "text_offset") != NULL, "%s", err);
    cr_expect_eq(entry, 0x1234);
}

Test(loader, initrd_errors_name_the_initrd)
{
    uint8_t img[4096] = {0};
    memcpy(img + 56, "ARM\x64", 4);
    const char *kernel = write_file(img, sizeof(img));
    uint64_t entry = 0x1234;
    tm->m.opt.initrd = "/nonexistent/initrd.gz";
    cr_expect(!load_capture(kernel, &entry));
    cr_expect(strstr(err, "cannot open initrd '/nonexistent/initrd.gz'") != NULL && lines(err) == 1, "%s", err);
    tm->m.opt.initrd = "/tmp";
    cr_expect(!load_capture(kernel, &entry));
    cr_expect(strstr(err, "initrd '/tmp' is not a regular file") != NULL, "%s", err);
    /* Larger than guest RAM, from its size. */
    const char *big = write_file(NULL, 0);
    cr_assert_eq(truncate(big, TEST_RAM_SIZE + 1), 0);
    tm->m.opt.initrd = big;
    cr_expect(!load_capture(kernel, &entry));
    cr_expect(strstr(err, "initrd") != NULL && strstr(err, "larger than guest RAM") != NULL, "%s", err);
    tm->m.opt.initrd = NULL;
}

Test(loader, initrd_and_append_with_elf_or_raw_warn)
{
    TinyElf e;
    make_elf(&e);
    uint64_t entry = 0;
    tm->m.opt.initrd = "/nonexistent/rd";
    tm->m.opt.append = "console=ttyAMA0";
    cr_expect(load_capture(write_file(&e, sizeof(e)), &entry), "ELF still loads");
    cr_expect(strstr(err, "warning:") != NULL && strstr(err, "-initrd and -append are ignored") != NULL &&
                  lines(err) == 1,
              "%s", err);
    tm->m.opt.initrd = NULL;
    tm->m.opt.dtb = "/nonexistent/x.dtb";
    cr_expect(load_capture(write_file(&e, sizeof(e)), &entry), "ELF still loads");
    cr_expect(strstr(err, "-append and -dtb are ignored") != NULL && lines(err) == 1, "%s", err);
    tm->m.opt.dtb = NULL;
    /* A raw kernel is booted like Linux (QEMU's rule): -append is used, no warning. */
    uint8_t raw[64] = {1, 2, 3};
    cr_expect(load_capture(write_file(raw, sizeof(raw)), &entry), "raw loads");
    cr_expect_str_empty(err, "raw kernels take -append: %s", err);
    tm->m.opt.append = NULL;
}

Test(loader, initrd_in_a_small_ram)
{
    /* 16 MiB of RAM: no room at +128 MiB, so the initrd follows the kernel
     * (found by the loader fuzzer: it used to be refused). */
    uint8_t img[4096] = {0};
    memcpy(img + 56, "ARM\x64", 4);
    uint8_t rd[3000];
    for (size_t i = 0; i < sizeof(rd); i++)
        rd[i] = (uint8_t)(i * 13 + 1);
    tm->m.opt.initrd = write_file(rd, sizeof(rd));
    uint64_t entry = 0;
    cr_assert(load_capture(write_file(img, sizeof(img)), &entry), "%s", err);
    /* No image_size: at RAM + 0x80000 (QEMU's KERNEL64_LOAD_ADDR); the
     * initrd at RAM + min(RAM/2, 128 MiB) = + 8 MiB, the DTB 2 MiB aligned
     * after it. */
    cr_expect_eq(entry, RAM_BASE + 0x80000);
    cr_expect_eq(memcmp(test_ram(tm, RAM_BASE + 0x800000, sizeof(rd)), rd, sizeof(rd)), 0);
    cr_expect_eq(tm->m.cpus[0]->x[0], RAM_BASE + 0xa00000);
    /* A 12 MiB image_size: at + 2 MiB (text_offset 0 is below QEMU's boot
     * stub), so it ends at + 14 MiB, above RAM/2: the initrd follows it. */
    uint64_t image_size = 12ull << 20;
    memcpy(img + 16, &image_size, 8);
    cr_assert(load_capture(write_file(img, sizeof(img)), &entry), "%s", err);
    cr_expect_eq(entry, RAM_BASE + 0x200000);
    cr_expect_eq(memcmp(test_ram(tm, RAM_BASE + 0xe00000, sizeof(rd)), rd, sizeof(rd)), 0);
    /* The DTB does not fit after it (16 MiB is the end): below the kernel. */
    cr_expect_eq(tm->m.cpus[0]->x[0], RAM_BASE);
    tm->m.opt.initrd = NULL;
}

/* An uncompressed Image is read straight into guest RAM (load_image_direct),
 * a gzip'd one through a buffer: the same bytes at the same place, the same
 * entry, either way; a byte that is not the magic's sends the file the
 * general way (here: a raw kernel at RAM + 0x80000). */
Test(loader, image_plain_and_gzip_land_alike)
{
    static uint8_t img[3 * 4096 + 123];
    for (size_t i = 0; i < sizeof(img); i++)
        img[i] = (uint8_t)(i * 7 + (i >> 9));
    memset(img, 0, 64);
    memcpy(img + 56, "ARM\x64", 4);
    uint64_t text_offset = 0x80000, image_size = 1ull << 20;
    memcpy(img + 8, &text_offset, 8);
    memcpy(img + 16, &image_size, 8);
    uint64_t entry = 0;
    cr_assert(load_capture(write_file(img, sizeof(img)), &entry), "%s", err);
    cr_expect_eq(entry, RAM_BASE + 0x80000);
    cr_expect_eq(memcmp(test_ram(tm, entry, sizeof(img)), img, sizeof(img)), 0);
    uint64_t dtb = tm->m.cpus[0]->x[0];

    memset(test_ram(tm, entry, sizeof(img)), 0, sizeof(img));
    uLongf zcap = compressBound(sizeof(img)) + 64;
    uint8_t *gz = malloc(zcap);
    z_stream zs = {0};
    cr_assert_eq(deflateInit2(&zs, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY), Z_OK);
    zs.next_in = img;
    zs.avail_in = sizeof(img);
    zs.next_out = gz;
    zs.avail_out = (uInt)zcap;
    cr_assert_eq(deflate(&zs, Z_FINISH), Z_STREAM_END);
    size_t gzlen = zs.total_out;
    deflateEnd(&zs);
    uint64_t entry2 = 0;
    cr_assert(load_capture(write_file(gz, gzlen), &entry2), "%s", err);
    free(gz);
    cr_expect_eq(entry2, entry);
    cr_expect_eq(tm->m.cpus[0]->x[0], dtb);
    cr_expect_eq(memcmp(test_ram(tm, entry, sizeof(img)), img, sizeof(img)), 0);

    img[59] ^= 1; /* not the magic: a raw kernel */
    cr_assert(load_capture(write_file(img, sizeof(img)), &entry), "%s", err);
    cr_expect_eq(entry, RAM_BASE + 0x80000);
    cr_expect_eq(memcmp(test_ram(tm, entry, sizeof(img)), img, sizeof(img)), 0);
}

Test(loader, qemu_placement)
{
    /* QEMU's hw/arm/boot.c for the Debian 6.1 Image (text_offset 0,
     * image_size 0x2010000) and for a raw kernel, at -m 64M, 128M, 1G. */
    const uint64_t deb = 0x2010000, M = 1ull << 20;
    cr_expect_eq(boot_image_offset(0, deb), 2 * M);
    cr_expect_eq(boot_image_offset(0x80000, deb), 0x80000);
    cr_expect_eq(boot_image_offset(0x80000, 0), KERNEL64_LOAD_OFFSET);
    uint64_t high = RAM_BASE + 2 * M + deb;
    cr_expect_eq(boot_initrd_start(RAM_BASE, 64 * M, high), 0x42210000);
    cr_expect_eq(boot_initrd_start(RAM_BASE, 128 * M, high), RAM_BASE + 64 * M);
    cr_expect_eq(boot_initrd_start(RAM_BASE, 1024 * M, high), RAM_BASE + 128 * M);
    uint64_t raw_high = RAM_BASE + 0x80000 + 4096;
    cr_expect_eq(boot_initrd_start(RAM_BASE, 64 * M, raw_high), RAM_BASE + 32 * M);
    cr_expect_eq(boot_initrd_start(RAM_BASE, 128 * M, raw_high), RAM_BASE + 64 * M);
    cr_expect_eq(boot_initrd_start(RAM_BASE, 1024 * M, raw_high), RAM_BASE + 128 * M);
    /* An odd end is page aligned. */
    cr_expect_eq(boot_initrd_start(RAM_BASE, 64 * M, RAM_BASE + 40 * M + 1), RAM_BASE + 40 * M + 4096);
    /* DTB: the 2 MiB boundary after the initrd's end (or its start). */
    cr_expect_eq(boot_dtb_start(RAM_BASE, 64 * M, RAM_BASE + 32 * M, RAM_BASE + 0x80000, 0x2000),
                 RAM_BASE + 32 * M);
    cr_expect_eq(boot_dtb_start(RAM_BASE, 64 * M, RAM_BASE + 32 * M + 1, RAM_BASE + 0x80000, 0x2000),
                 RAM_BASE + 34 * M);
    /* No room above: below the kernel if it fits, else nowhere. */
    cr_expect_eq(boot_dtb_start(RAM_BASE, 64 * M, RAM_BASE + 63 * M, RAM_BASE + 0x80000, 0x2000), RAM_BASE);
    cr_expect_eq(boot_dtb_start(RAM_BASE, 64 * M, RAM_BASE + 63 * M, RAM_BASE + 0x80000, 0x100000), 0);
}

Test(loader, user_dtb)
{
    /* -dtb: a tree that says 1 GiB and has no /chosen gets the real RAM,
     * the command line and the initrd. */
    uint64_t mp = 0x80000000;
    FdtDesc d = {.ncpus = 1, .mpidr = &mp, .ram_base = RAM_BASE, .ram_size = 1ull << 30, .gic_version = 3};
    size_t sz;
    void *fdt = fdt_generate(&d, &sz);
    cr_assert_not_null(fdt);
    int chosen = fdt_path_offset(fdt, "/chosen");
    cr_assert_geq(chosen, 0);
    cr_assert_eq(fdt_del_node(fdt, chosen), 0);
    tm->m.opt.dtb = write_file(fdt, fdt_totalsize(fdt));
    free(fdt);
    uint8_t rd[100] = {7};
    tm->m.opt.initrd = write_file(rd, sizeof(rd));
    tm->m.opt.append = "console=ttyAMA0 hello";
    uint8_t raw[64] = {1, 2, 3};
    uint64_t entry = 0;
    cr_assert(load_capture(write_file(raw, sizeof(raw)), &entry), "%s", err);
    const void *g = test_ram(tm, tm->m.cpus[0]->x[0], 4096);
    cr_assert_eq(fdt_check_header(g), 0);
    int mem = fdt_path_offset(g, "/memory@40000000");
    int len;
    const fdt64_t *reg = fdt_getprop(g, mem, "reg", &len);
    cr_assert(reg && len == 16);
    cr_expect_eq(fdt64_ld(&reg[0]), RAM_BASE); /* properties are only 4-byte aligned */
    cr_expect_eq(fdt64_ld(&reg[1]), TEST_RAM_SIZE);
    chosen = fdt_path_offset(g, "/chosen");
    cr_assert_geq(chosen, 0);
    cr_expect_str_eq(fdt_getprop(g, chosen, "bootargs", NULL), "console=ttyAMA0 hello");
    const fdt64_t *st = fdt_getprop(g, chosen, "linux,initrd-start", &len);
    cr_assert(st && len == 8);
    cr_expect_eq(fdt64_ld(st), RAM_BASE + 0x800000);
    /* Not a device tree: one clear line. */
    tm->m.opt.dtb = write_file(raw, sizeof(raw));
    cr_expect(!load_capture(write_file(raw, sizeof(raw)), &entry));
    cr_expect(strstr(err, "not a valid flattened device tree") != NULL && lines(err) == 1, "%s", err);
    tm->m.opt.dtb = NULL;
    tm->m.opt.initrd = NULL;
    tm->m.opt.append = NULL;
}
