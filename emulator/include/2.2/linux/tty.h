#ifndef _LINUX_TTY_H
#define _LINUX_TTY_H

/*
 * 'tty.h' defines some structures used by tty_io.c and some defines.
 *
 * DriverLab: the tty layer itself (consoles, serial ports, ptys) belongs to
 * the simulator. What stays is the part drivers/char/mem.c needs: the init
 * functions of the character drivers that chr_dev_init() starts at boot.
 */

#ifdef __KERNEL__
#include <linux/config.h>

extern int chr_dev_init(void);
extern int tty_init(void);
extern int rs_init(void);
extern int lp_init(void);
extern int pty_init(void);
extern int vcs_init(void);
extern int rtc_init(void);

#endif /* __KERNEL__ */
#endif
