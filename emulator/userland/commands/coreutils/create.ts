// Commands that create names: mkdir, mknod, ln, touch.
import type { Proc } from '../../libc.js';
import { O_CREAT, O_WRONLY, SysError } from '../../libc.js';
import { MKDEV, S_IFBLK, S_IFCHR, S_IFDIR, S_IFIFO, S_IFMT } from './sys-stat.js';
import { Tool, umaskOf, baseName, errnoOf, errorText, joinPath, quote, quoteAlways, quoteIfNeeded } from './common.js';
import { compileMode, type ModeSpec } from './mode.js';
import { parseDate } from './date.js';

const EEXIST = 17, ENOENT = 2, EACCES = 13, EPERM = 1, ENOTDIR = 20;

async function modeOption(t: Tool, text: string | undefined): Promise<ModeSpec | number | undefined> {
  if (text === undefined) return undefined;
  const spec = compileMode(text);
  if (!spec) { await t.warn(`invalid mode ${quote(text)}`); return 1; }
  return spec;
}

// ---- mkdir ------------------------------------------------------------------------------

const MKDIR_HELP = `Usage: PROG [OPTION]... DIRECTORY...
Create the DIRECTORY(ies), if they do not already exist.

  -m, --mode=MODE   set file mode (as in chmod), not a=rwx - umask
  -p, --parents     no error if existing, make parent directories as needed,
                    with their file modes unaffected by any -m option
  -v, --verbose     print a message for each created directory
      --help        display this help and exit
      --version     output version information and exit
`;

export async function mkdir(p: Proc, argv: string[]): Promise<number> {
  const t = new Tool(p, argv, 'mkdir', MKDIR_HELP);
  const parsed = await t.parse(argv, 'm:pvZ', [
    { name: 'mode', key: 'm', arg: 'required' },
    { name: 'parents', key: 'p' },
    { name: 'verbose', key: 'v' },
  ]);
  if (typeof parsed === 'number') return parsed;
  const parents = parsed.options.some((o) => o.key === 'p');
  const verbose = parsed.options.some((o) => o.key === 'v');
  const spec = await modeOption(t, parsed.options.filter((o) => o.key === 'm').pop()?.value);
  if (typeof spec === 'number') return spec;
  if (!parsed.operands.length) return t.usage('missing operand');
  const umask = umaskOf(p);
  const created = async (dir: string) => { if (verbose) await p.out(`${t.name}: created directory ${quoteAlways(dir)}\n`); };

  for (const dir of parsed.operands) {
    let failed = false;
    if (parents) {
      // Ancestors get u+wx on top of the umask'd default, so the next level can be made.
      const parts = dir.replace(/\/+$/, '').split('/');
      for (let k = 1; k < parts.length; k++) {
        const ancestor = parts.slice(0, k).join('/');
        if (ancestor === '' || parts[k - 1] === '' || parts[k - 1] === '.') continue;
        try {
          await p.mkdir(ancestor, 0o777);
          if ((~umask & 0o300) !== 0o300) await p.chmod(ancestor, (0o777 & ~umask) | 0o300);
          await created(ancestor);
        } catch (e) {
          const text = errorText(e);
          if (errnoOf(e) === EEXIST && (await isDirectory(p, ancestor))) continue;
          await t.error(`cannot create directory ${quoteAlways(ancestor)}: ${errnoOf(e) === EEXIST ? errorText(new SysError(ENOTDIR)) : text}`);
          failed = true;
          break;
        }
      }
    }
    if (failed) continue;
    try {
      await p.mkdir(dir, 0o777);
    } catch (e) {
      if (parents && errnoOf(e) === EEXIST && (await isDirectory(p, dir))) continue;
      await t.error(`cannot create directory ${quoteAlways(dir)}: ${errorText(e)}`);
      continue;
    }
    await created(dir);
    if (spec) {
      try {
        await p.chmod(dir, spec.apply(0o777, true, umask));
      } catch (e) {
        await t.error(`cannot set permissions of ${quoteAlways(dir)}: ${errorText(e)}`);
      }
    }
  }
  return t.status;
}

async function isDirectory(p: Proc, path: string): Promise<boolean> {
  try { return ((await p.stat(path)).mode & S_IFMT) === S_IFDIR; } catch (e) { if (e instanceof SysError) return false; throw e; }
}

// ---- mknod ----------------------------------------------------------------------------------

const MKNOD_HELP = `Usage: PROG [OPTION]... NAME TYPE [MAJOR MINOR]
Create the special file NAME of the given TYPE.

  -m, --mode=MODE    set file permission bits to MODE, not a=rw - umask
      --help        display this help and exit
      --version     output version information and exit

Both MAJOR and MINOR must be specified when TYPE is b, c, or u, and they
must be omitted when TYPE is p.  If MAJOR or MINOR begins with 0x or 0X,
it is interpreted as hexadecimal; otherwise, if it begins with 0, as octal;
otherwise, as decimal.  TYPE may be:

  b      create a block (buffered) special file
  c, u   create a character (unbuffered) special file
  p      create a FIFO
`;

/** strtoumax with base 0: decimal, 0x hexadecimal, 0 octal. */
function parseDeviceNumber(text: string): number | undefined {
  if (/^0[xX][0-9a-fA-F]+$/.test(text)) return parseInt(text.slice(2), 16);
  if (/^0[0-7]*$/.test(text)) return parseInt(text, 8);
  if (/^[1-9]\d*$/.test(text)) return Number(text);
  return undefined;
}

export async function mknod(p: Proc, argv: string[]): Promise<number> {
  const t = new Tool(p, argv, 'mknod', MKNOD_HELP);
  const parsed = await t.parse(argv, 'm:Z', [{ name: 'mode', key: 'm', arg: 'required' }]);
  if (typeof parsed === 'number') return parsed;
  const spec = await modeOption(t, parsed.options.filter((o) => o.key === 'm').pop()?.value);
  if (typeof spec === 'number') return spec;
  const umask = umaskOf(p);
  const mode = spec ? spec.apply(0o666, false, umask) : 0o666;
  if (spec && mode & ~0o777) { await t.warn('mode must specify only file permission bits'); return 1; }
  const args = parsed.operands;
  const [name, type] = args;
  if (name === undefined) return t.usage('missing operand');
  if (type === undefined) return t.usage(`missing operand after ${quote(name)}`);
  const isFifo = type.startsWith('p');
  const expected = isFifo ? 2 : 4;
  if (args.length < expected) {
    const why = args.length === 2 ? '\nSpecial files require major and minor device numbers.' : '';
    return t.usage(`missing operand after ${quote(args[args.length - 1]!)}${why}`);
  }
  if (args.length > expected) {
    return t.usage(`extra operand ${quote(args[expected]!)}${isFifo ? '\nFifos do not have major and minor device numbers.' : ''}`);
  }
  let nodeType: number;
  let rdev = 0;
  if (type === 'b' || type === 'c' || type === 'u') {
    nodeType = type === 'b' ? S_IFBLK : S_IFCHR;
    const major = parseDeviceNumber(args[2]!);
    if (major === undefined) { await t.warn(`invalid major device number ${quote(args[2]!)}`); return 1; }
    const minor = parseDeviceNumber(args[3]!);
    if (minor === undefined) { await t.warn(`invalid minor device number ${quote(args[3]!)}`); return 1; }
    if (major >= 1 << 12 || minor >= 1 << 20) { await t.warn(`invalid device ${args[2]} ${args[3]}`); return 1; }
    rdev = MKDEV(major, minor);
  } else if (type === 'p') {
    nodeType = S_IFIFO;
  } else {
    return t.usage(`invalid device type ${quote(type)}`);
  }
  try {
    await p.mknod(name, nodeType | mode, rdev);
  } catch (e) {
    await t.warn(`${quoteIfNeeded(name)}: ${errorText(e)}`);
    return 1;
  }
  if (spec) {
    try {
      await p.chmod(name, mode);
    } catch (e) {
      await t.warn(`cannot set permissions of ${quoteAlways(name)}: ${errorText(e)}`);
      return 1;
    }
  }
  return 0;
}

// ---- ln -------------------------------------------------------------------------------------

const LN_HELP = `Usage: PROG [OPTION]... [-T] TARGET LINK_NAME
  or:  PROG [OPTION]... TARGET
  or:  PROG [OPTION]... TARGET... DIRECTORY
  or:  PROG [OPTION]... -t DIRECTORY TARGET...
Create links to each TARGET.  Create hard links by default, symbolic links
with --symbolic.

  -f, --force                 remove existing destination files
  -n, --no-dereference        treat LINK_NAME as a normal file if
                                it is a symbolic link to a directory
  -s, --symbolic              make symbolic links instead of hard links
  -t, --target-directory=DIRECTORY  specify the DIRECTORY in which to create
                                the links
  -T, --no-target-directory   treat LINK_NAME as a normal file always
  -v, --verbose               print name of each linked file
      --help        display this help and exit
      --version     output version information and exit
`;

export async function ln(p: Proc, argv: string[]): Promise<number> {
  const t = new Tool(p, argv, 'ln', LN_HELP);
  const parsed = await t.parse(argv, 'bdfFinrsSt:Tv', [
    { name: 'force', key: 'f' },
    { name: 'no-dereference', key: 'n' },
    { name: 'symbolic', key: 's' },
    { name: 'target-directory', key: 't', arg: 'required' },
    { name: 'no-target-directory', key: 'T' },
    { name: 'verbose', key: 'v' },
  ]);
  if (typeof parsed === 'number') return parsed;
  const keys = new Set(parsed.options.map((o) => o.key));
  const symbolic = keys.has('s'), force = keys.has('f'), noDeref = keys.has('n'), verbose = keys.has('v');
  const targetDir = parsed.options.filter((o) => o.key === 't').pop()?.value;
  const args = parsed.operands;
  if (!args.length) return t.usage('missing file operand');

  const dirOf = async (path: string) => {
    try {
      const st = noDeref ? await p.lstat(path) : await p.stat(path);
      return (st.mode & S_IFMT) === S_IFDIR;
    } catch (e) {
      if (e instanceof SysError) return false;
      throw e;
    }
  };
  let jobs: { target: string; link: string }[];
  if (targetDir !== undefined) {
    jobs = args.map((a) => ({ target: a, link: joinPath(targetDir, baseName(a)) }));
  } else if (args.length === 1) {
    jobs = [{ target: args[0]!, link: baseName(args[0]!) }];
  } else {
    const last = args[args.length - 1]!;
    if (!keys.has('T') && (await dirOf(last))) {
      jobs = args.slice(0, -1).map((a) => ({ target: a, link: joinPath(last, baseName(a)) }));
    } else if (args.length > 2) {
      if (keys.has('T')) return t.usage(`extra operand ${quoteAlways(args[2]!)}`);
      await t.warn(`target ${quoteAlways(last)} is not a directory`);
      return 1;
    } else {
      jobs = [{ target: args[0]!, link: last }];
    }
  }

  for (const { target, link } of jobs) {
    if (!symbolic) {
      // The lab kernel has no link(2): hard links are refused like on a file system without them.
      try {
        await p.lstat(target);
      } catch (e) {
        await t.error(`failed to access ${quoteAlways(target)}: ${errorText(e)}`);
        continue;
      }
      await t.error(`failed to create hard link ${quoteAlways(link)} => ${quoteAlways(target)}: ${errorText(new SysError(EPERM))}`);
      continue;
    }
    try {
      if (force) {
        try {
          const st = await p.lstat(link);
          if ((st.mode & S_IFMT) === S_IFDIR) { await t.error(`${quoteAlways(link)}: cannot overwrite directory`); continue; }
          await p.unlink(link);
        } catch (e) {
          if (errnoOf(e) !== ENOENT) throw e;
        }
      }
      await p.symlink(target, link);
      if (verbose) await p.out(`${quoteAlways(link)} -> ${quoteAlways(target)}\n`);
    } catch (e) {
      await t.error(`failed to create symbolic link ${quoteAlways(link)}: ${errorText(e)}`);
    }
  }
  return t.status;
}

// ---- touch ------------------------------------------------------------------------------------

const TOUCH_HELP = `Usage: PROG [OPTION]... FILE...
Update the access and modification times of each FILE to the current time.

A FILE argument that does not exist is created empty, unless -c is supplied.

  -a                     change only the access time
  -c, --no-create        do not create any files
  -d, --date=STRING      parse STRING and use it instead of current time
  -m                     change only the modification time
  -t [[CC]YY]MMDDhhmm[.ss]  use specified time instead of current time
      --help        display this help and exit
      --version     output version information and exit
`;

/** -t [[CC]YY]MMDDhhmm[.ss] */
function parseStamp(text: string, nowNs: number): number | undefined {
  const m = /^(\d{2}|\d{4})?(\d\d)(\d\d)(\d\d)(\d\d)(?:\.(\d\d))?$/.exec(text);
  if (!m) return undefined;
  let year = new Date(nowNs / 1e6).getUTCFullYear();
  if (m[1]?.length === 4) year = Number(m[1]);
  else if (m[1]) year = Number(m[1]) + (Number(m[1]) < 69 ? 2000 : 1900);
  return Date.UTC(year, Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6] ?? 0)) * 1e6;
}

/**
 * utimensat(2) for one path (libc has no such call): sets the inode's mtime through the VFS
 * with the kernel's rule. Root and the owner may set any time; others only "now", and only
 * if they may write the file (which open() checks).
 */
async function setMtime(p: Proc, path: string, timeNs: number | undefined): Promise<void> {
  const kernel = p.kernel;
  let inode;
  try {
    inode = kernel.vfs.lookup(path, p.cwd, kernel.cred(p.task)).inode;
  } catch (e) {
    const errno = (e as { errno?: unknown }).errno;
    if (typeof errno === 'number') throw new SysError(errno, 'utimensat');
    throw e;
  }
  if (p.uid !== 0 && inode.uid !== p.uid) {
    if (timeNs !== undefined) throw new SysError(EPERM, 'utimensat');
    if ((inode.mode & S_IFMT) === S_IFDIR) throw new SysError(EACCES, 'utimensat');
    await p.close(await p.open(path, O_WRONLY));
  }
  inode.mtimeNs = timeNs ?? kernel.wallTimeNs();
}

export async function touch(p: Proc, argv: string[]): Promise<number> {
  const t = new Tool(p, argv, 'touch', TOUCH_HELP);
  const parsed = await t.parse(argv, 'acd:fhmr:t:', [
    { name: 'no-create', key: 'c' },
    { name: 'date', key: 'd', arg: 'required' },
    { name: 'no-dereference', key: 'h' },
    { name: 'reference', key: 'r', arg: 'required' },
    { name: 'time', key: 'time', arg: 'required' },
  ]);
  if (typeof parsed === 'number') return parsed;
  const noCreate = parsed.options.some((o) => o.key === 'c');
  let timeNs: number | undefined;
  for (const o of parsed.options) {
    if (o.key === 'd') {
      timeNs = parseDate(o.value!, p.kernel.wallTimeNs());
      if (timeNs === undefined) { await t.warn(`invalid date format ${quote(o.value!)}`); return 1; }
    } else if (o.key === 't') {
      timeNs = parseStamp(o.value!, p.kernel.wallTimeNs());
      if (timeNs === undefined) { await t.warn(`invalid date format ${quote(o.value!)}`); return 1; }
    } else if (o.key === 'r') {
      try {
        timeNs = (await p.stat(o.value!)).mtimeNs;
      } catch (e) {
        await t.warn(`failed to get attributes of ${quoteAlways(o.value!)}: ${errorText(e)}`);
        return 1;
      }
    }
  }
  if (!parsed.operands.length) return t.usage('missing file operand');
  for (const file of parsed.operands) {
    try {
      const exists = await p.stat(file).then(() => true, (e: unknown) => { if (errnoOf(e) === ENOENT) return false; throw e; });
      if (!exists) {
        if (noCreate) continue;
        const fd = await p.open(file, O_WRONLY | O_CREAT, 0o666);
        await p.close(fd);
        if (timeNs === undefined) continue;
      }
      await setMtime(p, file, timeNs);
    } catch (e) {
      await t.error(`cannot touch ${quoteAlways(file)}: ${errorText(e)}`);
    }
  }
  return t.status;
}
