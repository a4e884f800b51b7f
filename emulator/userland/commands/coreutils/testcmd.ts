// test and [: evaluate conditional expressions with GNU test's grammar (POSIX's rules for
// one to four arguments, then ! -a -o and parentheses), exit 0 true, 1 false, 2 error.
import type { Proc, StatInfo } from '../../libc.js';
import { SysError } from '../../libc.js';
import { S_IFBLK, S_IFCHR, S_IFDIR, S_IFIFO, S_IFLNK, S_IFMT, S_IFREG, S_IFSOCK } from './sys-stat.js';
import { COREUTILS_VERSION, quote } from './common.js';

const TEST_TRUE = 0, TEST_FALSE = 1, TEST_FAILURE = 2;

const HELP = `Usage: test EXPRESSION
  or:  test
  or:  [ EXPRESSION ]
  or:  [ ]
  or:  [ OPTION
Exit with the status determined by EXPRESSION.

      --help        display this help and exit
      --version     output version information and exit

An omitted EXPRESSION defaults to false.  Otherwise,
EXPRESSION is true or false and sets exit status.  It is one of:

  ( EXPRESSION )               EXPRESSION is true
  ! EXPRESSION                 EXPRESSION is false
  EXPRESSION1 -a EXPRESSION2   both EXPRESSION1 and EXPRESSION2 are true
  EXPRESSION1 -o EXPRESSION2   either EXPRESSION1 or EXPRESSION2 is true

  -n STRING            the length of STRING is nonzero
  STRING               equivalent to -n STRING
  -z STRING            the length of STRING is zero
  STRING1 = STRING2    the strings are equal
  STRING1 != STRING2   the strings are not equal

  INTEGER1 -eq INTEGER2   INTEGER1 is equal to INTEGER2
  INTEGER1 -ge INTEGER2   INTEGER1 is greater than or equal to INTEGER2
  INTEGER1 -gt INTEGER2   INTEGER1 is greater than INTEGER2
  INTEGER1 -le INTEGER2   INTEGER1 is less than or equal to INTEGER2
  INTEGER1 -lt INTEGER2   INTEGER1 is less than INTEGER2
  INTEGER1 -ne INTEGER2   INTEGER1 is not equal to INTEGER2

  FILE1 -ef FILE2   FILE1 and FILE2 have the same device and inode numbers
  FILE1 -nt FILE2   FILE1 is newer (modification date) than FILE2
  FILE1 -ot FILE2   FILE1 is older than FILE2

  -b FILE     FILE exists and is block special
  -c FILE     FILE exists and is character special
  -d FILE     FILE exists and is a directory
  -e FILE     FILE exists
  -f FILE     FILE exists and is a regular file
  -g FILE     FILE exists and is set-group-ID
  -G FILE     FILE exists and is owned by the effective group ID
  -h FILE     FILE exists and is a symbolic link (same as -L)
  -k FILE     FILE exists and has its sticky bit set
  -L FILE     FILE exists and is a symbolic link (same as -h)
  -O FILE     FILE exists and is owned by the effective user ID
  -p FILE     FILE exists and is a named pipe
  -r FILE     FILE exists and the user has read access
  -s FILE     FILE exists and has a size greater than zero
  -S FILE     FILE exists and is a socket
  -t FD       file descriptor FD is opened on a terminal
  -u FILE     FILE exists and its set-user-ID bit is set
  -w FILE     FILE exists and the user has write access
  -x FILE     FILE exists and the user has execute (or search) access
`;

const UNARY = 'abcdefgGhkLnNOprsStuwxz';
const BINARY = new Set(['=', '==', '!=', '<', '>', '-nt', '-ot', '-ef', '-eq', '-ne', '-lt', '-le', '-gt', '-ge']);

class TestSyntaxError extends Error {}

/** The recursive-descent evaluator over argv[pos..argc). */
class Evaluator {
  pos = 0;

  constructor(private readonly p: Proc, private readonly argv: readonly string[], private readonly argc: number) {}

  private arg(k: number): string | undefined {
    return k < this.argc ? this.argv[k] : undefined;
  }

  private beyond(): never {
    throw new TestSyntaxError(`missing argument after ${quote(this.argv[this.argc - 1]!)}`);
  }

  private advance(checkEnd: boolean): void {
    this.pos++;
    if (checkEnd && this.pos >= this.argc) this.beyond();
  }

  private isUnaryOp(s: string | undefined): boolean {
    return !!s && s.length === 2 && s[0] === '-' && UNARY.includes(s[1]!);
  }

  async posixtest(nargs: number): Promise<boolean> {
    switch (nargs) {
      case 1: return this.oneArgument();
      case 2: return this.twoArguments();
      case 3: return this.threeArguments();
      case 4:
        if (this.arg(this.pos) === '!') { this.advance(true); return !(await this.threeArguments()); }
        if (this.arg(this.pos) === '(' && this.arg(this.pos + 3) === ')') {
          this.advance(false);
          const value = await this.twoArguments();
          this.advance(false);
          return value;
        }
        return this.expr();
      default:
        return this.expr();
    }
  }

  private oneArgument(): boolean {
    return this.argv[this.pos++] !== '';
  }

  private async twoArguments(): Promise<boolean> {
    const a = this.arg(this.pos)!;
    if (a === '!') { this.advance(false); return !this.oneArgument(); }
    if (a.length === 2 && a[0] === '-') {
      if (this.isUnaryOp(a)) return this.unaryOperator();
      throw new TestSyntaxError(`${quote(a)}: unary operator expected`);
    }
    return this.beyond();
  }

  private async threeArguments(): Promise<boolean> {
    const op = this.arg(this.pos + 1)!;
    if (BINARY.has(op)) return this.binaryOperator(false);
    if (this.arg(this.pos) === '!') { this.advance(true); return !(await this.twoArguments()); }
    if (this.arg(this.pos) === '(' && this.arg(this.pos + 2) === ')') {
      this.advance(false);
      const value = this.oneArgument();
      this.advance(false);
      return value;
    }
    if (op === '-a' || op === '-o') return this.expr();
    throw new TestSyntaxError(`${quote(op)}: binary operator expected`);
  }

  async expr(): Promise<boolean> {
    if (this.pos >= this.argc) this.beyond();
    return this.or();
  }

  private async or(): Promise<boolean> {
    let value = false;
    for (;;) {
      value = (await this.and()) || value;
      if (this.arg(this.pos) !== '-o') return value;
      this.advance(false);
    }
  }

  private async and(): Promise<boolean> {
    let value = true;
    for (;;) {
      value = (await this.term()) && value;
      if (this.arg(this.pos) !== '-a') return value;
      this.advance(false);
    }
  }

  private async term(): Promise<boolean> {
    let negated = false;
    while (this.pos < this.argc && this.arg(this.pos) === '!') { this.advance(true); negated = !negated; }
    if (this.pos >= this.argc) this.beyond();
    const a = this.arg(this.pos)!;
    let value: boolean;
    if (a === '(') {
      this.advance(true);
      let nargs = 1;
      for (; this.pos + nargs < this.argc && this.arg(this.pos + nargs) !== ')'; nargs++) {
        if (nargs === 4) { nargs = this.argc - this.pos; break; }
      }
      value = await this.posixtest(nargs);
      const close = this.arg(this.pos);
      if (close === undefined) throw new TestSyntaxError(`')' expected`);
      if (close !== ')') throw new TestSyntaxError(`')' expected, found ${quote(close)}`);
      this.advance(false);
    } else if (this.argc - this.pos >= 4 && a === '-l' && BINARY.has(this.arg(this.pos + 2)!)) {
      value = await this.binaryOperator(true);
    } else if (this.argc - this.pos >= 3 && BINARY.has(this.arg(this.pos + 1)!)) {
      value = await this.binaryOperator(false);
    } else if (a.length === 2 && a[0] === '-') {
      if (!this.isUnaryOp(a)) throw new TestSyntaxError(`${quote(a)}: unary operator expected`);
      value = await this.unaryOperator();
    } else {
      value = a !== '';
      this.advance(false);
    }
    return negated !== value;
  }

  /** GNU find_int: optional blanks, sign, digits, blanks; anything else is an error. */
  private integer(s: string): bigint {
    const m = /^[ \t]*([-+]?\d+)[ \t]*$/.exec(s);
    if (!m) throw new TestSyntaxError(`invalid integer ${quote(s)}`);
    return BigInt(m[1]!);
  }

  private async binaryOperator(leftIsLength: boolean): Promise<boolean> {
    if (leftIsLength) this.advance(false);
    const opIndex = this.pos + 1;
    let rightIsLength = false;
    if (opIndex < this.argc - 2 && this.arg(opIndex + 1) === '-l') { rightIsLength = true; this.advance(false); }
    const op = this.argv[opIndex]!;
    const left = this.argv[opIndex - 1]!;
    const right = this.argv[rightIsLength ? opIndex + 2 : opIndex + 1]!;
    this.pos += 3;
    switch (op) {
      case '-eq': case '-ne': case '-lt': case '-le': case '-gt': case '-ge': {
        const l = leftIsLength ? BigInt(left.length) : this.integer(left);
        const r = rightIsLength ? BigInt(right.length) : this.integer(right);
        return op === '-eq' ? l === r : op === '-ne' ? l !== r : op === '-lt' ? l < r : op === '-le' ? l <= r : op === '-gt' ? l > r : l >= r;
      }
      case '-nt': case '-ot': case '-ef': {
        if (leftIsLength || rightIsLength) throw new TestSyntaxError(`${op} does not accept -l`);
        const l = await this.stat(left), r = await this.stat(right);
        if (op === '-ef') return !!l && !!r && l.ino === r.ino;
        if (op === '-nt') return !!l && (!r || l.mtimeNs > r.mtimeNs);
        return !!r && (!l || l.mtimeNs < r.mtimeNs);
      }
      case '=': case '==': return left === right;
      case '!=': return left !== right;
      case '<': return left < right;
      default: return left > right;
    }
  }

  private async stat(path: string, follow = true): Promise<StatInfo | undefined> {
    try {
      return follow ? await this.p.stat(path) : await this.p.lstat(path);
    } catch (e) {
      if (e instanceof SysError) return undefined;
      throw e;
    }
  }

  /** euidaccess: root may read and write anything and execute what has an x bit. */
  private access(st: StatInfo, want: 4 | 2 | 1): boolean {
    const uid = this.p.uid;
    if (uid === 0) return want !== 1 || !!(st.mode & 0o111) || (st.mode & S_IFMT) === S_IFDIR;
    const gid = this.p.task.cred.egid;
    const bits = st.uid === uid ? (st.mode >> 6) & 7 : st.gid === gid ? (st.mode >> 3) & 7 : st.mode & 7;
    return (bits & want) !== 0;
  }

  private async unaryOperator(): Promise<boolean> {
    const op = this.argv[this.pos]![1]!;
    this.advance(true);
    const operand = this.argv[this.pos]!;
    this.pos++;
    switch (op) {
      case 'n': return operand.length > 0;
      case 'z': return operand.length === 0;
      case 't': {
        const fd = this.integer(operand);
        return fd >= 0n && fd < 1024n && this.p.isatty(Number(fd));
      }
      case 'h': case 'L': {
        const st = await this.stat(operand, false);
        return !!st && (st.mode & S_IFMT) === S_IFLNK;
      }
      default: break;
    }
    const st = await this.stat(operand);
    if (!st) return false;
    const type = st.mode & S_IFMT;
    switch (op) {
      case 'a': case 'e': return true;
      case 'b': return type === S_IFBLK;
      case 'c': return type === S_IFCHR;
      case 'd': return type === S_IFDIR;
      case 'f': return type === S_IFREG;
      case 'p': return type === S_IFIFO;
      case 'S': return type === S_IFSOCK;
      case 's': return st.size > 0;
      case 'g': return (st.mode & 0o2000) !== 0;
      case 'u': return (st.mode & 0o4000) !== 0;
      case 'k': return (st.mode & 0o1000) !== 0;
      case 'O': return st.uid === this.p.uid;
      case 'G': return st.gid === this.p.task.cred.egid;
      case 'N': return false; // No access times here, so never modified since last read.
      case 'r': return this.access(st, 4);
      case 'w': return this.access(st, 2);
      default: return this.access(st, 1);
    }
  }
}

async function evaluate(p: Proc, name: string, args: readonly string[]): Promise<number> {
  const argv = [name, ...args];
  const ev = new Evaluator(p, argv, argv.length);
  ev.pos = 1;
  if (argv.length <= 1) return TEST_FALSE;
  try {
    const value = await ev.posixtest(argv.length - 1);
    if (ev.pos !== argv.length) throw new TestSyntaxError(`extra argument ${quote(argv[ev.pos]!)}`);
    return value ? TEST_TRUE : TEST_FALSE;
  } catch (e) {
    if (!(e instanceof TestSyntaxError)) throw e;
    await p.err(`${name}: ${e.message}\n`);
    return TEST_FAILURE;
  }
}

export async function test(p: Proc, argv: string[]): Promise<number> {
  return evaluate(p, argv[0] || 'test', argv.slice(1));
}

/** `[`: the same, but the last argument must be `]`; --help and --version work alone. */
export async function bracket(p: Proc, argv: string[]): Promise<number> {
  const name = argv[0] || '[';
  const args = argv.slice(1);
  if (args.length === 1 && args[0] === '--help') { await p.out(HELP); return TEST_TRUE; }
  if (args.length === 1 && args[0] === '--version') { await p.out(`[ (GNU coreutils) ${COREUTILS_VERSION}\n`); return TEST_TRUE; }
  if (args[args.length - 1] !== ']') {
    await p.err(`${name}: missing ${quote(']')}\n`);
    return TEST_FAILURE;
  }
  return evaluate(p, name, args.slice(0, -1));
}
