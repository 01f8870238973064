/* flotilla: parallel multicore AArch64 full-system simulator. */
#include <stdio.h>
#include <string.h>

#include "machine.h"
#include "options.h"
#include "stats.h"

int main(int argc, char **argv)
{
    MachineOptions opt;
    switch (options_parse(argc, argv, &opt)) {
    case OPT_EXIT_OK:
        options_free(&opt);
        return 0;
    case OPT_ERROR:
        options_free(&opt);
        return 1;
    default:
        break;
    }
    if (!options_open_outputs(&opt)) {
        options_free(&opt);
        return 1;
    }
    static Machine m;
    int status;
    for (;;) {
        if (!machine_init(&m, &opt)) {
            machine_destroy(&m);
            options_free(&opt);
            return 1;
        }
        stats_start(&m);
        status = machine_run(&m);
        stats_finish(&m, status);
        bool reboot = m.reboot;
        m.final_exit = !reboot;
        machine_destroy(&m);
        if (!reboot)
            break;
        /* PSCI SYSTEM_RESET: a cold start of a fresh machine. */
        memset(&m, 0, sizeof(m));
    }
    if (!options_free(&opt) && status == 0)
        status = 1;
    return status;
}
