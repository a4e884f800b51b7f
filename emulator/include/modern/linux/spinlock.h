/* SPDX-License-Identifier: GPL-2.0 */
#ifndef __LINUX_SPINLOCK_H
#define __LINUX_SPINLOCK_H

#include <linux/types.h>
#include <linux/irqflags.h>
#include <linux/atomic.h>
#include <linux/bottom_half.h>

typedef struct spinlock {
	unsigned int locked;
	unsigned int owner;
} spinlock_t;

#define __SPIN_LOCK_UNLOCKED(lockname) { 0, 0 }
#define DEFINE_SPINLOCK(x) spinlock_t x = __SPIN_LOCK_UNLOCKED(x)
#define spin_lock_init(lock) do { (lock)->locked = 0; (lock)->owner = 0; } while (0)

extern void spin_lock(spinlock_t *lock);
extern void spin_unlock(spinlock_t *lock);
extern int spin_trylock(spinlock_t *lock);
extern void spin_lock_irq(spinlock_t *lock);
extern void spin_unlock_irq(spinlock_t *lock);
extern void spin_lock_bh(spinlock_t *lock);
extern void spin_unlock_bh(spinlock_t *lock);
extern unsigned long __dl_spin_lock_irqsave(spinlock_t *lock);
#define spin_lock_irqsave(lock, flags) ((flags) = __dl_spin_lock_irqsave(lock))
extern void spin_unlock_irqrestore(spinlock_t *lock, unsigned long flags);
extern int spin_is_locked(spinlock_t *lock);

#include <linux/rwlock.h>

#endif
