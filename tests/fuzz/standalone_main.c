/* A main() for the fuzz targets in ordinary (gcc, ASan) builds: runs
 * LLVMFuzzerTestOneInput once on each file named on the command line, or
 * on every file of each directory named. So the seed corpus and every input
 * that once found a bug (tests/fuzz/<target>/) run as ctest regression
 * tests without clang. Single-threaded. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <fcntl.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
/* Defined in sanitizer builds only. */
extern void __sanitizer_set_report_fd(void *fd) __attribute__((weak));

static int run_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stdout, "cannot open %s\n", path);
        return 1;
    }
    uint8_t *buf = NULL;
    size_t len = 0, cap = 0;
    for (;;) {
        if (len == cap) {
            cap = cap ? cap * 2 : 65536;
            uint8_t *nb = realloc(buf, cap);
            if (!nb)
                abort();
            buf = nb;
        }
        size_t r = fread(buf + len, 1, cap - len, f);
        if (!r)
            break;
        len += r;
    }
    fclose(f);
    LLVMFuzzerTestOneInput(buf, len);
    free(buf);
    return 0;
}

int main(int argc, char **argv)
{
    int ran = 0, bad = 0;
    /* The targets' one-line rejections are noise: stderr to /dev/null
     * (unless FUZZ_VERBOSE), sanitizer reports to the real stderr. */
    int keep = dup(2);
    if (keep >= 0 && __sanitizer_set_report_fd)
        __sanitizer_set_report_fd((void *)(intptr_t)keep);
    int null = open("/dev/null", O_WRONLY);
    if (!getenv("FUZZ_VERBOSE") && null >= 0)
        dup2(null, 2);
    for (int i = 1; i < argc; i++) {
        struct stat st;
        if (stat(argv[i], &st) != 0) {
            fprintf(stdout, "cannot stat %s\n", argv[i]);
            return 1;
        }
        if (!S_ISDIR(st.st_mode)) {
            bad |= run_file(argv[i]);
            ran++;
            continue;
        }
        struct dirent **ents;
        int n = scandir(argv[i], &ents, NULL, alphasort);
        if (n < 0)
            return 1;
        for (int k = 0; k < n; k++) {
            char p[4096];
            snprintf(p, sizeof(p), "%s/%s", argv[i], ents[k]->d_name);
            if (ents[k]->d_name[0] != '.' && stat(p, &st) == 0 && S_ISREG(st.st_mode)) {
                bad |= run_file(p);
                ran++;
            }
            free(ents[k]);
        }
        free(ents);
    }
    /* Reached only if no input crashed or tripped a sanitizer. */
    fprintf(stdout, "%d passed, %d failed\n", ran - bad, bad);
    return bad || !ran;
}
