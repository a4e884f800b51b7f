// mount, umount and df: util-linux 2.38 and coreutils 9 on the modern machine, util-linux 2.9 and
// fileutils 3.16 on the 2.2 one. The modern tools read the kernel's table (/proc/mounts, which
// /etc/mtab links to); the 1998 ones keep /etc/mtab themselves (`mount -n` does not), as the boot
// scripts start it. `mount -a` mounts what /etc/fstab lists (without noauto), which is also what
// the boot scripts do (userland/rc.ts).
import type { Kernel } from '../../kernel/kernel.js';
import { MS_NODEV, MS_NOEXEC, MS_NOSUID, MS_RDONLY, MS_REMOUNT } from '../../kernel/fs/namespace.js';
import { EACCES, EBUSY, EINVAL, ENODEV, ENOENT, ENOTBLK, ENOTDIR, ENXIO, EPERM, EROFS } from '../../kernel/errno.js';
import { S_IFBLK, S_IFMT, S_IFREG } from '../../kernel/fs/types.js';
import { SysError, type Proc } from '../libc.js';

export interface FstabEntry {
  spec: string;
  file: string;
  type: string;
  options: string[];
  pass: number;
}

/** The lines of an fstab-format table (fstab, mtab, /proc/mounts); comments and blank lines skipped. */
export function parseFstab(text: string): FstabEntry[] {
  const out: FstabEntry[] = [];
  for (const line of text.split('\n')) {
    const t = line.trim();
    if (!t || t.startsWith('#')) continue;
    const [spec, file, type, options, , pass] = t.split(/\s+/);
    if (!spec || !file) continue;
    out.push({ spec, file, type: type ?? 'auto', options: (options ?? 'defaults').split(','), pass: Number(pass ?? 0) || 0 });
  }
  return out;
}

/** The mount(2) flags of an options list, and whether it asks for a remount. */
export function mountFlags(options: readonly string[]): number {
  let flags = 0;
  for (const o of options) {
    if (o === 'ro') flags |= MS_RDONLY;
    else if (o === 'rw') flags &= ~MS_RDONLY;
    else if (o === 'nosuid') flags |= MS_NOSUID;
    else if (o === 'nodev') flags |= MS_NODEV;
    else if (o === 'noexec') flags |= MS_NOEXEC;
    else if (o === 'remount') flags |= MS_REMOUNT;
  }
  return flags;
}

async function readTable(p: Proc, path: string): Promise<FstabEntry[]> {
  try {
    return parseFstab(await p.readText(path));
  } catch (e) {
    if (e instanceof SysError) return [];
    throw e;
  }
}

/** The mounted file systems as `mount` lists them: /etc/mtab when it is a table of its own (2.2), else the kernel's. */
async function mountedTable(p: Proc): Promise<FstabEntry[]> {
  if (await ownMtab(p)) {
    const mtab = await readTable(p, '/etc/mtab');
    if (mtab.length) return mtab;
  }
  return readTable(p, '/proc/mounts');
}

/** /etc/mtab is a file the tools keep (not a link to the kernel's table). */
async function ownMtab(p: Proc): Promise<boolean> {
  try {
    return ((await p.lstat('/etc/mtab')).mode & S_IFMT) === S_IFREG;
  } catch (e) {
    if (e instanceof SysError) return false;
    throw e;
  }
}

/** Updates /etc/mtab after a mount, remount or umount (`line` undefined removes the entry of `file`). */
export async function updateMtab(p: Proc, file: string, line: string | undefined): Promise<void> {
  if (!(await ownMtab(p))) return;
  const text = await p.readText('/etc/mtab');
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  const at = lines.map((l) => l.split(/\s+/)[1]).lastIndexOf(file);
  if (line === undefined) { if (at >= 0) lines.splice(at, 1); }
  else if (at >= 0) lines[at] = line;
  else lines.push(line);
  try {
    await p.writeFile('/etc/mtab', lines.map((l) => `${l}\n`).join(''));
  } catch (e) {
    // A read-only root: the table stays as it was (what mount -n does on purpose).
    if (!(e instanceof SysError)) throw e;
  }
}

interface Words {
  modern: boolean;
  prog: string;
}

/** util-linux's words for a failed mount(2). */
function mountError(w: Words, errno: number, source: string, target: string, type: string): string {
  if (w.modern) {
    const at = `mount: ${target}: `;
    switch (errno) {
      case EPERM: return `${at}must be superuser to use mount.`;
      case ENODEV: return `${at}unknown filesystem type '${type}'.`;
      case ENOTBLK: return `${at}${source} is not a block device.`;
      case ENXIO: return `${at}special device ${source} does not exist.`;
      case EBUSY: return `${at}${source} already mounted or mount point busy.`;
      case ENOTDIR: return `${at}mount point is not a directory.`;
      case EROFS: return `${at}cannot mount ${source} read-only.`;
      case EACCES: return `${at}permission denied.`;
      default: return `${at}wrong fs type, bad option, bad superblock on ${source}, missing codepage or helper program, or other error.\n       dmesg(1) may have more information after failed mount system call.`;
    }
  }
  switch (errno) {
    case EPERM: return 'mount: only root can do that';
    case ENODEV: return `mount: fs type ${type} not supported by kernel`;
    case ENOTBLK: return `mount: ${source} is not a block device`;
    case ENXIO: return `mount: special device ${source} does not exist`;
    case EBUSY: return `mount: ${source} already mounted or ${target} busy`;
    case ENOTDIR: return `mount: mount point ${target} is not a directory`;
    default: return `mount: wrong fs type, bad option, bad superblock on ${source},\n       or too many mounted file systems`;
  }
}

/**
 * Mounts one file system as mount(8) does: the call, then /etc/mtab (unless `noMtab`). Returns
 * 0, or 32 after printing util-linux's complaint.
 */
export async function mountOne(p: Proc, w: Words, e: { spec: string; file: string; type: string; options: string[] }, noMtab = false): Promise<number> {
  const flags = mountFlags(e.options);
  try {
    await p.mount(e.spec, e.file, e.type, flags);
  } catch (err) {
    if (!(err instanceof SysError)) throw err;
    if (err.errno === ENOENT) {
      const missingSource = e.type === 'ext2' && !(await p.exists(e.spec));
      await p.err(`${w.modern
        ? `mount: ${e.file}: ${missingSource ? `special device ${e.spec} does not exist` : 'mount point does not exist'}.`
        : missingSource ? `mount: special device ${e.spec} does not exist` : `mount: mount point ${e.file} does not exist`}\n`);
      return 32;
    }
    await p.err(`${mountError(w, err.errno, e.spec, e.file, e.type)}\n`);
    return 32;
  }
  if (!noMtab) {
    const opts = e.options.filter((o) => o !== 'defaults' && o !== 'remount' && o !== 'noauto');
    const rw = flags & MS_RDONLY ? 'ro' : 'rw';
    const rest = opts.filter((o) => o !== 'ro' && o !== 'rw');
    const current = (await mountedTable(p)).filter((m) => m.file === e.file).pop();
    const spec = flags & MS_REMOUNT && current ? current.spec : e.spec;
    const type = flags & MS_REMOUNT && current ? current.type : e.type;
    await updateMtab(p, e.file, `${spec} ${e.file} ${type} ${[rw, ...rest].join(',')} 0 0`);
  }
  return 0;
}

/** mount -a: everything /etc/fstab lists that is not mounted yet (nor noauto). The worst status. */
export async function mountAll(p: Proc, w: Words, opts: { types?: string[]; noMtab?: boolean; verbose?: boolean } = {}): Promise<number> {
  let status = 0;
  const mounted = new Set((await readTable(p, '/proc/mounts')).map((m) => m.file));
  for (const e of await readTable(p, '/etc/fstab')) {
    if (e.file === '/' || e.options.includes('noauto') || mounted.has(e.file)) continue;
    if (opts.types && !opts.types.includes(e.type)) continue;
    const r = await mountOne(p, w, e, opts.noMtab);
    if (r === 0 && opts.verbose) await p.out(w.modern ? `${e.file.padEnd(24)}: successfully mounted\n` : `mount: ${e.spec} on ${e.file} type ${e.type} (${e.options.join(',')})\n`);
    status |= r;
    mounted.add(e.file);
  }
  return status;
}

const MOUNT_USAGE_MODERN = `
Usage:
 mount [-lhV]
 mount -a [options]
 mount [options] [--source] <source> | [--target] <directory>
 mount [options] <source> <directory>

Mount a filesystem.
`;
const MOUNT_USAGE_22 = `Usage: mount [-hV]
       mount -a [-nfFrsvw] [-t vfstypes]
       mount [-nfrsvw] [-o options] special | node
       mount [-nfrsvw] [-t vfstype] [-o options] special node
`;

export function mount(k: Kernel) {
  return async (p: Proc, argv: string[]): Promise<number> => {
    const w: Words = { modern: k.personality === 'modern', prog: 'mount' };
    let all = false, noMtab = false, verbose = false, type: string | undefined;
    const options: string[] = [];
    const operands: string[] = [];
    for (let i = 1; i < argv.length; i++) {
      const a = argv[i]!;
      if (a === '-t') { type = argv[++i]; if (type === undefined) return usage(); continue; }
      if (a === '-o') { const o = argv[++i]; if (o === undefined) return usage(); options.push(...o.split(',')); continue; }
      if (a.startsWith('-t') && a.length > 2) { type = a.slice(2); continue; }
      if (a.startsWith('-o') && a.length > 2) { options.push(...a.slice(2).split(',')); continue; }
      if (/^-[anrvwl]+$/.test(a)) {
        for (const c of a.slice(1)) {
          if (c === 'a') all = true; else if (c === 'n') noMtab = true; else if (c === 'v') verbose = true;
          else if (c === 'r') options.push('ro'); else if (c === 'w') options.push('rw');
        }
        continue;
      }
      if (a.startsWith('-')) return usage();
      operands.push(a);
    }
    async function usage(): Promise<number> {
      await p.err(w.modern ? MOUNT_USAGE_MODERN : MOUNT_USAGE_22);
      return 1;
    }
    if (all) {
      if (p.uid !== 0) { await p.err(w.modern ? 'mount: only root can use "--all" option\n' : 'mount: only root can do that\n'); return 1; }
      return mountAll(p, w, { types: type?.split(','), noMtab, verbose });
    }
    if (operands.length === 0) {
      if (options.length) return usage();
      for (const m of await mountedTable(p)) {
        if (type && m.type !== type) continue;
        await p.out(`${m.spec} on ${m.file} type ${m.type} (${m.options.join(',')})\n`);
      }
      return 0;
    }
    if (operands.length > 2) return usage();
    let spec: string, file: string;
    let t = type;
    if (operands.length === 2) {
      [spec, file] = operands as [string, string];
    } else {
      // One operand: the other half comes from fstab (or, for a remount, from what is mounted).
      const one = operands[0]!;
      const tables = options.includes('remount') ? [...await mountedTable(p), ...await readTable(p, '/etc/fstab')] : await readTable(p, '/etc/fstab');
      const e = tables.find((x) => x.file === one || x.spec === one);
      if (!e) {
        await p.err(w.modern ? `mount: ${one}: can't find in /etc/fstab.\n` : `mount: can't find ${one} in /etc/fstab or /etc/mtab\n`);
        return 1;
      }
      spec = e.spec;
      file = e.file;
      t ??= e.type;
      if (!options.includes('remount')) options.unshift(...e.options);
    }
    if (p.uid !== 0) { await p.err(`${mountError(w, EPERM, spec, file, t ?? '')}\n`); return 1; }
    if (!t || t === 'auto') t = await guessType(p, spec);
    if (!t) {
      await p.err(w.modern ? `mount: ${file}: can't find ${spec}.\n` : 'mount: you must specify the filesystem type\n');
      return 32;
    }
    const r = await mountOne(p, w, { spec, file, type: t, options }, noMtab);
    if (r === 0 && verbose) await p.out(`mount: ${spec} mounted on ${file}.\n`);
    return r;
  };
}

/** blkid's part: a block device holds ext2 (the only disk file system there is here). */
async function guessType(p: Proc, spec: string): Promise<string | undefined> {
  try {
    const st = await p.stat(spec);
    return (st.mode & S_IFMT) === S_IFBLK ? 'ext2' : undefined;
  } catch (e) {
    if (e instanceof SysError) return undefined;
    throw e;
  }
}

/** The mount point of `arg`: itself, or where the device it names is mounted (the newest mount). */
async function mountPointOf(p: Proc, arg: string): Promise<string> {
  let st;
  try {
    st = await p.stat(arg);
  } catch (e) {
    if (e instanceof SysError) return arg;
    throw e;
  }
  if ((st.mode & S_IFMT) !== S_IFBLK) return arg;
  const mounts = await readTable(p, '/proc/mounts');
  for (const m of [...mounts].reverse()) {
    try {
      if ((await p.stat(m.file)).dev === st.rdev) return m.file;
    } catch (e) {
      if (!(e instanceof SysError)) throw e;
    }
  }
  return arg;
}

export function umount(k: Kernel) {
  return async (p: Proc, argv: string[]): Promise<number> => {
    const modern = k.personality === 'modern';
    let noMtab = false;
    const operands: string[] = [];
    for (const a of argv.slice(1)) {
      if (/^-[nvfl]+$/.test(a)) { if (a.includes('n')) noMtab = true; continue; }
      if (a.startsWith('-')) { await p.err(modern ? 'Usage:\n umount [-hV]\n umount -a [options]\n umount [options] <source> | <directory>\n' : 'Usage: umount [-hV]\n       umount -a [-r] [-n] [-v] [-t vfstypes]\n       umount [-r] [-n] [-v] special | node...\n'); return 1; }
      operands.push(a);
    }
    if (!operands.length) { await p.err(modern ? 'umount: bad usage\nTry \'umount --help\' for more information.\n' : 'Usage: umount [-hV]\n'); return 1; }
    let status = 0;
    for (const arg of operands) {
      const target = await mountPointOf(p, arg);
      try {
        await p.umount(target);
      } catch (e) {
        if (!(e instanceof SysError)) throw e;
        const text: Record<number, [string, string]> = {
          [EINVAL]: [`umount: ${arg}: not mounted.`, `umount: ${arg}: not mounted`],
          [EBUSY]: [`umount: ${target}: target is busy.`, `umount: ${target}: device is busy`],
          [EPERM]: [`umount: ${arg}: must be superuser to unmount.`, `umount: ${arg}: must be superuser to umount`],
          [ENOENT]: [`umount: ${arg}: no mount point specified.`, `umount: ${arg}: not found`],
        };
        const [m, old] = text[e.errno] ?? [`umount: ${arg}: ${e.message}.`, `umount: ${arg}: ${e.message}`];
        await p.err(`${modern ? m : old}\n`);
        status = 32;
        continue;
      }
      if (!noMtab) await updateMtab(p, target, undefined);
    }
    return status;
  };
}

const DF_USAGE = 'Usage: df [OPTION]... [FILE]...\n';

/** df: the sizes of the mounted file systems (those that have blocks), or of those holding FILEs. */
export function df(k: Kernel) {
  return (p: Proc, argv: string[]) => dfMain(p, argv, k.personality === 'modern');
}

async function dfMain(p: Proc, argv: string[], modern: boolean): Promise<number> {
  let human = false, inodes = false, showType = false, all = false;
  const files: string[] = [];
  for (const a of argv.slice(1)) {
    if (a === '--help') { await p.out(DF_USAGE); return 0; }
    if (/^-[hikTaP]+$/.test(a)) {
      for (const c of a.slice(1)) { if (c === 'h') human = true; else if (c === 'i') inodes = true; else if (c === 'T') showType = true; else if (c === 'a') all = true; }
      continue;
    }
    if (a.startsWith('-')) { await p.err(`df: invalid option -- '${a.slice(1, 2)}'\nTry 'df --help' for more information.\n`); return 1; }
    files.push(a);
  }
  let status = 0;
  const table = await mountedTable(p);
  const rows: { source: string; type: string; file: string; s: Awaited<ReturnType<Proc['statfs']>> }[] = [];
  if (files.length) {
    for (const f of files) {
      let s;
      try { s = await p.statfs(f); } catch (e) {
        if (!(e instanceof SysError)) throw e;
        await p.err(`df: ${f}: ${e.message}\n`);
        status = 1;
        continue;
      }
      // The mount holding the file: the longest mount point that prefixes its path.
      const abs = f.startsWith('/') ? f : `${p.cwd}/${f}`;
      const m = [...table].filter((x) => abs === x.file || abs.startsWith(x.file === '/' ? '/' : `${x.file}/`)).sort((a, b) => b.file.length - a.file.length)[0];
      rows.push({ source: m?.spec ?? '-', type: s.type, file: m?.file ?? '/', s });
    }
  } else {
    for (const m of table) {
      let s;
      try { s = await p.statfs(m.file); } catch (e) {
        if (e instanceof SysError) continue;
        throw e;
      }
      if (!all && s.blocks === 0) continue;
      rows.push({ source: m.spec, type: s.type, file: m.file, s });
    }
  }
  const kib = (blocks: number, bs: number) => Math.ceil((blocks * bs) / 1024);
  const humanSize = (kb: number) => {
    if (kb < 1024) return `${kb}K`;
    const units = ['M', 'G', 'T'];
    let v = kb / 1024, u = 0;
    while (v >= 1024 && u < units.length - 1) { v /= 1024; u++; }
    return v < 10 ? `${Math.ceil(v * 10) / 10}${units[u]}` : `${Math.ceil(v)}${units[u]}`;
  };
  const cells = rows.map(({ source, type, file, s }) => {
    const total = inodes ? s.files : kib(s.blocks, s.blockSize);
    const free = inodes ? s.freeFiles : kib(s.freeBlocks, s.blockSize);
    const avail = inodes ? s.freeFiles : kib(s.availBlocks, s.blockSize);
    const used = total - free;
    const pct = used + avail > 0 ? `${Math.ceil((used * 100) / (used + avail))}%` : '-';
    const fmt = (n: number) => (human && !inodes ? humanSize(n) : String(n));
    return { source, type, total: fmt(total), used: fmt(used), avail: fmt(avail), pct, file };
  });
  if (!modern) {
    const head = inodes ? 'Filesystem           Inodes   IUsed   IFree  %IUsed Mounted on' : `Filesystem         ${'1024-blocks'}  Used Available Capacity Mounted on`;
    await p.out(`${head}\n`);
    for (const c of cells) {
      const name = c.source.length > 18 ? `${c.source}\n${' '.repeat(18)}` : c.source.padEnd(18);
      await p.out(`${name} ${c.total.padStart(11)} ${c.used.padStart(7)} ${c.avail.padStart(9)} ${c.pct.padStart(7)}   ${c.file}\n`);
    }
    return status;
  }
  const header = { source: 'Filesystem', type: 'Type', total: inodes ? 'Inodes' : human ? 'Size' : '1K-blocks', used: inodes ? 'IUsed' : 'Used', avail: inodes ? 'IFree' : human ? 'Avail' : 'Available', pct: inodes ? 'IUse%' : 'Use%', file: 'Mounted on' };
  const all2 = [header, ...cells];
  const width = (key: keyof typeof header) => Math.max(...all2.map((c) => c[key].length));
  const wSource = Math.max(14, width('source'));
  for (const c of all2) {
    const cols = [c.source.padEnd(wSource)];
    if (showType) cols.push(c.type.padEnd(width('type')));
    cols.push(c.total.padStart(width('total')), c.used.padStart(width('used')), c.avail.padStart(width('avail')), c.pct.padStart(width('pct')), c.file);
    await p.out(`${cols.join(' ')}\n`);
  }
  return status;
}

