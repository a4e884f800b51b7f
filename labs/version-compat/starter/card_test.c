/*
 * card_test.c -- the same test for both kernels: the card's status through the driver's ioctl,
 * then messages sent out of a port and read back (every port has a loopback plug).
 *
 *     ./card_test DEVICE [ROUNDS [SEED]]
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>

#define MY_DEVICE_MAJOR 125
#define MY_DEVICE_GET_STATUS _IOR(MY_DEVICE_MAJOR, 1, int)

int main(int argc, char **argv)
{
	const char *dev = argc > 1 ? argv[1] : "/dev/my_device0";
	int rounds = argc > 2 ? atoi(argv[2]) : 10;
	unsigned seed = (argc > 3 ? atoi(argv[3]) : 1) * 7919u + dev[strlen(dev) - 1];
	const char *name = strrchr(dev, '/') ? strrchr(dev, '/') + 1 : dev;
	static char msg[4096], got[4096];
	int fd, i, status;

	fd = open(dev, O_RDWR);
	if (fd < 0) {
		perror(dev);
		return 1;
	}
	if (ioctl(fd, MY_DEVICE_GET_STATUS, &status) < 0) {
		printf("%s: MY_DEVICE_GET_STATUS failed (%s)\n", name, strerror(errno));
		return 1;
	}
	printf("%s: card status 0x%02x%s%s\n", name, status, status & 0x10 ? " EXIST" : "", status & 0x01 ? " READY" : "");
	for (i = 1; i <= rounds; i++) {
		ssize_t n;
		int len, extra;

		seed = seed * 1103515245u + 12345u;
		len = sprintf(msg, "%s message %d ", name, i);
		for (extra = (seed >> 16) % 1000; extra > 0; extra--, len++)
			msg[len] = 'a' + (len + i) % 26;
		n = write(fd, msg, len);
		if (n != len) {
			printf("%s: message %d: write returned %zd, not %d", name, i, n, len);
			if (n < 0)
				printf(" (%s)", strerror(errno));
			printf("\n");
			return 1;
		}
		n = read(fd, got, sizeof(got));
		if (n < 0) {
			printf("%s: message %d: read failed (%s)\n", name, i, strerror(errno));
			return 1;
		}
		if (n != len || memcmp(got, msg, len)) {
			printf("%s: message %d came back as \"%.24s...\" (%zd bytes), not \"%.24s...\" (%d bytes)\n",
			       name, i, n > 0 ? got : "", n, msg, len);
			return 1;
		}
	}
	printf("%s: %d messages came back\n", name, rounds);
	return 0;
}
