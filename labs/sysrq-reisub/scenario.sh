# sysrq-reisub: a driver whose read never returns (blocker), and notes under /home/user that are
# only in memory: this machine writes dirty data back after an hour (laptop-mode style), not 30 s.
cd /home/lab
make -s || exit 1
insmod blocker.ko || exit 1
mknod -m 666 /dev/blocker c 203 0
echo 360000 > /proc/sys/vm/dirty_expire_centisecs
cat > /home/user/notes.txt <<'EOF'
Lab notebook, Sunday
- boot-params: ints[0] is the count; lilo after every lilo.conf edit
- mailbox-irq: ACK every interrupt, the READY news too
- TODO: ask why the blocker driver never wakes its readers
EOF
chown user:user /home/user/notes.txt
echo "notes written: $(wc -c < /home/user/notes.txt) bytes, not yet on the disk"
