/*
 * DriverLab: wasi-libc's <unistd.h>, plus the Linux calls WASI leaves out that
 * DriverLab's kernel has: sync(2) and syncfs(2).
 */
#ifndef _DRIVERLAB_UNISTD_H
#define _DRIVERLAB_UNISTD_H

#include_next <unistd.h>

#ifdef __cplusplus
extern "C" {
#endif

void sync(void);
int syncfs(int fd);

#ifdef __cplusplus
}
#endif

#endif
