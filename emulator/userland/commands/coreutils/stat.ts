// stat (GNU's default layout and -c/--format, --printf), readlink and realpath.
import type { Proc, StatInfo } from '../../libc.js';
import { SysError } from '../../libc.js';
import { MAJOR, MINOR, S_IFBLK, S_IFCHR, S_IFLNK, S_IFMT, S_IFDIR } from './sys-stat.js';
import { Tool, UserDb, errorText, quoteAlways, quoteIfNeeded } from './common.js';
import { fileTypeName, modeString } from './mode.js';
import { statTimestamp } from './date.js';

const STAT_HELP = `Usage: PROG [OPTION]... FILE...
Display file or file system status.

  -L, --dereference     follow links
  -c  --format=FORMAT   use the specified FORMAT instead of the default;
                          output a newline after each use of FORMAT
      --printf=FORMAT   like --format, but interpret backslash escapes,
                          and do not output a mandatory trailing newline
  -t, --terse           print the information in terse form
      --help        display this help and exit
      --version     output version information and exit

The valid format sequences for files:

  %a   permission bits in octal
  %A   permission bits and file type in human readable form
  %b   number of blocks allocated (see %B)
  %B   the size in bytes of each block reported by %b
  %d   device number in decimal
  %D   device number in hex
  %f   raw mode in hex
  %F   file type
  %g   group ID of owner
  %G   group name of owner
  %h   number of hard links
  %i   inode number
  %n   file name
  %N   quoted file name with dereference if symbolic link
  %o   optimal I/O transfer size hint
  %s   total size, in bytes
  %r   device type in decimal (st_rdev)
  %t   major device type in hex, for character/block device special files
  %T   minor device type in hex, for character/block device special files
  %u   user ID of owner
  %U   user name of owner
  %x   time of last access, human-readable
  %X   time of last access, seconds since Epoch
  %y   time of last data modification, human-readable
  %Y   time of last data modification, seconds since Epoch
  %z   time of last status change, human-readable
  %Z   time of last status change, seconds since Epoch
`;

/** What stat needs beyond StatInfo: the device of the file system holding the file. */
interface FileInfo {
  name: string;
  st: StatInfo;
  dev: number;
  linkTarget?: string;
}

/** st_dev: the superblock's device, found through the VFS (libc's StatInfo lacks it). */
function deviceOf(p: Proc, path: string, follow: boolean): number {
  try {
    return p.kernel.vfs.lookup(path, p.cwd, p.kernel.cred(p.task), follow).inode.sb.dev;
  } catch {
    return 0;
  }
}


async function directive(users: UserDb, f: FileInfo, conv: string, sub: string): Promise<string> {
  const st = f.st;
  switch (conv) {
    case 'a': return (st.mode & 0o7777).toString(8);
    case 'A': return modeString(st.mode);
    case 'b': return String(st.blocks);
    case 'B': return '512';
    case 'd': return sub === 'H' ? String(MAJOR(f.dev)) : sub === 'L' ? String(MINOR(f.dev)) : String(f.dev);
    case 'D': return f.dev.toString(16);
    case 'f': return st.mode.toString(16);
    case 'F': return fileTypeName(st.mode, st.size);
    case 'g': return String(st.gid);
    case 'G': return users.groupName(st.gid);
    case 'h': return String(st.nlink);
    case 'i': return String(st.ino);
    case 'n': return f.name;
    case 'N': return quoteIfNeeded(f.name) + (f.linkTarget !== undefined ? ` -> ${quoteIfNeeded(f.linkTarget)}` : '');
    case 'o': return String(st.blksize);
    case 's': return String(st.size);
    case 'r': return sub === 'H' ? String(MAJOR(st.rdev)) : sub === 'L' ? String(MINOR(st.rdev)) : String(st.rdev);
    case 't': return MAJOR(st.rdev).toString(16);
    case 'T': return MINOR(st.rdev).toString(16);
    case 'u': return String(st.uid);
    case 'U': return users.userName(st.uid);
    case 'w': return '-';
    case 'W': return '0';
    case 'x': case 'y': case 'z': return statTimestamp(st.mtimeNs);
    case 'X': case 'Y': case 'Z': return String(Math.floor(st.mtimeNs / 1e9));
    case 'm': return '/';
    default: return '?';
  }
}

/** Expands a --format string: %[-#+ 0]*[width][.prec][HL]?conversion. */
async function expandFormat(users: UserDb, f: FileInfo, format: string): Promise<string> {
  let out = '';
  for (let i = 0; i < format.length; i++) {
    const c = format[i]!;
    if (c !== '%') { out += c; continue; }
    const m = /^([-#+ 0]*)(\d*)(?:\.(\d+))?([HL]?)(.)?/.exec(format.slice(i + 1))!;
    i += m[0].length;
    const [, flags, width, , sub, conv] = m;
    if (conv === undefined) { out += '%'; break; }
    if (conv === '%') { out += '%'; continue; }
    let value = await directive(users, f, conv, sub!);
    if (conv === 'a' && flags!.includes('#') && !value.startsWith('0')) value = '0' + value;
    const w = Number(width || 0);
    if (value.length < w) {
      value = flags!.includes('-') ? value.padEnd(w) : flags!.includes('0') && /^\d+$/.test(value) ? value.padStart(w, '0') : value.padStart(w);
    }
    out += value;
  }
  return out;
}

async function defaultLayout(users: UserDb, f: FileInfo): Promise<string> {
  const st = f.st;
  const type = st.mode & S_IFMT;
  const device = type === S_IFCHR || type === S_IFBLK;
  const formats = [
    '  File: %N',
    '  Size: %-10s\tBlocks: %-10b IO Block: %-6o %F',
    device ? 'Device: %Hd,%Ld\tInode: %-11i Links: %-5h Device type: %Hr,%Lr' : 'Device: %Hd,%Ld\tInode: %-11i Links: %h',
    'Access: (%04a/%10.10A)  Uid: (%5u/%8U)   Gid: (%5g/%8G)',
    'Access: %x',
    'Modify: %y',
    'Change: %z',
    ' Birth: %w',
  ];
  return (await expandFormat(users, f, formats.join('\n'))) + '\n';
}

/** Backslash escapes of --printf. */
function printfEscapes(s: string): string {
  const map: Record<string, string> = { n: '\n', t: '\t', '\\': '\\', a: '\x07', b: '\b', f: '\f', r: '\r', v: '\v', '"': '"', e: '\x1b' };
  return s.replace(/\\([0-7]{1,3}|x[0-9a-fA-F]{1,2}|.)/g, (_, e: string) => {
    if (/^[0-7]/.test(e)) return String.fromCharCode(parseInt(e, 8));
    if (e.startsWith('x') && e.length > 1) return String.fromCharCode(parseInt(e.slice(1), 16));
    return map[e] ?? `\\${e}`;
  });
}

export async function stat(p: Proc, argv: string[]): Promise<number> {
  const t = new Tool(p, argv, 'stat', STAT_HELP);
  const parsed = await t.parse(argv, 'c:fLt', [
    { name: 'dereference', key: 'L' },
    { name: 'format', key: 'c', arg: 'required' },
    { name: 'printf', key: 'printf', arg: 'required' },
    { name: 'terse', key: 't' },
    { name: 'file-system', key: 'f' },
  ]);
  if (typeof parsed === 'number') return parsed;
  const follow = parsed.options.some((o) => o.key === 'L');
  const terse = parsed.options.some((o) => o.key === 't');
  let format: string | undefined;
  let newline = true;
  for (const o of parsed.options) {
    if (o.key === 'c') { format = o.value!; newline = true; }
    if (o.key === 'printf') { format = printfEscapes(o.value!); newline = false; }
  }
  if (terse && format === undefined) format = '%n %s %b %f %u %g %D %i %h %t %T %X %Y %Z %W %o';
  if (!parsed.operands.length) return t.usage('missing operand');
  const users = new UserDb(p);
  for (const name of parsed.operands) {
    let st: StatInfo;
    try {
      st = follow ? await p.stat(name) : await p.lstat(name);
    } catch (e) {
      await t.error(`cannot statx ${quoteAlways(name)}: ${errorText(e)}`);
      continue;
    }
    const f: FileInfo = { name, st, dev: deviceOf(p, name, follow) };
    if ((st.mode & S_IFMT) === S_IFLNK) f.linkTarget = await p.readlink(name).catch((e: unknown) => { errorText(e); return undefined; });
    await p.out(format === undefined ? await defaultLayout(users, f) : (await expandFormat(users, f, format)) + (newline ? '\n' : ''));
  }
  return t.status;
}

// ---- readlink, realpath ---------------------------------------------------------------------

/**
 * Resolves every symbolic link and '.'/'..' in a path (canonicalize_filename_mode). `mode`:
 * 'existing' (-e: all must exist), 'parents' (-f: all but the last), 'missing' (-m: none).
 */
export async function canonicalize(p: Proc, path: string, mode: 'existing' | 'parents' | 'missing'): Promise<string> {
  const pending = (path.startsWith('/') ? path : `${p.cwd}/${path}`).split('/').filter((s) => s !== '');
  const parts: string[] = [];
  let links = 0;
  while (pending.length) {
    const part = pending.shift()!;
    if (part === '.') continue;
    if (part === '..') { parts.pop(); continue; }
    const candidate = '/' + [...parts, part].join('/');
    let st: StatInfo | undefined;
    try {
      st = await p.lstat(candidate);
    } catch (e) {
      if (!(e instanceof SysError)) throw e;
      if (mode === 'existing' || (mode === 'parents' && pending.length)) throw e;
      parts.push(part);
      continue;
    }
    if ((st.mode & S_IFMT) === S_IFLNK) {
      if (++links > 40) throw new SysError(40);
      const target = await p.readlink(candidate);
      if (target.startsWith('/')) parts.length = 0;
      pending.unshift(...target.split('/').filter((s) => s !== ''));
      continue;
    }
    if (pending.length && (st.mode & S_IFMT) !== S_IFDIR && mode !== 'missing') throw new SysError(20);
    parts.push(part);
  }
  return '/' + parts.join('/');
}

export async function readlink(p: Proc, argv: string[]): Promise<number> {
  const t = new Tool(p, argv, 'readlink', `Usage: PROG [OPTION]... FILE...\nPrint value of a symbolic link or canonical file name\n\n  -f, --canonicalize            canonicalize by following every symlink in\n                                every component of the given name recursively;\n                                all but the last component must exist\n  -e, --canonicalize-existing   canonicalize by following every symlink in\n                                every component of the given name recursively,\n                                all components must exist\n  -m, --canonicalize-missing    canonicalize by following every symlink in\n                                every component of the given name recursively,\n                                without requirements on components existence\n  -n, --no-newline              do not output the trailing delimiter\n  -q, --quiet\n  -s, --silent                  suppress most error messages (on by default)\n  -v, --verbose                 report error messages\n      --help        display this help and exit\n      --version     output version information and exit\n`);
  const parsed = await t.parse(argv, 'efmnqsvz', [
    { name: 'canonicalize', key: 'f' },
    { name: 'canonicalize-existing', key: 'e' },
    { name: 'canonicalize-missing', key: 'm' },
    { name: 'no-newline', key: 'n' },
    { name: 'quiet', key: 'q' },
    { name: 'silent', key: 's' },
    { name: 'verbose', key: 'v' },
    { name: 'zero', key: 'z' },
  ]);
  if (typeof parsed === 'number') return parsed;
  let mode: 'existing' | 'parents' | 'missing' | undefined;
  let verbose = false, noNewline = false;
  for (const o of parsed.options) {
    if (o.key === 'f') mode = 'parents';
    else if (o.key === 'e') mode = 'existing';
    else if (o.key === 'm') mode = 'missing';
    else if (o.key === 'v') verbose = true;
    else if (o.key === 'q' || o.key === 's') verbose = false;
    else if (o.key === 'n') noNewline = true;
  }
  if (!parsed.operands.length) return t.usage('missing operand');
  const eol = parsed.options.some((o) => o.key === 'z') ? '\0' : noNewline && parsed.operands.length === 1 ? '' : '\n';
  for (const name of parsed.operands) {
    try {
      const value = mode ? await canonicalize(p, name, mode) : await p.readlink(name);
      await p.out(value + eol);
    } catch (e) {
      const text = errorText(e);
      t.status = 1;
      if (verbose) await t.warn(`${name}: ${text}`);
    }
  }
  return t.status;
}

export async function realpath(p: Proc, argv: string[]): Promise<number> {
  const t = new Tool(p, argv, 'realpath', `Usage: PROG [OPTION]... FILE...\nPrint the resolved absolute file name;\nall but the last component must exist\n\n  -e, --canonicalize-existing  all components of the path must exist\n  -m, --canonicalize-missing   no path components need exist or be a directory\n  -q, --quiet                  suppress most error messages\n  -s, --strip, --no-symlinks   don't expand symlinks\n      --help        display this help and exit\n      --version     output version information and exit\n`);
  const parsed = await t.parse(argv, 'emqsz', [
    { name: 'canonicalize-existing', key: 'e' },
    { name: 'canonicalize-missing', key: 'm' },
    { name: 'quiet', key: 'q' },
    { name: 'strip', key: 's' },
    { name: 'no-symlinks', key: 's' },
    { name: 'zero', key: 'z' },
  ]);
  if (typeof parsed === 'number') return parsed;
  const keys = new Set(parsed.options.map((o) => o.key));
  const mode = keys.has('e') ? 'existing' : keys.has('m') ? 'missing' : 'parents';
  if (!parsed.operands.length) return t.usage('missing operand');
  for (const name of parsed.operands) {
    try {
      await p.out((await canonicalize(p, name, mode)) + (keys.has('z') ? '\0' : '\n'));
    } catch (e) {
      const text = errorText(e);
      if (keys.has('q')) t.status = 1;
      else await t.error(`${name}: ${text}`);
    }
  }
  return t.status;
}
