/* Linux 2.2 <asm/ptrace.h> (i386): the registers an interrupt handler receives. */
#ifndef _I386_PTRACE_H
#define _I386_PTRACE_H

/* Layout mirrored in the kernel (kapi/layout.ts, V2_2_IRQ). */
struct pt_regs {
	long ebx;
	long ecx;
	long edx;
	long esi;
	long edi;
	long ebp;
	long eax;
	int  xds;
	int  xes;
	long orig_eax;
	long eip;
	int  xcs;
	long eflags;
	long esp;
	int  xss;
};

#define user_mode(regs) ((3 & (regs)->xcs))
#define instruction_pointer(regs) ((regs)->eip)

#endif
