/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _LINUX_MODULE_PARAMS_H
#define _LINUX_MODULE_PARAMS_H

#include <linux/compiler.h>
/* Module parameters arrive with step 4 (insmod name=value). */
#define MODULE_PARM_DESC(_parm, desc) MODULE_INFO(parmdesc, #_parm ":" desc)
#define module_param(name, type, perm)
#define module_param_named(name, value, type, perm)
#define module_param_array(name, type, nump, perm)

#endif
