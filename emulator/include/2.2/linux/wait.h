/* Linux 2.2 <linux/wait.h>: a wait queue is a pointer; the kernel keys queues by its address. */
#ifndef _LINUX_WAIT_H
#define _LINUX_WAIT_H

struct wait_queue {
	struct task_struct *task;
	struct wait_queue *next;
};

#define DECLARE_WAITQUEUE(wait, current) struct wait_queue wait = { current, 0 }
#define init_waitqueue(x) ((*(x)) = 0)

extern void sleep_on(struct wait_queue **p);
extern long sleep_on_timeout(struct wait_queue **p, long timeout);
extern void interruptible_sleep_on(struct wait_queue **p);
extern long interruptible_sleep_on_timeout(struct wait_queue **p, long timeout);
extern void __dl_wake_up22(struct wait_queue **p, int interruptible_only);
#define wake_up(x) __dl_wake_up22((x), 0)
#define wake_up_interruptible(x) __dl_wake_up22((x), 1)
extern int __dl_waitqueue_active22(struct wait_queue **p);
/* The open-coded sleep: add_wait_queue(); current->state = TASK_INTERRUPTIBLE; schedule(); remove_wait_queue(). */
extern void __dl_add_wait_queue22(struct wait_queue **p, struct wait_queue *wait);
extern void __dl_remove_wait_queue22(struct wait_queue **p, struct wait_queue *wait);
#define add_wait_queue(p, wait) __dl_add_wait_queue22((p), (wait))
#define remove_wait_queue(p, wait) __dl_remove_wait_queue22((p), (wait))
#define waitqueue_active(x) __dl_waitqueue_active22(x)

#endif
