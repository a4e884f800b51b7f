/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _LINUX_WAIT_H
#define _LINUX_WAIT_H
/* Wait queues arrive with the scheduler that can sleep inside C (step 3). */
#include <linux/types.h>
#endif
