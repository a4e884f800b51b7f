#ifndef _LINUX_CONFIG_H
#define _LINUX_CONFIG_H

/* The kernel configuration: CONFIG_ symbols, as `make config' last wrote them. */
#include <linux/autoconf.h>

#endif
