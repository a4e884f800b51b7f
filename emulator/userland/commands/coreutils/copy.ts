// cp and mv.
import type { Proc, StatInfo } from '../../libc.js';
import { O_CREAT, O_TRUNC, O_WRONLY, SysError } from '../../libc.js';
import { S_IFBLK, S_IFCHR, S_IFDIR, S_IFIFO, S_IFLNK, S_IFMT } from './sys-stat.js';
import { Tool, ignoreSysError, baseName, errnoOf, errorText, joinPath, quoteAlways, type LongOption, type ParsedArgs } from './common.js';

const ENOENT = 2, EXDEV = 18;

const CP_HELP = `Usage: PROG [OPTION]... [-T] SOURCE DEST
  or:  PROG [OPTION]... SOURCE... DIRECTORY
  or:  PROG [OPTION]... -t DIRECTORY SOURCE...
Copy SOURCE to DEST, or multiple SOURCE(s) to DIRECTORY.

  -a, --archive                same as -dR --preserve=all
  -d                           same as --no-dereference --preserve=links
  -f, --force                  if an existing destination file cannot be
                                 opened, remove it and try again
  -L, --dereference            always follow symbolic links in SOURCE
  -n, --no-clobber             do not overwrite an existing file
  -P, --no-dereference         never follow symbolic links in SOURCE
  -p                           same as --preserve=mode,ownership,timestamps
  -R, -r, --recursive          copy directories recursively
  -t, --target-directory=DIRECTORY  copy all SOURCE arguments into DIRECTORY
  -T, --no-target-directory    treat DEST as a normal file
  -v, --verbose                explain what is being done
      --help        display this help and exit
      --version     output version information and exit
`;

const MV_HELP = `Usage: PROG [OPTION]... [-T] SOURCE DEST
  or:  PROG [OPTION]... SOURCE... DIRECTORY
  or:  PROG [OPTION]... -t DIRECTORY SOURCE...
Rename SOURCE to DEST, or move SOURCE(s) to DIRECTORY.

  -f, --force                  do not prompt before overwriting
  -n, --no-clobber             do not overwrite an existing file
  -t, --target-directory=DIRECTORY  move all SOURCE arguments into DIRECTORY
  -T, --no-target-directory    treat DEST as a normal file
  -v, --verbose                explain what is being done
      --help        display this help and exit
      --version     output version information and exit
`;

const COMMON_LONGS: LongOption[] = [
  { name: 'force', key: 'f' },
  { name: 'no-clobber', key: 'n' },
  { name: 'target-directory', key: 't', arg: 'required' },
  { name: 'no-target-directory', key: 'T' },
  { name: 'verbose', key: 'v' },
  { name: 'interactive', key: 'i' },
];

const CP_LONGS: LongOption[] = [
  ...COMMON_LONGS,
  { name: 'archive', key: 'a' },
  { name: 'dereference', key: 'L' },
  { name: 'no-dereference', key: 'P' },
  { name: 'recursive', key: 'R' },
  { name: 'preserve', key: 'preserve', arg: 'optional' },
];

const typeOf = (st: StatInfo) => st.mode & S_IFMT;

async function statOrUndefined(p: Proc, path: string, follow = true): Promise<StatInfo | undefined> {
  try {
    return follow ? await p.stat(path) : await p.lstat(path);
  } catch (e) {
    if (e instanceof SysError) return undefined;
    throw e;
  }
}

/** Sources and where each goes, from operands and -t/-T as GNU cp and mv read them. */
async function plan(p: Proc, t: Tool, parsed: ParsedArgs): Promise<{ source: string; dest: string }[] | number> {
  const targetDir = parsed.options.filter((o) => o.key === 't').pop()?.value;
  const noTargetDir = parsed.options.some((o) => o.key === 'T');
  const operands = parsed.operands;
  if (targetDir !== undefined) {
    if (!operands.length) return t.usage('missing file operand');
    const st = await statOrUndefined(p, targetDir);
    if (!st) { await t.warn(`target directory ${quoteAlways(targetDir)}: No such file or directory`); return 1; }
    if (typeOf(st) !== S_IFDIR) { await t.warn(`target ${quoteAlways(targetDir)} is not a directory`); return 1; }
    return operands.map((s) => ({ source: s, dest: joinPath(targetDir, baseName(s)) }));
  }
  if (!operands.length) return t.usage('missing file operand');
  if (operands.length === 1) return t.usage(`missing destination file operand after ${quoteAlways(operands[0]!)}`);
  const last = operands[operands.length - 1]!;
  const sources = operands.slice(0, -1);
  if (noTargetDir) {
    if (operands.length > 2) return t.usage(`extra operand ${quoteAlways(operands[2]!)}`);
    return [{ source: sources[0]!, dest: last }];
  }
  const lastSt = await statOrUndefined(p, last);
  if (lastSt && typeOf(lastSt) === S_IFDIR) return sources.map((s) => ({ source: s, dest: joinPath(last, baseName(s)) }));
  if (operands.length > 2) {
    await t.warn(lastSt ? `target ${quoteAlways(last)} is not a directory` : `target ${quoteAlways(last)}: No such file or directory`);
    return 1;
  }
  return [{ source: sources[0]!, dest: last }];
}

/** True if `inner` is `outer` or lies below it (comparing normalised absolute paths). */
function isWithin(p: Proc, outer: string, inner: string): boolean {
  const abs = (path: string) => {
    const parts: string[] = [];
    for (const part of (path.startsWith('/') ? path : `${p.cwd}/${path}`).split('/')) {
      if (part === '' || part === '.') continue;
      if (part === '..') parts.pop();
      else parts.push(part);
    }
    return '/' + parts.join('/');
  };
  const a = abs(outer), b = abs(inner);
  return b === a || b.startsWith(a === '/' ? '/' : `${a}/`);
}

interface CopyOptions {
  recursive: boolean;
  /** Follow symbolic links in sources (-L), or only on the command line (default without -R). */
  dereference: 'always' | 'never' | 'args';
  preserve: boolean;
  force: boolean;
  noClobber: boolean;
  verbose: boolean;
}

export async function cp(p: Proc, argv: string[]): Promise<number> {
  const t = new Tool(p, argv, 'cp', CP_HELP);
  const parsed = await t.parse(argv, 'adfHiLnPprRt:Tuv', CP_LONGS);
  if (typeof parsed === 'number') return parsed;
  const o: CopyOptions = { recursive: false, dereference: 'args', preserve: false, force: false, noClobber: false, verbose: false };
  let explicitDeref = false;
  for (const opt of parsed.options) {
    switch (opt.key) {
      case 'a': o.recursive = true; o.preserve = true; o.dereference = 'never'; explicitDeref = true; break;
      case 'd': case 'P': o.dereference = 'never'; explicitDeref = true; break;
      case 'L': o.dereference = 'always'; explicitDeref = true; break;
      case 'H': o.dereference = 'args'; explicitDeref = true; break;
      case 'p': case 'preserve': o.preserve = true; break;
      case 'r': case 'R': o.recursive = true; break;
      case 'f': o.force = true; break;
      case 'n': o.noClobber = true; break;
      case 'v': o.verbose = true; break;
      default: break;
    }
  }
  // cp -R copies symbolic links as links unless told to follow them.
  if (o.recursive && !explicitDeref) o.dereference = 'never';
  const jobs = await plan(p, t, parsed);
  if (typeof jobs === 'number') return jobs;
  for (const { source, dest } of jobs) await copyTop(p, t, source, dest, o);
  return t.status;
}

async function copyTop(p: Proc, t: Tool, source: string, dest: string, o: CopyOptions): Promise<void> {
  let st: StatInfo;
  try {
    st = o.dereference === 'never' ? await p.lstat(source) : await p.stat(source);
  } catch (e) {
    await t.error(`cannot stat ${quoteAlways(source)}: ${errorText(e)}`);
    return;
  }
  if (typeOf(st) === S_IFDIR) {
    if (!o.recursive) { await t.error(`-r not specified; omitting directory ${quoteAlways(source)}`); return; }
    if (isWithin(p, source, dest)) {
      await t.error(`cannot copy a directory, ${quoteAlways(source)}, into itself, ${quoteAlways(dest)}`);
      return;
    }
  }
  const destSt = await statOrUndefined(p, dest);
  if (destSt && destSt.ino === st.ino && typeOf(st) !== S_IFLNK) {
    await t.error(`${quoteAlways(source)} and ${quoteAlways(dest)} are the same file`);
    return;
  }
  await copyAny(p, t, source, dest, st, o);
}

async function copyAny(p: Proc, t: Tool, source: string, dest: string, st: StatInfo, o: CopyOptions): Promise<void> {
  const destSt = await statOrUndefined(p, dest, false);
  const type = typeOf(st);
  if (destSt && o.noClobber) return;
  if (type === S_IFDIR) {
    if (destSt && typeOf(destSt) !== S_IFDIR) {
      await t.error(`cannot overwrite non-directory ${quoteAlways(dest)} with directory ${quoteAlways(source)}`);
      return;
    }
    if (!destSt) {
      try {
        await p.mkdir(dest, st.mode & 0o7777);
      } catch (e) {
        await t.error(`cannot create directory ${quoteAlways(dest)}: ${errorText(e)}`);
        return;
      }
    }
    if (o.verbose) await p.out(`${quoteAlways(source)} -> ${quoteAlways(dest)}\n`);
    let names: string[];
    try {
      names = await p.readdir(source);
    } catch (e) {
      await t.error(`cannot access ${quoteAlways(source)}: ${errorText(e)}`);
      return;
    }
    for (const name of names) {
      const child = joinPath(source, name);
      let childSt: StatInfo;
      try {
        childSt = o.dereference === 'always' ? await p.stat(child) : await p.lstat(child);
      } catch (e) {
        await t.error(`cannot stat ${quoteAlways(child)}: ${errorText(e)}`);
        continue;
      }
      await copyAny(p, t, child, joinPath(dest, name), childSt, o);
    }
    if (o.preserve) await preserve(p, t, dest, st);
    return;
  }
  if (destSt && typeOf(destSt) === S_IFDIR) {
    await t.error(`cannot overwrite directory ${quoteAlways(dest)} with non-directory`);
    return;
  }
  if (type === S_IFLNK || (o.recursive && (type === S_IFCHR || type === S_IFBLK || type === S_IFIFO))) {
    try {
      if (destSt) await p.unlink(dest);
      if (type === S_IFLNK) await p.symlink(await p.readlink(source), dest);
      else await p.mknod(dest, st.mode, st.rdev);
    } catch (e) {
      const what = type === S_IFLNK ? 'symbolic link' : type === S_IFIFO ? 'fifo' : 'special file';
      await t.error(`cannot create ${what} ${quoteAlways(dest)}: ${errorText(e)}`);
      return;
    }
  } else if (!(await copyData(p, t, source, dest, st, o))) {
    return;
  }
  if (o.verbose) await p.out(`${quoteAlways(source)} -> ${quoteAlways(dest)}\n`);
  if (o.preserve && type !== S_IFLNK) await preserve(p, t, dest, st);
}

async function copyData(p: Proc, t: Tool, source: string, dest: string, st: StatInfo, o: CopyOptions): Promise<boolean> {
  let input: number;
  try {
    input = await p.open(source);
  } catch (e) {
    await t.error(`cannot open ${quoteAlways(source)} for reading: ${errorText(e)}`);
    return false;
  }
  try {
    let output: number;
    const create = () => p.open(dest, O_WRONLY | O_CREAT | O_TRUNC, st.mode & 0o777);
    try {
      output = await create();
    } catch (e) {
      if (!o.force || errnoOf(e) === ENOENT) throw e;
      await p.unlink(dest);
      output = await create();
    }
    try {
      for (;;) {
        let chunk: Uint8Array;
        try {
          chunk = await p.read(input, 65536);
        } catch (e) {
          await t.error(`error reading ${quoteAlways(source)}: ${errorText(e)}`);
          return false;
        }
        if (chunk.length === 0) break;
        await p.write(output, chunk);
      }
    } finally {
      await p.close(output);
    }
    return true;
  } catch (e) {
    await t.error(`cannot create regular file ${quoteAlways(dest)}: ${errorText(e)}`);
    return false;
  } finally {
    await ignoreSysError(p.close(input));
  }
}

async function preserve(p: Proc, t: Tool, dest: string, st: StatInfo): Promise<void> {
  try {
    await p.chmod(dest, st.mode & 0o7777);
  } catch (e) {
    await t.error(`preserving permissions for ${quoteAlways(dest)}: ${errorText(e)}`);
  }
  if (p.uid === 0) await ignoreSysError(p.chown(dest, st.uid, st.gid));
}

export async function mv(p: Proc, argv: string[]): Promise<number> {
  const t = new Tool(p, argv, 'mv', MV_HELP);
  const parsed = await t.parse(argv, 'bfinSt:Tuv', COMMON_LONGS);
  if (typeof parsed === 'number') return parsed;
  const keys = new Set(parsed.options.map((o) => o.key));
  const jobs = await plan(p, t, parsed);
  if (typeof jobs === 'number') return jobs;
  for (const { source, dest } of jobs) {
    let st: StatInfo;
    try {
      st = await p.lstat(source);
    } catch (e) {
      await t.error(`cannot stat ${quoteAlways(source)}: ${errorText(e)}`);
      continue;
    }
    const destSt = await statOrUndefined(p, dest, false);
    if (destSt && destSt.ino === st.ino) {
      await t.error(`${quoteAlways(source)} and ${quoteAlways(dest)} are the same file`);
      continue;
    }
    if (destSt && keys.has('n')) continue;
    if (typeOf(st) === S_IFDIR && isWithin(p, source, dest)) {
      await t.error(`cannot move ${quoteAlways(source)} to a subdirectory of itself, ${quoteAlways(dest)}`);
      continue;
    }
    if (destSt && typeOf(destSt) === S_IFDIR && typeOf(st) !== S_IFDIR) {
      await t.error(`cannot overwrite directory ${quoteAlways(dest)} with non-directory`);
      continue;
    }
    if (destSt && typeOf(destSt) !== S_IFDIR && typeOf(st) === S_IFDIR) {
      await t.error(`cannot overwrite non-directory ${quoteAlways(dest)} with directory ${quoteAlways(source)}`);
      continue;
    }
    try {
      await p.rename(source, dest);
    } catch (e) {
      if (errnoOf(e) !== EXDEV) {
        await t.error(`cannot move ${quoteAlways(source)} to ${quoteAlways(dest)}: ${errorText(e)}`);
        continue;
      }
      // Across file systems: copy everything, then remove the original.
      const before = t.status;
      t.status = 0;
      if (destSt) await ignoreSysError(p.unlink(dest));
      await copyAny(p, t, source, dest, st, { recursive: true, dereference: 'never', preserve: true, force: true, noClobber: false, verbose: false });
      if (t.status === 0) await removeTree(p, t, source);
      t.status = Math.max(before, t.status);
      if (t.status) continue;
    }
    if (keys.has('v')) await p.out(`renamed ${quoteAlways(source)} -> ${quoteAlways(dest)}\n`);
  }
  return t.status;
}

async function removeTree(p: Proc, t: Tool, path: string): Promise<void> {
  try {
    const st = await p.lstat(path);
    if (typeOf(st) === S_IFDIR) {
      for (const name of await p.readdir(path)) await removeTree(p, t, joinPath(path, name));
      await p.rmdir(path);
    } else {
      await p.unlink(path);
    }
  } catch (e) {
    await t.error(`cannot remove ${quoteAlways(path)}: ${errorText(e)}`);
  }
}
