#ifndef _LINUX_INIT_H
#define _LINUX_INIT_H

/*
 * __init and __initdata mark code and data needed only while the kernel
 * boots (2.2 put them in sections it frees once init runs); 2.2 also wrote
 * __initfunc(int foo_init(void)) around such a definition. DriverLab keeps
 * the marks and frees nothing.
 */
#define __init
#define __initdata
#define __exit
#define __initfunc(__arginit) __arginit

/*
 * __setup("name=", fn): int fn(char *str) gets the rest of a boot parameter
 * that starts with name= (tried after the tables of init/main.c) and returns
 * 1 when it took it. Only code built into the kernel sees boot parameters: in
 * a module __setup is empty, and the values come from insmod (MODULE_PARM).
 */
#ifndef MODULE
struct kernel_setup_param {
	const char *str;
	int (*setup_func)(char *);
};
#define __setup(str, fn) \
	static struct kernel_setup_param __setup_##fn = { str, fn }; \
	__attribute__((used, export_name("__dl_setup_" #fn))) \
	struct kernel_setup_param *__dl_setup_addr_##fn(void) { return &__setup_##fn; }
#else
#define __setup(str, fn)
#endif

#endif
