/*
 *  linux/drivers/char/mem.c
 *
 *  Copyright (C) 1991, 1992  Linus Torvalds
 *
 *  DriverLab: the memory devices (/dev/null, /dev/zero, /dev/mem, ...,
 *  major 1), the ttys and the console are the simulator's own, registered
 *  before this runs.  What stays here is chr_dev_init(), which the kernel
 *  calls while it boots, before init starts: the place where the character
 *  drivers built into the kernel are initialised.
 */

#include <linux/config.h>
#include <linux/kernel.h>
#include <linux/major.h>
#include <linux/tty.h>
#include <linux/init.h>

__initfunc(int chr_dev_init(void))
{
	/*
	 * The init functions of character drivers built into the kernel
	 * (declared in <linux/tty.h>) are called here, each inside the
	 * #ifdef of its configuration option.
	 */
	return 0;
}
