// The distribution's installer. A machine's hard disk that holds no system yet (no partition
// table, or no file system on hda1) is installed on its first power-on, as an installer would:
// the partition table, mke2fs on hda1, the system's files (userland/install.ts) written through
// the kernel's ext2, and LILO's boot record from the same map lilo makes (the sectors of
// /boot/vmlinuz on the disk).
//
// Installing is done once per process for each personality and disk size: the result is a
// frozen image (the "golden" disk), and a fresh machine gets a copy-on-write view of it, which
// costs nothing until the machine writes. A disk the installer is asked to fill (a new disk image
// on the host, a blank memory disk) gets the golden image's sectors.
import type { DiskBacking, Host } from './host.js';
import { SECTOR_SIZE } from './host.js';
import { DEFAULT_DISK_SECTORS, ROOT_PARTITION_START, writeInstalledPartitionTable } from './disk.js';
import { CHUNK_BYTES, MemoryDisk, type DiskSnapshot } from './hw/disk/memory-disk.js';
import { CopyOnWriteDisk } from './hw/disk/cow-disk.js';
import { VirtualClock } from './hw/clock.js';
import { IoPortBus } from './hw/ioport-bus.js';
import { DualPic } from './hw/intc/i8259.js';
import { IsaMemory } from './hw/isa-memory.js';
import { Kernel, type Personality } from './kernel/kernel.js';
import { ModuleLoader } from './kernel/module.js';
import type { BlockIo, BufferHead } from './kernel/block/blockio.js';
import { Ext2Fs, EXT2_SUPER_MAGIC, mke2fs } from './kernel/fs/ext2/index.js';
import { kernelWriteFile } from './kernel/fs/kernel-io.js';
import { MKDEV } from './kernel/fs/types.js';
import { DiskBootArea, encodeBootRecord, extentsOf, firstPartitionStart } from './boot/boot-record.js';
import { installedBootTable, KERNEL_PATH } from './boot/installed.js';
import { installSystem } from './userland/install.js';

const BLOCK_SIZE = 1024;
const SECTORS_PER_BLOCK = BLOCK_SIZE / SECTOR_SIZE;
/** Where ext2 keeps the magic number: byte 56 of the superblock, which starts 1024 bytes into the partition. */
const SUPERBLOCK_SECTOR = 2;
const MAGIC_OFFSET = 56;

const goldens = new Map<string, DiskSnapshot>();

/**
 * The installed system of `personality` on a disk of `sectors` sectors, built on first use in this
 * process (installed at `epochMs`, the machine's wall clock when its clock reads 0).
 */
export function goldenImage(host: Host, personality: Personality, epochMs: number, sectors = DEFAULT_DISK_SECTORS): DiskSnapshot {
  const key = `${personality} ${sectors} ${epochMs}`;
  let image = goldens.get(key);
  if (!image) {
    image = buildGoldenImage(host, personality, epochMs, sectors);
    goldens.set(key, image);
  }
  return image;
}

/** A fresh installed disk for one machine: its own copy-on-write view of the golden image. */
export function installedDisk(host: Host, personality: Personality, epochMs: number, sectors = DEFAULT_DISK_SECTORS): CopyOnWriteDisk {
  return new CopyOnWriteDisk(goldenImage(host, personality, epochMs, sectors));
}

/** Whether ext2's magic number is where a file system starting at sector `start` keeps it. */
function hasExt2At(disk: DiskBacking, start: number): boolean {
  if (start + SUPERBLOCK_SECTOR >= disk.sectorCount) return false;
  const sb = disk.readSectors(start + SUPERBLOCK_SECTOR, 1);
  return (sb[MAGIC_OFFSET]! | (sb[MAGIC_OFFSET + 1]! << 8)) === EXT2_SUPER_MAGIC;
}

/**
 * A disk with no system on it yet: no partition table and nothing where hda1's file system would
 * be (a new, blank disk), or a partition table whose first partition holds no file system. A disk
 * whose boot sector alone was wiped still has its file system: it is not installed over.
 */
export function diskNeedsInstall(disk: DiskBacking): boolean {
  const mbr = disk.readSectors(0, 1);
  const first = firstPartitionStart(mbr);
  if (first === undefined) return mbr.every((b) => b === 0) && !hasExt2At(disk, ROOT_PARTITION_START);
  return !hasExt2At(disk, first);
}

/** Installs the system of `personality` onto `disk`: the golden image's sectors (for the disk's size). */
export function installOnto(disk: DiskBacking, host: Host, personality: Personality, epochMs: number): void {
  const image = goldenImage(host, personality, epochMs, disk.sectorCount);
  const sectorsPerChunk = CHUNK_BYTES / SECTOR_SIZE;
  for (const [chunk, bytes] of [...image.chunks].sort((a, b) => a[0] - b[0])) {
    const lba = chunk * sectorsPerChunk;
    const count = Math.min(sectorsPerChunk, disk.sectorCount - lba);
    disk.writeSectors(lba, count === sectorsPerChunk ? bytes : bytes.subarray(0, count * SECTOR_SIZE));
  }
  disk.flush();
}

/**
 * The installation itself: partition, mke2fs, the system's files through a kernel whose root is
 * the new file system, lilo over the installed lilo.conf, and the file system unmounted clean.
 */
function buildGoldenImage(host: Host, personality: Personality, epochMs: number, sectors: number): DiskSnapshot {
  // Creating a file is a lookup that fails first (ENOENT, an Error): without stack traces, hundreds
  // of them cost nothing.
  const stackTraceLimit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return installGolden(host, personality, epochMs, sectors);
  } finally {
    Error.stackTraceLimit = stackTraceLimit;
  }
}

function installGolden(host: Host, personality: Personality, epochMs: number, sectors: number): DiskSnapshot {
  const disk = new MemoryDisk(sectors);
  writeInstalledPartitionTable(disk);
  const start = ROOT_PARTITION_START;
  const io = new DiskBlockIo(disk, start, Math.floor((sectors - start) / SECTORS_PER_BLOCK));
  mke2fs(io, { now: Math.floor(epochMs / 1000) });
  const k = new Kernel({
    clock: new VirtualClock(), bus: new IoPortBus(), pic: new DualPic(), isa: new IsaMemory(), host, personality,
    cmdline: '', consoleOutput: () => undefined, epochMs,
  });
  k.modules = new ModuleLoader(k);
  const fs = new Ext2Fs(io, k.fsctx, () => undefined, MKDEV(3, 1), { deviceName: 'hda1', messageStyle: personality === '2.2' ? '2.2' : 'modern' });
  k.vfs.setRoot(fs.root, '/dev/hda1', 'rw');
  installSystem(k);

  // lilo, as the installer's last step runs it: the map points at the kernel's sectors on hda1.
  const table = installedBootTable(personality === '2.2');
  const kernel = k.vfs.lookup(KERNEL_PATH, '/', { uid: 0, gid: 0 }).inode;
  const size = kernel.size();
  const blocks = Array.from({ length: Math.ceil(size / BLOCK_SIZE) }, (_, i) => kernel.bmap!(i));
  const location = { kind: 'sectors' as const, size, extents: extentsOf(start, blocks, SECTORS_PER_BLOCK) };
  const record = encodeBootRecord({ table, images: table.entries.map((e) => (e.kind === 'image' ? location : undefined)) });
  kernelWriteFile(k, '/boot/map', record.subarray(SECTOR_SIZE), { mode: 0o600 });
  fs.unmount();
  io.sync();
  new DiskBootArea(disk, start).write(record);
  return disk.snapshot();
}

/** Buffer heads straight over a disk (no kernel, no IDE): the installer's block device (and disk-inspect.ts's). */
export class DiskBlockIo implements BlockIo {
  readonly blockSize = BLOCK_SIZE;
  private readonly buffers = new Map<number, BufferHead>();
  private readonly dirty = new Set<number>();

  constructor(private readonly disk: DiskBacking, private readonly startSector: number, readonly blockCount: number) {}

  bread(blockNr: number): BufferHead {
    return this.buffer(blockNr, true);
  }

  getblk(blockNr: number): BufferHead {
    return this.buffer(blockNr, false);
  }

  private buffer(blockNr: number, read: boolean): BufferHead {
    if (!Number.isInteger(blockNr) || blockNr < 0 || blockNr >= this.blockCount) throw new RangeError(`block ${blockNr} beyond the end of hda1`);
    let bh = this.buffers.get(blockNr);
    if (!bh) {
      const data = read ? this.disk.readSectors(this.startSector + blockNr * SECTORS_PER_BLOCK, SECTORS_PER_BLOCK) : new Uint8Array(BLOCK_SIZE);
      bh = { blockNr, data };
      this.buffers.set(blockNr, bh);
    }
    return bh;
  }

  markDirty(bh: BufferHead): void {
    this.dirty.add(bh.blockNr);
  }

  syncBuffer(bh: BufferHead): void {
    if (!this.dirty.delete(bh.blockNr)) return;
    this.disk.writeSectors(this.startSector + bh.blockNr * SECTORS_PER_BLOCK, bh.data);
  }

  sync(): void {
    for (const nr of [...this.dirty].sort((a, b) => a - b)) this.syncBuffer(this.buffers.get(nr)!);
  }
}
