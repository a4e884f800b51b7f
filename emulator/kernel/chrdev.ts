// Character device numbers (fs/char_dev.c): register_chrdev, the region API and
// cdev, with /proc/devices listing majors like Linux.
import { EBUSY, EINVAL, ENXIO } from './errno.js';
import { type FileOperations, MAJOR, MINOR } from './fs/types.js';

export interface ChrdevRegion {
  major: number;
  baseminor: number;
  count: number;
  name: string;
  /** The owning module's name, for rmmod and leak checks; undefined for built-ins. */
  owner?: string;
}

export interface CdevEntry {
  dev: number;
  count: number;
  fops: FileOperations;
  owner?: string;
}

const CHRDEV_MAJOR_MAX = 512;
/** Dynamic majors are handed out downwards from 254, then 511..384, as in Linux. */
const DYNAMIC_MAJORS = [...Array.from({ length: 254 - 234 + 1 }, (_, i) => 254 - i), ...Array.from({ length: 511 - 384 + 1 }, (_, i) => 511 - i)];

export class ChrdevRegistry {
  readonly regions: ChrdevRegion[] = [];
  readonly cdevs: CdevEntry[] = [];

  /** __register_chrdev_region: major 0 asks for a dynamic major. Returns the major or -errno. */
  registerRegion(major: number, baseminor: number, count: number, name: string, owner?: string): number {
    if (major >= CHRDEV_MAJOR_MAX || major < 0 || count <= 0) return -EINVAL;
    if (major === 0) {
      const free = DYNAMIC_MAJORS.find((m) => !this.regions.some((r) => r.major === m));
      if (free === undefined) return -EBUSY;
      major = free;
    }
    for (const r of this.regions) {
      if (r.major === major && baseminor < r.baseminor + r.count && r.baseminor < baseminor + count) return -EBUSY;
    }
    this.regions.push({ major, baseminor, count, name, owner });
    this.regions.sort((a, b) => a.major - b.major || a.baseminor - b.baseminor);
    return major;
  }

  unregisterRegion(major: number, baseminor: number, count: number): boolean {
    const i = this.regions.findIndex((r) => r.major === major && r.baseminor === baseminor && r.count === count);
    if (i < 0) return false;
    this.regions.splice(i, 1);
    return true;
  }

  cdevAdd(dev: number, count: number, fops: FileOperations, owner?: string): number {
    this.cdevs.push({ dev, count, fops, owner });
    return 0;
  }

  cdevDel(dev: number): void {
    const i = this.cdevs.findIndex((c) => c.dev === dev);
    if (i >= 0) this.cdevs.splice(i, 1);
  }

  /** chrdev_open: the fops for a device number, or -ENXIO when no driver has it. */
  lookup(dev: number): FileOperations | number {
    const major = MAJOR(dev), minor = MINOR(dev);
    for (const c of this.cdevs) {
      if (MAJOR(c.dev) === major && minor >= MINOR(c.dev) && minor < MINOR(c.dev) + c.count) return c.fops;
    }
    return -ENXIO;
  }

  /** The "Character devices:" half of /proc/devices. */
  procDevices(): string {
    const seen = new Set<string>();
    let out = 'Character devices:\n';
    for (const r of this.regions) {
      const key = `${r.major} ${r.name}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out += `${String(r.major).padStart(3, ' ')} ${r.name}\n`;
    }
    return out;
  }
}
