#!/bin/sh
# load.sh: keeps the cards busy: three processes on card 0 (ports 0-2), one on card 1.
# Watch it with the monitor:
#     sh load.sh & ./monitor 20
./card_test /dev/my_device0 8 &
./card_test /dev/my_device1 8 &
./card_test /dev/my_device2 8 &
./card_test /dev/my_device4 8 &
wait
