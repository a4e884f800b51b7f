/* SPDX-License-Identifier: GPL-2.0 */
#ifndef __LINUX_GFP_H
#define __LINUX_GFP_H

#include <linux/types.h>

#define __GFP_ZERO 0x100u
#define GFP_ATOMIC 0x820u
#define GFP_KERNEL 0xcc0u
#define GFP_NOWAIT 0x800u
#define GFP_NOIO 0xc00u
#define GFP_NOFS 0xc40u
#define GFP_USER 0x100cc0u
#define GFP_DMA 0x01u
#define __GFP_NOWARN 0x2000u

#endif
