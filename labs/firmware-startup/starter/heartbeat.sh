#!/bin/sh
# heartbeat.sh: the machine's uptime, ten times a second. Beside insmod it shows whether other
# processes still run while the driver waits:  sh heartbeat.sh & sudo insmod my_device.o
while true; do cat /proc/uptime; sleep 0.1; done
