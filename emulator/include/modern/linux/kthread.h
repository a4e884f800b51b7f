/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _LINUX_KTHREAD_H
#define _LINUX_KTHREAD_H

#include <linux/types.h>
#include <linux/err.h>
#include <linux/sched.h>

#define NUMA_NO_NODE (-1)

/* Creates a kernel thread, asleep until wake_up_process(); the name is printf-style (at most 15 characters). */
extern __printf(4, 5) struct task_struct *kthread_create_on_node(int (*threadfn)(void *data), void *data, int node,
								 const char namefmt[], ...);
#define kthread_create(threadfn, data, namefmt, arg...) \
	kthread_create_on_node(threadfn, data, NUMA_NO_NODE, namefmt, ##arg)

#define kthread_run(threadfn, data, namefmt, ...) ({ \
	struct task_struct *__k = kthread_create(threadfn, data, namefmt, ##__VA_ARGS__); \
	if (!IS_ERR(__k)) \
		wake_up_process(__k); \
	__k; \
})

/* In the thread: whether kthread_stop() has been called for it. */
extern bool kthread_should_stop(void);
/* Sets should_stop, wakes the thread and waits for it to exit; returns what threadfn returned (-EINTR if it never ran). */
extern int kthread_stop(struct task_struct *k);

#endif
