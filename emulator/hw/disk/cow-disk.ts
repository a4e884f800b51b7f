// A hard disk's medium as a copy-on-write view of a frozen disk image (a snapshot): reads come
// from the snapshot until a write has copied the piece it lands in. Every fresh machine of a
// process gets one over the same installed system (the "golden" image), so booting hundreds of
// machines costs one installation, and no machine sees another's writes. It is a MemoryDisk
// whose base is the snapshot (a blank MemoryDisk's base is empty).

import { MemoryDisk, type DiskSnapshot } from './memory-disk.js';

export class CopyOnWriteDisk extends MemoryDisk {
  constructor(base: DiskSnapshot) {
    super(base.sectorCount, base);
  }
}
