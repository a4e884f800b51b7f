/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _DEVICE_H_
#define _DEVICE_H_

#include <linux/types.h>
#include <linux/kdev_t.h>
#include <linux/err.h>
#include <linux/export.h>

struct class;
struct device;

/*
 * class_create() lost its owner argument in Linux 6.4. Both forms are accepted
 * here, so the tutorial's class_create(THIS_MODULE, CLASS_NAME) builds.
 */
extern struct class *__class_create(const char *name);
#define __CLASS_CREATE_PICK(_1, _2, NAME, ...) NAME
#define __class_create_2(owner, name) __class_create(name)
#define __class_create_1(name) __class_create(name)
#define class_create(...) __CLASS_CREATE_PICK(__VA_ARGS__, __class_create_2, __class_create_1)(__VA_ARGS__)
extern void class_destroy(struct class *cls);

extern __printf(5, 6) struct device *device_create(struct class *cls, struct device *parent, dev_t devt, void *drvdata, const char *fmt, ...);
extern void device_destroy(struct class *cls, dev_t devt);

#endif
