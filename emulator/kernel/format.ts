// The kernel's vsnprintf (lib/vsprintf.c) over an abstract argument source, so
// printk from C (arguments in a wasm varargs buffer) and from TypeScript share
// one formatter. wasm32 is ILP32: int, long, size_t and pointers are 32-bit.

export interface FormatArgs {
  int32(): number;
  int64(): bigint;
  /** A C string argument, or undefined for NULL. */
  string(): string | undefined;
  double(): number;
}

type Length = '' | 'hh' | 'h' | 'l' | 'll' | 'z' | 't' | 'j' | 'L';

function pad(s: string, width: number, left: boolean, zero: boolean): string {
  if (s.length >= width) return s;
  if (left) return s + ' '.repeat(width - s.length);
  if (zero) {
    const sign = /^[-+ ]/.test(s) ? s[0] : '';
    const prefixMatch = /^(0x|0X)/.exec(s.slice(sign ? 1 : 0));
    const prefix = sign + (prefixMatch ? prefixMatch[0] : '');
    const body = s.slice(prefix.length);
    return prefix + '0'.repeat(width - s.length) + body;
  }
  return ' '.repeat(width - s.length) + s;
}

/** A deterministic stand-in for Linux's pointer hashing (%p prints a hash, %px the address). */
export function hashPointer(p: number): number {
  let h = (p ^ 0x5bd1e995) >>> 0;
  h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d) >>> 0;
  h = Math.imul(h ^ (h >>> 12), 0x297a2d39) >>> 0;
  return (h ^ (h >>> 15)) >>> 0;
}

export interface FormatOptions {
  /** Userland printf has no %p hashing and prints (nil) for NULL %p. */
  userland?: boolean;
}

export function formatC(fmt: string, args: FormatArgs, opts: FormatOptions = {}): string {
  let out = '';
  let i = 0;
  while (i < fmt.length) {
    const pct = fmt.indexOf('%', i);
    if (pct < 0) { out += fmt.slice(i); break; }
    out += fmt.slice(i, pct);
    i = pct + 1;
    if (fmt[i] === '%') { out += '%'; i++; continue; }
    let left = false, zero = false, plus = false, space = false, alt = false;
    for (;; i++) {
      const c = fmt[i];
      if (c === '-') left = true;
      else if (c === '0') zero = true;
      else if (c === '+') plus = true;
      else if (c === ' ') space = true;
      else if (c === '#') alt = true;
      else break;
    }
    let width = 0;
    if (fmt[i] === '*') { width = args.int32(); if (width < 0) { left = true; width = -width; } i++; }
    else while (i < fmt.length && fmt[i]! >= '0' && fmt[i]! <= '9') width = width * 10 + Number(fmt[i++]);
    let precision = -1;
    if (fmt[i] === '.') {
      i++;
      precision = 0;
      if (fmt[i] === '*') { precision = args.int32(); i++; }
      else while (i < fmt.length && fmt[i]! >= '0' && fmt[i]! <= '9') precision = precision * 10 + Number(fmt[i++]);
    }
    let len: Length = '';
    if (fmt.startsWith('hh', i)) { len = 'hh'; i += 2; }
    else if (fmt.startsWith('ll', i)) { len = 'll'; i += 2; }
    else if ('hlztjLq'.includes(fmt[i] ?? '_')) { len = (fmt[i] === 'q' ? 'll' : fmt[i]) as Length; i++; }
    const conv = fmt[i++];
    if (conv === undefined) { out += '%'; break; }
    const wide = len === 'll' || len === 'j' || len === 'L';
    switch (conv) {
      case 'd': case 'i': case 'u': case 'x': case 'X': case 'o': {
        const signed = conv === 'd' || conv === 'i';
        let v: bigint;
        if (wide) {
          const raw = args.int64();
          v = signed ? BigInt.asIntN(64, raw) : BigInt.asUintN(64, raw);
        } else {
          let raw = args.int32();
          if (len === 'h') raw = signed ? (raw << 16) >> 16 : raw & 0xffff;
          else if (len === 'hh') raw = signed ? (raw << 24) >> 24 : raw & 0xff;
          v = signed ? BigInt(raw | 0) : BigInt(raw >>> 0);
        }
        const neg = v < 0n;
        const mag = neg ? -v : v;
        let digits = conv === 'x' ? mag.toString(16) : conv === 'X' ? mag.toString(16).toUpperCase() : conv === 'o' ? mag.toString(8) : mag.toString(10);
        if (precision >= 0) { if (precision === 0 && mag === 0n) digits = ''; digits = digits.padStart(precision, '0'); }
        let prefix = neg ? '-' : signed && plus ? '+' : signed && space ? ' ' : '';
        if (alt && mag !== 0n && (conv === 'x' || conv === 'X')) prefix += conv === 'x' ? '0x' : '0X';
        if (alt && conv === 'o' && !digits.startsWith('0')) digits = '0' + digits;
        out += pad(prefix + digits, width, left, zero && precision < 0);
        break;
      }
      case 'c':
        out += pad(String.fromCharCode(args.int32() & 0xff), width, left, false);
        break;
      case 's': {
        let s = args.string();
        if (s === undefined) s = opts.userland ? '(null)' : '(null)';
        if (precision >= 0) s = s.slice(0, precision);
        out += pad(s, width, left, false);
        break;
      }
      case 'p': {
        const p = args.int32() >>> 0;
        // Extended specifiers (%pS, %px, %pK ...) consume their letters as in the kernel.
        let ext = '';
        if (!opts.userland) while (/[a-zA-Z]/.test(fmt[i] ?? '')) ext += fmt[i++];
        let s: string;
        if (opts.userland) s = p === 0 ? '(nil)' : '0x' + p.toString(16);
        else if (ext.startsWith('x')) s = p.toString(16).padStart(8, '0');
        else s = p === 0 ? '0000000000000000'.slice(0, 8) : hashPointer(p).toString(16).padStart(8, '0');
        out += pad(s, width, left, zero);
        break;
      }
      case 'f': case 'F': case 'e': case 'E': case 'g': case 'G': {
        const d = args.double();
        const p = precision < 0 ? 6 : precision;
        let s = conv === 'f' || conv === 'F' ? d.toFixed(p) : conv === 'e' || conv === 'E' ? d.toExponential(p) : String(Number(d.toPrecision(p || 1)));
        if (conv === 'e' || conv === 'E') s = s.replace(/e([+-])(\d)$/, 'e$10$2');
        if (conv === 'E' || conv === 'G') s = s.toUpperCase();
        if (plus && d >= 0) s = '+' + s;
        out += pad(s, width, left, zero);
        break;
      }
      case 'n':
        args.int32();
        break;
      default:
        out += '%' + conv;
    }
  }
  return out;
}

/** Arguments from a JavaScript array, for TypeScript callers of printk and the printf command. */
export function arrayArgs(values: (number | bigint | string | undefined)[]): FormatArgs {
  let k = 0;
  const next = () => values[k++];
  return {
    int32: () => { const v = next(); return typeof v === 'bigint' ? Number(BigInt.asIntN(32, v)) : typeof v === 'number' ? v | 0 : typeof v === 'string' ? (parseInt(v, 10) || 0) : 0; },
    int64: () => { const v = next(); return typeof v === 'bigint' ? v : typeof v === 'number' ? BigInt(Math.trunc(v)) : typeof v === 'string' ? BigInt(parseInt(v, 10) || 0) : 0n; },
    string: () => { const v = next(); return v === undefined ? undefined : String(v); },
    double: () => { const v = next(); return typeof v === 'number' ? v : Number(v ?? 0); },
  };
}
