// free (procps): memory use from /proc/meminfo, where the buffer cache shows as buffers and its
// unwritten part as Dirty. The modern machine has procps-ng 4's layout (buff/cache, available,
// used = total - available); the 2.2 machine has procps 2.0's (buffers and cached columns and
// the -/+ buffers/cache line).
import type { Kernel } from '../../kernel/kernel.js';
import type { Proc } from '../libc.js';

const MODERN_USAGE = `
Usage:
 free [options]

Options:
 -b, --bytes         show output in bytes
     --kilo          show output in kilobytes
     --mega          show output in megabytes
     --giga          show output in gigabytes
 -k, --kibi          show output in kibibytes
 -m, --mebi          show output in mebibytes
 -g, --gibi          show output in gibibytes
 -h, --human         show human-readable output
 -w, --wide          wide output
 -t, --total         show total for RAM + swap

     --help     display this help and exit
 -V, --version  output version information and exit

For more details see free(1).
`;

const OLD_USAGE = 'usage: free [-b|-k|-m] [-o] [-s delay] [-t] [-V]\n';

/** Reads /proc/meminfo the way procps does: "Name:   value kB" lines. */
async function meminfo(p: Proc): Promise<Map<string, number>> {
  const text = await p.readText('/proc/meminfo');
  const values = new Map<string, number>();
  for (const m of text.matchAll(/^(\w+):\s+(\d+)/gm)) values.set(m[1]!, Number(m[2]));
  return values;
}

export function free(k: Kernel) {
  return async (p: Proc, argv: string[]): Promise<number> => {
    const modern = k.personality === 'modern';
    let shift = 10; // kibibytes
    let si = false;
    let human = false;
    let wide = false;
    let total = false;
    let old = false;
    for (const arg of argv.slice(1)) {
      const flags = arg.startsWith('--') ? [arg] : arg.startsWith('-') && arg.length > 1 ? [...arg.slice(1)].map((c) => `-${c}`) : [arg];
      for (const f of flags) {
        if (f === '-b' || f === '--bytes') shift = 0;
        else if (f === '-k' || f === '--kibi') shift = 10;
        else if (f === '-m' || f === '--mebi') shift = 20;
        else if (f === '-g' || f === '--gibi') shift = 30;
        else if (modern && (f === '--kilo' || f === '--mega' || f === '--giga')) { si = true; shift = { '--kilo': 10, '--mega': 20, '--giga': 30 }[f]; }
        else if (modern && (f === '-h' || f === '--human')) human = true;
        else if (modern && (f === '-w' || f === '--wide')) wide = true;
        else if (f === '-t' || f === '--total') total = true;
        else if (!modern && f === '-o') old = true;
        else if (modern && f === '--help') { await p.out(MODERN_USAGE); return 0; }
        else if (f === '-V' || f === '--version') { await p.out(modern ? 'free from procps-ng 4.0.4\n' : 'procps version 2.0.7\n'); return 0; }
        else if (modern) {
          await p.err(f.startsWith('--') ? `free: unrecognized option '${f}'\n` : `free: invalid option -- '${f.slice(1)}'\n`);
          await p.err(MODERN_USAGE);
          return 1;
        } else {
          await p.err(OLD_USAGE);
          return 1;
        }
      }
    }
    const m = await meminfo(p);
    const kb = (name: string) => m.get(name) ?? 0;
    const memTotal = kb('MemTotal'), memFree = kb('MemFree'), buffers = kb('Buffers'), cached = kb('Cached') + kb('SReclaimable');
    const swapTotal = kb('SwapTotal'), swapFree = kb('SwapFree'), shared = kb('Shmem');
    const scale = (kib: number) => human ? humanUnits(kib) : String(si ? Math.floor(kib * 1024 / 1000 ** (shift / 10)) : Math.floor(kib * 1024 / 2 ** shift));
    if (modern) {
      const available = kb('MemAvailable');
      const used = memTotal - available;
      const col = (values: number[]) => values.map((v, i) => (i === 0 ? scale(v).padStart(11) : ' ' + scale(v).padStart(11))).join('');
      let out = wide
        ? '               total        used        free      shared     buffers       cache   available\n'
        : '               total        used        free      shared  buff/cache   available\n';
      out += 'Mem:'.padEnd(9) + col(wide ? [memTotal, used, memFree, shared, buffers, cached, available] : [memTotal, used, memFree, shared, buffers + cached, available]) + '\n';
      out += 'Swap:'.padEnd(9) + col([swapTotal, swapTotal - swapFree, swapFree]) + '\n';
      if (total) out += 'Total:'.padEnd(9) + col([memTotal + swapTotal, used + swapTotal - swapFree, memFree + swapFree]) + '\n';
      await p.out(out);
      return 0;
    }
    const used = memTotal - memFree;
    const col = (values: number[]) => values.map((v) => ' ' + scale(v).padStart(10)).join('');
    let out = '             total       used       free     shared    buffers     cached\n';
    out += 'Mem:'.padEnd(7) + col([memTotal, used, memFree, shared, buffers, kb('Cached')]) + '\n';
    if (!old) out += '-/+ buffers/cache:' + col([used - buffers - kb('Cached'), memFree + buffers + kb('Cached')]) + '\n';
    out += 'Swap:'.padEnd(7) + col([swapTotal, swapTotal - swapFree, swapFree]) + '\n';
    if (total) out += 'Total:'.padEnd(7) + col([memTotal + swapTotal, used + swapTotal - swapFree, memFree + swapFree]) + '\n';
    await p.out(out);
    return 0;
  };
}

/** free -h: three significant characters and a unit (B, Ki, Mi, Gi), as procps-ng prints them. */
function humanUnits(kib: number): string {
  if (kib === 0) return '0B';
  const units = ['Ki', 'Mi', 'Gi', 'Ti'];
  let v = kib;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) { v /= 1024; u++; }
  return v < 10 ? `${(Math.round(v * 10) / 10).toFixed(1)}${units[u]}` : `${Math.round(v)}${units[u]}`;
}
