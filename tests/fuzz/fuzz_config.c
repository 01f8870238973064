/* libFuzzer target: the -config reader (smp/options.c, config_load) on any
 * bytes. A finding is a crash, a sanitizer report or a leak; an error
 * message (the usual outcome) must be one line, which is checked here by
 * counting what config_load writes. Single-threaded. */
#include "fuzz_common.h" /* first: it defines _GNU_SOURCE */

#include <string.h>

#include "smp/options.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static FILE *err;
    if (!err && !(err = tmpfile()))
        abort();
    char path[64];
    int fd = fuzz_file(data, size, path, sizeof(path));
    MachineOptions opt;
    memset(&opt, 0, sizeof(opt));
    /* Empty, and written from the start again (the offset is shared). */
    if (ftruncate(fileno(err), 0) != 0 || lseek(fileno(err), 0, SEEK_SET) != 0)
        abort();
    /* stderr into the scratch file for this call only (sanitizer reports
     * have their own descriptor: libFuzzer's, or standalone_main's). */
    fflush(stderr);
    int saved = dup(2);
    if (saved < 0 || dup2(fileno(err), 2) < 0)
        abort();
    bool ok = config_load(path, &opt);
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    char buf[4096];
    ssize_t n = pread(fileno(err), buf, sizeof(buf), 0);
    int lines = 0;
    for (ssize_t i = 0; i < n; i++)
        lines += buf[i] == '\n';
    /* An error is exactly one line; success prints nothing. */
    if ((ok && n != 0) || (!ok && lines != 1)) {
        fprintf(stdout, "config_load: ok=%d with %d line(s) on stderr: %.*s\n", ok, lines, (int)n, buf);
        abort();
    }
    options_free(&opt);
    close(fd);
    return 0;
}
