// What the machine's disk holds from the day it was installed: /etc/lilo.conf, the stock kernel image
// it names (the installer's run of lilo maps it: emulator/installer.ts), and the rescue system's
// boot floppy.

import { buildKernelImage, STOCK_KERNEL_SIZE } from './kernel-image.js';
import { parseLiloConf, runLilo, type BootTable } from './lilo.js';
import { encodeBootRecord } from './boot-record.js';

/** The kernel file lilo.conf boots, and the versioned file it points to (as distributions installed it). */
export const KERNEL_PATH = '/boot/vmlinuz';
export const stockKernelPath = (release: string): string => `/boot/vmlinuz-${release}`;
/** ROOT_DEV of the stock image: /dev/hda1 (IDE0_MAJOR 3, minor 1). */
export const ROOT_DEV_HDA1 = 0x0301;

/**
 * /etc/lilo.conf as installed. The 2.2 machine asks at a prompt for five seconds, as 1998's
 * distributions did. The modern one boots straight through: a lab session starts without a wait;
 * adding `prompt` and running lilo brings the prompt back.
 */
export function defaultLiloConf(prompt: boolean): string {
  return `# /etc/lilo.conf: LILO's configuration (see lilo.conf(5)).
# The boot loader reads only what /sbin/lilo wrote: after editing this file,
# run lilo (as root), or nothing changes at the next boot.
boot=/dev/hda
map=/boot/map
install=/boot/boot.b
${prompt ? 'prompt\ntimeout=50\n' : ''}default=linux

image=${KERNEL_PATH}
	label=linux
	root=/dev/hda1
	read-only
`;
}

const stockImages = new Map<string, Uint8Array>();

/** The stock kernel image of a release: no C code of its own (the simulator is that kernel). */
export function stockKernelImage(release: string, version: string): Uint8Array {
  const key = `${release} ${version}`;
  let image = stockImages.get(key);
  if (!image) {
    image = buildKernelImage({ kind: 'bzImage', version: `${release} (builder@driverlab) ${version}`, rootDev: ROOT_DEV_HDA1, nominalSize: STOCK_KERNEL_SIZE });
    stockImages.set(key, image);
  }
  return image;
}

/** The boot table of the default lilo.conf, as lilo makes it. */
export function installedBootTable(prompt: boolean): BootTable {
  const parsed = parseLiloConf(defaultLiloConf(prompt));
  if (!parsed.ok) throw new Error(`default lilo.conf: ${parsed.errors[0]?.message}`);
  const run = runLilo(parsed.config, () => true);
  if (!run.bootTable) throw new Error(`default lilo.conf: ${run.output}`);
  return run.bootTable;
}

/**
 * The rescue system's boot floppy: LILO with the default lilo.conf's table and the stock kernel
 * carried in the record itself (a floppy has no file system for a map to point into).
 */
export function rescueFloppyRecord(release: string, version: string, prompt: boolean): Uint8Array {
  const table = installedBootTable(prompt);
  const bytes = stockKernelImage(release, version);
  return encodeBootRecord({ table, images: table.entries.map((e) => (e.kind === 'image' ? { kind: 'bytes', bytes } : undefined)) });
}
