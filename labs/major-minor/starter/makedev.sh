#!/bin/sh
# makedev.sh: my_device's special files, as the article makes them. Run it as root:
#     sudo sh makedev.sh
#
# TODO 1: make the character special files /dev/my_device0 ... /dev/my_device3 for major 125
#         and minors 0 to 3 (mknod NAME c MAJOR MINOR), then give them to root.root with
#         mode 660 (chown, chmod).
