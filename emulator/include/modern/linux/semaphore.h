/* SPDX-License-Identifier: GPL-2.0 */
/* <linux/semaphore.h>: counting semaphores. down() sleeps while the count is 0; up() hands it on. */
#ifndef __LINUX_SEMAPHORE_H
#define __LINUX_SEMAPHORE_H

#include <linux/compiler.h>

/* The kernel keeps the sleepers, keyed by the semaphore's address; layout shared with 2.2's. */
struct semaphore {
	int count;
	int waking;
	void *wait;
};

#define __SEMAPHORE_INITIALIZER(name, n) { (n), 0, 0 }
#define DEFINE_SEMAPHORE(name, n) struct semaphore name = __SEMAPHORE_INITIALIZER(name, n)

static inline void sema_init(struct semaphore *sem, int val)
{
	sem->count = val;
	sem->waking = 0;
	sem->wait = 0;
}

extern void down(struct semaphore *sem);
/* 0, or -EINTR when a signal ended the wait. */
extern int __must_check down_interruptible(struct semaphore *sem);
/* 0 if the semaphore was taken, 1 if not: never sleeps (note: the opposite of mutex_trylock). */
extern int __must_check down_trylock(struct semaphore *sem);
extern void up(struct semaphore *sem);

#endif
