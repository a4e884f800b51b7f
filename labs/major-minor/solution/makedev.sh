#!/bin/sh
# makedev.sh: my_device's special files, as the article makes them. Run it as root:
#     sudo sh makedev.sh
mknod /dev/my_device0 c 125 0
mknod /dev/my_device1 c 125 1
mknod /dev/my_device2 c 125 2
mknod /dev/my_device3 c 125 3
chown root.root /dev/my_device?
chmod 660 /dev/my_device?
