/*
 * Linux 2.2 <linux/delay.h>: busy waits. They hold the CPU for the whole time:
 * virtual time moves on (interrupts are still delivered if enabled) but no
 * other process runs. To let others run, sleep with schedule_timeout().
 */
#ifndef _LINUX_DELAY_H
#define _LINUX_DELAY_H

extern void __dl_udelay(unsigned long usecs);
#define udelay(n) __dl_udelay(n)
#define mdelay(n) __dl_udelay((n) * 1000UL)
extern unsigned long __dl_loops_per_sec(void);
#define loops_per_sec (__dl_loops_per_sec())
extern void __delay(unsigned long loops);

#endif /* defined(_LINUX_DELAY_H) */
