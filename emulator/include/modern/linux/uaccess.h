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
extern int __get_user_n(void *dst, const void __user *uptr, unsigned long size);
extern int __put_user_n(const void *src, void __user *uptr, unsigned long size);

#define get_user(x, ptr) ({ \
	__typeof__(*(ptr)) __gu_val; \
	int __gu_err = __get_user_n(&__gu_val, (ptr), sizeof(*(ptr))); \
	(x) = __gu_err ? (__typeof__(*(ptr)))0 : __gu_val; \
	__gu_err; })

#define put_user(x, ptr) ({ \
	__typeof__(*(ptr)) __pu_val = (__typeof__(*(ptr)))(x); \
	__put_user_n(&__pu_val, (ptr), sizeof(*(ptr))); })

#define __get_user(x, ptr) get_user(x, ptr)
#define __put_user(x, ptr) put_user(x, ptr)

#endif
