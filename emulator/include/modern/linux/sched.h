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

struct task_struct;
extern int signal_pending(struct task_struct *p);
extern int __dl_current_pid(void);
#define current ((struct task_struct *)0)
#define task_pid_nr(tsk) __dl_current_pid()
extern int in_interrupt(void);
/* Wakes a sleeping task (and starts a kernel thread made by kthread_create()); 1 if it was asleep. */
extern int wake_up_process(struct task_struct *tsk);

#endif
