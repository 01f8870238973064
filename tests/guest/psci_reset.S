/* PSCI SYSTEM_RESET (HVC) reboots the machine: the program prints "BOOT"
 * and resets, so without -no-reboot it starts over and prints again (the
 * ctest reads two lines and stops it), and with -no-reboot flotilla exits
 * with status 0 after one. Registered by tests/guest/CMakeLists.txt as
 * guest.psci_reset (-no-reboot) and guest.psci_reset_reboot. */
#include "harness.inc"
// flotilla-args: -no-reboot

TEST_START
    adr x1, boot_msg
    mov x0, #4                      /* SYS_WRITE0 */
    hlt #0xf000
    ldr x0, =0x84000009             /* SYSTEM_RESET */
    hvc #0
    /* not reached: the reset does not return */
    mov x27, #0x99
    b harness_fail

    .section .rodata
boot_msg:
    .asciz "BOOT\n"
    .text
TEST_END
