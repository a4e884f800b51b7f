#ifndef _LINUX_INIT_H
#define _LINUX_INIT_H
#define __init
#define __initdata
#define __exit
#define __initfunc(__arginit) __arginit
#endif
