// File modes as text: `ls -l`'s "crw-rw-rw-", and the modes chmod, mkdir -m and mknod -m
// accept (octal or symbolic "u+x,go-w,a=r"), with gnulib's modechange semantics.
import { S_IFBLK, S_IFCHR, S_IFDIR, S_IFIFO, S_IFLNK, S_IFMT, S_IFREG, S_IFSOCK, S_ISGID, S_ISUID, S_ISVTX } from './sys-stat.js';

const S_IRWXU = 0o700, S_IRWXG = 0o070, S_IRWXO = 0o007;
const ALL_BITS = 0o7777;
const READ = 0o444, WRITE = 0o222, EXEC = 0o111;

export function fileTypeLetter(mode: number): string {
  switch (mode & S_IFMT) {
    case S_IFDIR: return 'd';
    case S_IFCHR: return 'c';
    case S_IFBLK: return 'b';
    case S_IFLNK: return 'l';
    case S_IFIFO: return 'p';
    case S_IFSOCK: return 's';
    case S_IFREG: return '-';
    default: return '?';
  }
}

/** The ten characters of `ls -l`: type and permissions with setuid/setgid/sticky letters. */
export function modeString(mode: number): string {
  const triplet = (bits: number, special: boolean, letter: string) =>
    (bits & 4 ? 'r' : '-') + (bits & 2 ? 'w' : '-') +
    (special ? (bits & 1 ? letter : letter.toUpperCase()) : bits & 1 ? 'x' : '-');
  return fileTypeLetter(mode) +
    triplet((mode >> 6) & 7, !!(mode & S_ISUID), 's') +
    triplet((mode >> 3) & 7, !!(mode & S_ISGID), 's') +
    triplet(mode & 7, !!(mode & S_ISVTX), 't');
}

/** GNU stat's %F: the file type in words. */
export function fileTypeName(mode: number, size: number): string {
  switch (mode & S_IFMT) {
    case S_IFDIR: return 'directory';
    case S_IFCHR: return 'character special file';
    case S_IFBLK: return 'block special file';
    case S_IFLNK: return 'symbolic link';
    case S_IFIFO: return 'fifo';
    case S_IFSOCK: return 'socket';
    case S_IFREG: return size === 0 ? 'regular empty file' : 'regular file';
    default: return 'weird file';
  }
}

interface ModeChange {
  op: '=' | '+' | '-';
  flag: 'ordinary' | 'copy' | 'x-if-any-x';
  /** The who bits (u, g, o, a), or 0 when none were given (then the umask applies). */
  affected: number;
  value: number;
  mentioned: number;
}

/** A compiled mode: apply() gives the new permission bits for a file. */
export interface ModeSpec {
  apply(oldMode: number, isDirectory: boolean, umask: number): number;
}

/** Compiles an octal or symbolic mode, or returns undefined if it is not one. */
export function compileMode(text: string): ModeSpec | undefined {
  const changes = /^[0-7]+$/.test(text) ? octalChange(text) : symbolicChanges(text);
  if (!changes) return undefined;
  return { apply: (oldMode, isDirectory, umask) => adjustMode(oldMode, isDirectory, umask, changes) };
}

function octalChange(text: string): ModeChange[] | undefined {
  const value = parseInt(text, 8);
  if (value > ALL_BITS) return undefined;
  // Like chmod 755 on a directory: fewer than five digits leave its setuid/setgid bits alone.
  const mentioned = text.length < 5 ? (value & (S_ISUID | S_ISGID)) | S_ISVTX | 0o777 : ALL_BITS;
  return [{ op: '=', flag: 'ordinary', affected: ALL_BITS, value, mentioned }];
}

function symbolicChanges(text: string): ModeChange[] | undefined {
  const changes: ModeChange[] = [];
  let i = 0;
  for (;;) {
    let affected = 0;
    for (; i < text.length && 'ugoa'.includes(text[i]!); i++) {
      const who = text[i];
      affected |= who === 'u' ? S_ISUID | S_IRWXU : who === 'g' ? S_ISGID | S_IRWXG : who === 'o' ? S_ISVTX | S_IRWXO : ALL_BITS;
    }
    if (!'=+-'.includes(text[i] ?? 'none')) return undefined;
    while ('=+-'.includes(text[i] ?? 'none')) {
      const op = text[i++] as ModeChange['op'];
      let value = 0;
      let flag: ModeChange['flag'] = 'ordinary';
      const copy = text[i];
      if (copy === 'u' || copy === 'g' || copy === 'o') {
        value = copy === 'u' ? S_IRWXU : copy === 'g' ? S_IRWXG : S_IRWXO;
        flag = 'copy';
        i++;
      } else {
        for (; i < text.length; i++) {
          const c = text[i];
          if (c === 'r') value |= READ;
          else if (c === 'w') value |= WRITE;
          else if (c === 'x') value |= EXEC;
          else if (c === 'X') flag = 'x-if-any-x';
          else if (c === 's') value |= S_ISUID | S_ISGID;
          else if (c === 't') value |= S_ISVTX;
          else break;
        }
      }
      changes.push({ op, flag, affected, value, mentioned: affected ? affected & value : value });
    }
    if (i === text.length) return changes;
    if (text[i] !== ',') return undefined;
    i++;
  }
}

function adjustMode(oldMode: number, isDirectory: boolean, umask: number, changes: readonly ModeChange[]): number {
  let mode = oldMode & ALL_BITS;
  for (const c of changes) {
    const omit = (isDirectory ? S_ISUID | S_ISGID : 0) & ~c.mentioned;
    let value = c.value;
    if (c.flag === 'copy') {
      value &= mode;
      value |= (value & READ ? READ : 0) | (value & WRITE ? WRITE : 0) | (value & EXEC ? EXEC : 0);
    } else if (c.flag === 'x-if-any-x' && ((mode & EXEC) || isDirectory)) {
      value |= EXEC;
    }
    value &= (c.affected ? c.affected : ~umask) & ~omit;
    if (c.op === '=') {
      const preserved = (c.affected ? ~c.affected : 0) | omit;
      mode = (mode & preserved) | value;
    } else if (c.op === '+') {
      mode |= value;
    } else {
      mode &= ~value;
    }
  }
  return mode & ALL_BITS;
}
