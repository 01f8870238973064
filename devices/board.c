/* The virt board: which devices exist and where (DESIGN.md's table). */
#include <unistd.h>

#include "../smp/machine.h"
#include "devices.h"
#include "pl011.h"

bool devices_init(Machine *m)
{
    m->uart = pl011_create(m, UART_BASE, STDOUT_FILENO);
    return m->uart != NULL;
}

void devices_destroy(Machine *m)
{
    pl011_destroy(m->uart);
    m->uart = NULL;
}
