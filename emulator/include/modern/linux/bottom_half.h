/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _LINUX_BH_H
#define _LINUX_BH_H

/* Holds softirqs (timers, tasklets) off this CPU; local_bh_enable() runs what became pending. */
extern void local_bh_disable(void);
extern void local_bh_enable(void);

#endif
