/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _LINUX_MODULE_H
#define _LINUX_MODULE_H

#include <linux/types.h>
#include <linux/init.h>
#include <linux/export.h>
#include <linux/stddef.h>
#include <linux/kernel.h>
#include <linux/moduleparam.h>

struct module {
	char name[56];
};

/* __MODULE_INFO() (.modinfo entries) comes with <linux/moduleparam.h>, as in Linux. */
#define MODULE_INFO(tag, info) __MODULE_INFO(tag, tag, info)
#define MODULE_LICENSE(_license) MODULE_INFO(license, _license)
#define MODULE_AUTHOR(_author) MODULE_INFO(author, _author)
#define MODULE_DESCRIPTION(_description) MODULE_INFO(description, _description)
#define MODULE_VERSION(_version) MODULE_INFO(version, _version)
#define MODULE_ALIAS(_alias) MODULE_INFO(alias, _alias)
#define MODULE_SOFTDEP(_softdep) MODULE_INFO(softdep, _softdep)
#define MODULE_FIRMWARE(_firmware) MODULE_INFO(firmware, _firmware)
#define MODULE_DEVICE_TABLE(type, name)

#define module_init(initfn) \
	int init_module(void) __attribute__((export_name("init_module"))); \
	int init_module(void) { return initfn(); }
#define module_exit(exitfn) \
	void cleanup_module(void) __attribute__((export_name("cleanup_module"))); \
	void cleanup_module(void) { exitfn(); }

extern int try_module_get(struct module *module);
extern void module_put(struct module *module);
#define __module_get(m) ((void)try_module_get(m))
#define module_refcount(m) 0

#endif
