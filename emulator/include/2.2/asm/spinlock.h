/*
 * Linux 2.2 <asm/spinlock.h> (i386): spinlocks, for data that an interrupt handler and the rest
 * of a driver share on SMP. This kernel is a uniprocessor one, where a spinlock has nothing to
 * wait for: spin_lock_irqsave() is save_flags() and cli(), spin_unlock_irqrestore() is
 * restore_flags(). DriverLab keeps the lock word all the same (as SPINLOCK_DEBUG kernels did),
 * so that a lock taken twice, or still held when the driver returns, is reported.
 */
#ifndef __ASM_SPINLOCK_H
#define __ASM_SPINLOCK_H

/* Layout shared with the modern personality's spinlock_t (emulator/kernel/kapi/irqflags.ts). */
typedef struct {
	volatile unsigned int lock;
	unsigned int owner;
} spinlock_t;

#define SPIN_LOCK_UNLOCKED (spinlock_t) { 0, 0 }
#define spin_lock_init(x) do { (x)->lock = 0; (x)->owner = 0; } while (0)

extern void spin_lock(spinlock_t *lock);
extern void spin_unlock(spinlock_t *lock);
extern int spin_trylock(spinlock_t *lock);
extern void spin_lock_irq(spinlock_t *lock);
extern void spin_unlock_irq(spinlock_t *lock);
extern unsigned long __dl_spin_lock_irqsave(spinlock_t *lock);
#define spin_lock_irqsave(lock, flags) ((flags) = __dl_spin_lock_irqsave(lock))
extern void spin_unlock_irqrestore(spinlock_t *lock, unsigned long flags);

#endif
