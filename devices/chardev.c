/* Back-pressure wake-up of a character backend (see chardev.h). */
#include "chardev.h"

#include <stdint.h>
#include <unistd.h>

/* Any thread, frontend lock held. */
void charport_room(CharPort *p)
{
    if (!p->waiting || p->wake_fd < 0)
        return;
    p->waiting = false;
    uint64_t one = 1;
    /* An eventfd counter only fails to take a write when it is near 2^64:
     * the backend then has a wake-up pending anyway. */
    if (write(p->wake_fd, &one, sizeof(one)) < 0) {
    }
}
