/* SPDX-License-Identifier: GPL-2.0 */
#ifndef __LINUX_RWLOCK_H
#define __LINUX_RWLOCK_H

#ifndef __LINUX_SPINLOCK_H
#error "please don't include this file directly, include <linux/spinlock.h>"
#endif

/*
 * Reader-writer spinlocks: many readers or one writer. Like spinlocks they
 * make the holder atomic (no sleeping), and the _irq/_irqsave/_bh variants
 * act on the interrupt flag and bottom halves. cnt > 0: readers, -1: a writer.
 * Layout mirrored in emulator/kernel/kapi/layout.ts.
 */
typedef struct rwlock {
	int cnt;
	unsigned int owner;
} rwlock_t;

#define __RW_LOCK_UNLOCKED(lockname) { 0, 0 }
#define DEFINE_RWLOCK(x) rwlock_t x = __RW_LOCK_UNLOCKED(x)
#define rwlock_init(lock) do { (lock)->cnt = 0; (lock)->owner = 0; } while (0)

extern void read_lock(rwlock_t *lock);
extern void read_unlock(rwlock_t *lock);
extern void write_lock(rwlock_t *lock);
extern void write_unlock(rwlock_t *lock);
extern int read_trylock(rwlock_t *lock);
extern int write_trylock(rwlock_t *lock);
extern void read_lock_irq(rwlock_t *lock);
extern void read_unlock_irq(rwlock_t *lock);
extern void write_lock_irq(rwlock_t *lock);
extern void write_unlock_irq(rwlock_t *lock);
extern void read_lock_bh(rwlock_t *lock);
extern void read_unlock_bh(rwlock_t *lock);
extern void write_lock_bh(rwlock_t *lock);
extern void write_unlock_bh(rwlock_t *lock);
extern unsigned long __dl_read_lock_irqsave(rwlock_t *lock);
extern unsigned long __dl_write_lock_irqsave(rwlock_t *lock);
#define read_lock_irqsave(lock, flags) ((flags) = __dl_read_lock_irqsave(lock))
#define write_lock_irqsave(lock, flags) ((flags) = __dl_write_lock_irqsave(lock))
extern void read_unlock_irqrestore(rwlock_t *lock, unsigned long flags);
extern void write_unlock_irqrestore(rwlock_t *lock, unsigned long flags);

#endif
