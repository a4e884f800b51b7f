// rm and rmdir.
import type { Proc } from '../../libc.js';
import { S_IFDIR, S_IFMT } from './sys-stat.js';
import { Tool, baseName, errnoOf, errorText, joinPath, quoteAlways, type LongOption } from './common.js';

const ENOENT = 2, ENOTEMPTY = 39;

const RM_HELP = `Usage: PROG [OPTION]... [FILE]...
Remove (unlink) the FILE(s).

  -f, --force           ignore nonexistent files and arguments, never prompt
  -r, -R, --recursive   remove directories and their contents recursively
  -d, --dir             remove empty directories
  -v, --verbose         explain what is being done
      --no-preserve-root  do not treat '/' specially
      --help        display this help and exit
      --version     output version information and exit

By default, rm does not remove directories.  Use the --recursive (-r or -R)
option to remove each listed directory, too, along with all of its contents.
`;

const RM_LONGS: LongOption[] = [
  { name: 'force', key: 'f' },
  { name: 'recursive', key: 'r' },
  { name: 'dir', key: 'd' },
  { name: 'verbose', key: 'v' },
  { name: 'interactive', key: 'interactive', arg: 'optional' },
  { name: 'no-preserve-root', key: 'no-preserve-root' },
  { name: 'preserve-root', key: 'preserve-root', arg: 'optional' },
  { name: 'one-file-system', key: 'one-file-system' },
];

interface RmOptions { force: boolean; recursive: boolean; dir: boolean; verbose: boolean }

export async function rm(p: Proc, argv: string[]): Promise<number> {
  const t = new Tool(p, argv, 'rm', RM_HELP);
  const parsed = await t.parse(argv, 'dfiIrRv', RM_LONGS);
  if (typeof parsed === 'number') return parsed;
  const o: RmOptions = { force: false, recursive: false, dir: false, verbose: false };
  let preserveRoot = true;
  for (const opt of parsed.options) {
    if (opt.key === 'f') o.force = true;
    else if (opt.key === 'i' || opt.key === 'I') o.force = false;
    else if (opt.key === 'r' || opt.key === 'R') o.recursive = true;
    else if (opt.key === 'd') o.dir = true;
    else if (opt.key === 'v') o.verbose = true;
    else if (opt.key === 'no-preserve-root') preserveRoot = false;
  }
  if (!parsed.operands.length) return o.force ? 0 : t.usage('missing operand');
  for (const path of parsed.operands) {
    const base = baseName(path);
    if (o.recursive && (base === '.' || base === '..')) {
      await t.error(`refusing to remove '.' or '..' directory: skipping ${quoteAlways(path)}`);
      continue;
    }
    if (o.recursive && preserveRoot && /^\/+$/.test(path)) {
      await t.error(`it is dangerous to operate recursively on ${quoteAlways(path)}`);
      await t.warn('use --no-preserve-root to override this failsafe');
      continue;
    }
    await removeOne(p, t, path, o);
  }
  return t.status;
}

async function removeOne(p: Proc, t: Tool, path: string, o: RmOptions): Promise<void> {
  let isDirectory: boolean;
  try {
    isDirectory = ((await p.lstat(path)).mode & S_IFMT) === S_IFDIR;
  } catch (e) {
    if (o.force && errnoOf(e) === ENOENT) return;
    await t.error(`cannot remove ${quoteAlways(path)}: ${errorText(e)}`);
    return;
  }
  if (isDirectory) {
    if (!o.recursive && !o.dir) {
      await t.error(`cannot remove ${quoteAlways(path)}: Is a directory`);
      return;
    }
    if (o.recursive) {
      let names: string[];
      try {
        names = await p.readdir(path);
      } catch (e) {
        await t.error(`cannot remove ${quoteAlways(path)}: ${errorText(e)}`);
        return;
      }
      for (const name of names) await removeOne(p, t, joinPath(path, name), o);
    }
    try {
      await p.rmdir(path);
      if (o.verbose) await p.out(`removed directory ${quoteAlways(path)}\n`);
    } catch (e) {
      // A child that could not be removed was reported already.
      if (o.recursive && errnoOf(e) === ENOTEMPTY && t.status) return;
      await t.error(`cannot remove ${quoteAlways(path)}: ${errorText(e)}`);
    }
    return;
  }
  try {
    await p.unlink(path);
    if (o.verbose) await p.out(`removed ${quoteAlways(path)}\n`);
  } catch (e) {
    if (o.force && errnoOf(e) === ENOENT) return;
    await t.error(`cannot remove ${quoteAlways(path)}: ${errorText(e)}`);
  }
}

const RMDIR_HELP = `Usage: PROG [OPTION]... DIRECTORY...
Remove the DIRECTORY(ies), if they are empty.

      --ignore-fail-on-non-empty
                    ignore each failure to remove a non-empty directory
  -p, --parents     remove DIRECTORY and its ancestors;
                    e.g., 'rmdir -p a/b' is similar to 'rmdir a/b a'
  -v, --verbose     output a diagnostic for every directory processed
      --help        display this help and exit
      --version     output version information and exit
`;

export async function rmdir(p: Proc, argv: string[]): Promise<number> {
  const t = new Tool(p, argv, 'rmdir', RMDIR_HELP);
  const parsed = await t.parse(argv, 'pv', [
    { name: 'parents', key: 'p' },
    { name: 'verbose', key: 'v' },
    { name: 'ignore-fail-on-non-empty', key: 'ignore' },
  ]);
  if (typeof parsed === 'number') return parsed;
  const keys = new Set(parsed.options.map((o) => o.key));
  if (!parsed.operands.length) return t.usage('missing operand');
  for (const operand of parsed.operands) {
    let path = operand;
    for (;;) {
      try {
        if (keys.has('v')) await p.out(`${t.name}: removing directory, ${quoteAlways(path)}\n`);
        await p.rmdir(path);
      } catch (e) {
        if (!(keys.has('ignore') && errnoOf(e) === ENOTEMPTY)) await t.error(`failed to remove ${quoteAlways(path)}: ${errorText(e)}`);
        break;
      }
      if (!keys.has('p')) break;
      const parent = path.replace(/\/+[^/]*\/*$/, '');
      if (parent === '' || parent === path || !path.includes('/')) break;
      path = parent;
    }
  }
  return t.status;
}
