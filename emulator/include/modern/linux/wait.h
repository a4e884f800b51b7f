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

/*
 * A wait queue entry. The kernel knows the sleeper as the task that queued
 * it, so the entry is only a token here; its fields are kept for code that
 * initialises them the way Linux does.
 */
struct wait_queue_entry {
	unsigned int flags;
	void *private;
	void *func;
	struct list_head entry;
};
typedef struct wait_queue_entry wait_queue_entry_t;

#define __WAITQUEUE_INITIALIZER(name, tsk) { 0, (tsk), 0, { &(name).entry, &(name).entry } }
#define DECLARE_WAITQUEUE(name, tsk) struct wait_queue_entry name = __WAITQUEUE_INITIALIZER(name, tsk)
#define DEFINE_WAIT(name) struct wait_queue_entry name = { 0, current, 0, { &(name).entry, &(name).entry } }
#define init_wait(wq_entry) do { (wq_entry)->flags = 0; (wq_entry)->private = current; } while (0)

/* The open-coded wait: prepare_to_wait(); if (!condition) schedule(); finish_wait(). */
extern void prepare_to_wait(struct wait_queue_head *wq_head, struct wait_queue_entry *wq_entry, int state);
extern void prepare_to_wait_exclusive(struct wait_queue_head *wq_head, struct wait_queue_entry *wq_entry, int state);
extern long prepare_to_wait_event(struct wait_queue_head *wq_head, struct wait_queue_entry *wq_entry, int state);
extern void finish_wait(struct wait_queue_head *wq_head, struct wait_queue_entry *wq_entry);
extern void add_wait_queue(struct wait_queue_head *wq_head, struct wait_queue_entry *wq_entry);
extern void add_wait_queue_exclusive(struct wait_queue_head *wq_head, struct wait_queue_entry *wq_entry);
extern void remove_wait_queue(struct wait_queue_head *wq_head, struct wait_queue_entry *wq_entry);

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
