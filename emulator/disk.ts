// The machine's hard disk as an installed DriverLab disk starts out: 32 MiB, a DOS partition
// table with one Linux partition (hda1) from sector 2048 to the end. Sectors 1-2047 stay free,
// as fdisk leaves them: LILO keeps its map there. Used for the default in-memory disk of a
// machine, and to initialise a new disk image (main/host/disk-image.ts, `initialize`).
import { SECTOR_SIZE, type DiskBacking } from './host.js';
import { MemoryDisk } from './hw/disk/memory-disk.js';

/** 32 MiB. */
export const DEFAULT_DISK_SECTORS = 65536;
/** hda1's first sector. */
export const ROOT_PARTITION_START = 2048;
export const PARTITION_TYPE_LINUX = 0x83;
/** The disk signature at 0x1b8 ("DLAB"), which fdisk would have made random. */
const DISK_SIGNATURE = 0x42414c44;

/** The CHS translation the IDE drive reports: 16 heads, 63 sectors a track. */
const HEADS = 16;
const SECTORS_PER_TRACK = 63;

/** A fresh in-memory disk, partitioned like an installed one. */
export function newMemoryDisk(sectors = DEFAULT_DISK_SECTORS): MemoryDisk {
  const disk = new MemoryDisk(sectors);
  writeInstalledPartitionTable(disk);
  return disk;
}

/** Writes the master boot record of an installed DriverLab disk: one bootable Linux partition, hda1. */
export function writeInstalledPartitionTable(disk: DiskBacking): void {
  const mbr = new Uint8Array(SECTOR_SIZE);
  const view = new DataView(mbr.buffer);
  view.setUint32(0x1b8, DISK_SIGNATURE, true);
  const start = ROOT_PARTITION_START;
  const size = disk.sectorCount - start;
  if (size <= 0) throw new RangeError(`a disk of ${disk.sectorCount} sectors has no room for a partition after sector ${start}`);
  const entry = 0x1be;
  mbr[entry] = 0x80; // active: LILO boots from it
  mbr.set(chs(start), entry + 1);
  mbr[entry + 4] = PARTITION_TYPE_LINUX;
  mbr.set(chs(start + size - 1), entry + 5);
  view.setUint32(entry + 8, start, true);
  view.setUint32(entry + 12, size, true);
  mbr[510] = 0x55;
  mbr[511] = 0xaa;
  disk.writeSectors(0, mbr);
}

/** A sector's CHS address as a partition entry stores it (head, sector | cylinder bits 8-9, cylinder). */
function chs(lba: number): Uint8Array {
  let cylinder = Math.floor(lba / (HEADS * SECTORS_PER_TRACK));
  let head = Math.floor(lba / SECTORS_PER_TRACK) % HEADS;
  let sector = (lba % SECTORS_PER_TRACK) + 1;
  // Beyond what CHS can say, the entry holds the largest address (LBA fields are what count).
  if (cylinder > 1023) { cylinder = 1023; head = HEADS - 1; sector = SECTORS_PER_TRACK; }
  return Uint8Array.of(head, sector | ((cylinder >> 2) & 0xc0), cylinder & 0xff);
}
