// ps: the task list with states and wait channels (procps's formats, small).
import type { Kernel } from '../../kernel/kernel.js';
import { taskStateChar, type Task } from '../../kernel/sched.js';
import type { Proc } from '../libc.js';

function time(ns: number): string {
  const s = Math.floor(ns / 1e9);
  return `${String(Math.floor(s / 3600)).padStart(2, '0')}:${String(Math.floor(s / 60) % 60).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
}

const user = (t: Task) => (t.cred.uid === 0 ? 'root' : 'user');
const tty = (t: Task) => (t.kind === 'user' && t.fds[0] ? 'console' : '?');
const cmd = (t: Task) => (t.kind === 'kthread' ? `[${t.comm}]` : t.argv.join(' ') || t.comm);
// Kernel threads have no session: no 's' (session leader) mark.
const stat = (t: Task, k: Kernel) => taskStateChar(t, k.personality) + (t.pid === t.sid && t.kind === 'user' ? 's' : '') + (t.pgid === k.console.fgPgid && t.kind === 'user' ? '+' : '');
const wchan = (t: Task) => (t.state === 'S' || t.state === 'D' ? t.wchan || '-' : '-');

/** BSD-style cumulative time, as `ps aux` prints it: M:SS. */
function bsdTime(ns: number): string {
  const s = Math.floor(ns / 1e9);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

/** Memory of a user task in KiB: its wasm memory when it has one, else a small TypeScript process. */
function vsz(t: Task): number {
  if (t.kind !== 'user') return 0;
  const bytes = t.mm?.bytes().length ?? 0;
  return Math.max(2048, Math.round(bytes / 1024));
}

const FIELDS: Record<string, { head: string; width: number; left?: boolean; get: (t: Task, k: Kernel) => string }> = {
  pid: { head: 'PID', width: 5, get: (t) => String(t.pid) },
  pcpu: { head: '%CPU', width: 4, get: (t, k) => (Math.min(99.9, (100 * t.utimeNs) / Math.max(1, k.clock.now - t.startTimeNs))).toFixed(1) },
  pmem: { head: '%MEM', width: 4, get: (t) => ((100 * vsz(t)) / (256 * 1024)).toFixed(1) },
  vsz: { head: 'VSZ', width: 6, get: (t) => String(vsz(t)) },
  rss: { head: 'RSS', width: 5, get: (t) => String(Math.round(vsz(t) / 2)) },
  tname: { head: 'TTY', width: 8, left: true, get: (t) => tty(t) },
  start: { head: 'START', width: 5, left: true, get: (t, k) => new Date(k.epochMs + t.startTimeNs / 1e6).toISOString().slice(11, 16) },
  bsdtime: { head: 'TIME', width: 6, get: (t) => bsdTime(t.utimeNs) },
  uid: { head: 'UID', width: 5, get: (t) => String(t.cred.uid) },
  f: { head: 'F', width: 1, get: (t) => (t.kind === 'kthread' ? '1' : '0') },
  c: { head: 'C', width: 2, get: () => '0' },
  pri: { head: 'PRI', width: 3, get: () => '80' },
  ni: { head: 'NI', width: 3, get: () => '0' },
  addr: { head: 'ADDR', width: 4, get: () => '-' },
  sz: { head: 'SZ', width: 5, get: (t) => String(Math.round(vsz(t) / 4)) },
  ppid: { head: 'PPID', width: 5, get: (t) => String(t.parent?.pid ?? 0) },
  user: { head: 'USER', width: 8, left: true, get: user },
  stat: { head: 'STAT', width: 4, left: true, get: stat },
  s: { head: 'S', width: 1, get: (t, k) => taskStateChar(t, k.personality) },
  wchan: { head: 'WCHAN', width: 16, left: true, get: wchan },
  tty: { head: 'TT', width: 8, left: true, get: tty },
  time: { head: 'TIME', width: 8, get: (t) => time(t.utimeNs) },
  comm: { head: 'COMMAND', width: 0, left: true, get: (t) => t.comm },
  cmd: { head: 'CMD', width: 0, left: true, get: cmd },
  args: { head: 'COMMAND', width: 0, left: true, get: cmd },
};

export function ps(k: Kernel) {
  return async (p: Proc, argv: string[]): Promise<number> => {
    const args = argv.slice(1);
    let fields = ['pid', 'tname', 'time', 'cmd'];
    let all = false;
    for (let i = 0; i < args.length; i++) {
      const a = args[i]!;
      // Combined short options as procps takes them: -eo FORMAT is -e -o FORMAT.
      if (/^-[eA][lo]$/.test(a)) { all = true; args.splice(i + 1, 0, `-${a[2]}`); continue; }
      if (a === 'aux' || a === 'ax' || a === '-e' || a === '-A' || a === '-ef') all = true;
      if (a === 'aux') fields = ['user', 'pid', 'pcpu', 'pmem', 'vsz', 'rss', 'tname', 'stat', 'start', 'bsdtime', 'args'];
      else if (a === '-l' || a === 'l') fields = ['f', 's', 'uid', 'pid', 'ppid', 'c', 'pri', 'ni', 'addr', 'sz', 'wchan', 'tname', 'time', 'cmd'];
      else if (a === '-o' || a === 'o') {
        const spec = args[++i] ?? '';
        fields = spec.split(',').map((f) => f.trim().toLowerCase()).filter(Boolean);
        const bad = fields.find((f) => !FIELDS[f]);
        if (bad) { await p.err(`error: unknown user-defined format specifier "${bad}"\n`); return 1; }
      } else if (!['aux', 'ax', '-e', '-A', '-ef'].includes(a)) {
        await p.err(`error: unsupported option (BSD syntax)\n\nUsage:\n ps [options]\n`);
        return 1;
      }
    }
    // procps starts by opening /proc: a system call, so the listing is of the machine as it is now.
    if (!(await p.exists('/proc'))) { await p.err('Error: /proc must be mounted\n'); return 1; }
    const tasks = [...k.tasks.values()].filter((t) => t.state !== 'Z' || true).filter((t) => all || (t.kind === 'user' && t.sid === p.task.sid)).sort((a, b) => a.pid - b.pid);
    const cols = fields.map((f) => FIELDS[f]!);
    const line = (vals: string[]) => vals.map((v, i) => {
      const c = cols[i]!;
      if (i === vals.length - 1 && c.width === 0) return v;
      return c.left ? v.padEnd(c.width) : v.padStart(c.width);
    }).join(' ').trimEnd();
    let out = line(cols.map((c) => c.head)) + '\n';
    for (const t of tasks) out += line(cols.map((c) => (t.state === 'Z' && c === FIELDS.cmd ? `[${t.comm}] <defunct>` : c.get(t, k)))) + '\n';
    await p.out(out);
    return 0;
  };
}
