/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _LINUX_ATOMIC_H
#define _LINUX_ATOMIC_H

/* atomic_t, atomic_long_t and atomic64_t are declared in <linux/types.h>, as in Linux. */
#include <linux/types.h>
#include <asm-generic/atomic.h>

__DL_ATOMIC_OPS(atomic_long, atomic_long_t, long)
__DL_ATOMIC_OPS(atomic64, atomic64_t, s64)

#define ATOMIC_LONG_INIT(i) { (i) }
#define ATOMIC64_INIT(i) { (i) }

#endif
