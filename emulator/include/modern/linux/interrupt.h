/* SPDX-License-Identifier: GPL-2.0 */
/* <linux/interrupt.h>: interrupt handlers and what runs around them. */
#ifndef _LINUX_INTERRUPT_H
#define _LINUX_INTERRUPT_H

#include <linux/types.h>
#include <linux/compiler.h>
#include <linux/irqreturn.h>
#include <linux/irqflags.h>
#include <linux/kernel.h>
#include <linux/atomic.h>
#include <linux/bottom_half.h>

/* ---- Hardware interrupts: request_irq() and friends ------------------------------------- */

/*
 * These flags are used only by the kernel as part of the irq handling routines.
 * Handlers always run with interrupts disabled on the local CPU.
 */
#define IRQF_TRIGGER_NONE	0x00000000
#define IRQF_TRIGGER_RISING	0x00000001
#define IRQF_TRIGGER_FALLING	0x00000002
#define IRQF_TRIGGER_HIGH	0x00000004
#define IRQF_TRIGGER_LOW	0x00000008
#define IRQF_TRIGGER_MASK	(IRQF_TRIGGER_HIGH | IRQF_TRIGGER_LOW | IRQF_TRIGGER_RISING | IRQF_TRIGGER_FALLING)
#define IRQF_SHARED		0x00000080
#define IRQF_PROBE_SHARED	0x00000100
#define IRQF_TIMER		0x00000200
#define IRQF_PERCPU		0x00000400
#define IRQF_NOBALANCING	0x00000800
#define IRQF_IRQPOLL		0x00001000
#define IRQF_ONESHOT		0x00002000
#define IRQF_NO_SUSPEND		0x00004000
#define IRQF_NO_THREAD		0x00010000

typedef irqreturn_t (*irq_handler_t)(int, void *);

extern int __must_check request_threaded_irq(unsigned int irq, irq_handler_t handler,
					     irq_handler_t thread_fn, unsigned long flags,
					     const char *name, void *dev);

static inline int __must_check request_irq(unsigned int irq, irq_handler_t handler,
					   unsigned long flags, const char *name, void *dev)
{
	return request_threaded_irq(irq, handler, NULL, flags, name, dev);
}

extern const void *free_irq(unsigned int irq, void *dev_id);

extern void disable_irq_nosync(unsigned int irq);
extern void disable_irq(unsigned int irq);
extern void enable_irq(unsigned int irq);
extern void synchronize_irq(unsigned int irq);

/* IRQ autoprobing: probe_irq_on() sleeps about 120 ms while the free lines settle. */
extern unsigned long probe_irq_on(void);
extern int probe_irq_off(unsigned long val);

/* ---- end of hardware interrupts ------------------------------------------------------------ */

/* ---- Tasklets: deferred from an interrupt handler, run in softirq context ---- */

/*
 * The kernel keeps the list of scheduled tasklets; state (TASKLET_STATE_SCHED)
 * and the disable count live here. Layout mirrored in emulator/kernel/kapi/layout.ts.
 */
struct tasklet_struct {
	struct tasklet_struct *next;
	unsigned long state;
	atomic_t count;
	bool use_callback;
	union {
		void (*func)(unsigned long data);
		void (*callback)(struct tasklet_struct *t);
	};
	unsigned long data;
};

enum {
	TASKLET_STATE_SCHED,	/* Tasklet is scheduled for execution */
	TASKLET_STATE_RUN	/* Tasklet is running (SMP only) */
};

#define DECLARE_TASKLET(name, _callback) \
	struct tasklet_struct name = { .count = ATOMIC_INIT(0), .use_callback = true, .callback = _callback }
#define DECLARE_TASKLET_DISABLED(name, _callback) \
	struct tasklet_struct name = { .count = ATOMIC_INIT(1), .use_callback = true, .callback = _callback }
#define DECLARE_TASKLET_OLD(name, _func) \
	struct tasklet_struct name = { .count = ATOMIC_INIT(0), .func = _func }
#define DECLARE_TASKLET_DISABLED_OLD(name, _func) \
	struct tasklet_struct name = { .count = ATOMIC_INIT(1), .func = _func }

#define from_tasklet(var, callback_tasklet, tasklet_fieldname) \
	container_of(callback_tasklet, __typeof__(*var), tasklet_fieldname)

extern void tasklet_init(struct tasklet_struct *t, void (*func)(unsigned long), unsigned long data);
extern void tasklet_setup(struct tasklet_struct *t, void (*callback)(struct tasklet_struct *));
extern void tasklet_schedule(struct tasklet_struct *t);
extern void tasklet_hi_schedule(struct tasklet_struct *t);
extern void tasklet_kill(struct tasklet_struct *t);

/* A disabled tasklet stays scheduled and runs once enabled again. */
static inline void tasklet_disable_nosync(struct tasklet_struct *t) { atomic_inc(&t->count); }
static inline void tasklet_disable(struct tasklet_struct *t) { tasklet_disable_nosync(t); }
static inline void tasklet_enable(struct tasklet_struct *t) { atomic_dec(&t->count); }

#endif
