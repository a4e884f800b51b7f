/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _LINUX_WAIT_H
#define _LINUX_WAIT_H

#include <linux/types.h>
#include <linux/errno.h>
#include <linux/sched.h>

/*
 * The kernel keys its wait queues by the address of the head, so a
 * wait_queue_head_t needs no initialisation beyond being in memory.
 */
struct wait_queue_head {
	unsigned int __key;
	struct list_head head;
};
typedef struct wait_queue_head wait_queue_head_t;

#define __WAIT_QUEUE_HEAD_INITIALIZER(name) { 0, { &(name).head, &(name).head } }
#define DECLARE_WAIT_QUEUE_HEAD(name) struct wait_queue_head name = __WAIT_QUEUE_HEAD_INITIALIZER(name)

extern void __init_waitqueue_head(struct wait_queue_head *wq_head, const char *name, void *key);
#define init_waitqueue_head(wq_head) __init_waitqueue_head((wq_head), #wq_head, 0)

extern void __wake_up(struct wait_queue_head *wq_head, unsigned int mode, int nr, void *key);
#define wake_up(x) __wake_up(x, TASK_NORMAL, 1, NULL)
#define wake_up_nr(x, nr) __wake_up(x, TASK_NORMAL, nr, NULL)
#define wake_up_all(x) __wake_up(x, TASK_NORMAL, 0, NULL)
#define wake_up_interruptible(x) __wake_up(x, TASK_INTERRUPTIBLE, 1, NULL)
#define wake_up_interruptible_all(x) __wake_up(x, TASK_INTERRUPTIBLE, 0, NULL)
extern int waitqueue_active(struct wait_queue_head *wq_head);

/* Sleeps once on the queue: 0 (or remaining jiffies) when woken, -ERESTARTSYS on a signal. */
extern long __dl_wait_sleep(struct wait_queue_head *wq_head, int interruptible, long timeout);

#define wait_event(wq_head, condition) \
	do { while (!(condition)) __dl_wait_sleep(&(wq_head), 0, -1); } while (0)

#define wait_event_interruptible(wq_head, condition) ({ \
	int __ret = 0; \
	while (!(condition)) { \
		if (__dl_wait_sleep(&(wq_head), 1, -1) < 0) { __ret = -ERESTARTSYS; break; } \
	} \
	__ret; })

#define wait_event_timeout(wq_head, condition, timeout) ({ \
	long __ret = (timeout); \
	while (!(condition) && __ret > 0) __ret = __dl_wait_sleep(&(wq_head), 0, __ret); \
	((condition) && __ret == 0) ? 1 : __ret; })

#define wait_event_interruptible_timeout(wq_head, condition, timeout) ({ \
	long __ret = (timeout); \
	while (!(condition) && __ret > 0) { \
		__ret = __dl_wait_sleep(&(wq_head), 1, __ret); \
		if (__ret < 0) break; \
	} \
	(__ret >= 0 && (condition) && __ret == 0) ? 1 : __ret; })

#endif
