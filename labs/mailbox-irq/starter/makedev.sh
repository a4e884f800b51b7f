#!/bin/sh
# makedev.sh: the special files of card 0's four ports, as the article makes them (lab 3).
# Run it as root: sudo sh makedev.sh
for minor in 0 1 2 3; do
	mknod /dev/my_device$minor c 125 $minor
done
chown root:root /dev/my_device?
chmod 666 /dev/my_device?	# everyone may use the ports in this lab
