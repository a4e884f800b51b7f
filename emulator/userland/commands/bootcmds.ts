// /sbin/lilo, which writes LILO's boot sector and map from /etc/lilo.conf. The boot loader never
// reads lilo.conf: only what lilo last wrote to the disk counts.
import type { Kernel } from '../../kernel/kernel.js';
import { SysError, type Proc } from '../libc.js';
import { parseLiloConf, runLilo, type BootTable } from '../../boot/lilo.js';
import { decodeBootRecord, encodeBootRecord, MapTooBig } from '../../boot/boot-record.js';
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
    if (query) return queryMap(k, p);

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
    // Every image is read now: the map records where its sectors lie.
    const images: (Uint8Array | undefined)[] = [];
    for (const e of run.bootTable?.entries ?? []) {
      if (e.kind !== 'image') { images.push(undefined); continue; }
      const bytes = await p.readFile(e.image);
      const image = parseKernelImage(bytes);
      if ('error' in image) { await p.err(`Fatal: ${e.image} ${image.error}\n`); return 1; }
      images.push(bytes);
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
    if (!k.bootDisk) { await p.err(`Fatal: open ${bootDevice}: No such device or address\n`); return 1; }
    try {
      k.bootDisk.write(record);
    } catch (e) {
      if (!(e instanceof MapTooBig)) throw e;
      await p.err(`Fatal: ${bootDevice}: ${e.message}\n`);
      return 1;
    }
    await p.writeFile(conf.map ?? '/boot/map', record.subarray(SECTOR), false, 0o600);
    if (verbose) await say(`Writing boot sector.\n`);
    return 0;
  };
}

/** lilo -q: the images in the map now on the disk, the default marked. */
async function queryMap(k: Kernel, p: Proc): Promise<number> {
  const read = decodeBootRecord(k.bootDisk?.read());
  if (!read.ok) { await p.err('Fatal: open /boot/map: No such file or directory\n'); return 1; }
  const table: BootTable = read.record.table;
  await p.out(table.entries.map((e) => `${e.label.padEnd(16)}${e.label === table.defaultLabel ? ' *' : ''}\n`).join(''));
  return 0;
}

/** The files the boot needs, as installed: lilo.conf, the stock kernel and its link, boot.b and the map. */
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
  const record = k.bootDisk?.read();
  if (record) k.writeSystemFile('/boot/map', record.subarray(SECTOR), 0o600);
}
