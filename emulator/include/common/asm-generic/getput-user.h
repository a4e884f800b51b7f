/* SPDX-License-Identifier: GPL-2.0 */
/*
 * get_user()/put_user() for every personality: the module's memory and the
 * process's are separate, so both go through the kernel, which returns
 * -EFAULT for a bad user address.
 */
#ifndef _ASM_GENERIC_GETPUT_USER_H
#define _ASM_GENERIC_GETPUT_USER_H

extern int __get_user_n(void *dst, const void *uptr, unsigned long size);
extern int __put_user_n(const void *src, void *uptr, unsigned long size);

/* The value is read into an unqualified copy: get_user() from a const __user pointer is common. */
#define get_user(x, ptr) ({ \
	__typeof_unqual__(*(ptr)) __gu_val; \
	int __gu_err = __get_user_n(&__gu_val, (ptr), sizeof(*(ptr))); \
	(x) = __gu_err ? (__typeof_unqual__(*(ptr)))0 : __gu_val; \
	__gu_err; })

#define put_user(x, ptr) ({ \
	__typeof__(*(ptr)) __pu_val = (__typeof__(*(ptr)))(x); \
	__put_user_n(&__pu_val, (ptr), sizeof(*(ptr))); })

#define __get_user(x, ptr) get_user(x, ptr)
#define __put_user(x, ptr) put_user(x, ptr)

#endif
