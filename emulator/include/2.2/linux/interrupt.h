/* Linux 2.2 <linux/interrupt.h>: interrupt actions and what runs around them. */
#ifndef _LINUX_INTERRUPT_H
#define _LINUX_INTERRUPT_H

#include <linux/kernel.h>
#include <linux/sched.h>
#include <asm/ptrace.h>
#include <asm/irq.h>

/* ---- Hardware interrupts: request_irq() is declared in <linux/sched.h>, as 2.2 does ----- */

struct irqaction {
	void (*handler)(int, void *, struct pt_regs *);
	unsigned long flags;
	unsigned long mask;
	const char *name;
	void *dev_id;
	struct irqaction *next;
};

/*
 * Autoprobing for irqs: probe_irq_on() enables every free line and waits
 * about 100 ms (busy, with interrupts on) for noise; make the card interrupt,
 * then probe_irq_off() returns the line that fired (0: none, negative: several).
 */
extern unsigned long probe_irq_on(void);
extern int probe_irq_off(unsigned long);

/* ---- end of hardware interrupts ---------------------------------------------------------- */

#endif
