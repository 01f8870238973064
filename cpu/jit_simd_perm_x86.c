/* Tier 1: Advanced SIMD permutes on host SSSE3 (pshufb): ZIP/UZP/TRN, EXT,
 * TBL/TBX, REV16/32/64, CNT and RBIT (nibble tables), the even/odd split
 * of the pairwise ops, and the element shuffles of LD2-LD4 and ST2-ST4
 * (helper_vld_deinterleave, helper_vst_interleave). Each permute is a byte map
 * from up to four source registers: one pshufb per source with a constant
 * mask (bit 7 set = zero), OR-ed together. Sources are read from cpu->v
 * before any destination is written, so overlapping registers (Vd = Vn,
 * the LD4 register list wrapping from V31 to V0) behave as in the helpers.
 *
 * Thread rules: the compiling thread. */
#include "jit_simd_emit.h"

#include "translate.h"

/* map[i]: the byte of output i as source * 16 + byte, or -1 for zero. */
typedef struct ByteMap {
    int8_t b[16];
} ByteMap;

/* xout = the bytes of map (sources: the V registers regs[0..]); uses X0, X1. */
static void gather(JitBuf *j, int xout, const ByteMap *m, const int *regs, int nsrc)
{
    bool first = true;
    for (int s = 0; s < nsrc; s++) {
        uint8_t mask[16];
        bool used = false;
        for (int i = 0; i < 16; i++) {
            bool mine = m->b[i] >= 0 && m->b[i] / 16 == s;
            mask[i] = mine ? (uint8_t)(m->b[i] % 16) : 0x80;
            used |= mine;
        }
        if (!used)
            continue;
        uint64_t lo, hi;
        memcpy(&lo, mask, 8);
        memcpy(&hi, mask + 8, 8);
        vload(j, first ? xout : X0, regs[s], true);
        xconst(j, X1, lo, hi);
        sse(j, 0x0f3800, first ? xout : X0, X1);          /* pshufb */
        if (!first)
            sse(j, 0x0feb, xout, X0);                     /* por */
        first = false;
    }
    if (first)
        pzero(j, xout);
}

/* Byte map of an element map: elem[i] = source element (source * nelem_per_reg
 * + index) of output element i, -1 = zero. */
static void elem_map(ByteMap *m, const int *elem, int nout, int ebytes)
{
    memset(m->b, -1, sizeof m->b);
    for (int i = 0; i < nout; i++)
        for (int k = 0; k < ebytes; k++)
            if (elem[i] >= 0) {
                int src = elem[i] * ebytes / 16, byte = elem[i] * ebytes % 16;
                m->b[i * ebytes + k] = (int8_t)(src * 16 + byte + k);
            }
}

void jit_simd_uzp(JitBuf *j, int xeven, int xodd, int rn, int rm, int ebits, bool q)
{
    int nelem = (q ? 128 : 64) / ebits, per = 128 / ebits, elem[16], regs[2] = {rn, rm};
    for (int part = 0; part < 2; part++) {
        for (int i = 0; i < nelem; i++) {
            int k = 2 * i + part;
            elem[i] = k < nelem ? k : per + k - nelem;
        }
        ByteMap m;
        elem_map(&m, elem, nelem, ebits / 8);
        gather(j, part ? xodd : xeven, &m, regs, 2);
    }
}

/* ZIP1/2, UZP1/2, TRN1/2 (as helper_simd_perm). */
static bool zip_uzp_trn(JitBuf *j, uint32_t insn)
{
    int q = (insn >> 30) & 1, size = (insn >> 22) & 3, opc = (insn >> 12) & 7;
    int ebits = 8 << size, nelem = (q ? 128 : 64) / ebits, half = nelem / 2, part = opc >> 2, per = 128 / ebits;
    int elem[16], regs[2] = {(insn >> 5) & 31, (insn >> 16) & 31};
    for (int i = 0; i < nelem; i++) {
        int k;
        switch (opc & 3) {
        case 1: k = 2 * i + part; elem[i] = k < nelem ? k : per + k - nelem; break;   /* UZP */
        case 2: elem[i] = (i & 1 ? per : 0) + (i & ~1) + part; break;                 /* TRN */
        case 3: elem[i] = (i & 1 ? per : 0) + part * half + i / 2; break;             /* ZIP */
        default: return false;
        }
    }
    ByteMap m;
    elem_map(&m, elem, nelem, ebits / 8);
    gather(j, X2, &m, regs, 2);
    vstore(j, X2, insn & 31, q);
    return true;
}

/* EXT: bytes pos.. of Vm:Vn (the low `bytes` of each). */
static bool ext(JitBuf *j, uint32_t insn)
{
    int bytes = (insn >> 30) & 1 ? 16 : 8, pos = (insn >> 11) & 15;
    int regs[2] = {(insn >> 5) & 31, (insn >> 16) & 31};
    ByteMap m;
    memset(m.b, -1, sizeof m.b);
    for (int i = 0; i < bytes; i++)
        m.b[i] = (int8_t)(pos + i < bytes ? pos + i : 16 + pos + i - bytes);
    gather(j, X2, &m, regs, 2);
    vstore(j, X2, insn & 31, bytes == 16);
    return true;
}

/* TBL/TBX with 1-4 table registers: per table register k, pshufb with the
 * indices minus 16k, saturated above 15 (paddusb 0x70 sets bit 7 for every
 * index out of this register's range, the wrapped ones below it too). */
static bool tbl(JitBuf *j, uint32_t insn)
{
    int q = (insn >> 30) & 1, nregs = ((insn >> 13) & 3) + 1, rn = (insn >> 5) & 31, rd = insn & 31;
    bool tbx = (insn >> 12) & 1;
    vload(j, X3, (insn >> 16) & 31, q);                   /* the indices */
    xsplat(j, X2, 8, 0x70);
    for (int k = 0; k < nregs; k++) {
        vload(j, k ? X0 : X4, (rn + k) & 31, true);
        sse(j, 0x0f6f, X1, X3);                           /* movdqa */
        if (k) {
            xsplat(j, X5, 8, (uint64_t)(16 * k));
            sse(j, 0x0ff8, X1, X5);                       /* psubb */
        }
        sse(j, 0x0fdc, X1, X2);                           /* paddusb */
        sse(j, 0x0f3800, k ? X0 : X4, X1);                /* pshufb */
        if (k)
            sse(j, 0x0feb, X4, X0);
    }
    if (tbx) {                                            /* keep Vd's byte where the index is out of range */
        xsplat(j, X1, 8, (uint64_t)(16 * nregs - 1));
        sse(j, 0x0fda, X1, X3);                           /* pminub(limit, idx) */
        sse(j, 0x0f74, X1, X3);                           /* == idx: in range */
        vload(j, X0, rd, q);
        sse(j, 0x0fdb, X4, X1);                           /* pand */
        sse(j, 0x0fdf, X1, X0);                           /* pandn: ~inrange & d */
        sse(j, 0x0feb, X4, X1);
    }
    vstore(j, X4, rd, q);
    return true;
}

/* REV16/32/64 (element reversal in containers), CNT (bytes), RBIT (bytes). */
static bool misc_perm(JitBuf *j, uint32_t insn)
{
    int q = (insn >> 30) & 1, u = (insn >> 29) & 1, size = (insn >> 22) & 3, opc = (insn >> 12) & 31;
    int key = u << 5 | opc, rd = insn & 31, rn = (insn >> 5) & 31, ebits = 8 << size;
    if (key == 0x00 || key == 0x20 || key == 0x01) {
        int cbits = key == 0x00 ? 64 : key == 0x20 ? 32 : 16, per = cbits / ebits;
        int nelem = (q ? 128 : 64) / ebits, elem[16];
        if (per < 2)
            return false;
        for (int i = 0; i < nelem; i++)
            elem[i] = (i / per) * per + (per - 1 - i % per);
        ByteMap m;
        elem_map(&m, elem, nelem, ebits / 8);
        gather(j, X2, &m, &rn, 1);
        vstore(j, X2, rd, q);
        return true;
    }
    if ((key == 0x05 && size == 0) || (key == 0x25 && size == 1)) {
        /* per nibble from a 16-entry table: CNT = t[lo] + t[hi]; RBIT =
         * rev[lo] << 4 | rev[hi] */
        uint8_t t_lo[16], t_hi[16];
        for (int i = 0; i < 16; i++) {
            int rev = (i & 1) << 3 | (i & 2) << 1 | (i & 4) >> 1 | (i & 8) >> 3;
            t_lo[i] = (uint8_t)(key == 0x05 ? __builtin_popcount((unsigned)i) : rev << 4);
            t_hi[i] = (uint8_t)(key == 0x05 ? __builtin_popcount((unsigned)i) : rev);
        }
        uint64_t a, b;
        vload(j, X0, rn, q);
        sse(j, 0x0f6f, X1, X0);
        sse_sh(j, 0x0f71, 2, X1, 4);                      /* psrlw 4 */
        xsplat(j, X2, 8, 0x0f);
        sse(j, 0x0fdb, X0, X2);                           /* low nibbles */
        sse(j, 0x0fdb, X1, X2);                           /* high nibbles */
        memcpy(&a, t_lo, 8), memcpy(&b, t_lo + 8, 8);
        xconst(j, X3, a, b);
        sse(j, 0x0f3800, X3, X0);
        memcpy(&a, t_hi, 8), memcpy(&b, t_hi + 8, 8);
        xconst(j, X4, a, b);
        sse(j, 0x0f3800, X4, X1);
        sse(j, key == 0x05 ? 0x0ffc : 0x0feb, X3, X4);    /* paddb / por */
        vstore(j, X3, rd, q);
        return true;
    }
    return false;
}

/* LD2-LD4 element shuffle, in place on V[rt..rt+selem-1] (mod 32). */
static bool deinterleave(JitBuf *j, uint64_t imm)
{
    int rt = (int)(imm & 31), selem = (int)(imm >> 5 & 7), ebytes = 1 << (imm >> 8 & 3);
    int regbytes = imm >> 10 & 1 ? 16 : 8, regs[4];
    if (selem < 2 || selem > 4)
        return false;
    for (int r = 0; r < selem; r++)
        regs[r] = (rt + r) % 32;
    for (int r = 0; r < selem; r++) {
        ByteMap m;
        memset(m.b, -1, sizeof m.b);
        for (int b = 0; b < regbytes; b++) {
            int i = (b / ebytes) * selem + r, img = i * ebytes + b % ebytes;
            m.b[b] = (int8_t)((img / regbytes) * 16 + img % regbytes);
        }
        gather(j, X4 + r, &m, regs, selem);
    }
    for (int r = 0; r < selem; r++)
        vstore(j, X4 + r, regs[r], true);
    return true;
}

/* One 8-byte chunk of the ST2-ST4 memory image, into RAX. */
static bool interleave(JitBuf *j, uint64_t imm)
{
    int rt = (int)(imm & 31), selem = (int)(imm >> 5 & 7), ebytes = 1 << (imm >> 8 & 3);
    int chunk = (int)(imm >> 11 & 7), regs[4];
    if (selem < 2 || selem > 4)
        return false;
    for (int r = 0; r < selem; r++)
        regs[r] = (rt + r) % 32;
    ByteMap m;
    memset(m.b, -1, sizeof m.b);
    for (int b = 0; b < 8; b++) {
        int i = (chunk * 8 + b) / ebytes;
        m.b[b] = (int8_t)((i % selem) * 16 + (i / selem) * ebytes + b % ebytes);
    }
    gather(j, X2, &m, regs, selem);
    x_rr(j, X66 | XW, 0x0f7e, X2, RAX);                   /* movq rax, xmm2 */
    return true;
}

bool jit_simd_perm_inline(JitBuf *j, uint32_t helper, uint64_t imm)
{
    uint32_t insn = (uint32_t)imm;
    if (!jsimd_has(JSF_SSSE3))
        return false;
    switch (helper) {
    case HELPER_simd_perm: return zip_uzp_trn(j, insn);
    case HELPER_simd_ext: return ext(j, insn);
    case HELPER_simd_tbl: return tbl(j, insn);
    case HELPER_simd_2misc: return misc_perm(j, insn);
    case HELPER_vld_deinterleave: return deinterleave(j, imm);
    case HELPER_vst_interleave: return interleave(j, imm);
    default: return false;
    }
}
