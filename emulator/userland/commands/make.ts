// The make command: GNU make's engine (../make/) over the virtual PC's files
// and shell. Recipes run through /bin/sh as separate processes, as in GNU make.
import type { Kernel } from '../../kernel/kernel.js';
import { runMake, type MakeEnv } from '../make/index.js';
import { exitStatus, SysError, type Proc } from '../libc.js';
import { globPaths } from '../shell/glob.js';

const dec = new TextDecoder();

export function makeProgram(k: Kernel) {
  return async (p: Proc, argv: string[]): Promise<number> => {
    void k;
    // One task makes one system call at a time: make's engine calls these from concurrent
    // promise chains (a message is written while the next makefile is read), and two calls in
    // flight at once would run one of them outside the task's turn on its CPU (it then blocks
    // or is preempted as whatever task the scheduler runs: output lost, a CPU left to a zombie).
    let chain: Promise<unknown> = Promise.resolve();
    const serial = <T>(call: () => Promise<T>): Promise<T> => {
      const done = chain.then(call);
      chain = done.catch(() => undefined);
      return done;
    };
    const emit = (fd: number, text: string) => { void serial(() => p.write(fd, text)); };
    const abs = (path: string, cwd: string) => (path.startsWith('/') ? path : `${cwd}/${path}`);
    // GNU make reports the directory it changed into, symlinks resolved (getcwd).
    const args = [...argv.slice(1)];
    for (let i = 0; i < args.length; i++) {
      const a = args[i]!;
      const dirArg = a === '-C' ? i + 1 : a.startsWith('-C') ? i : -1;
      if (dirArg < 0 || args[dirArg] === undefined) continue;
      const raw = a === '-C' ? args[dirArg]! : a.slice(2);
      try {
        const real = k.vfs.lookup(raw, p.cwd, k.cred(p.task)).path;
        if (a === '-C') args[dirArg] = real; else args[i] = `-C${real}`;
      } catch { /* make reports the missing directory itself */ }
      if (a === '-C') i++;
    }
    // One task makes one system call at a time: every call waits for the output queued before it
    // (a write still in flight when the engine reads a file would run beside it, on a task the
    // scheduler believes has stopped).
    const env: MakeEnv = {
      cwd: p.cwd,
      environment: Object.fromEntries(p.task.env),
      readFile: (path) => serial(async () => { try { return await p.readText(path); } catch (e) { if (e instanceof SysError) return undefined; throw e; } }),
      mtime: (path) => serial(async () => { try { return (await p.stat(path)).mtimeNs / 1e6; } catch (e) { if (e instanceof SysError) return undefined; throw e; } }),
      glob: (pattern) => globPaths(pattern, env.cwd, (dir) => serial(() => p.readdir(dir).catch(() => null))),
      runShell: (command, cwd) => serial(async () => {
        const [r, w] = await p.pipe();
        const pid = await p.spawn(['sh', '-c', command], { fds: [0, w, 2], cwd: abs(cwd, p.cwd), env: p.task.env });
        await p.close(w);
        const output = dec.decode(await p.readAll(r));
        await p.close(r);
        const st = await p.waitpid(pid);
        return { status: exitStatus(st.status), output };
      }),
      runRecipe: (line, cwd, recipeEnv) => serial(async () => {
        const pid = await p.spawn(['sh', '-c', line], { cwd: abs(cwd, p.cwd), env: new Map(Object.entries(recipeEnv)) });
        const st = await p.waitpid(pid);
        return exitStatus(st.status);
      }),
      stdout: (text) => emit(1, text),
      stderr: (text) => emit(2, text),
    };
    const status = await runMake(args, env);
    await chain;
    return status;
  };
}
