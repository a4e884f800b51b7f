// scripts/Configure of Linux 2.2: `make config` and `make oldconfig`. It reads arch/i386/config.in
// and the Config.in files it sources, asks every question on the terminal (bool, tristate,
// dep_tristate, int, hex, string, choice), shows Documentation/Configure.help on `?`, and writes
// .config and include/linux/autoconf.h.
//
// The real Configure is a bash script that sources the Config.in files, so a Config.in is bash: a
// mistake in one is reported by bash ("drivers/char/Config.in: line 12: syntax error near
// unexpected token `fi'"), and an unknown word is a "command not found". Here the same language is
// read by a small interpreter that gives those messages.

export interface ConfigureIO {
  /** A file of the tree (relative to the top), or undefined when it does not exist. */
  readFile(path: string): Promise<string | undefined>;
  out(text: string): Promise<void>;
  err(text: string): Promise<void>;
  /** One line typed (without its newline); undefined at end of input. */
  readLine(): Promise<string | undefined>;
}

export interface ConfigureResult {
  status: number;
  /** .config and include/linux/autoconf.h, when the configuration ran to the end. */
  config?: string;
  autoconf?: string;
}

class ScriptError extends Error {}

interface Command { kind: 'command'; raw: RawWord[]; line: number }
interface IfStatement { kind: 'if'; test: RawWord[]; then: Statement[]; else: Statement[]; line: number }
type Statement = Command | IfStatement;

/** A word as written: literal parts and $VAR references, expanded when the statement runs. */
type RawWord = { parts: ({ lit: string } | { ref: string })[]; quoted: boolean };

/** Splits Config.in text into lines of words (quotes, $VAR, backslash-newline, ';'). */
function tokenize(text: string, file: string): { line: number; words: (RawWord | { op: ';' })[] }[] {
  const lines: { line: number; words: (RawWord | { op: ';' })[] }[] = [];
  let i = 0;
  let line = 1;
  while (i < text.length) {
    const words: (RawWord | { op: ';' })[] = [];
    const startLine = line;
    for (;;) {
      while (text[i] === ' ' || text[i] === '\t') i++;
      if (text[i] === '\\' && text[i + 1] === '\n') { i += 2; line++; continue; }
      if (i >= text.length || text[i] === '\n') { if (text[i] === '\n') { i++; line++; } break; }
      if (text[i] === '#') { while (i < text.length && text[i] !== '\n') i++; continue; }
      if (text[i] === ';') { words.push({ op: ';' }); i++; continue; }
      const w: RawWord = { parts: [], quoted: false };
      const lit = (s: string) => {
        const last = w.parts[w.parts.length - 1];
        if (last && 'lit' in last) last.lit += s; else w.parts.push({ lit: s });
      };
      const ref = () => {
        i++;
        if (text[i] === '{') {
          const end = text.indexOf('}', i);
          // Without its `}' the reference would end at -1 and the scan would start over from the top.
          if (end < 0) throw new ScriptError(`${file}: line ${line}: unexpected EOF while looking for matching \`}'`);
          w.parts.push({ ref: text.slice(i + 1, end) });
          i = end + 1;
          return;
        }
        const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(i));
        if (!m) { lit('$'); return; }
        w.parts.push({ ref: m[0] });
        i += m[0].length;
      };
      // bash's metacharacters: a CR (a Config.in saved with CRLF endings) is part of a word, as in
      // bash; taking it for a blank here ended every word before it began, for ever.
      while (i < text.length && !/[ \t\n;]/.test(text[i]!)) {
        const c = text[i]!;
        if (c === "'") {
          w.quoted = true;
          const end = text.indexOf("'", i + 1);
          if (end < 0) throw new ScriptError(`${file}: line ${startLine}: unexpected EOF while looking for matching \`''\n${file}: line ${line + (text.slice(i).split('\n').length - 1)}: syntax error: unexpected end of file`);
          const body = text.slice(i + 1, end);
          line += body.split('\n').length - 1;
          lit(body);
          i = end + 1;
        } else if (c === '"') {
          w.quoted = true;
          i++;
          for (;;) {
            if (i >= text.length) throw new ScriptError(`${file}: line ${startLine}: unexpected EOF while looking for matching \`"'\n${file}: line ${line}: syntax error: unexpected end of file`);
            const d = text[i]!;
            if (d === '"') { i++; break; }
            if (d === '$') { ref(); continue; }
            if (d === '\\' && text[i + 1] === '\n') { i += 2; line++; continue; }
            if (d === '\\' && /["$\\`]/.test(text[i + 1] ?? '')) { lit(text[i + 1]!); i += 2; continue; }
            if (d === '\n') line++;
            lit(d);
            i++;
          }
        } else if (c === '$') {
          ref();
        } else if (c === '\\' && text[i + 1] === '\n') {
          i += 2;
          line++;
          break;
        } else if (c === '\\') {
          lit(text[i + 1] ?? '');
          i += 2;
        } else {
          lit(c);
          i++;
        }
      }
      words.push(w);
    }
    if (words.length) lines.push({ line: startLine, words });
  }
  return lines;
}

const literal = (w: RawWord | { op: ';' } | undefined): string | undefined =>
  w && 'parts' in w && !w.quoted && w.parts.length === 1 && 'lit' in w.parts[0]! ? w.parts[0].lit : undefined;

/** Builds the statement tree, with bash's messages for misplaced if/then/else/fi. */
function parse(text: string, file: string): Statement[] {
  const lines = tokenize(text, file);
  // Commands are separated by ';' as well as by newlines.
  const commands: { line: number; words: RawWord[] }[] = [];
  for (const l of lines) {
    let cur: RawWord[] = [];
    for (const w of l.words) {
      if ('op' in w) { if (cur.length) commands.push({ line: l.line, words: cur }); cur = []; continue; }
      cur.push(w);
    }
    if (cur.length) commands.push({ line: l.line, words: cur });
  }
  const lastLine = text.split('\n').length;
  let at = 0;
  const unexpected = (token: string, line: number, source: string): never => {
    throw new ScriptError(`${file}: line ${line}: syntax error near unexpected token \`${token}'\n${file}: line ${line}: \`${source}'`);
  };
  const sourceLine = (line: number) => text.split('\n')[line - 1]!.trim();
  const block = (until: string[]): { body: Statement[]; end: string | undefined } => {
    const body: Statement[] = [];
    while (at < commands.length) {
      const c = commands[at]!;
      const first = literal(c.words[0]);
      if (first !== undefined && until.includes(first)) { at++; return { body, end: first }; }
      if (first === 'fi' || first === 'else' || first === 'then') unexpected(first, c.line, sourceLine(c.line));
      at++;
      if (first === 'if') {
        let test = c.words.slice(1);
        // "if [ ... ]; then" puts then into the next command; "then" may also be on a line of its own.
        const next = commands[at];
        if (!next || literal(next.words[0]) !== 'then') {
          if (!next) throw new ScriptError(`${file}: line ${lastLine}: syntax error: unexpected end of file`);
          unexpected(literal(next.words[0]) ?? 'newline', next.line, sourceLine(next.line));
        }
        const rest = next!.words.slice(1);
        at++;
        if (rest.length) { commands.splice(at, 0, { line: next!.line, words: rest }); }
        if (!test.length) unexpected('then', next!.line, sourceLine(next!.line));
        const thenPart = block(['else', 'fi']);
        let elsePart: Statement[] = [];
        if (thenPart.end === 'else') elsePart = block(['fi']).body;
        else if (thenPart.end === undefined) throw new ScriptError(`${file}: line ${lastLine}: syntax error: unexpected end of file`);
        test = test.filter(Boolean);
        body.push({ kind: 'if', test, then: thenPart.body, else: elsePart, line: c.line });
        continue;
      }
      body.push({ kind: 'command', raw: c.words, line: c.line });
    }
    if (until.length) throw new ScriptError(`${file}: line ${lastLine}: syntax error: unexpected end of file`);
    return { body, end: undefined };
  };
  return block([]).body;
}

const HELP_MISSING = '\n  Sorry, no help available for this option yet.\n\n';
const NEEDS_MODULE = `
  This answer is not allowed, because it is not consistent with
  your other choices.
  This driver depends on another one which you chose to compile
  as a module. This means that you can either compile this one
  as a module as well (with M) or leave it out altogether (N).

`;

/** Documentation/Configure.help: the entry of `variable`, as 2.2's help() shows it. */
export function helpText(configureHelp: string | undefined, variable: string): string {
  if (configureHelp === undefined) {
    return "\n  Can't access the file Documentation/Configure.help which\n  should contain the help texts.\n\n";
  }
  const lines = configureHelp.split('\n');
  const at = lines.findIndex((l) => l.trimEnd() === variable);
  if (at < 0) return HELP_MISSING;
  const body: string[] = [];
  // 2.2's entries are indented by two spaces and end at the next line that is not; 2.0's were not
  // indented and ended at a blank line (the form the 1998 article shows). Both are read.
  const indented = /^[ \t]/.test(lines[at + 1] ?? '');
  for (let i = at + 1; i < lines.length; i++) {
    const l = lines[i]!;
    if (l.startsWith('#')) continue;
    if (indented ? /^[^ \t\n]/.test(l) && l !== '' : l.trim() === '') break;
    body.push(l.replace(/^ {2}/, ''));
  }
  while (body.length && body[body.length - 1]!.trim() === '') body.pop();
  if (!body.length) return HELP_MISSING;
  return `\n${variable}:\n\n${body.join('\n')}\n\n`;
}

/** The configuration being written: .config and autoconf.h lines, in question order. */
class Output {
  config = ['#', "# Automatically generated make config: don't edit", '#'];
  autoconf = ['/*', " * Automatically generated C config: don't edit", ' */', '#define AUTOCONF_INCLUDED'];

  define(name: string, value: string, kind: 'bool' | 'int' | 'hex' | 'string'): void {
    if (kind === 'bool') {
      if (value === 'y') { this.config.push(`${name}=y`); this.autoconf.push(`#define ${name} 1`); }
      else if (value === 'm') { this.config.push(`${name}=m`); this.autoconf.push(`#undef  ${name}`, `#define ${name}_MODULE 1`); }
      else { this.config.push(`# ${name} is not set`); this.autoconf.push(`#undef  ${name}`); }
    } else if (kind === 'int') {
      this.config.push(`${name}=${value}`);
      this.autoconf.push(`#define ${name} (${value})`);
    } else if (kind === 'hex') {
      this.config.push(`${name}=${value}`);
      this.autoconf.push(`#define ${name} 0x${value.replace(/^0[xX]/, '')}`);
    } else {
      this.config.push(`${name}="${value}"`);
      this.autoconf.push(`#define ${name} "${value}"`);
    }
  }

  comment(text: string): void {
    this.config.push('', '#', `# ${text}`, '#');
    this.autoconf.push('', '/*', ` * ${text}`, ' */');
  }
}

class Exit extends Error { constructor(readonly status: number) { super(`exit ${status}`); } }

export class Configure {
  private readonly vars = new Map<string, string>();
  /** The values read from the defaults (.config or defconfig): an option found there is not NEW. */
  private readonly old = new Map<string, string>();
  private readonly output = new Output();
  private configureHelp: string | undefined;
  private helpLoaded = false;

  constructor(private readonly io: ConfigureIO, private readonly defaultsOnly: boolean) {}

  private value(name: string): string { return this.vars.get(name) ?? ''; }

  private expand(w: RawWord): string {
    return w.parts.map((p) => ('lit' in p ? p.lit : this.value(p.ref))).join('');
  }

  /** Expands words as the shell does: unquoted words that expand to nothing disappear. */
  private args(words: RawWord[]): string[] {
    const out: string[] = [];
    for (const w of words) {
      const v = this.expand(w);
      if (w.quoted) out.push(v);
      else out.push(...v.split(/\s+/).filter(Boolean));
    }
    return out;
  }

  async run(configIn: string): Promise<ConfigureResult> {
    try {
      const defaults = (await this.io.readFile('.config')) !== undefined ? '.config' : 'arch/i386/defconfig';
      const text = await this.io.readFile(defaults);
      if (text !== undefined) {
        await this.io.out(`#\n# Using defaults found in ${defaults}\n#\n`);
        for (const line of text.split('\n')) {
          const set = /^(CONFIG_[A-Za-z0-9_]+)=(.*)$/.exec(line);
          const unset = /^# (CONFIG_[A-Za-z0-9_]+) is not set/.exec(line);
          if (set) { const v = set[2]!.replace(/^"(.*)"$/, '$1'); this.old.set(set[1]!, v); this.vars.set(set[1]!, v); }
          else if (unset) { this.old.set(unset[1]!, 'n'); this.vars.set(unset[1]!, 'n'); }
        }
      } else {
        await this.io.out('#\n# No defaults found\n#\n');
      }
      await this.source(configIn);
    } catch (e) {
      if (e instanceof Exit) return { status: e.status };
      if (e instanceof ScriptError) { await this.io.err(`${e.message}\n`); return { status: 2 }; }
      throw e;
    }
    await this.io.out(`\n*** End of Linux kernel configuration.\n*** Check the top-level Makefile for additional configuration.\n*** Next, you must run 'make dep'.\n\n`);
    return { status: 0, config: `${this.output.config.join('\n')}\n`, autoconf: `${this.output.autoconf.join('\n')}\n` };
  }

  private async source(file: string): Promise<void> {
    const text = await this.io.readFile(file);
    if (text === undefined) throw new ScriptError(`scripts/Configure: ${file}: No such file or directory`);
    await this.execute(parse(text, file), file);
  }

  private async execute(statements: Statement[], file: string): Promise<void> {
    for (const s of statements) {
      if (s.kind === 'if') {
        await this.execute(this.test(this.args(s.test)) ? s.then : s.else, file);
        continue;
      }
      const [name, ...args] = this.args(s.raw);
      if (name === undefined) continue;
      await this.command(name, args, file, s.line);
    }
  }

  /** `[ ... ]` of the shell, with = != -o -a ! -z -n as Config.in files use them. */
  private test(words: string[]): boolean {
    if (words[0] !== '[' || words[words.length - 1] !== ']') return false;
    const expr = words.slice(1, -1);
    const or = (w: string[]): boolean => {
      const i = w.indexOf('-o');
      return i >= 0 ? and(w.slice(0, i)) || or(w.slice(i + 1)) : and(w);
    };
    const and = (w: string[]): boolean => {
      const i = w.indexOf('-a');
      return i >= 0 ? primary(w.slice(0, i)) && and(w.slice(i + 1)) : primary(w);
    };
    const primary = (w: string[]): boolean => {
      if (w[0] === '!') return !primary(w.slice(1));
      if (w.length === 3 && w[1] === '=') return w[0] === w[2];
      if (w.length === 3 && w[1] === '!=') return w[0] !== w[2];
      if (w.length === 2 && w[0] === '-z') return w[1] === '';
      if (w.length === 2 && w[0] === '-n') return w[1] !== '';
      if (w.length === 1) return w[0] !== '';
      return false;
    };
    return or(expr);
  }

  private async command(name: string, a: string[], file: string, line: number): Promise<void> {
    switch (name) {
      case 'mainmenu_name': case 'mainmenu_option': case 'endmenu': case ':':
        return;
      case 'comment':
        await this.io.out(`*\n* ${a[0] ?? ''}\n*\n`);
        this.output.comment(a[0] ?? '');
        return;
      case 'source': return this.source(a[0] ?? '');
      case 'bool': return this.bool(a[0] ?? '', a[1] ?? '');
      case 'tristate': return this.tristate(a[0] ?? '', a[1] ?? '');
      case 'dep_tristate': return this.depTristate(a[0] ?? '', a[1] ?? '', a.slice(2));
      case 'int': return this.int(a[0] ?? '', a[1] ?? '', a[2] ?? '');
      case 'hex': return this.hex(a[0] ?? '', a[1] ?? '', a[2] ?? '');
      case 'string': return this.string(a[0] ?? '', a[1] ?? '', a[2] ?? '');
      case 'choice': return this.choice(a[0] ?? '', a[1] ?? '', a[2] ?? '');
      case 'define_bool': case 'define_tristate': return this.define(a[0] ?? '', a[1] ?? '', 'bool');
      case 'define_int': return this.define(a[0] ?? '', a[1] ?? '', 'int');
      case 'define_hex': return this.define(a[0] ?? '', a[1] ?? '', 'hex');
      case 'define_string': return this.define(a[0] ?? '', a[1] ?? '', 'string');
      case 'unset': for (const v of a) this.vars.delete(v); return;
      default:
        await this.io.err(`${file}: line ${line}: ${name}: command not found\n`);
    }
  }

  private define(name: string, value: string, kind: 'bool' | 'int' | 'hex' | 'string'): void {
    this.vars.set(name, value);
    this.output.define(name, value, kind);
  }

  /** readln: the prompt, "(NEW) " for an option the defaults did not have, then one line. */
  private async readln(prompt: string, def: string, name: string): Promise<string> {
    const known = this.old.has(name);
    if (this.defaultsOnly && known) {
      await this.io.out(`${prompt}\n`);
      return def;
    }
    await this.io.out(`${prompt}${known ? '' : '(NEW) '}`);
    const ans = await this.io.readLine();
    if (ans === undefined) throw new Exit(1);
    return ans === '' ? def : ans;
  }

  private async help(name: string): Promise<void> {
    if (!this.helpLoaded) { this.configureHelp = await this.io.readFile('Documentation/Configure.help'); this.helpLoaded = true; }
    await this.io.out(helpText(this.configureHelp, name));
  }

  private async bool(q: string, name: string): Promise<void> {
    let def = this.old.get(name) || 'n';
    const prompt = def === 'y' || def === 'm' ? 'Y/n/?' : 'N/y/?';
    if (def === 'm') def = 'y';
    for (;;) {
      const ans = await this.readln(`${q} (${name}) [${prompt}] `, def, name);
      if (/^([yY]|[yY]es)$/.test(ans)) return this.define(name, 'y', 'bool');
      if (/^([nN]|[nN]o)$/.test(ans)) return this.define(name, 'n', 'bool');
      await this.help(name);
    }
  }

  private async tristate(q: string, name: string): Promise<void> {
    if (this.value('CONFIG_MODULES') !== 'y') return this.bool(q, name);
    const def = this.old.get(name) || 'n';
    const prompt = def === 'y' ? 'Y/m/n/?' : def === 'm' ? 'M/n/y/?' : 'N/y/m/?';
    for (;;) {
      const ans = await this.readln(`${q} (${name}) [${prompt}] `, def, name);
      if (/^[nN]/.test(ans)) return this.define(name, 'n', 'bool');
      if (/^[yY]/.test(ans)) return this.define(name, 'y', 'bool');
      if (/^[mM]/.test(ans)) return this.define(name, 'm', 'bool');
      await this.help(name);
    }
  }

  /** dep_tristate: n if a dependency is n; only m or n if one is m; a plain tristate otherwise. */
  private async depTristate(q: string, name: string, deps: string[]): Promise<void> {
    if (deps.includes('n')) return this.define(name, 'n', 'bool');
    if (!deps.includes('m')) return this.tristate(q, name);
    if (this.value('CONFIG_MODULES') !== 'y') return;
    let def = this.old.get(name) || 'n';
    const prompt = def === 'y' || def === 'm' ? 'M/n/?' : 'N/m/?';
    if (def === 'y') def = 'm';
    for (;;) {
      const ans = await this.readln(`${q} (${name}) [${prompt}] `, def, name);
      if (/^[nN]/.test(ans)) return this.define(name, 'n', 'bool');
      if (/^[mM]/.test(ans)) return this.define(name, 'm', 'bool');
      if (/^[yY]/.test(ans)) { await this.io.out(NEEDS_MODULE); continue; }
      await this.help(name);
    }
  }

  private async int(q: string, name: string, fallback: string): Promise<void> {
    const def = this.old.get(name) || fallback;
    for (;;) {
      const ans = await this.readln(`${q} (${name}) [${def}] `, def, name);
      if (/^(0|-?[1-9][0-9]*)$/.test(ans)) return this.define(name, ans, 'int');
      await this.help(name);
    }
  }

  private async hex(q: string, name: string, fallback: string): Promise<void> {
    const def = (this.old.get(name) || fallback).replace(/^.*[xX]/, '');
    for (;;) {
      const ans = (await this.readln(`${q} (${name}) [${def}] `, def, name)).replace(/^.*[xX]/, '');
      if (/^[0-9a-fA-F]+$/.test(ans)) return this.define(name, ans, 'hex');
      await this.help(name);
    }
  }

  private async string(q: string, name: string, fallback: string): Promise<void> {
    const def = this.old.get(name) || fallback;
    this.define(name, await this.readln(`${q} (${name}) [${def}] `, def, name), 'string');
  }

  /** choice 'question' "name1 VAR1 name2 VAR2 ..." default: a unique prefix picks one. */
  private async choice(q: string, choices: string, fallback: string): Promise<void> {
    const words = choices.split(/\s+/).filter(Boolean);
    const pairs: [string, string][] = [];
    for (let i = 0; i + 1 < words.length; i += 2) pairs.push([words[i]!, words[i + 1]!]);
    let def = fallback;
    let oldName: string | undefined;
    for (const [label, v] of pairs) if (this.old.get(v) === 'y') { def = label; oldName = v; }
    const names = pairs.map(([label]) => label).join(', ');
    let chosen: string | undefined;
    while (!chosen) {
      // An option of the choice that the defaults already had is not new.
      const ans = (await this.readln(`${q} (${names}) [${def}] `, def, oldName ?? pairs[0]?.[1] ?? '')).toUpperCase();
      let ambiguous = false;
      for (const [label, v] of pairs) {
        const upper = label.toUpperCase();
        if (!upper.startsWith(ans)) continue;
        if (upper === ans) { chosen = v; break; }
        if (chosen) {
          await this.io.out(`\n  Sorry, "${ans}" is ambiguous; please enter a longer string.\n\n`);
          chosen = undefined;
          ambiguous = true;
          break;
        }
        chosen = v;
      }
      if (!chosen && !ambiguous) await this.help(pairs[0]?.[1] ?? '');
    }
    for (const [, v] of pairs) {
      if (v === chosen) await this.io.out(`  defined ${v}\n`);
      this.define(v, v === chosen ? 'y' : 'n', 'bool');
    }
  }
}
