/* A raw kernel (objcopy -O binary; with -DIMAGE_HEADER an arm64 Image) that reports what a QEMU-style boot gave
 * it: x0 (the DTB), and from that device tree the initrd's range, the
 * memory node and the command line, as one "BOOTINFO ..." line on the
 * PL011; then PSCI SYSTEM_OFF. Run on flotilla and on qemu-system-aarch64
 * by rawboot.sh, which compares the lines. No semihosting (QEMU would need
 * it enabled): output through the UART data register. */
#include <stdint.h>

#ifdef IMAGE_HEADER
/* As an arm64 Image (Documentation/arch/arm64/booting.rst): text_offset 0,
 * image_size 40 MiB, so the loader puts it at RAM + 2 MiB and the initrd
 * no lower than RAM + 42 MiB. The code is position independent (adrp). */
__asm__(".section .text.boot, \"ax\"\n"
        "  b _start\n"
        "  .word 0\n"
        "  .quad 0\n"              /* text_offset */
        "  .quad 0x2800000\n"      /* image_size */
        "  .quad 0xa\n"            /* flags: little-endian, 4K pages */
        "  .quad 0, 0, 0\n"
        "  .ascii \"ARM\\x64\"\n"
        "  .word 0\n");
#endif
__asm__(".section .text.boot, \"ax\"\n"
        ".global _start\n"
        "_start:\n"
        "  mov x19, x0\n"
        "  adrp x1, raw_stack\n"
        "  add x1, x1, :lo12:raw_stack\n"
        "  add x1, x1, #4096\n"
        "  add x1, x1, #4096\n"
        "  mov sp, x1\n"
        "  mov x0, x19\n"
        "  bl rawmain\n"
        "1: b 1b\n");

uint8_t raw_stack[8192] __attribute__((aligned(16)));

#define UART_DR ((volatile uint32_t *)0x09000000)

static void putc_(char c) { *UART_DR = (uint8_t)c; }
static void puts_(const char *s)
{
    while (*s)
        putc_(*s++);
}
static void puthex(uint64_t v)
{
    puts_("0x");
    int started = 0;
    for (int i = 60; i >= 0; i -= 4) {
        int d = (int)((v >> i) & 15);
        if (d || started || i == 0) {
            putc_((char)(d < 10 ? '0' + d : 'a' + d - 10));
            started = 1;
        }
    }
}

static uint32_t be32(const volatile uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}
static uint64_t be_val(const volatile uint8_t *p, uint32_t len)
{
    return len == 8 ? (uint64_t)be32(p) << 32 | be32(p + 4) : be32(p);
}
static int streq(const volatile uint8_t *a, const char *b)
{
    while (*b && *a == (uint8_t)*b) {
        a++;
        b++;
    }
    return *b == 0 && (*a == 0 || *a == '@');
}

void rawmain(uint64_t x0) __attribute__((noreturn));
void rawmain(uint64_t x0)
{
    const volatile uint8_t *fdt = (const volatile uint8_t *)x0;
    uint64_t rd_start = 0, rd_end = 0, mem_base = 0, mem_size = 0;
    const volatile uint8_t *bootargs = 0;
    int ok = x0 && be32(fdt) == 0xd00dfeed;
    if (ok) {
        const volatile uint8_t *p = fdt + be32(fdt + 8), *strs = fdt + be32(fdt + 12);
        int depth = 0, in_chosen = 0, in_memory = 0;
        for (int guard = 0; guard < 100000; guard++) {
            uint32_t tok = be32(p);
            p += 4;
            if (tok == 1) { /* BEGIN_NODE */
                const volatile uint8_t *name = p;
                depth++;
                if (depth == 2) {
                    in_chosen = streq(name, "chosen");
                    in_memory = streq(name, "memory");
                }
                while (*p)
                    p++;
                p = (const volatile uint8_t *)(((uintptr_t)p + 4) & ~(uintptr_t)3);
            } else if (tok == 2) {
                depth--;
                in_chosen = in_memory = 0;
            } else if (tok == 3) {
                uint32_t len = be32(p), nameoff = be32(p + 4);
                const volatile uint8_t *val = p + 8, *name = strs + nameoff;
                if (depth == 2 && in_chosen && streq(name, "linux,initrd-start"))
                    rd_start = be_val(val, len);
                if (depth == 2 && in_chosen && streq(name, "linux,initrd-end"))
                    rd_end = be_val(val, len);
                if (depth == 2 && in_chosen && streq(name, "bootargs"))
                    bootargs = val;
                if (depth == 2 && in_memory && streq(name, "reg") && len == 16) {
                    mem_base = be_val(val, 8);
                    mem_size = be_val(val + 8, 8);
                }
                p = (const volatile uint8_t *)(((uintptr_t)val + len + 3) & ~(uintptr_t)3);
            } else if (tok == 4) {
                continue;
            } else {
                break; /* END or garbage */
            }
        }
    }
    puts_("BOOTINFO x0=");
    puthex(x0);
    puts_(ok ? " fdt=ok" : " fdt=bad");
    puts_(" initrd=");
    puthex(rd_start);
    puts_("-");
    puthex(rd_end);
    puts_(" mem=");
    puthex(mem_base);
    puts_("+");
    puthex(mem_size);
    puts_(" bootargs=");
    if (bootargs)
        while (*bootargs)
            putc_((char)*bootargs++);
    puts_("\n");
    register uint64_t r0 __asm__("x0") = 0x84000008; /* PSCI SYSTEM_OFF */
    __asm__ volatile("hvc #0" : "+r"(r0)::"memory");
    for (;;)
        ;
}
