// `make` for DriverLab: GNU make 4.3's behaviour and messages on the learner's makefiles,
// running recipes through the machine's shell (MakeEnv). Entry point: runMake.

import { Builder, NoRuleError } from './builder.js';
import { defaultOptions, makeflagsArguments, parseArguments, USAGE_TEXT, VERSION_TEXT, type MakeOptions } from './options.js';
import { resolvePath } from './paths.js';
import { Session, type Invocation } from './session.js';
import { splitWords, stripSpace } from './text.js';
import { MakeFatal, MakeStop, type MakeEnv } from './types.js';

export type { MakeEnv, Loc } from './types.js';

const DEFAULT_MAKEFILES = ['GNUmakefile', 'makefile', 'Makefile'];
/** GNU re-reads the makefiles after remaking one; a makefile that always changes must not loop forever. */
const MAX_RESTARTS = 10;

/**
 * Runs `make` with `argv` (without "make" itself). Returns the exit status: 0, or 2 after an
 * error as GNU make does (1 for `-q` when something is out of date).
 */
export async function runMake(argv: string[], env: MakeEnv): Promise<number> {
  const makelevel = Math.max(0, Number.parseInt(env.environment.MAKELEVEL ?? '0', 10) || 0);
  const program = makelevel > 0 ? `make[${makelevel}]` : 'make';

  const options = defaultOptions();
  parseArguments(makeflagsArguments(env.environment.MAKEFLAGS ?? ''), options);
  options.goals = [];
  const parsed = parseArguments(argv, options);
  if (!parsed.ok) {
    env.stderr(`make: ${parsed.message}\n${USAGE_TEXT}`);
    return 2;
  }
  if (options.version) {
    env.stdout(VERSION_TEXT);
    return 0;
  }
  if (options.help) {
    env.stdout(USAGE_TEXT);
    return 0;
  }

  const cwd = await changeDirectories(options.directories, env, program);
  if (cwd === undefined) return 2;

  const printDirectory =
    !options.noPrintDirectory && (options.printDirectory || ((options.directories.length > 0 || makelevel > 0) && !options.silent));
  const invocation: Invocation = { env, options, cwd, makelevel, program, printDirectory };
  if (printDirectory) env.stdout(`${program}: Entering directory '${cwd}'\n`);
  try {
    return await execute(invocation);
  } catch (error) {
    if (error instanceof MakeFatal) {
      const where = error.loc ? `${error.loc.file}:${error.loc.line}:` : `${program}:`;
      env.stderr(`${where} *** ${error.text}.  Stop.\n`);
      return 2;
    }
    if (error instanceof MakeStop) return 2;
    throw error;
  } finally {
    if (printDirectory) env.stdout(`${program}: Leaving directory '${cwd}'\n`);
  }
}

/** Applies each -C in turn (relative to the previous one); undefined after reporting a missing one. */
async function changeDirectories(directories: readonly string[], env: MakeEnv, program: string): Promise<string | undefined> {
  let cwd = env.cwd;
  for (const dir of directories) {
    const next = resolvePath(cwd, dir);
    if ((await env.mtime(next)) === undefined) {
      env.stderr(`${program}: *** ${dir}: No such file or directory.  Stop.\n`);
      return undefined;
    }
    cwd = next;
  }
  return cwd;
}

async function execute(invocation: Invocation): Promise<number> {
  for (let restarts = 0; ; restarts++) {
    const session = new Session(invocation);
    await session.defineInitialVariables();
    const found = await readMakefiles(session);
    session.installImplicitRules();
    applyMakeflagsFromMakefile(session);
    if ((await remakeMakefiles(session)) && restarts < MAX_RESTARTS) continue;

    const goals = invocation.options.goals.length > 0 ? invocation.options.goals : defaultGoal(session);
    if (goals.length === 0) {
      throw new MakeFatal(undefined, found ? 'No targets' : 'No targets specified and no makefile found');
    }
    const builder = new Builder(session);
    await builder.updateGoals(goals);
    if (builder.failed) return 2;
    return builder.outOfDate ? 1 : 0;
  }
}

/** Reads -f files, or the first of GNUmakefile, makefile, Makefile. False if there was none. */
async function readMakefiles(session: Session): Promise<boolean> {
  const named = session.options.makefiles;
  if (named.length === 0) {
    for (const name of DEFAULT_MAKEFILES) {
      if (await session.readMakefile(name)) return true;
    }
    return false;
  }
  for (const name of named) {
    if (!(await session.readMakefile(name))) {
      session.env.stderr(`${session.program}: ${name}: No such file or directory\n`);
      session.missingIncludes.push({ name, optional: false, loc: undefined });
    }
  }
  return true;
}

function defaultGoal(session: Session): string[] {
  const goals = splitWords(session.globals.lookup('.DEFAULT_GOAL')?.value ?? '');
  if (goals.length > 1) throw new MakeFatal(undefined, '.DEFAULT_GOAL contains more than one target');
  return goals;
}

/** `MAKEFLAGS += -s` in a makefile takes effect once the makefiles are read, as in GNU. */
function applyMakeflagsFromMakefile(session: Session): void {
  const value = session.globals.lookup('MAKEFLAGS')?.value ?? '';
  if (value === session.makeflags) return;
  const options: MakeOptions = session.options;
  const goals = [...options.goals];
  const overrides = [...options.overrides];
  const switches = makeflagsArguments(stripSpace(value)).filter((word) => word.startsWith('-') && word !== '--');
  parseArguments(switches, options);
  options.goals = goals;
  options.overrides = overrides;
  session.updateMakeflags();
}

/**
 * GNU make first brings its makefiles up to date: a missing included file may have a rule.
 * Returns true when one was (re)made, so everything must be read again.
 */
async function remakeMakefiles(session: Session): Promise<boolean> {
  const builder = new Builder(session, { makefiles: true });
  const before = new Map<string, number | undefined>();
  for (const name of session.makefiles) before.set(name, await session.env.mtime(resolvePath(session.cwd, name)));
  const missing = session.missingIncludes;
  for (const include of missing) {
    try {
      await builder.updateGoals([include.name]);
    } catch (error) {
      if (include.optional) continue;
      if (error instanceof NoRuleError && error.target === include.name && include.loc !== undefined) {
        session.warn(include.loc, `${include.name}: No such file or directory`);
      }
      throw error;
    }
  }
  for (const name of session.makefiles) {
    const node = session.db.files.get(name);
    if (node?.isTarget === true) await builder.updateGoals([name]);
  }
  if (builder.commandsRun === 0) return false;
  for (const include of missing) {
    if ((await session.env.mtime(resolvePath(session.cwd, include.name))) !== undefined) return true;
  }
  for (const [name, time] of before) {
    if ((await session.env.mtime(resolvePath(session.cwd, name))) !== time) return true;
  }
  return false;
}
