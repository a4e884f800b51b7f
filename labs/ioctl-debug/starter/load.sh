#!/bin/sh
# load.sh: keeps the cards busy for about a second: three writers on card 0 (ports 0 to 2), one
# on card 1 (port 4), each writing a line twelve times.
for port in 0 1 2 4; do
	(
		for i in 1 2 3 4 5 6 7 8 9 10 11 12; do
			echo "line $i for port $port" > /dev/my_device$port
		done
	) &
done
wait
