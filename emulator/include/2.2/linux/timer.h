/* Linux 2.2 <linux/timer.h>: dynamic timers on a list, a callback with an unsigned long argument. */
#ifndef _LINUX_TIMER_H
#define _LINUX_TIMER_H

#include <linux/types.h>

/*
 * The kernel keeps armed timers by the address of this struct and links them
 * (prev != NULL) while they are pending. Layout mirrored in kapi/layout.ts.
 */
struct timer_list {
	struct timer_list *next; /* MUST be first element */
	struct timer_list *prev;
	unsigned long expires;
	unsigned long data;
	void (*function)(unsigned long);
};

extern void add_timer(struct timer_list *timer);
extern int del_timer(struct timer_list *timer);
/* mod_timer is a more efficient way to update the expire field of an active timer */
extern int mod_timer(struct timer_list *timer, unsigned long expires);
#define del_timer_sync(t) del_timer(t)

static inline void init_timer(struct timer_list *timer)
{
	timer->next = NULL;
	timer->prev = NULL;
}

static inline int timer_pending(struct timer_list *timer)
{
	return timer->prev != NULL;
}

/* The 2.2 idiom for comparing jiffies safely across the wrap. */
#define time_after(a, b) ((long)(b) - (long)(a) < 0)
#define time_before(a, b) time_after(b, a)
#define time_after_eq(a, b) ((long)(a) - (long)(b) >= 0)
#define time_before_eq(a, b) time_after_eq(b, a)

#endif
