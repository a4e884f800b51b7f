// ls: list directory contents, in GNU ls's formats: -l with aligned columns (major, minor
// in place of the size for devices), one name per line to pipes, columns to a terminal.
import type { Proc, StatInfo } from '../../libc.js';
import { SysError } from '../../libc.js';
import { MAJOR, MINOR, S_IFBLK, S_IFCHR, S_IFDIR, S_IFIFO, S_IFLNK, S_IFMT, S_IFREG, S_IFSOCK } from './sys-stat.js';
import { MONTHS, Tool, UserDb, errorText, humanSize, joinPath, nowNs, pad2, quoteAlways, quoteIfNeeded, type LongOption } from './common.js';
import { modeString } from './mode.js';

const HELP = `Usage: PROG [OPTION]... [FILE]...
List information about the FILEs (the current directory by default).
Sort entries alphabetically if none of -cftuvSUX nor --sort is specified.

  -a, --all                  do not ignore entries starting with .
  -A, --almost-all           do not list implied . and ..
  -C                         list entries by columns
  -d, --directory            list directories themselves, not their contents
  -F, --classify             append indicator (one of */=>@|) to entries
  -g                         like -l, but do not list owner
  -G, --no-group             in a long listing, don't print group names
  -h, --human-readable       with -l and -s, print sizes like 1K 234M 2G etc.
  -H, --dereference-command-line  follow symbolic links listed on the command line
  -i, --inode                print the index number of each file
  -l                         use a long listing format
  -L, --dereference          show information for the file a symbolic link
                               references rather than for the link itself
  -m                         fill width with a comma separated list of entries
  -n, --numeric-uid-gid      like -l, but list numeric user and group IDs
  -o                         like -l, but do not list group information
  -p                         append / indicator to directories
  -r, --reverse              reverse order while sorting
  -R, --recursive            list subdirectories recursively
  -s, --size                 print the allocated size of each file, in blocks
  -S                         sort by file size, largest first
  -t                         sort by time, newest first
  -U                         do not sort; list entries in directory order
  -w, --width=COLS           set output width to COLS.  0 means no limit
  -x                         list entries by lines instead of by columns
  -1                         list one file per line
      --help        display this help and exit
      --version     output version information and exit

Exit status:
 0  if OK,
 1  if minor problems (e.g., cannot access subdirectory),
 2  if serious trouble (e.g., cannot access command-line argument).
`;

const LONGS: LongOption[] = [
  { name: 'all', key: 'a' },
  { name: 'almost-all', key: 'A' },
  { name: 'directory', key: 'd' },
  { name: 'classify', key: 'F', arg: 'optional' },
  { name: 'no-group', key: 'G' },
  { name: 'human-readable', key: 'h' },
  { name: 'dereference-command-line', key: 'H' },
  { name: 'inode', key: 'i' },
  { name: 'dereference', key: 'L' },
  { name: 'numeric-uid-gid', key: 'n' },
  { name: 'reverse', key: 'r' },
  { name: 'recursive', key: 'R' },
  { name: 'size', key: 's' },
  { name: 'width', key: 'w', arg: 'required' },
  { name: 'color', key: 'color', arg: 'optional' },
  { name: 'group-directories-first', key: 'group-directories-first' },
];

const LS_MINOR_PROBLEM = 1;
const LS_FAILURE = 2;
const TAB_SIZE = 8;
const SIX_MONTHS_NS = (31556952 / 2) * 1e9;

type Format = 'long' | 'one' | 'columns' | 'across' | 'commas';

interface Options {
  format: Format;
  all: boolean;
  almostAll: boolean;
  directory: boolean;
  recursive: boolean;
  inode: boolean;
  size: boolean;
  human: boolean;
  numeric: boolean;
  owner: boolean;
  group: boolean;
  indicator: 'none' | 'slash' | 'classify';
  sort: 'name' | 'time' | 'size' | 'none';
  reverse: boolean;
  dereference: 'never' | 'dir-args' | 'args' | 'always';
  dirsFirst: boolean;
  width: number;
  tty: boolean;
}

interface Entry {
  /** The name shown: the operand as given, or the directory entry's name. */
  name: string;
  /** The path to reach it from the current directory. */
  path: string;
  st?: StatInfo;
  linkTarget?: string;
  /** What a symbolic link points to, for -F on its target in -l. */
  targetSt?: StatInfo;
}

export async function ls(p: Proc, argv: string[]): Promise<number> {
  const t = new Tool(p, argv, 'ls', HELP);
  const parsed = await t.parse(argv, 'aAbCdfFgGhHiklLmnopqrRsStUw:x1', LONGS, LS_FAILURE);
  if (typeof parsed === 'number') return parsed;
  const tty = p.isatty(1);
  const o: Options = {
    format: tty ? 'columns' : 'one', all: false, almostAll: false, directory: false, recursive: false, inode: false,
    size: false, human: false, numeric: false, owner: true, group: true, indicator: 'none', sort: 'name', reverse: false,
    dereference: 'dir-args', dirsFirst: false, width: 80, tty,
  };
  const columnsEnv = Number(p.getenv('COLUMNS'));
  if (Number.isInteger(columnsEnv) && columnsEnv > 0) o.width = columnsEnv;
  let explicitDeref = false;
  for (const opt of parsed.options) {
    switch (opt.key) {
      case 'a': o.all = true; o.almostAll = false; break;
      case 'A': o.almostAll = true; o.all = false; break;
      case 'd': o.directory = true; break;
      case 'f': o.all = true; o.sort = 'none'; break;
      case 'F': o.indicator = 'classify'; break;
      case 'p': o.indicator = 'slash'; break;
      case 'g': o.format = 'long'; o.owner = false; break;
      case 'o': o.format = 'long'; o.group = false; break;
      case 'G': o.group = false; break;
      case 'h': o.human = true; break;
      case 'H': o.dereference = 'args'; explicitDeref = true; break;
      case 'L': o.dereference = 'always'; explicitDeref = true; break;
      case 'i': o.inode = true; break;
      case 'l': o.format = 'long'; break;
      case 'n': o.format = 'long'; o.numeric = true; break;
      case 'm': o.format = 'commas'; break;
      case 'C': o.format = 'columns'; break;
      case 'x': o.format = 'across'; break;
      case '1': o.format = 'one'; break;
      case 'r': o.reverse = true; break;
      case 'R': o.recursive = true; break;
      case 's': o.size = true; break;
      case 'S': o.sort = 'size'; break;
      case 't': o.sort = 'time'; break;
      case 'U': o.sort = 'none'; break;
      case 'group-directories-first': o.dirsFirst = true; break;
      case 'w': {
        const w = Number(opt.value);
        if (!/^\d+$/.test(opt.value ?? '')) { await t.warn(`invalid line width: ${quoteAlways(opt.value ?? '')}`); return LS_FAILURE; }
        o.width = w === 0 ? Infinity : w;
        break;
      }
      default: break;
    }
  }
  if (!explicitDeref) o.dereference = o.directory || o.indicator === 'classify' || o.format === 'long' ? 'never' : 'dir-args';
  return new Lister(p, t, o).run(parsed.operands);
}

class Lister {
  private readonly users: UserDb;
  private readonly now: number;
  private first = true;
  private printDirName = true;

  constructor(private readonly p: Proc, private readonly t: Tool, private readonly o: Options) {
    this.users = new UserDb(p);
    this.now = nowNs(p);
  }

  async run(operands: string[]): Promise<number> {
    const files: Entry[] = [];
    const dirs: Entry[] = [];
    const names = operands.length ? operands : ['.'];
    for (const name of names) {
      const entry = await this.statOperand(name);
      if (!entry) continue;
      if (!this.o.directory && entry.st && (entry.st.mode & S_IFMT) === S_IFDIR) dirs.push(entry);
      else files.push(entry);
    }
    if (files.length) {
      await this.print(this.sorted(files));
    } else if (names.length <= 1 && dirs.length === 1) {
      this.printDirName = false;
    }
    if (files.length && dirs.length) this.first = false;
    for (const dir of this.sorted(dirs)) await this.listDirectory(dir.path, dir.name, true);
    return this.t.status;
  }

  private async statOperand(name: string): Promise<Entry | undefined> {
    const entry: Entry = { name, path: name };
    try {
      entry.st = this.o.dereference === 'always' ? await this.p.stat(name) : await this.p.lstat(name);
    } catch (e) {
      await this.t.error(`cannot access ${quoteAlways(name)}: ${errorText(e)}`, LS_FAILURE);
      return undefined;
    }
    if ((entry.st.mode & S_IFMT) === S_IFLNK && this.o.dereference !== 'never') {
      try {
        const target = await this.p.stat(name);
        if (this.o.dereference === 'args' || (target.mode & S_IFMT) === S_IFDIR) entry.st = target;
      } catch (e) {
        if (!(e instanceof SysError)) throw e;
      }
    }
    await this.addLinkInfo(entry);
    return entry;
  }

  private async addLinkInfo(entry: Entry): Promise<void> {
    if (!entry.st || (entry.st.mode & S_IFMT) !== S_IFLNK) return;
    try {
      if (this.o.format === 'long') entry.linkTarget = await this.p.readlink(entry.path);
      if (this.o.format === 'long' && this.o.indicator !== 'none') entry.targetSt = await this.p.stat(entry.path);
    } catch (e) {
      if (!(e instanceof SysError)) throw e;
    }
  }

  private async listDirectory(path: string, shown: string, commandLine: boolean): Promise<void> {
    let names: string[];
    try {
      names = await this.p.readdir(path);
    } catch (e) {
      await this.t.error(`cannot open directory ${quoteAlways(shown)}: ${errorText(e)}`, commandLine ? LS_FAILURE : LS_MINOR_PROBLEM);
      return;
    }
    if (this.o.recursive || this.printDirName) {
      await this.p.out(`${this.first ? '' : '\n'}${this.o.tty ? quoteIfNeeded(shown) : shown}:\n`);
    }
    this.first = false;
    const visible = names.filter((n) => this.o.all || this.o.almostAll || !n.startsWith('.'));
    if (this.o.all) visible.unshift('.', '..');
    const entries: Entry[] = [];
    for (const name of visible) {
      const entry: Entry = { name, path: joinPath(path, name) };
      try {
        entry.st = this.o.dereference === 'always' ? await this.p.stat(entry.path) : await this.p.lstat(entry.path);
      } catch (e) {
        await this.t.error(`cannot access ${quoteAlways(entry.path)}: ${errorText(e)}`, LS_MINOR_PROBLEM);
      }
      await this.addLinkInfo(entry);
      entries.push(entry);
    }
    const sorted = this.sorted(entries);
    if (this.o.format === 'long' || this.o.size) {
      const blocks = sorted.reduce((n, e) => n + (e.st ? blocksOf(e.st) : 0), 0);
      await this.p.out(`total ${this.o.human ? humanSize(blocks * 1024) : blocks}\n`);
    }
    await this.print(sorted);
    if (!this.o.recursive) return;
    for (const e of sorted) {
      if (e.name === '.' || e.name === '..' || !e.st || (e.st.mode & S_IFMT) !== S_IFDIR) continue;
      await this.listDirectory(e.path, joinPath(shown, e.name), false);
    }
  }

  private sorted(entries: Entry[]): Entry[] {
    const byName = (a: Entry, b: Entry) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
    let cmp: (a: Entry, b: Entry) => number;
    switch (this.o.sort) {
      case 'time': cmp = (a, b) => (b.st?.mtimeNs ?? 0) - (a.st?.mtimeNs ?? 0) || byName(a, b); break;
      case 'size': cmp = (a, b) => (b.st?.size ?? 0) - (a.st?.size ?? 0) || byName(a, b); break;
      case 'none': cmp = () => 0; break;
      default: cmp = byName;
    }
    const list = [...entries].sort(cmp);
    if (this.o.reverse && this.o.sort !== 'none') list.reverse();
    if (this.o.dirsFirst) {
      const isDirEntry = (e: Entry) => !!e.st && (e.st.mode & S_IFMT) === S_IFDIR;
      return [...list.filter(isDirEntry), ...list.filter((e) => !isDirEntry(e))];
    }
    return list;
  }

  private displayName(name: string): string {
    return this.o.tty ? quoteIfNeeded(name) : name;
  }

  /**
   * Names as listed: on a terminal, when some need quotes, the others get a leading space so
   * the names still line up in columns and long listings (GNU's align_variable_outer_quotes).
   */
  private listedNames(entries: readonly Entry[]): string[] {
    const names = entries.map((e) => this.displayName(e.name));
    const aligned = this.o.format === 'long' || this.o.format === 'columns' || this.o.format === 'across';
    if (!aligned || !names.some((n, k) => n !== entries[k]!.name)) return names;
    return names.map((n, k) => (n === entries[k]!.name ? ` ${n}` : n));
  }

  private indicator(st: StatInfo | undefined): string {
    if (!st || this.o.indicator === 'none') return '';
    const type = st.mode & S_IFMT;
    if (type === S_IFDIR) return '/';
    if (this.o.indicator === 'slash') return '';
    if (type === S_IFLNK) return '@';
    if (type === S_IFIFO) return '|';
    if (type === S_IFSOCK) return '=';
    if (type === S_IFREG && st.mode & 0o111) return '*';
    return '';
  }

  private async print(entries: Entry[]): Promise<void> {
    if (!entries.length) return;
    if (this.o.format === 'long') {
      await this.p.out((await this.longLines(entries)).join(''));
      return;
    }
    const inodeWidth = Math.max(0, ...entries.map((e) => String(e.st?.ino ?? '?').length));
    const blockWidth = Math.max(0, ...entries.map((e) => this.blocksText(e).length));
    const names = this.listedNames(entries);
    const cells = entries.map((e, k) => {
      let cell = '';
      if (this.o.inode) cell += `${String(e.st?.ino ?? '?').padStart(this.o.format === 'commas' ? 0 : inodeWidth)} `;
      if (this.o.size) cell += `${this.blocksText(e).padStart(this.o.format === 'commas' ? 0 : blockWidth)} `;
      return cell + names[k]! + this.indicator(e.st);
    });
    let text: string;
    if (this.o.format === 'one') text = cells.map((c) => c + '\n').join('');
    else if (this.o.format === 'commas') text = commaList(cells, this.o.width);
    else text = columnList(cells, this.o.width, this.o.format === 'columns');
    await this.p.out(text);
  }

  private blocksText(e: Entry): string {
    if (!e.st) return '?';
    const blocks = blocksOf(e.st);
    return this.o.human ? humanSize(blocks * 1024) : String(blocks);
  }

  private async longLines(entries: Entry[]): Promise<string[]> {
    const rows: LongRow[] = [];
    const names = this.listedNames(entries);
    for (const [k, e] of entries.entries()) {
      const st = e.st;
      const type = st ? st.mode & S_IFMT : 0;
      const device = type === S_IFCHR || type === S_IFBLK;
      rows.push({
        inode: st ? String(st.ino) : '?',
        blocks: this.blocksText(e),
        mode: st ? modeString(st.mode) : '?????????',
        nlink: st ? String(st.nlink) : '?',
        owner: !st ? '?' : this.o.numeric ? String(st.uid) : await this.users.userName(st.uid),
        group: !st ? '?' : this.o.numeric ? String(st.gid) : await this.users.groupName(st.gid),
        major: device && st ? String(MAJOR(st.rdev)) : '',
        minor: device && st ? String(MINOR(st.rdev)) : '',
        size: device || !st ? (st ? '' : '?') : this.o.human ? humanSize(st.size) : String(st.size),
        device,
        time: st ? lsTime(st.mtimeNs, this.now) : '           ?',
        name: names[k]! + (e.linkTarget !== undefined
          ? ` -> ${this.displayName(e.linkTarget)}${this.indicator(e.targetSt)}`
          : this.indicator(e.st)),
      });
    }
    const width = (f: (r: LongRow) => string) => Math.max(0, ...rows.map((r) => f(r).length));
    const inodeW = width((r) => r.inode), blocksW = width((r) => r.blocks), nlinkW = width((r) => r.nlink);
    const ownerW = width((r) => r.owner), groupW = width((r) => r.group);
    const majorW = width((r) => (r.device ? r.major : '')), minorW = width((r) => (r.device ? r.minor : ''));
    const deviceW = rows.some((r) => r.device) ? majorW + 2 + minorW : 0;
    const sizeW = Math.max(deviceW, width((r) => r.size));
    return rows.map((r) => {
      let line = '';
      if (this.o.inode) line += `${r.inode.padStart(inodeW)} `;
      if (this.o.size) line += `${r.blocks.padStart(blocksW)} `;
      line += `${r.mode} ${r.nlink.padStart(nlinkW)} `;
      if (this.o.owner) line += `${r.owner.padEnd(ownerW)} `;
      if (this.o.group) line += `${r.group.padEnd(groupW)} `;
      line += r.device
        ? `${r.major.padStart(majorW + Math.max(0, sizeW - deviceW))}, ${r.minor.padStart(minorW)} `
        : `${r.size.padStart(sizeW)} `;
      return `${line}${r.time} ${r.name}\n`;
    });
  }
}

/** The fields of one `ls -l` line, before the columns are aligned. */
interface LongRow {
  inode: string;
  blocks: string;
  mode: string;
  nlink: string;
  owner: string;
  group: string;
  major: string;
  minor: string;
  size: string;
  device: boolean;
  time: string;
  name: string;
}

/** 1K blocks a file occupies (ls's default block size; st_blocks counts 512-byte ones). */
function blocksOf(st: StatInfo): number {
  return Math.ceil(st.blocks / 2);
}

/** "Jan 15 10:30" for the last six months, "Jan 15  2024" otherwise (UTC). */
export function lsTime(mtimeNs: number, nowNsValue: number): string {
  const d = new Date(Math.floor(mtimeNs / 1e6));
  const recent = mtimeNs > nowNsValue - SIX_MONTHS_NS && mtimeNs <= nowNsValue;
  const day = String(d.getUTCDate()).padStart(2);
  const tail = recent ? `${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}` : ` ${d.getUTCFullYear()}`;
  return `${MONTHS[d.getUTCMonth()]} ${day} ${tail}`;
}

/** GNU's indent(): tabs to reach a column where they fit, then spaces. */
function indent(from: number, to: number): string {
  let s = '';
  while (from < to) {
    if (Math.floor(to / TAB_SIZE) > Math.floor((from + 1) / TAB_SIZE)) {
      s += '\t';
      from += TAB_SIZE - (from % TAB_SIZE);
    } else {
      s += ' ';
      from++;
    }
  }
  return s;
}

/** GNU ls's column fitting: the most columns whose widths (name + 2) fit the line. */
function columnWidths(lengths: readonly number[], lineLength: number, byColumns: boolean): number[] {
  const n = lengths.length;
  const minColumnWidth = 3;
  const maxIdx = lineLength === Infinity ? n : Math.max(1, Math.floor(lineLength / minColumnWidth) + (lineLength % minColumnWidth ? 1 : 0));
  const maxCols = Math.min(maxIdx, n);
  const configs = Array.from({ length: maxCols }, (_, i) => ({ valid: true, lineLen: (i + 1) * minColumnWidth, cols: new Array<number>(i + 1).fill(minColumnWidth) }));
  lengths.forEach((len, fileNo) => {
    configs.forEach((cfg, i) => {
      if (!cfg.valid) return;
      const idx = byColumns ? Math.floor(fileNo / Math.ceil(n / (i + 1))) : fileNo % (i + 1);
      const real = len + (idx === i ? 0 : 2);
      if (cfg.cols[idx]! < real) {
        cfg.lineLen += real - cfg.cols[idx]!;
        cfg.cols[idx] = real;
        cfg.valid = cfg.lineLen < lineLength;
      }
    });
  });
  let cols = maxCols;
  while (cols > 1 && !configs[cols - 1]!.valid) cols--;
  return configs[cols - 1]?.cols ?? [0];
}

function columnList(cells: readonly string[], lineLength: number, byColumns: boolean): string {
  const lengths = cells.map((c) => c.length);
  const widths = columnWidths(lengths, lineLength, byColumns);
  const cols = widths.length;
  const n = cells.length;
  let out = '';
  if (byColumns) {
    const rows = Math.ceil(n / cols);
    for (let row = 0; row < rows; row++) {
      let pos = 0;
      for (let col = 0, k = row; ; col++) {
        out += cells[k]!;
        const next = k + rows;
        if (next >= n) break;
        out += indent(pos + lengths[k]!, pos + widths[col]!);
        pos += widths[col]!;
        k = next;
      }
      out += '\n';
    }
    return out;
  }
  let pos = 0;
  out += cells[0]!;
  for (let k = 1; k < n; k++) {
    const col = k % cols;
    if (col === 0) {
      out += '\n';
      pos = 0;
    } else {
      const previous = widths[col - 1]!;
      out += indent(pos + lengths[k - 1]!, pos + previous);
      pos += previous;
    }
    out += cells[k]!;
  }
  return out + '\n';
}

function commaList(cells: readonly string[], lineLength: number): string {
  let out = '';
  let pos = 0;
  cells.forEach((cell, k) => {
    if (k > 0) {
      if (pos + cell.length + 2 < lineLength) { out += ', '; pos += 2; }
      else { out += ',\n'; pos = 0; }
    }
    out += cell;
    pos += cell.length;
  });
  return out + '\n';
}
