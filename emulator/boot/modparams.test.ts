import { describe, expect, it } from 'vitest';
import { assignParams, formatModuleArgs, kstrtobool, parseModuleArgs, parseModuleParmType, type ModuleArg, type ParamDecl } from './modparams.js';

const decls: ParamDecl[] = [
  { name: 'io', type: 'int', array: { max: 4 } },
  { name: 'irq', type: 'int', array: { max: 4 } },
  { name: 'debug', type: 'bool' },
  { name: 'name', type: 'charp' },
];

function args(...words: string[]): ModuleArg[] {
  const r = parseModuleArgs(words);
  if ('error' in r) throw new Error(r.error);
  return r;
}

describe('parseModuleArgs', () => {
  it('reads back what formatModuleArgs writes, a value of blanks included (found by test/fuzz)', () => {
    for (const list of [[{ name: 'a', value: ' ' }], [{ name: 'name', value: 'a b' }, { name: 'debug', value: undefined }, { name: 'io', value: '' }]]) {
      expect(parseModuleArgs([formatModuleArgs(list)])).toEqual(list);
    }
    expect(formatModuleArgs([{ name: 'name', value: 'a b' }, { name: 'io', value: '0x200' }])).toBe('name="a b" io=0x200');
  });

  it('splits names and values, quotes allowed', () => {
    expect(args('io=0x200,0x300', 'irq=5,7', 'name="a b"', 'debug')).toEqual([
      { name: 'io', value: '0x200,0x300' }, { name: 'irq', value: '5,7' }, { name: 'name', value: 'a b' }, { name: 'debug', value: undefined }]);
    expect(parseModuleArgs(['name="a b'])).toEqual({ error: `unbalanced quote in argument 'name="a b'` });
  });
});

describe('modern', () => {
  it('assigns arrays; io=200 is decimal', () => {
    expect(assignParams(decls, args('io=200,0x300,0400', 'irq=5,7,8'), 'modern')).toEqual({ ok: true, values: { io: [200, 0x300, 0o400], irq: [5, 7, 8] }, log: [] });
  });
  it('warns about unknown parameters and goes on', () => {
    expect(assignParams(decls, args('foo=1', 'irq=5'), 'modern')).toEqual({ ok: true, values: { irq: [5] }, log: ["my_device: unknown parameter 'foo' ignored"] });
  });
  it('rejects too many values and bad numbers like params.c', () => {
    expect(assignParams(decls, args('io=1,2,3,4,5'), 'modern')).toEqual({ ok: false, error: 'insmod: ERROR: could not insert module my_device.ko: Invalid parameters',
      log: ['io: can only take 4 arguments', "my_device: `1,2,3,4,5' invalid for parameter `io'"] });
    const bad = assignParams(decls, args('io=bar', 'irq=08', 'name'), 'modern');
    expect(bad.log).toEqual(["my_device: `bar' invalid for parameter `io'", "my_device: `08' invalid for parameter `irq'", "my_device: `' invalid for parameter `name'"]);
    expect(assignParams([{ name: 'b', type: 'byte' }], args('b=256'), 'modern').ok).toBe(false);
  });
  it('accepts the bool forms', () => {
    for (const [v, want] of [['y', true], ['Y', true], ['1', true], ['on', true], ['n', false], ['N', false], ['0', false], ['off', false]] as const) {
      expect(assignParams(decls, [{ name: 'debug', value: v }], 'modern')).toMatchObject({ ok: true, values: { debug: want } });
    }
    expect(assignParams(decls, args('debug'), 'modern')).toMatchObject({ values: { debug: true } });
    expect(assignParams([{ name: 'q', type: 'invbool' }], args('q=y'), 'modern')).toMatchObject({ values: { q: false } });
    expect(kstrtobool('maybe')).toBeUndefined();
    expect(assignParams(decls, args('name=eth0', 'debug=x'), 'modern')).toMatchObject({ ok: false, log: ["my_device: `x' invalid for parameter `debug'"] });
  });
});

describe('2.2 (modutils)', () => {
  it('parses MODULE_PARM type strings', () => {
    expect(parseModuleParmType('1-4i')).toEqual({ min: 1, max: 4, type: 'int' });
    expect(parseModuleParmType('i')).toEqual({ min: 1, max: 1, type: 'int' });
    expect(parseModuleParmType('s')).toEqual({ min: 1, max: 1, type: 'charp' });
    expect(parseModuleParmType('b')).toMatchObject({ type: 'byte' });
    expect(parseModuleParmType('h')).toMatchObject({ type: 'short' });
    expect(parseModuleParmType('l')).toMatchObject({ type: 'long' });
    expect(parseModuleParmType('1-10i')).toEqual({ min: 1, max: 10, type: 'int' });
    expect(parseModuleParmType('c16')).toEqual({ min: 1, max: 1, type: 'charp', charSize: 16 });
    expect(parseModuleParmType('x')).toHaveProperty('error');
    expect(parseModuleParmType('4-1i')).toHaveProperty('error');
  });
  const d22: ParamDecl[] = [{ name: 'io', type: 'int', array: { min: 1, max: 4 } }, { name: 'irq', type: 'int', array: { min: 1, max: 4 } }];
  it('takes the article command line (decimal 200!)', () => {
    expect(assignParams(d22, args('io=200,300,400', 'irq=5,7,8'), '2.2')).toEqual({ ok: true, values: { io: [200, 300, 400], irq: [5, 7, 8] }, log: [] });
  });
  it('words it like insmod', () => {
    expect(assignParams(d22, args('foo=1'), '2.2')).toMatchObject({ ok: false, error: 'my_device.o: invalid parameter foo' });
    expect(assignParams(d22, args('io=1,2,3,4,5'), '2.2')).toMatchObject({ ok: false, error: 'my_device.o: too many values for io (max 4)' });
    expect(assignParams(d22, args('io=0x2g0'), '2.2')).toMatchObject({ ok: false, error: 'my_device.o: invalid argument syntax for io' });
    expect(assignParams(d22, args('io='), '2.2')).toMatchObject({ ok: false, error: 'my_device.o: too few values for io (min 1)' });
    expect(assignParams([{ name: 's', type: 'charp' }], args('s=abc'), '2.2')).toMatchObject({ ok: true, values: { s: 'abc' } });
    const s2 = [{ name: 's', type: 'charp', array: { max: 2 } }] as ParamDecl[];
    expect(assignParams(s2, [{ name: 's', value: '"a,b\\tc",d' }], '2.2')).toMatchObject({ ok: true, values: { s: ['a,b\tc', 'd'] } });
    expect(assignParams(s2, [{ name: 's', value: '"abc' }], '2.2')).toMatchObject({ ok: false, error: 'my_device.o: improperly terminated string argument for s' });
  });
});

describe('never throws', () => {
  it('on random argument strings', () => {
    const alphabet = 'io=0x,12-"ab yn';
    let seed = 3;
    const rnd = (n: number): number => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed % n; };
    const all: ParamDecl[] = [...decls, { name: 'a', type: 'byte', array: { max: 2 } }, { name: 'b', type: 'invbool' }, { name: 'c', type: 'hexint' }];
    for (let k = 0; k < 300; k++) {
      let s = '';
      for (let j = rnd(25); j > 0; j--) s += alphabet[rnd(alphabet.length)];
      const r = parseModuleArgs(s.split(' '));
      if (!('error' in r)) {
        assignParams(all, r, 'modern');
        assignParams(all, r, '2.2');
      }
    }
  });
});
