import { describe, expect, it } from 'vitest';
import { arrayArgs, formatC } from './format.js';
import { formatTimestamp, KernelLog, parseLevel } from './printk.js';

const f = (fmt: string, ...args: (number | bigint | string | undefined)[]) => formatC(fmt, arrayArgs(args));

describe('vsnprintf', () => {
  it('formats the conversions printk supports', () => {
    expect(f('%d %i %u', -5, 7, -1)).toBe('-5 7 4294967295');
    expect(f('%x %X %lx %#x', 255, 255, 0xdead, 16)).toBe('ff FF dead 0x10');
    expect(f('%llu %lld', 1n << 40n, -3n)).toBe('1099511627776 -3');
    expect(f('%zu %zd', 13, -2)).toBe('13 -2');
    expect(f('%s|%5s|%-5s|%.2s', 'abc', 'ab', 'ab', 'xyz')).toBe('abc|   ab|ab   |xy');
    expect(f('%c%c', 72, 105)).toBe('Hi');
    expect(f('%05d|%-4d|%+d', 42, 7, 3)).toBe('00042|7   |+3');
    expect(f('100%%')).toBe('100%');
    expect(f('%s', undefined)).toBe('(null)');
  });

  it('hashes %p and prints %px raw, like Linux', () => {
    expect(f('%px', 0x1234)).toBe('00001234');
    expect(f('%p', 0x1234)).toMatch(/^[0-9a-f]{8}$/);
    expect(f('%p', 0x1234)).not.toBe('00001234');
  });
});

describe('printk', () => {
  it('understands KERN_SOH and 2.2-style <n> levels', () => {
    expect(parseLevel('\x016hello')).toEqual({ level: 6, cont: false, text: 'hello' });
    expect(parseLevel('<3>oops')).toEqual({ level: 3, cont: false, text: 'oops' });
    expect(parseLevel('plain')).toEqual({ level: undefined, cont: false, text: 'plain' });
  });

  it('stamps records with virtual time as [    s.micros]', () => {
    expect(formatTimestamp(0)).toBe('[    0.000000]');
    expect(formatTimestamp(123_456_789_000)).toBe('[  123.456789]');
  });

  it('joins continuation lines and keeps a bounded ring', () => {
    let now = 0;
    const console: string[] = [];
    const log = new KernelLog(() => now, (t) => console.push(t), 200);
    log.printk('\x016part one, ');
    log.printk('\x01cpart two\n');
    expect(log.read().map((r) => r.text)).toEqual(['part one, part two']);
    for (let i = 0; i < 50; i++) { now += 1000; log.printk(`\x016line ${i}\n`); }
    const texts = log.read().map((r) => r.text);
    expect(texts.length).toBeLessThan(20);
    expect(texts.at(-1)).toBe('line 49');
  });
});
