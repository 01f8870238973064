/* A deliberate data race, run by scripts/tsan-tests.sh: if ThreadSanitizer
 * does not report it, the TSan run is not checking anything (broken build
 * flags, a suppression that is too broad) and the script fails. Not a unit
 * test of flotilla: it lives outside the test_*.c glob on purpose. */
#include <criterion/criterion.h>

#include <pthread.h>

static long shared; /* written by two threads with no synchronisation */

static void *writer(void *arg)
{
    for (int i = 0; i < 1000; i++)
        shared += i;
    return arg;
}

Test(canary, unsynchronised_writes)
{
    pthread_t a, b;
    pthread_create(&a, NULL, writer, NULL);
    pthread_create(&b, NULL, writer, NULL);
    pthread_join(a, NULL);
    pthread_join(b, NULL);
    cr_expect(shared >= 0);
}
