/*
 * Linux 2.2 <linux/ioport.h>: portio mapping.
 * check_region() says whether a range of I/O ports is free (0) or taken (-EBUSY);
 * request_region() claims it for /proc/ioports; release_region() gives it back.
 * request_region() of a taken range does nothing at all: check first.
 */
#ifndef _LINUX_IOPORT_H
#define _LINUX_IOPORT_H

#define HAVE_PORTRESERVE

extern int check_region(unsigned long from, unsigned long extent);
extern void request_region(unsigned long from, unsigned long extent, const char *name);
extern void release_region(unsigned long from, unsigned long extent);

#endif /* _LINUX_IOPORT_H */
