/* Linux 2.2 <asm/irq.h> (i386): the 16 ISA interrupt lines of the 8259A pair. */
#ifndef _ASM_IRQ_H
#define _ASM_IRQ_H

#define NR_IRQS 16

static __inline__ int irq_cannonicalize(int irq)
{
	return ((irq == 2) ? 9 : irq);
}

extern void disable_irq(unsigned int);
extern void disable_irq_nosync(unsigned int);
extern void enable_irq(unsigned int);

#endif /* _ASM_IRQ_H */
