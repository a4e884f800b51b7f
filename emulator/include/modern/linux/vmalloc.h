/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _LINUX_VMALLOC_H
#define _LINUX_VMALLOC_H

/* vmalloc/vzalloc/vfree are declared with the slab allocator here; the header exists so code that includes it builds. */
#include <linux/slab.h>

#endif
