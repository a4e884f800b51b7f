# oops-hunt: the driver is built and loaded, /dev/my_device0-3 made, a message left on port 0.
cd /home/lab
make -s || exit 1
insmod my_device.ko || exit 1
for i in 0 1 2 3; do mknod -m 666 /dev/my_device$i c 125 $i; done
echo "port 0 works" > /dev/my_device0
cat /dev/my_device0
