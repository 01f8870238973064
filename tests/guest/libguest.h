/* Minimal freestanding support for C guest tests: semihosting output and
 * exit, and a CHECK macro that reports the failing line. */
#ifndef LIBGUEST_H
#define LIBGUEST_H

#include <stdint.h>

void guest_puts(const char *s);
void guest_put_hex(uint64_t v);
void guest_put_dec(uint64_t v);
void guest_exit(int status) __attribute__((noreturn));

extern int guest_failures;
#define CHECK(cond)                                                                               \
    do {                                                                                          \
        if (!(cond)) {                                                                            \
            guest_puts("FAIL " __FILE__ ":");                                                     \
            guest_put_dec(__LINE__);                                                              \
            guest_puts(": " #cond "\n");                                                          \
            guest_failures++;                                                                     \
        }                                                                                         \
    } while (0)
#define CHECK_EQ(a, b)                                                                            \
    do {                                                                                          \
        uint64_t _a = (uint64_t)(a), _b = (uint64_t)(b);                                          \
        if (_a != _b) {                                                                           \
            guest_puts("FAIL " __FILE__ ":");                                                     \
            guest_put_dec(__LINE__);                                                              \
            guest_puts(": " #a " = 0x");                                                          \
            guest_put_hex(_a);                                                                    \
            guest_puts(", expected 0x");                                                          \
            guest_put_hex(_b);                                                                    \
            guest_puts("\n");                                                                     \
            guest_failures++;                                                                     \
        }                                                                                         \
    } while (0)
/* main() returns this: 0 when every CHECK passed. */
#define GUEST_RESULT() (guest_failures ? (guest_puts("FAILED\n"), 1) : (guest_puts("PASS\n"), 0))

#endif
