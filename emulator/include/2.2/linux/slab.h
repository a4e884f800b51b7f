#ifndef _LINUX_SLAB_H
#define _LINUX_SLAB_H
#include <linux/types.h>
#include <linux/gfp.h>
extern void *kmalloc(size_t size, int flags);
extern void kfree(const void *objp);
extern void kfree_s(const void *objp, size_t size);
extern void *vmalloc(unsigned long size);
extern void vfree(void *addr);
#endif
