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

bool virtio_devices_add(Machine *m)
{
    VirtioBoard *b = m->virtio;
    bool serial_pending = false; /* a virtio-serial-device waiting for its port */
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
        } else {
            fprintf(stderr, "flotilla: -device %.*s: unknown device (virtio-rng-device, virtio-serial-device, "
                            "virtconsole)\n", (int)strcspn(d, ","), d);
            return false;
        }
    }
    if (serial_pending && !virtio_console_add(b, -1, -1))
        return false;
    for (int i = 0; i < m->opt.ndrives; i++)
        if (!virtio_blk_add(b, m->opt.drives[i]))
            return false;
    return true;
}
