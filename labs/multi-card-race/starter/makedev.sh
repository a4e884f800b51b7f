#!/bin/sh
# makedev.sh: my_device's special files for two cards, minor = card * 4 + port. Run it as root:
#     sudo sh makedev.sh
for minor in 0 1 2 3 4 5 6 7; do
	mknod /dev/my_device$minor c 125 $minor
done
chmod 666 /dev/my_device?
