#!/bin/sh
# test.sh: the same test for both kernels. In the lab's machine (`driverlab start version-compat`,
# or with `--kernel 2.2`):
#     sudo sh test.sh
# It builds the driver for the running kernel, loads it, makes the device files, runs card_test
# on two ports at once, and unloads the driver.
uname -r
make clean > /dev/null
make > /dev/null || exit 1
gcc -o card_test card_test.c || exit 1
insmod my_device.ko || exit 1
for minor in 0 1 2 3; do
	mknod /dev/my_device$minor c 125 $minor 2>/dev/null
done
chmod 666 /dev/my_device?
./card_test /dev/my_device0 5 &
./card_test /dev/my_device1 5 &
wait
rmmod my_device
