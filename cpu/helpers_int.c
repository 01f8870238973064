/* C helpers for integer instructions too awkward for IR. */
#include "translate.h"

/* CRC32{B,H,W,X} / CRC32C{B,H,W,X}: the Arm ARM's CRC32 pseudocode with
 * bit-reflected polynomials (0xedb88320, Castagnoli 0x82f63b78) and no
 * pre/post inversion. Any vCPU thread (called from IR). */
uint64_t helper_crc32(CPUState *cpu, uint64_t acc, uint64_t data, uint64_t c, uint64_t imm)
{
    (void)cpu, (void)c;
    int size = (int)(imm & 0xff);
    uint32_t poly = (imm >> 8) & 1 ? 0x82f63b78u : 0xedb88320u;
    uint32_t crc = (uint32_t)acc;
    for (int i = 0; i < size; i++) {
        crc ^= (uint8_t)(data >> (8 * i));
        for (int k = 0; k < 8; k++)
            crc = (crc >> 1) ^ (poly & -(crc & 1));
    }
    return crc;
}
