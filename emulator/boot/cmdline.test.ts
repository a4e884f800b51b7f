import { describe, expect, it } from 'vitest';
import { dispatchSetup, getOptions, getOptions22, parseOptions22, splitCmdline } from './cmdline.js';

describe('getOptions (lib/cmdline.c get_options)', () => {
  it('gives the article example: 8 values fit the 10-int array', () => {
    expect(getOptions('0x200,5,0x300,7,0x400,8,0x500,9', 10)).toEqual({ ints: [8, 0x200, 5, 0x300, 7, 0x400, 8, 0x500, 9], rest: '' });
    expect(getOptions('0x200,1', 10)).toEqual({ ints: [2, 0x200, 1], rest: '' });
  });
  it('stores at most nints-1 values and leaves the others in rest', () => {
    expect(getOptions('1,2,3,4,5,6,7,8,9,10,11', 10)).toEqual({ ints: [9, 1, 2, 3, 4, 5, 6, 7, 8, 9], rest: '10,11' });
  });
  it('reads hex, octal and decimal', () => {
    expect(getOptions('0x1F,010,10,-3', 10).ints).toEqual([4, 31, 8, 10, -3]);
    expect(getOptions('08', 10)).toEqual({ ints: [1, 0], rest: '8' });
  });
  it('expands ranges', () => {
    expect(getOptions('1-4,7', 10).ints).toEqual([5, 1, 2, 3, 4, 7]);
    expect(getOptions('3-3', 10).ints).toEqual([1, 3]);
    expect(getOptions('1-20', 5).ints).toEqual([4, 1, 2, 3, 4]);
    expect(getOptions('5-2', 10)).toEqual({ ints: [0], rest: '2' });
  });
  it('stops at the first non-number', () => {
    expect(getOptions('', 10)).toEqual({ ints: [0], rest: '' });
    expect(getOptions('abc', 10)).toEqual({ ints: [0], rest: 'abc' });
    expect(getOptions('1,2,foo', 10)).toEqual({ ints: [2, 1, 2], rest: 'foo' });
    expect(getOptions('1,,2', 10)).toEqual({ ints: [1, 1], rest: ',2' });
    expect(getOptions('12x', 10)).toEqual({ ints: [1, 12], rest: 'x' });
  });
  it('counts only when nints is 0', () => {
    expect(getOptions('1,2,3', 0).ints).toEqual([3]);
  });
  it('2.2 get_options returns the remainder, null when all were numbers, and takes 10', () => {
    expect(getOptions22('0x200,1')).toEqual({ ints: [2, 0x200, 1], rest: null });
    expect(getOptions22('1,2,3,4,5,6,7,8,9,10,11').ints).toHaveLength(11);
    expect(getOptions22('5,abc')).toEqual({ ints: [1, 5], rest: 'abc' });
  });
});

describe('splitCmdline (next_arg)', () => {
  it('splits on blanks and honours double quotes', () => {
    expect(splitCmdline('  ro root=301  name="a b" "x y"  ')).toEqual([
      { param: 'ro', value: undefined }, { param: 'root', value: '301' },
      { param: 'name', value: 'a b' }, { param: 'x y', value: undefined },
    ]);
  });
  it('splits name and value at the first =', () => {
    expect(splitCmdline('a=b=c')).toEqual([{ param: 'a', value: 'b=c' }]);
    expect(splitCmdline('x=')).toEqual([{ param: 'x', value: '' }]);
  });
});

describe('dispatchSetup', () => {
  const handlers = [{ name: 'my_device=', kind: 'setup22' as const }, { name: 'other=', kind: 'setup' as const }];
  it('calls the driver setup with str and ints, consumes kernel params, passes the rest to init', () => {
    const d = dispatchSetup('BOOT_IMAGE=linux ro root=301 my_device=0x200,5,0x300,7,0x400,8,0x500,9 other=x single FOO=bar panic=10 loglevel=7 quiet console=ttyS0', handlers);
    expect(d.calls[0]).toMatchObject({ kind: 'setup22', str: '0x200,5,0x300,7,0x400,8,0x500,9', ints: [8, 0x200, 5, 0x300, 7, 0x400, 8, 0x500, 9] });
    expect(d.calls[1]).toEqual({ name: 'other=', kind: 'setup', str: 'x' });
    expect(d.initArgv).toEqual(['init', 'single']);
    expect(d.initEnvp).toEqual(['HOME=/', 'TERM=linux', 'BOOT_IMAGE=linux', 'FOO=bar']);
    expect(d).toMatchObject({ root: '301', readOnly: true, panic: 10, quiet: true, loglevel: 4, bootImage: 'linux', console: ['ttyS0'] });
  });
  it('reports malformed panic= and loglevel=', () => {
    expect(dispatchSetup('panic=abc loglevel=x', []).errors).toEqual([
      "Booting kernel: `abc' invalid for parameter `panic'", "Malformed early option 'loglevel'"]);
  });
  it('passes everything after -- to init', () => {
    expect(dispatchSetup('ro -- a=b c', []).initArgv).toEqual(['init', 'a=b', 'c']);
  });
});

describe('parseOptions22 (2.2 parse_options)', () => {
  it('handles ro/rw/debug/quiet/init= itself, offers the rest to checksetup, and gives the others to init', () => {
    const offered: string[] = [];
    const o = parseOptions22('BOOT_IMAGE=linux ro root=301 my_device=0x200,5 foo=bar single "a b" debug', (w) => {
      offered.push(w);
      return w.startsWith('root=') || w.startsWith('my_device=');
    });
    expect(offered).toEqual(['BOOT_IMAGE=linux', 'root=301', 'my_device=0x200,5', 'foo=bar', 'single', '"a b"']);
    expect(o).toEqual({
      initArgv: ['init', 'single', '"a b"'], initEnvp: ['HOME=/', 'TERM=linux', 'BOOT_IMAGE=linux', 'foo=bar'],
      unknown: ['BOOT_IMAGE=linux', 'foo=bar', 'single', '"a b"'], readOnly: true, init: undefined, loglevel: 10,
    });
  });
  it('forgets the arguments before init=, and stops at the ninth argument or environment word', () => {
    expect(parseOptions22('a b init=/bin/sh c', () => false)).toMatchObject({ initArgv: ['init', 'c'], init: '/bin/sh' });
    const many = parseOptions22('1 2 3 4 5 6 7 8 9 10 x=1', () => false);
    expect(many.initArgv).toEqual(['init', '1', '2', '3', '4', '5', '6', '7', '8']);
    expect(many.initEnvp).toEqual(['HOME=/', 'TERM=linux']);
  });
});

describe('never throws', () => {
  it('on random strings', () => {
    const alphabet = '0123456789xX,-= "abc\t';
    let seed = 42;
    const rnd = (n: number): number => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed % n; };
    for (let k = 0; k < 400; k++) {
      let s = '';
      for (let j = rnd(30); j > 0; j--) s += alphabet[rnd(alphabet.length)];
      const r = getOptions(s, rnd(12));
      expect(r.ints[0]).toBeLessThanOrEqual(Math.max(r.ints.length - 1, r.ints[0] ?? 0));
      getOptions22(s);
      splitCmdline(s);
      dispatchSetup(s, [{ name: 'a=', kind: 'setup22' }]);
    }
  });
});
