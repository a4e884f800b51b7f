/* SPDX-License-Identifier: GPL-2.0 */
#ifndef __LINUX_UACCESS_H__
#define __LINUX_UACCESS_H__

#include <linux/types.h>
#include <linux/errno.h>

/*
 * The module and the calling process have separate address spaces: these are
 * the only way across. Each returns the number of bytes that could NOT be copied.
 */
extern unsigned long copy_to_user(void __user *to, const void *from, unsigned long n);
extern unsigned long copy_from_user(void *to, const void __user *from, unsigned long n);
extern unsigned long clear_user(void __user *to, unsigned long n);
extern long strncpy_from_user(char *dst, const char __user *src, long count);
extern int access_ok(const void __user *addr, unsigned long size);
#include <asm-generic/getput-user.h>

#endif
