import { describe, expect, it } from 'vitest';
import { IsaMemory, MemoryMapError, RamRegion, type MemAccess, type MemRegion } from './isa-memory.js';

function rig(): { mem: IsaMemory; errors: string[] } {
  const errors: string[] = [];
  return { mem: new IsaMemory({ onGuestError: (msg) => errors.push(msg) }), errors };
}

/** A ROM-like region with only the mandatory byte methods. */
function byteRegion(size: number): MemRegion & { bytes: Uint8Array; writes: number } {
  const bytes = new Uint8Array(size);
  const region = {
    bytes,
    writes: 0,
    read8: (offset: number) => bytes[offset] ?? 0xff,
    write8: (offset: number, value: number) => {
      region.writes++;
      bytes[offset] = value;
    },
  };
  return region;
}

describe('IsaMemory', () => {
  it('reads 0xFF per byte where nothing is mapped and drops writes there', () => {
    const { mem, errors } = rig();
    expect(mem.read8(0xd0000)).toBe(0xff);
    expect(mem.read16(0xd0000)).toBe(0xffff);
    expect(mem.read32(0xd0000)).toBe(0xffffffff);
    mem.write32(0xd0000, 0);
    expect(mem.read32(0xd0000)).toBe(0xffffffff);
    expect(errors).toEqual([]);
  });

  it('maps RAM and accesses it little-endian at 8, 16 and 32 bits', () => {
    const { mem } = rig();
    const ram = new RamRegion(0x4000);
    mem.map(0xd0000, 0x4000, ram, 'my_device');
    mem.write32(0xd2000, 0x12345678);
    expect([...ram.bytes.subarray(0x2000, 0x2004)]).toEqual([0x78, 0x56, 0x34, 0x12]);
    expect(mem.read8(0xd2000)).toBe(0x78);
    expect(mem.read16(0xd2002)).toBe(0x1234);
    expect(mem.read32(0xd2000)).toBe(0x12345678);
    mem.write16(0xd3ffe, 0xbeef);
    expect(mem.read16(0xd3ffe)).toBe(0xbeef);
    mem.write32(0xd2000, 0xfedcba98);
    expect(mem.read32(0xd2000)).toBe(0xfedcba98);
    expect(mem.owner(0xd3fff)).toBe('my_device');
    expect(mem.owner(0xd4000)).toBeUndefined();
  });

  it('a word straddling the end of a window reads the floating bus for the missing bytes', () => {
    const { mem } = rig();
    const ram = new RamRegion(new Uint8Array([1, 2, 3, 4]));
    mem.map(0xc8000, 4, ram, 'rom');
    expect(mem.read32(0xc8002)).toBe(0xffff0403);
    expect(mem.read16(0xc7fff)).toBe(0x01ff);
  });

  it('refuses overlapping windows, naming both owners', () => {
    const { mem } = rig();
    mem.map(0xd0000, 0x4000, new RamRegion(0x4000), 'my_device0');
    expect(() => mem.map(0xd2000, 0x4000, new RamRegion(0x4000), 'my_device1')).toThrow(MemoryMapError);
    expect(() => mem.map(0xd2000, 0x4000, new RamRegion(0x4000), 'my_device1')).toThrow(
      'ISA memory 0xd2000-0xd5fff of my_device1 overlaps 0xd0000-0xd3fff mapped by my_device0',
    );
    expect(() => mem.map(0xcc000, 0x4001, new RamRegion(0x4001), 'low')).toThrow('overlaps 0xd0000-0xd3fff mapped by my_device0');
    mem.map(0xd4000, 0x4000, new RamRegion(0x4000), 'my_device1');
    mem.map(0xcc000, 0x4000, new RamRegion(0x4000), 'below');
  });

  it('refuses windows outside 0xA0000-0xFFFFF and windows larger than their RAM', () => {
    const { mem } = rig();
    expect(() => mem.map(0x9f000, 0x2000, new RamRegion(0x2000), 'low')).toThrow(
      'ISA memory 0x9f000-0xa0fff of low lies outside the ISA window 0xa0000-0xfffff',
    );
    expect(() => mem.map(0xfe000, 0x4000, new RamRegion(0x4000), 'high')).toThrow(MemoryMapError);
    expect(() => mem.map(0xd0000, 0x4000, new RamRegion(0x1000), 'small')).toThrow('larger than its 4096-byte RAM');
    mem.map(0xa0000, 0x60000, new RamRegion(0x60000), 'everything');
    expect(mem.regions()).toEqual([{ base: 0xa0000, size: 0x60000, owner: 'everything' }]);
  });

  it('lists regions in address order and unmaps them', () => {
    const { mem } = rig();
    mem.map(0xd4000, 0x4000, new RamRegion(0x4000), 'my_device1');
    mem.map(0xa0000, 0x20000, new RamRegion(0x20000), 'Video RAM area');
    mem.map(0xd0000, 0x4000, new RamRegion(0x4000), 'my_device0');
    expect(mem.regions()).toEqual([
      { base: 0xa0000, size: 0x20000, owner: 'Video RAM area' },
      { base: 0xd0000, size: 0x4000, owner: 'my_device0' },
      { base: 0xd4000, size: 0x4000, owner: 'my_device1' },
    ]);
    mem.write8(0xd0000, 0x42);
    mem.unmap(0xd0000);
    expect(mem.read8(0xd0000)).toBe(0xff);
    expect(mem.regions().map((r) => r.owner)).toEqual(['Video RAM area', 'my_device1']);
    expect(() => mem.unmap(0xd0000)).toThrow('no ISA memory window is mapped at 0xd0000');
    mem.map(0xc8000, 0xc000, new RamRegion(0xc000), 'reuses the hole');
    expect(mem.owner(0xd3fff)).toBe('reuses the hole');
  });

  it('copyIn/copyOut move 4 KiB blocks through the region block methods', () => {
    const { mem } = rig();
    const ram = new RamRegion(0x4000);
    const writes: [number, number][] = [];
    ram.onWrite = (offset, length) => writes.push([offset, length]);
    mem.map(0xd0000, 0x4000, ram, 'my_device');
    const firmware = new Uint8Array(4096).map((_, i) => (i * 7) & 0xff);
    mem.copyIn(0xd1000, firmware);
    expect(writes).toEqual([[0x1000, 4096]]);
    expect(ram.bytes.subarray(0x1000, 0x2000)).toEqual(firmware);
    expect(mem.copyOut(0xd1000, 4096)).toEqual(firmware);
    expect(mem.copyOut(0xd1000, 0)).toEqual(new Uint8Array(0));
  });

  it('copies across windows and holes: holes read 0xFF and swallow writes', () => {
    const { mem } = rig();
    const a = new RamRegion(0x10);
    const b = byteRegion(0x10);
    mem.map(0xd0000, 0x10, a, 'a');
    mem.map(0xd0020, 0x10, b, 'b');
    const data = new Uint8Array(0x30).map((_, i) => i + 1);
    mem.copyIn(0xd0000, data);
    expect([...a.bytes]).toEqual([...data.subarray(0, 0x10)]);
    expect([...b.bytes]).toEqual([...data.subarray(0x20, 0x30)]);
    expect(b.writes).toBe(0x10); // no writeBlock: byte by byte
    const back = mem.copyOut(0xd0008, 0x20);
    expect([...back.subarray(0, 8)]).toEqual([...data.subarray(8, 16)]);
    expect([...back.subarray(8, 24)]).toEqual(new Array(16).fill(0xff));
    expect([...back.subarray(24, 32)]).toEqual([...data.subarray(0x20, 0x28)]);
  });

  it('copyOut returns a copy, not a view of the card RAM', () => {
    const { mem } = rig();
    const ram = new RamRegion(0x100);
    mem.map(0xd0000, 0x100, ram, 'card');
    const out = mem.copyOut(0xd0000, 4);
    ram.bytes[0] = 9;
    expect(out[0]).toBe(0);
  });

  it('logs accesses outside the ISA window as guest errors and treats them as unmapped', () => {
    const { mem, errors } = rig();
    expect(mem.read8(0x1000)).toBe(0xff);
    mem.copyIn(0xfffff, new Uint8Array(2));
    expect(errors).toEqual([
      'ISA memory access 0x01000-0x01000 is outside the ISA window 0xa0000-0xfffff',
      'ISA memory access 0xfffff-0x100000 is outside the ISA window 0xa0000-0xfffff',
    ]);
  });

  it('reports accesses to the observer', () => {
    const { mem } = rig();
    mem.map(0xd0000, 0x4000, new RamRegion(0x4000), 'my_device');
    const events: MemAccess[] = [];
    mem.onAccess = (e) => events.push(e);
    mem.write16(0xd2000, 0x0102);
    mem.read8(0xd2000);
    mem.copyIn(0xd1000, new Uint8Array(16));
    mem.copyOut(0xc0000, 4);
    expect(events).toEqual([
      { kind: 'write', addr: 0xd2000, size: 2, value: 0x0102, owner: 'my_device' },
      { kind: 'read', addr: 0xd2000, size: 1, value: 0x02, owner: 'my_device' },
      { kind: 'write', addr: 0xd1000, size: 16, owner: 'my_device' },
      { kind: 'read', addr: 0xc0000, size: 4, owner: undefined },
    ]);
  });
});
