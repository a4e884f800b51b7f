/*
 * Linux 2.2 <asm/io.h> (i386): port I/O and memory-mapped I/O.
 *
 * On 2.2/x86 ISA memory addresses (0xA0000-0xFFFFF) are used directly, as in
 * readb(0xD0000) or memcpy_toio(card->address + DATA_ADDR, buf, len), and so
 * are the addresses ioremap() returns. The card is reached only through these
 * accessors: DriverLab keeps it out of the module's own memory, so a plain
 * pointer dereference of such an address faults.
 */
#ifndef _ASM_IO_H
#define _ASM_IO_H

extern unsigned char inb(unsigned short port);
extern unsigned short inw(unsigned short port);
extern unsigned int inl(unsigned short port);
extern void outb(unsigned char value, unsigned short port);
extern void outw(unsigned short value, unsigned short port);
extern void outl(unsigned int value, unsigned short port);
extern unsigned char inb_p(unsigned short port);
extern unsigned short inw_p(unsigned short port);
extern unsigned int inl_p(unsigned short port);
extern void outb_p(unsigned char value, unsigned short port);
extern void outw_p(unsigned short value, unsigned short port);
extern void outl_p(unsigned int value, unsigned short port);
extern void insb(unsigned short port, void *addr, unsigned long count);
extern void insw(unsigned short port, void *addr, unsigned long count);
extern void insl(unsigned short port, void *addr, unsigned long count);
extern void outsb(unsigned short port, const void *addr, unsigned long count);
extern void outsw(unsigned short port, const void *addr, unsigned long count);
extern void outsl(unsigned short port, const void *addr, unsigned long count);

/* Any integer or pointer is an I/O memory address here, as __io_virt() made it on 2.2. */
extern unsigned char readb(unsigned long addr);
extern unsigned short readw(unsigned long addr);
extern unsigned int readl(unsigned long addr);
extern void writeb(unsigned char b, unsigned long addr);
extern void writew(unsigned short w, unsigned long addr);
extern void writel(unsigned int l, unsigned long addr);
extern void memset_io(unsigned long addr, int c, unsigned long count);
extern void memcpy_fromio(void *to, unsigned long from, unsigned long count);
extern void memcpy_toio(unsigned long to, const void *from, unsigned long count);
#define readb(addr)		readb((unsigned long)(addr))
#define readw(addr)		readw((unsigned long)(addr))
#define readl(addr)		readl((unsigned long)(addr))
#define writeb(b, addr)		writeb((b), (unsigned long)(addr))
#define writew(w, addr)		writew((w), (unsigned long)(addr))
#define writel(l, addr)		writel((l), (unsigned long)(addr))
#define memset_io(a, b, c)	memset_io((unsigned long)(a), (b), (c))
#define memcpy_fromio(a, b, c)	memcpy_fromio((a), (unsigned long)(b), (c))
#define memcpy_toio(a, b, c)	memcpy_toio((unsigned long)(a), (b), (c))

extern void *ioremap(unsigned long offset, unsigned long size);
extern void iounmap(void *addr);

#endif /* _ASM_IO_H */
