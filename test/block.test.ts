// The hard disk from the kernel's side, end to end through the shell: the IDE driver's boot
// messages and /proc files, /dev/hda and /dev/hda1 read and written through the buffer cache,
// dirty data that reaches the disk only on sync, fsync, write-back after 30 s (kupdate in 2.2,
// the writeback worker in the modern kernel) or the modern kernel's last close, a reset that
// loses what was still dirty, SysRq-S's emergency sync, an I/O error reported as Linux reports
// it, and the disk image on the host outliving the machine. The machines boot the rescue system
// (its root in RAM), so that the disk is theirs to read and write raw.
import { describe, expect, it } from 'vitest';
import * as path from 'node:path';
import { Machine, type MachineConfig } from '../emulator/machine.js';
import { createNodeHost } from '../main/host/node-host.js';
import { MemoryDisk } from '../emulator/hw/disk/memory-disk.js';
import { newMemoryDisk, writeInstalledPartitionTable, ROOT_PARTITION_START } from '../emulator/disk.js';
import { openHardDisk } from '../main/host/disk-image.js';
import { Errno } from '../emulator/kernel/errno.js';
import { runSh as runShOn, tempWorkspace } from './helpers/machine.js';

/** runSh on a machine that boots the rescue system: the hard disk is not its root. */
const runSh = (script: string, opts: Parameters<typeof runShOn>[1] = {}) => runShOn(script, { ...opts, config: { rescue: true, ...opts.config } });

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes).replace(/\0+$/, '');
/** What the disk itself holds at the start of hda1 (not what the kernel caches). */
const onDisk = (disk: MemoryDisk, bytes = 32) => text(disk.readSectors(ROOT_PARTITION_START, 1).subarray(0, bytes));
const dmesg = (m: Machine) => m.kernel.log.read().map((r) => r.text).join('\n');

/** A machine on `disk` that can run several scripts, survive resets, and have things happen at set virtual times. */
function machineOn(config: MachineConfig) {
  let out = '';
  const machine = new Machine(createNodeHost({ workspace: tempWorkspace() }), { rescue: true, showBoot: false, ...config }, (t) => { out += t; });
  machine.boot();
  machine.endInput();
  return {
    machine,
    /** Runs `script`; `at` maps virtual seconds (from now) to things that happen then. */
    async run(script: string, at: Record<number, () => void> = {}) {
      for (const [s, f] of Object.entries(at)) machine.clock.schedule(machine.clock.now + Number(s) * 1e9, f);
      out = '';
      const status = await machine.runShell(script);
      return { status, output: out.replace(/\r\n/g, '\n') };
    },
  };
}

describe('the IDE disk at boot', () => {
  it('modern: hda is found, its partition read; /proc/partitions, /dev nodes, ioports and IRQ 14', async () => {
    const { output, machine } = await runSh('cat /proc/partitions; ls -l /dev/hda /dev/hda1; grep ide0 /proc/ioports; grep ide0 /proc/interrupts');
    expect(dmesg(machine)).toContain([
      'Uniform Multi-Platform E-IDE driver',
      'ide: Assuming 33MHz system bus speed for PIO modes; override with idebus=xx',
      'hda: DRIVERLAB HARDDISK, ATA DISK drive',
      'ide0 at 0x1f0-0x1f7,0x3f6 on irq 14',
      'hda: max request size: 128KiB',
      'hda: 65536 sectors (33 MB) w/256KiB Cache, CHS=65/16/63',
      'hda: cache flushes supported',
      ' hda: hda1',
      'VFS: Mounted root (ramfs filesystem) on device 0:1.',
    ].join('\n'));
    expect(output.startsWith('major minor  #blocks  name\n\n   3        0      32768 hda\n   3        1      31744 hda1\n')).toBe(true);
    expect(output).toContain('brw-rw---- 1 root disk 3, 0 Jan 15 10:30 /dev/hda\nbrw-rw---- 1 root disk 3, 1 Jan 15 10:30 /dev/hda1\n');
    expect(output).toContain('01f0-01f7 : ide0\n03f6-03f6 : ide0\n');
    expect(output).toMatch(/ 14: +[1-9]\d* +0 +XT-PIC +ide0\n/);
  });

  it('2.2: the 1998 messages and "Partition check:"', async () => {
    const { output, machine } = await runSh('cat /proc/partitions', { config: { personality: '2.2' } });
    expect(dmesg(machine)).toContain([
      'Uniform Multi-Platform E-IDE driver Revision: 6.30',
      'ide: Assuming 33MHz system bus speed for PIO modes; override with idebus=xx',
      'hda: DRIVERLAB HARDDISK, ATA DISK drive',
      'ide0 at 0x1f0-0x1f7,0x3f6 on irq 14',
      'hda: DRIVERLAB HARDDISK, 32MB w/256kB Cache, CHS=65/16/63',
      'Partition check:',
      ' hda: hda1',
    ].join('\n'));
    expect(output).toBe('major minor  #blocks  name\n\n   3     0      32768 hda\n   3     1      31744 hda1\n');
  });

  it('a disk without a partition table, and a machine whose disk is blank, say so', async () => {
    const { machine, output } = await runSh('cat /proc/partitions; ls /dev/hda1', { config: { disk: new MemoryDisk(8192) } });
    expect(dmesg(machine)).toContain(' hda: unknown partition table');
    expect(output).toContain('   3        0       4096 hda\nls: cannot access \'/dev/hda1\': No such file or directory\n');
  });
});

describe('2.2: the buffer cache and kupdate', () => {
  it('a write to /dev/hda1 stays dirty in the cache; kupdate writes it once it is 30 s old', async () => {
    const disk = newMemoryDisk();
    const seen: Record<string, string> = {};
    const m = machineOn({ personality: '2.2', disk });
    const r = await m.run('echo hello disk | sudo dd of=/dev/hda1 status=none; grep Dirty /proc/meminfo; sudo dd if=/dev/hda1 bs=11 count=1 status=none; sleep 40; grep Dirty /proc/meminfo; ps ax', {
      25: () => { seen.at25 = onDisk(disk); },
      36: () => { seen.at36 = onDisk(disk); },
    });
    expect(r.status).toBe(0);
    expect(r.output).toMatch(/^Dirty: +1 kB\nhello disk\nDirty: +0 kB\n/);
    expect(r.output).toMatch(/\n +7 \? +00:00:00 \[kflushd\]\n +8 \? +00:00:00 \[kupdate\]\n/);
    expect(seen).toEqual({ at25: '', at36: 'hello disk\n' });
  });

  it('a reset before the write-back loses the write; one after sync, or after kupdate, keeps it', async () => {
    const disk = newMemoryDisk();
    const m = machineOn({ personality: '2.2', disk });
    const reset = () => m.machine.sysrq('b');
    const write = (word: string, then: string) => `echo ${word} | sudo dd of=/dev/hda1 conv=notrunc status=none; ${then}; sleep 100`;
    const read = 'sudo dd if=/dev/hda1 bs=5 count=1 status=none';

    // The reset cuts the script's last command: the script is over once the machine is back up (status 0).
    expect((await m.run(write('first', 'true'), { 10: reset })).status).toBe(0);
    expect((await m.run(read)).output).toBe('\0\0\0\0\0');
    expect(onDisk(disk)).toBe('');

    expect((await m.run(write('sync1', 'sync'), { 10: reset })).status).toBe(0);
    expect((await m.run(read)).output).toBe('sync1');

    expect((await m.run(write('later', 'true'), { 40: reset })).status).toBe(0);
    expect((await m.run(read)).output).toBe('later');
    expect(dmesg(m.machine)).not.toContain('later');
  });

  it('SysRq-S\'s emergency sync runs in kflushd: only mounted disk file systems, then "Done."', async () => {
    const m = machineOn({ personality: '2.2' });
    const r = await m.run('echo x | sudo dd of=/dev/hda1 status=none; sleep 2; grep Dirty /proc/meminfo', { 1: () => m.machine.kernel.block.emergencySync() });
    // No file system is mounted on the disk, so 2.2 syncs nothing (as do_emergency_sync() did).
    expect(r.output).toBe('Dirty:                 1 kB\n');
    expect(dmesg(m.machine)).toMatch(/\nDone\.$/);
  });
});

describe('modern: last close, the writeback worker, sync and fsync', () => {
  it('the last close of /dev/hda1 writes it back and forgets the cache', async () => {
    const disk = newMemoryDisk();
    const { output } = await runSh('echo closed | sudo dd of=/dev/hda1 status=none; grep -E "Buffers|Dirty" /proc/meminfo', { config: { disk } });
    expect(output).toBe('Buffers:               0 kB\nDirty:                 0 kB\n');
    expect(onDisk(disk)).toBe('closed\n');
    expect(disk.flushes).toBeGreaterThan(0);
  });

  it('held open, a write stays dirty until the writeback worker finds it 30 s old', async () => {
    const disk = newMemoryDisk();
    const seen: Record<string, string> = {};
    const m = machineOn({ disk });
    const r = await m.run('sudo sh -c "exec 3>/dev/hda1; echo kept >&3; grep Dirty /proc/meminfo; sleep 29; grep Dirty /proc/meminfo; sleep 3; grep Dirty /proc/meminfo; ps ax"', {
      20: () => { seen.at20 = onDisk(disk); },
    });
    expect(r.output).toMatch(/^Dirty: +1 kB\nDirty: +1 kB\nDirty: +0 kB\n/);
    // The writeback workqueue's rescuer, as ps shows it on Linux.
    expect(r.output).toMatch(/\n +\d+ \? +00:00:00 \[writeback\]\n/);
    expect(seen.at20).toBe('');
    expect(onDisk(disk)).toBe('kept\n');
  });

  it('a reset loses what is still dirty; the disk keeps what was written', async () => {
    const disk = newMemoryDisk();
    const m = machineOn({ disk });
    // The reset cuts the script's last command: the script is over once the machine is back up (status 0).
    expect((await m.run('sudo sh -c "exec 3>/dev/hda1; echo gone >&3; sleep 100"', { 5: () => m.machine.sysrq('b') })).status).toBe(0);
    expect(onDisk(disk)).toBe('');
    expect((await m.run('sudo dd if=/dev/hda1 bs=4 count=1 status=none')).output).toBe('\0\0\0\0');
  });

  it('/proc/meminfo Dirty and free\'s buff/cache go up with writes and Dirty back to 0 with sync', async () => {
    const { output } = await runSh('sudo sh -c "exec 3>/dev/hda1; dd if=/dev/zero bs=1k count=100 >&3 2>/dev/null; grep -E \'^(Buffers|Dirty)\' /proc/meminfo; free; sync; grep Dirty /proc/meminfo"');
    expect(output).toBe([
      'Buffers:             100 kB',
      'Dirty:               100 kB',
      '               total        used        free      shared  buff/cache   available',
      'Mem:          262144       24576      212892           0       24676      237568',
      'Swap:              0           0           0',
      'Dirty:                 0 kB',
      '',
    ].join('\n'));
  });

  it('SysRq-S queues do_sync_work on a worker, which writes everything and says "Emergency Sync complete"', async () => {
    const disk = newMemoryDisk();
    const m = machineOn({ disk });
    const r = await m.run('sudo sh -c "exec 3>/dev/hda1; echo saved >&3; sleep 2; grep Dirty /proc/meminfo"', { 1: () => m.machine.kernel.block.emergencySync() });
    expect(r.output).toBe('Dirty:                 0 kB\n');
    expect(dmesg(m.machine)).toContain('Emergency Sync complete');
    expect(onDisk(disk)).toBe('saved\n');
  });

  it('sync(2) and fsync(2) from a C program', async () => {
    const disk = newMemoryDisk();
    const files = {
      'syncer.c': `#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static void dirty(const char *when)
{
	char line[128];
	FILE *f = fopen("/proc/meminfo", "r");
	while (fgets(line, sizeof line, f))
		if (strncmp(line, "Dirty:", 6) == 0)
			printf("%s %s", when, line);
	fclose(f);
}

int main(void)
{
	int fd = open("/dev/hda1", O_RDWR);
	if (fd < 0) { perror("open /dev/hda1"); return 1; }
	write(fd, "fsync", 5);
	dirty("written");
	if (fsync(fd) < 0) perror("fsync");
	dirty("fsync");
	lseek(fd, 4096, SEEK_SET);
	write(fd, "sync", 4);
	dirty("written");
	sync();
	dirty("sync");
	if (fsync(1) < 0) perror("fsync of a terminal");
	close(fd);
	return 0;
}
` };
    const { output, status } = await runSh('gcc -o syncer syncer.c && ./syncer; sudo ./syncer', { files, config: { disk } });
    expect(status).toBe(0);
    expect(output).toBe([
      'open /dev/hda1: Permission denied',
      'written Dirty:                 1 kB',
      'fsync Dirty:                 0 kB',
      'written Dirty:                 1 kB',
      'sync Dirty:                 0 kB',
      'fsync of a terminal: Invalid argument',
      '',
    ].join('\n'));
    expect(text(disk.readSectors(ROOT_PARTITION_START + 8, 1).subarray(0, 4))).toBe('sync');
  });
});

describe('block devices from user space', () => {
  it('dd reads and writes at any offset, stops at the end of the device, prints GNU dd\'s counts', async () => {
    const { output } = await runSh([
      'printf abcdefgh | sudo dd of=/dev/hda1 bs=1 seek=1000 status=none',
      'sudo dd if=/dev/hda1 bs=4 skip=250 count=2',
      'sudo dd if=/dev/zero of=/dev/hda1 bs=1k seek=31743 count=3; echo "status $?"',
      'dd if=/dev/hda1 count=1; dd if=/nonexistent',
      'sudo dd if=/dev/hda bs=1k count=1 status=none | wc -c',
    ].join('; '));
    // The times are the machine's (virtual) time: the same on every run.
    const times = /copied, [\d.e-]+ s, [\d.]+ [kM]?B\/s$/gm;
    expect(output.replace(times, 'copied, T s, R/s')).toBe([
      'abcdefgh2+0 records in',
      '2+0 records out',
      '8 bytes copied, T s, R/s',
      'dd: error writing \'/dev/hda1\': No space left on device',
      '2+0 records in',
      '1+0 records out',
      '1024 bytes (1.0 kB, 1.0 KiB) copied, T s, R/s',
      'status 1',
      'dd: failed to open \'/dev/hda1\': Permission denied',
      'dd: failed to open \'/nonexistent\': No such file or directory',
      '1024',
      '',
    ].join('\n'));
  });

  it('ioctls: BLKGETSIZE, BLKGETSIZE64, BLKSSZGET, HDIO_GETGEO; ENOTTY for the rest', async () => {
    const files = {
      'geo.c': `#include <fcntl.h>
#include <stdio.h>
#include <stdint.h>
#include <sys/ioctl.h>

struct hd_geometry { unsigned char heads, sectors; unsigned short cylinders; unsigned long start; };

int main(void)
{
	unsigned long sectors; uint64_t bytes; int ssz; struct hd_geometry g;
	int fd = open("/dev/hda1", O_RDONLY);
	ioctl(fd, 0x1260, &sectors);
	ioctl(fd, _IOR(0x12, 114, size_t), &bytes);
	ioctl(fd, 0x1268, &ssz);
	ioctl(fd, 0x0301, &g);
	printf("%lu sectors, %llu bytes, %d-byte sectors, CHS %u/%u/%u from %lu\\n", sectors, (unsigned long long)bytes, ssz, g.cylinders, g.heads, g.sectors, g.start);
	if (ioctl(fd, 0x5401, 0) < 0) perror("TCGETS");
	return 0;
}
` };
    const { output } = await runSh('gcc -o geo geo.c && sudo ./geo', { files });
    expect(output).toBe('63488 sectors, 32505856 bytes, 512-byte sectors, CHS 65/16/63 from 2048\nTCGETS: Inappropriate ioctl for device\n');
  });

  it('an I/O error: 2.2 reads past the disk\'s end through a partition that claims more, and reports it as 2.2 did', async () => {
    const disk = new MemoryDisk(65536);
    writeInstalledPartitionTable(disk);
    const mbr = disk.readSectors(0, 1);
    new DataView(mbr.buffer).setUint32(0x1be + 12, 70000, true);
    disk.writeSectors(0, mbr);
    const { output, machine } = await runSh('grep hda1 /proc/partitions; sudo dd if=/dev/hda1 of=/dev/null bs=1k skip=33000 count=1 status=none', { config: { personality: '2.2', disk } });
    expect(output).toBe('   3     1      35000 hda1\ndd: error reading \'/dev/hda1\': Input/output error\n');
    expect(dmesg(machine)).toContain([
      'hda: read_intr: status=0x51 { DriveReady SeekComplete Error }',
      'hda: read_intr: error=0x10 { SectorIdNotFound }, LBAsect=68048, sector=68048',
      'end_request: I/O error, dev 03:01 (hda), sector 68048',
    ].join('\n'));
    // The modern kernel trims the partition to the disk instead.
    const modern = await runSh('grep hda1 /proc/partitions', { config: { disk } });
    expect(modern.output).toBe('   3        1      31744 hda1\n');
    expect(dmesg(modern.machine)).toContain('hda: p1 size 70000 extends beyond EOD, truncated');
  });

  it('a drive left busy (SRST held by someone poking 0x3f6) times out after 30 s; the driver resets it and goes on', async () => {
    const m = machineOn({});
    const machine = m.machine;
    machine.bus.write(0x3f6, 0x04, 1);
    const wall = Date.now();
    const r = await m.run('sudo dd if=/dev/hda1 of=/dev/null count=1 status=none; echo "status $?"; sudo dd if=/dev/hda1 of=/dev/null count=1 status=none && echo recovered');
    expect(r.output).toMatch(/dd: error reading '\/dev\/hda1': Input\/output error\nstatus 1\nrecovered\n$/);
    expect(dmesg(machine)).toContain([
      'hda: status timeout: status=0x80 { Busy }',
      'ide0: reset: success',
      'I/O error, dev hda, sector 2048 op 0x0:(READ) flags 0x0 phys_seg 1 prio class 2',
    ].join('\n'));
    // The 30 s are the machine's: polling slows down, so the host spends little on them.
    expect(machine.clock.now).toBeGreaterThan(30e9);
    expect(Date.now() - wall).toBeLessThan(20_000);
  });

  it('free in 2.2 has procps 2.0\'s columns', async () => {
    const { output } = await runSh('free', { config: { personality: '2.2' } });
    expect(output).toBe([
      '             total       used       free     shared    buffers     cached',
      'Mem:        262144      49153     212991          0          1      24576',
      '-/+ buffers/cache:      24576     237568',
      'Swap:            0          0          0',
      '',
    ].join('\n'));
  });
});

describe('BlockIo for a file system (k.block.blockIo)', () => {
  it('bread, markDirty and sync go through the cache to the disk; blocks past the end are refused', async () => {
    const disk = newMemoryDisk();
    const { machine } = await runSh('true', { config: { disk } });
    const k = machine.kernel;
    const io = k.block.blockIo('hda1');
    expect([io.blockSize, io.blockCount]).toEqual([1024, 31744]);
    const bh = io.bread(1);
    bh.data.set(new TextEncoder().encode('superblock'));
    io.markDirty(bh);
    expect(io.bread(1)).toBe(bh);
    expect(k.block.stats().dirtyKb).toBe(1);
    expect(text(disk.readSectors(ROOT_PARTITION_START + 2, 1))).toBe('');
    io.syncBuffer(bh);
    expect(text(disk.readSectors(ROOT_PARTITION_START + 2, 1))).toBe('superblock');
    const whole = io.getblk(5);
    whole.data.fill(0x41);
    io.markDirty(whole);
    io.sync();
    expect(k.block.stats().dirtyKb).toBe(0);
    expect(disk.readSectors(ROOT_PARTITION_START + 11, 1)[511]).toBe(0x41);
    // A mounted file system holds the device open: a raw open and close leaves its dirty buffers alone.
    const again = io.bread(2);
    io.markDirty(again);
    await machine.runShell('sudo dd if=/dev/hda1 of=/dev/null count=1 status=none');
    expect(k.block.stats().dirtyKb).toBe(1);
    io.close();
    await machine.runShell('sudo dd if=/dev/hda1 of=/dev/null count=1 status=none');
    expect(k.block.stats().dirtyKb).toBe(0);
    expect(() => io.bread(31744)).toThrow(Errno);
    expect(dmesg(machine)).toContain('attempt to access beyond end of device\nhda1: rw=0, want=31745, limit=31744');
    expect(() => k.block.blockIo('hdb1')).toThrow(Errno);
  });
});

describe('the disk image on the host', () => {
  it('what a machine synced to its disk image is there for the next machine (an app restart)', async () => {
    const home = tempWorkspace();
    const open = () => openHardDisk(home);
    const first = open();
    const a = await runSh('echo persistent | sudo dd of=/dev/hda1 status=none; sync', { config: { disk: first } });
    expect(a.status).toBe(0);
    first.close();
    const second = open();
    const b = await runSh('cat /proc/partitions | grep hda1; sudo dd if=/dev/hda1 bs=11 count=1 status=none', { config: { disk: second } });
    second.close();
    expect(b.output).toBe('   3        1      31744 hda1\npersistent\n');
    expect(path.basename(second.imagePath)).toBe('hda.img');
  });
});
