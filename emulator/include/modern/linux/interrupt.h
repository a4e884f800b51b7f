/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _LINUX_INTERRUPT_H
#define _LINUX_INTERRUPT_H

#include <linux/types.h>
#include <linux/kernel.h>
#include <linux/atomic.h>
#include <linux/bottom_half.h>

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
