/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _LINUX_IO_H
#define _LINUX_IO_H

#include <linux/types.h>
#include <linux/ioport.h>
#include <asm/io.h>

#endif /* _LINUX_IO_H */
