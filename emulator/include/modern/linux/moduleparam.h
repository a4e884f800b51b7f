/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _LINUX_MODULE_PARAMS_H
#define _LINUX_MODULE_PARAMS_H

#include <linux/compiler.h>
#include <linux/types.h>
#include <linux/stddef.h>
#include <linux/stat.h>

/*
 * .modinfo: each entry is a "key=value" string returned by an exported
 * function; DriverLab's modpost collects them into the module's "modinfo"
 * section, which modinfo and insmod read.
 */
#define __MODULE_INFO(tag, name, info) \
	__attribute__((used, export_name("__modinfo_" #tag "_" __stringify(__COUNTER__)))) \
	const char *__PASTE(__modinfo_fn_, __PASTE(tag, __COUNTER__))(void) { return #tag "=" info; }

#define __MODULE_PARM_TYPE(name, _type) __MODULE_INFO(parmtype, name##type, #name ":" _type)

/* One-line description of a parameter: modinfo shows it as "parm: name:desc (type)". */
#define MODULE_PARM_DESC(_parm, desc) __MODULE_INFO(parm, _parm, #_parm ":" desc)

/*
 * One module parameter (kernel/params.c). Linux collects a struct kernel_param
 * per parameter in the __param section; here the loader finds each one
 * through the exported function "__dl_param_<name>" that returns its address.
 * parse_args() writes the insmod values into the variable before the init
 * function runs, and /sys/module/<module>/parameters/<name> shows it when
 * perm is not 0. `type` names the param_ops_<type> that parses and prints it.
 */
struct kernel_param {
	const char *name;
	const char *type;
	unsigned short perm;
	unsigned short elemsize;	/* sizeof one value */
	void *arg;			/* the variable (an array: its first element) */
	void *num;			/* an array: where the number of values goes, or NULL */
	unsigned int max;		/* an array: ARRAY_SIZE(array); 0 for a single value */
};

/* Compile-time type checking of the variable against the parameter type, as Linux does it. */
#define __param_check(name, p, type) \
	static inline type __always_unused *__check_##name(void) { return (p); }

#define param_check_byte(name, p) __param_check(name, p, unsigned char)
#define param_check_short(name, p) __param_check(name, p, short)
#define param_check_ushort(name, p) __param_check(name, p, unsigned short)
#define param_check_int(name, p) __param_check(name, p, int)
#define param_check_uint(name, p) __param_check(name, p, unsigned int)
#define param_check_long(name, p) __param_check(name, p, long)
#define param_check_ulong(name, p) __param_check(name, p, unsigned long)
#define param_check_hexint(name, p) __param_check(name, p, unsigned int)
#define param_check_charp(name, p) __param_check(name, p, char *)
#define param_check_bool(name, p) __param_check(name, p, bool)
#define param_check_invbool(name, p) __param_check(name, p, bool)

#define __module_param_call(name, _type, _arg, _num, _max, _perm) \
	static const struct kernel_param __param_##name __used = \
		{ #name, _type, _perm, sizeof(*(_arg)), (void *)(_arg), _num, _max }; \
	__attribute__((used, export_name("__dl_param_" #name))) \
	const struct kernel_param *__dl_param_fn_##name(void) { return &__param_##name; }

/**
 * module_param - a module parameter: `insmod mod name=value`
 * @name: the variable, which is also the parameter's name
 * @type: byte, short, ushort, int, uint, long, ulong, hexint, charp, bool, invbool
 * @perm: mode of /sys/module/<module>/parameters/<name>; 0 for none
 */
#define module_param(name, type, perm) module_param_named(name, name, type, perm)

#define module_param_named(name, value, type, perm) \
	param_check_##type(name, &(value)); \
	__module_param_call(name, #type, &(value), NULL, 0, perm); \
	__MODULE_PARM_TYPE(name, #type)

/**
 * module_param_array - a comma-separated list of values: `io=0x200,0x300`
 * @nump: where the number of values given goes (may be NULL)
 * ARRAY_SIZE(@name) is the most values insmod accepts.
 */
#define module_param_array(name, type, nump, perm) module_param_array_named(name, name, type, nump, perm)

#define module_param_array_named(name, array, type, nump, perm) \
	param_check_##type(name, &(array)[0]); \
	__module_param_call(name, #type, &(array)[0], nump, sizeof(array) / sizeof((array)[0]), perm); \
	__MODULE_PARM_TYPE(name, "array of " #type)

#endif
