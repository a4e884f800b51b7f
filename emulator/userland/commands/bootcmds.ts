// /sbin/lilo, which writes LILO's boot sector and map from /etc/lilo.conf. The boot loader never
// reads lilo.conf: only what lilo last wrote to the disk counts.
import type { Kernel } from '../../kernel/kernel.js';
import { O_RDONLY, O_RDWR, SysError, type Proc } from '../libc.js';
import { parseLiloConf, runLilo, type BootTable } from '../../boot/lilo.js';
import { bootSectorAndMap, decodeBootRecord, encodeBootRecord, extentsOf, firstPartitionStart, mapSectors, MapTooBig, type ImageLocation } from '../../boot/boot-record.js';
import { FIBMAP, FIGETBSZ } from '../../kernel/fs/ioctl.js';
import { HDIO_GETGEO } from '../../kernel/block/blkdev.js';
import { MAJOR, MINOR, S_IFBLK, S_IFMT } from '../../kernel/fs/types.js';
import { parseKernelImage } from '../../boot/kernel-image.js';
import { defaultLiloConf, KERNEL_PATH, stockKernelImage, stockKernelPath } from '../../boot/installed.js';

const SECTOR = 512;

function liloVersion(k: Kernel): string {
  return k.personality === '2.2' ? '21.7' : '22.8';
}

const USAGE = (v: string) => `LILO version ${v}
usage: lilo [ -C config_file ] -q [ -m map_file ] [ -v ... ]
       lilo [ -C config_file ] [ -b boot_device ] [ -c ] [ -l ] [ -i boot_sector ]
            [ -f disk_tab ] [ -m map_file ] [ -d delay ] [ -v ... ] [ -t ] [ -s save_file | -S save_file ]
            [ -P fix | -P ignore ] [ -r root_dir ] [ -w ]
       lilo -V
`;

/** /sbin/lilo: reads the configuration, checks every image, and writes the boot sector and the map. */
export function lilo(k: Kernel) {
  return async (p: Proc, argv: string[]): Promise<number> => {
    const version = liloVersion(k);
    let config = '/etc/lilo.conf';
    let test = false, query = false, verbose = 0;
    for (let i = 1; i < argv.length; i++) {
      const a = argv[i]!;
      if (a === '-C') { const c = argv[++i]; if (c === undefined) { await p.err(USAGE(version)); return 1; } config = c; }
      else if (a === '-t') test = true;
      else if (a === '-q') query = true;
      else if (/^-v+$/.test(a)) verbose += a.length - 1;
      else if (a === '-V') { await p.out(`LILO version ${version}\n`); return 0; }
      else { await p.err(USAGE(version)); return 1; }
    }
    const say = (text: string) => p.out(text);
    if (verbose) await say(`LILO version ${version}, Copyright (C) 1992-1998 Werner Almesberger\n\n`);
    if (query) return queryMap(p);

    let text: string;
    try {
      text = await p.readText(config);
    } catch (e) {
      if (!(e instanceof SysError)) throw e;
      await p.err(`Fatal: open ${config}: ${e.message}\n`);
      return 1;
    }
    const parsed = parseLiloConf(text);
    if (!parsed.ok) {
      await p.err(`${parsed.errors[0]!.message.replace(`'/etc/lilo.conf'`, `'${config}'`)}\n`);
      return 1;
    }
    const conf = parsed.config;
    const bootDevice = conf.boot ?? '/dev/hda1';
    // lilo opens the disk for writing first of all: only root may.
    if (p.uid !== 0) { await p.err(`Fatal: open ${bootDevice}: Permission denied\n`); return 1; }
    if (conf.install !== undefined && !(await p.exists(conf.install))) { await p.err(`Fatal: open ${conf.install}: No such file or directory\n`); return 1; }
    const exists = new Set<string>();
    for (const s of conf.sections) if (s.kind === 'image' && await p.exists(s.path)) exists.add(s.path);
    if (conf.message !== undefined && await p.exists(conf.message)) exists.add(conf.message);
    const run = runLilo(conf, (path) => exists.has(path));
    if (verbose && run.bootTable) await say(`Reading boot sector from ${bootDevice}\nMerging with ${conf.install ?? '/boot/boot.b'}\n`);
    // The map records where each image's sectors lie on the disk: what is still only in the
    // cache must be there first.
    if (run.bootTable) await p.sync();
    const images: (ImageLocation | undefined)[] = [];
    for (const e of run.bootTable?.entries ?? []) {
      if (e.kind !== 'image') { images.push(undefined); continue; }
      const bytes = await p.readFile(e.image);
      const image = parseKernelImage(bytes);
      if ('error' in image) { await p.err(`Fatal: ${e.image} ${image.error}\n`); return 1; }
      const location = await mapImage(p, e.image, bytes.length);
      if (typeof location === 'string') { await p.err(`Fatal: ${location}\n`); return 1; }
      images.push(location);
      if (verbose) await say(`Boot image: ${e.image}\n`);
    }
    if (run.status !== 0 || !run.bootTable) {
      await p.out(run.output.split('\n').filter((l) => l && !l.startsWith('Fatal')).map((l) => `${l}\n`).join(''));
      await p.err(run.output.split('\n').filter((l) => l.startsWith('Fatal')).map((l) => `${l}\n`).join(''));
      return 1;
    }
    await say(run.output);
    if (test) {
      await say('The boot sector and the map file have *NOT* been altered.\n');
      return 0;
    }
    const record = encodeBootRecord({ table: run.bootTable, images });
    const failure = await writeBootRecord(p, bootDevice, record);
    if (failure) { await p.err(`Fatal: ${failure}\n`); return 1; }
    await p.writeFile(conf.map ?? '/boot/map', record.subarray(SECTOR), false, 0o600);
    if (verbose) await say(`Writing boot sector.\n`);
    return 0;
  };
}

const int32 = (value: number) => { const b = new Uint8Array(4); new DataView(b.buffer).setInt32(0, value, true); return b; };
const readInt32 = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset).getInt32(0, true);

/**
 * Where a kernel image lies on the disk, as LILO finds out: the file system's block of each
 * block of the file (FIBMAP), on the partition that holds it, which starts where HDIO_GETGEO says.
 * A string says why it cannot be mapped (LILO's Fatal).
 */
async function mapImage(p: Proc, path: string, size: number): Promise<ImageLocation | string> {
  const fd = await p.open(path, O_RDONLY);
  let dev: number;
  const blocks: number[] = [];
  let blockSize: number;
  try {
    dev = (await p.fstat(fd)).dev;
    blockSize = readInt32(await p.ioctlStruct(fd, FIGETBSZ, int32(0)));
    for (let i = 0; i < Math.ceil(size / blockSize); i++) {
      const block = readInt32(await p.ioctlStruct(fd, FIBMAP, int32(i)));
      if (block === 0) return `${path}: LILO cannot map a file with holes`;
      blocks.push(block);
    }
  } catch (e) {
    if (e instanceof SysError) return `ioctl FIBMAP ${path}: ${e.message}`;
    throw e;
  } finally {
    await p.close(fd);
  }
  const node = await blockDeviceNode(p, dev);
  if (!node) return `${path}: its file system's device ${MAJOR(dev)}:${MINOR(dev)} has no block device in /dev`;
  let start: number;
  try {
    const devFd = await p.open(node, O_RDONLY);
    try {
      start = new DataView((await p.ioctlStruct(devFd, HDIO_GETGEO, new Uint8Array(8))).buffer).getUint32(4, true);
    } finally {
      await p.close(devFd);
    }
  } catch (e) {
    if (e instanceof SysError) return `open ${node}: ${e.message}`;
    throw e;
  }
  return { kind: 'sectors', size, extents: extentsOf(start, blocks, blockSize / SECTOR) };
}

/** The block device node in /dev for device number `dev`, as LILO looks for one. */
async function blockDeviceNode(p: Proc, dev: number): Promise<string | undefined> {
  for (const name of await p.readdir('/dev')) {
    try {
      const st = await p.lstat(`/dev/${name}`);
      if ((st.mode & S_IFMT) === S_IFBLK && st.rdev === dev) return `/dev/${name}`;
    } catch (e) {
      if (!(e instanceof SysError)) throw e;
    }
  }
  return undefined;
}

/**
 * Writes the boot sector and the map through the boot device (the whole disk: the BIOS boots its
 * first sector), keeping the partition table, and fsyncs it. A string says why it could not.
 */
async function writeBootRecord(p: Proc, bootDevice: string, record: Uint8Array): Promise<string | undefined> {
  let fd: number;
  try {
    fd = await p.open(bootDevice, O_RDWR);
  } catch (e) {
    if (e instanceof SysError) return `open ${bootDevice}: ${e.message}`;
    throw e;
  }
  try {
    const st = await p.fstat(fd);
    if ((st.mode & S_IFMT) !== S_IFBLK || MINOR(st.rdev) !== 0) return `${bootDevice}: the BIOS boots the master boot record; install LILO there (boot=/dev/hda)`;
    const mbr = await p.read(fd, SECTOR);
    const first = firstPartitionStart(mbr);
    if (first === undefined) return `${bootDevice}: no partition table: no room for the map before the first partition`;
    let area: { bootSector: Uint8Array; map: Uint8Array };
    try {
      area = bootSectorAndMap(mbr, record, first);
    } catch (e) {
      if (e instanceof MapTooBig) return `${bootDevice}: ${e.message}`;
      throw e;
    }
    await p.lseek(fd, SECTOR, 0);
    await p.write(fd, area.map);
    await p.lseek(fd, 0, 0);
    await p.write(fd, area.bootSector);
    await p.fsync(fd);
    return undefined;
  } catch (e) {
    if (e instanceof SysError) return `${bootDevice}: ${e.message}`;
    throw e;
  } finally {
    await p.close(fd);
  }
}

/** lilo -q: the images in the map now on the disk, the default marked. */
async function queryMap(p: Proc): Promise<number> {
  let read: ReturnType<typeof decodeBootRecord>;
  try {
    read = decodeBootRecord(await readBootRecord(p, '/dev/hda'));
  } catch (e) {
    if (e instanceof SysError) { await p.err(`Fatal: open /dev/hda: ${e.message}\n`); return 1; }
    throw e;
  }
  if (!read.ok) { await p.err('Fatal: open /boot/map: No such file or directory\n'); return 1; }
  const table: BootTable = read.record.table;
  await p.out(table.entries.map((e) => `${e.label.padEnd(16)}${e.label === table.defaultLabel ? ' *' : ''}\n`).join(''));
  return 0;
}

/** The boot sector and the map, read through the disk's device. */
async function readBootRecord(p: Proc, device: string): Promise<Uint8Array> {
  const fd = await p.open(device, O_RDONLY);
  try {
    const mbr = await p.read(fd, SECTOR);
    const sectors = mapSectors(mbr);
    if (!sectors) return mbr;
    const out = new Uint8Array(SECTOR * (1 + sectors));
    out.set(mbr);
    out.set(await p.read(fd, sectors * SECTOR), SECTOR);
    return out;
  } finally {
    await p.close(fd);
  }
}

/** The files the boot needs, as installed: lilo.conf, the stock kernel and its link, and boot.b (the installer's lilo run writes the map). */
export function installBootFiles(k: Kernel): void {
  const { release, version } = k.release;
  k.writeSystemFile('/etc/lilo.conf', defaultLiloConf(k.personality === '2.2'));
  k.writeSystemFile(stockKernelPath(release), stockKernelImage(release, version));
  k.vfs.symlink(stockKernelPath(release).slice('/boot/'.length), KERNEL_PATH, '/', { uid: 0, gid: 0 });
  const bootSector = new Uint8Array(SECTOR);
  bootSector.set(new TextEncoder().encode('LILO'), 6);
  bootSector[510] = 0x55;
  bootSector[511] = 0xaa;
  k.writeSystemFile('/boot/boot.b', bootSector);
}
