/* SPDX-License-Identifier: GPL-2.0 */
/* <linux/interrupt.h>: interrupt handlers and what runs around them. */
#ifndef _LINUX_INTERRUPT_H
#define _LINUX_INTERRUPT_H

#include <linux/types.h>
#include <linux/compiler.h>
#include <linux/irqreturn.h>
#include <linux/irqflags.h>

/* ---- Hardware interrupts: request_irq() and friends ------------------------------------- */

/*
 * These flags are used only by the kernel as part of the irq handling routines.
 * Handlers always run with interrupts disabled on the local CPU.
 */
#define IRQF_TRIGGER_NONE	0x00000000
#define IRQF_TRIGGER_RISING	0x00000001
#define IRQF_TRIGGER_FALLING	0x00000002
#define IRQF_TRIGGER_HIGH	0x00000004
#define IRQF_TRIGGER_LOW	0x00000008
#define IRQF_TRIGGER_MASK	(IRQF_TRIGGER_HIGH | IRQF_TRIGGER_LOW | IRQF_TRIGGER_RISING | IRQF_TRIGGER_FALLING)
#define IRQF_SHARED		0x00000080
#define IRQF_PROBE_SHARED	0x00000100
#define IRQF_TIMER		0x00000200
#define IRQF_PERCPU		0x00000400
#define IRQF_NOBALANCING	0x00000800
#define IRQF_IRQPOLL		0x00001000
#define IRQF_ONESHOT		0x00002000
#define IRQF_NO_SUSPEND		0x00004000
#define IRQF_NO_THREAD		0x00010000

typedef irqreturn_t (*irq_handler_t)(int, void *);

extern int __must_check request_threaded_irq(unsigned int irq, irq_handler_t handler,
					     irq_handler_t thread_fn, unsigned long flags,
					     const char *name, void *dev);

static inline int __must_check request_irq(unsigned int irq, irq_handler_t handler,
					   unsigned long flags, const char *name, void *dev)
{
	return request_threaded_irq(irq, handler, NULL, flags, name, dev);
}

extern const void *free_irq(unsigned int irq, void *dev_id);

extern void disable_irq_nosync(unsigned int irq);
extern void disable_irq(unsigned int irq);
extern void enable_irq(unsigned int irq);
extern void synchronize_irq(unsigned int irq);

/* IRQ autoprobing: probe_irq_on() sleeps about 120 ms while the free lines settle. */
extern unsigned long probe_irq_on(void);
extern int probe_irq_off(unsigned long val);

/* ---- end of hardware interrupts ------------------------------------------------------------ */

#endif /* _LINUX_INTERRUPT_H */
