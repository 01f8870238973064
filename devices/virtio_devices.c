/* -device / -chardev for the virtio devices (see virtio_devices.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../smp/machine.h"
#include "virtio_blk.h"
#include "virtio_devices.h"
#include "virtio_mmio.h"

/* The value of suboption `key` in a comma-separated "name,k=v,..." list,
 * copied into out (cap bytes); false if absent. */
static bool subopt(const char *s, const char *key, char *out, size_t cap)
{
    size_t kl = strlen(key);
    for (const char *p = strchr(s, ','); p; p = strchr(p + 1, ',')) {
        if (!strncmp(p + 1, key, kl) && p[1 + kl] == '=') {
            const char *v = p + 2 + kl, *e = strchr(v, ',');
            size_t n = e ? (size_t)(e - v) : strlen(v);
            if (n >= cap)
                n = cap - 1;
            memcpy(out, v, n);
            out[n] = 0;
            return true;
        }
    }
    return false;
}

/* Every suboption of s is one of `keys` (NULL-terminated). */
static bool only_keys(const char *what, const char *s, const char *const *keys)
{
    for (const char *p = strchr(s, ','); p; p = strchr(p + 1, ',')) {
        const char *k = p + 1, *eq = strchr(k, '='), *e = strchr(k, ',');
        size_t n = eq && (!e || eq < e) ? (size_t)(eq - k) : e ? (size_t)(e - k) : strlen(k);
        bool known = false;
        for (int i = 0; keys[i]; i++)
            known |= strlen(keys[i]) == n && !strncmp(keys[i], k, n);
        if (!known) {
            fprintf(stderr, "flotilla: %s: unknown suboption '%.*s'\n", what, (int)n, k);
            return false;
        }
    }
    return true;
}

static bool name_is(const char *s, const char *name)
{
    size_t n = strlen(name);
    return !strncmp(s, name, n) && (s[n] == 0 || s[n] == ',');
}

/* Open the host ends of -chardev `id`: false after one line. */
static bool open_chardev(Machine *m, const char *id, int *out_fd, int *in_fd)
{
    *out_fd = *in_fd = -1;
    for (int i = 0; i < m->opt.nchardevs; i++) {
        const char *c = m->opt.chardevs[i];
        char cid[64], path[4096];
        if (!subopt(c, "id", cid, sizeof(cid)) || strcmp(cid, id))
            continue;
        if (name_is(c, "null")) {
            static const char *const keys[] = {"id", NULL};
            return only_keys("-chardev null", c, keys);
        }
        if (!name_is(c, "file")) {
            fprintf(stderr, "flotilla: -chardev %.*s: backend not supported (file or null)\n",
                    (int)strcspn(c, ","), c);
            return false;
        }
        static const char *const keys[] = {"id", "path", "input-path", NULL};
        if (!only_keys("-chardev file", c, keys))
            return false;
        if (!subopt(c, "path", path, sizeof(path)) || !path[0]) {
            fprintf(stderr, "flotilla: -chardev file,id=%s: path=FILE is required\n", id);
            return false;
        }
        *out_fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOCTTY, 0644);
        if (*out_fd < 0) {
            fprintf(stderr, "flotilla: -chardev %s: cannot open '%s': %s\n", id, path, strerror(errno));
            return false;
        }
        if (subopt(c, "input-path", path, sizeof(path))) {
            struct stat st;
            *in_fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
            if (*in_fd < 0 || fstat(*in_fd, &st) != 0 || !S_ISREG(st.st_mode)) {
                fprintf(stderr, "flotilla: -chardev %s: input-path '%s': %s\n", id, path,
                        *in_fd < 0 ? strerror(errno) : "not a regular file");
                close(*out_fd);
                if (*in_fd >= 0)
                    close(*in_fd);
                *out_fd = *in_fd = -1;
                return false;
            }
        }
        return true;
    }
    fprintf(stderr, "flotilla: no -chardev with id=%s\n", id);
    return false;
}

/* Every "hostfwd=" of s (into fwd, at most max); false if too many. */
static int hostfwds(const char *s, char fwd[][128], int max)
{
    int n = 0;
    for (const char *p = strchr(s, ','); p; p = strchr(p + 1, ',')) {
        if (strncmp(p + 1, "hostfwd=", 8))
            continue;
        if (n == max)
            return -1;
        const char *v = p + 9;
        size_t l = strcspn(v, ",");
        if (l >= 128)
            l = 127;
        memcpy(fwd[n], v, l);
        fwd[n][l] = 0;
        n++;
    }
    return n;
}

/* A -nic/-netdev user network plus its virtio-net device. `nic` is the
 * number of NICs so far (QEMU's MACs: 52:54:00:12:34:56, :57, ...). */
static bool add_user_net(VirtioBoard *b, const char *what, const char *netopts, const char *devopts, int nic)
{
    char fwd[16][128], macs[32];
    const char *ptr[16];
    if (!name_is(netopts, "user")) {
        fprintf(stderr, "flotilla: %s %.*s: only user-mode networking is supported (user)\n", what,
                (int)strcspn(netopts, ","), netopts);
        return false;
    }
    int nf = hostfwds(netopts, fwd, 16);
    if (nf < 0) {
        fprintf(stderr, "flotilla: %s: at most 16 hostfwd rules\n", what);
        return false;
    }
    for (int i = 0; i < nf; i++)
        ptr[i] = fwd[i];
    uint8_t mac[6] = {0x52, 0x54, 0x00, 0x12, 0x34, (uint8_t)(0x56 + nic)};
    if (subopt(devopts, "mac", macs, sizeof(macs))) {
        unsigned v[6];
        char extra;
        if (sscanf(macs, "%x:%x:%x:%x:%x:%x%c", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &extra) != 6 ||
            v[0] > 255 || v[1] > 255 || v[2] > 255 || v[3] > 255 || v[4] > 255 || v[5] > 255 || (v[0] & 1)) {
            fprintf(stderr, "flotilla: %s: mac=%s: expected a unicast xx:xx:xx:xx:xx:xx\n", what, macs);
            return false;
        }
        for (int i = 0; i < 6; i++)
            mac[i] = (uint8_t)v[i];
    }
    return virtio_net_add(b, what, ptr, nf, mac);
}

static bool add_netdev_device(Machine *m, const char *d, int nic)
{
    static const char *const keys[] = {"id", "netdev", "mac", NULL};
    char id[64], nid[64];
    if (!only_keys("-device virtio-net-device", d, keys))
        return false;
    if (!subopt(d, "netdev", id, sizeof(id))) {
        fprintf(stderr, "flotilla: -device virtio-net-device: netdev=ID is required\n");
        return false;
    }
    for (int i = 0; i < m->opt.nnetdevs; i++) {
        const char *nd = m->opt.netdevs[i];
        static const char *const nkeys[] = {"id", "hostfwd", NULL};
        if (!subopt(nd, "id", nid, sizeof(nid)) || strcmp(nid, id))
            continue;
        if (!only_keys("-netdev", nd, nkeys))
            return false;
        return add_user_net(m->virtio, "-netdev", nd, d, nic);
    }
    fprintf(stderr, "flotilla: no -netdev with id=%s\n", id);
    return false;
}

bool virtio_devices_add(Machine *m)
{
    VirtioBoard *b = m->virtio;
    bool serial_pending = false; /* a virtio-serial-device waiting for its port */
    int nics = 0;
    for (int i = 0; i < m->opt.ndevices; i++) {
        const char *d = m->opt.devices[i];
        if (name_is(d, "virtio-rng-device")) {
            static const char *const keys[] = {"id", NULL};
            if (!only_keys("-device virtio-rng-device", d, keys) || !virtio_rng_add(b))
                return false;
        } else if (name_is(d, "virtio-serial-device")) {
            static const char *const keys[] = {"id", NULL};
            if (!only_keys("-device virtio-serial-device", d, keys))
                return false;
            if (serial_pending && !virtio_console_add(b, -1, -1))
                return false;
            serial_pending = true;
        } else if (name_is(d, "virtconsole")) {
            static const char *const keys[] = {"id", "chardev", "name", NULL};
            char id[64];
            int out_fd, in_fd;
            if (!only_keys("-device virtconsole", d, keys))
                return false;
            if (!subopt(d, "chardev", id, sizeof(id))) {
                fprintf(stderr, "flotilla: -device virtconsole: chardev=ID is required\n");
                return false;
            }
            /* One port per virtio-serial-device (no multiport); one is
             * implied if none was given. */
            if (!open_chardev(m, id, &out_fd, &in_fd) || !virtio_console_add(b, out_fd, in_fd))
                return false;
            serial_pending = false;
        } else if (name_is(d, "virtio-net-device")) {
            if (!add_netdev_device(m, d, nics++))
                return false;
        } else {
            fprintf(stderr, "flotilla: -device %.*s: unknown device (virtio-rng-device, virtio-serial-device, "
                            "virtconsole, virtio-net-device)\n", (int)strcspn(d, ","), d);
            return false;
        }
    }
    if (serial_pending && !virtio_console_add(b, -1, -1))
        return false;
    for (int i = 0; i < m->opt.nnics; i++) {
        const char *nic = m->opt.nics[i];
        static const char *const keys[] = {"id", "model", "mac", "hostfwd", NULL};
        char model[64];
        if (!only_keys("-nic", nic, keys))
            return false;
        if (subopt(nic, "model", model, sizeof(model)) && strcmp(model, "virtio-net-device") &&
            strcmp(model, "virtio")) {
            fprintf(stderr, "flotilla: -nic: model=%s not supported (virtio-net-device)\n", model);
            return false;
        }
        if (!add_user_net(b, "-nic", nic, nic, nics++))
            return false;
    }
    for (int i = 0; i < m->opt.ndrives; i++)
        if (!virtio_blk_add(b, m->opt.drives[i]))
            return false;
    return true;
}
