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
#include <asm-generic/getput-user.h>

#endif
