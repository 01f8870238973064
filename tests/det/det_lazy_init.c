/* A planted depth-2 concurrency bug: lazy initialisation by check-then-act
 * without a lock. Two cores run get_object():
 * if one core is preempted after its check and before it publishes the
 * object, the other initialises it again (and the first core's object is
 * leaked). Exactly one ordering constraint (the preemption inside the
 * window) makes it show: a bug of depth 2 in PCT's sense (Burckhardt et
 * al., ASPLOS 2010). Core 0 starts core 1 (PSCI CPU_ON) and both call
 * get_object() at once. Free-running it rarely shows: core 1's host thread
 * needs microseconds to wake, and the window is ~100 instructions (tens of
 * nanoseconds). Exit status 1 and "BUG" on the console when it shows. */
#include "mp.h"

typedef struct Lazy {
    volatile int initialised;
    volatile int init_count;
    volatile uint64_t object[16];
} Lazy;

static Lazy warm, shared;

static void init_object(Lazy *l, int core)
{
    /* "allocate and fill": a loop, so the window has several blocks */
    for (int i = 0; i < 16; i++)
        l->object[i] = (uint64_t)core * 1000 + (uint64_t)i;
}

static void get_object(Lazy *l, int core)
{
    if (!l->initialised) {       /* check ... */
        init_object(l, core);
        l->init_count = l->init_count + 1;
        l->initialised = 1;      /* ... then act */
    }
}

static void worker(int core)
{
    get_object(&shared, core);
}

int main(void)
{
    /* Once on a private object first, so that the shared call runs code
     * already translated: free-running, the window is then tens of
     * nanoseconds, not the time to translate its blocks. */
    get_object(&warm, 0);
    int n = mp_start(worker);
    if (n < 2) {
        guest_puts("needs -smp 2\n");
        return 2;
    }
    worker(0);
    mp_join(2);
    if (shared.init_count != 1) {
        guest_puts("BUG: object initialised ");
        guest_put_dec((uint64_t)shared.init_count);
        guest_puts(" times\n");
        return 1;
    }
    guest_puts("ok: initialised once\n");
    return 0;
}
