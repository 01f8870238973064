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

static volatile int initialised;
static volatile int init_count;
static volatile uint64_t object[16];

static void init_object(int core)
{
    /* "allocate and fill": a loop, so the window has several blocks */
    for (int i = 0; i < 16; i++)
        object[i] = (uint64_t)core * 1000 + (uint64_t)i;
}

static void get_object(int core)
{
    if (!initialised) {          /* check ... */
        init_object(core);
        init_count = init_count + 1;
        initialised = 1;         /* ... then act */
    }
}

static void worker(int core)
{
    get_object(core);
}

int main(void)
{
    int n = mp_start(worker);
    if (n < 2) {
        guest_puts("needs -smp 2\n");
        return 2;
    }
    worker(0);
    mp_join(2);
    if (init_count != 1) {
        guest_puts("BUG: object initialised ");
        guest_put_dec((uint64_t)init_count);
        guest_puts(" times\n");
        return 1;
    }
    guest_puts("ok: initialised once\n");
    return 0;
}
