// An in-memory MakeEnv for tests: a file table with a logical clock and a tiny "shell" that
// knows echo, touch, cp, rm, cat, true/false/exit, a C compiler that only creates its output,
// and `make` itself (recursive make runs runMake again with the environment it was given).

import { runMake } from './index.js';
import { normalizePath, resolvePath } from './paths.js';
import type { MakeEnv } from './types.js';

export interface RecipeCall {
  line: string;
  cwd: string;
  env: Record<string, string>;
}

type ShellResult = { status: number; output: string };

export class FakeMachine {
  readonly files = new Map<string, { content: string; mtime: number }>();
  readonly dirs = new Set<string>(['/']);
  /** Everything a terminal would show, in order: make's stdout and stderr and recipe output. */
  terminal = '';
  stdout = '';
  stderr = '';
  readonly recipes: RecipeCall[] = [];
  readonly shellCommands: string[] = [];
  private clock = 1000;
  /** Answers for $(shell ...) by exact command; anything else goes to the fake shell. */
  readonly shellAnswers = new Map<string, ShellResult>();
  /** Overrides for recipe lines by exact text: the status to return (and output to print). */
  readonly recipeAnswers = new Map<string, { status: number; output?: string }>();

  /** Creates a file with the next timestamp (or the one given). */
  write(path: string, content = '', mtime?: number): void {
    const abs = normalizePath(path);
    this.clock = Math.max(this.clock, mtime ?? this.clock) + 1;
    this.files.set(abs, { content, mtime: mtime ?? this.clock });
    for (let dir = parent(abs); ; dir = parent(dir)) {
      this.dirs.add(dir);
      if (dir === '/') break;
    }
  }

  mkdir(path: string): void {
    this.write(`${normalizePath(path)}/.keep`);
    this.files.delete(`${normalizePath(path)}/.keep`);
  }

  read(path: string): string | undefined {
    return this.files.get(normalizePath(path))?.content;
  }

  mtimeOf(path: string): number | undefined {
    return this.files.get(normalizePath(path))?.mtime;
  }

  env(cwd: string, environment: Record<string, string> = {}): MakeEnv {
    return {
      cwd,
      environment: { PATH: '/usr/bin:/bin', HOME: '/home/lab', PWD: cwd, ...environment },
      readFile: async (path) => this.read(path),
      mtime: async (path) => {
        const abs = normalizePath(path);
        return this.files.get(abs)?.mtime ?? (this.dirs.has(abs) ? 1 : undefined);
      },
      glob: async (pattern) => this.glob(pattern),
      runShell: async (command, dir) => {
        this.shellCommands.push(command);
        const answer = this.shellAnswers.get(command);
        if (answer !== undefined) return answer;
        let output = '';
        const status = await this.sh(command, dir, environment, (text) => (output += text));
        return { status, output };
      },
      runRecipe: async (line, dir, env) => {
        this.recipes.push({ line, cwd: dir, env });
        const answer = this.recipeAnswers.get(line);
        if (answer !== undefined) {
          this.print(answer.output ?? '');
          return answer.status;
        }
        return this.sh(line, dir, env, (text) => this.print(text));
      },
      stdout: (text) => {
        this.stdout += text;
        this.terminal += text;
      },
      stderr: (text) => {
        this.stderr += text;
        this.terminal += text;
      },
    };
  }

  private print(text: string): void {
    this.terminal += text;
  }

  private glob(pattern: string): string[] {
    const regex = new RegExp(
      '^' +
        pattern
          .split('')
          .map((c) => (c === '*' ? '[^/]*' : c === '?' ? '[^/]' : c === '[' || c === ']' ? c : c.replace(/[.+^${}()|\\]/g, '\\$&')))
          .join('') +
        '$',
    );
    return [...this.files.keys(), ...this.dirs].filter((name) => regex.test(name));
  }

  /** A very small shell: one simple command, words split on blanks, quotes removed. */
  private async sh(command: string, cwd: string, env: Record<string, string>, out: (text: string) => void): Promise<number> {
    const joined = command.replace(/\\\n/g, '');
    const words = (joined.match(/"[^"]*"|'[^']*'|\S+/g) ?? []).map((w) => w.replace(/^["']|["']$/g, ''));
    const [name, ...args] = words;
    const at = (file: string): string => resolvePath(cwd, file);
    switch (name) {
      case undefined:
      case 'true':
      case ':':
        return 0;
      case 'false':
        return 1;
      case 'exit':
        return Number(args[0] ?? '0');
      case 'echo':
        out(`${args.join(' ')}\n`);
        return 0;
      case 'pwd':
        out(`${cwd}\n`);
        return 0;
      case 'uname':
        out('6.8.0-driverlab\n');
        return 0;
      case 'touch':
        for (const file of args) this.write(at(file), this.read(at(file)) ?? '');
        return 0;
      case 'cat':
        for (const file of args) {
          const content = this.read(at(file));
          if (content === undefined) {
            out(`cat: ${file}: No such file or directory\n`);
            return 1;
          }
          out(content);
        }
        return 0;
      case 'cp': {
        const content = this.read(at(args[0] ?? ''));
        if (content === undefined) return 1;
        this.write(at(args[1] ?? ''), content);
        return 0;
      }
      case 'rm':
        for (const file of args.filter((a) => !a.startsWith('-'))) this.files.delete(at(file));
        return 0;
      case 'cc':
      case 'gcc': {
        const o = args.indexOf('-o');
        const output = o >= 0 ? args[o + 1] : undefined;
        const sources = args.filter((a) => /\.(c|o)$/.test(a) && a !== output);
        for (const source of sources) if (this.read(at(source)) === undefined) return 1;
        this.write(at(output ?? 'a.out'), `compiled from ${sources.join(' ')}`);
        return 0;
      }
      case 'make':
        return runMake(args, { ...this.env(cwd, env), cwd });
      default:
        out(`sh: 1: ${name}: not found\n`);
        return 127;
    }
  }
}

function parent(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash <= 0 ? '/' : path.slice(0, slash);
}

export interface FakeRun {
  status: number;
  machine: FakeMachine;
}

/**
 * Runs `make args` in /home/lab of a fresh machine holding `makefile` as /home/lab/Makefile
 * (none if undefined); `setup` may add files first.
 */
export async function makeIn(
  makefile: string | undefined,
  args: string[] = [],
  setup?: (machine: FakeMachine) => void,
  environment: Record<string, string> = {},
): Promise<FakeRun> {
  const machine = new FakeMachine();
  machine.mkdir('/home/lab');
  if (makefile !== undefined) machine.write('/home/lab/Makefile', makefile);
  setup?.(machine);
  const status = await runMake(args, machine.env('/home/lab', environment));
  return { status, machine };
}
