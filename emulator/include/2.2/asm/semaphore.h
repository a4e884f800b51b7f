/* Linux 2.2 <asm/semaphore.h>: counting semaphores; MUTEX is the count-1 initializer. */
#ifndef _I386_SEMAPHORE_H
#define _I386_SEMAPHORE_H

struct semaphore {
	int count;
	int waking;
	void *wait;
};

#define MUTEX ((struct semaphore) { 1, 0, 0 })
#define MUTEX_LOCKED ((struct semaphore) { 0, 0, 0 })
#define sema_init(sem, val) ((sem)->count = (val), (sem)->waking = 0, (sem)->wait = 0)

extern void down(struct semaphore *sem);
extern int down_interruptible(struct semaphore *sem);
extern int down_trylock(struct semaphore *sem);
extern void up(struct semaphore *sem);

#endif
