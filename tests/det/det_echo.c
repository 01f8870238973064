/* Console input under -det (record/replay): core 0 polls the PL011 for
 * bytes until a '.', printing each byte with the virtual counter value
 * (CNTVCT) at which it arrived, while core 1 (with -smp 2) runs a racy
 * counter. A replay of a recording must print exactly the same. */
#include "mp.h"

#define UART 0x09000000ul
#define UARTDR 0x00
#define UARTFR 0x18
#define FR_RXFE (1u << 4)

static volatile uint64_t noise;
static volatile int stop;

static uint32_t mmio_read(uint64_t off) { return *(volatile uint32_t *)(UART + off); }

static void background(int core)
{
    (void)core;
    while (!stop)
        noise = noise + 1;
}

int main(void)
{
    int n = mp_start(background);
    for (;;) {
        while (mmio_read(UARTFR) & FR_RXFE) {
        }
        uint32_t c = mmio_read(UARTDR) & 0xff;
        uint64_t t;
        __asm__ volatile("mrs %0, cntvct_el0" : "=r"(t));
        guest_puts("got ");
        guest_put_hex(c);
        guest_puts(" at ");
        guest_put_dec(t);
        guest_puts("\n");
        if (c == '.')
            break;
    }
    stop = 1;
    if (n > 1)
        mp_join(n);
    guest_puts("noise ");
    guest_put_dec(noise);
    guest_puts("\n");
    return 0;
}
