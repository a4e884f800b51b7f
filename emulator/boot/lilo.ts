// /etc/lilo.conf and the LILO boot prompt, as LILO 22.x behaves.
//
// References: LILO's cfg.c (tokeniser: '=' is a token, "quoted strings" with \" \\ and
// backslash-newline, unquoted backslash escapes, # comments; cfg_error() appends
// " at or above line N in file '...'"), bsect.c ("Added label *", "Duplicate label",
// "No image ... is defined"), geo.c ("open FILE: strerror"), second.S ("No such image.
// [Tab] shows a list."), lilo.conf(5).

const CONF_FILE = '/etc/lilo.conf';

type Kind = 'flag' | 'string';

const GLOBAL_KEYS: Readonly<Record<string, Kind>> = {
  boot: 'string', map: 'string', install: 'string', prompt: 'flag', timeout: 'string',
  default: 'string', delay: 'string', lba32: 'flag', linear: 'flag', compact: 'flag',
  message: 'string', verbose: 'string', backup: 'string', 'force-backup': 'string',
  serial: 'string', 'disk': 'string', nowarn: 'flag', 'large-memory': 'flag',
};

/** Keys of image= sections; they may also appear globally as defaults for every image. */
const IMAGE_KEYS: Readonly<Record<string, Kind>> = {
  label: 'string', alias: 'string', root: 'string', 'read-only': 'flag', 'read-write': 'flag',
  append: 'string', literal: 'string', initrd: 'string', ramdisk: 'string', vga: 'string',
  password: 'string', restricted: 'flag', 'optional': 'flag', lock: 'flag', 'single-key': 'flag',
};

const OTHER_KEYS: Readonly<Record<string, Kind>> = {
  label: 'string', alias: 'string', table: 'string', loader: 'string', password: 'string',
  restricted: 'flag', 'optional': 'flag', lock: 'flag', 'single-key': 'flag', 'map-drive': 'string', to: 'string',
};

export type LiloOptions = Record<string, string | true>;

export interface LiloSection {
  kind: 'image' | 'other';
  /** The kernel file (image=) or the partition (other=). */
  path: string;
  label: string;
  aliases: string[];
  /** The section's own options, keys in lower case. */
  options: LiloOptions;
  line: number;
}

export interface LiloConfig {
  /** Global options (including per-image defaults such as root= or read-only), keys in lower case. */
  globals: LiloOptions;
  sections: LiloSection[];
  boot: string | undefined;
  map: string | undefined;
  install: string | undefined;
  prompt: boolean;
  /** timeout= in tenths of a second. */
  timeout: number | undefined;
  delay: number | undefined;
  default: string | undefined;
  lba32: boolean;
  compact: boolean;
  message: string | undefined;
}

export interface LiloError { line: number; message: string }

export type LiloParse = { ok: true; config: LiloConfig } | { ok: false; errors: LiloError[] };

interface Token { text: string; line: number; quoted: boolean }

class CfgError {
  constructor(readonly line: number, readonly message: string) {}
}

/** The tokeniser of cfg.c: returns the tokens or the first error. */
function tokenize(text: string): Token[] {
  const src = text.replace(/\r/g, '');
  const tokens: Token[] = [];
  let pos = 0;
  let line = 1;
  const fail = (msg: string): never => {
    throw new CfgError(line, `Fatal: ${msg} at or above line ${line} in file '${CONF_FILE}'`);
  };
  while (pos < src.length) {
    const ch = src[pos] ?? '';
    if (ch === ' ' || ch === '\t') { pos++; continue; }
    if (ch === '\n') { line++; pos++; continue; }
    if (ch === '#') {
      while (pos < src.length && src[pos] !== '\n') pos++;
      continue;
    }
    const startLine = line;
    if (ch === '=') { tokens.push({ text: '=', line, quoted: false }); pos++; continue; }
    if (ch === '"') {
      pos++;
      let buf = '';
      for (;;) {
        if (pos >= src.length) fail('EOF in quoted string');
        let c = src[pos++] ?? '';
        if (c === '"') break;
        if (c === '\\') {
          c = src[pos++] ?? '';
          if (c !== '"' && c !== '\\' && c !== '\n') fail('Bad use of \\ in quoted string');
          if (c === '\n') {
            line++;
            while (src[pos] === ' ' || src[pos] === '\t') pos++;
            buf += ' ';
            continue;
          }
          buf += c;
          continue;
        }
        if (c === '\n' || c === '\t') fail('\\n and \\t are not allowed in quoted strings');
        buf += c;
      }
      tokens.push({ text: buf, line: startLine, quoted: true });
      continue;
    }
    let buf = '';
    while (pos < src.length) {
      const c = src[pos] ?? '';
      if (c === '\\') {
        pos++;
        if (pos >= src.length) fail('\\ precedes EOF');
        const e = src[pos++] ?? '';
        if (e === '\n') line++;
        else buf += e === '\t' ? ' ' : e;
        continue;
      }
      if (c === ' ' || c === '\t' || c === '\n' || c === '#' || c === '=') break;
      buf += c;
      pos++;
    }
    tokens.push({ text: buf, line: startLine, quoted: false });
  }
  return tokens;
}

interface Item { key: string; value: string | undefined; line: number }

/** cfg_next(): ITEM or ITEM = VALUE. */
function items(tokens: Token[]): Item[] {
  const out: Item[] = [];
  const at = (msg: string, line: number): never => {
    throw new CfgError(line, `Fatal: ${msg} at or above line ${line} in file '${CONF_FILE}'`);
  };
  for (let i = 0; i < tokens.length; ) {
    const item = tokens[i] as Token;
    if (item.text === '=' && !item.quoted) at('Syntax error', item.line);
    const eq = tokens[i + 1];
    if (eq && eq.text === '=' && !eq.quoted) {
      const value = tokens[i + 2];
      if (!value) at('Value expected at EOF', eq.line);
      const v = value as Token;
      if (v.text === '=' && !v.quoted) at(`Syntax error after ${item.text}`, v.line);
      out.push({ key: item.text, value: v.text, line: item.line });
      i += 3;
    } else {
      out.push({ key: item.text, value: undefined, line: item.line });
      i += 1;
    }
  }
  return out;
}

function setOption(table: Readonly<Record<string, Kind>>, target: LiloOptions, it: Item, key: string): void {
  const kind = table[key];
  const fail = (msg: string): never => {
    throw new CfgError(it.line, `Fatal: ${msg} at or above line ${it.line} in file '${CONF_FILE}'`);
  };
  if (it.value !== undefined && kind !== 'string') fail(`'${key}' doesn't have a value`);
  if (it.value === undefined && kind === 'string') fail(`Value expected for '${key}'`);
  if (key in target && key !== 'alias') fail(`Duplicate entry '${key}'`);
  target[key] = it.value ?? true;
}

function toNumber(value: string | true | undefined, line: number): number | undefined {
  if (value === undefined || value === true) return undefined;
  if (!/^[0-9]+$/.test(value)) throw new CfgError(line, `Fatal: Not a number: "${value}"`);
  return Number.parseInt(value, 10);
}

const basename = (path: string): string => path.slice(path.lastIndexOf('/') + 1);

/** Parses /etc/lilo.conf. LILO stops at the first error, so `errors` holds one message. */
export function parseLiloConf(text: string): LiloParse {
  try {
    return { ok: true, config: buildConfig(items(tokenize(text))) };
  } catch (e) {
    if (e instanceof CfgError) return { ok: false, errors: [{ line: e.line, message: e.message }] };
    return { ok: false, errors: [{ line: 0, message: `Fatal: internal error: ${String(e)}` }] };
  }
}

function buildConfig(list: Item[]): LiloConfig {
  const globals: LiloOptions = {};
  const globalLines: Record<string, number> = {};
  const sections: LiloSection[] = [];
  let current: LiloSection | undefined;
  for (const it of list) {
    const key = it.key.toLowerCase();
    if ((key === 'image' || key === 'other') && it.value !== undefined) {
      current = { kind: key, path: it.value, label: '', aliases: [], options: {}, line: it.line };
      sections.push(current);
      continue;
    }
    const table = current ? (current.kind === 'image' ? IMAGE_KEYS : OTHER_KEYS) : undefined;
    if (current && table && key in table) {
      if (key === 'alias' && it.value !== undefined) current.aliases.push(it.value);
      setOption(table, current.options, it, key);
    } else if (!current && (key in GLOBAL_KEYS || key in IMAGE_KEYS)) {
      setOption(key in GLOBAL_KEYS ? GLOBAL_KEYS : IMAGE_KEYS, globals, it, key);
      globalLines[key] = it.line;
    } else {
      throw new CfgError(it.line, `Fatal: Unrecognized token "${it.key}" at or above line ${it.line} in file '${CONF_FILE}'`);
    }
  }
  const seen = new Set<string>();
  for (const s of sections) {
    const label = s.options.label;
    s.label = typeof label === 'string' ? label : basename(s.path);
    for (const name of [s.label, ...s.aliases]) {
      const folded = name.toLowerCase(); // LILO compares labels ignoring case (LCF_IGNORECASE)
      if (seen.has(folded)) throw new CfgError(s.line, `Fatal: Duplicate label "${name}"`);
      seen.add(folded);
    }
  }
  const str = (k: string): string | undefined => (typeof globals[k] === 'string' ? (globals[k] as string) : undefined);
  return {
    globals, sections,
    boot: str('boot'), map: str('map'), install: str('install'),
    prompt: globals.prompt === true,
    timeout: toNumber(globals.timeout, globalLines.timeout ?? 0),
    delay: toNumber(globals.delay, globalLines.delay ?? 0),
    default: str('default'),
    lba32: globals.lba32 === true,
    compact: globals.compact === true,
    message: str('message'),
  };
}

// ---------------------------------------------------------------------------------------------
// Running /sbin/lilo, and the boot loader's table.

export interface BootEntry {
  label: string;
  aliases: string[];
  kind: 'image' | 'other';
  /** The kernel file, or the partition for other=. */
  image: string;
  /** root= as written in lilo.conf (a device name or a number). */
  root: string | undefined;
  readOnly: boolean | undefined;
  append: string | undefined;
  literal: string | undefined;
  initrd: string | undefined;
  vga: string | undefined;
  password: string | undefined;
}

export interface BootTable {
  entries: BootEntry[];
  /** The label booted when the user just presses Enter (or the timeout expires). */
  defaultLabel: string;
  prompt: boolean;
  timeout: number | undefined;
}

export interface LiloRun { output: string; status: number; bootTable?: BootTable }

function sectionOption(config: LiloConfig, s: LiloSection, key: string): string | true | undefined {
  if (key in s.options) return s.options[key];
  return s.kind === 'image' ? config.globals[key] : undefined;
}

function toEntry(config: LiloConfig, s: LiloSection): BootEntry {
  const str = (k: string): string | undefined => {
    const v = sectionOption(config, s, k);
    return typeof v === 'string' ? v : undefined;
  };
  let readOnly: boolean | undefined;
  if ('read-only' in s.options) readOnly = true;
  else if ('read-write' in s.options) readOnly = false;
  else if (s.kind === 'image' && config.globals['read-only'] === true) readOnly = true;
  else if (s.kind === 'image' && config.globals['read-write'] === true) readOnly = false;
  return {
    label: s.label, aliases: s.aliases, kind: s.kind, image: s.path,
    root: s.kind === 'image' ? str('root') : undefined, readOnly,
    append: s.kind === 'image' ? str('append') : undefined,
    literal: s.kind === 'image' ? str('literal') : undefined,
    initrd: s.kind === 'image' ? str('initrd') : undefined,
    vga: s.kind === 'image' ? str('vga') : undefined,
    password: str('password'),
  };
}

/**
 * What `/sbin/lilo` prints and returns: "Added LABEL" per section, " *" on the default (the first
 * section unless default= names another), or the first "Fatal: ..." (status 1, no boot table).
 */
export function runLilo(config: LiloConfig, exists: (path: string) => boolean): LiloRun {
  const lines: string[] = [];
  const fatal = (msg: string): LiloRun => {
    lines.push(`Fatal: ${msg}`);
    return { output: lines.join('\n') + '\n', status: 1 };
  };
  if (config.sections.length === 0) return fatal('No images have been defined.');
  const entries = config.sections.map((s) => toEntry(config, s));
  let defaultLabel = entries[0]?.label ?? '';
  if (config.default !== undefined) {
    const wanted = config.default.toLowerCase();
    const found = entries.find((e) => e.label.toLowerCase() === wanted || e.aliases.some((a) => a.toLowerCase() === wanted));
    if (!found) return fatal(`No image "${config.default}" is defined`);
    defaultLabel = found.label;
  }
  if (config.message !== undefined && !exists(config.message)) return fatal(`open ${config.message}: No such file or directory`);
  for (const e of entries) {
    if (e.kind === 'image') {
      if (!exists(e.image)) return fatal(`open ${e.image}: No such file or directory`);
      if (e.initrd !== undefined && !exists(e.initrd)) return fatal(`open ${e.initrd}: No such file or directory`);
    }
    lines.push(`Added ${e.label}${e.label === defaultLabel ? ' *' : ''}`);
  }
  return {
    output: lines.join('\n') + '\n', status: 0,
    bootTable: { entries, defaultLabel, prompt: config.prompt, timeout: config.timeout },
  };
}

const DEVICE_MAJORS: Readonly<Record<string, number>> = {
  hda: 0x0300, hdb: 0x0340, hdc: 0x1600, hdd: 0x1640,
  sda: 0x0800, sdb: 0x0810, sdc: 0x0820, sdd: 0x0830, fd: 0x0200,
};

/**
 * root= as LILO puts it on the command line: the device number in hex ("/dev/hda1" -> "301").
 * Names LILO could not resolve here are passed through unchanged.
 */
export function rootDeviceNumber(root: string): string {
  const m = /^(?:\/dev\/)?(hd[a-d]|sd[a-d]|fd)(\d*)$/.exec(root);
  if (m) {
    const base = DEVICE_MAJORS[m[1] ?? ''];
    if (base !== undefined) return (base + Number(m[2] === '' ? 0 : m[2])).toString(16);
  }
  if (/^0x[0-9a-f]+$/i.test(root)) return Number.parseInt(root.slice(2), 16).toString(16);
  return root;
}

/**
 * The command line LILO hands to the kernel: BOOT_IMAGE=label first, then ro/rw, root=, the
 * append= text and what was typed after the label at the boot prompt (literal= replaces all of
 * LILO's own options).
 */
export function composeCmdline(entry: BootEntry, extra: string): string {
  const parts = [`BOOT_IMAGE=${entry.label}`];
  if (entry.literal !== undefined) {
    parts.push(entry.literal);
  } else {
    if (entry.readOnly === true) parts.push('ro');
    if (entry.readOnly === false) parts.push('rw');
    if (entry.root !== undefined) parts.push(`root=${rootDeviceNumber(entry.root)}`);
    if (entry.append !== undefined && entry.append.trim() !== '') parts.push(entry.append.trim());
  }
  const typed = extra.trim();
  if (typed !== '') parts.push(typed);
  return parts.join(' ');
}

export type BootChoice =
  | { ok: true; entry: BootEntry; extra: string; cmdline: string }
  | { ok: false; message: string };

/** What the user typed at "LILO boot:": a label (or nothing for the default) and extra words. */
export function bootPrompt(table: BootTable, typed: string): BootChoice {
  const text = typed.trim();
  const space = text.search(/\s/);
  const label = text === '' ? table.defaultLabel : space < 0 ? text : text.slice(0, space);
  const extra = space < 0 ? '' : text.slice(space + 1).trim();
  const wanted = label.toLowerCase();
  const entry = table.entries.find((e) => e.label.toLowerCase() === wanted || e.aliases.some((a) => a.toLowerCase() === wanted));
  if (!entry) return { ok: false, message: 'No such image. [Tab] shows a list.' };
  return { ok: true, entry, extra, cmdline: entry.kind === 'image' ? composeCmdline(entry, extra) : '' };
}
