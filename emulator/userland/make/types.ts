// The contract between the make engine and the machine it runs in. The engine is
// host-agnostic: files, the shell and the terminal are reached only through MakeEnv,
// which the shell side of DriverLab implements (and the tests fake in memory).

export interface MakeEnv {
  /** Absolute path in the virtual file system where `make` was started. */
  cwd: string;
  /** Contents of a file, or undefined if it does not exist. Paths are absolute. */
  readFile(path: string): Promise<string | undefined>;
  /**
   * Modification time of a file or directory, or undefined if it does not exist.
   * Paths are absolute. Directories must answer too: `-C dir` checks its existence here.
   */
  mtime(path: string): Promise<number | undefined>;
  /** Absolute paths matching an absolute glob pattern (for $(wildcard) and globs in rules). */
  glob(pattern: string): Promise<string[]>;
  /** Runs `command` with /bin/sh -c in `cwd` and captures its stdout ($(shell ...), `!=`). */
  runShell(command: string, cwd: string): Promise<{ status: number; output: string }>;
  /** Runs one recipe line with /bin/sh -c; its output goes to the terminal. Returns the exit status. */
  runRecipe(line: string, cwd: string, env: Record<string, string>): Promise<number>;
  /** make's own messages: echoed recipe lines, "Entering directory", $(info). */
  stdout(text: string): void;
  /** make's errors and warnings. */
  stderr(text: string): void;
  /** The environment make was started with (PWD, HOME, PATH, MAKELEVEL, MAKEFLAGS...). */
  environment: Record<string, string>;
}

/** A place in a makefile, for messages such as `Makefile:5: *** missing separator.  Stop.` */
export interface Loc {
  file: string;
  line: number;
}

/**
 * A fatal error: GNU make prints it as `FILE:LINE: *** TEXT.  Stop.` (or `make: *** TEXT.  Stop.`
 * without a location) and exits with status 2. Thrown through the engine, caught by runMake.
 */
export class MakeFatal extends Error {
  constructor(readonly loc: Loc | undefined, readonly text: string) {
    super(text);
    this.name = 'MakeFatal';
  }
}

/** Thrown when make must stop after it has already printed why (a failed recipe, `-k` summary). */
export class MakeStop extends Error {
  constructor() {
    super('make stopped');
    this.name = 'MakeStop';
  }
}
