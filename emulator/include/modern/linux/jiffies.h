/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _LINUX_JIFFIES_H
#define _LINUX_JIFFIES_H

#include <linux/types.h>

#define HZ 100
#ifndef LONG_MAX
#define LONG_MAX ((long)(~0UL >> 1))
#endif
extern unsigned long __dl_jiffies(void);
#define jiffies (__dl_jiffies())

#define time_after(a, b) ((long)((b) - (a)) < 0)
#define time_before(a, b) time_after(b, a)
#define time_after_eq(a, b) ((long)((a) - (b)) >= 0)
#define time_before_eq(a, b) time_after_eq(b, a)

static inline unsigned long msecs_to_jiffies(const unsigned int m) { return (m + (1000 / HZ) - 1) / (1000 / HZ); }
static inline unsigned int jiffies_to_msecs(const unsigned long j) { return j * (1000 / HZ); }
static inline unsigned long usecs_to_jiffies(const unsigned int u) { return (u + (1000000 / HZ) - 1) / (1000000 / HZ); }

#endif
