/* Semihosting calls for C guest tests. */
#include "libguest.h"

int guest_failures;

static uint64_t semihost(uint64_t op, uint64_t arg)
{
    register uint64_t x0 __asm__("x0") = op;
    register uint64_t x1 __asm__("x1") = arg;
    __asm__ volatile("hlt #0xf000" : "+r"(x0) : "r"(x1) : "memory");
    return x0;
}

void guest_puts(const char *s)
{
    semihost(0x04, (uint64_t)(uintptr_t)s);
}

void guest_put_hex(uint64_t v)
{
    char buf[17];
    for (int i = 15; i >= 0; i--) {
        int d = (int)(v & 15);
        buf[i] = (char)(d < 10 ? '0' + d : 'a' + d - 10);
        v >>= 4;
    }
    buf[16] = 0;
    guest_puts(buf);
}

void guest_put_dec(uint64_t v)
{
    char buf[21];
    int i = 20;
    buf[i] = 0;
    do {
        buf[--i] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    guest_puts(&buf[i]);
}

void guest_exit(int status)
{
    static volatile uint64_t block[2];
    block[0] = 0x20026;
    block[1] = (uint64_t)status;
    semihost(0x18, (uint64_t)(uintptr_t)block);
    for (;;)
        ;
}
