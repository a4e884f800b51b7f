// fsck, e2fsck (fsck.ext2) and mke2fs (mkfs.ext2) on the machine's block devices, through the
// buffer cache as the real ones go through /dev/hda1: the checker and mkfs of the kernel's ext2
// (kernel/fs/ext2), with e2fsprogs' refusals. e2fsck will not touch a file system mounted
// read-write (the mounted root, read-only during the boot, is the one it may repair, and then
// asks for a reboot); mke2fs will not format a mounted one. The boot scripts check the root with
// the same code (userland/rc.ts).
import type { Kernel } from '../../kernel/kernel.js';
import { e2fsck as checkExt2, mke2fs as makeExt2, FSCK_ERROR, type E2fsckResult } from '../../kernel/fs/ext2/index.js';
import { mountedFs, mountsOfDevice } from '../../kernel/fs/namespace.js';
import { S_IFBLK, S_IFMT } from '../../kernel/fs/types.js';
import { SysError, type Proc } from '../libc.js';
import { parseFstab } from './mount.js';

/** FSCK_USAGE: a command line e2fsck cannot make sense of. */
const FSCK_USAGE = 16;

export type FsckMode = 'preen' | 'yes' | 'no';

/** The block device `path` names, or the complaint of `prog` about it. */
async function blockDevice(p: Proc, prog: string, path: string): Promise<number | string> {
  try {
    const st = await p.stat(path);
    if ((st.mode & S_IFMT) !== S_IFBLK) return `${prog}: ${path} is not a block special device.\n`;
    return st.rdev;
  } catch (e) {
    if (!(e instanceof SysError)) throw e;
    return prog === 'e2fsck'
      ? `e2fsck: ${e.message} while trying to open ${path}\nPossibly non-existent device?\n`
      : `${prog}: The file ${path} does not exist and no size was specified.\n`;
  }
}

/**
 * e2fsck of `device` as the program runs it: e2fsprogs' check_mount() first (a read-write mount
 * is refused, a read-only root may be repaired, -n only warns), then the check itself through the
 * buffer cache, whose writes reach the disk before it returns.
 */
export async function e2fsckDevice(k: Kernel, p: Proc, device: string, mode: FsckMode, force: boolean): Promise<E2fsckResult> {
  const dev = await blockDevice(p, 'e2fsck', device);
  if (typeof dev === 'string') return { output: dev, exitCode: FSCK_ERROR };
  const fs = mountedFs(k, dev);
  const isRoot = mountsOfDevice(k, dev).some((m) => m.path === '/');
  let warning = '';
  if (fs) {
    if (mode === 'no') warning = `Warning!  ${device} is mounted.\n`;
    else if (!(isRoot && fs.vfsSb.readOnly)) return { output: `${device} is mounted.\ne2fsck: Cannot continue, aborting.\n\n\n`, exitCode: FSCK_ERROR };
  }
  const io = k.block.blockIo(dev);
  try {
    const r = checkExt2(io, { mode, force, deviceName: device, now: Math.floor(k.wallTimeNs() / 1e9), isMountedRoot: isRoot && !!fs });
    io.sync();
    return { output: warning + r.output, exitCode: r.exitCode };
  } finally {
    io.close();
  }
}

/** The options e2fsck takes: -p/-a, -n, -y, -f (the rest are accepted and change nothing here). */
function parseCheckOptions(args: readonly string[]): { mode?: FsckMode; force: boolean; conflict: boolean; devices: string[] } {
  let mode: FsckMode | undefined;
  let force = false, conflict = false;
  const devices: string[] = [];
  for (const a of args) {
    if (!a.startsWith('-') || a === '-') { devices.push(a); continue; }
    for (const c of a.slice(1)) {
      const m: FsckMode | undefined = c === 'p' || c === 'a' ? 'preen' : c === 'n' ? 'no' : c === 'y' ? 'yes' : undefined;
      if (m) { if (mode && mode !== m) conflict = true; mode = m; }
      if (c === 'f') force = true;
    }
  }
  return { mode, force, conflict, devices };
}

/** e2fsck, fsck.ext2 and fsck: the wrapper's title, then each device's check; the status of all, OR-ed. */
export function fsck(k: Kernel) {
  return async (p: Proc, argv: string[]): Promise<number> => {
    const prog = (argv[0] ?? 'fsck').slice((argv[0] ?? '').lastIndexOf('/') + 1);
    const wrapper = prog === 'fsck';
    const args = argv.slice(1).filter((a) => !/^-[AVRTNsCM]+$/.test(a) && !a.startsWith('-t'));
    const o = parseCheckOptions(args);
    const all = argv.slice(1).some((a) => /^-[a-zA-Z]*A/.test(a));
    const skipRoot = argv.slice(1).some((a) => /^-[a-zA-Z]*R/.test(a));
    const quiet = argv.slice(1).some((a) => /^-[a-zA-Z]*T/.test(a));
    if (wrapper && !quiet) await p.out(k.personality === 'modern' ? 'fsck from util-linux 2.38.1\n' : 'Parallelizing fsck version 1.12 (9-Jul-98)\n');
    if (o.conflict) { await p.err('e2fsck: Only one of the options -p/-a, -n or -y may be specified.\n'); return FSCK_USAGE; }
    let devices = o.devices;
    if (all) {
      const fstab = parseFstab(await p.readText('/etc/fstab').catch(() => ''));
      devices = fstab.filter((e) => e.pass > 0 && e.type === 'ext2' && !(skipRoot && e.file === '/')).map((e) => e.spec);
    }
    if (!devices.length) {
      if (wrapper) return 0;
      await p.err(`Usage: ${prog} [-panyrcdfktvDFV] [-b superblock] [-B blocksize]\n\t\t[-l|-L bad_blocks_file] [-C fd] [-j external_journal]\n\t\t[-E extended-options] [-z undo_file] device\n`);
      return FSCK_USAGE;
    }
    if (p.uid !== 0) {
      // e2fsck opens the device for reading and writing: brw-rw---- root disk.
      for (const d of devices) await p.err(`e2fsck: Permission denied while trying to open ${d}\nYou must have r/w access to the filesystem or be root\n`);
      return FSCK_ERROR;
    }
    let mode = o.mode;
    if (!mode) {
      // Without -p, -n or -y e2fsck asks about every repair; here the questions are answered yes.
      if (!p.isatty(0)) { await p.err('e2fsck: need terminal for interactive repairs\n'); return FSCK_ERROR; }
      mode = 'yes';
    }
    let status = 0;
    for (const d of devices) {
      const r = await e2fsckDevice(k, p, d, mode, o.force);
      await p.out(r.output);
      status |= r.exitCode;
    }
    return status;
  };
}

/** mke2fs and mkfs.ext2: a new, empty ext2 on a block device that is not mounted. */
export function mke2fs(k: Kernel) {
  return async (p: Proc, argv: string[]): Promise<number> => {
    const prog = (argv[0] ?? 'mke2fs').slice((argv[0] ?? '').lastIndexOf('/') + 1);
    let quiet = false, label: string | undefined, reservedPercent: number | undefined, inodeRatio: number | undefined, inodes: number | undefined, verbose = false;
    const operands: string[] = [];
    const usage = async () => {
      await p.err(`Usage: ${prog} [-c|-l filename] [-b block-size] [-C cluster-size]\n\t[-i bytes-per-inode] [-I inode-size] [-J journal-options]\n\t[-G flex-group-size] [-N number-of-inodes] [-d root-directory]\n\t[-m reserved-blocks-percentage] [-o creator-os]\n\t[-g blocks-per-group] [-L volume-label] [-M last-mounted-directory]\n\t[-O feature[,...]] [-r fs-revision] [-E extended-option[,...]]\n\t[-t fs-type] [-T usage-type ] [-U UUID] [-e errors_behavior][-z undo_file]\n\t[-jnqvDFSV] device [blocks-count]\n`);
      return 1;
    };
    for (let i = 1; i < argv.length; i++) {
      const a = argv[i]!;
      const value = () => argv[++i];
      if (a === '-q') quiet = true;
      else if (a === '-v') verbose = true;
      else if (a === '-F') { /* force: there is no question to skip */ }
      else if (a === '-L') label = value();
      else if (a === '-m') reservedPercent = Number(value());
      else if (a === '-i') inodeRatio = Number(value());
      else if (a === '-N') inodes = Number(value());
      else if (a === '-t') { const t = value(); if (t !== 'ext2') { await p.err(`${prog}: invalid fs type '${t}': only ext2 is here\n`); return 1; } }
      else if (a.startsWith('-')) return usage();
      else operands.push(a);
    }
    const device = operands[0];
    if (!device || operands.length > 2) return usage();
    if (p.uid !== 0) { await p.err(`${prog}: Permission denied while trying to determine filesystem size\n`); return 1; }
    const dev = await blockDevice(p, prog, device);
    if (typeof dev === 'string') { await p.err(dev); return 1; }
    if (mountedFs(k, dev)) { await p.err(`${device} is mounted; will not make a filesystem here!\n`); return 1; }
    const io = k.block.blockIo(dev);
    try {
      const r = makeExt2(io, { now: Math.floor(k.wallTimeNs() / 1e9), label, reservedPercent, inodeRatio, inodes, verbose });
      io.sync();
      if (!quiet) await p.out(r.output);
    } catch (e) {
      if (e instanceof RangeError) { await p.err(`${prog}: ${e.message}\n`); return 1; }
      throw e;
    } finally {
      io.close();
    }
    return 0;
  };
}
