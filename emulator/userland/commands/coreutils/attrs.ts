// chmod, chown and chgrp.
import type { Proc, StatInfo } from '../../libc.js';
import { SysError } from '../../libc.js';
import { S_IFDIR, S_IFLNK, S_IFMT } from './sys-stat.js';
import { Tool, UserDb, umaskOf, errorText, joinPath, quote, quoteAlways, type LongOption } from './common.js';
import { compileMode, modeString, type ModeSpec } from './mode.js';

const CHMOD_HELP = `Usage: PROG [OPTION]... MODE[,MODE]... FILE...
  or:  PROG [OPTION]... OCTAL-MODE FILE...
Change the mode of each FILE to MODE.

  -c, --changes          like verbose but report only when a change is made
  -f, --silent, --quiet  suppress most error messages
  -v, --verbose          output a diagnostic for every file processed
  -R, --recursive        change files and directories recursively
      --help        display this help and exit
      --version     output version information and exit

Each MODE is of the form '[ugoa]*([-+=]([rwxXst]*|[ugo]))+|[-+=][0-7]+'.
`;

const CHANGE_LONGS: LongOption[] = [
  { name: 'changes', key: 'c' },
  { name: 'silent', key: 'f' },
  { name: 'quiet', key: 'f' },
  { name: 'verbose', key: 'v' },
  { name: 'recursive', key: 'R' },
  { name: 'no-dereference', key: 'h' },
  { name: 'dereference', key: 'dereference' },
  { name: 'reference', key: 'reference', arg: 'required' },
];

interface Walk {
  recursive: boolean;
  quiet: boolean;
}

/**
 * Visits each operand (following a symbolic link given on the command line) and, with -R,
 * everything below it without following links, as chmod -R and chown -R do.
 */
async function walk(p: Proc, t: Tool, paths: readonly string[], w: Walk, visit: (path: string, st: StatInfo) => Promise<void>): Promise<void> {
  const visitTree = async (path: string, st: StatInfo) => {
    await visit(path, st);
    if (!w.recursive || (st.mode & S_IFMT) !== S_IFDIR) return;
    let names: string[];
    try {
      names = await p.readdir(path);
    } catch (e) {
      if (!w.quiet) await t.error(`cannot read directory ${quoteAlways(path)}: ${errorText(e)}`);
      else t.status = 1;
      return;
    }
    for (const name of names) {
      const child = joinPath(path, name);
      let childSt: StatInfo;
      try {
        childSt = await p.lstat(child);
      } catch (e) {
        if (!w.quiet) await t.error(`cannot access ${quoteAlways(child)}: ${errorText(e)}`);
        continue;
      }
      if ((childSt.mode & S_IFMT) === S_IFLNK) continue;
      await visitTree(child, childSt);
    }
  };
  for (const path of paths) {
    let st: StatInfo;
    try {
      st = await p.stat(path);
    } catch (e) {
      if (w.quiet) { t.status = 1; continue; }
      let dangling = false;
      try {
        dangling = ((await p.lstat(path)).mode & S_IFMT) === S_IFLNK;
      } catch (inner) {
        if (!(inner instanceof SysError)) throw inner;
      }
      await t.error(dangling ? `cannot operate on dangling symlink ${quoteAlways(path)}` : `cannot access ${quoteAlways(path)}: ${errorText(e)}`);
      continue;
    }
    await visitTree(path, st);
  }
}

/** `chmod -w file`: a mode that looks like an option is still the mode, as GNU chmod allows. */
function splitModeOperand(argv: readonly string[]): { args: string[]; mode?: string } {
  const args = [...argv];
  for (let i = 1; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--') break;
    if (/^-[rwxXst]+(,.*)?$/.test(a) || /^-[0-7]+$/.test(a)) {
      args.splice(i, 1);
      return { args, mode: a };
    }
  }
  return { args };
}

export async function chmod(p: Proc, argv: string[]): Promise<number> {
  const t = new Tool(p, argv, 'chmod', CHMOD_HELP);
  const { args, mode: dashMode } = splitModeOperand(argv);
  const parsed = await t.parse(args, 'cfvR', CHANGE_LONGS);
  if (typeof parsed === 'number') return parsed;
  const keys = new Set(parsed.options.map((o) => o.key));
  const operands = [...parsed.operands];
  const reference = parsed.options.filter((o) => o.key === 'reference').pop()?.value;
  let spec: ModeSpec | undefined;
  let modeText: string | undefined;
  if (reference !== undefined) {
    try {
      const ref = (await p.stat(reference)).mode & 0o7777;
      spec = { apply: () => ref };
    } catch (e) {
      await t.warn(`failed to get attributes of ${quoteAlways(reference)}: ${errorText(e)}`);
      return 1;
    }
  } else {
    modeText = dashMode ?? operands.shift();
    if (modeText === undefined) return t.usage('missing operand');
    spec = compileMode(modeText);
  }
  if (!operands.length) return t.usage(`missing operand after ${quote(modeText ?? reference!)}`);
  if (!spec) return t.usage(`invalid mode: ${quote(modeText!)}`);
  const umask = umaskOf(p);
  const quiet = keys.has('f');
  await walk(p, t, operands, { recursive: keys.has('R'), quiet }, async (path, st) => {
    const old = st.mode & 0o7777;
    const next = spec.apply(old, (st.mode & S_IFMT) === S_IFDIR, umask);
    const describe = (m: number) => `${m.toString(8).padStart(4, '0')} (${modeString((st.mode & S_IFMT) | m).slice(1)})`;
    try {
      if (next !== old || !keys.has('c')) await p.chmod(path, next);
    } catch (e) {
      if (quiet) { t.status = 1; return; }
      await t.error(`changing permissions of ${quoteAlways(path)}: ${errorText(e)}`);
      return;
    }
    if (keys.has('v') || (keys.has('c') && next !== old)) {
      await p.out(next === old
        ? `mode of ${quoteAlways(path)} retained as ${describe(old)}\n`
        : `mode of ${quoteAlways(path)} changed from ${describe(old)} to ${describe(next)}\n`);
    }
  });
  return t.status;
}

const CHOWN_HELP = `Usage: PROG [OPTION]... [OWNER][:[GROUP]] FILE...
Change the owner and/or group of each FILE to OWNER and/or GROUP.

  -c, --changes          like verbose but report only when a change is made
  -f, --silent, --quiet  suppress most error messages
  -v, --verbose          output a diagnostic for every file processed
  -R, --recursive        operate on files and directories recursively
      --help        display this help and exit
      --version     output version information and exit

Owner is unchanged if missing.  Group is unchanged if missing, but changed
to login group if implied by a ':' following a symbolic OWNER.
OWNER and GROUP may be numeric as well as symbolic.
`;

const CHGRP_HELP = `Usage: PROG [OPTION]... GROUP FILE...
Change the group of each FILE to GROUP.

  -c, --changes          like verbose but report only when a change is made
  -f, --silent, --quiet  suppress most error messages
  -v, --verbose          output a diagnostic for every file processed
  -R, --recursive        operate on files and directories recursively
      --help        display this help and exit
      --version     output version information and exit
`;

async function resolveUser(users: UserDb, name: string): Promise<number | undefined> {
  const id = await users.uidOf(name);
  if (id !== undefined) return id;
  return /^\d+$/.test(name) ? Number(name) : undefined;
}

async function resolveGroup(users: UserDb, name: string): Promise<number | undefined> {
  const id = await users.gidOf(name);
  if (id !== undefined) return id;
  return /^\d+$/.test(name) ? Number(name) : undefined;
}

/** OWNER[:GROUP], OWNER: (login group), :GROUP, and the old OWNER.GROUP form. */
async function parseOwnerSpec(users: UserDb, spec: string, warnings: string[]): Promise<{ uid: number; gid: number } | string> {
  let user = spec;
  let group: string | undefined;
  const colon = spec.indexOf(':');
  if (colon >= 0) {
    user = spec.slice(0, colon);
    group = spec.slice(colon + 1);
  } else if (spec.includes('.') && (await resolveUser(users, spec)) === undefined) {
    const dot = spec.indexOf('.');
    user = spec.slice(0, dot);
    group = spec.slice(dot + 1);
    warnings.push(`warning: '.' should be ':': ${quote(spec)}`);
  }
  let uid = -1, gid = -1;
  if (user !== '') {
    const id = await resolveUser(users, user);
    if (id === undefined) return `invalid user: ${quote(spec)}`;
    uid = id;
    if (group === '') gid = (await users.primaryGid(uid)) ?? -1;
  }
  if (group) {
    const id = await resolveGroup(users, group);
    if (id === undefined) return `invalid group: ${quote(spec)}`;
    gid = id;
  }
  return { uid, gid };
}

async function changeOwners(p: Proc, t: Tool, parsed: { options: { key: string }[]; operands: string[] }, ids: { uid: number; gid: number }): Promise<number> {
  const keys = new Set(parsed.options.map((o) => o.key));
  const quiet = keys.has('f');
  const users = new UserDb(p);
  const describe = async (uid: number, gid: number) => {
    const parts = [];
    if (ids.uid >= 0) parts.push(await users.userName(uid));
    if (ids.gid >= 0) parts.push(await users.groupName(gid));
    return parts.join(':');
  };
  await walk(p, t, parsed.operands, { recursive: keys.has('R'), quiet }, async (path, st) => {
    const uid = ids.uid >= 0 ? ids.uid : st.uid;
    const gid = ids.gid >= 0 ? ids.gid : st.gid;
    const changed = uid !== st.uid || gid !== st.gid;
    try {
      await p.chown(path, ids.uid, ids.gid);
    } catch (e) {
      if (quiet) { t.status = 1; return; }
      const what = ids.uid >= 0 ? 'ownership' : 'group';
      await t.error(`changing ${what} of ${quoteAlways(path)}: ${errorText(e)}`);
      return;
    }
    const noun = ids.uid >= 0 ? 'ownership' : 'group';
    if (keys.has('v') || (keys.has('c') && changed)) {
      await p.out(changed
        ? `changed ${noun} of ${quoteAlways(path)} from ${await describe(st.uid, st.gid)} to ${await describe(uid, gid)}\n`
        : `${noun} of ${quoteAlways(path)} retained as ${await describe(uid, gid)}\n`);
    }
  });
  return t.status;
}

export async function chown(p: Proc, argv: string[]): Promise<number> {
  const t = new Tool(p, argv, 'chown', CHOWN_HELP);
  const parsed = await t.parse(argv, 'cfhvRHLP', CHANGE_LONGS);
  if (typeof parsed === 'number') return parsed;
  const operands = [...parsed.operands];
  const spec = operands.shift();
  if (spec === undefined) return t.usage('missing operand');
  if (!operands.length) return t.usage(`missing operand after ${quote(spec)}`);
  const warnings: string[] = [];
  const ids = await parseOwnerSpec(new UserDb(p), spec, warnings);
  if (typeof ids === 'string') { await t.warn(ids); return 1; }
  for (const w of warnings) await t.warn(w);
  return changeOwners(p, t, { options: parsed.options, operands }, ids);
}

export async function chgrp(p: Proc, argv: string[]): Promise<number> {
  const t = new Tool(p, argv, 'chgrp', CHGRP_HELP);
  const parsed = await t.parse(argv, 'cfhvRHLP', CHANGE_LONGS);
  if (typeof parsed === 'number') return parsed;
  const operands = [...parsed.operands];
  const group = operands.shift();
  if (group === undefined) return t.usage('missing operand');
  if (!operands.length) return t.usage(`missing operand after ${quote(group)}`);
  const gid = await resolveGroup(new UserDb(p), group);
  if (gid === undefined) { await t.warn(`invalid group: ${quote(group)}`); return 1; }
  return changeOwners(p, t, { options: parsed.options, operands }, { uid: -1, gid });
}
