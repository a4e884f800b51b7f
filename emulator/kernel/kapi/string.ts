// <linux/string.h>: the kernel's string and memory functions, over module memory.
// A NULL (or wild) pointer handed to one of them faults inside it, as on the
// CPU: the modern kernel's oops names it (RIP: memcpy+0xc/0x20) above the
// caller; 2.2's were inline assembly, so its oops is in the caller itself.
import type { KapiTable, ModuleContext } from './context.js';
import { KernelFault } from '../oops.js';
import { NULL_GUARD } from '../../wasm/faults.js';

export function stringApi(m: ModuleContext): KapiTable {
  const inline = m.kernel.personality === '2.2';
  /** `fn` touches [addr, addr + len) of module memory: outside it, the CPU faults there. */
  const touch = (fn: string, addr: number, len: number, write: boolean): void => {
    if (len <= 0) return;
    addr >>>= 0;
    const end = m.memory().buffer.byteLength;
    if (addr >= NULL_GUARD && addr + len <= end) return;
    throw new KernelFault({ kind: 'page', address: addr < NULL_GUARD ? addr : Math.max(addr, end), write }, undefined, undefined,
      inline ? [] : [{ kind: 'kernel', name: fn, offset: 0xc }]);
  };
  const strlen = (p: number, fn = 'strlen') => {
    touch(fn, p, 1, false);
    const u = m.u8();
    let e = p;
    while (u[e]) e++;
    touch(fn, p, e - p + 1, false);
    return e - p;
  };
  return {
    memcpy: (d: number, s: number, n: number) => { touch('memcpy', s, n, false); touch('memcpy', d, n, true); m.u8().copyWithin(d, s, s + n); return d; },
    memmove: (d: number, s: number, n: number) => { touch('memmove', s, n, false); touch('memmove', d, n, true); m.u8().copyWithin(d, s, s + n); return d; },
    memset: (d: number, c: number, n: number) => { touch('memset', d, n, true); m.u8().fill(c & 0xff, d, d + n); return d; },
    memcmp: (a: number, b: number, n: number) => {
      touch('memcmp', a, n, false);
      touch('memcmp', b, n, false);
      const u = m.u8();
      for (let i = 0; i < n; i++) { const x = u[a + i]! - u[b + i]!; if (x) return x; }
      return 0;
    },
    strlen: (p: number) => strlen(p),
    strnlen: (p: number, max: number) => {
      touch('strnlen', p, max > 0 ? 1 : 0, false);
      const u = m.u8(); let n = 0; while (n < max && u[p + n]) n++; return n;
    },
    strcmp: (a: number, b: number) => {
      touch('strcmp', a, 1, false);
      touch('strcmp', b, 1, false);
      const u = m.u8();
      for (let i = 0; ; i++) { const x = u[a + i]!, y = u[b + i]!; if (x !== y) return x - y; if (!x) return 0; }
    },
    strncmp: (a: number, b: number, n: number) => {
      touch('strncmp', a, n > 0 ? 1 : 0, false);
      touch('strncmp', b, n > 0 ? 1 : 0, false);
      const u = m.u8();
      for (let i = 0; i < n; i++) { const x = u[a + i]!, y = u[b + i]!; if (x !== y) return x - y; if (!x) return 0; }
      return 0;
    },
    strcpy: (d: number, s: number) => { const n = strlen(s, 'strcpy'); touch('strcpy', d, n + 1, true); m.u8().copyWithin(d, s, s + n + 1); return d; },
    strncpy: (d: number, s: number, n: number) => {
      touch('strncpy', s, n > 0 ? 1 : 0, false);
      touch('strncpy', d, n, true);
      const u = m.u8();
      let i = 0;
      for (; i < n && u[s + i]; i++) u[d + i] = u[s + i]!;
      for (; i < n; i++) u[d + i] = 0;
      return d;
    },
    strscpy: (d: number, s: number, n: number) => {
      if (n === 0) return -7;
      const len = strlen(s, 'strscpy');
      const c = Math.min(len, n - 1);
      touch('strscpy', d, c + 1, true);
      m.u8().copyWithin(d, s, s + c);
      m.u8()[d + c] = 0;
      return len >= n ? -7 : c;
    },
    strcat: (d: number, s: number) => {
      const dl = strlen(d, 'strcat');
      const n = strlen(s, 'strcat');
      touch('strcat', d + dl, n + 1, true);
      m.u8().copyWithin(d + dl, s, s + n + 1);
      return d;
    },
    strchr: (p: number, c: number) => { touch('strchr', p, 1, false); const u = m.u8(); for (let i = p; ; i++) { if (u[i] === (c & 0xff)) return i; if (!u[i]) return 0; } },
    strrchr: (p: number, c: number) => { touch('strrchr', p, 1, false); const u = m.u8(); let last = 0; for (let i = p; ; i++) { if (u[i] === (c & 0xff)) last = i; if (!u[i]) return last; } },
  };
}
