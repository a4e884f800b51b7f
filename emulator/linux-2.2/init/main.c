/*
 *  linux/init/main.c
 *
 *  Copyright (C) 1991, 1992  Linus Torvalds
 *
 *  DriverLab: the part of start_kernel() that is C here is the part a
 *  driver writer edits - the tables of boot-time parameters, and
 *  checksetup(), which looks a word of the kernel command line up in them.
 *  The rest is the simulator's: it splits the command line (parse_options),
 *  handles ro, rw, debug, quiet and init= itself, and calls checksetup()
 *  for every other word.  Words nobody claims go to init: into its
 *  environment when they contain '=', into its arguments otherwise.
 */

#include <linux/config.h>
#include <linux/kernel.h>
#include <linux/string.h>
#include <linux/init.h>

/*
 * Setup functions of the kernel proper (kernel/resource.c, kernel/panic.c,
 * kernel/printk.c, fs/super.c).
 */
extern void reserve_setup(char *str, int *ints);
extern void panic_setup(char *str, int *ints);
extern void console_setup(char *str, int *ints);
extern void root_dev_setup(char *line, int *num);

static unsigned long prof_shift = 0;

static void __init profile_setup(char *str, int *ints)
{
	if (ints[0] > 0)
		prof_shift = (unsigned long) ints[1];
	else
		prof_shift = 2;
}

/*
 * List of kernel command line parameters. The first table lists parameters
 * whose values are converted to numbers first (get_options() fills ints[]:
 * ints[0] is how many there are, at most 9, and ints[1..] the values); the
 * setup function gets the text after the name and those numbers. The second
 * table lists the few that take their text as it is.
 */

struct kernel_param {
	const char *str;
	void (*setup_func)(char *, int *);
};

static struct kernel_param cooked_params[] __initdata = {
	{ "reserve=", reserve_setup },
	{ "profile=", profile_setup },
	{ "panic=", panic_setup },
	{ "console=", console_setup },
	{ 0, 0 }
};

static struct kernel_param raw_params[] __initdata = {
	{ "root=", root_dev_setup },
	{ 0, 0 }
};

/*
 * Called by start_kernel() for each word of the command line it does not
 * handle itself. Returns 1 when a table claimed the word. Parameters given
 * with __setup() in drivers built into the kernel are tried after these
 * tables.
 */
int __init checksetup(char *line)
{
	int i, ints[10];

	for (i = 0; raw_params[i].str; i++) {
		int n = strlen(raw_params[i].str);
		if (!strncmp(line, raw_params[i].str, n)) {
			raw_params[i].setup_func(line + n, NULL);
			return 1;
		}
	}
	for (i = 0; cooked_params[i].str; i++) {
		int n = strlen(cooked_params[i].str);
		if (!strncmp(line, cooked_params[i].str, n)) {
			get_options(line + n, ints);
			cooked_params[i].setup_func(line + n, ints);
			return 1;
		}
	}
	return 0;
}
