"""Progress bar with ETA on stderr: redrawn in place on a terminal, one line
per finished run otherwise (logs, ctest)."""

import sys
import time


class Progress:
    def __init__(self, total, quiet=False, active="running"):
        self.active = active
        self.total, self.done, self.failed, self.running = total, 0, 0, 0
        self.t0 = time.monotonic()
        self.tty = sys.stderr.isatty()
        self.quiet = quiet
        self._draw()

    def update(self, done=0, failed=0, running=None):
        self.done += done
        self.failed += failed
        changed = done or (running is not None and running != self.running)
        if running is not None:
            self.running = running
        if done or (changed and self.tty):
            self._draw()

    def eta(self):
        if not self.done:
            return "?"
        left = (time.monotonic() - self.t0) / self.done * (self.total - self.done)
        return time.strftime("%H:%M:%S", time.gmtime(left)) if left < 86400 else f"{left / 3600:.0f} h"

    def _draw(self):
        if self.quiet:
            return
        width = 30
        fill = width * self.done // self.total if self.total else width
        line = (f"[{'#' * fill}{'.' * (width - fill)}] {self.done}/{self.total} runs, "
                f"{self.failed} failed, {self.running} {self.active}, ETA {self.eta()}")
        if self.tty:
            sys.stderr.write("\r" + line + "\033[K")
        else:
            sys.stderr.write(line + "\n")
        sys.stderr.flush()

    def close(self):
        if self.tty and not self.quiet:
            sys.stderr.write("\n")
