/*
 * Automatically generated C config: don't edit
 */
#define AUTOCONF_INCLUDED
#define CONFIG_X86 1

/*
 * Code maturity level options
 */
#undef  CONFIG_EXPERIMENTAL

/*
 * Processor type and features
 */
#undef  CONFIG_M386
#undef  CONFIG_M486
#undef  CONFIG_M586
#undef  CONFIG_M586TSC
#define CONFIG_M686 1
#undef  CONFIG_MATH_EMULATION
#undef  CONFIG_SMP

/*
 * Loadable module support
 */
#define CONFIG_MODULES 1
#undef  CONFIG_MODVERSIONS
#undef  CONFIG_KMOD

/*
 * General setup
 */
#define CONFIG_NET 1
#define CONFIG_SYSVIPC 1
#define CONFIG_SYSCTL 1
#define CONFIG_BINFMT_ELF 1

/*
 * Character devices
 */
#define CONFIG_VT 1
#define CONFIG_VT_CONSOLE 1
#define CONFIG_SERIAL 1
#undef  CONFIG_SERIAL_CONSOLE
#undef  CONFIG_SERIAL_EXTENDED
#undef  CONFIG_SERIAL_NONSTANDARD
#define CONFIG_UNIX98_PTYS 1
#define CONFIG_UNIX98_PTY_COUNT (256)
#define CONFIG_RTC 1

/*
 * Kernel hacking
 */
#define CONFIG_MAGIC_SYSRQ 1
