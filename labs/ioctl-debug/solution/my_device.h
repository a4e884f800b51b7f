/*
 * my_device.h -- what the driver and the programs that use it share: the article's
 * include/linux/my_device.h ("우선 include/linux/my_device.h에 그 기능에 대한 정의를 한다").
 * Both include it: the driver as "my_device.h", monitor.c too.
 */
#ifndef _MY_DEVICE_H
#define _MY_DEVICE_H

#include <linux/ioctl.h>

#define MY_DEVICE_MAJOR 125
#define MY_DEVICE_CARD_MAX 2

/*
 * VIEW_VARIABLE: the driver's variables, read while it runs. The argument is int value[2]:
 * in value[0] the program puts a card number; the driver answers with value[0] = processes
 * asleep until that card answers, value[1] = processes waiting their turn at it.
 */
#define VIEW_VARIABLE _IOWR(MY_DEVICE_MAJOR, 2, int[2])

#endif
