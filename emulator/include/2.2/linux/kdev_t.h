#ifndef _LINUX_KDEV_T_H
#define _LINUX_KDEV_T_H
/* Linux 2.2: 8-bit major and minor in a 16-bit kdev_t. */
#define MINORBITS 8
#define MINORMASK ((1U << MINORBITS) - 1)
#define MAJOR(dev) ((unsigned int)((dev) >> MINORBITS))
#define MINOR(dev) ((unsigned int)((dev) & MINORMASK))
#define MKDEV(ma, mi) (((ma) << MINORBITS) | (mi))
#define kdev_t_to_nr(dev) (dev)
#define to_kdev_t(dev) (dev)
#endif
