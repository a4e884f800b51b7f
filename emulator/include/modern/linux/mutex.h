/* SPDX-License-Identifier: GPL-2.0 */
#ifndef __LINUX_MUTEX_H
#define __LINUX_MUTEX_H

#include <linux/types.h>
#include <linux/atomic.h>

/* Layout mirrored in emulator/kernel/kapi/layout.ts (checked by a test). */
struct mutex {
	unsigned int owner;
	int count;
	void *wait_next;
	unsigned int magic;
};

#define __MUTEX_INITIALIZER(lockname) { 0, 0, 0, 0x4d555458 }
#define DEFINE_MUTEX(mutexname) struct mutex mutexname = __MUTEX_INITIALIZER(mutexname)

extern void __mutex_init(struct mutex *lock, const char *name, void *key);
#define mutex_init(mutex) __mutex_init((mutex), #mutex, 0)
extern void mutex_lock(struct mutex *lock);
extern int __must_check mutex_lock_interruptible(struct mutex *lock);
extern int mutex_trylock(struct mutex *lock);
extern void mutex_unlock(struct mutex *lock);
extern bool mutex_is_locked(struct mutex *lock);
extern void mutex_destroy(struct mutex *lock);

#endif
