// <linux/ioport.h>, <asm/io.h> and <linux/io.h>: I/O port and memory regions (/proc/ioports,
// /proc/iomem), port I/O through the port bus, and memory-mapped I/O through the ISA memory hole.
//
// A module's C code addresses only its own wasm memory, so a card's shared-memory window can never
// appear inside it. I/O memory is reached through readb()/writeb()/memcpy_toio() and friends, which
// translate the address they are given back to a bus address, as i386 Linux defines them:
// * PAGE_OFFSET + bus address, for the ISA hole 0xA0000-0xFFFFF: what ioremap() returns there on
//   i386 (it is "always mapped", so __ioremap() just returns phys_to_virt()), in both personalities.
// * On 2.2 also the bare bus address, as the article uses it: 2.2's __io_virt() turns 0xD0000 into
//   the same kernel address.
// * Any other ioremap(): a cookie in the i386 vmalloc area (0xf8000000 up).
// These addresses lie far above the module's memory (at most 64 MiB) and are never backed, so a plain
// C dereference of an ioremap() result traps instead of reaching the card. On a real PC it would
// often work by accident; the accessors are the portable way and the only one here.
// A bus access also costs virtual time (an ISA cycle), so a driver polling a register in a loop lets
// the card and the timers move on.
import type { KapiTable, ModuleContext } from './context.js';
import { MODERN_IO } from './layout.js';
import { ISA_WINDOW_BASE, ISA_WINDOW_END } from '../../hw/isa-memory.js';
import type { ResourceTree } from '../resources.js';
import { EBUSY } from '../errno.js';
import { warn } from '../irq.js';
import type { PortSize } from '../../hw/ioport-bus.js';

/** An 8-bit ISA I/O cycle (IN/OUT), about 1 us on an 8 MHz bus. */
export const ISA_IO_CYCLE_NS = 1000;
/** One byte of ISA memory cycle on an 8-bit card. */
export const ISA_MEM_CYCLE_NS = 500;
/** The _p variants' pause: a dummy write to port 0x80 (slow_down_io). */
const IO_DELAY_NS = 1000;
const PAGE_OFFSET = 0xc0000000;
const VMALLOC_START = 0xf8000000;
const PAGE_SIZE = 4096;

export const IORESOURCE_IO = 0x00000100;
export const IORESOURCE_MEM = 0x00000200;
export const IORESOURCE_BUSY = 0x80000000;
const R = MODERN_IO.resource;

/** A readb() of an address that is no I/O memory: on Linux a page fault in kernel mode, here the module's oops. */
export class IoMemoryFault extends Error {
  constructor(what: string, addr: number, hint: string) {
    super(`${what}(0x${(addr >>> 0).toString(16).padStart(8, '0')}): not an I/O memory address (${hint})`);
    this.name = 'IoMemoryFault';
  }
}

interface Mapping { virt: number; phys: number; size: number }

export function ioApi(m: ModuleContext): KapiTable {
  const k = m.kernel;
  const is22 = k.personality === '2.2';

  // ---- port I/O ------------------------------------------------------------------------------------
  // inb/inw/inl and outb/outw/outl are separate functions, as Linux's BUILDIO macro makes them, not
  // closures of one factory: closures of one function literal share V8's type feedback and
  // optimised code, so the hottest imports a driver calls (a polling loop) would all be as slow
  // as the most general of them.
  const bus = k.bus;
  const inb = (port: number): number => { k.charge(ISA_IO_CYCLE_NS); return bus.read(port & 0xffff, 1); };
  const inw = (port: number): number => { k.charge(ISA_IO_CYCLE_NS); return bus.read(port & 0xffff, 2); };
  const inl = (port: number): number => { k.charge(ISA_IO_CYCLE_NS); return bus.read(port & 0xffff, 4); };
  const outb = (value: number, port: number): void => { bus.write(port & 0xffff, value >>> 0, 1); k.charge(ISA_IO_CYCLE_NS); };
  const outw = (value: number, port: number): void => { bus.write(port & 0xffff, value >>> 0, 2); k.charge(ISA_IO_CYCLE_NS); };
  const outl = (value: number, port: number): void => { bus.write(port & 0xffff, value >>> 0, 4); k.charge(ISA_IO_CYCLE_NS); };
  const pin = (size: PortSize) => (port: number): number => {
    k.charge(ISA_IO_CYCLE_NS + IO_DELAY_NS);
    return bus.read(port & 0xffff, size);
  };
  const pout = (size: PortSize) => (value: number, port: number): void => {
    bus.write(port & 0xffff, value >>> 0, size);
    k.charge(ISA_IO_CYCLE_NS + IO_DELAY_NS);
  };
  /** insb/insw/insl: `count` items from one port into module memory (REP INS). */
  const ins = (size: PortSize) => (port: number, addr: number, count: number): void => {
    count >>>= 0;
    checkKernelBuffer(m, addr, count * size);
    const v = m.view();
    for (let i = 0; i < count; i++) {
      const x = k.bus.read(port & 0xffff, size);
      if (size === 1) v.setUint8(addr + i, x); else if (size === 2) v.setUint16(addr + 2 * i, x, true); else v.setUint32(addr + 4 * i, x, true);
    }
    k.charge(count * ISA_IO_CYCLE_NS);
  };
  const outs = (size: PortSize) => (port: number, addr: number, count: number): void => {
    count >>>= 0;
    checkKernelBuffer(m, addr, count * size);
    const v = m.view();
    for (let i = 0; i < count; i++) {
      const x = size === 1 ? v.getUint8(addr + i) : size === 2 ? v.getUint16(addr + 2 * i, true) : v.getUint32(addr + 4 * i, true);
      k.bus.write(port & 0xffff, x, size);
    }
    k.charge(count * ISA_IO_CYCLE_NS);
  };

  // ---- regions ---------------------------------------------------------------------------------------
  /** ioport_resource and iomem_resource as seen from this module (struct resource in its memory). */
  const roots: { io: number; mem: number } = { io: 0, mem: 0 };
  const rootStruct = (mem: boolean): number => {
    const key = mem ? 'mem' : 'io';
    if (!roots[key]) {
      const tree = mem ? k.iomem : k.ioports;
      const p = m.heap.alloc(R.size, true, 'kernel');
      const v = m.view();
      v.setUint32(p + R.start, tree.root.start, true);
      v.setUint32(p + R.end, tree.root.end, true);
      v.setUint32(p + R.name, m.allocString(tree.root.name), true);
      v.setUint32(p + R.flags, mem ? IORESOURCE_MEM : IORESOURCE_IO, true);
      roots[key] = p;
    }
    return roots[key];
  };
  /** struct resource of each region this module holds, by tree and start/size. */
  const held = new Map<string, number>();
  const regionKey = (mem: boolean, start: number, n: number) => `${mem ? 'mem' : 'io'}:${start}+${n}`;
  const kind = (mem: boolean) => (mem ? 'I/O memory region' : 'I/O port region');

  /** __request_region(): the claimed region as a struct resource, or NULL when any part is taken. */
  const request = (mem: boolean, start: number, n: number, namePtr: number, flags: number): number => {
    start >>>= 0; n >>>= 0;
    const tree = mem ? k.iomem : k.ioports;
    const name = m.cstring(namePtr) ?? '';
    if (!tree.request(start, n, name, m.name)) return 0;
    const p = m.heap.alloc(R.size, true, 'kernel');
    const v = m.view();
    v.setUint32(p + R.start, start, true);
    v.setUint32(p + R.end, start + n - 1, true);
    v.setUint32(p + R.name, namePtr, true);
    v.setUint32(p + R.flags, ((mem ? IORESOURCE_MEM : IORESOURCE_IO) | IORESOURCE_BUSY | (flags >>> 0)) >>> 0, true);
    v.setUint32(p + R.parent, rootStruct(mem), true);
    const key = regionKey(mem, start, n);
    held.set(key, p);
    m.track(kind(mem), key, () => { tree.release(start, n); held.delete(key); });
    return p;
  };
  /** __release_region(): a region nobody holds is Linux's "Trying to free nonexistent resource". */
  const release = (mem: boolean, start: number, n: number, quiet: boolean): void => {
    start >>>= 0; n >>>= 0;
    const tree: ResourceTree = mem ? k.iomem : k.ioports;
    if (!tree.release(start, n)) {
      if (!quiet) k.printk(`\x014Trying to free nonexistent resource <${pa(start)}-${pa(start + n - 1)}>\n`);
      return;
    }
    const key = regionKey(mem, start, n);
    const p = held.get(key);
    if (p !== undefined) { m.heap.free(p); held.delete(key); }
    m.untrack(kind(mem), key);
  };
  const isMemRoot = (parent: number) => parent !== 0 && parent === roots.mem;

  // ---- memory-mapped I/O --------------------------------------------------------------------------------
  const mappings = new Map<number, Mapping>();
  let nextCookie = VMALLOC_START;
  const isaVirt = (addr: number, len: number) => addr >= PAGE_OFFSET + ISA_WINDOW_BASE && addr + len <= PAGE_OFFSET + ISA_WINDOW_END;
  /** The bus address behind an I/O memory address of this module, or an oops. */
  const busAddress = (what: string, addr: number, len: number): number => {
    addr >>>= 0;
    if (isaVirt(addr, len)) return addr - PAGE_OFFSET;
    if (is22 && addr >= ISA_WINDOW_BASE && addr + len <= ISA_WINDOW_END) return addr;
    for (const map of mappings.values()) {
      if (addr >= map.virt && addr + len <= map.virt + map.size) return map.phys + (addr - map.virt);
    }
    throw new IoMemoryFault(what, addr, is22 ? 'ISA memory is 0xa0000-0xfffff' : 'use the address ioremap() returned');
  };
  const ioremap = (phys: number, size: number): number => {
    phys >>>= 0; size >>>= 0;
    if (size === 0 || phys + size - 1 > 0xffffffff) return 0;
    // "Don't remap the low PCI/ISA area, it's always mapped.."
    if (phys >= ISA_WINDOW_BASE && phys + size <= ISA_WINDOW_END) return PAGE_OFFSET + phys;
    const offset = phys & (PAGE_SIZE - 1);
    const pages = Math.ceil((offset + size) / PAGE_SIZE);
    const virt = nextCookie + offset;
    nextCookie += (pages + 1) * PAGE_SIZE; // plus a guard page, as vmap leaves
    mappings.set(virt, { virt, phys, size });
    m.track('ioremap() mapping', String(virt), () => mappings.delete(virt));
    return virt;
  };
  const iounmap = (addr: number): void => {
    addr >>>= 0;
    if (isaVirt(addr, 1) || (is22 && addr >= ISA_WINDOW_BASE && addr < ISA_WINDOW_END)) return;
    if (!mappings.delete(addr)) {
      if (is22) return;
      warn(k, `iounmap: bad address ${addr.toString(16).padStart(8, '0')}`, 'arch/x86/mm/ioremap.c:468 iounmap');
      return;
    }
    m.untrack('ioremap() mapping', String(addr));
  };
  const read = (size: 1 | 2 | 4, what: string) => (addr: number): number => {
    const bus = busAddress(what, addr, size);
    k.charge(size * ISA_MEM_CYCLE_NS);
    return size === 1 ? k.isa.read8(bus) : size === 2 ? k.isa.read16(bus) : k.isa.read32(bus);
  };
  const write = (size: 1 | 2 | 4, what: string) => (value: number, addr: number): void => {
    const bus = busAddress(what, addr, size);
    if (size === 1) k.isa.write8(bus, value); else if (size === 2) k.isa.write16(bus, value); else k.isa.write32(bus, value);
    k.charge(size * ISA_MEM_CYCLE_NS);
  };

  return {
    inb, inw, inl, outb, outw, outl,
    inb_p: pin(1), inw_p: pin(2), inl_p: pin(4),
    outb_p: pout(1), outw_p: pout(2), outl_p: pout(4),
    insb: ins(1), insw: ins(2), insl: ins(4),
    outsb: outs(1), outsw: outs(2), outsl: outs(4),

    // 2.2 (kernel/resource.c of 2.2): ports only; request_region() of a taken range silently does
    // nothing and release_region() of an unknown one too, which is why drivers call check_region() first.
    check_region: (from: number, extent: number) => (k.ioports.isFree(from >>> 0, extent >>> 0) ? 0 : -EBUSY),
    request_region: (from: number, extent: number, name: number) => { request(false, from, extent, name, 0); },
    release_region: (from: number, extent: number) => { release(false, from, extent, true); },
    // Modern: the macros of <linux/ioport.h> pass &ioport_resource or &iomem_resource.
    __dl_resource_root: (which: number) => rootStruct(which === 1),
    __request_region: (parent: number, start: number, n: number, name: number, flags: number) => request(isMemRoot(parent), start, n, name, flags),
    __release_region: (parent: number, start: number, n: number) => { release(isMemRoot(parent), start, n, false); },

    ioremap, ioremap_uc: ioremap, ioremap_wc: ioremap, ioremap_cache: ioremap, ioremap_nocache: ioremap,
    iounmap,
    readb: read(1, 'readb'), readw: read(2, 'readw'), readl: read(4, 'readl'),
    writeb: write(1, 'writeb'), writew: write(2, 'writew'), writel: write(4, 'writel'),
    ioread8: read(1, 'ioread8'), ioread16: read(2, 'ioread16'), ioread32: read(4, 'ioread32'),
    iowrite8: write(1, 'iowrite8'), iowrite16: write(2, 'iowrite16'), iowrite32: write(4, 'iowrite32'),
    memcpy_toio: (dst: number, src: number, n: number) => {
      n >>>= 0;
      const bus = busAddress('memcpy_toio', dst, n);
      checkKernelBuffer(m, src, n);
      k.isa.copyIn(bus, m.u8().slice(src, src + n));
      k.charge(n * ISA_MEM_CYCLE_NS);
    },
    memcpy_fromio: (dst: number, src: number, n: number) => {
      n >>>= 0;
      const bus = busAddress('memcpy_fromio', src, n);
      checkKernelBuffer(m, dst, n);
      m.u8().set(k.isa.copyOut(bus, n), dst);
      k.charge(n * ISA_MEM_CYCLE_NS);
    },
    memset_io: (dst: number, c: number, n: number) => {
      n >>>= 0;
      k.isa.copyIn(busAddress('memset_io', dst, n), new Uint8Array(n).fill(c & 0xff));
      k.charge(n * ISA_MEM_CYCLE_NS);
    },
  };
}

/** The kernel-memory side of a string or block transfer must be module memory; anything else traps like a bad pointer. */
function checkKernelBuffer(m: ModuleContext, addr: number, len: number): void {
  if ((addr >>> 0) + len > m.u8().length) {
    throw new RangeError(`kernel buffer 0x${(addr >>> 0).toString(16).padStart(8, '0')} (+${len}) is outside the module's memory`);
  }
}

/** %pa of a 64-bit phys_addr_t. */
function pa(addr: number): string {
  return '0x' + addr.toString(16).padStart(16, '0');
}
