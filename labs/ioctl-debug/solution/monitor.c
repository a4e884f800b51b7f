/*
 * monitor.c -- watches the driver from outside while it runs, through the VIEW_VARIABLE ioctl:
 * for each card, how many processes sleep until it answers, and how many wait their turn at
 * it. The article's author wrote one ("대기 중인 프로세스의 수를 확인하는 모니터링 프로그램")
 * with ncurses; this one prints a line per sample, like vmstat.
 *
 *     ./monitor [SAMPLES [INTERVAL_MS [DEVICE]]]
 *
 * Defaults: 50 samples, 100 ms apart, through /dev/my_device3 (a port load.sh leaves free:
 * each port opens once at a time).
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include "my_device.h"

static const char *direction(unsigned dir)
{
	static const char *names[] = { "none", "write", "read", "read/write" };
	return names[dir & 3];
}

int main(int argc, char **argv)
{
	int samples = argc > 1 ? atoi(argv[1]) : 50;
	int interval = argc > 2 ? atoi(argv[2]) : 100;
	const char *dev = argc > 3 ? argv[3] : "/dev/my_device3";
	int fd, i, card, value[2];

	fd = open(dev, O_RDWR);
	if (fd < 0) {
		perror(dev);
		return 1;
	}
	printf("VIEW_VARIABLE = 0x%08x: dir %u (%s), type %u, nr %u, size %u\n", (unsigned)VIEW_VARIABLE,
	       _IOC_DIR(VIEW_VARIABLE), direction(_IOC_DIR(VIEW_VARIABLE)), _IOC_TYPE(VIEW_VARIABLE),
	       _IOC_NR(VIEW_VARIABLE), _IOC_SIZE(VIEW_VARIABLE));
	printf("  time     card 0: asleep queued     card 1: asleep queued\n");
	for (i = 0; i < samples; i++) {
		if (i > 0)
			usleep(interval * 1000);
		printf("%6.2f s", i * interval / 1000.0);
		for (card = 0; card < MY_DEVICE_CARD_MAX; card++) {
			value[0] = card;
			if (ioctl(fd, VIEW_VARIABLE, value) < 0) {
				printf("\n");
				perror("ioctl VIEW_VARIABLE");
				return 1;
			}
			printf("  %15d %6d", value[0], value[1]);
		}
		printf("\n");
		fflush(stdout);
	}
	close(fd);
	return 0;
}
