/* Single-core semantics under -det weak=on: each core stores values of
 * random sizes (1, 2, 4, 8 bytes) at random aligned offsets of its own
 * 64-byte area, so buffered stores overlap in every way, and loads random
 * pieces back. A core always sees its own stores in program order, so the
 * printed checksums must equal those of a free-running run (det_check.py
 * weak-stress compares them). */
#include "mp.h"

#define STEPS 20000

static volatile uint8_t area[MP_MAX][64] __attribute__((aligned(64)));
static volatile uint64_t sums[MP_MAX];

static void stress(int core)
{
    uint64_t x = 0x12345678u + (uint64_t)core, sum = 0;
    volatile uint8_t *a = area[core];
    for (int i = 0; i < STEPS; i++) {
        x = x * 6364136223846793005ull + 1442695040888963407ull;
        int size = 1 << ((x >> 60) & 3);
        int off = (int)((x >> 32) & 63) & ~(size - 1);
        int load = (x >> 59) & 1;
        if (load) {
            uint64_t v;
            switch (size) {
            case 1: v = *(volatile uint8_t *)(a + off); break;
            case 2: v = *(volatile uint16_t *)(a + off); break;
            case 4: v = *(volatile uint32_t *)(a + off); break;
            default: v = *(volatile uint64_t *)(a + off); break;
            }
            sum = sum * 31 + v;
        } else {
            switch (size) {
            case 1: *(volatile uint8_t *)(a + off) = (uint8_t)x; break;
            case 2: *(volatile uint16_t *)(a + off) = (uint16_t)x; break;
            case 4: *(volatile uint32_t *)(a + off) = (uint32_t)x; break;
            default: *(volatile uint64_t *)(a + off) = x; break;
            }
        }
    }
    sums[core] = sum;
}

int main(void)
{
    int n = mp_start(stress);
    stress(0);
    mp_join(n);
    for (int c = 0; c < n; c++) {
        guest_puts("core ");
        guest_put_dec((uint64_t)c);
        guest_puts(" sum ");
        guest_put_hex(sums[c]);
        guest_puts("\n");
    }
    return 0;
}
