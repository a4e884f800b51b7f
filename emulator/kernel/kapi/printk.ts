// <linux/printk.h>, <linux/kernel.h>: printk and the string formatting family.
import { formatC } from '../format.js';
import type { KapiTable, ModuleContext } from './context.js';

export function printkApi(m: ModuleContext): KapiTable {
  const fmt = (f: number, va: number) => formatC(m.cstring(f) ?? '', m.varargs(va));
  const put = (buf: number, size: number, text: string): number => {
    const bytes = new TextEncoder().encode(text);
    if (size > 0) {
      const n = Math.min(bytes.length, size - 1);
      m.u8().set(bytes.subarray(0, n), buf);
      m.u8()[buf + n] = 0;
    }
    return bytes.length;
  };
  return {
    printk: (f: number, va: number) => m.kernel.printk(fmt(f, va)),
    _printk: (f: number, va: number) => m.kernel.printk(fmt(f, va)),
    vprintk: (f: number, va: number) => m.kernel.printk(fmt(f, m.view().getUint32(va, true))),
    sprintf: (buf: number, f: number, va: number) => put(buf, 0x7fffffff, fmt(f, va)),
    snprintf: (buf: number, size: number, f: number, va: number) => put(buf, size, fmt(f, va)),
    scnprintf: (buf: number, size: number, f: number, va: number) => {
      const n = put(buf, size, fmt(f, va));
      return size === 0 ? 0 : Math.min(n, size - 1);
    },
    vsnprintf: (buf: number, size: number, f: number, ap: number) => put(buf, size, fmt(f, ap)),
    panic: (f: number, va: number) => m.kernel.panic(fmt(f, va)),
  };
}
