/* Linux 2.2 <asm/system.h>: cli/sti/save_flags/restore_flags on the CPU's interrupt flag (IF, 0x200). */
#ifndef __ASM_SYSTEM_H
#define __ASM_SYSTEM_H

extern unsigned long __dl_save_flags(void);
extern void __dl_restore_flags(unsigned long flags);
extern void __dl_cli(void);
extern void __dl_sti(void);
#define save_flags(x) ((x) = __dl_save_flags())
#define restore_flags(x) __dl_restore_flags(x)
#define cli() __dl_cli()
#define sti() __dl_sti()

#endif
