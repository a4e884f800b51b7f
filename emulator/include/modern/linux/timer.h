/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _LINUX_TIMER_H
#define _LINUX_TIMER_H

#include <linux/types.h>
#include <linux/kernel.h>
#include <linux/jiffies.h>

/*
 * The kernel keeps armed timers by the address of this struct and marks them
 * pending in entry.pprev. Layout mirrored in emulator/kernel/kapi/layout.ts.
 */
struct timer_list {
	struct hlist_node entry;
	unsigned long expires;
	void (*function)(struct timer_list *);
	u32 flags;
};

#define TIMER_DEFERRABLE 0x00080000
#define TIMER_PINNED 0x00100000
#define TIMER_IRQSAFE 0x00200000

#define __TIMER_INITIALIZER(_function, _flags) { \
		.entry = { .next = NULL, .pprev = NULL }, \
		.function = (_function), \
		.flags = (_flags), \
	}
#define DEFINE_TIMER(_name, _function) \
	struct timer_list _name = __TIMER_INITIALIZER(_function, 0)

extern void init_timer_key(struct timer_list *timer, void (*func)(struct timer_list *), unsigned int flags,
			   const char *name, void *key);
#define timer_setup(timer, callback, flags) init_timer_key((timer), (callback), (flags), NULL, NULL)
#define timer_setup_on_stack(timer, callback, flags) timer_setup(timer, callback, flags)
static inline void destroy_timer_on_stack(struct timer_list *timer) { }

#define from_timer(var, callback_timer, timer_fieldname) \
	container_of(callback_timer, __typeof__(*var), timer_fieldname)

/* Whether the timer is armed: the kernel links it (entry.pprev != NULL) while it is. */
static inline int timer_pending(const struct timer_list *timer)
{
	return READ_ONCE(timer->entry.pprev) != NULL;
}

extern void add_timer(struct timer_list *timer);
extern int mod_timer(struct timer_list *timer, unsigned long expires);
extern int timer_reduce(struct timer_list *timer, unsigned long expires);
extern int timer_delete(struct timer_list *timer);
extern int timer_delete_sync(struct timer_list *timer);
extern int timer_shutdown(struct timer_list *timer);
extern int timer_shutdown_sync(struct timer_list *timer);

static inline int del_timer(struct timer_list *timer) { return timer_delete(timer); }
static inline int del_timer_sync(struct timer_list *timer) { return timer_delete_sync(timer); }
static inline int del_singleshot_timer_sync(struct timer_list *timer) { return timer_delete_sync(timer); }

#endif
