/* SPDX-License-Identifier: GPL-2.0 */
/* DriverLab: basic kernel types for wasm32 (ILP32, like i386). */
#ifndef _LINUX_TYPES_H
#define _LINUX_TYPES_H

#include <linux/compiler.h>

typedef __SIZE_TYPE__ size_t;
typedef int ssize_t;
typedef long long loff_t;
#include <asm-generic/int-ll64.h>
typedef u16 __le16;
typedef u32 __le32;
typedef unsigned char u_char;
typedef unsigned short u_short;
typedef unsigned int u_int;
typedef unsigned long u_long;
typedef unsigned short umode_t;
typedef unsigned int fmode_t;
typedef unsigned int dev_t;
typedef unsigned int gfp_t;
typedef int pid_t;
typedef unsigned int uid_t;
typedef unsigned int gid_t;
typedef long time_t;
typedef long ptrdiff_t;
typedef unsigned long uintptr_t;
typedef long intptr_t;
typedef _Bool bool;
typedef struct { uid_t val; } kuid_t;
typedef struct { gid_t val; } kgid_t;
typedef unsigned int __poll_t;
typedef unsigned long irq_flags_t;
typedef u64 phys_addr_t;
typedef u32 resource_size_t;

#define false 0
#define true 1
#define NULL ((void *)0)

struct list_head {
	struct list_head *next, *prev;
};

struct hlist_head {
	struct hlist_node *first;
};

struct hlist_node {
	struct hlist_node *next, **pprev;
};

typedef struct {
	int counter;
} atomic_t;

#define ATOMIC_INIT(i) { (i) }

typedef struct {
	long counter;
} atomic_long_t;

typedef struct {
	s64 counter;
} atomic64_t;

#endif
