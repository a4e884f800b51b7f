// What /sbin/lilo leaves on the disk and the BIOS finds there at power-on: LILO's boot sector and
// its map, the descriptor table of the bootable images (labels, root=, append=, ...) and where each
// kernel image lies. The boot loader reads only this, never /etc/lilo.conf: editing lilo.conf or
// replacing /boot/vmlinuz changes nothing until lilo is run again.
//
// A real map lists the disk sectors of each kernel file. Here the record carries the images' bytes
// as they were when lilo ran (the same thing: overwriting /boot/vmlinuz afterwards does not change
// the sectors the map points to). Until the machine has its IDE disk, the record lives in a
// BootDisk the Machine keeps across resets; on the disk it becomes sector 0 (the boot sector) and
// the sectors of /boot/map.

import type { BootEntry, BootTable } from './lilo.js';

/** The disk sectors LILO writes and the boot loader reads: kept by the machine, outside any reset. */
export interface BootDisk {
  read(): Uint8Array | undefined;
  write(bytes: Uint8Array): void;
}

/** A BootDisk in memory: what survives a reset until the IDE disk holds it. */
export class MemoryBootDisk implements BootDisk {
  private bytes: Uint8Array | undefined;
  read(): Uint8Array | undefined { return this.bytes; }
  write(bytes: Uint8Array): void { this.bytes = bytes.slice(); }
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
