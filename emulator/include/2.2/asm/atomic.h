/* Linux 2.2 <asm/atomic.h>: atomic_t and its operations. */
#ifndef __ARCH_I386_ATOMIC__
#define __ARCH_I386_ATOMIC__

typedef struct { volatile int counter; } atomic_t;

#define ATOMIC_INIT(i) { (i) }

#include <asm-generic/atomic.h>

#endif
