// A machine's hard disk looked at from outside, with the machine off (or between its runs): what
// a drill scores after the learner's recovery (are the notes under /home/user still there?) and
// what a test checks after a crash (is the file system whole?). Nothing here writes to the disk:
// the file system is mounted read-only on buffers that are never written back, and e2fsck runs
// with -n, so the next boot finds the disk exactly as the machine left it (and fscks it itself).
import type { DiskBacking } from './host.js';
import { SECTOR_SIZE } from './host.js';
import { ROOT_PARTITION_START } from './disk.js';
import { firstPartitionStart } from './boot/boot-record.js';
import { DiskBlockIo } from './installer.js';
import { Ext2Fs, e2fsck, type E2fsckResult } from './kernel/fs/ext2/index.js';
import { MKDEV, isDir, type Inode } from './kernel/fs/types.js';
import type { Ext2Inode } from './kernel/fs/ext2/inode.js';

const BLOCK_SIZE = 1024;

/** hda1 of `disk` as a block device of its own (its start from the partition table). */
function rootPartition(disk: DiskBacking): DiskBlockIo {
  const start = firstPartitionStart(disk.readSectors(0, 1)) ?? ROOT_PARTITION_START;
  return new DiskBlockIo(disk, start, Math.floor((disk.sectorCount - start) * SECTOR_SIZE / BLOCK_SIZE));
}

const OFFLINE = { now: () => 0, toUser: () => 0, fromUser: () => undefined };

/**
 * The contents of the regular file `path` (absolute, no symlinks followed) on hda1 of `disk`, as
 * the disk holds it now: what a reboot would find, not what a running machine still caches.
 * undefined when it is not there (or hda1 holds no ext2).
 */
export function readDiskFile(disk: DiskBacking, path: string): Uint8Array | undefined {
  let fs: Ext2Fs;
  try {
    fs = new Ext2Fs(rootPartition(disk), OFFLINE, () => undefined, MKDEV(3, 1), { deviceName: 'hda1', readOnly: true });
  } catch {
    return undefined;
  }
  let inode: Inode | undefined = fs.root;
  for (const name of path.split('/').filter(Boolean)) {
    if (!inode || !isDir(inode.mode)) return undefined;
    inode = inode.dirOps!.lookup(inode, name);
  }
  if (!inode || isDir(inode.mode)) return undefined;
  const file = inode as Ext2Inode;
  return file.readData(0, file.size());
}

/** readDiskFile as text (UTF-8). */
export function readDiskText(disk: DiskBacking, path: string): string | undefined {
  const bytes = readDiskFile(disk, path);
  return bytes && new TextDecoder().decode(bytes);
}

/**
 * e2fsck -fn /dev/hda1 on `disk` as it is now (nothing is changed): its output and exit status
 * (0: the file system is whole; 4: errors left uncorrected, which the next boot's fsck would fix).
 * With force: false it is e2fsck -n, which says "clean" and stops if the superblock says so, or
 * why it checks ("was not cleanly unmounted, check forced.").
 */
export function checkDisk(disk: DiskBacking, opts: { force?: boolean; nowSeconds?: number } = {}): E2fsckResult {
  return e2fsck(rootPartition(disk), { mode: 'no', force: opts.force ?? true, deviceName: '/dev/hda1', now: opts.nowSeconds ?? 0 });
}
