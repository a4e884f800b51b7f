#!/bin/sh
# race.sh [SEED]: one card_test on each card at the same time, as the article's two processes
# (a.process on the first card, b.process on the second). The checks run it with many seeds.
#     sh race.sh 4
seed=${1:-1}
./card_test /dev/my_device0 4 "$seed" &
./card_test /dev/my_device4 4 "$seed" &
wait
