// Disks and their partitions (Linux's struct gendisk and hd_struct, block/genhd.c and
// fs/partitions/msdos.c in miniature): the block devices (hda = 3,0 and hda1 = 3,1), the DOS
// partition table read at boot ("Partition check:" / " hda: hda1"), and /proc/partitions.
import type { Personality } from '../kernel.js';
import { MKDEV } from '../fs/types.js';

/** What a disk driver offers the block layer: whole sectors, synchronously. */
export interface DiskDriver {
  /** Sectors on the disk. */
  readonly capacity: number;
  /** `dev` is the device the request is for (a partition's number), for error reports. */
  read(lba: number, count: number, dev: number): Uint8Array;
  write(lba: number, data: Uint8Array, dev: number): void;
  /** Makes completed writes durable (FLUSH CACHE). */
  flush(dev: number): void;
}

/** A block device: a whole disk (partno 0) or one of its partitions (struct block_device + hd_struct). */
export interface BlockDevice {
  readonly dev: number;
  readonly name: string;
  readonly disk: Gendisk;
  readonly partno: number;
  /** First sector on the disk. */
  readonly startSect: number;
  readonly nrSects: number;
  /** Open file descriptors on the device node (bd_openers). */
  openers: number;
}

/** Minors per IDE disk: the disk and partitions 1-63 (2.2's PARTN_BITS = 6). */
export const IDE_MINORS = 64;
export const IDE0_MAJOR = 3;

export class Gendisk {
  /** parts[0] is the whole disk; then the partitions found, by number. */
  parts: BlockDevice[] = [];
  /** Writes reached the drive since its cache was last flushed. */
  unflushed = false;

  constructor(readonly name: string, readonly major: number, readonly firstMinor: number, readonly driver: DiskDriver) {
    this.parts = [this.device(0, 0, driver.capacity)];
  }

  get whole(): BlockDevice {
    return this.parts[0]!;
  }

  /** The device for partition `partno` of this disk (name hda1 for partno 1). */
  device(partno: number, startSect: number, nrSects: number): BlockDevice {
    return { dev: MKDEV(this.major, this.firstMinor + partno), name: partno ? `${this.name}${partno}` : this.name, disk: this, partno, startSect, nrSects, openers: 0 };
  }
}

/** One entry of a DOS partition table. */
export interface MsdosPartition {
  partno: number;
  type: number;
  start: number;
  size: number;
}

export const MSDOS_LABEL_MAGIC = 0xaa55;
const PARTITION_TABLE_OFFSET = 0x1be;
const EXTENDED_TYPES = new Set([0x05, 0x0f, 0x85]);

/**
 * msdos_partition(): the primary partitions of a master boot record, or undefined when sector 0
 * holds no DOS partition table. Extended partitions are listed (as on Linux they get a minor)
 * but their logical partitions are not followed: DriverLab's disks do not use them.
 */
export function msdosPartitions(sector0: Uint8Array): MsdosPartition[] | undefined {
  if ((sector0[510]! | (sector0[511]! << 8)) !== MSDOS_LABEL_MAGIC) return undefined;
  const view = new DataView(sector0.buffer, sector0.byteOffset, 512);
  const parts: MsdosPartition[] = [];
  for (let i = 0; i < 4; i++) {
    const e = PARTITION_TABLE_OFFSET + 16 * i;
    const status = sector0[e]!;
    // A boot indicator other than 0x00 or 0x80 means this is not a partition table (a boot sector).
    if (status !== 0 && status !== 0x80) return undefined;
    const type = sector0[e + 4]!;
    const start = view.getUint32(e + 8, true);
    const size = view.getUint32(e + 12, true);
    if (type === 0 || size === 0) continue;
    parts.push({ partno: i + 1, type, start, size: EXTENDED_TYPES.has(type) ? Math.min(size, 2) : size });
  }
  return parts;
}

/** /proc/partitions: 2.2's and modern kernels' layouts differ in their column widths. */
export function procPartitions(disks: Gendisk[], personality: Personality): string {
  const line = (b: BlockDevice) => {
    const major = b.dev >>> 20, minor = b.dev & 0xfffff, blocks = Math.floor(b.nrSects / 2);
    return personality === '2.2'
      ? `${String(major).padStart(4)}  ${String(minor).padStart(4)} ${String(blocks).padStart(10)} ${b.name}\n`
      : `${String(major).padStart(4)}  ${String(minor).padStart(7)} ${String(blocks).padStart(10)} ${b.name}\n`;
  };
  return 'major minor  #blocks  name\n\n' + disks.flatMap((d) => d.parts).map(line).join('');
}
