/* The virtio devices of the command line (QEMU's spelling):
 *   -device virtio-rng-device
 *   -device virtio-serial-device  -device virtconsole,chardev=ID
 *   -chardev file,id=ID,path=OUT[,input-path=IN] | -chardev null,id=ID
 *   -device virtio-net-device,netdev=ID[,mac=..]  -netdev user,id=ID[,hostfwd=..]...
 *   -nic user[,model=virtio-net-device][,mac=..][,hostfwd=..]...
 * plugged in command-line order, then the -drive disks (QEMU creates the
 * drives' devices after the explicit -device ones).
 * Main thread, start-up only. */
#ifndef FLOTILLA_VIRTIO_DEVICES_H
#define FLOTILLA_VIRTIO_DEVICES_H

#include <stdbool.h>
#include <stdint.h>

struct Machine;
struct VirtioBoard;

/* Main thread, start-up: every -device, then every -drive. false after one
 * line on stderr. */
bool virtio_devices_add(struct Machine *m);
/* Main thread, start-up: plug one device (false after one line). out_fd/in_fd
 * are the console's host ends (-1: discard output / no input), owned by the
 * device from here on, even on failure. */
bool virtio_rng_add(struct VirtioBoard *b);
bool virtio_console_add(struct VirtioBoard *b, int out_fd, int in_fd);
/* Main thread, start-up: a virtio-net on its own libslirp network with the
 * given hostfwd= rules; `what` names the option in messages. */
bool virtio_net_add(struct VirtioBoard *b, const char *what, const char *const *hostfwd, int nfwd,
                    const uint8_t mac[6]);

#endif
