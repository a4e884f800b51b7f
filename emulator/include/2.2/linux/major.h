#ifndef _LINUX_MAJOR_H
#define _LINUX_MAJOR_H
/* Linux 2.2 device majors (Documentation/devices.txt); 60-63, 120-127 and 240-254 are for experiments. */
#define UNNAMED_MAJOR 0
#define MEM_MAJOR 1
#define TTY_MAJOR 4
#define TTYAUX_MAJOR 5
#define LP_MAJOR 6
#define MISC_MAJOR 10
#define IDE0_MAJOR 3
#define MAX_CHRDEV 256
#define MAX_BLKDEV 256
#endif
