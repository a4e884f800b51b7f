/* Linux 2.2 <linux/sched.h>: current, its state and timeout, schedule(), jiffies, signals. */
#ifndef _LINUX_SCHED_H
#define _LINUX_SCHED_H

#include <linux/types.h>
#include <linux/wait.h>

#define HZ 100
#define TASK_RUNNING 0
#define TASK_INTERRUPTIBLE 1
#define TASK_UNINTERRUPTIBLE 2
#define TASK_ZOMBIE 4
#define TASK_STOPPED 8

/*
 * The part of the 2.2 task_struct a driver touches, living in the module's
 * memory: the kernel fills it in on every `current` and reads state and
 * timeout back in schedule(). Layout mirrored in kapi/layout.ts.
 */
struct task_struct {
	volatile long state;
	unsigned long signal;
	unsigned long blocked;
	unsigned long timeout;
	int pid;
	char comm[16];
};

extern struct task_struct *__dl_current(void);
#define current (__dl_current())

extern unsigned long __dl_jiffies(void);
#define jiffies (__dl_jiffies())

extern int __dl_schedule22(void);
#define schedule() ((void)__dl_schedule22())
extern int __dl_signal_pending(void);
#define signal_pending(p) __dl_signal_pending()

extern void __dl_udelay(unsigned long usecs);
#define udelay(n) __dl_udelay(n)
#define mdelay(n) __dl_udelay((n) * 1000UL)
extern unsigned long __dl_loops_per_sec(void);
#define loops_per_sec (__dl_loops_per_sec())
extern void __delay(unsigned long loops);

#endif
