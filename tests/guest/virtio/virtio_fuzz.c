/* virtio-mmio transport and virtio-blk from a hostile bare-metal driver.
 * Run with two drives (tests/guest/CMakeLists.txt): a writable scratch
 * image with serial "flotilla-fuzz" (slot 31) and a read-only one (slot 30).
 *
 * 1. the board: 32 transports, empty ones DeviceID 0;
 * 2. a well-behaved driver: write, read back (direct and indirect chains),
 *    flush, get-id, out-of-range and read-only requests get IOERR, the
 *    interrupt status is set;
 * 3. adversarial chains, each of which must put the device into
 *    NEEDS_RESET (loops, indices and addresses out of range, lengths that
 *    wrap, bad indirect tables, bad queue sizes and ring addresses), after
 *    which a reset brings it back;
 * 4. random chains (fixed seed): each must complete or break the device,
 *    never hang it; the device must still work at the end.
 * flotilla must not crash (the test harness also runs this under ASan). */
#include "libguest.h"

#define VBASE 0x0a000000ul
#define SLOT_SIZE 0x200ul
#define RAM_BASE 0x40000000ul
#define RAM_SIZE (512ul << 20) /* flotilla's default -m */
#define QMAX 16

enum {
    R_MAGIC = 0x000, R_VERSION = 0x004, R_DEVICE_ID = 0x008, R_VENDOR = 0x00c, R_DEV_FEAT = 0x010,
    R_DEV_FEAT_SEL = 0x014, R_DRV_FEAT = 0x020, R_DRV_FEAT_SEL = 0x024, R_QSEL = 0x030, R_QNUM_MAX = 0x034,
    R_QNUM = 0x038, R_QREADY = 0x044, R_NOTIFY = 0x050, R_INT_STATUS = 0x060, R_INT_ACK = 0x064, R_STATUS = 0x070,
    R_DESC_LO = 0x080, R_DESC_HI = 0x084, R_AVAIL_LO = 0x090, R_AVAIL_HI = 0x094, R_USED_LO = 0x0a0,
    R_USED_HI = 0x0a4, R_CONFIG = 0x100,
};
#define S_ACK 1
#define S_DRIVER 2
#define S_DRIVER_OK 4
#define S_FEATURES_OK 8
#define S_NEEDS_RESET 0x40
#define F_RO (1ull << 5)
#define F_INDIRECT (1ull << 28)
#define F_EVENT_IDX (1ull << 29)
#define F_VERSION_1 (1ull << 32)
#define D_NEXT 1
#define D_WRITE 2
#define D_INDIRECT 4

typedef struct {
    uint64_t addr;
    uint32_t len;
    uint16_t flags, next;
} Desc;

static Desc desc[QMAX] __attribute__((aligned(4096)));
static struct {
    uint16_t flags, idx, ring[QMAX], used_event;
} avail __attribute__((aligned(4096)));
static struct {
    uint16_t flags, idx;
    struct {
        uint32_t id, len;
    } ring[QMAX];
    uint16_t avail_event;
} used __attribute__((aligned(4096)));
static Desc itab[64] __attribute__((aligned(16)));
static struct {
    uint32_t type, reserved;
    uint64_t sector;
} hdr __attribute__((aligned(16)));
static uint8_t status_byte, data[4096] __attribute__((aligned(16))), data2[4096] __attribute__((aligned(16)));
/* random chains point only here (or outside RAM), never at the program */
static uint8_t fuzzbuf[65536] __attribute__((aligned(4096)));

static unsigned cur_slot, cur_qnum;
static uint16_t avail_next, used_seen;

static void bzero_v(void *p, unsigned long n)
{
    volatile uint8_t *b = p;
    for (unsigned long i = 0; i < n; i++)
        b[i] = 0;
}

static uint32_t rd(unsigned slot, unsigned off) { return *(volatile uint32_t *)(VBASE + slot * SLOT_SIZE + off); }
static void wr(unsigned slot, unsigned off, uint32_t v) { *(volatile uint32_t *)(VBASE + slot * SLOT_SIZE + off) = v; }
static uint64_t rd_cfg64(unsigned slot, unsigned off) { return rd(slot, R_CONFIG + off) | (uint64_t)rd(slot, R_CONFIG + off + 4) << 32; }

static uint64_t now_ticks(void)
{
    uint64_t v;
    __asm__ volatile("isb; mrs %0, cntpct_el0" : "=r"(v));
    return v;
}
static uint64_t freq(void)
{
    uint64_t v;
    __asm__ volatile("mrs %0, cntfrq_el0" : "=r"(v));
    return v;
}

static void reset(unsigned slot)
{
    wr(slot, R_STATUS, 0);
}

/* Bring up queue 0 of `slot` with `qnum` entries and features `want`
 * (masked by the offer). Returns the status after DRIVER_OK. */
static uint32_t setup(unsigned slot, unsigned qnum, uint64_t want, uint64_t desc_pa, uint64_t avail_pa,
                      uint64_t used_pa)
{
    cur_slot = slot;
    cur_qnum = qnum;
    reset(slot);
    bzero_v(&avail, sizeof(avail));
    bzero_v(&used, sizeof(used));
    avail_next = used_seen = 0;
    wr(slot, R_STATUS, S_ACK);
    wr(slot, R_STATUS, S_ACK | S_DRIVER);
    wr(slot, R_DEV_FEAT_SEL, 0);
    uint64_t offer = rd(slot, R_DEV_FEAT);
    wr(slot, R_DEV_FEAT_SEL, 1);
    offer |= (uint64_t)rd(slot, R_DEV_FEAT) << 32;
    uint64_t f = offer & want;
    wr(slot, R_DRV_FEAT_SEL, 0);
    wr(slot, R_DRV_FEAT, (uint32_t)f);
    wr(slot, R_DRV_FEAT_SEL, 1);
    wr(slot, R_DRV_FEAT, (uint32_t)(f >> 32));
    wr(slot, R_STATUS, S_ACK | S_DRIVER | S_FEATURES_OK);
    if (!(rd(slot, R_STATUS) & S_FEATURES_OK))
        return rd(slot, R_STATUS);
    wr(slot, R_QSEL, 0);
    wr(slot, R_QNUM, qnum);
    wr(slot, R_DESC_LO, (uint32_t)desc_pa);
    wr(slot, R_DESC_HI, (uint32_t)(desc_pa >> 32));
    wr(slot, R_AVAIL_LO, (uint32_t)avail_pa);
    wr(slot, R_AVAIL_HI, (uint32_t)(avail_pa >> 32));
    wr(slot, R_USED_LO, (uint32_t)used_pa);
    wr(slot, R_USED_HI, (uint32_t)(used_pa >> 32));
    wr(slot, R_QREADY, 1);
    wr(slot, R_STATUS, S_ACK | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK);
    return rd(slot, R_STATUS);
}

static uint32_t setup_std(unsigned slot, unsigned qnum, uint64_t want)
{
    return setup(slot, qnum, want, (uint64_t)(uintptr_t)desc, (uint64_t)(uintptr_t)&avail,
                 (uint64_t)(uintptr_t)&used);
}

enum { DONE, BROKEN, TIMEOUT };

/* Offer `n` heads (the ring entries are already written), notify and wait
 * for a used entry or NEEDS_RESET, at most 5 s of host time. */
static int kick_wait(unsigned n_new)
{
    __asm__ volatile("dmb sy" ::: "memory");
    avail_next = (uint16_t)(avail_next + n_new);
    *(volatile uint16_t *)&avail.idx = avail_next;
    __asm__ volatile("dmb sy" ::: "memory");
    wr(cur_slot, R_NOTIFY, 0);
    uint64_t end = now_ticks() + 5 * freq();
    for (;;) {
        uint16_t u = *(volatile uint16_t *)&used.idx;
        if (u != used_seen) {
            used_seen = u;
            return DONE;
        }
        if (rd(cur_slot, R_STATUS) & S_NEEDS_RESET)
            return BROKEN;
        if (now_ticks() > end)
            return TIMEOUT;
    }
}

static void put_avail(unsigned k, uint16_t head) { avail.ring[(uint16_t)(avail_next + k) % cur_qnum] = head; }

static Desc mk(uint64_t addr, uint32_t len, uint16_t flags, uint16_t next)
{
    Desc d = {addr, len, flags, next};
    return d;
}
#define PA(x) ((uint64_t)(uintptr_t)(x))

/* One request: header, optional data buffer (device-writable for reads),
 * status. Direct chain of 2 or 3 descriptors, or all in an indirect table. */
static int blk_req(uint32_t type, uint64_t sector, void *buf, uint32_t len, int indirect)
{
    hdr.type = type;
    hdr.reserved = 0;
    hdr.sector = sector;
    status_byte = 0xee;
    Desc *t = indirect ? itab : desc;
    int n = 0;
    t[n] = mk(PA(&hdr), 16, D_NEXT, 1);
    n++;
    if (len) {
        t[n] = mk(PA(buf), len, (uint16_t)(D_NEXT | (type == 1 ? 0 : D_WRITE)), (uint16_t)(n + 1));
        n++;
    }
    t[n] = mk(PA(&status_byte), 1, D_WRITE, 0);
    n++;
    if (indirect)
        desc[0] = mk(PA(itab), (uint32_t)(16 * n), D_INDIRECT, 0);
    put_avail(0, 0);
    return kick_wait(1);
}

static void check_empty_slots(void)
{
    for (unsigned s = 0; s < 32; s++) {
        CHECK_EQ(rd(s, R_MAGIC), 0x74726976);
        CHECK_EQ(rd(s, R_VERSION), 2);
        CHECK_EQ(rd(s, R_VENDOR), 0x554d4551);
        uint32_t id = rd(s, R_DEVICE_ID);
        CHECK_EQ(id, s >= 30 ? 2 : 0);
        if (s < 30) {
            wr(s, R_STATUS, S_ACK); /* ignored */
            CHECK_EQ(rd(s, R_STATUS), 0);
            CHECK_EQ(rd(s, R_QNUM_MAX), 0);
        }
    }
}

static void check_good_driver(void)
{
    uint32_t st = setup_std(31, 8, F_VERSION_1 | F_INDIRECT);
    CHECK_EQ(st, S_ACK | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK);
    CHECK(rd(31, R_QNUM_MAX) >= QMAX);
    uint64_t cap = rd_cfg64(31, 0);
    CHECK_EQ(cap, 2048); /* the 1 MiB image */
    for (int i = 0; i < 4096; i++)
        data[i] = (uint8_t)(i * 7 + 3);
    CHECK_EQ(blk_req(1, 8, data, 4096, 0), DONE);
    CHECK_EQ(status_byte, 0);
    CHECK_EQ(used.ring[0].id, 0);
    CHECK(rd(31, R_INT_STATUS) & 1);
    wr(31, R_INT_ACK, 1);
    CHECK_EQ(rd(31, R_INT_STATUS), 0);
    bzero_v(data2, sizeof(data2));
    CHECK_EQ(blk_req(0, 8, data2, 4096, 1), DONE); /* read back through an indirect table */
    CHECK_EQ(status_byte, 0);
    CHECK_EQ(used.ring[1].len, 4097);
    int same = 1;
    for (int i = 0; i < 4096; i++)
        same &= data2[i] == data[i];
    CHECK(same);
    CHECK_EQ(blk_req(4, 0, 0, 0, 0), DONE); /* flush */
    CHECK_EQ(status_byte, 0);
    bzero_v(data2, 32);
    CHECK_EQ(blk_req(8, 0, data2, 20, 0), DONE); /* get-id */
    CHECK_EQ(status_byte, 0);
    CHECK(data2[0] == 'f' && data2[8] == '-' && data2[12] == 'z' && data2[13] == 0);
    CHECK_EQ(blk_req(0, 2047, data2, 1024, 0), DONE); /* past the end */
    CHECK_EQ(status_byte, 1);
    CHECK_EQ(blk_req(0, 0, data2, 100, 0), DONE); /* not whole sectors */
    CHECK_EQ(status_byte, 1);
    CHECK_EQ(blk_req(99, 0, 0, 0, 0), DONE); /* unknown type */
    CHECK_EQ(status_byte, 2);

    /* The read-only drive: offers RO, reads work, writes are refused. */
    wr(30, R_DEV_FEAT_SEL, 0);
    CHECK(rd(30, R_DEV_FEAT) & F_RO);
    setup_std(30, 8, F_VERSION_1);
    CHECK_EQ(blk_req(0, 0, data2, 512, 0), DONE);
    CHECK_EQ(status_byte, 0);
    CHECK(data2[0] == 'R' && data2[1] == 'O');
    CHECK_EQ(blk_req(1, 0, data, 512, 0), DONE);
    CHECK_EQ(status_byte, 1);
    reset(30);

    /* A legacy driver (no VERSION_1) is refused FEATURES_OK. */
    st = setup_std(31, 8, F_INDIRECT);
    CHECK(!(st & S_FEATURES_OK));
}

/* The device still works: a good write/read pair on a fresh setup. */
static int works(void)
{
    setup_std(31, 8, F_VERSION_1 | F_INDIRECT | F_EVENT_IDX);
    for (int i = 0; i < 512; i++)
        data[i] = (uint8_t)(i ^ 0x5a);
    if (blk_req(1, 100, data, 512, 0) != DONE || status_byte != 0)
        return 0;
    bzero_v(data2, 512);
    if (blk_req(0, 100, data2, 512, 1) != DONE || status_byte != 0)
        return 0;
    for (int i = 0; i < 512; i++)
        if (data2[i] != data[i])
            return 0;
    return 1;
}

static int expect_broken(const char *what, int r)
{
    if (r != BROKEN) {
        guest_puts("FAIL adversarial case '");
        guest_puts(what);
        guest_puts(r == DONE ? "': completed\n" : "': device hung\n");
        guest_failures++;
    }
    return r;
}

/* Each case: a fresh queue, one hostile chain, then the device must say NEEDS_RESET. */
static void check_adversarial(void)
{
    const uint64_t ram_end = RAM_BASE + RAM_SIZE;
    struct {
        const char *what;
        Desc d0, d1;
        uint16_t head;
        uint64_t feat;
    } cases[] = {
        {"self loop", mk(PA(data), 16, D_NEXT, 0), mk(0, 0, 0, 0), 0, 0},
        {"two-descriptor loop", mk(PA(data), 16, D_NEXT, 1), mk(PA(data2), 16, D_NEXT, 0), 0, 0},
        {"head out of range", mk(PA(data), 16, 0, 0), mk(0, 0, 0, 0), 200, 0},
        {"next out of range", mk(PA(data), 16, D_NEXT, 8), mk(0, 0, 0, 0), 0, 0},
        {"buffer below RAM", mk(0x1000, 16, 0, 0), mk(0, 0, 0, 0), 0, 0},
        {"buffer in MMIO", mk(0x09000000, 16, 0, 0), mk(0, 0, 0, 0), 0, 0},
        {"buffer past RAM end", mk(ram_end - 8, 16, 0, 0), mk(0, 0, 0, 0), 0, 0},
        {"length wraps 32 bits", mk(PA(data), 0xffffffffu, 0, 0), mk(0, 0, 0, 0), 0, 0},
        {"address wraps 64 bits", mk(0xfffffffffffffff0ull, 0x20, D_WRITE, 0), mk(0, 0, 0, 0), 0, 0},
        {"readable after writable", mk(PA(data), 16, D_NEXT | D_WRITE, 1), mk(PA(data2), 16, 0, 0), 0, 0},
        {"no status byte", mk(PA(&hdr), 16, 0, 0), mk(0, 0, 0, 0), 0, 0},
        {"short header", mk(PA(&hdr), 8, D_NEXT, 1), mk(PA(&status_byte), 1, D_WRITE, 0), 0, 0},
        {"indirect not negotiated", mk(PA(itab), 32, D_INDIRECT, 0), mk(0, 0, 0, 0), 0, 0},
        {"indirect with NEXT", mk(PA(itab), 32, D_INDIRECT | D_NEXT, 1), mk(0, 0, 0, 0), 0, F_INDIRECT},
        {"indirect length 0", mk(PA(itab), 0, D_INDIRECT, 0), mk(0, 0, 0, 0), 0, F_INDIRECT},
        {"indirect length odd", mk(PA(itab), 24, D_INDIRECT, 0), mk(0, 0, 0, 0), 0, F_INDIRECT},
        {"indirect table outside RAM", mk(ram_end - 16, 64, D_INDIRECT, 0), mk(0, 0, 0, 0), 0, F_INDIRECT},
        {"indirect table too large", mk(PA(fuzzbuf), 16 * 1000, D_INDIRECT, 0), mk(0, 0, 0, 0), 0, F_INDIRECT},
        {"nested indirect", mk(PA(itab), 32, D_INDIRECT, 0), mk(0, 0, 0, 0), 0, F_INDIRECT | 1},
        {"indirect loop", mk(PA(itab), 32, D_INDIRECT, 0), mk(0, 0, 0, 0), 0, F_INDIRECT | 2},
    };
    for (unsigned c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
        setup_std(31, 8, F_VERSION_1 | (cases[c].feat & F_INDIRECT));
        desc[0] = cases[c].d0;
        desc[1] = cases[c].d1;
        if (cases[c].feat & 1) { /* nested: the table holds another indirect */
            itab[0] = mk(PA(itab), 32, D_INDIRECT, 0);
        } else if (cases[c].feat & 2) { /* loop inside the table */
            itab[0] = mk(PA(data), 16, D_NEXT, 1);
            itab[1] = mk(PA(data2), 16, D_NEXT, 0);
        } else {
            itab[0] = mk(PA(&hdr), 16, D_NEXT, 1);
            itab[1] = mk(PA(&status_byte), 1, D_WRITE, 0);
        }
        hdr.type = 0;
        hdr.sector = 0;
        put_avail(0, cases[c].head);
        expect_broken(cases[c].what, kick_wait(1));
        /* NEEDS_RESET sticks until reset and is announced as a config change. */
        CHECK(rd(31, R_STATUS) & S_NEEDS_RESET);
        CHECK(rd(31, R_INT_STATUS) & 2);
        wr(31, R_STATUS, rd(31, R_STATUS) & ~(uint32_t)S_NEEDS_RESET);
        CHECK(rd(31, R_STATUS) & S_NEEDS_RESET);
    }

    /* The available index claims more entries than the queue has. */
    setup_std(31, 8, F_VERSION_1);
    desc[0] = mk(PA(&hdr), 16, 0, 0);
    expect_broken("available index jump", kick_wait(9));

    /* Bad queue layouts are refused at QueueReady. */
    static const unsigned bad_num[] = {0, 3, 7, 12, 1024, 65535};
    for (unsigned i = 0; i < sizeof(bad_num) / sizeof(bad_num[0]); i++) {
        uint32_t st = setup_std(31, bad_num[i], F_VERSION_1);
        CHECK(st & S_NEEDS_RESET);
        CHECK_EQ(rd(31, R_QREADY), 0);
    }
    CHECK(setup(31, 8, F_VERSION_1, ram_end - 64, PA(&avail), PA(&used)) & S_NEEDS_RESET);
    CHECK(setup(31, 8, F_VERSION_1, PA(desc), 0x09000000, PA(&used)) & S_NEEDS_RESET);
    CHECK(setup(31, 8, F_VERSION_1, PA(desc), PA(&avail), ram_end - 8) & S_NEEDS_RESET);
    CHECK(setup(31, 8, F_VERSION_1, PA(desc) + 8, PA(&avail), PA(&used)) & S_NEEDS_RESET);
    CHECK(setup(31, 8, F_VERSION_1, PA(desc), PA(&avail) + 1, PA(&used)) & S_NEEDS_RESET);
    CHECK(works());
}

static uint64_t rng = 0x9e3779b97f4a7c15ull;
static uint32_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)(rng >> 16);
}

/* An address that is either inside fuzzbuf (any length keeps it there or
 * is rejected) or outside RAM. */
static Desc rnd_desc(unsigned qnum)
{
    Desc d;
    uint32_t k = rnd() % 10;
    uint32_t off = rnd() % sizeof(fuzzbuf);
    switch (k) {
    case 0: d.addr = 0; break;
    case 1: d.addr = 0x09000000; break;
    case 2: d.addr = RAM_BASE + RAM_SIZE - (rnd() % 64); break;
    case 3: d.addr = ((uint64_t)rnd() << 32) | rnd(); break;
    case 4: d.addr = PA(&hdr); break;
    case 5: d.addr = PA(&status_byte); break;
    default: d.addr = PA(fuzzbuf) + off; break;
    }
    uint32_t lk = rnd() % 8;
    switch (lk) {
    case 0: d.len = 0; break;
    case 1: d.len = 1; break;
    case 2: d.len = 16; break;
    case 3: d.len = 512; break;
    case 4: d.len = 0xffffffffu; break;
    default: d.len = rnd() % 2048; break;
    }
    /* in fuzzbuf, a length that would leave it is shortened (so the test never
     * asks the device to write over this program); elsewhere lengths cross
     * the end of RAM or the address is not RAM at all */
    if (k >= 6 && d.len > sizeof(fuzzbuf) - off)
        d.len = (uint32_t)(sizeof(fuzzbuf) - off);
    if (k == 4 && d.len > 16)
        d.len = 16;
    if (k == 5 && d.len > 1)
        d.len = 1;
    if (k == 2 && d.len < 64)
        d.len = 64 + d.len;
    if (k == 3 && (d.addr >> 32) == 0)
        d.addr |= 1ull << 40;
    d.flags = (uint16_t)(rnd() & 7);
    d.next = (uint16_t)(rnd() % (qnum + 3));
    return d;
}

static void check_random(int rounds)
{
    static const unsigned qnums[] = {1, 2, 4, 8, 16, 4, 8, 16, 3, 6};
    int done = 0, broken = 0;
    for (int r = 0; r < rounds; r++) {
        unsigned qnum = qnums[rnd() % 10];
        uint64_t feat = F_VERSION_1 | ((rnd() & 1) ? F_INDIRECT : 0) | ((rnd() & 1) ? F_EVENT_IDX : 0);
        uint32_t st = setup_std(31, qnum, feat);
        if (st & S_NEEDS_RESET) {
            CHECK(qnum & (qnum - 1)); /* only bad sizes are refused */
            broken++;
            continue;
        }
        for (unsigned i = 0; i < qnum; i++)
            desc[i] = rnd_desc(qnum);
        for (unsigned i = 0; i < 16; i++)
            itab[i] = rnd_desc(16);
        if (rnd() & 1) /* point some at the indirect table */
            desc[rnd() % qnum] = mk(PA(itab), 16 * (1 + rnd() % 16), (uint16_t)(D_INDIRECT | (rnd() & 1)), 0);
        for (unsigned i = 0; i < 64; i++)
            ((uint32_t *)fuzzbuf)[rnd() % (sizeof(fuzzbuf) / 4)] = rnd();
        static const uint32_t types[] = {0, 1, 4, 8, 11, 13, 2, 0x80000001u};
        hdr.type = types[rnd() % 8];
        hdr.sector = rnd() % 3000;
        unsigned n = 1 + rnd() % (qnum + 1);
        for (unsigned i = 0; i < n && i < qnum; i++)
            put_avail(i, (uint16_t)(rnd() % (qnum + 2)));
        if (qnum >= 3 && (rnd() & 1)) {
            /* A well-framed request with random contents, one field of it
             * possibly broken: reaches the device's request code. */
            uint32_t dlen = (rnd() & 1) ? 512 * (rnd() % 9) : rnd() % 5000;
            uint32_t doff = rnd() % (sizeof(fuzzbuf) - 8192);
            int dir = hdr.type == 0 || hdr.type == 8 ? D_WRITE : 0;
            desc[0] = mk(PA(&hdr), 16, D_NEXT, 1);
            desc[1] = mk(PA(fuzzbuf) + doff, dlen, (uint16_t)(D_NEXT | dir), 2);
            desc[2] = mk(PA(fuzzbuf) + sizeof(fuzzbuf) - 1, 1, D_WRITE, 0);
            if (rnd() & 1)
                desc[rnd() % 3] = rnd_desc(qnum);
            n = 1;
            put_avail(0, 0);
        }
        avail.used_event = (uint16_t)rnd();
        avail.flags = (uint16_t)(rnd() & 1);
        int res = kick_wait(n);
        if (res == TIMEOUT) {
            guest_puts("FAIL random round ");
            guest_put_dec((uint64_t)r);
            guest_puts(": device hung\n");
            guest_failures++;
            return;
        }
        if (res == DONE)
            done++;
        else
            broken++;
    }
    guest_puts("random rounds: ");
    guest_put_dec((uint64_t)done);
    guest_puts(" completed, ");
    guest_put_dec((uint64_t)broken);
    guest_puts(" broke the device\n");
    CHECK(done > 0 && broken > 0);
    CHECK(works());
}

int main(void)
{
    check_empty_slots();
    check_good_driver();
    check_adversarial();
    check_random(2000);
    reset(31);
    return GUEST_RESULT();
}
