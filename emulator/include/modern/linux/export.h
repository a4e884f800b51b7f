/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _LINUX_EXPORT_H
#define _LINUX_EXPORT_H
/* Symbols are not shared between modules in DriverLab: each module has its own memory. */
#define EXPORT_SYMBOL(sym)
#define EXPORT_SYMBOL_GPL(sym)
#define THIS_MODULE (&__this_module)
struct module;
extern struct module __this_module;
#endif
