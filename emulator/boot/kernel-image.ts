// Kernel image files (zImage / bzImage), as arch/i386/boot/tools/build lays them out and as a boot
// loader reads them: a 512-byte boot sector, the setup sectors with the "HdrS" setup header (boot
// protocol 2.01, Documentation/i386/boot.txt), then the system.
//
// The system of a DriverLab kernel is what the simulator cannot be: the C code built into the
// kernel (init/main.c, drivers/char/mem.c and every driver configured `y`), linked into one wasm
// module, "vmlinux". The stock kernel's system holds no C code: the simulator is all of it; its
// header still says how big a 2.2 kernel of its configuration would be, which is what the boot
// loader shows while it loads.

const SECTOR = 512;
const SETUP_SECTS = 4;
const SETUP_OFFSET = SECTOR;
const SYSTEM_OFFSET = SECTOR * (1 + SETUP_SECTS);

// Offsets in the boot sector and the setup header (Documentation/i386/boot.txt).
const OFF_SETUP_SECTS = 0x1f1;
const OFF_SYSSIZE = 0x1f4;
const OFF_ROOT_DEV = 0x1fc;
const OFF_BOOT_FLAG = 0x1fe;
const OFF_HEADER = 0x202;
const OFF_VERSION = 0x206;
const OFF_KERNEL_VERSION = 0x20e;
const OFF_LOADFLAGS = 0x211;
/** DriverLab's own field in the setup header's reserved space: the size the loader reports, in paragraphs. */
const OFF_NOMINAL_SIZE = 0x230;
const VERSION_STRING_AT = 0x240;

const BOOT_PROTOCOL = 0x0201;
const LOADED_HIGH = 0x01;
/** A zImage's system must fit below 0x90000 with the loader (tools/build's DEF_SYSSIZE, in paragraphs). */
export const ZIMAGE_MAX_SYSSIZE = 0x7f00;
const WASM_MAGIC = [0x00, 0x61, 0x73, 0x6d];

export interface KernelImage {
  kind: 'zImage' | 'bzImage';
  /** "2.2.26-driverlab (builder@driverlab) #1 ..." as `uname -rv` will say. */
  version: string;
  /** The root device compiled into the image (ROOT_DEV), e.g. 0x0301 for /dev/hda1. */
  rootDev: number;
  /** The C code built into the kernel (a wasm module), or undefined for the stock kernel. */
  vmlinux: Uint8Array | undefined;
  /** Bytes of the whole kernel (what the loader loads and counts dots for). */
  loadSize: number;
}

export interface BuildImageOptions {
  kind: 'zImage' | 'bzImage';
  version: string;
  rootDev: number;
  vmlinux?: Uint8Array;
  /** For an image without C code: the size a real kernel of this configuration would have. */
  nominalSize?: number;
}

/** What tools/build writes: boot sector, setup sectors with the header, then the system. */
export function buildKernelImage(o: BuildImageOptions): Uint8Array {
  const system = o.vmlinux ?? new TextEncoder().encode('DriverLab stock kernel: the simulator is its code.\n');
  const image = new Uint8Array(SYSTEM_OFFSET + system.length);
  const view = new DataView(image.buffer);
  image[OFF_SETUP_SECTS] = SETUP_SECTS;
  view.setUint32(OFF_SYSSIZE, Math.ceil(system.length / 16), true);
  view.setUint16(OFF_ROOT_DEV, o.rootDev, true);
  view.setUint16(OFF_BOOT_FLAG, 0xaa55, true);
  image.set(new TextEncoder().encode('HdrS'), OFF_HEADER);
  view.setUint16(OFF_VERSION, BOOT_PROTOCOL, true);
  view.setUint16(OFF_KERNEL_VERSION, VERSION_STRING_AT - SETUP_OFFSET, true);
  image[OFF_LOADFLAGS] = o.kind === 'bzImage' ? LOADED_HIGH : 0;
  view.setUint32(OFF_NOMINAL_SIZE, Math.ceil((o.nominalSize ?? system.length) / 16), true);
  const version = new TextEncoder().encode(o.version.slice(0, SETUP_SECTS * SECTOR - (VERSION_STRING_AT - SETUP_OFFSET) - 1));
  image.set(version, VERSION_STRING_AT);
  image.set(system, SYSTEM_OFFSET);
  return image;
}

/** Reads an image the way a boot loader checks one; the error is what LILO would say of the file. */
export function parseKernelImage(bytes: Uint8Array): KernelImage | { error: string } {
  if (bytes.length < SYSTEM_OFFSET) return { error: 'is too small to be a kernel image' };
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint16(OFF_BOOT_FLAG, true) !== 0xaa55) return { error: 'is not a kernel image (no boot sector signature)' };
  if (new TextDecoder().decode(bytes.subarray(OFF_HEADER, OFF_HEADER + 4)) !== 'HdrS') return { error: 'has no setup header' };
  const setupSects = bytes[OFF_SETUP_SECTS] ?? 0;
  const systemAt = SECTOR * (1 + setupSects);
  const versionAt = SETUP_OFFSET + view.getUint16(OFF_KERNEL_VERSION, true);
  let end = versionAt;
  while (end < systemAt && bytes[end]) end++;
  const system = bytes.subarray(systemAt, systemAt + view.getUint32(OFF_SYSSIZE, true) * 16);
  const isWasm = WASM_MAGIC.every((b, i) => system[i] === b);
  return {
    kind: (bytes[OFF_LOADFLAGS]! & LOADED_HIGH) ? 'bzImage' : 'zImage',
    version: new TextDecoder().decode(bytes.subarray(versionAt, end)),
    rootDev: view.getUint16(OFF_ROOT_DEV, true),
    vmlinux: isWasm ? system : undefined,
    loadSize: systemAt + view.getUint32(OFF_NOMINAL_SIZE, true) * 16,
  };
}

/** The size of a 2.2 bzImage with the defconfig's drivers, for the stock image's header. */
export const STOCK_KERNEL_SIZE = 463_000;
