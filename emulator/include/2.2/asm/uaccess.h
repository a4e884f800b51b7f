/* Linux 2.2 <asm/uaccess.h>: copy_to_user and friends return the bytes not copied. */
#ifndef __i386_UACCESS_H
#define __i386_UACCESS_H

#include <linux/types.h>

#define VERIFY_READ 0
#define VERIFY_WRITE 1

extern unsigned long copy_to_user(void *to, const void *from, unsigned long n);
extern unsigned long copy_from_user(void *to, const void *from, unsigned long n);
extern long strncpy_from_user(char *dst, const char *src, long count);
extern unsigned long clear_user(void *to, unsigned long n);
extern int access_ok(const void *addr, unsigned long size);
extern int __get_user_n(void *dst, const void *uptr, unsigned long size);
extern int __put_user_n(const void *src, void *uptr, unsigned long size);
#define verify_area(type, addr, size) (access_ok((addr), (size)) ? 0 : -14)

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
