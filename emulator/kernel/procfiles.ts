// The kernel's own /proc files, formatted like Linux's.
import type { Kernel } from './kernel.js';
import { EINVAL } from './errno.js';
import { procInterrupts } from './irq.js';
import { panicSettings } from './oops.js';
import { CACHED_KB, MEM_TOTAL_KB, SLAB_BASE_KB, freeKb, modulesKb } from './memory.js';


export function registerProcFiles(k: Kernel): void {
  const p = k.procfs;
  const root = p.root;
  const text = (name: string, show: () => string, dir = root) => p.addText(dir, name, { show });
  text('version', () => `${k.banner}\n`);
  text('cmdline', () => `${k.cmdline}\n`);
  text('uptime', () => {
    const up = (k.clock.now - k.bootNs) / 1e9;
    return `${up.toFixed(2)} ${(up * 0.97).toFixed(2)}\n`;
  });
  text('interrupts', () => procInterrupts(k));
  text('ioports', () => k.ioports.format());
  // /proc/iomem came with Linux 2.3's resource trees: 2.2 had only /proc/ioports.
  if (k.personality !== '2.2') text('iomem', () => k.iomem.format());
  text('devices', () => `${k.chrdevs.procDevices()}\nBlock devices:\n  3 ide0\n  7 loop\n`);
  text('modules', () => k.modules.procModules());
  text('meminfo', () => procMeminfo(k));
  text('partitions', () => k.block.procPartitions());
  text('filesystems', () => 'nodev\tsysfs\nnodev\trootfs\nnodev\tramfs\nnodev\tproc\nnodev\tdevtmpfs\n\text2\nnodev\thostfs\n');
  text('mounts', () => k.vfs.mountTable().map((m) => `${m.source} ${m.path} ${m.type} ${m.options} 0 0\n`).join(''));
  text('cpuinfo', () => procCpuinfo(k));
  text('loadavg', () => `0.00 0.00 0.00 1/${k.tasks.size} ${k.tasks.size}\n`);
  text('kallsyms', () => k.modules.exportedSymbols().map((s, i) => `${(0xc1000000 + i * 16).toString(16).padStart(8, '0')} T ${s}\n`).join(''));
  p.addSymlink(root, 'self', '/proc/self-not-supported');
  const kernelDir = p.dir('sys/kernel');
  p.addText(kernelDir, 'printk', {
    show: () => k.log.sysctlText(),
    write: (t) => {
      const nums = t.trim().split(/\s+/).map(Number);
      if (!nums.length || nums.some((n) => !Number.isInteger(n) || n < 0 || n > 15)) return -EINVAL;
      k.log.consoleLoglevel = nums[0]!;
      if (nums[1] !== undefined) k.log.defaultMessageLoglevel = nums[1];
      return t.length;
    },
  }, 0o644);
  p.addText(kernelDir, 'tainted', { show: () => `${taintMask(k)}\n` });
  // The panic sysctls (kernel/panic.c): the reboot timeout, and whether an oops or a WARN panics.
  const sysctlInt = (name: string, get: () => number, set: (v: number) => void, min: number, max: number) => p.addText(kernelDir, name, {
    show: () => `${get()}\n`,
    write: (t) => {
      const v = Number(t.trim());
      if (!Number.isInteger(v) || v < min || v > max) return -EINVAL;
      set(v);
      return t.length;
    },
  }, 0o644);
  sysctlInt('panic', () => panicSettings.timeout(k), (v) => panicSettings.setTimeout(k, v), -(2 ** 31), 2 ** 31 - 1);
  if (k.personality === 'modern') {
    sysctlInt('panic_on_oops', () => Number(panicSettings.onOops(k)), (v) => panicSettings.setOnOops(k, v !== 0), 0, 1);
    sysctlInt('panic_on_warn', () => Number(panicSettings.onWarn(k)), (v) => panicSettings.setOnWarn(k, v !== 0), 0, 1);
  }
  p.addText(kernelDir, 'hostname', { show: () => `${k.hostname}\n` });
  p.addText(kernelDir, 'osrelease', { show: () => `${k.release.release}\n` });
}

function taintMask(k: Kernel): number {
  const bits: Record<string, number> = { P: 0, F: 1, S: 2, R: 3, M: 4, B: 5, U: 6, D: 7, A: 8, W: 9, C: 10, I: 11, O: 12, E: 13, L: 14, K: 15, X: 16, T: 17, N: 18 };
  let m = 0;
  for (const t of k.tainted) m |= 1 << (bits[t] ?? 0);
  return m;
}

/** The numbers of /proc/meminfo (and free): the buffer cache's Buffers and Dirty, modules and user programs are live. */
export function memInfo(k: Kernel): { total: number; free: number; available: number; buffers: number; cached: number; dirty: number; slab: number; vmallocUsed: number } {
  const moduleKb = modulesKb(k);
  const { buffersKb, dirtyKb } = k.block?.stats() ?? { buffersKb: 0, dirtyKb: 0 };
  const free = freeKb(k);
  return { total: MEM_TOTAL_KB, free, available: free + buffersKb + CACHED_KB, buffers: buffersKb, cached: CACHED_KB, dirty: dirtyKb, slab: SLAB_BASE_KB + moduleKb, vmallocUsed: moduleKb };
}

export function procMeminfo(k: Kernel): string {
  const m = memInfo(k);
  const line = (name: string, kb: number) => `${(name + ':').padEnd(16, ' ')}${String(kb).padStart(8, ' ')} kB\n`;
  return line('MemTotal', m.total) + line('MemFree', m.free) + line('MemAvailable', m.available) + line('Buffers', m.buffers) +
    line('Cached', m.cached) + line('SwapCached', 0) + line('Active', 16384 + m.buffers) + line('Inactive', 12288) + line('Dirty', m.dirty) +
    line('Writeback', 0) + line('Slab', m.slab) + line('VmallocTotal', 122880) + line('VmallocUsed', m.vmallocUsed);
}

/** One block per CPU: the modern machine has two, 2.2's one. */
function procCpuinfo(k: Kernel): string {
  const n = k.sched.cpus.length;
  return k.sched.cpus.map((c) => `processor\t: ${c.id}\nvendor_id\t: GenuineIntel\ncpu family\t: 6\nmodel\t\t: 6\nmodel name\t: DriverLab Virtual CPU (wasm32)\nstepping\t: 3\ncpu MHz\t\t: 2385.510\ncache size\t: 256 KB\n${n > 1 ? `physical id\t: 0\nsiblings\t: ${n}\ncore id\t\t: ${c.id}\ncpu cores\t: ${n}\n` : ''}flags\t\t: fpu tsc${n > 1 ? ' apic ht' : ''}\nbogomips\t: 4771.02\n\n`).join('');
}
