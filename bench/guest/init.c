/* Benchmark /init: its first action prints the marker the host times boot
 * by (the first userspace instructions are this program's), then it runs
 * /bench.sh, which does the work selected on the kernel command line and
 * powers off. Static aarch64 Linux program. */
#include <unistd.h>

int main(int argc, char **argv, char **envp)
{
    static const char marker[] = "BENCH-INIT\n";
    /* fd 1 is /dev/console, opened by the kernel for init. */
    if (write(1, marker, sizeof(marker) - 1) < 0)
        return 1;
    (void)argc;
    char *args[] = {"/bin/sh", "/bench.sh", NULL};
    (void)argv;
    execve("/bin/sh", args, envp);
    return 1;
}
