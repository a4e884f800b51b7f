/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _LINUX_SCHED_H
#define _LINUX_SCHED_H

#include <linux/types.h>
#include <linux/jiffies.h>

#define TASK_RUNNING 0x0000
#define TASK_INTERRUPTIBLE 0x0001
#define TASK_UNINTERRUPTIBLE 0x0002
#define TASK_NORMAL (TASK_INTERRUPTIBLE | TASK_UNINTERRUPTIBLE)
#define MAX_SCHEDULE_TIMEOUT LONG_MAX

extern void __dl_set_current_state(int state);
#define set_current_state(state) __dl_set_current_state(state)
#define __set_current_state(state) __dl_set_current_state(state)
extern void schedule(void);
extern long schedule_timeout(long timeout);
#define schedule_timeout_interruptible(t) (set_current_state(TASK_INTERRUPTIBLE), schedule_timeout(t))
#define schedule_timeout_uninterruptible(t) (set_current_state(TASK_UNINTERRUPTIBLE), schedule_timeout(t))

#define TASK_COMM_LEN 16

/* What a module may read of a task; the kernel keeps the fields up to date. Layout: kapi/layout.ts. */
struct task_struct {
	volatile unsigned int __state;
	pid_t pid;
	pid_t tgid;
	char comm[TASK_COMM_LEN];
};

extern struct task_struct *get_current(void);
#define current get_current()
static inline pid_t task_pid_nr(struct task_struct *tsk) { return tsk->pid; }
static inline pid_t task_tgid_nr(struct task_struct *tsk) { return tsk->tgid; }
extern int signal_pending(struct task_struct *p);
extern int in_interrupt(void);
/* Wakes a sleeping task (and starts a kernel thread made by kthread_create()); 1 if it was asleep. */
extern int wake_up_process(struct task_struct *tsk);

#endif
