/* Run statistics: -stats FILE (JSON of per-core counters and machine-wide
 * facts, written once after the vCPU threads joined) and -progress (a rate
 * line on stderr every second from a small thread). */
#ifndef FLOTILLA_STATS_H
#define FLOTILLA_STATS_H

struct Machine;

/* Main thread, after machine_init and before machine_run: note the start
 * time and, with -progress, start the reporting thread. */
void stats_start(struct Machine *m);
/* Main thread, after machine_run returned (every vCPU thread joined) and
 * before machine_destroy: stop the progress thread and, with -stats, write
 * the JSON file (opened by options_open_outputs). Before a PSCI reboot the
 * boot's JSON is kept instead, and the last boot's object carries the
 * earlier ones as "previous_boots". `status` is the machine's exit status. */
void stats_finish(struct Machine *m, int status);

#endif
