// sed, the stream editor, as GNU sed 4.9 behaves in the C locale: addresses (N, $, /re/, \cREc,
// first~step, addr1,addr2, addr1,+N, !), the commands { } = a i c d D g G h H l n N p P q Q r s t
// T b : w x y z #, -n -e -f -E/-r -s -i[SUFFIX], and GNU's error messages. The learner edits
// kernel sources with it (sed -i '/pattern/a\ line' file), as the 1998 article's readers did.
import { O_CREAT, O_TRUNC, O_WRONLY, SysError, type Proc } from '../../libc.js';
import { bytesToLatin1, closeInput, concatBytes, errorText, latin1ToBytes, openInput, readLines } from './common.js';
import { posixToRegex, RegexError } from './regex.js';

const VERSION = 'sed (GNU sed) 4.9\n';
const USAGE = `Usage: PROG [OPTION]... {script-only-if-no-other-script} [input-file]...

  -n, --quiet, --silent
                 suppress automatic printing of pattern space
  -e script, --expression=script
                 add the script to the commands to be executed
  -f script-file, --file=script-file
                 add the contents of script-file to the commands to be executed
  -i[SUFFIX], --in-place[=SUFFIX]
                 edit files in place (makes backup if SUFFIX supplied)
  -E, -r, --regexp-extended
                 use extended regular expressions in the script
                 (for portability use POSIX -E).
  -s, --separate
                 consider files as separate rather than as a single
                 continuous long stream.
      --help     display this help and exit
      --version  output version information and exit

If no -e, --expression, -f, or --file option is given, then the first
non-option argument is taken as the sed script to interpret.  All
remaining arguments are names of input files; if no input files are
specified, then the standard input is read.
`;

class SedError extends Error {
  /** GNU sed's exit status: 1 for a bad script, 4 (EXIT_PANIC) for what panic() reports. */
  constructor(message: string, readonly status = 1) { super(message); }
}

type Addr =
  | { kind: 'line'; n: number }
  | { kind: 'last' }
  | { kind: 're'; re: RegExp | undefined }
  | { kind: 'step'; first: number; step: number }
  | { kind: 'plus'; n: number };

interface Cmd {
  a1?: Addr;
  a2?: Addr;
  negate: boolean;
  name: string;
  /** a/i/c text, file name for r/w, label for b/t/T/:. */
  text?: string;
  /** The index of the matching '}' for '{', of the label's ':' for b/t/T. */
  jump?: number;
  /** q/Q exit code. */
  code?: number;
  /** s: the regex, the replacement, its flags. */
  re?: RegExp | undefined;
  replacement?: string;
  global?: boolean;
  occurrence?: number;
  print?: number;
  /** y: the two sets. */
  from?: string;
  to?: string;
  /** Range state: the line the range ends at (for N and +N), and whether it is open. */
  inRange?: boolean;
  rangeEnd?: number;
}

/** Parses a sed script into commands (labels and braces resolved). */
function utf8Length(text: string): number {
  return new TextEncoder().encode(text).length;
}

class ScriptParser {
  private i = 0;
  readonly cmds: Cmd[] = [];
  private readonly braces: number[] = [];

  constructor(private readonly s: string, private readonly where: string, private readonly extended: boolean) {}

  private fail(msg: string): never {
    // GNU sed counts bytes read, and the end of the script is not a character it has read.
    throw new SedError(`${this.where}, char ${utf8Length(this.s.slice(0, Math.min(this.i, this.s.length)))}: ${msg}`);
  }

  private peek(): string | undefined { return this.s[this.i]; }
  private next(): string | undefined {
    const c = this.s[this.i];
    if (c !== undefined) this.i++;
    return c;
  }
  private skipBlanks(): void { while (this.peek() === ' ' || this.peek() === '\t') this.i++; }

  parse(): Cmd[] {
    for (;;) {
      while (this.peek() !== undefined && /[\s;]/.test(this.peek()!)) this.i++;
      if (this.peek() === undefined) break;
      if (this.peek() === '#') { while (this.peek() !== undefined && this.peek() !== '\n') this.i++; continue; }
      this.command();
    }
    if (this.braces.length) { this.i = 0; this.fail("unmatched `{'"); }
    for (const c of this.cmds) {
      if ((c.name === 'b' || c.name === 't' || c.name === 'T') && c.text) {
        const target = this.cmds.findIndex((x) => x.name === ':' && x.text === c.text);
        if (target < 0) throw new SedError(`can't find label for jump to \`${c.text}'`, 4);
        c.jump = target;
      }
    }
    return this.cmds;
  }

  private number(): number {
    const start = this.i;
    while (/[0-9]/.test(this.peek() ?? '')) this.i++;
    return Number(this.s.slice(start, this.i));
  }

  private address(): Addr | undefined {
    const c = this.peek();
    if (c === undefined) return undefined;
    if (/[0-9]/.test(c)) {
      const n = this.number();
      if (this.peek() === '~') { this.i++; return { kind: 'step', first: n, step: this.number() }; }
      return { kind: 'line', n };
    }
    if (c === '$') { this.i++; return { kind: 'last' }; }
    if (c === '/' || c === '\\') {
      this.i++;
      const delim = c === '\\' ? this.next() : '/';
      if (delim === undefined || delim === '\n' || delim === '\\') this.fail('unexpected `,\'');
      const body = this.delimited(delim, 'unterminated address regex');
      let flags = '';
      while (this.peek() === 'I' || this.peek() === 'M') flags += this.next() === 'I' ? 'i' : 'm';
      return { kind: 're', re: this.regex(body, flags) };
    }
    return undefined;
  }

  /** Text up to an unescaped `delim`; `\delim` becomes the delimiter itself, `\n` a newline. */
  private delimited(delim: string, unterminated: string): string {
    let out = '';
    for (;;) {
      const c = this.next();
      if (c === undefined) { this.i = this.s.length; this.fail(unterminated); }
      if (c === '\n' && delim !== '\n') this.fail(unterminated);
      if (c === delim) return out;
      if (c === '\\') {
        const e = this.next();
        if (e === undefined) this.fail(unterminated);
        if (e === delim && delim !== '&') out += delim;
        else if (e === 'n') out += '\n';
        else out += `\\${e}`;
        continue;
      }
      out += c;
    }
  }

  private regex(body: string, flags: string): RegExp | undefined {
    if (body === '') return undefined; // the empty regex: the last one used
    const source = body.replace(/\\t/g, '\t');
    try {
      return new RegExp(posixToRegex(source, this.extended), `g${flags}`);
    } catch (e) {
      if (e instanceof RegexError) this.fail(e.message);
      throw e;
    }
  }

  /** a\ text, i\ text, c\ text (and GNU's one-liner `a text`): backslash-newline continues the text. */
  private text(): string | undefined {
    this.skipBlanks();
    if (this.peek() === '\\') {
      this.i++;
      // `a\` that ends the script has no text at all (GNU appends nothing); `a\` and a newline
      // has an empty one (GNU appends an empty line).
      if (this.peek() === undefined) return undefined;
      // a\ then the text on the next line; a\ followed by text keeps its leading blanks.
      let j = this.i;
      while (this.s[j] === ' ' || this.s[j] === '\t') j++;
      if (this.s[j] === '\n') this.i = j + 1;
    }
    let out = '';
    for (;;) {
      const c = this.next();
      if (c === undefined) break;
      if (c === '\\') {
        const e = this.next();
        if (e === undefined) break;
        if (e === 'c') {
          // \cX is control-X (\cA is 0x01), as in GNU sed; a \c that ends the text is dropped.
          const x = this.next();
          if (x !== undefined && x !== '\n') out += String.fromCharCode(x.toUpperCase().charCodeAt(0) ^ 0x40);
          if (x === '\n') break;
          continue;
        }
        out += e === 't' ? '\t' : e === 'n' ? '\n' : e;
        continue;
      }
      if (c === '\n') break;
      out += c;
    }
    return out;
  }

  private label(): string {
    this.skipBlanks();
    const start = this.i;
    // GNU sed 4.9 ends a label at a blank, `;', `#' or `}' (`bx;p', `:a}' is "unexpected `}'").
    while (this.peek() !== undefined && !/[\s;#}]/.test(this.peek()!)) this.i++;
    return this.s.slice(start, this.i);
  }

  private fileName(): string {
    this.skipBlanks();
    const start = this.i;
    while (this.peek() !== undefined && this.peek() !== '\n') this.i++;
    if (this.i === start) this.fail('missing filename in r/R/w/W commands');
    return this.s.slice(start, this.i);
  }

  private endOfCommand(): void {
    this.skipBlanks();
    const c = this.peek();
    if (c === undefined || c === '\n' || c === ';' || c === '}' || c === '#') return;
    this.i++;
    this.fail(`extra characters after command`);
  }

  private command(): void {
    const cmd: Cmd = { negate: false, name: '' };
    cmd.a1 = this.address();
    if (cmd.a1 && this.peek() === ',') {
      this.i++;
      this.skipBlanks();
      if (this.peek() === '+') { this.i++; cmd.a2 = { kind: 'plus', n: this.number() }; }
      else cmd.a2 = this.address();
      if (!cmd.a2) this.fail('unexpected `,\'');
    }
    this.skipBlanks();
    if (cmd.a1?.kind === 'line' && cmd.a1.n === 0 && !(cmd.a2?.kind === 're')) { this.i++; this.fail('invalid usage of line address 0'); }
    while (this.peek() === '!') { cmd.negate = true; this.i++; this.skipBlanks(); }
    const name = this.next();
    if (name === undefined) this.fail('missing command');
    cmd.name = name;
    const noAddress = () => { if (cmd.a1) this.fail(`: doesn't want any addresses`); };
    switch (name) {
      case '{':
        this.braces.push(this.cmds.length);
        this.cmds.push(cmd);
        return;
      case '}': {
        if (cmd.a1) this.fail('} doesn\'t want any addresses');
        const open = this.braces.pop();
        if (open === undefined) this.fail("unexpected `}'");
        this.cmds[open]!.jump = this.cmds.length;
        this.cmds.push(cmd);
        this.endOfCommand();
        return;
      }
      case ':':
        noAddress();
        cmd.text = this.label();
        if (!cmd.text) this.fail('":" lacks a label');
        break;
      case 'a': case 'i': case 'c':
        this.skipBlanks();
        if (this.peek() === undefined) this.fail("expected \\ after `a', `c' or `i'");
        cmd.text = this.text();
        break;
      case 'b': case 't': case 'T':
        cmd.text = this.label();
        break;
      case 'r': case 'R': case 'w': case 'W':
        cmd.text = this.fileName();
        break;
      case 'q': case 'Q': case 'l': case 'L':
        if (cmd.a2 && (name === 'q' || name === 'Q')) this.fail('command only uses one address');
        this.skipBlanks();
        if (/[0-9]/.test(this.peek() ?? '')) cmd.code = this.number();
        this.endOfCommand();
        break;
      case '=': case 'd': case 'D': case 'g': case 'G': case 'h': case 'H': case 'n': case 'N': case 'p': case 'P': case 'x': case 'z': case 'F':
        this.endOfCommand();
        break;
      case 's': this.substitute(cmd); break;
      case 'y': this.transliterate(cmd); break;
      default:
        this.fail(`unknown command: \`${name}'`);
    }
    this.cmds.push(cmd);
  }

  private substitute(cmd: Cmd): void {
    const delim = this.next();
    if (delim === undefined || delim === '\n' || delim === '\\') this.fail("unterminated `s' command");
    const pattern = this.delimited(delim, "unterminated `s' command");
    cmd.replacement = this.delimited(delim, "unterminated `s' command");
    let flags = '';
    for (;;) {
      const c = this.peek();
      if (c === 'g') { cmd.global = true; this.i++; }
      else if (c === 'p') { cmd.print = (cmd.print ?? 0) + 1; this.i++; }
      else if (c === 'i' || c === 'I') { flags += 'i'; this.i++; }
      else if (c === 'm' || c === 'M') { flags += 'm'; this.i++; }
      else if (c !== undefined && /[0-9]/.test(c)) {
        const n = this.number();
        if (n === 0) this.fail("number option to `s' command may not be zero");
        cmd.occurrence = n;
      } else if (c === 'w') { this.i++; cmd.text = this.fileName(); break; }
      else if (c === undefined || /[\s;}#]/.test(c)) break;
      else { this.i++; this.fail("unknown option to `s'"); }
    }
    cmd.re = this.regex(pattern, flags);
    // GNU sed refuses \N beyond the regex's groups at compile time (a learner who wrote \( in -E).
    if (cmd.re) {
      const groups = new RegExp(`${cmd.re.source}|`).exec('')!.length - 1;
      const highest = Math.max(0, ...Array.from(cmd.replacement.matchAll(/\\(.)/gs), (m) => (/[1-9]/.test(m[1]!) ? Number(m[1]) : 0)));
      if (highest > groups) this.fail(`invalid reference \\${highest} on \`s' command's RHS`);
    }
    this.endOfCommand();
  }

  private transliterate(cmd: Cmd): void {
    const delim = this.next();
    if (delim === undefined) this.fail("unterminated `y' command");
    const unescape = (t: string) => t.replace(/\\(.)/g, (_m, c: string) => (c === 'n' ? '\n' : c === 't' ? '\t' : c));
    cmd.from = unescape(this.delimited(delim, "unterminated `y' command"));
    cmd.to = unescape(this.delimited(delim, "unterminated `y' command"));
    if ([...cmd.from].length !== [...cmd.to].length) this.fail("strings for `y' command are different lengths");
    this.endOfCommand();
  }
}

/** The input: lines from the files in turn (or each file alone with -s / -i), with one line of lookahead for `$`. */
class Input {
  private files: string[];
  private fileIndex = -1;
  private lines: AsyncGenerator<{ bytes: Uint8Array; newline: boolean }> | undefined;
  private fd = -1;
  private ahead: { text: string; newline: boolean } | undefined;
  private started = false;
  lineNumber = 0;
  /** The file the current line came from. */
  current = '-';
  private nextCurrent = '-';

  constructor(private readonly p: Proc, files: string[], private readonly report: (msg: string) => Promise<void>) {
    this.files = files.length ? files : ['-'];
  }

  private async fill(): Promise<void> {
    while (!this.ahead) {
      if (this.lines) {
        const r = await this.lines.next();
        if (!r.done) { this.ahead = { text: bytesToLatin1(r.value.bytes), newline: r.value.newline }; return; }
        await closeInput(this.p, this.fd);
        this.lines = undefined;
      }
      this.fileIndex++;
      if (this.fileIndex >= this.files.length) return;
      const name = this.files[this.fileIndex]!;
      try {
        this.fd = await openInput(this.p, name);
      } catch (e) {
        await this.report(`can't read ${name}: ${errorText(e)}`);
        continue;
      }
      this.nextCurrent = name;
      this.lines = readLines(this.p, this.fd);
    }
  }

  async read(): Promise<{ text: string; newline: boolean } | undefined> {
    if (!this.started) { this.started = true; await this.fill(); }
    const line = this.ahead;
    if (!line) return undefined;
    this.current = this.nextCurrent;
    this.ahead = undefined;
    this.lineNumber++;
    await this.fill();
    return line;
  }

  get atLast(): boolean { return this.started && !this.ahead; }
}

interface RunOptions { quiet: boolean; extended: boolean }

/** Runs the commands over one input stream, writing to `out`. Returns the exit code, or undefined to go on. */
async function execute(p: Proc, cmds: Cmd[], input: Input, out: (text: string) => Promise<void>, o: RunOptions, warn: (m: string) => Promise<void>): Promise<number | undefined> {
  let hold = '';
  let lastRegex: RegExp | undefined;
  const wfiles = new Map<string, string>();
  const regexOf = (re: RegExp | undefined): RegExp => {
    const r = re ?? lastRegex;
    if (!r) throw new SedError('no previous regular expression');
    lastRegex = r;
    return r;
  };
  const test = (a: Addr, ps: string): boolean => {
    switch (a.kind) {
      case 'line': return input.lineNumber === a.n;
      case 'last': return input.atLast;
      case 'step': return a.step <= 0 ? input.lineNumber === a.first : input.lineNumber >= a.first && (input.lineNumber - a.first) % a.step === 0;
      case 're': { const r = regexOf(a.re); r.lastIndex = 0; return r.test(ps); }
      case 'plus': return false;
    }
  };
  const selected = (c: Cmd, ps: string): boolean => {
    let hit: boolean;
    if (!c.a1) hit = true;
    else if (!c.a2) hit = test(c.a1, ps);
    else if (c.inRange) {
      const a2 = c.a2;
      let ends: boolean;
      if (a2.kind === 'line' || a2.kind === 'plus') ends = input.lineNumber >= c.rangeEnd!;
      else ends = test(a2, ps);
      if (ends) c.inRange = false;
      hit = true;
    } else if ((c.a1.kind === 'line' && c.a1.n === 0 && input.lineNumber === 1) || test(c.a1, ps)) {
      hit = true;
      const a2 = c.a2;
      if (a2.kind === 'line') { c.rangeEnd = a2.n; c.inRange = a2.n > input.lineNumber; }
      else if (a2.kind === 'plus') { c.rangeEnd = input.lineNumber + a2.n; c.inRange = a2.n > 0; }
      else if (c.a1.kind === 'line' && c.a1.n === 0) { c.inRange = !test(a2, ps); }
      else c.inRange = !(a2.kind === 'last' && input.atLast);
    } else hit = false;
    return c.negate ? !hit : hit;
  };

  let line = await input.read();
  let quitCode: number | undefined;
  while (line) {
    let ps = line.text;
    let missingNewline = !line.newline;
    let autoprint = !o.quiet;
    const appends: string[] = [];
    let substituted = false;
    let pc = 0;
    let restart = false;
    const emit = async (text: string, nl = true) => out(text + (nl ? '\n' : ''));
    cycle: while (pc < cmds.length) {
      const c = cmds[pc]!;
      if (c.name === '}' || c.name === ':') { pc++; continue; }
      if (!selected(c, ps)) { pc = c.name === '{' ? c.jump! + 1 : pc + 1; continue; }
      switch (c.name) {
        case '{': break;
        case '=': await emit(String(input.lineNumber)); break;
        case 'a': if (c.text !== undefined) appends.push(`${c.text}\n`); break;
        case 'i': if (c.text !== undefined) await emit(c.text); break;
        case 'c':
          // In a range, the text comes once, at its end.
          if (c.text !== undefined && (!c.a2 || !c.inRange)) await emit(c.text);
          autoprint = false;
          break cycle;
        case 'd': autoprint = false; break cycle;
        case 'D': {
          const nl = ps.indexOf('\n');
          if (nl < 0) { autoprint = false; break cycle; }
          ps = ps.slice(nl + 1);
          restart = true;
          autoprint = false;
          break cycle;
        }
        case 'g': ps = hold; break;
        case 'G': ps += `\n${hold}`; break;
        case 'h': hold = ps; break;
        case 'H': hold += `\n${ps}`; break;
        case 'l': await emit(`${[...ps].map((ch) => visible(ch)).join('')}$`); break;
        case 'n': {
          if (!o.quiet) await emit(ps, !missingNewline || !input.atLast);
          const next = await input.read();
          if (!next) { autoprint = false; break cycle; }
          ps = next.text;
          missingNewline = !next.newline;
          break;
        }
        case 'N': {
          const next = await input.read();
          if (!next) break cycle; // GNU prints the pattern space when N finds no next line
          ps += `\n${next.text}`;
          missingNewline = !next.newline;
          break;
        }
        case 'p': await emit(ps); break;
        case 'P': await emit(ps.split('\n')[0]!); break;
        case 'q': quitCode = c.code ?? 0; break cycle;
        case 'Q': quitCode = c.code ?? 0; autoprint = false; break cycle;
        case 'r': {
          try { appends.push(bytesToLatin1(await p.readFile(c.text!))); } catch (e) { if (!(e instanceof SysError)) throw e; }
          break;
        }
        case 'w': wfiles.set(c.text!, (wfiles.get(c.text!) ?? '') + `${ps}\n`); break;
        case 's': {
          const r = regexOf(c.re);
          let count = 0;
          let did = false;
          r.lastIndex = 0;
          ps = ps.replace(r, (...m: unknown[]) => {
            count++;
            const whole = m[0] as string;
            if (c.occurrence !== undefined && (c.global ? count < c.occurrence : count !== c.occurrence)) return whole;
            if (!c.global && c.occurrence === undefined && count > 1) return whole;
            did = true;
            const groups = m.slice(1, -2) as (string | undefined)[];
            return expandReplacement(c.replacement!, whole, groups);
          });
          if (did) {
            substituted = true;
            for (let k = 0; k < (c.print ?? 0); k++) await emit(ps);
            if (c.text) wfiles.set(c.text, (wfiles.get(c.text) ?? '') + `${ps}\n`);
          }
          break;
        }
        case 't': if (substituted) { substituted = false; pc = c.jump ?? cmds.length; continue cycle; } break;
        case 'T': if (!substituted) { pc = c.jump ?? cmds.length; continue cycle; } substituted = false; break;
        case 'b': pc = c.jump ?? cmds.length; continue cycle;
        case 'x': [ps, hold] = [hold, ps]; break;
        case 'y': ps = [...ps].map((ch) => { const k = [...c.from!].indexOf(ch); return k < 0 ? ch : [...c.to!][k]!; }).join(''); break;
        case 'z': ps = ''; break;
        case 'F': await emit(input.current); break;
        default: break;
      }
      pc++;
    }
    if (autoprint) await emit(ps, !(missingNewline && input.atLast));
    for (const a of appends) await out(a);
    if (quitCode !== undefined) break;
    if (restart) { line = { text: ps, newline: !missingNewline }; continue; }
    line = await input.read();
  }
  for (const [file, text] of wfiles) {
    try { await writeWhole(p, file, latin1ToBytes(text)); } catch (e) { await warn(`couldn't open file ${file}: ${errorText(e)}`); }
  }
  return quitCode;
}

/** Writes a whole file (created if need be, its mode and owner kept if it exists). */
async function writeWhole(p: Proc, path: string, data: Uint8Array): Promise<void> {
  const fd = await p.open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o666);
  try { await p.write(fd, data); } finally { await p.close(fd); }
}

function visible(ch: string): string {
  const c = ch.charCodeAt(0);
  const named: Record<string, string> = { '\\': '\\\\', '\x07': '\\a', '\b': '\\b', '\f': '\\f', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\v': '\\v' };
  if (named[ch]) return named[ch]!;
  if (c < 32 || c >= 127) return `\\${c.toString(8).padStart(3, '0')}`;
  return ch;
}

/** The s command's replacement: & is the match, \1..\9 the groups, \n a newline, \& a literal &. */
function expandReplacement(rep: string, whole: string, groups: (string | undefined)[]): string {
  let out = '';
  for (let i = 0; i < rep.length; i++) {
    const c = rep[i]!;
    if (c === '&') { out += whole; continue; }
    if (c === '\\' && i + 1 < rep.length) {
      const e = rep[++i]!;
      if (/[0-9]/.test(e)) out += e === '0' ? whole : groups[Number(e) - 1] ?? '';
      else if (e === 'n') out += '\n';
      else if (e === 't') out += '\t';
      else out += e;
      continue;
    }
    out += c;
  }
  return out;
}

export async function sed(p: Proc, argv: string[]): Promise<number> {
  const name = argv[0] || 'sed';
  const scripts: { text: string; where: string }[] = [];
  const files: string[] = [];
  let quiet = false, extended = false, separate = false;
  let inPlace: string | undefined;
  const usage = async (msg: string) => {
    await p.err(`${name}: ${msg}\n${USAGE.replace(/PROG/g, name)}`);
    return 1;
  };
  let expressions = 0;
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') { files.push(...argv.slice(i + 1)); break; }
    if (a === '--help') { await p.out(USAGE.replace(/PROG/g, name)); return 0; }
    if (a === '--version') { await p.out(VERSION); return 0; }
    if (a === '-n' || a === '--quiet' || a === '--silent') { quiet = true; continue; }
    if (a === '-E' || a === '-r' || a === '--regexp-extended') { extended = true; continue; }
    if (a === '-s' || a === '--separate') { separate = true; continue; }
    if (a === '-i' || a === '--in-place') { inPlace = ''; separate = true; continue; }
    if (a.startsWith('--in-place=')) { inPlace = a.slice(11); separate = true; continue; }
    if (a.startsWith('-i') && !a.startsWith('-i-')) { inPlace = a.slice(2); separate = true; continue; }
    if (a === '-e' || a === '--expression' || a.startsWith('--expression=') || (a.startsWith('-e') && a.length > 2)) {
      const text = a === '-e' || a === '--expression' ? argv[++i] : a.startsWith('--') ? a.slice(13) : a.slice(2);
      if (text === undefined) return usage("option requires an argument -- 'e'");
      scripts.push({ text, where: `-e expression #${++expressions}` });
      continue;
    }
    if (a === '-f' || a === '--file' || (a.startsWith('-f') && a.length > 2)) {
      const file = a === '-f' || a === '--file' ? argv[++i] : a.slice(2);
      if (file === undefined) return usage("option requires an argument -- 'f'");
      try {
        scripts.push({ text: bytesToLatin1(await p.readFile(file)).replace(/\n$/, ''), where: `file ${file} line 1` });
      } catch (e) {
        await p.err(`${name}: couldn't open file ${file}: ${errorText(e)}\n`);
        return 1;
      }
      continue;
    }
    if (a.startsWith('-') && a !== '-') {
      // Bundled flags such as -ne or -nE.
      if (/^-[nEsr]+$/.test(a)) { for (const f of a.slice(1)) { if (f === 'n') quiet = true; else if (f === 's') separate = true; else extended = true; } continue; }
      return usage(`invalid option -- '${a.slice(1, 2)}'`);
    }
    files.push(a);
  }
  if (!scripts.length) {
    const text = files.shift();
    if (text === undefined) { await p.err(USAGE.replace(/PROG/g, name)); return 1; }
    scripts.push({ text, where: '-e expression #1' });
  }
  let cmds: Cmd[];
  try {
    // The -e pieces form one script, joined by newlines, as GNU does.
    cmds = new ScriptParser(scripts.map((s) => s.text).join('\n'), scripts[0]!.where, extended).parse();
  } catch (e) {
    if (e instanceof SedError) { await p.err(`${name}: ${e.message}\n`); return e.status; }
    throw e;
  }
  let status = 0;
  const warn = async (m: string) => { status = 2; await p.err(`${name}: ${m}\n`); };
  const o: RunOptions = { quiet, extended };
  try {
    if (inPlace !== undefined) {
      if (!files.length) { await p.err(`${name}: no input files\n`); return 1; }
      for (const file of files) {
        let original: Uint8Array;
        try { original = await p.readFile(file); } catch (e) { await warn(`can't read ${file}: ${errorText(e)}`); continue; }
        const chunks: Uint8Array[] = [];
        const code = await execute(p, cmds, new Input(p, [file], warn), async (t) => { chunks.push(latin1ToBytes(t)); }, o, warn);
        if (inPlace) await writeWhole(p, inPlace.includes('*') ? inPlace.replace(/\*/g, file) : `${file}${inPlace}`, original);
        await writeWhole(p, file, concatBytes(chunks));
        if (code !== undefined) return code;
      }
      return status;
    }
    const groups = separate ? files.map((f) => [f]) : [files];
    for (const group of groups.length ? groups : [[]]) {
      const code = await execute(p, cmds, new Input(p, group, warn), (t) => p.out(t).then(() => undefined), o, warn);
      if (code !== undefined) return code;
    }
  } catch (e) {
    if (e instanceof SedError) { await p.err(`${name}: ${e.message}\n`); return 4; }
    throw e;
  }
  return status;
}
