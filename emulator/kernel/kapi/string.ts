// <linux/string.h>: the kernel's string and memory functions, over module memory.
import type { KapiTable, ModuleContext } from './context.js';

export function stringApi(m: ModuleContext): KapiTable {
  const strlen = (p: number) => { const u = m.u8(); let e = p; while (u[e]) e++; return e - p; };
  return {
    memcpy: (d: number, s: number, n: number) => { m.u8().copyWithin(d, s, s + n); return d; },
    memmove: (d: number, s: number, n: number) => { m.u8().copyWithin(d, s, s + n); return d; },
    memset: (d: number, c: number, n: number) => { m.u8().fill(c & 0xff, d, d + n); return d; },
    memcmp: (a: number, b: number, n: number) => {
      const u = m.u8();
      for (let i = 0; i < n; i++) { const x = u[a + i]! - u[b + i]!; if (x) return x; }
      return 0;
    },
    strlen,
    strnlen: (p: number, max: number) => { const u = m.u8(); let n = 0; while (n < max && u[p + n]) n++; return n; },
    strcmp: (a: number, b: number) => {
      const u = m.u8();
      for (let i = 0; ; i++) { const x = u[a + i]!, y = u[b + i]!; if (x !== y) return x - y; if (!x) return 0; }
    },
    strncmp: (a: number, b: number, n: number) => {
      const u = m.u8();
      for (let i = 0; i < n; i++) { const x = u[a + i]!, y = u[b + i]!; if (x !== y) return x - y; if (!x) return 0; }
      return 0;
    },
    strcpy: (d: number, s: number) => { const n = strlen(s); m.u8().copyWithin(d, s, s + n + 1); return d; },
    strncpy: (d: number, s: number, n: number) => {
      const u = m.u8();
      let i = 0;
      for (; i < n && u[s + i]; i++) u[d + i] = u[s + i]!;
      for (; i < n; i++) u[d + i] = 0;
      return d;
    },
    strscpy: (d: number, s: number, n: number) => {
      if (n === 0) return -7;
      const len = strlen(s);
      const c = Math.min(len, n - 1);
      m.u8().copyWithin(d, s, s + c);
      m.u8()[d + c] = 0;
      return len >= n ? -7 : c;
    },
    strcat: (d: number, s: number) => { const dl = strlen(d); const n = strlen(s); m.u8().copyWithin(d + dl, s, s + n + 1); return d; },
    strchr: (p: number, c: number) => { const u = m.u8(); for (let i = p; ; i++) { if (u[i] === (c & 0xff)) return i; if (!u[i]) return 0; } },
    strrchr: (p: number, c: number) => { const u = m.u8(); let last = 0; for (let i = p; ; i++) { if (u[i] === (c & 0xff)) last = i; if (!u[i]) return last; } },
  };
}
