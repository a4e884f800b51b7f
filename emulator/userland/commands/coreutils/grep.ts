// grep: print lines that match patterns (GNU grep 3: basic, extended and fixed patterns,
// context lines, counts, file names, recursion; status 0 selected, 1 none, 2 trouble).
import type { Proc } from '../../libc.js';
import { SysError } from '../../libc.js';
import { Tool, closeInput, concatBytes, decodeUtf8, encodeUtf8, errorText, joinPath, readLines, type LongOption } from './common.js';
import { RegexError, fixedToRegex, posixToRegex } from './regex.js';

const HELP = `Usage: PROG [OPTION]... PATTERNS [FILE]...
Search for PATTERNS in each FILE.
Example: PROG -i 'hello world' menu.h main.c
PATTERNS can contain multiple patterns separated by newlines.

Pattern selection and interpretation:
  -E, --extended-regexp     PATTERNS are extended regular expressions
  -F, --fixed-strings       PATTERNS are strings
  -G, --basic-regexp        PATTERNS are basic regular expressions
  -P, --perl-regexp         PATTERNS are Perl regular expressions
  -e, --regexp=PATTERNS     use PATTERNS for matching
  -f, --file=FILE           take PATTERNS from FILE
  -i, --ignore-case         ignore case distinctions in patterns and data
      --no-ignore-case      do not ignore case distinctions (default)
  -w, --word-regexp         match only whole words
  -x, --line-regexp         match only whole lines

Miscellaneous:
  -s, --no-messages         suppress error messages
  -v, --invert-match        select non-matching lines
  -V, --version             display version information and exit
      --help                display this help text and exit

Output control:
  -m, --max-count=NUM       stop after NUM selected lines
  -b, --byte-offset         print the byte offset with output lines
  -n, --line-number         print line number with output lines
  -H, --with-filename       print file name with output lines
  -h, --no-filename         suppress the file name prefix on output
      --label=LABEL         use LABEL as the standard input file name prefix
  -o, --only-matching       show only nonempty parts of lines that match
  -q, --quiet, --silent     suppress all normal output
  -r, --recursive           like --directories=recurse
  -R, --dereference-recursive  likewise, but follow all symlinks
  -L, --files-without-match  print only names of FILEs with no selected lines
  -l, --files-with-matches  print only names of FILEs with selected lines
  -c, --count               print only a count of selected lines per FILE

Context control:
  -B, --before-context=NUM  print NUM lines of leading context
  -A, --after-context=NUM   print NUM lines of trailing context
  -C, --context=NUM         print NUM lines of output context
  -NUM                      same as --context=NUM
      --color[=WHEN]        use markers to highlight the matching strings
  -a, --text                equivalent to --binary-files=text

When FILE is '-', read standard input.  With no FILE, read '.' if
recursive, '-' otherwise.  With fewer than two FILEs, assume -h.
Exit status is 0 if any line is selected, 1 otherwise;
if any error occurs and -q is not given, the exit status is 2.
`;

const LONGS: LongOption[] = [
  { name: 'extended-regexp', key: 'E' },
  { name: 'fixed-strings', key: 'F' },
  { name: 'basic-regexp', key: 'G' },
  { name: 'perl-regexp', key: 'P' },
  { name: 'regexp', key: 'e', arg: 'required' },
  { name: 'file', key: 'f', arg: 'required' },
  { name: 'ignore-case', key: 'i' },
  { name: 'no-ignore-case', key: 'no-ignore-case' },
  { name: 'word-regexp', key: 'w' },
  { name: 'line-regexp', key: 'x' },
  { name: 'no-messages', key: 's' },
  { name: 'invert-match', key: 'v' },
  { name: 'max-count', key: 'm', arg: 'required' },
  { name: 'byte-offset', key: 'b' },
  { name: 'line-number', key: 'n' },
  { name: 'with-filename', key: 'H' },
  { name: 'no-filename', key: 'h' },
  { name: 'label', key: 'label', arg: 'required' },
  { name: 'only-matching', key: 'o' },
  { name: 'quiet', key: 'q' },
  { name: 'silent', key: 'q' },
  { name: 'recursive', key: 'r' },
  { name: 'dereference-recursive', key: 'R' },
  { name: 'files-without-match', key: 'L' },
  { name: 'files-with-matches', key: 'l' },
  { name: 'count', key: 'c' },
  { name: 'before-context', key: 'B', arg: 'required' },
  { name: 'after-context', key: 'A', arg: 'required' },
  { name: 'context', key: 'C', arg: 'required' },
  { name: 'color', key: 'color', arg: 'optional' },
  { name: 'colour', key: 'color', arg: 'optional' },
  { name: 'text', key: 'a' },
  { name: 'line-buffered', key: 'line-buffered' },
];

const TROUBLE = 2;

interface Options {
  invert: boolean;
  count: boolean;
  listMatching: boolean;
  listNonMatching: boolean;
  quiet: boolean;
  onlyMatching: boolean;
  lineNumbers: boolean;
  byteOffset: boolean;
  withFilename: boolean;
  noMessages: boolean;
  text: boolean;
  maxCount: number;
  before: number;
  after: number;
  recursive: false | 'r' | 'R';
  label: string;
}

/** Thrown to end grep -q at the first selected line. */
class QuietMatch extends Error {}

export async function grep(p: Proc, argv: string[]): Promise<number> {
  const t = new Tool(p, argv, 'grep', HELP, 'GNU grep');
  // -NUM is context; GNU accepts the digits as options.
  const args = argv.map((a, k) => (k > 0 && /^-\d+$/.test(a) ? `--context=${a.slice(1)}` : a));
  const parsed = await t.parse(args, 'EFGPe:f:iywxsvVm:bnHhoqrRLlcB:A:C:aUz', LONGS, TROUBLE);
  if (typeof parsed === 'number') return parsed;
  if (parsed.options.some((o) => o.key === 'V')) { await p.out(t.versionText()); return 0; }

  let syntax: 'G' | 'E' | 'F' | 'P' = 'G';
  let ignoreCase = false, word = false, line = false;
  const patterns: string[] = [];
  let havePatterns = false;
  const o: Options = {
    invert: false, count: false, listMatching: false, listNonMatching: false, quiet: false, onlyMatching: false,
    lineNumbers: false, byteOffset: false, withFilename: false, noMessages: false, text: false, maxCount: Infinity,
    before: 0, after: 0, recursive: false, label: '(standard input)',
  };
  let filenameChoice: boolean | undefined;
  const contextNumber = async (value: string | undefined): Promise<number | undefined> => {
    if (value === undefined || !/^\d+$/.test(value)) { await t.warn(`${value ?? ''}: invalid context length argument`); return undefined; }
    return Number(value);
  };
  for (const opt of parsed.options) {
    switch (opt.key) {
      case 'E': case 'F': case 'G': case 'P': syntax = opt.key; break;
      case 'e': patterns.push(...opt.value!.split('\n')); havePatterns = true; break;
      case 'f': {
        try {
          const text = decodeUtf8(await p.readFile(opt.value!));
          // An empty file has no patterns (nothing matches); "\n" is one empty pattern.
          if (text !== '') patterns.push(...(text.endsWith('\n') ? text.slice(0, -1) : text).split('\n'));
          havePatterns = true;
        } catch (e) {
          await t.warn(`${opt.value}: ${errorText(e)}`);
          return TROUBLE;
        }
        break;
      }
      case 'i': case 'y': ignoreCase = true; break;
      case 'no-ignore-case': ignoreCase = false; break;
      case 'w': word = true; break;
      case 'x': line = true; break;
      case 's': o.noMessages = true; break;
      case 'v': o.invert = true; break;
      case 'm': {
        if (!/^-?\d+$/.test(opt.value!)) { await t.warn(`invalid max count`); return TROUBLE; }
        const n = Number(opt.value);
        o.maxCount = n < 0 ? Infinity : n;
        break;
      }
      case 'b': o.byteOffset = true; break;
      case 'n': o.lineNumbers = true; break;
      case 'H': filenameChoice = true; break;
      case 'h': filenameChoice = false; break;
      case 'label': o.label = opt.value!; break;
      case 'o': o.onlyMatching = true; break;
      case 'q': o.quiet = true; break;
      case 'r': case 'R': o.recursive = opt.key; break;
      case 'L': o.listNonMatching = true; o.listMatching = false; break;
      case 'l': o.listMatching = true; o.listNonMatching = false; break;
      case 'c': o.count = true; break;
      case 'a': o.text = true; break;
      case 'A': case 'B': case 'C': {
        const n = await contextNumber(opt.value);
        if (n === undefined) return TROUBLE;
        if (opt.key !== 'B') o.after = n;
        if (opt.key !== 'A') o.before = n;
        break;
      }
      default: break;
    }
  }
  const operands = [...parsed.operands];
  if (!havePatterns) {
    const first = operands.shift();
    if (first === undefined) {
      await p.err(`Usage: ${t.name} [OPTION]... PATTERNS [FILE]...\nTry '${t.name} --help' for more information.\n`);
      return TROUBLE;
    }
    patterns.push(...first.split('\n'));
  }

  let matchers: RegExp[];
  const warnings: string[] = [];
  try {
    matchers = patterns.map((pat) => compilePattern(pat, syntax, ignoreCase, word, line, (w) => warnings.push(w)));
    for (const w of warnings) await t.warn(`warning: ${w}`);
  } catch (e) {
    if (e instanceof RegexError) { await t.warn(e.message); return TROUBLE; }
    throw e;
  }

  const files = operands.length ? operands : [o.recursive ? '.' : '-'];
  o.withFilename = filenameChoice ?? (files.length > 1 || (o.recursive !== false && !(operands.length === 1 && !(await isDirectory(p, operands[0]!)))));
  const search = new Search(p, t, o, matchers);
  try {
    for (const file of files) {
      await search.operand(file, operands.length === 0);
    }
  } catch (e) {
    if (e instanceof QuietMatch) return 0;
    throw e;
  }
  if (t.status && !(o.quiet && search.selectedAny)) return TROUBLE;
  // With -L, success means a file was listed (grep 3.5 and later).
  return (o.listNonMatching ? search.listedAny : search.selectedAny) ? 0 : 1;
}

async function isDirectory(p: Proc, path: string): Promise<boolean> {
  try { return (await p.stat(path)).isDir; } catch (e) { if (e instanceof SysError) return false; throw e; }
}

function compilePattern(pattern: string, syntax: 'G' | 'E' | 'F' | 'P', ignoreCase: boolean, word: boolean, line: boolean, warn: (w: string) => void): RegExp {
  let source = syntax === 'F' ? fixedToRegex(pattern) : syntax === 'P' ? pattern : posixToRegex(pattern, syntax === 'E', warn);
  if (word) source = `(?<![A-Za-z0-9_])(?:${source})(?![A-Za-z0-9_])`;
  if (line) source = `^(?:${source})$`;
  try {
    return new RegExp(source, ignoreCase ? 'gi' : 'g');
  } catch {
    throw new RegexError(syntax === 'P' ? 'unmatched parentheses or invalid Perl regular expression' : 'Invalid regular expression');
  }
}

/** One grep run over its operands. */
class Search {
  selectedAny = false;
  listedAny = false;
  private readonly out: Uint8Array[] = [];
  private outSize = 0;
  private readonly interactive: boolean;

  constructor(private readonly p: Proc, private readonly t: Tool, private readonly o: Options, private readonly matchers: readonly RegExp[]) {
    this.interactive = p.isatty(1);
  }

  /** A command-line operand: '-', a file, or with -r a directory to walk. */
  async operand(file: string, implicitDot: boolean): Promise<void> {
    if (file !== '-' && this.o.recursive) {
      let isDir = false;
      try {
        isDir = (await this.p.stat(file)).isDir;
      } catch (e) {
        await this.fileError(file, e);
        return;
      }
      if (isDir) { await this.walk(file, implicitDot ? '' : file); return; }
    }
    await this.searchFile(file, file === '-' ? this.o.label : file);
  }

  private async walk(dir: string, shown: string): Promise<void> {
    let names: string[];
    try {
      names = await this.p.readdir(dir);
    } catch (e) {
      await this.fileError(shown || dir, e);
      return;
    }
    for (const name of names) {
      const path = joinPath(dir, name);
      const display = shown ? joinPath(shown, name) : name;
      let st;
      try {
        st = this.o.recursive === 'R' ? await this.p.stat(path) : await this.p.lstat(path);
      } catch (e) {
        await this.fileError(display, e);
        continue;
      }
      const type = st.mode & 0o170000;
      if (type === 0o040000) await this.walk(path, display);
      else if (type === 0o100000) await this.searchFile(path, display);
    }
  }

  private async fileError(name: string, e: unknown): Promise<void> {
    const text = errorText(e);
    if (this.o.noMessages) { this.t.status = TROUBLE; return; }
    await this.t.error(`${name}: ${text}`, TROUBLE);
  }

  private async emit(text: string | Uint8Array): Promise<void> {
    const bytes = typeof text === 'string' ? encodeUtf8(text) : text;
    this.out.push(bytes);
    this.outSize += bytes.length;
    if (this.interactive || this.outSize >= 65536) await this.flush();
  }

  private async flush(): Promise<void> {
    if (!this.out.length) return;
    const data = concatBytes(this.out);
    this.out.length = 0;
    this.outSize = 0;
    await this.p.write(1, data);
  }

  private matches(text: string): boolean {
    return this.matchers.some((re) => { re.lastIndex = 0; return re.test(text); });
  }

  /** The non-empty matches of a line, leftmost first, for -o. */
  private parts(text: string): { index: number; text: string }[] {
    const found: { index: number; text: string }[] = [];
    let pos = 0;
    while (pos <= text.length) {
      let best: RegExpExecArray | undefined;
      for (const re of this.matchers) {
        re.lastIndex = pos;
        let m = re.exec(text);
        while (m && m[0] === '' && re.lastIndex < text.length) { re.lastIndex = m.index + 1; m = re.exec(text); }
        if (m && m[0] !== '' && (!best || m.index < best.index || (m.index === best.index && m[0].length > best[0].length))) best = m;
      }
      if (!best) break;
      found.push({ index: best.index, text: best[0] });
      pos = best.index + best[0].length;
    }
    return found;
  }

  private async searchFile(path: string, name: string): Promise<void> {
    const o = this.o;
    let fd: number;
    try {
      fd = path === '-' ? 0 : await this.p.open(path);
      if (path !== '-' && (await this.p.fstat(fd)).isDir) {
        await closeInput(this.p, fd);
        if (o.recursive) return;
        await this.fileError(name, new SysError(21));
        if (o.count) await this.emit(`${o.withFilename ? name + ':' : ''}0\n`);
        await this.flush();
        return;
      }
    } catch (e) {
      await this.fileError(name, e);
      return;
    }
    let binary = false;
    let selected = 0;
    let lineNumber = 0;
    let offset = 0;
    let lastPrinted = 0;
    let afterLeft = 0;
    const before: { text: Uint8Array; number: number; offset: number }[] = [];
    const useContext = o.before > 0 || o.after > 0;
    const printing = !o.quiet && !o.count && !o.listMatching && !o.listNonMatching;
    const prefix = (number: number, off: number, sep: string) =>
      (o.withFilename ? name + sep : '') + (o.lineNumbers ? number + sep : '') + (o.byteOffset ? off + sep : '');
    const printLine = async (bytes: Uint8Array, number: number, off: number, sep: string) => {
      if (useContext && lastPrinted > 0 && number > lastPrinted + 1) await this.emit('--\n');
      await this.emit(concatBytes([encodeUtf8(prefix(number, off, sep)), bytes, new Uint8Array([10])]));
      lastPrinted = number;
    };
    try {
      for await (const ln of readLines(this.p, fd, 32768, (chunk) => { if (!o.text && chunk.includes(0)) binary = true; })) {
        lineNumber++;
        const lineOffset = offset;
        offset += ln.bytes.length + (ln.newline ? 1 : 0);
        if (selected >= o.maxCount) {
          if (afterLeft > 0 && printing && !binary) { afterLeft--; await printLine(ln.bytes, lineNumber, lineOffset, '-'); continue; }
          break;
        }
        const text = decodeUtf8(ln.bytes);
        const isSelected = this.matches(text) !== o.invert;
        if (!isSelected) {
          if (!printing || binary) continue;
          if (afterLeft > 0) { afterLeft--; await printLine(ln.bytes, lineNumber, lineOffset, '-'); }
          else if (o.before > 0) { before.push({ text: ln.bytes, number: lineNumber, offset: lineOffset }); if (before.length > o.before) before.shift(); }
          continue;
        }
        selected++;
        this.selectedAny = true;
        if (o.quiet) { await this.flush(); throw new QuietMatch(); }
        if (o.listMatching || o.listNonMatching) break;
        if (!printing) continue;
        if (binary) {
          await this.flush();
          await this.t.warn(`${name}: binary file matches`);
          break;
        }
        for (const b of before) await printLine(b.text, b.number, b.offset, '-');
        before.length = 0;
        if (o.onlyMatching) {
          if (!o.invert) {
            for (const part of this.parts(text)) {
              const partOffset = lineOffset + encodeUtf8(text.slice(0, part.index)).length;
              await this.emit(`${prefix(lineNumber, partOffset, ':')}${part.text}\n`);
            }
          }
          lastPrinted = lineNumber;
        } else {
          await printLine(ln.bytes, lineNumber, lineOffset, ':');
        }
        afterLeft = o.after;
      }
    } catch (e) {
      if (e instanceof QuietMatch) throw e;
      await this.flush();
      await this.fileError(name, e);
    } finally {
      await closeInput(this.p, fd);
    }
    if (o.count) await this.emit(`${o.withFilename ? name + ':' : ''}${selected}\n`);
    if (o.listMatching && selected > 0) await this.emit(`${name}\n`);
    if (o.listNonMatching && selected === 0) { this.listedAny = true; await this.emit(`${name}\n`); }
    await this.flush();
  }
}

/** egrep and fgrep: the obsolescent names, with grep 3.8's warning. */
function legacyGrep(name: string, flag: string) {
  return async (p: Proc, argv: string[]): Promise<number> => {
    await p.err(`${name}: warning: ${name} is obsolescent; using grep ${flag}\n`);
    return grep(p, ['grep', flag, ...argv.slice(1)]);
  };
}

export const egrep = legacyGrep('egrep', '-E');
export const fgrep = legacyGrep('fgrep', '-F');
