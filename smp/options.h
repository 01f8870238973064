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
/* "512M", "2G", "65536K", "1024" (MiB when no suffix, as QEMU). */
bool parse_size(const char *s, uint64_t *out);

#endif
