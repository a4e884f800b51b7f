// <linux/string.h>: the kernel's string and memory functions, over module memory; and the number
// parsers of lib/vsprintf.c and get_options(), with which setup functions and modules read numbers.
// A NULL (or wild) pointer handed to one of them faults inside it, as on the
// CPU: the modern kernel's oops names it (RIP: memcpy+0xc/0x20) above the
// caller; 2.2's were inline assembly, so its oops is in the caller itself.
import type { KapiTable, ModuleContext } from './context.js';
import { KernelFault } from '../oops.js';
import { NULL_GUARD } from '../../wasm/faults.js';
import { detectRadix, getOptions } from '../../boot/cmdline.js';

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
    ...numberParsers(m, strlen),
  };
}

/** Byte length of a string as C sees it (UTF-8). */
const cBytes = (s: string) => new TextEncoder().encode(s).length;

/**
 * simple_strtoul/simple_strtol (base 0 detects 0x and octal; *endp is where the number stopped) and
 * get_options(): 2.2's get_options(char *str, int *ints) takes at most 9 numbers into ints[1..]
 * with their count in ints[0], as the 1998 article describes, and returns where it stopped (NULL
 * when the whole text was numbers); the modern one is get_options(str, nints, ints).
 */
function numberParsers(m: ModuleContext, strlen: (p: number) => number): KapiTable {
  const text = (p: number) => m.cstring(p) ?? '';
  const parse = (cp: number, endp: number, base: number, signed: boolean): number => {
    const s = text(cp);
    let i = signed && s[0] === '-' ? 1 : 0;
    const negative = i === 1;
    let radix = base;
    if (radix === 0) ({ base: radix, start: i } = detectRadix(s, i));
    else if (radix === 16 && s[i] === '0' && /[xX]/.test(s[i + 1] ?? '')) i += 2;
    let value = 0n;
    for (; i < s.length; i++) {
      const d = Number.parseInt(s[i]!, 36);
      if (Number.isNaN(d) || d >= radix) break;
      value = value * BigInt(radix) + BigInt(d);
    }
    if (endp) m.view().setUint32(endp, cp + cBytes(s.slice(0, i)), true);
    return Number(BigInt.asIntN(32, negative ? -value : value));
  };
  const store = (ints: number, values: number[]) => values.forEach((v, i) => m.view().setInt32(ints + 4 * i, v, true));
  return {
    simple_strtoul: (cp: number, endp: number, base: number) => parse(cp, endp, base, false) >>> 0,
    simple_strtol: (cp: number, endp: number, base: number) => parse(cp, endp, base, true),
    get_options: (str: number, a: number, b?: number) => {
      const s = text(str);
      const is22 = m.kernel.personality === '2.2';
      const { ints, rest } = getOptions(s, is22 ? 10 : a);
      store(is22 ? a : b!, ints);
      if (is22 && rest === '') return 0;
      return str + strlen(str) - cBytes(rest);
    },
  };
}
