/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _LINUX_DELAY_H
#define _LINUX_DELAY_H

/* Busy waits advance virtual time with the CPU held; the sleeping ones let others run. */
extern void udelay(unsigned long usecs);
extern void ndelay(unsigned long nsecs);
extern void mdelay(unsigned long msecs);
extern void msleep(unsigned int msecs);
extern unsigned long msleep_interruptible(unsigned int msecs);
extern void ssleep(unsigned int seconds);
extern void usleep_range(unsigned long min, unsigned long max);

#endif
