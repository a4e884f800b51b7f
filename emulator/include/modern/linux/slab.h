/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _LINUX_SLAB_H
#define _LINUX_SLAB_H

#include <linux/types.h>
#include <linux/gfp.h>

#define ZERO_SIZE_PTR ((void *)16)
#define ZERO_OR_NULL_PTR(x) ((unsigned long)(x) <= (unsigned long)ZERO_SIZE_PTR)
#define KMALLOC_MAX_SIZE (4UL << 20)

extern void *kmalloc(size_t size, gfp_t flags) __attribute__((alloc_size(1)));
extern void *kzalloc(size_t size, gfp_t flags) __attribute__((alloc_size(1)));
extern void *kcalloc(size_t n, size_t size, gfp_t flags);
extern void *kmalloc_array(size_t n, size_t size, gfp_t flags);
extern void *krealloc(const void *p, size_t new_size, gfp_t flags);
extern void kfree(const void *objp);
extern void kvfree(const void *addr);
extern size_t ksize(const void *objp);
extern char *kstrdup(const char *s, gfp_t gfp);
extern void *vmalloc(unsigned long size);
extern void *vzalloc(unsigned long size);
extern void vfree(const void *addr);

#endif
