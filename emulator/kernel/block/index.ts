// The block layer: the IDE disks found at boot, their partitions and device nodes, the buffer
// cache over them, sync and write-back. It is what the kernel object holds as `k.block`:
//
//   k.block.blockIo('hda1')   the BlockIo a disk file system mounts (buffer heads of 1 KiB);
//                             its close() at unmount
//   k.block.syncAll()         sync(2): every mounted file system's sync(), every dirty buffer,
//                             then FLUSH CACHE on the disks written to
//   k.block.syncDevice(bdev)  fsync of a block device; the number of buffers the disk refused
//   k.block.emergencySync()   SysRq-S: safe in interrupt context, the work runs in a worker
//   k.block.stats()           Buffers: and Dirty: of /proc/meminfo, in KiB
//
// The cache lives in the kernel object, which a reset rebuilds: dirty buffers die with it, and
// what reached the disk (hardware, outside the kernel) stays.
import type { Kernel } from '../kernel.js';
import { EINVAL, EIO, ENXIO, Errno } from '../errno.js';
import { type FileOperations, type Inode, type OpenFile, MKDEV, S_IFBLK, S_IFMT, isDir, isReg } from '../fs/types.js';
import type { Maybe } from '../maybe.js';
import type { BlockIo, BufferHead } from './blockio.js';
import { blkdevFileOps } from './blkdev.js';
import { BLOCK_SIZE, BufferCache, type BufferCacheLimits } from './buffer.js';
import { Gendisk, IDE0_MAJOR, msdosPartitions, procPartitions, type BlockDevice } from './genhd.js';
import { IDE0_HW, IdeError, IdeInterface, type IdeDrive } from './ide.js';
import { Writeback } from './writeback.js';

const isBlk = (mode: number) => (mode & S_IFMT) === S_IFBLK;

/** The group that owns disk device nodes (brw-rw---- root disk). */
export const DISK_GID = 6;

export class BlockLayer {
  readonly cache: BufferCache;
  readonly disks: Gendisk[] = [];
  /** Every block device by device number (disks and partitions). */
  readonly devices = new Map<number, BlockDevice>();
  readonly writeback: Writeback;
  private readonly drives = new Map<Gendisk, IdeDrive>();

  constructor(private readonly k: Kernel, limits: Partial<BufferCacheLimits> = {}) {
    this.writeback = new Writeback(k, this);
    this.cache = new BufferCache({
      now: () => k.clock.now,
      becameDirty: () => this.writeback.becameDirty(),
      report: (message) => k.printk(`\x014${message}\n`),
    }, limits);
  }

  /**
   * Boot: the IDE driver probes the primary channel; a disk found gets its partitions read
   * (printing what the personality's kernel prints) and its device nodes in /dev.
   */
  init(): void {
    const k = this.k;
    const modern = k.personality === 'modern';
    k.printk(`\x016Uniform Multi-Platform E-IDE driver${modern ? '' : ' Revision: 6.30'}\n`);
    k.printk('\x016ide: Assuming 33MHz system bus speed for PIO modes; override with idebus=xx\n');
    const ide = new IdeInterface(k, IDE0_HW);
    const drive = ide.probe();
    if (drive) {
      const disk = new Gendisk(drive.name, IDE0_MAJOR, 0, {
        capacity: drive.capacity,
        read: (lba, count, dev) => ide.read(lba, count, dev),
        write: (lba, data, dev) => ide.write(lba, data, dev),
        flush: (dev) => ide.flush(dev),
      });
      this.drives.set(disk, drive);
      this.disks.push(disk);
      this.devices.set(disk.whole.dev, disk.whole);
      const mb = modern ? Math.floor(drive.capacity * 512 / 1e6) : Math.floor(drive.capacity / 2048);
      if (modern) {
        k.printk(`\x016${drive.name}: max request size: 128KiB\n`);
        k.printk(`\x016${drive.name}: ${drive.capacity} sectors (${mb} MB) w/${drive.cacheKb}KiB Cache, CHS=${drive.cyls}/${drive.heads}/${drive.sects}\n`);
        k.printk(`\x016${drive.name}: cache flushes ${drive.flushSupported ? '' : 'not '}supported\n`);
      } else {
        k.printk(`\x016${drive.name}: ${drive.model}, ${mb}MB w/${drive.cacheKb}kB Cache, CHS=${drive.cyls}/${drive.heads}/${drive.sects}\n`);
        k.printk('\x016Partition check:\n');
      }
      this.rescanPartitions(disk);
    }
    this.writeback.registerSysctls();
  }

  /** /proc/partitions. */
  procPartitions(): string {
    return procPartitions(this.disks, this.k.personality);
  }

  /** The drive behind a disk (for HDIO_GETGEO). */
  driveOf(disk: Gendisk): IdeDrive | undefined {
    return this.drives.get(disk);
  }

  /** A block device by name ('hda1') or device number. */
  lookup(device: string | number): BlockDevice | undefined {
    if (typeof device === 'number') return this.devices.get(device);
    for (const b of this.devices.values()) if (b.name === device) return b;
    return undefined;
  }

  /**
   * The buffer-head interface a disk file system uses on a block device ('hda1', or its device
   * number): blocks of 1 KiB through the buffer cache. Throws Errno(ENXIO) for no such device.
   * The device counts as open until close() (a mounted file system holds its device open, so a
   * raw open and close of /dev/hda1 meanwhile is not the last close that writes back and forgets).
   */
  blockIo(device: string | number): BlockIo & { close(): void } {
    const bdev = this.lookup(device);
    if (!bdev) throw new Errno(ENXIO);
    bdev.openers++;
    let open = true;
    const cache = this.cache;
    const k = this.k;
    const blockCount = Math.floor(bdev.nrSects / 2);
    const inRange = (nr: number) => {
      if (Number.isInteger(nr) && nr >= 0 && nr < blockCount) return;
      // generic_make_request()'s complaint, then the request fails.
      k.printk('\x016attempt to access beyond end of device\n');
      k.printk(`\x016${bdev.name}: rw=0, want=${nr + 1}, limit=${blockCount}\n`);
      throw new Errno(EIO);
    };
    return {
      blockSize: BLOCK_SIZE,
      blockCount,
      bread: (nr: number): BufferHead => {
        inRange(nr);
        try {
          return cache.bread(bdev, nr);
        } catch (e) {
          if (e instanceof IdeError) throw new Errno(EIO);
          throw e;
        }
      },
      getblk: (nr: number): BufferHead => { inRange(nr); return cache.getblk(bdev, nr); },
      markDirty: (bh: BufferHead) => cache.markDirty(bh),
      syncBuffer: (bh: BufferHead) => { cache.syncBuffer(bh); },
      sync: () => { this.syncDevice(bdev); },
      close: () => {
        if (!open) return;
        open = false;
        bdev.openers--;
      },
    };
  }

  /** sync_blockdev() and a cache flush: the device's dirty buffers reach the medium. Returns how many the disk refused. */
  syncDevice(bdev: BlockDevice): number {
    const failed = this.cache.syncDevice(bdev);
    this.cache.flushDisks([bdev.disk]);
    return failed;
  }

  /** sync(2): each mounted file system writes its state into the cache, then every dirty buffer goes to its disk. */
  syncAll(): void {
    this.k.klogd?.flush();
    for (const sb of this.k.vfs.superBlocks()) sb.sync?.();
    this.cache.syncDevice();
    this.cache.flushDisks(this.disks);
  }

  /**
   * fsync(2) of an open file: the file's own fsync (a block device's), else for a regular file
   * or directory its file system's (syncfs). Anything else (a terminal, a pipe) has no fsync:
   * -EINVAL, as on Linux.
   */
  fsync(file: OpenFile): Maybe<number> {
    if (file.fops.fsync) return file.fops.fsync(file);
    if (!isReg(file.inode.mode) && !isDir(file.inode.mode)) return -EINVAL;
    return this.syncfs(file);
  }

  /**
   * syncfs(2): the file system the file is on writes what it holds into the cache (sync_fs),
   * then that device's dirty buffers go to the disk. -EIO if the disk refused some.
   */
  syncfs(file: OpenFile): number {
    const bdev = this.devices.get(isBlk(file.inode.mode) ? file.inode.rdev : file.inode.sb.dev);
    if (!isBlk(file.inode.mode)) file.inode.sb.sync?.();
    return bdev && this.syncDevice(bdev) ? -EIO : 0;
  }

  /** SysRq-S (see Writeback.emergencySync). */
  emergencySync(): void {
    this.writeback.emergencySync();
  }

  /** Buffers: and Dirty: of /proc/meminfo, in KiB. */
  stats(): { buffersKb: number; dirtyKb: number } {
    return { buffersKb: this.cache.size * (BLOCK_SIZE / 1024), dirtyKb: this.cache.dirtyCount * (BLOCK_SIZE / 1024) };
  }

  /** Opens a block device node: its file operations, or -ENXIO when no such device exists. */
  open(inode: Inode): FileOperations | number {
    const bdev = this.devices.get(inode.rdev);
    if (!bdev) return -ENXIO;
    return blkdevFileOps(this.k, this, bdev);
  }

  /**
   * rescan_partitions(): reads the DOS partition table of a disk through the cache, prints the
   * " hda: hda1" line and makes the partitions' devices and nodes. False (EBUSY) while one of the
   * disk's partitions is open.
   */
  rescanPartitions(disk: Gendisk): boolean {
    const k = this.k;
    if (disk.parts.slice(1).some((p) => p.openers > 0)) return false;
    for (const p of disk.parts.slice(1)) {
      this.cache.syncDevice(p);
      this.cache.invalidate(p);
      this.devices.delete(p.dev);
    }
    disk.parts = [disk.whole];
    let table: ReturnType<typeof msdosPartitions>;
    try {
      table = msdosPartitions(this.cache.bread(disk.whole, 0).data.subarray(0, 512));
    } catch (e) {
      if (!(e instanceof IdeError)) throw e;
      table = undefined;
    }
    // The partition table is read through the cache like any block; a later write of sector 0 must read it anew.
    let line = ` ${disk.name}:`;
    if (!table) line += ' unknown partition table';
    for (const p of table ?? []) {
      let size = p.size;
      if (p.start + size > disk.whole.nrSects) {
        // The modern kernel truncates a partition that runs past the end of the disk; 2.2 took it as it was.
        if (k.personality === 'modern') {
          k.printk(`\x014${disk.name}: p${p.partno} size ${size} extends beyond EOD, truncated\n`);
          size = Math.max(0, disk.whole.nrSects - p.start);
        }
      }
      const part = disk.device(p.partno, p.start, size);
      disk.parts.push(part);
      this.devices.set(part.dev, part);
      line += ` ${part.name}`;
    }
    k.printk(`\x016${line}\n`);
    // The modern kernel read the table through a block device it then closed (kill_bdev): nothing stays cached.
    if (k.personality === 'modern' && disk.whole.openers === 0) this.cache.invalidate(disk.whole);
    this.makeNodes(disk);
    return true;
  }

  /** /dev/hda, /dev/hda1...: brw-rw---- root disk, as udev makes them (2.2's static /dev has them from MAKEDEV). */
  private makeNodes(disk: Gendisk): void {
    const dev = this.k.deviceDirectory();
    if (!dev) return;
    const ops = dev.dirOps!;
    for (const { name } of ops.list(dev)) {
      if (name.startsWith(disk.name) && !disk.parts.some((p) => p.name === name)) ops.unlink?.(dev, name);
    }
    for (const part of disk.parts) {
      if (ops.lookup(dev, part.name)) continue;
      ops.create!(dev, part.name, S_IFBLK | 0o660, 0, DISK_GID, MKDEV(IDE0_MAJOR, disk.firstMinor + part.partno));
    }
  }
}
