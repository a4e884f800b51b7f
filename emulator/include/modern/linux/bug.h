/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _LINUX_BUG_H
#define _LINUX_BUG_H

#include <linux/compiler.h>

/*
 * BUG() and WARN(). On x86 each is a ud2 instruction with an entry in the
 * bug table (file, line, flags) that the trap handler reports; here the
 * kernel is called with the same file and line and reports the same way:
 * BUG() is an oops ("kernel BUG at file:line!", "invalid opcode"), WARN()
 * prints the warning with a call trace and returns.
 */
extern void __dl_bug(const char *file, int line) __noreturn __cold;
extern void __dl_warn(const char *file, int line, const char *fmt, ...) __cold;

#define BUG() __dl_bug(__FILE__, __LINE__)
#define BUG_ON(condition) do { if (unlikely(condition)) BUG(); } while (0)

#define __WARN() __dl_warn(__FILE__, __LINE__, (const char *)0)
#define __WARN_printf(taint, arg...) __dl_warn(__FILE__, __LINE__, arg)

#define WARN_ON(condition) ({						\
	int __ret_warn_on = !!(condition);				\
	if (unlikely(__ret_warn_on))					\
		__WARN();						\
	unlikely(__ret_warn_on);					\
})

#define WARN(condition, format...) ({					\
	int __ret_warn_on = !!(condition);				\
	if (unlikely(__ret_warn_on))					\
		__WARN_printf(TAINT_WARN, format);			\
	unlikely(__ret_warn_on);					\
})

#define WARN_ON_ONCE(condition) ({					\
	static _Bool __warned;						\
	int __ret_warn_once = !!(condition);				\
	if (unlikely(__ret_warn_once && !__warned)) {			\
		__warned = 1;						\
		__WARN();						\
	}								\
	unlikely(__ret_warn_once);					\
})

#define WARN_ONCE(condition, format...) ({				\
	static _Bool __warned;						\
	int __ret_warn_once = !!(condition);				\
	if (unlikely(__ret_warn_once && !__warned)) {			\
		__warned = 1;						\
		__WARN_printf(TAINT_WARN, format);			\
	}								\
	unlikely(__ret_warn_once);					\
})

#define TAINT_WARN 9

#define BUILD_BUG_ON_MSG(cond, msg) _Static_assert(!(cond), msg)
#define BUILD_BUG_ON(condition) BUILD_BUG_ON_MSG(condition, "BUILD_BUG_ON failed: " #condition)

#endif /* _LINUX_BUG_H */
