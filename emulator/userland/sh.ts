// The shell: executes the AST of shell/parser.ts with processes, pipes and
// redirections of the simulated kernel. POSIX sh with bash's messages, which
// is what a learner's terminal shows them on a real Linux box.
import type { Kernel } from '../kernel/kernel.js';
import { parseScript } from './shell/parser.js';
import type { AndOrList, Command, Pipeline, Redirect, Script, SimpleCommand, Word } from './shell/ast.js';
import { expandPattern, expandWord, expandWords, matchPattern, type ExpandContext } from './shell/expand.js';
import { globPaths } from './shell/glob.js';
import { exitStatus, stoppedBy, O_APPEND, O_CREAT, O_RDONLY, O_RDWR, O_TRUNC, O_WRONLY, Proc, SysError } from './libc.js';
import { TaskKilled, SIGNAL_NAMES, SIGTERM } from '../kernel/sched.js';
import { strerror } from '../kernel/errno.js';

/** Descriptor map of a command: io[n] is the shell's descriptor that becomes the command's fd n. */
type Io = number[];

interface Job { id: number; pids: number[]; command: string; status?: number }

class ExitShell extends Error {
  constructor(readonly status: number) { super('exit'); }
}

type Builtin = (sh: Shell, argv: string[], io: Io) => Promise<number>;

const dec = new TextDecoder();

export class Shell {
  vars = new Map<string, string>();
  exported = new Set<string>();
  positional: string[] = [];
  status = 0;
  lastBgPid: number | undefined;
  functions = new Map<string, Command>();
  jobs: Job[] = [];
  nextJob = 1;

  constructor(readonly k: Kernel, readonly p: Proc, readonly name = 'sh', readonly interactive = false) {
    for (const [key, v] of p.task.env) { this.vars.set(key, v); this.exported.add(key); }
    this.vars.set('PWD', p.cwd);
    this.exported.add('PWD');
  }

  /** A copy for a subshell or a forked pipeline element, running as another process. */
  /**
   * A forked child's shell, made from a copy of this one's state taken now, at fork time: the
   * child may first run after this shell went on (a loop's next `$i` must not reach the job
   * the previous iteration put in the background).
   */
  private forkState(): (p: Proc) => Shell {
    const vars = new Map(this.vars), exported = new Set(this.exported), positional = [...this.positional];
    const functions = new Map(this.functions), status = this.status, lastBgPid = this.lastBgPid;
    return (p) => {
      const s = new Shell(this.k, p, this.name, false);
      s.vars = vars;
      s.exported = exported;
      s.positional = positional;
      s.status = status;
      s.lastBgPid = lastBgPid;
      s.functions = functions;
      return s;
    };
  }

  env(): Map<string, string> {
    const e = new Map<string, string>();
    for (const k of this.exported) { const v = this.vars.get(k); if (v !== undefined) e.set(k, v); }
    return e;
  }

  private expandContext(io: Io): ExpandContext {
    return {
      getVar: (n) => this.vars.get(n),
      setVar: (n, v) => { this.vars.set(n, v); },
      positional: this.positional,
      special: { status: this.status, lastBgPid: this.lastBgPid, pid: this.p.pid, name: this.name },
      home: this.vars.get('HOME') ?? '/',
      runSubst: (script) => this.commandSubstitution(script, io),
      glob: (pattern) => globPaths(pattern, this.p.cwd, (dir) => this.p.readdir(dir).catch(() => null)),
    };
  }

  private async commandSubstitution(script: Script, io: Io): Promise<string> {
    const [r, w] = await this.p.pipe();
    // In the child, its descriptors 0-2 are these three of ours.
    const child = this.forkRun(this.name, (sh) => sh.runScript(script, [0, 1, 2]), [io[0] ?? 0, w, io[2] ?? 2]);
    await this.p.close(w);
    const out = dec.decode(await this.p.readAll(r));
    await this.p.close(r);
    const st = await this.p.waitpid(child);
    this.status = exitStatus(st.status);
    return out.replace(/\n+$/, '');
  }

  /** Runs `body` in a forked child shell whose descriptors 0..n are `fds` of this one. */
  private forkRun(comm: string, body: (sh: Shell) => Promise<number>, fds: number[], pgid?: number): number {
    const files = fds.map((fd) => this.k.fdGet(this.p.task, fd));
    const childShell = this.forkState();
    const child = this.k.fork(this.p.task, comm, async (task) => {
      const proc = new Proc(this.k, task);
      const sh = childShell(proc);
      try {
        return await body(sh);
      } catch (e) {
        if (e instanceof ExitShell) return e.status;
        if (!(e instanceof SysError && e.syscall === 'fork')) throw e;
        await proc.write(2, `${this.name}: fork: ${e.message}\n`);
        return 1;
      }
    }, { fds: files, pgid });
    if (typeof child === 'number') throw new SysError(-child, 'fork');
    return child.pid;
  }

  // ---- running scripts ---------------------------------------------------------------------------

  /** `onTopLevel` hears, before each top-level command, the offset in `src` where the next one begins. */
  async runSource(src: string, io: Io = [0, 1, 2], onTopLevel?: (nextOffset: number) => void): Promise<number> {
    const parsed = parseScript(src);
    if (!parsed.ok) {
      const line = parsed.error.line;
      await this.p.write(io[2] ?? 2, `${this.name}: ${this.interactive ? '' : `line ${line}: `}${parsed.error.message}\n`);
      this.status = 2;
      return 2;
    }
    return this.runScript(parsed.script, io, onTopLevel && ((i) => onTopLevel(parsed.script.body[i + 1]?.offset ?? src.length)));
  }

  async runScript(script: Script, io: Io = [0, 1, 2], starting?: (index: number) => void): Promise<number> {
    for (const [i, list] of script.body.entries()) {
      starting?.(i);
      try {
        if (list.background) await this.runBackground(list, io);
        else this.status = await this.runAndOr(list, io);
      } catch (e) {
        // The machine's process limit (RLIMIT_NPROC): the command is abandoned, the shell goes on, as bash does.
        if (!(e instanceof SysError && e.syscall === 'fork')) throw e;
        await this.p.write(io[2] ?? 2, `${this.name}: fork: ${e.message}\n`);
        this.status = 1;
      }
    }
    return this.status;
  }

  private async runBackground(list: AndOrList, io: Io): Promise<void> {
    // A lone external command runs as the job itself (the forked shell would exec it), so $! is its pid.
    const only = list.rest.length === 0 && list.first.commands.length === 1 && !list.first.bang ? list.first.commands[0]! : undefined;
    let pid = only?.type === 'SimpleCommand' ? await this.runSimple(only, io, true) : -1;
    if (pid < 0) pid = this.forkRun(this.name, (sh) => sh.runAndOr(list, io.map((_, i) => i)), io, undefined);
    this.lastBgPid = pid;
    const job: Job = { id: this.nextJob++, pids: [pid], command: sourceText(list) };
    this.jobs.push(job);
    if (this.interactive) await this.p.write(io[2] ?? 2, `[${job.id}] ${pid}\n`);
    this.status = 0;
  }

  async runAndOr(list: AndOrList, io: Io): Promise<number> {
    let status = await this.runPipeline(list.first, io);
    for (const link of list.rest) {
      if ((link.op === '&&') === (status === 0)) status = await this.runPipeline(link.pipeline, io);
    }
    this.status = status;
    return status;
  }

  private async runPipeline(pl: Pipeline, io: Io): Promise<number> {
    let status: number;
    if (pl.commands.length === 1) {
      status = await this.runCommand(pl.commands[0]!, io);
    } else {
      const pids: number[] = [];
      let input = io[0] ?? 0;
      const toClose: number[] = [];
      let lastPid = -1;
      try {
        for (let i = 0; i < pl.commands.length; i++) {
          const last = i === pl.commands.length - 1;
          let output = io[1] ?? 1;
          let readEnd = -1;
          if (!last) {
            const [r, w] = await this.p.pipe();
            output = w;
            readEnd = r;
            toClose.push(r, w);
          }
          const cmdIo = [input, output, io[2] ?? 2];
          const cmd = pl.commands[i]!;
          const pid = await this.startInPipeline(cmd, cmdIo);
          if (pid > 0) pids.push(pid);
          if (last) lastPid = pid;
          if (!last) {
            await this.p.close(output);
            toClose.splice(toClose.indexOf(output), 1);
            if (input !== (io[0] ?? 0)) { await this.p.close(input); toClose.splice(toClose.indexOf(input), 1); }
            input = readEnd;
          }
        }
      } catch (e) {
        // A fork refused midway: the pipes close, so the commands already started see EOF or EPIPE and end.
        for (const fd of toClose) await this.p.close(fd).catch(() => undefined);
        for (const pid of pids) await this.p.waitpid(pid).catch(() => undefined);
        throw e;
      }
      for (const fd of toClose) await this.p.close(fd).catch(() => undefined);
      status = 0;
      for (const pid of pids) {
        const r = await this.p.waitpid(pid);
        if (pid === lastPid) status = exitStatus(r.status);
      }
    }
    if (pl.bang) status = status === 0 ? 1 : 0;
    return status;
  }

  /** Starts one element of a pipeline as its own process; returns its pid. */
  private async startInPipeline(cmd: Command, io: Io): Promise<number> {
    return this.forkRun(this.name, (sh) => sh.runCommand(cmd, [0, 1, 2]), io);
  }

  async runCommand(cmd: Command, io: Io): Promise<number> {
    switch (cmd.type) {
      case 'SimpleCommand': return this.runSimple(cmd, io);
      case 'FunctionDef': this.functions.set(cmd.name, cmd.body); return 0;
      case 'BraceGroup': return this.withRedirects(cmd.redirects, io, (rio) => this.runScript(cmd.body, rio));
      case 'Subshell': {
        const pid = this.forkRun(this.name, (sh) => sh.withRedirects(cmd.redirects, [0, 1, 2], (rio) => sh.runScript(cmd.body, rio)), io);
        return exitStatus((await this.p.waitpid(pid)).status);
      }
      case 'If': return this.withRedirects(cmd.redirects, io, async (rio) => {
        for (const clause of cmd.clauses) {
          if (await this.runScript(clause.condition, rio) === 0) return this.runScript(clause.body, rio);
        }
        return cmd.elseBody ? this.runScript(cmd.elseBody, rio) : 0;
      });
      case 'While': return this.withRedirects(cmd.redirects, io, async (rio) => {
        let st = 0;
        for (;;) {
          const c = await this.runScript(cmd.condition, rio);
          if ((c === 0) === cmd.until) break;
          st = await this.runScript(cmd.body, rio);
        }
        return st;
      });
      case 'For': return this.withRedirects(cmd.redirects, io, async (rio) => {
        const items = cmd.items ? await expandWords(cmd.items, this.expandContext(rio)) : [...this.positional];
        let st = 0;
        for (const item of items) {
          this.vars.set(cmd.variable, item);
          st = await this.runScript(cmd.body, rio);
        }
        return st;
      });
      case 'Case': return this.withRedirects(cmd.redirects, io, async (rio) => {
        const ctx = this.expandContext(rio);
        const subject = await expandWord(cmd.subject, ctx);
        for (const arm of cmd.arms) {
          for (const pat of arm.patterns) {
            if (matchPattern(await expandPattern(pat, ctx), subject)) return this.runScript(arm.body, rio);
          }
        }
        return 0;
      });
    }
  }

  /** Applies redirections around `body`; opened descriptors are closed afterwards. */
  private async withRedirects(redirects: Redirect[], io: Io, body: (io: Io) => Promise<number>): Promise<number> {
    const opened: number[] = [];
    let rio: Io;
    try {
      rio = await this.applyRedirects(redirects, io, opened);
    } catch (e) {
      for (const fd of opened) await this.p.close(fd).catch(() => undefined);
      if (e instanceof RedirectError) { await this.p.write(io[2] ?? 2, `${this.name}: ${e.message}\n`); return 1; }
      throw e;
    }
    try {
      return await body(rio);
    } finally {
      for (const fd of opened) await this.p.close(fd).catch(() => undefined);
    }
  }

  private async applyRedirects(redirects: Redirect[], io: Io, opened: number[]): Promise<Io> {
    const rio = [...io];
    const ctx = this.expandContext(io);
    for (const r of redirects) {
      if (r.type === 'HereDoc') {
        const text = await expandWord(r.body, ctx);
        const [rd, wr] = await this.p.pipe();
        opened.push(rd);
        await this.p.write(wr, text);
        await this.p.close(wr);
        rio[r.fd] = rd;
        continue;
      }
      const target = await expandWord(r.target, ctx);
      if (r.op === '>&' || r.op === '<&') {
        if (target === '-') { rio[r.fd] = -1; continue; }
        if (!/^\d+$/.test(target)) {
          if (r.op === '>&') { // bash: >&file means >file 2>&1
            const fd = await this.openTarget(target, O_WRONLY | O_CREAT | O_TRUNC);
            opened.push(fd);
            rio[1] = fd;
            rio[2] = fd;
            continue;
          }
          throw new RedirectError(`${target}: ambiguous redirect`);
        }
        // A descriptor the shell itself holds (opened with `exec 3>file`) is not in the command's map.
        const n = Number(target);
        const src = rio[n] ?? (this.p.file(n) ? n : undefined);
        if (src === undefined || src < 0) throw new RedirectError(`${target}: Bad file descriptor`);
        rio[r.fd] = src;
        continue;
      }
      const flags = r.op === '<' ? O_RDONLY : r.op === '>>' ? O_WRONLY | O_CREAT | O_APPEND : r.op === '<>' ? O_RDWR | O_CREAT : O_WRONLY | O_CREAT | O_TRUNC;
      const fd = await this.openTarget(target, flags);
      opened.push(fd);
      rio[r.fd] = fd;
    }
    return rio;
  }

  private async openTarget(path: string, flags: number): Promise<number> {
    try {
      return await this.p.open(path, flags, 0o666);
    } catch (e) {
      if (e instanceof SysError) throw new RedirectError(`${path}: ${e.message}`);
      throw e;
    }
  }

  /**
   * Runs a simple command. With `background`, only an external command is
   * started (its pid returned, not waited for); anything else returns -1 untouched.
   */
  private async runSimple(cmd: SimpleCommand, io: Io, background = false): Promise<number> {
    if (background) {
      const part = cmd.words[0]?.parts.length === 1 ? cmd.words[0].parts[0] : undefined;
      const name = part?.type === 'Literal' ? part.value : undefined;
      if (!name || cmd.assignments.length || this.functions.has(name) || BUILTINS[name]) return -1;
    }
    const ctx = this.expandContext(io);
    let argv: string[];
    try {
      argv = await expandWords(cmd.words, ctx);
    } catch (e) {
      if (e instanceof TaskKilled) throw e;
      await this.p.write(io[2] ?? 2, `${this.name}: ${(e as Error).message}\n`);
      return 1;
    }
    const assigns: [string, string][] = [];
    for (const a of cmd.assignments) {
      const v = await expandWord(a.value, ctx);
      assigns.push([a.name, a.append ? (this.vars.get(a.name) ?? '') + v : v]);
    }
    if (argv.length === 1 && argv[0] === 'exec') return this.execRedirects(cmd.redirects, io);
    if (argv.length === 0) {
      for (const [n, v] of assigns) this.vars.set(n, v);
      return this.withRedirects(cmd.redirects, io, async () => this.status);
    }
    return this.withRedirects(cmd.redirects, io, async (rio) => {
      const name = argv[0]!;
      const fn = this.functions.get(name);
      if (fn) {
        const saved = this.positional;
        this.positional = argv.slice(1);
        try { return await this.runCommand(fn, rio); } finally { this.positional = saved; }
      }
      const builtin = BUILTINS[name];
      if (builtin) {
        const saved = assigns.map(([n]) => [n, this.vars.get(n)] as const);
        for (const [n, v] of assigns) this.vars.set(n, v);
        try { return await builtin(this, argv, rio); } finally {
          if (name !== 'export') for (const [n, v] of saved) { if (v === undefined) this.vars.delete(n); else this.vars.set(n, v); }
        }
      }
      return this.runExternal(argv, assigns, rio, background);
    });
  }

  /** `exec 3</dev/x`: redirections that stay in effect for the shell itself. */
  private async execRedirects(redirects: Redirect[], io: Io): Promise<number> {
    const opened: number[] = [];
    try {
      const rio = await this.applyRedirects(redirects, io, opened);
      for (const r of redirects) {
        const src = rio[r.fd];
        if (src === undefined || src < 0) await this.p.close(r.fd).catch(() => undefined);
        else if (src !== r.fd) await this.p.dup2(src, r.fd);
      }
      return 0;
    } catch (e) {
      if (e instanceof RedirectError) { await this.p.write(io[2] ?? 2, `${this.name}: ${e.message}\n`); return 1; }
      throw e;
    } finally {
      for (const fd of opened) if (!redirects.some((r) => r.fd === fd)) await this.p.close(fd).catch(() => undefined);
    }
  }

  private async runExternal(argv: string[], assigns: [string, string][], io: Io, background = false): Promise<number> {
    const env = this.env();
    for (const [n, v] of assigns) env.set(n, v);
    let pid: number;
    try {
      pid = await this.p.spawn(argv, { fds: io.map((fd) => (fd < 0 ? 99999 : fd)), env, cwd: this.p.cwd });
    } catch (e) {
      if (!(e instanceof SysError)) throw e;
      const cmd = argv[0]!;
      if (e.errno === 2 && !cmd.includes('/')) { await this.p.write(io[2] ?? 2, `${this.name}: ${cmd}: command not found\n`); return 127; }
      if (e.errno === 11) throw new SysError(e.errno, 'fork');
      await this.p.write(io[2] ?? 2, `${this.name}: ${cmd}: ${e.message}\n`);
      return e.errno === 2 ? 127 : 126;
    }
    const child = this.k.tasks.get(pid);
    // Interactive shells give each job its own process group; only the foreground one has the terminal.
    if (this.interactive && child) child.pgid = pid;
    if (background) return pid;
    const r = await this.waitForeground(pid, sourceArgv(argv), io);
    if (stoppedBy(r.status)) return exitStatus(r.status);
    const sig = r.status & 0x7f;
    if (sig && sig !== 2 && sig !== 13) {
      const msg = SIGNAL_TEXT[sig] ?? `Killed by signal ${sig}`;
      await this.p.write(io[2] ?? 2, `${msg}${r.status & 0x80 ? ' (core dumped)' : ''}\n`);
    }
    return exitStatus(r.status);
  }

  // ---- interactive ----------------------------------------------------------------------------------

  prompt(): string {
    const home = this.vars.get('HOME') ?? '';
    let cwd = this.p.cwd;
    if (home && (cwd === home || cwd.startsWith(home + '/'))) cwd = '~' + cwd.slice(home.length);
    const user = this.p.uid === 0 ? 'root' : this.vars.get('USER') ?? 'user';
    return `${user}@${this.k.hostname}:${cwd}${this.p.uid === 0 ? '#' : '$'} `;
  }

  /** The read-eval loop of an interactive shell on the terminal. */
  async interact(): Promise<number> {
    let pending = '';
    let buffered = '';
    for (;;) {
      await this.reapJobs(true);
      await this.p.write(2, pending ? '> ' : this.prompt());
      let line: string | undefined;
      for (;;) {
        const nl = buffered.indexOf('\n');
        if (nl >= 0) { line = buffered.slice(0, nl); buffered = buffered.slice(nl + 1); break; }
        let chunk: Uint8Array;
        try {
          chunk = await this.p.read(0, 4096);
        } catch (e) {
          if (e instanceof SysError && e.errno === 4) { chunk = new Uint8Array(0); buffered = ''; pending = ''; line = ''; break; }
          throw e;
        }
        if (chunk.length === 0) {
          if (buffered) { line = buffered; buffered = ''; break; }
          await this.p.write(2, 'exit\n');
          return this.status;
        }
        buffered += dec.decode(chunk);
      }
      const src = pending ? `${pending}\n${line}` : line ?? '';
      const parsed = parseScript(src);
      if (!parsed.ok && parsed.incomplete) { pending = src; continue; }
      pending = '';
      if (!parsed.ok) {
        await this.p.write(2, `${this.name}: ${parsed.error.message}\n`);
        this.status = 2;
        continue;
      }
      try {
        await this.runScript(parsed.script);
      } catch (e) {
        if (e instanceof ExitShell) return e.status;
        if (e instanceof TaskKilled && e.signal === 2) { this.status = 130; continue; }
        throw e;
      }
    }
  }

  /**
   * Waits for a foreground job, which has the terminal meanwhile. In an
   * interactive shell a stop (^Z) makes it a stopped job: "[1]+  Stopped".
   */
  async waitForeground(pid: number, command: string, io: Io, job?: Job): Promise<{ pid: number; status: number }> {
    if (this.interactive) this.k.console.fgPgid = this.k.tasks.get(pid)?.pgid ?? pid;
    let r;
    try {
      r = await this.p.waitpid(pid, this.interactive);
    } finally {
      if (this.interactive) this.k.console.fgPgid = this.p.task.pgid;
    }
    if (stoppedBy(r.status)) {
      if (!job) { job = { id: this.nextJob++, pids: [pid], command }; this.jobs.push(job); }
      await this.p.write(io[2] ?? 2, `\n[${job.id}]+  ${'Stopped'.padEnd(24)}${job.command}\n`);
    }
    return r;
  }

  /** Reports finished background jobs ("[1]+  Done ..."). */
  async reapJobs(report: boolean): Promise<void> {
    for (const job of [...this.jobs]) {
      const t = this.k.tasks.get(job.pids[0]!);
      if (t && t.state !== 'Z') continue;
      const r = t ? await this.p.waitpid(job.pids[0]!).catch(() => undefined) : undefined;
      this.jobs.splice(this.jobs.indexOf(job), 1);
      const st = r ? exitStatus(r.status) : 0;
      if (report && this.interactive) await this.p.write(2, `[${job.id}]+  ${st === 0 ? 'Done' : `Exit ${st}`}                    ${job.command}\n`);
    }
  }
}

class RedirectError extends Error {}

/** %n, or the most recent job when none is named. */
function pickJob(sh: Shell, spec: string | undefined): Job | undefined {
  if (spec === undefined) return sh.jobs[sh.jobs.length - 1];
  return sh.jobs.find((j) => j.id === Number(spec.replace(/^%/, '')));
}

/** A command line as the job table shows it. */
function sourceArgv(argv: string[]): string {
  return argv.join(' ');
}

const SIGNAL_TEXT: Record<number, string> = {
  1: 'Hangup', 3: 'Quit', 4: 'Illegal instruction', 5: 'Trace/breakpoint trap', 6: 'Aborted', 7: 'Bus error',
  8: 'Floating point exception', 9: 'Killed', 10: 'User defined signal 1', 11: 'Segmentation fault',
  12: 'User defined signal 2', 14: 'Alarm clock', 15: 'Terminated',
};

function sourceText(list: AndOrList): string {
  const words = (c: Command) => (c.type === 'SimpleCommand' ? c.words.map((w: Word) => w.raw).join(' ') : c.type);
  const pl = (p: Pipeline) => p.commands.map(words).join(' | ');
  return [pl(list.first), ...list.rest.map((r) => `${r.op} ${pl(r.pipeline)}`)].join(' ');
}

// ---- builtins ----------------------------------------------------------------------------------------

const write = (sh: Shell, io: Io, fd: number, text: string) => sh.p.write(io[fd] ?? fd, text);

const BUILTINS: Record<string, Builtin> = {
  async cd(sh, argv, io) {
    const target = argv[1] === undefined ? sh.vars.get('HOME') ?? '/' : argv[1] === '-' ? sh.vars.get('OLDPWD') ?? sh.p.cwd : argv[1];
    const old = sh.p.cwd;
    try {
      await sh.p.chdir(target);
    } catch (e) {
      if (!(e instanceof SysError)) throw e;
      await write(sh, io, 2, `${sh.name}: cd: ${target}: ${e.message}\n`);
      return 1;
    }
    sh.vars.set('OLDPWD', old);
    sh.vars.set('PWD', sh.p.cwd);
    if (argv[1] === '-') await write(sh, io, 1, `${sh.p.cwd}\n`);
    return 0;
  },
  async pwd(sh, _argv, io) { await write(sh, io, 1, `${sh.p.cwd}\n`); return 0; },
  async echo(sh, argv, io) {
    let i = 1, newline = true, escapes = false;
    while (i < argv.length && /^-[neE]+$/.test(argv[i]!)) {
      for (const c of argv[i]!.slice(1)) { if (c === 'n') newline = false; else if (c === 'e') escapes = true; else escapes = false; }
      i++;
    }
    let text = argv.slice(i).join(' ');
    if (escapes) text = interpretEscapes(text);
    try {
      await write(sh, io, 1, text + (newline ? '\n' : ''));
    } catch (e) {
      // A device or /proc, /sys file may refuse what is written: bash says so and goes on.
      if (!(e instanceof SysError)) throw e;
      await write(sh, io, 2, `${sh.name}: echo: write error: ${e.message}\n`);
      return 1;
    }
    return 0;
  },
  async true() { return 0; },
  async false() { return 1; },
  async ':'() { return 0; },
  async exit(sh, argv) { throw new ExitShell(argv[1] !== undefined ? Number(argv[1]) & 0xff : sh.status); },
  async export(sh, argv) {
    for (const a of argv.slice(1)) {
      const eq = a.indexOf('=');
      if (eq > 0) { sh.vars.set(a.slice(0, eq), a.slice(eq + 1)); sh.exported.add(a.slice(0, eq)); } else sh.exported.add(a);
    }
    return 0;
  },
  async unset(sh, argv) { for (const a of argv.slice(1)) { sh.vars.delete(a); sh.exported.delete(a); sh.functions.delete(a); } return 0; },
  async set(sh, argv, io) {
    if (argv.length === 1) {
      await write(sh, io, 1, [...sh.vars].sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => `${k}='${v}'\n`).join(''));
      return 0;
    }
    if (argv[1] === '--') sh.positional = argv.slice(2);
    return 0;
  },
  async shift(sh, argv) { sh.positional = sh.positional.slice(Number(argv[1] ?? 1)); return 0; },
  async wait(sh, argv, io) {
    const targets = argv.length > 1 ? argv.slice(1).map((a) => Number(a.replace(/^%/, ''))) : undefined;
    let status = 0;
    for (const job of [...sh.jobs]) {
      for (const pid of job.pids) {
        if (targets && !targets.includes(pid)) continue;
        try {
          const r = await sh.p.waitpid(pid);
          status = exitStatus(r.status);
        } catch (e) {
          if (!(e instanceof SysError)) throw e;
          if (e.errno === 4) return 128 + 2;
        }
      }
      if (!targets || job.pids.every((p) => targets.includes(p))) sh.jobs.splice(sh.jobs.indexOf(job), 1);
    }
    void io;
    return status;
  },
  /** fg [%n]: continues the job in the foreground and waits for it. */
  async fg(sh, argv, io) {
    const job = pickJob(sh, argv[1]);
    if (!job) { await write(sh, io, 2, `${sh.name}: fg: ${argv[1] ?? 'current'}: no such job\n`); return 1; }
    await write(sh, io, 1, `${job.command}\n`);
    const pid = job.pids[0]!;
    await sh.p.kill(-(sh.k.tasks.get(pid)?.pgid ?? pid), 18).catch(() => undefined);
    const r = await sh.waitForeground(pid, job.command, io, job);
    if (!stoppedBy(r.status)) sh.jobs.splice(sh.jobs.indexOf(job), 1);
    return exitStatus(r.status);
  },
  /** bg [%n]: continues a stopped job in the background. */
  async bg(sh, argv, io) {
    const job = pickJob(sh, argv[1]);
    if (!job) { await write(sh, io, 2, `${sh.name}: bg: ${argv[1] ?? 'current'}: no such job\n`); return 1; }
    const pid = job.pids[0]!;
    await sh.p.kill(-(sh.k.tasks.get(pid)?.pgid ?? pid), 18).catch(() => undefined);
    await write(sh, io, 1, `[${job.id}]+ ${job.command} &\n`);
    return 0;
  },
  async jobs(sh, _argv, io) {
    for (const job of sh.jobs) {
      const t = sh.k.tasks.get(job.pids[0]!);
      const state = !t || t.state === 'Z' ? 'Done' : t.state === 'T' ? 'Stopped' : 'Running';
      await write(sh, io, 1, `[${job.id}]+  ${state.padEnd(24, ' ')}${job.command}${state === 'Stopped' ? '' : ' &'}\n`);
    }
    return 0;
  },
  async read(sh, argv, io) {
    const names = argv.slice(1).filter((a) => !a.startsWith('-'));
    let line = '';
    for (;;) {
      const b = await sh.p.read(io[0] ?? 0, 1);
      if (b.length === 0) { if (!line) return 1; break; }
      const c = dec.decode(b);
      if (c === '\n') break;
      line += c;
    }
    const fields = line.trim().split(/\s+/);
    names.forEach((n, i) => sh.vars.set(n, i === names.length - 1 ? fields.slice(i).join(' ') : fields[i] ?? ''));
    if (!names.length) sh.vars.set('REPLY', line);
    return 0;
  },
  async type(sh, argv, io) {
    let st = 0;
    for (const n of argv.slice(1)) {
      if (BUILTINS[n]) await write(sh, io, 1, `${n} is a shell builtin\n`);
      else {
        const dirs = (sh.vars.get('PATH') ?? '').split(':');
        let found = '';
        for (const d of dirs) if (await sh.p.exists(`${d}/${n}`)) { found = `${d}/${n}`; break; }
        if (found) await write(sh, io, 1, `${n} is ${found}\n`);
        else { await write(sh, io, 2, `${sh.name}: type: ${n}: not found\n`); st = 1; }
      }
    }
    return st;
  },
  async source(sh, argv, io) {
    try {
      return await sh.runSource(await sh.p.readText(argv[1] ?? ''), io);
    } catch (e) {
      if (!(e instanceof SysError)) throw e;
      await write(sh, io, 2, `${sh.name}: ${argv[1] ?? ''}: ${e.message}\n`);
      return 1;
    }
  },
  async kill(sh, argv, io) {
    let sig = 15;
    const targets: string[] = [];
    for (const a of argv.slice(1)) {
      if (a === '-l') { await write(sh, io, 1, Object.entries(SIGNAL_NAMES).map(([n, s]) => `${n}) SIG${s}`).join(' ') + '\n'); return 0; }
      if (/^-\d+$/.test(a)) sig = Number(a.slice(1));
      else if (/^-(SIG)?[A-Z]+$/.test(a)) {
        const name = a.replace(/^-(SIG)?/, '');
        const n = Object.entries(SIGNAL_NAMES).find(([, s]) => s === name)?.[0];
        if (!n) { await write(sh, io, 2, `${sh.name}: kill: ${a.slice(1)}: invalid signal specification\n`); return 1; }
        sig = Number(n);
      } else targets.push(a);
    }
    let st = 0;
    for (const t of targets) {
      let pid: number;
      if (t.startsWith('%')) {
        const job = sh.jobs.find((j) => j.id === Number(t.slice(1)));
        if (!job) { await write(sh, io, 2, `${sh.name}: kill: ${t}: no such job\n`); st = 1; continue; }
        pid = job.pids[0]!;
      } else pid = Number(t);
      try { await sh.p.kill(pid, sig); } catch (e) {
        if (!(e instanceof SysError)) throw e;
        await write(sh, io, 2, `${sh.name}: kill: (${t}) - ${e.errno === 3 ? 'No such process' : strerror(e.errno)}\n`);
        st = 1;
      }
    }
    return st;
  },
};
BUILTINS['.'] = BUILTINS.source!;

function interpretEscapes(s: string): string {
  return s.replace(/\\(0[0-7]{0,3}|x[0-9a-fA-F]{1,2}|.)/g, (_m, e: string) => {
    switch (e[0]) {
      case 'n': return '\n';
      case 't': return '\t';
      case 'r': return '\r';
      case 'a': return '\x07';
      case 'b': return '\b';
      case 'e': return '\x1b';
      case 'f': return '\f';
      case 'v': return '\v';
      case '\\': return '\\';
      case '0': return String.fromCharCode(parseInt(e.slice(1) || '0', 8));
      case 'x': return String.fromCharCode(parseInt(e.slice(1), 16));
      default: return '\\' + e;
    }
  });
}

/** /bin/sh: `sh -c 'script'`, `sh file`, or an interactive shell with -i. */
export function shProgram(k: Kernel) {
  return async (p: Proc, argv: string[]): Promise<number> => {
    const sh = new Shell(k, p, 'sh', false);
    try {
      if (argv[1] === '-c') {
        sh.positional = argv.slice(3);
        // The script init runs on the console for `driverlab sh` tells the machine where it is, to go on after a reboot.
        const console = k.consoleScript && p.task.parent?.pid === k.consoleScript.initPid ? k.consoleScript : undefined;
        return await sh.runSource(argv[2] ?? '', [0, 1, 2], console && ((offset) => console.report(offset)));
      }
      if (argv[1] === '-i' || argv.length === 1 && p.isatty(0)) {
        // An interactive shell ignores SIGTERM (bash does, so that `kill 0` and SysRq-E leave it alone).
        p.task.blockedSignals |= 1 << SIGTERM;
        const ish = new Shell(k, p, 'sh', true);
        return await ish.interact();
      }
      if (argv[1]) {
        sh.positional = argv.slice(2);
        let src: string;
        try { src = await p.readText(argv[1]); } catch (e) {
          if (!(e instanceof SysError)) throw e;
          await p.err(`sh: ${argv[1]}: ${e.message}\n`);
          return 127;
        }
        // One of the machine's own programs where a script was expected (`sh scripts/Configure`,
        // whose real counterpart is a shell script): it runs as the program.
        if (src.startsWith('#!driverlab-builtin ')) src = `exec ${argv.slice(1).map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ')}`;
        return await sh.runSource(src);
      }
      return await sh.runSource(dec.decode(await p.readAll(0)));
    } catch (e) {
      if (e instanceof ExitShell) return e.status;
      throw e;
    }
  };
}
