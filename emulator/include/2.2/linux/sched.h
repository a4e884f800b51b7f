/* Linux 2.2 <linux/sched.h>: current, its state and timeout, schedule(), jiffies, signals. */
#ifndef _LINUX_SCHED_H
#define _LINUX_SCHED_H

#include <linux/types.h>
#include <linux/wait.h>
#include <asm/signal.h>
#include <asm/ptrace.h>
#include <asm/page.h>

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
/*
 * 2.2's way to sleep for a while: set current->state, then schedule_timeout(jiffies). It returns
 * the jiffies that were left (0 when the whole time passed; more when woken or signalled).
 */
extern signed long __dl_schedule_timeout22(signed long timeout);
#define schedule_timeout(timeout) __dl_schedule_timeout22(timeout)
#define MAX_SCHEDULE_TIMEOUT ((long)(~0UL >> 1))
extern int __dl_signal_pending(void);
#define signal_pending(p) __dl_signal_pending()

/* udelay/mdelay/__delay: kept reachable from here, where earlier drivers found them. */
#include <linux/delay.h>

/* Interrupt lines (arch/i386/kernel/irq.c); the flags SA_INTERRUPT and SA_SHIRQ are in <asm/signal.h>. */
extern int request_irq(unsigned int irq,
		       void (*handler)(int, void *, struct pt_regs *),
		       unsigned long flags,
		       const char *device,
		       void *dev_id);
extern void free_irq(unsigned int irq, void *dev_id);

#endif
