#!/bin/sh
# stress.sh [SEED]: a bad day for the driver. Two card_tests on each card, and on each card a
# third that Ctrl-C (SIGINT) stops in the middle, three times over, so that the next command
# may find the card still answering the one left behind.
#     sh stress.sh 3
seed=${1:-1}
./card_test /dev/my_device0 8 "$seed" &
./card_test /dev/my_device1 8 "$seed" &
./card_test /dev/my_device4 8 "$seed" &
./card_test /dev/my_device5 8 "$seed" &
for delay in 0.03 0.05 0.07; do
	./card_test /dev/my_device2 50 "$seed" > /dev/null & sleep $delay; kill -INT $!
	./card_test /dev/my_device6 50 "$seed" > /dev/null & sleep $delay; kill -INT $!
done
wait
