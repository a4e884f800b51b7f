// Magic SysRq (drivers/tty/sysrq.c; 2.2's drivers/char/sysrq.c): the keys that work as long
// as interrupts reach a CPU. Alt+SysRq+key arrives from the keyboard driver on IRQ 1 and is
// gated by /proc/sys/kernel/sysrq (0 off, 1 all, otherwise a mask of SYSRQ_ENABLE_* bits; 2.2:
// on or off); root's writes to /proc/sysrq-trigger always work (modern only: 2.2 had no such
// file). Each key has the help text, action message and enable bit of Linux's key table, and
// each personality has its own key set and wording: "sysrq: Emergency Sync" today, "SysRq:
// Emergency Sync" in 1998.
import type { Kernel } from './kernel.js';
import { SIGKILL, SIGTERM, type Task } from './sched.js';
import { EINVAL } from './errno.js';
import { formatTimestamp } from './printk.js';
import { procMeminfo } from './procfiles.js';
import { Work } from './workqueue.js';
import { MAJOR, isChr } from './fs/types.js';
import { emergencyRemountAll } from './fs/super.js';
import { emergencyRestart, kernelShutdown } from './reboot.js';
import { liveModuleFrames, liveWasmFrames, printCallTrace, showState22, showStateFilter, taskStack, type RunningCode } from './stacktrace.js';

export const SYSRQ_ENABLE_LOG = 0x0002, SYSRQ_ENABLE_KEYBOARD = 0x0004, SYSRQ_ENABLE_DUMP = 0x0008,
  SYSRQ_ENABLE_SYNC = 0x0010, SYSRQ_ENABLE_REMOUNT = 0x0020, SYSRQ_ENABLE_SIGNAL = 0x0040,
  SYSRQ_ENABLE_BOOT = 0x0080, SYSRQ_ENABLE_RTNICE = 0x0100;

/**
 * kernel.sysrq at boot. Debian builds with CONFIG_MAGIC_SYSRQ_DEFAULT_ENABLE=0x01b6 (438):
 * loglevel, SAK/unraw, sync, remount, reboot/poweroff and RT nicing from the keyboard, but not
 * the dumps (t, w, m, p, c...) nor signalling processes (e, i, f). 2.2 enabled all of it.
 */
export const SYSRQ_DEFAULT_ENABLE = 0x01b6;

/** How a key arrived: from the keyboard (in the IRQ 1 handler) or written to /proc/sysrq-trigger. */
export interface SysrqCall {
  fromKeyboard: boolean;
}

/** struct sysrq_key_op. */
interface SysrqKeyOp {
  help: string;
  action: string;
  /** SYSRQ_ENABLE_* bit; 0: only when kernel.sysrq is 1 (enable all). */
  mask: number;
  handler: (key: string, call: SysrqCall) => void;
}

/** The kernel functions from the keyboard interrupt to __handle_sysrq(), innermost first (the <IRQ> part of a stack). */
const KEYBOARD_IRQ_PATH = ['sysrq_filter', 'input_to_handler', 'input_pass_values', 'input_handle_event', 'input_event',
  'atkbd_receive_byte', 'ps2_interrupt', 'serio_interrupt', 'i8042_interrupt', '__handle_irq_event_percpu',
  'handle_irq_event', 'handle_edge_irq', '__common_interrupt', 'common_interrupt'];
/** From a write(2) of /proc/sysrq-trigger to __handle_sysrq(). */
const TRIGGER_PATH = ['write_sysrq_trigger', 'proc_reg_write', 'vfs_write', 'ksys_write', 'do_syscall_64', 'entry_SYSCALL_64_after_hwframe'];

export class Sysrq {
  /** /proc/sys/kernel/sysrq. */
  enabled: number;
  private readonly modern: boolean;
  private readonly table: Map<string, SysrqKeyOp>;

  constructor(private readonly k: Kernel) {
    this.modern = k.personality === 'modern';
    this.enabled = this.modern ? SYSRQ_DEFAULT_ENABLE : 1;
    this.table = this.modern ? this.modernTable() : new Map();
    this.registerProcFiles();
  }

  // ---- entry points ---------------------------------------------------------------------------

  /**
   * Alt+SysRq+key from the keyboard (handle_sysrq()): true if SysRq took the key; false when
   * kernel.sysrq is 0, and the keyboard then treats it as an ordinary Alt+key.
   */
  fromKeyboard(key: string): boolean {
    if (!this.enabled) return false;
    this.handle(key, true, { fromKeyboard: true });
    return true;
  }

  /** __handle_sysrq(): `checkMask` is false for /proc/sysrq-trigger, which is always allowed. */
  handle(key: string, checkMask: boolean, call: SysrqCall): void {
    if (!this.modern) { this.handle22(key, call); return; }
    const log = this.k.log;
    // The header is shown whatever the console loglevel, as positive feedback.
    const saved = log.consoleLoglevel;
    log.consoleLoglevel = 7;
    const op = this.table.get(key);
    if (!op) {
      this.info(`HELP : ${this.helpLine()}`);
      log.consoleLoglevel = saved;
      return;
    }
    if (checkMask && !this.onMask(op.mask)) {
      this.info('This sysrq operation is disabled.');
      log.consoleLoglevel = saved;
      return;
    }
    this.info(op.action);
    log.consoleLoglevel = saved;
    op.handler(key, call);
  }

  /** sysrq_on_mask(): 1 enables every key; otherwise the key's bit must be set. */
  private onMask(mask: number): boolean {
    return this.enabled === 1 || (this.enabled & mask) !== 0;
  }

  /** write_sysrq_trigger(): the first character only, or with a leading '_' every character. */
  private trigger(text: string): number {
    let bulk = false;
    for (const c of text) {
      if (c === '_') bulk = true;
      else this.handle(c, false, { fromKeyboard: false });
      // emergency_restart() and panic() do not return.
      if (!bulk || this.k.halted !== undefined) break;
    }
    return text.length;
  }

  private registerProcFiles(): void {
    const procfs = this.k.procfs;
    procfs.addText(procfs.dir('sys/kernel'), 'sysrq', {
      show: () => `${this.enabled}\n`,
      write: (text) => {
        // proc_dointvec: decimal, or hexadecimal with 0x.
        const m = /^\s*(0x[0-9a-f]+|\d+)\s*$/i.exec(text);
        if (!m) return -EINVAL;
        const value = Number(m[1]);
        // 2.2's sysrq_enabled was a switch: whatever is not 0 turns everything on.
        this.enabled = this.modern ? value : value ? 1 : 0;
        return text.length;
      },
    }, 0o644);
    if (this.modern) procfs.addText(procfs.root, 'sysrq-trigger', { show: () => '', write: (text) => this.trigger(text) }, 0o200);
  }

  // ---- the modern key table ---------------------------------------------------------------------

  private info(msg: string): void {
    this.k.printk(`\x016sysrq: ${msg}\n`);
  }

  /** The HELP line: each operation's help once, in key order (0-9, a-z, A-Z), with pr_cont's trailing space. */
  private helpLine(): string {
    const keys = [...'0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ'];
    const seen = new Set<SysrqKeyOp>();
    let line = '';
    for (const key of keys) {
      const op = this.table.get(key);
      if (!op || seen.has(op)) continue;
      seen.add(op);
      line += `${op.help} `;
    }
    return line;
  }

  private modernTable(): Map<string, SysrqKeyOp> {
    const k = this.k;
    const t = new Map<string, SysrqKeyOp>();
    const loglevel: SysrqKeyOp = {
      help: 'loglevel(0-9)', action: 'Changing Loglevel', mask: SYSRQ_ENABLE_LOG,
      handler: (key) => {
        k.log.consoleLoglevel = 7;
        this.info(`Loglevel set to ${key}`);
        k.log.consoleLoglevel = Number(key);
      },
    };
    for (const d of '0123456789') t.set(d, loglevel);
    t.set('b', { help: 'reboot(b)', action: 'Resetting', mask: SYSRQ_ENABLE_BOOT, handler: () => emergencyRestart(k) });
    t.set('c', { help: 'crash(c)', action: 'Trigger a crash', mask: SYSRQ_ENABLE_DUMP, handler: () => this.crash() });
    t.set('e', { help: 'terminate-all-tasks(e)', action: 'Terminate All Tasks', mask: SYSRQ_ENABLE_SIGNAL, handler: () => this.signalAll(SIGTERM, false) });
    t.set('f', { help: 'memory-full-oom-kill(f)', action: 'Manual OOM execution', mask: SYSRQ_ENABLE_SIGNAL, handler: () => this.work('moom_callback', () => this.oomKill()) });
    t.set('i', { help: 'kill-all-tasks(i)', action: 'Kill All Tasks', mask: SYSRQ_ENABLE_SIGNAL, handler: () => this.signalAll(SIGKILL, false) });
    t.set('j', {
      help: 'thaw-filesystems(j)', action: 'Emergency Thaw of all frozen filesystems', mask: SYSRQ_ENABLE_SIGNAL,
      // Nothing here freezes a file system (no fsfreeze): thawing finds nothing to do.
      handler: () => this.work('do_thaw_all', () => k.printk('\x014Emergency Thaw complete\n')),
    });
    t.set('k', { help: 'sak(k)', action: 'SAK', mask: SYSRQ_ENABLE_KEYBOARD, handler: () => this.work('do_SAK_work', () => this.secureAttentionKey()) });
    t.set('l', { help: 'show-backtrace-all-active-cpus(l)', action: 'Show backtrace of all active CPUs', mask: SYSRQ_ENABLE_DUMP, handler: (_key, call) => this.backtraceAllCpus(call) });
    t.set('m', { help: 'show-memory-usage(m)', action: 'Show Memory', mask: SYSRQ_ENABLE_DUMP, handler: () => this.showMem() });
    // No task here has a real-time policy: normalize_rt_tasks() finds none to reset.
    t.set('n', { help: 'nice-all-RT-tasks(n)', action: 'Nice All RT Tasks', mask: SYSRQ_ENABLE_RTNICE, handler: () => undefined });
    t.set('o', { help: 'poweroff(o)', action: 'Power Off', mask: SYSRQ_ENABLE_BOOT, handler: () => this.work('do_poweroff', () => kernelShutdown(k, 'poweroff')) });
    t.set('p', { help: 'show-registers(p)', action: 'Show Regs', mask: SYSRQ_ENABLE_DUMP, handler: (_key, call) => { if (call.fromKeyboard) this.showRegs(); } });
    t.set('q', { help: 'show-all-timers(q)', action: 'Show clockevent devices & pending hrtimers (no others)', mask: 0, handler: () => this.showTimers() });
    t.set('r', { help: 'unraw(r)', action: 'Keyboard mode set to system default', mask: SYSRQ_ENABLE_KEYBOARD, handler: () => this.unraw() });
    // emergency_sync(): the block layer queues do_sync_work, which says "Emergency Sync complete".
    t.set('s', { help: 'sync(s)', action: 'Emergency Sync', mask: SYSRQ_ENABLE_SYNC, handler: () => k.block.emergencySync() });
    t.set('t', { help: 'show-task-states(t)', action: 'Show State', mask: SYSRQ_ENABLE_DUMP, handler: (_key, call) => this.showState(false, call) });
    t.set('u', { help: 'unmount(u)', action: 'Emergency Remount R/O', mask: SYSRQ_ENABLE_REMOUNT, handler: () => this.work('do_emergency_remount', () => this.emergencyRemount()) });
    // The console is the VGA text console: there is no framebuffer to give back to it.
    t.set('v', { help: 'force-fb(v)', action: 'Restore framebuffer console', mask: 0, handler: () => undefined });
    t.set('w', { help: 'show-blocked-tasks(w)', action: 'Show Blocked State', mask: SYSRQ_ENABLE_DUMP, handler: (_key, call) => this.showState(true, call) });
    t.set('z', { help: 'dump-ftrace-buffer(z)', action: 'Dump ftrace buffer', mask: SYSRQ_ENABLE_DUMP, handler: () => this.ftraceDump() });
    t.set('R', { help: 'replay-kernel-logs(R)', action: 'Replay kernel logs on consoles', mask: SYSRQ_ENABLE_DUMP, handler: () => this.replayLogs() });
    return t;
  }

  /** schedule_work() on the system workqueue: sync, remount, SAK and power-off run in a kworker, not in the interrupt. */
  private work(fn: string, body: () => void): void {
    const k = this.k;
    k.workqueues.queue(k.workqueues.system.events, new Work(fn, () => { body(); return 0; }, () => undefined));
  }

  // ---- the actions ------------------------------------------------------------------------------

  /**
   * SysRq-C. Since 5.x the handler calls panic("sysrq triggered crash") (older kernels
   * dereferenced NULL in the interrupt, an oops that panicked as "Fatal exception in interrupt").
   */
  private crash(): void {
    this.k.panic('sysrq triggered crash\n');
  }

  /** send_sig_all(): every user process but init; kernel threads are left alone. */
  private signalAll(sig: number, evenInit: boolean): void {
    for (const t of this.k.tasks.values()) {
      if (t.kind !== 'user' || !t.alive || (t.isInit && !evenInit)) continue;
      this.k.sendSignal(t, sig);
    }
    // "We probably have killed syslogd": everything goes to the console from now on.
    this.k.log.consoleLoglevel = this.modern ? 10 : 8;
  }

  /** do_emergency_remount(): writable disk file systems go read-only (after syncing). */
  private emergencyRemount(): void {
    emergencyRemountAll(this.k);
    this.k.printk('Emergency Remount complete\n');
  }

  /** __do_SAK(): every process on the console dies, so that nothing can pose as the login prompt. */
  private secureAttentionKey(): void {
    for (const t of [...this.k.tasks.values()]) {
      if (t.kind !== 'user' || !t.alive || t.isInit || !usesConsole(t)) continue;
      if (this.modern) this.k.printk(`\x015tty tty1: SAK: killed process ${t.pid} (${t.comm}): by controlling tty\n`);
      this.k.sendSignal(t, SIGKILL);
    }
  }

  private unraw(): void {
    if (this.k.keyboard) this.k.keyboard.mode = 'xlate';
  }

  /** show_state() / show_state_filter(TASK_UNINTERRUPTIBLE), then show_all_workqueues() for T. */
  private showState(onlyBlocked: boolean, call: SysrqCall): void {
    const handler = onlyBlocked ? 'sysrq_handle_showstate_blocked' : 'sysrq_handle_showstate';
    showStateFilter(this.k, onlyBlocked, this.running(['sched_show_task', 'show_state_filter', handler], call));
    if (!onlyBlocked) this.k.printk('\x016Showing busy workqueues and worker pools:\n');
  }

  /** The code path running now, from `top` (innermost) down to how the key arrived. */
  private running(top: string[], call: SysrqCall): RunningCode {
    return call.fromKeyboard
      ? { frames: [...top, '__handle_sysrq', ...KEYBOARD_IRQ_PATH], inIrq: true }
      : { frames: [...top, '__handle_sysrq', ...TRIGGER_PATH], inIrq: false };
  }

  /**
   * nmi_trigger_cpumask_backtrace(): this CPU dumps its own stack, the others are sent an
   * NMI and show where they are (an idle CPU only says so).
   */
  private backtraceAllCpus(call: SysrqCall): void {
    const k = this.k;
    const me = k.sched.cpu;
    k.printk(`\x014NMI backtrace for cpu ${me.id}\n`);
    this.dumpStackHeader(me.id, k.sched.current);
    const task = k.sched.current;
    const top = ['dump_stack_lvl', 'nmi_cpu_backtrace', 'nmi_trigger_cpumask_backtrace', 'arch_trigger_cpumask_backtrace', 'sysrq_handle_showallcpus'];
    if (task) printCallTrace(k, 4, taskStack(k, task, this.running(top, call)));
    const others = k.sched.cpus.filter((c) => c !== me);
    if (!others.length) return;
    k.printk(`\x016Sending NMI from CPU ${me.id} to CPUs ${others.map((c) => c.id).join(',')}:\n`);
    for (const cpu of others) {
      const t = cpu.current;
      if (!t) { k.printk(`\x014NMI backtrace for cpu ${cpu.id} skipped: idling at default_idle\n`); continue; }
      k.printk(`\x014NMI backtrace for cpu ${cpu.id}\n`);
      this.dumpStackHeader(cpu.id, t);
      const stack = taskStack(k, t);
      const rip = stack.task.find((f) => f.endsWith(']'));
      if (rip) k.printk(`\x014RIP: 0010:${rip}\n`);
      printCallTrace(k, 4, stack);
    }
  }

  /** dump_stack_print_info(): the CPU line and the hardware name. */
  private dumpStackHeader(cpu: number, task: Task | undefined): void {
    const k = this.k;
    const who = task ? `PID: ${task.pid} Comm: ${task.comm}` : `PID: 0 Comm: swapper/${cpu}`;
    k.printk(`\x014CPU: ${cpu} ${who} ${k.taintString()} ${k.release.release} #1\n`);
    k.printk('\x014Hardware name: DriverLab Virtual PC, BIOS 1.0 01/15/2025\n');
  }

  /**
   * show_regs(get_irq_regs()): where the CPU was when the keyboard interrupted it. What we
   * honestly have: the C function and offset of module code and its C stack pointer; a user
   * program's position in its code; the interrupt flag, which was on (the interrupt came in).
   */
  private showRegs(): void {
    const k = this.k;
    const where = interruptedAt(k);
    const task = k.sched.current;
    this.dumpStackHeader(k.sched.cpu.id, task);
    if (where.kind === 'module') {
      k.printk(`\x014RIP: 0010:${where.frame}\n`);
      k.printk(`\x014RSP: 0018:${where.sp.toString(16).padStart(16, '0')} EFLAGS: 00000202\n`);
      if (task) printCallTrace(k, 4, taskStack(k, task, { frames: [], inIrq: false }));
    } else if (where.kind === 'idle') {
      k.printk('\x014RIP: 0010:default_idle\n');
    } else if (where.offset !== undefined) {
      k.printk(`\x014RIP: 0033:0x${where.offset.toString(16).padStart(12, '0')}\n`);
    }
  }

  /** show_mem(): the page counts, from the same figures as /proc/meminfo. */
  private showMem(): void {
    const k = this.k;
    const mem = meminfo(k);
    const pages = (kb: number) => Math.floor(kb / 4);
    const line = (s: string) => k.printk(`\x016${s}\n`);
    line('Mem-Info:');
    line(`active_anon:${pages(mem.Active ?? 0)} inactive_anon:0 isolated_anon:0`);
    line(` active_file:${pages(mem.Cached ?? 0)} inactive_file:${pages(mem.Inactive ?? 0)} isolated_file:0`);
    line(` unevictable:0 dirty:${pages(mem.Dirty ?? 0)} writeback:${pages(mem.Writeback ?? 0)}`);
    line(` slab_reclaimable:0 slab_unreclaimable:${pages(mem.Slab ?? 0)}`);
    line(' mapped:0 shmem:0 pagetables:0');
    line(' sec_pagetables:0 bounce:0');
    line(' kernel_misc_reclaimable:0');
    line(` free:${pages(mem.MemFree ?? 0)} free_pcp:0 free_cma:0`);
    line(`Node 0 active_anon:${mem.Active ?? 0}kB inactive_anon:0kB active_file:${mem.Cached ?? 0}kB inactive_file:${mem.Inactive ?? 0}kB unevictable:0kB isolated(anon):0kB isolated(file):0kB mapped:0kB dirty:${mem.Dirty ?? 0}kB writeback:${mem.Writeback ?? 0}kB shmem:0kB writeback_tmp:0kB kernel_stack:${16 * k.tasks.size}kB pagetables:0kB sec_pagetables:0kB all_unreclaimable? no`);
    line(`Node 0 Normal free:${mem.MemFree ?? 0}kB boost:0kB min:1024kB low:1280kB high:1536kB present:${mem.MemTotal ?? 0}kB managed:${mem.MemTotal ?? 0}kB`);
    line(`${pages(mem.MemTotal ?? 0)} pages RAM`);
    line('0 pages HighMem/MovableOnly');
    line(`${pages(MEM_RESERVED_KB)} pages reserved`);
  }

  /** out_of_memory() as SysRq-F asks for it: the biggest user process dies. */
  private oomKill(): void {
    const k = this.k;
    const victims = [...k.tasks.values()].filter((t) => t.kind === 'user' && t.alive && !t.isInit).sort((a, b) => a.pid - b.pid);
    const me = k.sched.current;
    const line = (level: number, s: string) => k.printk(`\x01${level}${s}\n`);
    let chosen: Task | undefined;
    for (const t of victims) if (!chosen || rssKb(t) > rssKb(chosen)) chosen = t;
    if (!chosen) { this.info('OOM request ignored. No task eligible'); return; }
    line(4, `${me?.comm ?? 'kworker/0:0'} invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=-1, oom_score_adj=0`);
    this.dumpStackHeader(k.sched.cpu.id, me);
    line(4, 'Workqueue: events moom_callback');
    printCallTrace(k, 4, { irq: undefined, task: ['dump_stack_lvl', 'dump_header', 'oom_kill_process', 'out_of_memory', 'moom_callback', 'process_one_work', 'worker_thread', 'kthread', 'ret_from_fork', 'ret_from_fork_asm'] });
    this.showMem();
    line(6, 'Tasks state (memory values in pages):');
    line(6, '[  pid  ]   uid  tgid total_vm      rss pgtables_bytes swapents oom_score_adj name');
    for (const t of victims) {
      const pg = Math.ceil(rssKb(t) / 4);
      line(6, `[${String(t.pid).padStart(7)}]  ${String(t.cred.uid).padStart(4)} ${String(t.pid).padStart(5)} ${String(pg).padStart(8)} ${String(pg).padStart(8)} ${String(pgtablesBytes(t)).padStart(14)} ${'0'.padStart(8)} ${'0'.padStart(13)} ${t.comm}`);
    }
    line(6, `oom-kill:constraint=CONSTRAINT_NONE,nodemask=(null),cpuset=/,mems_allowed=0,global_oom,task_memcg=/,task=${chosen.comm},pid=${chosen.pid},uid=${chosen.cred.uid}`);
    line(3, `Out of memory: Killed process ${chosen.pid} (${chosen.comm}) total-vm:${rssKb(chosen)}kB, anon-rss:${rssKb(chosen)}kB, file-rss:0kB, shmem-rss:0kB, UID:${chosen.cred.uid} pgtables:${pgtablesBytes(chosen) / 1024}kB oom_score_adj:0`);
    k.sendSignal(chosen, SIGKILL);
  }

  /** timer_list: the pending high-resolution timers (sleeping processes) and the tick device (the PIT). */
  private showTimers(): void {
    const k = this.k;
    const now = k.clock.now;
    const line = (s: string) => k.printk(`\x016${s}\n`);
    line('Timer List Version: v0.9');
    line('HRTIMER_MAX_CLOCK_BASES: 8');
    line(`now at ${now} nsecs`);
    line('');
    const sleepers = k.clock.pendingEvents().filter((e) => e.label === 'nanosleep');
    for (const cpu of k.sched.cpus) {
      line(`cpu: ${cpu.id}`);
      line(' clock 0:');
      line(`  .index:      0`);
      line('  .resolution: 1 nsecs');
      line('  .get_time:   ktime_get');
      line('  .offset:     0 nsecs');
      line('active timers:');
      // One clock, one list: they are shown with the boot CPU.
      if (cpu.id === 0) {
        sleepers.forEach((e, i) => {
          line(` #${i}: <0000000000000000>, hrtimer_wakeup, S:01`);
          line(` # expires at ${e.atNs}-${e.atNs + 50_000} nsecs [in ${e.atNs - now} to ${e.atNs + 50_000 - now} nsecs]`);
        });
      }
    }
    line('');
    line('Tick Device: mode:     1');
    line('Broadcast device');
    line('Clock Event Device: pit');
    line(' max_delta_ns:   27461866');
    line(' min_delta_ns:   12571');
    line(' mult:           5124677');
    line(' shift:          32');
    line(' mode:           2');
    line(' next_event:     9223372036854775807 nsecs');
    line(' set_next_event: pit_next_event');
    line(' shutdown:       pit_shutdown');
    line(' periodic:       pit_set_periodic');
    line(' event_handler:  tick_handle_periodic');
    line(' retries:        0');
  }

  /** There is no tracer on this machine, so the ring buffer is always empty. */
  private ftraceDump(): void {
    this.k.printk('\x010Dumping ftrace buffer:\n');
    this.k.printk('\x010   (ftrace buffer empty)\n');
  }

  /** console_replay_all(): the whole log buffer to the console again, through the loglevel filter. */
  private replayLogs(): void {
    const k = this.k;
    for (const r of k.log.read(false)) {
      if (r.level < k.log.consoleLoglevel) k.console.write(`${formatTimestamp(r.timeNs)} ${r.text}\n`);
    }
  }

  // ---- 2.2 -----------------------------------------------------------------------------------------

  /**
   * 2.2's handle_sysrq(): a switch over the keys, "SysRq: " and the action on one line.
   * Sync and remount are deferred to bdflush, which reports each disk and "Done.".
   */
  private handle22(key: string, call: SysrqCall): void {
    const k = this.k;
    const log = k.log;
    let restoreTo = log.consoleLoglevel;
    log.consoleLoglevel = 7;
    const say = (msg: string) => k.printk(`\x016SysRq: ${msg}\n`);
    switch (key) {
      case 'r': say('Keyboard mode set to XLATE'); this.unraw(); break;
      case 'k': say('SAK'); this.secureAttentionKey(); break;
      case 'b': say('Resetting'); emergencyRestart(k); break;
      case 'o': say('Power off'); k.requestShutdown('poweroff'); break;
      // Both are bdflush's work, done when it next runs ("Syncing device 03:01 ... OK", "Done.").
      case 's': say('Emergency Sync'); k.block.emergencySync(); break;
      case 'u': say('Emergency Remount R/O'); k.block.writeback.emergencyRemount22(); break;
      case 'p': say('Show Regs'); if (call.fromKeyboard) this.showRegs22(); break;
      case 't': say('Show State'); showState22(k); break;
      case 'm': say('Show Memory'); this.showMem22(); break;
      case 'e': say('Terminate All Tasks'); this.signalAll(SIGTERM, false); restoreTo = 8; break;
      case 'i': say('Kill All Tasks'); this.signalAll(SIGKILL, false); restoreTo = 8; break;
      case 'l': say('Kill ALL Tasks (even init)'); this.signalAll(SIGKILL, true); restoreTo = 8; break;
      default:
        if (/^[0-9]$/.test(key)) { restoreTo = Number(key); say(`Log level set to ${key}`); break; }
        say('unRaw saK Boot Off Sync Unmount showPc showTasks showMem loglevel0-8 tErm kIll killalL');
    }
    log.consoleLoglevel = restoreTo;
  }

  /** 2.2's show_regs(): EIP and EFLAGS are what we have (no general registers). */
  private showRegs22(): void {
    const k = this.k;
    const where = interruptedAt(k);
    k.printk('\n');
    if (where.kind === 'module') {
      k.printk(`EIP: 0010:[<${where.offset.toString(16).padStart(8, '0')}>] EFLAGS: 00000202\n`);
      k.printk(`EIP is at ${where.frame}\n`);
    } else if (where.kind === 'idle') {
      k.printk('EIP: 0010:[cpu_idle] EFLAGS: 00000202\n');
    } else if (where.offset !== undefined) {
      k.printk(`EIP: 0023:[<${where.offset.toString(16).padStart(8, '0')}>] EFLAGS: 00000202\n`);
    }
  }

  /** 2.2's show_mem(): show_free_areas(), the page counts and show_buffers(). */
  private showMem22(): void {
    const k = this.k;
    const mem = meminfo(k);
    const free = mem.MemFree ?? 0;
    k.printk('Mem-info:\n');
    k.printk(`Free pages:      ${String(free).padStart(6)}kB\n`);
    k.printk(` ( Free: ${Math.floor(free / 4)} (${64} ${128} ${192})\n`);
    k.printk(`${buddyLine(free)}\n`);
    k.printk('Swap cache: add 0, delete 0, find 0/0\n');
    k.printk(`Free swap:       ${String(0).padStart(6)}kB\n`);
    k.printk(`${Math.floor((mem.MemTotal ?? 0) / 4)} pages of RAM\n`);
    k.printk(`${Math.floor(MEM_RESERVED_KB / 4)} reserved pages\n`);
    k.printk(`${Math.floor(((mem.MemTotal ?? 0) - free - MEM_RESERVED_KB) / 4)} pages shared\n`);
    k.printk('0 pages swap cached\n');
    k.printk('0 pages in page table cache\n');
    k.printk(`Buffer memory:   ${String(mem.Buffers ?? 0).padStart(6)}kB\n`);
  }
}

/** Memory the kernel keeps for itself (the "reserved pages" of show_mem). */
const MEM_RESERVED_KB = 8192;

/** /proc/meminfo as numbers (kB), so SysRq-M and /proc/meminfo never disagree. */
function meminfo(k: Kernel): Record<string, number> {
  const out: Record<string, number> = {};
  for (const m of procMeminfo(k).matchAll(/^(\w+):\s+(\d+) kB$/gm)) out[m[1]!] = Number(m[2]);
  return out;
}

/** 2.2's free-area line: the free memory as blocks of each order of the buddy allocator. */
function buddyLine(freeKb: number): string {
  let left = freeKb;
  const parts: string[] = [];
  let total = 0;
  for (let order = 9; order >= 0; order--) {
    const size = 4 << order;
    const n = order === 9 ? Math.floor(left / size) : Math.min(Math.floor(left / size), 1);
    left -= n * size;
    total += n * size;
    parts.unshift(`${n}*${size}kB`);
  }
  return `${parts.join(' ')} = ${total}kB)`;
}

/** A process's memory (kB): its address space is its wasm linear memory. */
function rssKb(t: Task): number {
  return Math.ceil((t.mm?.bytes().length ?? 0) / 1024);
}

/** Page tables a process of that size needs (one 4 KiB table per 2 MiB mapped, at least one). */
function pgtablesBytes(t: Task): number {
  return 4096 * Math.max(1, Math.ceil(rssKb(t) / 2048));
}

/** Whether a task has the console (a tty device) among its open files. */
function usesConsole(t: Task): boolean {
  return t.fds.some((f) => f !== undefined && isChr(f.inode.mode) && [4, 5].includes(MAJOR(f.inode.rdev)));
}

/**
 * Where the CPU was when the keyboard interrupt came: in module code (function, offset, C
 * stack pointer), in a user process (a wasm program's code offset; a built-in command has
 * none), or idle.
 */
function interruptedAt(k: Kernel): { kind: 'module'; frame: string; offset: number; sp: number } | { kind: 'user'; offset: number | undefined } | { kind: 'idle' } {
  const frame = liveModuleFrames(k)[0];
  if (frame) {
    const m = /^(\S+)\+0x([0-9a-f]+)(?:\/0x[0-9a-f]+)? \[(\S+)\]/.exec(frame);
    const mod = m ? k.modules.get(m[3]!) : undefined;
    const sp = Number((mod?.instance.exports.__stack_pointer as WebAssembly.Global | undefined)?.value ?? 0);
    return { kind: 'module', frame, offset: m ? parseInt(m[2]!, 16) : 0, sp };
  }
  if (!k.sched.current) return { kind: 'idle' };
  const user = liveWasmFrames(k).find((f) => !/ \[\w+\]/.test(f));
  const offset = user ? /\+0x([0-9a-f]+)$/.exec(user)?.[1] : undefined;
  return { kind: 'user', offset: offset === undefined ? undefined : parseInt(offset, 16) };
}
