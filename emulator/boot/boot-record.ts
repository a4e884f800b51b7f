// What /sbin/lilo leaves on the disk and the BIOS finds there at power-on: LILO's boot sector and
// its map, the descriptor table of the bootable images (labels, root=, append=, ...) and where each
// kernel image lies. The boot loader reads only this, never /etc/lilo.conf: editing lilo.conf or
// replacing /boot/vmlinuz changes nothing until lilo is run again.
//
// On the machine's hard disk the record is LILO's first stage in the master boot record (the boot
// code; the partition table stays) and its map in the free sectors before hda1. As a real map does,
// it lists the disk sectors of each kernel file, which lilo asked the file system for (FIBMAP): the
// loader reads those sectors, whatever they hold by then. Writing a new kernel over /boot/vmlinuz
// without running lilo boots whatever now lies in the old sectors. A boot floppy (the rescue
// system's) carries its kernel in the record itself.

import { SECTOR_SIZE, type DiskBacking } from '../host.js';
import type { BootEntry, BootTable } from './lilo.js';

/** The disk sectors LILO writes and the boot loader reads: kept by the machine, outside any reset. */
export interface BootDisk {
  read(): Uint8Array | undefined;
  write(bytes: Uint8Array): void;
  /** Sectors of the disk, where a map's images lie (a floppy's record carries its images instead). */
  readSectors?(lba: number, count: number): Uint8Array;
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
    return readBootArea(this.disk.readSectors(0, 1), (lba, count) => this.disk.readSectors(lba, count));
  }

  write(bytes: Uint8Array): void {
    const { bootSector, map } = bootSectorAndMap(this.disk.readSectors(0, 1), bytes, this.firstPartition);
    this.disk.writeSectors(1, map);
    this.disk.writeSectors(0, bootSector);
    this.disk.flush();
  }

  readSectors(lba: number, count: number): Uint8Array {
    return this.disk.readSectors(lba, count);
  }
}

/**
 * What lilo writes to a partitioned disk for `record`: sector 0 (LILO's first stage over the
 * boot code of `mbr`, whose disk signature and partition table stay) and the map for sectors 1
 * on. Throws MapTooBig when the map does not fit before the first partition.
 */
export function bootSectorAndMap(mbr: Uint8Array, record: Uint8Array, firstPartition: number): { bootSector: Uint8Array; map: Uint8Array } {
  const sectors = Math.ceil((record.length - SECTOR_SIZE) / SECTOR_SIZE);
  if (sectors >= firstPartition) throw new MapTooBig(`the map needs ${sectors} sectors; ${firstPartition - 1} are free before the first partition`);
  const map = new Uint8Array(sectors * SECTOR_SIZE);
  map.set(record.subarray(SECTOR_SIZE));
  const bootSector = mbr.slice(0, SECTOR_SIZE);
  bootSector.set(record.subarray(0, BOOT_CODE_END));
  new DataView(bootSector.buffer).setUint32(MAP_SECTORS_AT, sectors, true);
  bootSector[510] = 0x55;
  bootSector[511] = 0xaa;
  return { bootSector, map };
}

/** The first sector of the first partition of a master boot record's table (undefined: no partition table). */
export function firstPartitionStart(mbr: Uint8Array): number | undefined {
  if (mbr[510] !== 0x55 || mbr[511] !== 0xaa) return undefined;
  const view = new DataView(mbr.buffer, mbr.byteOffset);
  const starts = [0, 1, 2, 3].map((i) => view.getUint32(0x1be + 16 * i + 8, true)).filter((lba) => lba > 1);
  return starts.length ? Math.min(...starts) : undefined;
}

/** How many sectors of map follow LILO's boot sector `mbr` (0: not LILO's, or no room for a map). */
export function mapSectors(mbr: Uint8Array): number {
  if (dec.decode(mbr.subarray(SIGNATURE_AT, SIGNATURE_AT + 4)) !== SIGNATURE) return 0;
  const sectors = new DataView(mbr.buffer, mbr.byteOffset).getUint32(MAP_SECTORS_AT, true);
  return sectors < (firstPartitionStart(mbr) ?? 0) ? sectors : 0;
}

/** The boot sector and map as they lie on a disk (whose sector 0 is `mbr`), read with `read`. */
export function readBootArea(mbr: Uint8Array, read: (lba: number, count: number) => Uint8Array): Uint8Array {
  const sectors = mapSectors(mbr);
  if (!sectors) return mbr;
  const out = new Uint8Array(SECTOR_SIZE * (1 + sectors));
  out.set(mbr.subarray(0, SECTOR_SIZE));
  out.set(read(1, sectors), SECTOR_SIZE);
  return out;
}

/**
 * Where LILO goes on `disk`: a partitioned disk holds it before its first partition. A disk with no
 * partition table has no room that is LILO's (the machine then boots as from a boot floppy, whose
 * record is kept in memory).
 */
export function bootAreaOf(disk: DiskBacking): BootDisk {
  const first = firstPartitionStart(disk.readSectors(0, 1));
  return first !== undefined ? new DiskBootArea(disk, first) : new MemoryBootDisk();
}

/**
 * Where the map finds a kernel image: on a hard disk, the sectors of its file (`size` bytes in
 * extents of [first sector, count]); on a boot floppy, the image itself.
 */
export type ImageLocation =
  | { kind: 'sectors'; size: number; extents: [number, number][] }
  | { kind: 'bytes'; bytes: Uint8Array };

export interface BootRecord {
  table: BootTable;
  /** Where the image of each entry of `table.entries` lies (undefined for other= entries). */
  images: (ImageLocation | undefined)[];
}

/** The sectors of a file from its blocks on a partition (FIBMAP's answers): [first, count] runs. */
export function extentsOf(partitionStart: number, blocks: number[], sectorsPerBlock: number): [number, number][] {
  const out: [number, number][] = [];
  for (const b of blocks) {
    const sector = partitionStart + b * sectorsPerBlock;
    const last = out[out.length - 1];
    if (last && last[0] + last[1] === sector) last[1] += sectorsPerBlock;
    else out.push([sector, sectorsPerBlock]);
  }
  return out;
}

const SECTOR = 512;
/** LILO's signature in its first stage, and the map's version. */
const SIGNATURE = 'LILO';
const SIGNATURE_AT = 6;
const MAP_MAGIC = 'DLMAP2';
const IMAGE_NONE = 0, IMAGE_BYTES = 1, IMAGE_SECTORS = 2;

const enc = new TextEncoder();
const dec = new TextDecoder();

function checksum(bytes: Uint8Array): number {
  let sum = 0x1234;
  for (let i = 0; i < bytes.length; i++) sum = (Math.imul(sum, 31) + bytes[i]!) >>> 0;
  return sum;
}

/** The bytes lilo writes: the boot sector, then the map (descriptor table and where the images are). */
export function encodeBootRecord(record: BootRecord): Uint8Array {
  const descriptors = enc.encode(JSON.stringify(record.table));
  const imageBytes = (img: ImageLocation | undefined) =>
    1 + (!img ? 0 : img.kind === 'bytes' ? 4 + img.bytes.length : 8 + 8 * img.extents.length);
  const size = SECTOR + MAP_MAGIC.length + 8 + descriptors.length + 4 + record.images.reduce((n, img) => n + imageBytes(img), 0);
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
  view.setUint32(at, record.images.length, true); at += 4;
  for (const img of record.images) {
    if (!img) { out[at++] = IMAGE_NONE; continue; }
    if (img.kind === 'bytes') {
      out[at++] = IMAGE_BYTES;
      view.setUint32(at, img.bytes.length, true); at += 4;
      out.set(img.bytes, at); at += img.bytes.length;
      continue;
    }
    out[at++] = IMAGE_SECTORS;
    view.setUint32(at, img.size, true); at += 4;
    view.setUint32(at, img.extents.length, true); at += 4;
    for (const [first, count] of img.extents) {
      view.setUint32(at, first, true); at += 4;
      view.setUint32(at, count, true); at += 4;
    }
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
    const images: (ImageLocation | undefined)[] = [];
    for (let i = 0; i < count; i++) {
      const kind = view.getUint8(at); at += 1;
      if (kind === IMAGE_NONE) { images.push(undefined); continue; }
      if (kind === IMAGE_BYTES) {
        const n = view.getUint32(at, true); at += 4;
        if (at + n > bytes.length) return { ok: false, screen: 'LIL-' };
        images.push({ kind: 'bytes', bytes: bytes.slice(at, at + n) });
        at += n;
        continue;
      }
      if (kind !== IMAGE_SECTORS) return { ok: false, screen: 'LIL-' };
      const size = view.getUint32(at, true); at += 4;
      const n = view.getUint32(at, true); at += 4;
      const extents: [number, number][] = [];
      for (let j = 0; j < n; j++) {
        extents.push([view.getUint32(at, true), view.getUint32(at + 4, true)]);
        at += 8;
      }
      images.push({ kind: 'sectors', size, extents });
    }
    if (images.length !== table.entries.length) return { ok: false, screen: 'LIL-' };
    return { ok: true, record: { table, images } };
  } catch {
    return { ok: false, screen: 'LIL-' };
  }
}

/**
 * The image of `entry` as the loader reads it: from the record, or the sectors the map names,
 * whatever they hold now. Undefined when the map's sectors cannot be read (not on this disk).
 */
export function imageOf(record: BootRecord, entry: BootEntry, disk: BootDisk): Uint8Array | undefined {
  const img = record.images[record.table.entries.indexOf(entry)];
  if (!img) return undefined;
  if (img.kind === 'bytes') return img.bytes;
  if (!disk.readSectors) return undefined;
  const out = new Uint8Array(img.extents.reduce((n, [, count]) => n + count, 0) * SECTOR_SIZE);
  let at = 0;
  try {
    for (const [first, count] of img.extents) {
      out.set(disk.readSectors(first, count), at);
      at += count * SECTOR_SIZE;
    }
  } catch {
    return undefined;
  }
  return out.subarray(0, Math.min(img.size, out.length));
}
