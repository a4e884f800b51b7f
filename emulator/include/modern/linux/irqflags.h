/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _LINUX_TRACE_IRQFLAGS_H
#define _LINUX_TRACE_IRQFLAGS_H

/* The CPU's interrupt flag: really masks interrupts in the simulator. */
extern unsigned long __dl_local_irq_save(void);
extern void local_irq_restore(unsigned long flags);
extern void local_irq_disable(void);
extern void local_irq_enable(void);
extern int irqs_disabled(void);
#define local_irq_save(flags) ((flags) = __dl_local_irq_save())
#define local_save_flags(flags) ((flags) = (irqs_disabled() ? 0UL : 0x200UL))

#endif
