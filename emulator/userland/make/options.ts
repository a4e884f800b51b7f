// The command line, MAKEFLAGS in both directions, and GNU make 4.3's --help and --version texts.

import { MAKE_HOST, MAKE_VERSION } from './builtins.js';
import { parseVariableDefinition } from './lines.js';

export interface MakeOptions {
  /** -C directories, in order (each relative to the previous one). */
  directories: string[];
  makefiles: string[];
  goals: string[];
  /** `VAR=value` arguments, in order; later ones win. */
  overrides: string[];
  evals: string[];
  includeDirs: string[];
  alwaysMake: boolean;
  envOverrides: boolean;
  ignoreErrors: boolean;
  keepGoing: boolean;
  dryRun: boolean;
  question: boolean;
  noBuiltinRules: boolean;
  noBuiltinVariables: boolean;
  silent: boolean;
  touch: boolean;
  printDirectory: boolean;
  noPrintDirectory: boolean;
  /** -j: accepted and passed on, but recipes always run one at a time. */
  jobs: string | undefined;
  version: boolean;
  help: boolean;
}

export function defaultOptions(): MakeOptions {
  return {
    directories: [],
    makefiles: [],
    goals: [],
    overrides: [],
    evals: [],
    includeDirs: [],
    alwaysMake: false,
    envOverrides: false,
    ignoreErrors: false,
    keepGoing: false,
    dryRun: false,
    question: false,
    noBuiltinRules: false,
    noBuiltinVariables: false,
    silent: false,
    touch: false,
    printDirectory: false,
    noPrintDirectory: false,
    jobs: undefined,
    version: false,
    help: false,
  };
}

type Flag = keyof {
  [K in keyof MakeOptions as MakeOptions[K] extends boolean ? K : never]: true;
};

/** Boolean switches and their MAKEFLAGS letters, in GNU's table order (which MAKEFLAGS follows). */
const SWITCHES: ReadonlyArray<{ letter: string; long: string[]; flag: Flag | undefined; value?: boolean }> = [
  { letter: 'b', long: [], flag: undefined },
  { letter: 'm', long: [], flag: undefined },
  { letter: 'B', long: ['always-make'], flag: 'alwaysMake' },
  { letter: 'd', long: [], flag: undefined },
  { letter: 'e', long: ['environment-overrides'], flag: 'envOverrides' },
  { letter: 'h', long: ['help'], flag: 'help' },
  { letter: 'i', long: ['ignore-errors'], flag: 'ignoreErrors' },
  { letter: 'k', long: ['keep-going'], flag: 'keepGoing' },
  { letter: 'L', long: ['check-symlink-times'], flag: undefined },
  { letter: 'n', long: ['just-print', 'dry-run', 'recon'], flag: 'dryRun' },
  { letter: 'p', long: ['print-data-base'], flag: undefined },
  { letter: 'q', long: ['question'], flag: 'question' },
  { letter: 'r', long: ['no-builtin-rules'], flag: 'noBuiltinRules' },
  { letter: 'R', long: ['no-builtin-variables'], flag: 'noBuiltinVariables' },
  { letter: 's', long: ['silent', 'quiet'], flag: 'silent' },
  { letter: 'S', long: ['no-keep-going', 'stop'], flag: 'keepGoing', value: false },
  { letter: 't', long: ['touch'], flag: 'touch' },
  { letter: 'v', long: ['version'], flag: 'version' },
  { letter: 'w', long: ['print-directory'], flag: 'printDirectory' },
];

/** Long-only switches. */
const LONG_FLAGS: ReadonlyArray<{ long: string; flag: Flag | undefined; value: boolean }> = [
  { long: 'no-print-directory', flag: 'noPrintDirectory', value: true },
  { long: 'no-silent', flag: 'silent', value: false },
  { long: 'trace', flag: undefined, value: true },
  { long: 'warn-undefined-variables', flag: undefined, value: true },
];

type ArgKind = 'C' | 'f' | 'I' | 'o' | 'W' | 'E' | 'j' | 'l' | 'O' | 'debug' | 'jobserver';

/** Options taking an argument: required unless optional. */
const WITH_ARGUMENT: ReadonlyArray<{ letter: string | undefined; long: string[]; kind: ArgKind; optional: boolean }> = [
  { letter: 'C', long: ['directory'], kind: 'C', optional: false },
  { letter: 'f', long: ['file', 'makefile'], kind: 'f', optional: false },
  { letter: 'I', long: ['include-dir'], kind: 'I', optional: false },
  { letter: 'o', long: ['old-file', 'assume-old'], kind: 'o', optional: false },
  { letter: 'W', long: ['what-if', 'new-file', 'assume-new'], kind: 'W', optional: false },
  { letter: 'E', long: ['eval'], kind: 'E', optional: false },
  { letter: 'j', long: ['jobs'], kind: 'j', optional: true },
  { letter: 'l', long: ['load-average', 'max-load'], kind: 'l', optional: true },
  { letter: 'O', long: ['output-sync'], kind: 'O', optional: true },
  { letter: undefined, long: ['debug'], kind: 'debug', optional: true },
  { letter: undefined, long: ['jobserver-auth', 'jobserver-fds', 'sync-mutex'], kind: 'jobserver', optional: false },
];

export type ParseResult = { ok: true; options: MakeOptions } | { ok: false; message: string };

/** The arguments still to read: options with a separate argument take the next one. */
class ArgumentCursor {
  private index = 0;

  constructor(private readonly argv: readonly string[]) {}

  done(): boolean {
    return this.index >= this.argv.length;
  }

  take(): string | undefined {
    return this.argv[this.index++];
  }

  peek(): string | undefined {
    return this.argv[this.index];
  }

  rest(): string[] {
    const rest = this.argv.slice(this.index);
    this.index = this.argv.length;
    return rest;
  }
}

/** Parses arguments (GNU getopt_long style: options may follow targets; `--` ends options). */
export function parseArguments(argv: readonly string[], options = defaultOptions()): ParseResult {
  const cursor = new ArgumentCursor(argv);
  while (!cursor.done()) {
    const arg = cursor.take() as string;
    let error: string | undefined;
    if (arg === '--') {
      for (const operand of cursor.rest()) addOperand(options, operand);
    } else if (arg.startsWith('--')) {
      error = parseLong(arg.slice(2), options, cursor);
    } else if (arg.startsWith('-') && arg.length > 1) {
      error = parseShortCluster(arg, options, cursor);
    } else {
      addOperand(options, arg);
    }
    if (error !== undefined) return { ok: false, message: error };
  }
  return { ok: true, options };
}

/** An operand is a variable override when it parses as an assignment, else a goal. */
function addOperand(options: MakeOptions, arg: string): void {
  const definition = parseVariableDefinition(arg);
  if (definition !== undefined && definition.name !== '') options.overrides.push(arg);
  else options.goals.push(arg);
}

function parseShortCluster(arg: string, options: MakeOptions, cursor: ArgumentCursor): string | undefined {
  for (let k = 1; k < arg.length; k++) {
    const letter = arg[k] as string;
    const toggle = SWITCHES.find((s) => s.letter === letter);
    if (toggle !== undefined) {
      if (toggle.flag !== undefined) options[toggle.flag] = toggle.value ?? true;
      continue;
    }
    const withArg = WITH_ARGUMENT.find((w) => w.letter === letter);
    if (withArg === undefined) return `invalid option -- '${letter}'`;
    const attached = arg.slice(k + 1);
    if (attached !== '') return applyArgument(withArg.kind, attached, options);
    if (withArg.optional) {
      // `-j 4`: GNU takes the next word for -j and -l only when it is a number.
      const following = cursor.peek();
      const numeric = (withArg.kind === 'j' || withArg.kind === 'l') && following !== undefined && /^[0-9]+$/.test(following);
      return applyArgument(withArg.kind, numeric ? cursor.take() : undefined, options);
    }
    const value = cursor.take();
    if (value === undefined) return `option requires an argument -- '${letter}'`;
    return applyArgument(withArg.kind, value, options);
  }
  return undefined;
}

const LONG_NAMES = [
  ...SWITCHES.flatMap((s) => s.long.map((long) => ({ long, takesArgument: false }))),
  ...LONG_FLAGS.map((f) => ({ long: f.long, takesArgument: false })),
  ...WITH_ARGUMENT.flatMap((w) => w.long.map((long) => ({ long, takesArgument: true }))),
];

function parseLong(body: string, options: MakeOptions, cursor: ArgumentCursor): string | undefined {
  const equals = body.indexOf('=');
  const name = equals < 0 ? body : body.slice(0, equals);
  const inline = equals < 0 ? undefined : body.slice(equals + 1);
  const exact = LONG_NAMES.find((o) => o.long === name);
  const candidates = exact ? [exact] : LONG_NAMES.filter((o) => o.long.startsWith(name));
  const chosen = candidates[0];
  if (chosen === undefined) return `unrecognized option '--${body}'`;
  if (candidates.length > 1) {
    return `option '--${name}' is ambiguous; possibilities:${candidates.map((c) => ` '--${c.long}'`).join('')}`;
  }
  if (!chosen.takesArgument) {
    if (inline !== undefined) return `option '--${chosen.long}' doesn't allow an argument`;
    const toggle = SWITCHES.find((s) => s.long.includes(chosen.long));
    if (toggle?.flag !== undefined) options[toggle.flag] = toggle.value ?? true;
    const longFlag = LONG_FLAGS.find((f) => f.long === chosen.long);
    if (longFlag?.flag !== undefined) options[longFlag.flag] = longFlag.value;
    return undefined;
  }
  const withArg = WITH_ARGUMENT.find((w) => w.long.includes(chosen.long));
  if (withArg === undefined) return undefined;
  if (withArg.optional) return applyArgument(withArg.kind, inline, options);
  const value = inline ?? cursor.take();
  if (value === undefined) return `option '--${chosen.long}' requires an argument`;
  return applyArgument(withArg.kind, value, options);
}

function applyArgument(kind: ArgKind, value: string | undefined, options: MakeOptions): string | undefined {
  switch (kind) {
    case 'C':
      if (value !== undefined) options.directories.push(value);
      break;
    case 'f':
      if (value !== undefined) options.makefiles.push(value);
      break;
    case 'I':
      if (value !== undefined) options.includeDirs.push(value);
      break;
    case 'E':
      if (value !== undefined) options.evals.push(value);
      break;
    case 'j':
      if (value !== undefined && (!/^[0-9]+$/.test(value) || Number(value) === 0)) {
        return "the '-j' option requires a positive integer argument";
      }
      options.jobs = value ?? '';
      break;
    default:
      break;
  }
  return undefined;
}

/**
 * Arguments hidden in MAKEFLAGS from a parent make: `ks -- FOO=1` means `-k -s FOO=1`.
 * Words are split at unescaped blanks; `\ ` is a literal space.
 */
export function makeflagsArguments(value: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  for (let i = 0; i < value.length; i++) {
    const c = value[i] as string;
    if (c === '\\' && i + 1 < value.length) {
      word += value[++i];
      inWord = true;
    } else if (c === ' ' || c === '\t') {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else {
      word += c;
      inWord = true;
    }
  }
  if (inWord) words.push(word);
  const first = words[0];
  if (first !== undefined && !first.startsWith('-') && !first.includes('=')) words[0] = `-${first}`;
  const separator = words.indexOf('--');
  if (separator < 0) return words.filter((w) => w.startsWith('-'));
  return [...words.slice(0, separator).filter((w) => w.startsWith('-')), '--', ...words.slice(separator + 1)];
}

interface FlagParts {
  letters: string;
  longs: string[];
  overrides: string[];
}

function flagParts(options: MakeOptions, printDirectory: boolean): FlagParts {
  let letters = '';
  for (const s of SWITCHES) {
    if (s.flag === undefined || s.flag === 'help' || s.flag === 'version' || s.value === false) continue;
    const on = s.flag === 'printDirectory' ? printDirectory : options[s.flag];
    if (on) letters += s.letter;
  }
  const longs: string[] = [];
  if (options.jobs !== undefined) longs.push(`-j${options.jobs}`);
  if (options.noPrintDirectory) longs.push('--no-print-directory');
  // One entry per variable, where it was first given, with its last value; newest first.
  const byName = new Map<string, string>();
  for (const override of options.overrides) byName.set(parseVariableDefinition(override)?.name ?? override, override);
  const overrides = [...byName.values()].reverse().map((o) => o.replace(/\\/g, '\\\\').replace(/ /g, '\\ '));
  return { letters, longs, overrides };
}

/** MAKEFLAGS as GNU make 4.3 writes it: flag letters, long options, then ` -- ` and the overrides, newest first. */
export function makeflagsValue(options: MakeOptions, printDirectory: boolean): string {
  const { letters, longs, overrides } = flagParts(options, printDirectory);
  const tail = overrides.length > 0 ? [...longs, '--', ...overrides] : longs;
  if (letters === '') return tail.length === 0 ? '' : ` ${tail.join(' ')}`;
  return tail.length === 0 ? letters : `${letters} ${tail.join(' ')}`;
}

/** MFLAGS, the historical spelling: `-ks` and the long options, without overrides. */
export function mflagsValue(options: MakeOptions, printDirectory: boolean): string {
  const { letters, longs } = flagParts(options, printDirectory);
  return [...(letters === '' ? [] : [`-${letters}`]), ...longs].join(' ');
}

export const VERSION_TEXT =
  `GNU Make ${MAKE_VERSION}\n` +
  `Built for ${MAKE_HOST}\n` +
  'Copyright (C) 1988-2020 Free Software Foundation, Inc.\n' +
  'License GPLv3+: GNU GPL version 3 or later <http://gnu.org/licenses/gpl.html>\n' +
  'This is free software: you are free to change and redistribute it.\n' +
  'There is NO WARRANTY, to the extent permitted by law.\n';

export const USAGE_TEXT = `Usage: make [options] [target] ...
Options:
  -b, -m                      Ignored for compatibility.
  -B, --always-make           Unconditionally make all targets.
  -C DIRECTORY, --directory=DIRECTORY
                              Change to DIRECTORY before doing anything.
  -d                          Print lots of debugging information.
  --debug[=FLAGS]             Print various types of debugging information.
  -e, --environment-overrides
                              Environment variables override makefiles.
  -E STRING, --eval=STRING    Evaluate STRING as a makefile statement.
  -f FILE, --file=FILE, --makefile=FILE
                              Read FILE as a makefile.
  -h, --help                  Print this message and exit.
  -i, --ignore-errors         Ignore errors from recipes.
  -I DIRECTORY, --include-dir=DIRECTORY
                              Search DIRECTORY for included makefiles.
  -j [N], --jobs[=N]          Allow N jobs at once; infinite jobs with no arg.
  -k, --keep-going            Keep going when some targets can't be made.
  -l [N], --load-average[=N], --max-load[=N]
                              Don't start multiple jobs unless load is below N.
  -L, --check-symlink-times   Use the latest mtime between symlinks and target.
  -n, --just-print, --dry-run, --recon
                              Don't actually run any recipe; just print them.
  -o FILE, --old-file=FILE, --assume-old=FILE
                              Consider FILE to be very old and don't remake it.
  -O[TYPE], --output-sync[=TYPE]
                              Synchronize output of parallel jobs by TYPE.
  -p, --print-data-base       Print make's internal database.
  -q, --question              Run no recipe; exit status says if up to date.
  -r, --no-builtin-rules      Disable the built-in implicit rules.
  -R, --no-builtin-variables  Disable the built-in variable settings.
  -s, --silent, --quiet       Don't echo recipes.
  --no-silent                 Echo recipes (disable --silent mode).
  -S, --no-keep-going, --stop
                              Turns off -k.
  -t, --touch                 Touch targets instead of remaking them.
  --trace                     Print tracing information.
  -v, --version               Print the version number of make and exit.
  -w, --print-directory       Print the current directory.
  --no-print-directory        Turn off -w, even if it was turned on implicitly.
  -W FILE, --what-if=FILE, --new-file=FILE, --assume-new=FILE
                              Consider FILE to be infinitely new.
  --warn-undefined-variables  Warn when an undefined variable is referenced.

This program built for ${MAKE_HOST}
Report bugs to <bug-make@gnu.org>
`;
