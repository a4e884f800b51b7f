/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _LINUX_CDEV_H
#define _LINUX_CDEV_H

#include <linux/types.h>
#include <linux/kdev_t.h>

struct file_operations;
struct module;

/* Layout mirrored in emulator/kernel/kapi/layout.ts (checked by a test). */
struct cdev {
	struct module *owner;
	const struct file_operations *ops;
	dev_t dev;
	unsigned int count;
	struct list_head list;
};

extern void cdev_init(struct cdev *cdev, const struct file_operations *fops);
extern struct cdev *cdev_alloc(void);
extern int cdev_add(struct cdev *cdev, dev_t dev, unsigned count);
extern void cdev_del(struct cdev *cdev);

#endif
