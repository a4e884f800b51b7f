/* SPDX-License-Identifier: GPL-2.0 */
/*
 * <linux/ioport.h>: I/O port and memory regions, the trees behind /proc/ioports and /proc/iomem.
 * request_region() and request_mem_region() return NULL when any part of the range is taken.
 */
#ifndef _LINUX_IOPORT_H
#define _LINUX_IOPORT_H

#include <linux/types.h>
#include <linux/compiler.h>

/* Layout mirrored in the kernel (kapi/layout.ts, MODERN_IO). */
struct resource {
	resource_size_t start;
	resource_size_t end;
	const char *name;
	unsigned long flags;
	unsigned long desc;
	struct resource *parent, *sibling, *child;
};

#define IORESOURCE_BITS		0x000000ff
#define IORESOURCE_TYPE_BITS	0x00001f00
#define IORESOURCE_IO		0x00000100
#define IORESOURCE_MEM		0x00000200
#define IORESOURCE_BUSY		0x80000000
#define IORESOURCE_EXCLUSIVE	0x08000000

/* The roots of the two trees live in the kernel; a module sees them through this accessor. */
extern struct resource *__dl_resource_root(int which);
#define ioport_resource (*__dl_resource_root(0))
#define iomem_resource (*__dl_resource_root(1))

extern struct resource *__request_region(struct resource *parent, resource_size_t start,
					 resource_size_t n, const char *name, int flags);
extern void __release_region(struct resource *parent, resource_size_t start, resource_size_t n);

#define request_region(start, n, name)		__request_region(&ioport_resource, (start), (n), (name), 0)
#define request_muxed_region(start, n, name)	__request_region(&ioport_resource, (start), (n), (name), 0)
#define request_mem_region(start, n, name)	__request_region(&iomem_resource, (start), (n), (name), 0)
#define request_mem_region_exclusive(start, n, name) \
	__request_region(&iomem_resource, (start), (n), (name), IORESOURCE_EXCLUSIVE)
#define release_region(start, n)	__release_region(&ioport_resource, (start), (n))
#define release_mem_region(start, n)	__release_region(&iomem_resource, (start), (n))

static inline resource_size_t resource_size(const struct resource *res)
{
	return res->end - res->start + 1;
}

static inline unsigned long resource_type(const struct resource *res)
{
	return res->flags & IORESOURCE_TYPE_BITS;
}

#endif /* _LINUX_IOPORT_H */
