/* DriverLab: Linux 2.2 kernel types for wasm32 (ILP32, like i386). */
#ifndef _LINUX_TYPES_H
#define _LINUX_TYPES_H

#include <linux/compiler.h>

typedef __SIZE_TYPE__ size_t;
typedef int ssize_t;
typedef long long loff_t;
typedef long off_t;
#include <asm-generic/int-ll64.h>
typedef unsigned char u_char;
typedef unsigned short u_short;
typedef unsigned int u_int;
typedef unsigned long u_long;
typedef unsigned short umode_t;
typedef unsigned short mode_t;
typedef unsigned short nlink_t;
typedef unsigned short kdev_t;
typedef unsigned int dev_t;
typedef int pid_t;
typedef unsigned short uid_t;
typedef unsigned short gid_t;
typedef long time_t;
typedef _Bool bool;
#define false 0
#define true 1
#define NULL ((void *)0)

#endif
