/* SPDX-License-Identifier: GPL-2.0 */
/*
 * <asm/io.h> (x86): port I/O (inb/outb and friends) and memory-mapped I/O.
 *
 * I/O memory is reached only through the accessors below (readb, writeb, memcpy_toio, ...) on the
 * address ioremap() returned. In DriverLab that address is a token the accessors translate: the
 * module's own memory never contains the card, so dereferencing it directly, as in
 * `*(u8 *)base`, faults instead of reading the card.
 */
#ifndef _ASM_X86_IO_H
#define _ASM_X86_IO_H

#include <linux/types.h>
#include <linux/compiler.h>

extern u8 inb(u16 port);
extern u16 inw(u16 port);
extern u32 inl(u16 port);
extern void outb(u8 value, u16 port);
extern void outw(u16 value, u16 port);
extern void outl(u32 value, u16 port);
extern u8 inb_p(u16 port);
extern u16 inw_p(u16 port);
extern u32 inl_p(u16 port);
extern void outb_p(u8 value, u16 port);
extern void outw_p(u16 value, u16 port);
extern void outl_p(u32 value, u16 port);
extern void insb(u16 port, void *addr, unsigned long count);
extern void insw(u16 port, void *addr, unsigned long count);
extern void insl(u16 port, void *addr, unsigned long count);
extern void outsb(u16 port, const void *addr, unsigned long count);
extern void outsw(u16 port, const void *addr, unsigned long count);
extern void outsl(u16 port, const void *addr, unsigned long count);

extern void __iomem *ioremap(resource_size_t offset, unsigned long size);
extern void __iomem *ioremap_uc(resource_size_t offset, unsigned long size);
extern void __iomem *ioremap_wc(resource_size_t offset, unsigned long size);
extern void __iomem *ioremap_cache(resource_size_t offset, unsigned long size);
extern void iounmap(volatile void __iomem *addr);

extern u8 readb(const volatile void __iomem *addr);
extern u16 readw(const volatile void __iomem *addr);
extern u32 readl(const volatile void __iomem *addr);
extern void writeb(u8 value, volatile void __iomem *addr);
extern void writew(u16 value, volatile void __iomem *addr);
extern void writel(u32 value, volatile void __iomem *addr);
#define readb_relaxed(a)	readb(a)
#define readw_relaxed(a)	readw(a)
#define readl_relaxed(a)	readl(a)
#define writeb_relaxed(v, a)	writeb(v, a)
#define writew_relaxed(v, a)	writew(v, a)
#define writel_relaxed(v, a)	writel(v, a)
#define __raw_readb(a)		readb(a)
#define __raw_writeb(v, a)	writeb(v, a)

extern unsigned int ioread8(const void __iomem *addr);
extern unsigned int ioread16(const void __iomem *addr);
extern unsigned int ioread32(const void __iomem *addr);
extern void iowrite8(u8 value, void __iomem *addr);
extern void iowrite16(u16 value, void __iomem *addr);
extern void iowrite32(u32 value, void __iomem *addr);

extern void memcpy_toio(volatile void __iomem *dst, const void *src, size_t count);
extern void memcpy_fromio(void *dst, const volatile void __iomem *src, size_t count);
extern void memset_io(volatile void __iomem *dst, int c, size_t count);

#endif /* _ASM_X86_IO_H */
