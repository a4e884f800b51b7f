/* Linux 2.2 <asm/page.h> (i386): page sizes, the kernel's address split, and BUG(). */
#ifndef _I386_PAGE_H
#define _I386_PAGE_H

#define PAGE_SHIFT	12
#define PAGE_SIZE	(1UL << PAGE_SHIFT)
#define PAGE_MASK	(~(PAGE_SIZE-1))

#ifdef __KERNEL__

#define PAGE_ALIGN(addr)	(((addr)+PAGE_SIZE-1)&PAGE_MASK)

#define __PAGE_OFFSET		(0xC0000000)

#include <linux/kernel.h>

/*
 * Tell the user there is some problem. Beep too, so we can
 * see^H^H^Hhear bugs in early bootup as well!
 * (The ud2 of the i386 original is the wasm trap here: the same
 * "invalid operand" oops follows the message.)
 */
#define BUG() do { \
	printk("kernel BUG at %s:%d!\n", __FILE__, __LINE__); \
	__builtin_trap(); \
} while (0)

#define PAGE_BUG(page) do { \
	BUG(); \
} while (0)

#define PAGE_OFFSET		((unsigned long)__PAGE_OFFSET)
#define __pa(x)			((unsigned long)(x)-PAGE_OFFSET)
#define __va(x)			((void *)((unsigned long)(x)+PAGE_OFFSET))

#endif /* __KERNEL__ */

#endif /* _I386_PAGE_H */
