// What /sbin/lilo leaves on the disk and the BIOS finds there at power-on: LILO's boot sector and
// its map, the descriptor table of the bootable images (labels, root=, append=, ...) and where each
// kernel image lies. The boot loader reads only this, never /etc/lilo.conf: editing lilo.conf or
// replacing /boot/vmlinuz changes nothing until lilo is run again.
//
// On the machine's hard disk the record is LILO's first stage in the master boot record (the boot
// code; the partition table stays) and its map in the free sectors before hda1. A real map lists
// the disk sectors of each kernel file; this one carries the images' bytes as they were when lilo
// ran, which comes to the same (overwriting /boot/vmlinuz afterwards does not change the sectors
// the map points to) while the root file system is not yet on the disk.

import { SECTOR_SIZE, type DiskBacking } from '../host.js';
import type { BootEntry, BootTable } from './lilo.js';

/** The disk sectors LILO writes and the boot loader reads: kept by the machine, outside any reset. */
export interface BootDisk {
  read(): Uint8Array | undefined;
  write(bytes: Uint8Array): void;
}

/** A BootDisk in memory (a machine without a hard disk, tests). */
export class MemoryBootDisk implements BootDisk {
  private bytes: Uint8Array | undefined;
  read(): Uint8Array | undefined { return this.bytes; }
  write(bytes: Uint8Array): void { this.bytes = bytes.slice(); }
}

/** Where LILO's first stage ends in the master boot record: the disk signature and the partition table follow. */
const BOOT_CODE_END = 0x1b8;
/** Where the first stage keeps the length of the map, in sectors (inside its own code area). */
const MAP_SECTORS_AT = 12;

/** The map does not fit in the sectors before the first partition. */
export class MapTooBig extends Error {}

/**
 * The boot record on a hard disk: the first stage in sector 0 (the partition table and the disk
 * signature are kept, as LILO keeps them), the map in sectors 1 to `firstPartition` - 1, which
 * fdisk leaves free. It is what the IDE disk holds, so it outlives resets and, with a disk image,
 * the DriverLab session; writing over the master boot record (dd of=/dev/hda) takes it away.
 */
export class DiskBootArea implements BootDisk {
  constructor(private readonly disk: DiskBacking, private readonly firstPartition: number) {}

  read(): Uint8Array | undefined {
    const mbr = this.disk.readSectors(0, 1);
    if (dec.decode(mbr.subarray(SIGNATURE_AT, SIGNATURE_AT + 4)) !== SIGNATURE) return mbr;
    const sectors = new DataView(mbr.buffer, mbr.byteOffset).getUint32(MAP_SECTORS_AT, true);
    if (sectors === 0 || sectors >= this.firstPartition) return mbr;
    const out = new Uint8Array(SECTOR_SIZE * (1 + sectors));
    out.set(mbr);
    out.set(this.disk.readSectors(1, sectors), SECTOR_SIZE);
    return out;
  }

  write(bytes: Uint8Array): void {
    const sectors = Math.ceil((bytes.length - SECTOR_SIZE) / SECTOR_SIZE);
    if (sectors >= this.firstPartition) throw new MapTooBig(`the map needs ${sectors} sectors; ${this.firstPartition - 1} are free before the first partition`);
    const map = new Uint8Array(sectors * SECTOR_SIZE);
    map.set(bytes.subarray(SECTOR_SIZE));
    this.disk.writeSectors(1, map);
    const mbr = this.disk.readSectors(0, 1).slice();
    mbr.set(bytes.subarray(0, BOOT_CODE_END));
    new DataView(mbr.buffer).setUint32(MAP_SECTORS_AT, sectors, true);
    mbr[510] = 0x55;
    mbr[511] = 0xaa;
    this.disk.writeSectors(0, mbr);
    this.disk.flush();
  }
}

/**
 * Where LILO goes on `disk`: a partitioned disk holds it before its first partition. A disk with no
 * partition table has no room that is LILO's (the machine then boots as from a boot floppy, whose
 * record is kept in memory).
 */
export function bootAreaOf(disk: DiskBacking): BootDisk {
  const mbr = disk.readSectors(0, 1);
  if (mbr[510] !== 0x55 || mbr[511] !== 0xaa) return new MemoryBootDisk();
  const view = new DataView(mbr.buffer, mbr.byteOffset);
  const starts = [0, 1, 2, 3].map((i) => view.getUint32(0x1be + 16 * i + 8, true)).filter((lba) => lba > 1);
  return starts.length ? new DiskBootArea(disk, Math.min(...starts)) : new MemoryBootDisk();
}

export interface BootRecord {
  table: BootTable;
  /** The kernel image of each entry of `table.entries` (undefined for other= entries). */
  images: (Uint8Array | undefined)[];
}

const SECTOR = 512;
/** LILO's signature in its first stage, and the map's version. */
const SIGNATURE = 'LILO';
const SIGNATURE_AT = 6;
const MAP_MAGIC = 'DLMAP1';

const enc = new TextEncoder();
const dec = new TextDecoder();

function checksum(bytes: Uint8Array): number {
  let sum = 0x1234;
  for (let i = 0; i < bytes.length; i++) sum = (Math.imul(sum, 31) + bytes[i]!) >>> 0;
  return sum;
}

/** The bytes lilo writes: the boot sector, then the map (descriptor table and images). */
export function encodeBootRecord(record: BootRecord): Uint8Array {
  const descriptors = enc.encode(JSON.stringify(record.table));
  const images = record.images.map((img) => img ?? new Uint8Array(0));
  const size = SECTOR + MAP_MAGIC.length + 8 + descriptors.length + 4 + images.reduce((n, img) => n + 4 + img.length, 0);
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  out.set(enc.encode(SIGNATURE), SIGNATURE_AT);
  out[510] = 0x55;
  out[511] = 0xaa;
  let at = SECTOR;
  out.set(enc.encode(MAP_MAGIC), at); at += MAP_MAGIC.length;
  view.setUint32(at, descriptors.length, true); at += 4;
  view.setUint32(at, checksum(descriptors), true); at += 4;
  out.set(descriptors, at); at += descriptors.length;
  view.setUint32(at, images.length, true); at += 4;
  for (const img of images) {
    view.setUint32(at, img.length, true); at += 4;
    out.set(img, at); at += img.length;
  }
  return out;
}

/**
 * What the BIOS and LILO's stages make of the disk. The errors are what the screen shows: no boot
 * sector at all is the BIOS's complaint; a boot sector whose map is damaged stops LILO after "LIL",
 * with "-" for a descriptor table that fails its checksum (LILO's own diagnostics).
 */
export type BootRecordRead =
  | { ok: true; record: BootRecord }
  | { ok: false; screen: string };

export function decodeBootRecord(bytes: Uint8Array | undefined): BootRecordRead {
  if (!bytes || bytes.length < SECTOR || bytes[510] !== 0x55 || bytes[511] !== 0xaa) {
    return { ok: false, screen: 'DISK BOOT FAILURE, INSERT SYSTEM DISK AND PRESS ENTER\r\n' };
  }
  if (dec.decode(bytes.subarray(SIGNATURE_AT, SIGNATURE_AT + 4)) !== SIGNATURE) return { ok: false, screen: 'L 01 01 01 01 01 01 01 01' };
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = SECTOR;
  if (dec.decode(bytes.subarray(at, at + MAP_MAGIC.length)) !== MAP_MAGIC) return { ok: false, screen: 'LIL?' };
  at += MAP_MAGIC.length;
  try {
    const length = view.getUint32(at, true); at += 4;
    const sum = view.getUint32(at, true); at += 4;
    const descriptors = bytes.subarray(at, at + length); at += length;
    if (descriptors.length !== length || checksum(descriptors) !== sum) return { ok: false, screen: 'LIL-' };
    const table = JSON.parse(dec.decode(descriptors)) as BootTable;
    const count = view.getUint32(at, true); at += 4;
    const images: (Uint8Array | undefined)[] = [];
    for (let i = 0; i < count; i++) {
      const n = view.getUint32(at, true); at += 4;
      images.push(n === 0 ? undefined : bytes.slice(at, at + n));
      at += n;
    }
    if (images.length !== table.entries.length) return { ok: false, screen: 'LIL-' };
    return { ok: true, record: { table, images } };
  } catch {
    return { ok: false, screen: 'LIL-' };
  }
}

/** The image of `entry`, as the map holds it. */
export function imageOf(record: BootRecord, entry: BootEntry): Uint8Array | undefined {
  return record.images[record.table.entries.indexOf(entry)];
}
