/* Command line and -config machine descriptions. Main thread only. */
#ifndef FLOTILLA_OPTIONS_H
#define FLOTILLA_OPTIONS_H

#include "machine.h"

#define FLOTILLA_VERSION "0.1.0"

enum { OPT_OK, OPT_EXIT_OK, OPT_ERROR };

/* Fill opt from argv (and a -config file, which argv overrides).
 * OPT_EXIT_OK after -h/-V; OPT_ERROR after printing one line to stderr. */
int options_parse(int argc, char **argv, MachineOptions *opt);
/* Read a config file into opt. false after printing the reason. */
bool config_load(const char *path, MachineOptions *opt);
/* Open the -D and -stats files (truncating them) once, before the first
 * boot, so an unwritable path is an error at start. false after one line. */
bool options_open_outputs(MachineOptions *opt);
/* Free what options_parse, config_load and options_open_outputs allocated
 * (the config files' text, which string options point into; the output
 * files, closed). false (after a message) if an output file could not be
 * completely written. Call once the options are unused. */
bool options_free(MachineOptions *opt);
/* "512M", "2G", "65536K", "1024" (MiB when no suffix, as QEMU). */
bool parse_size(const char *s, uint64_t *out);

#endif
