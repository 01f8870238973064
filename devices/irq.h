/* An interrupt line: the output of a device (or of a core's generic timer)
 * wired to an input of an interrupt controller. Modelled on TinyEMU's
 * IRQSignal: a function pointer, its opaque argument and the input number.
 * A device keeps an IRQLine by value and calls irq_set() with the new level;
 * a line that was never connected (handler NULL) is silently ignored, so
 * devices work unwired in unit tests.
 *
 * Thread rules: irq_set may be called from any thread; the receiving
 * controller serialises with its own lock. The caller may hold its own
 * device lock (lock order: device -> interrupt controller, never back). */
#ifndef FLOTILLA_IRQ_H
#define FLOTILLA_IRQ_H

#include <stddef.h>

typedef void (*IRQHandler)(void *opaque, int n, int level);

typedef struct IRQLine {
    IRQHandler handler;
    void *opaque;
    int n;              /* the controller's input number (e.g. a GIC INTID) */
} IRQLine;

/* Any thread. */
static inline void irq_init(IRQLine *l, IRQHandler handler, void *opaque, int n)
{
    l->handler = handler;
    l->opaque = opaque;
    l->n = n;
}

/* Any thread. level: 0 = deasserted, nonzero = asserted. Controllers treat
 * repeated identical levels as no-ops, but callers should still only call
 * on a change to save the controller's lock. */
static inline void irq_set(const IRQLine *l, int level)
{
    if (l && l->handler)
        l->handler(l->opaque, l->n, level != 0);
}

static inline void irq_raise(const IRQLine *l) { irq_set(l, 1); }
static inline void irq_lower(const IRQLine *l) { irq_set(l, 0); }

#endif
