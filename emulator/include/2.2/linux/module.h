/* Linux 2.2 modules: init_module()/cleanup_module(), the use count, MODULE_PARM. */
#ifndef _LINUX_MODULE_H
#define _LINUX_MODULE_H

#include <linux/types.h>
#include <linux/compiler.h>

struct module {
	unsigned long size_of_struct;
	const char *name;
	long usecount;
};

#define __MODULE_INFO(tag, info) \
	__attribute__((used, export_name("__modinfo_" #tag "_" __stringify(__COUNTER__)))) \
	const char *__PASTE(__modinfo_fn_, __PASTE(tag, __COUNTER__))(void) { return #tag "=" info; }

#ifdef MODULE
/* The kernel release the module is built for: insmod refuses a module without it or for another one. */
#ifndef __NO_VERSION__
#include <linux/version.h>
__MODULE_INFO(kernel_version, UTS_RELEASE)
#endif

extern int init_module(void);
extern void cleanup_module(void);

extern void __mod_inc_use_count(void);
extern void __mod_dec_use_count(void);
extern int __mod_in_use(void);
#define MOD_INC_USE_COUNT __mod_inc_use_count()
#define MOD_DEC_USE_COUNT __mod_dec_use_count()
#define MOD_IN_USE __mod_in_use()

#define MODULE_AUTHOR(name) __MODULE_INFO(author, name)
#define MODULE_DESCRIPTION(desc) __MODULE_INFO(description, desc)
#define MODULE_SUPPORTED_DEVICE(dev) __MODULE_INFO(device, dev)
/*
 * MODULE_PARM(var, "1-4i"): "parm_var=1-4i" in .modinfo, the type string insmod checks the
 * values against (b byte, h short, i int, l long, s string, cN char[N]; "min-max" values).
 * insmod writes the values into `var`, which it finds through "__dl_parm_var" here (2.2's
 * insmod looked the symbol up in the object file); so MODULE_PARM follows the declaration.
 */
#define MODULE_PARM(var, type) \
	__attribute__((used, export_name("__modinfo_parm_" #var "_" __stringify(__COUNTER__)))) \
	const char *__module_parm_##var(void) { return "parm_" #var "=" type; } \
	__attribute__((used, export_name("__dl_parm_" #var))) \
	void *__module_parm_addr_##var(void) { return (void *)&(var); }
#define MODULE_PARM_DESC(var, desc) \
	__attribute__((used, export_name("__modinfo_parm_desc_" #var "_" __stringify(__COUNTER__)))) \
	const char *__module_parm_desc_##var(void) { return "parm_desc_" #var "=" desc; }
#define MODULE_LICENSE(license) __MODULE_INFO(license, license)
#define EXPORT_NO_SYMBOLS
#else
#define MOD_INC_USE_COUNT do { } while (0)
#define MOD_DEC_USE_COUNT do { } while (0)
#define MOD_IN_USE 1
#define MODULE_AUTHOR(name)
#define MODULE_DESCRIPTION(desc)
#define MODULE_SUPPORTED_DEVICE(dev)
#define MODULE_PARM(var, type)
#define MODULE_PARM_DESC(var, desc)
#define MODULE_LICENSE(license)
#define EXPORT_NO_SYMBOLS
#endif

#define EXPORT_SYMBOL(var)
#define THIS_MODULE ((struct module *)0)

#endif
