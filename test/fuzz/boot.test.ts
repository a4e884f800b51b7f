// Fuzzing the boot path's parsers: the kernel command line and get_options(), insmod's module
// parameters, lilo.conf and LILO's boot prompt, and what the BIOS and LILO read from the disk
// (the boot record and the kernel images) after a learner has written over it.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { dispatchSetup, getOptions, getOptions22, joinWord, kstrtoint, parseOptions22, splitCmdline, splitOptions22, type CmdlineWord } from '../../emulator/boot/cmdline.js';
import { assignParams, formatModuleArgs, parseModuleArgs, parseModuleParmType, type ParamDecl, type ParamType } from '../../emulator/boot/modparams.js';
import { bootPrompt, parseLiloConf, runLilo } from '../../emulator/boot/lilo.js';
import { decodeBootRecord, encodeBootRecord } from '../../emulator/boot/boot-record.js';
import { buildKernelImage, parseKernelImage } from '../../emulator/boot/kernel-image.js';
import { defaultLiloConf } from '../../emulator/boot/installed.js';
import { applyMutation, bounded, check, isClearMessage, mutation, soup } from './harness.js';

const CMDLINE_FRAGMENTS = [
  ' ', '  ', '\t', '"', '=', ',', '-', '--', '0', '1', '7', '0x', '0x300', '077', '-5', '99999999999999999999', 'my_device=', 'root=',
  '/dev/hda1', 'ro', 'rw', 'quiet', 'debug', 'init=', '/bin/sh', 'console=', 'ttyS0', 'panic=', 'oops=', 'panic', 'loglevel=',
  'BOOT_IMAGE=', 'linux', 'a', 'b', 'x', 'ä', '\n',
];
const cmdline = soup(CMDLINE_FRAGMENTS, 30);

const HANDLERS = [
  { name: 'my_device=', kind: 'setup22' as const },
  { name: 'ether=', kind: 'setup22' as const },
  { name: 'foo=', kind: 'setup' as const },
  { name: 'nosmp', kind: 'setup' as const },
];

describe('the kernel command line', () => {
  it('splits any text into words, as next_arg() does, and hands every word on', () => {
    check(fc.property(cmdline, (text) => {
      const words = bounded(`splitCmdline(${JSON.stringify(text)})`, () => splitCmdline(text));
      for (const w of words) {
        expect(typeof w.param).toBe('string');
        expect(w.value === undefined || typeof w.value === 'string').toBe(true);
      }
      // No word is invented: every non-blank character of the line is in a word or is a quote/separator.
      const letters = (s: string) => s.replace(/[\s"=]/g, '');
      expect(letters(words.map(joinWord).join(''))).toBe(letters(text));
    }), 400);
  });

  it('gives back the words it was given, quoted where they hold spaces (round trip)', () => {
    const param = fc.stringMatching(/^[A-Za-z0-9_.,:/-]{1,12}$/);
    const value = fc.stringMatching(/^[A-Za-z0-9_.,:/= -]{0,12}$/);
    const word: fc.Arbitrary<CmdlineWord> = fc.record({ param, value: fc.option(value, { nil: undefined }) });
    // The printer a boot loader or a test writes: name="value with spaces".
    const print = (w: CmdlineWord) => (w.value === undefined ? w.param : /\s/.test(w.value) || w.value === '' ? `${w.param}="${w.value}"` : `${w.param}=${w.value}`);
    check(fc.property(fc.array(word, { maxLength: 8 }), fc.constantFrom(' ', '  ', '\t'), (words, sep) => {
      const text = words.map(print).join(sep);
      expect(splitCmdline(text)).toEqual(words);
      expect(splitCmdline(splitCmdline(text).map(print).join(' '))).toEqual(words);
    }), 300);
  });

  it('get_options() stores at most nints-1 values and returns where it stopped', () => {
    const options = soup(['1', '2', '0x1f', '017', '-', ',', '-3', '5-9', '0-100000', '2147483647', '-2147483648', '4294967296', 'x', ' ', '9-2', ',,'], 16);
    check(fc.property(options, fc.integer({ min: 0, max: 12 }), (str, nints) => {
      const r = bounded(`getOptions(${JSON.stringify(str)}, ${nints})`, () => getOptions(str, nints));
      const count = r.ints[0]!;
      expect(Number.isInteger(count) && count >= 0).toBe(true);
      if (nints > 0) {
        expect(count).toBeLessThanOrEqual(nints - 1);
        expect(r.ints.length).toBe(count + 1);
        for (const v of r.ints) expect(v).toBe(v | 0);
      }
      expect(str.endsWith(r.rest)).toBe(true);
      const old = getOptions22(str);
      expect(old.ints[0]).toBe(old.ints.length - 1);
      expect(old.ints.length).toBeLessThanOrEqual(11);
    }), 400);
  });

  it('kstrtoint accepts exactly the numbers that fit, and says EINVAL or ERANGE otherwise', () => {
    const numeric = soup(['0', '1', '9', '0x', 'f', 'F', '7', '-', '+', '\n', ' ', '4294967295', '2147483648', '00', 'z'], 8);
    check(fc.property(numeric, fc.constantFrom(8, 16, 32), fc.boolean(), (s, bits, signed) => {
      const r = kstrtoint(s, bits, signed);
      if (r.ok) {
        const min = signed ? -(2 ** (bits - 1)) : 0;
        const max = signed ? 2 ** (bits - 1) - 1 : 2 ** bits - 1;
        expect(r.value).toBeGreaterThanOrEqual(min);
        expect(r.value).toBeLessThanOrEqual(max);
        // A decimal number means what it says.
        if (/^[+-]?[1-9][0-9]*\n?$/.test(s)) expect(r.value).toBe(Number(s.trim()));
      } else {
        expect(['EINVAL', 'ERANGE']).toContain(r.error);
      }
    }), 400);
  });

  it('dispatches any command line to setup functions and init without throwing', () => {
    check(fc.property(cmdline, (text) => {
      const d = bounded(`dispatchSetup(${JSON.stringify(text)})`, () => dispatchSetup(text, HANDLERS));
      for (const e of d.errors) expect(isClearMessage(e)).toBe(true);
      expect(d.initArgv[0]).toBe('init');
      expect(d.initArgv.length).toBeLessThanOrEqual(33);
      for (const c of d.calls) if (c.kind === 'setup22') expect(c.ints.length).toBe(c.ints[0]! + 1);
      const old = bounded('parseOptions22', () => parseOptions22(text, (w) => w.startsWith('my_device=')));
      expect(old.initArgv[0]).toBe('init');
      const words22 = splitOptions22(text);
      expect(words22.every((w) => w !== '')).toBe(true);
      expect(words22.join('').replace(/ /g, '')).toBe(text.replace(/ /g, ''));
    }), 400);
  });
});

const PARAM_TYPES: ParamType[] = ['byte', 'short', 'ushort', 'int', 'uint', 'long', 'ulong', 'charp', 'bool', 'invbool', 'hexint'];
const LIMITS: Partial<Record<ParamType, [number, number]>> = {
  byte: [0, 255], short: [-32768, 32767], ushort: [0, 65535], int: [-(2 ** 31), 2 ** 31 - 1], uint: [0, 2 ** 32 - 1],
  long: [-(2 ** 31), 2 ** 31 - 1], ulong: [0, 2 ** 32 - 1], hexint: [0, 2 ** 32 - 1],
};

const paramDecl: fc.Arbitrary<ParamDecl> = fc.record({
  name: fc.constantFrom('io', 'irq', 'name', 'debug', 'buf_size', 'my-opt'),
  type: fc.constantFrom(...PARAM_TYPES),
  array: fc.option(fc.record({ max: fc.integer({ min: 1, max: 8 }), min: fc.option(fc.integer({ min: 0, max: 3 }), { nil: undefined }) }), { nil: undefined }),
});

const moduleArg = soup(['io', 'irq', 'name', 'debug', 'my_opt', 'my-opt', '=', ',', '0x200', '0x300', '5', '-1', '077', '"', '\\"', '\\', 'y', 'n', 'on', 'off', ' ', 'x', '99999999999'], 10);

describe('insmod parameters', () => {
  it('assigns any arguments to any declarations, within each type, or refuses them with a message', () => {
    check(fc.property(fc.uniqueArray(paramDecl, { selector: (d) => d.name, maxLength: 4 }), fc.array(moduleArg, { maxLength: 4 }), fc.constantFrom('modern' as const, '2.2' as const), (decls, argv, personality) => {
      const args = bounded('parseModuleArgs', () => parseModuleArgs(argv));
      if ('error' in args) { expect(isClearMessage(args.error)).toBe(true); return; }
      const r = bounded('assignParams', () => assignParams(decls, args, personality));
      for (const line of r.log) expect(isClearMessage(line)).toBe(true);
      if (!r.ok) { expect(isClearMessage(r.error)).toBe(true); return; }
      for (const [name, value] of Object.entries(r.values)) {
        const decl = decls.find((d) => d.name === name)!;
        const values = Array.isArray(value) ? value : [value];
        if (decl.array) expect(values.length).toBeLessThanOrEqual(decl.array.max);
        for (const v of values) {
          const lim = LIMITS[decl.type];
          if (lim) {
            expect(Number.isInteger(v)).toBe(true);
            expect(v as number).toBeGreaterThanOrEqual(lim[0]);
            expect(v as number).toBeLessThanOrEqual(lim[1]);
          } else if (decl.type === 'charp') expect(typeof v).toBe('string');
          else expect(typeof v).toBe('boolean');
        }
      }
    }), 500);
  });

  it('reads back the arguments it formats (round trip), spaces and quotes included', () => {
    const name = fc.stringMatching(/^[a-z_][a-z0-9_]{0,8}$/);
    const value = fc.stringMatching(/^[a-z0-9 ,.=-]{0,10}$/);
    check(fc.property(fc.array(fc.record({ name, value: fc.option(value, { nil: undefined }) }), { maxLength: 5 }), (args) => {
      const text = formatModuleArgs(args);
      const back = parseModuleArgs([text]);
      expect(back).toEqual(args);
    }), 300);
  });

  it('parses any MODULE_PARM type string or names what is wrong with it', () => {
    check(fc.property(soup(['1', '4', '-', 'b', 'h', 'i', 'l', 's', 'c', '16', '0', 'x', '10'], 6), (spec) => {
      const r = bounded('parseModuleParmType', () => parseModuleParmType(spec));
      if ('error' in r) expect(isClearMessage(r.error)).toBe(true);
      else expect(r.min).toBeLessThanOrEqual(r.max);
    }), 300);
  });
});

const LILO_FRAGMENTS = [
  'boot', '=', '/dev/hda', 'map', '/boot/map', 'install', 'prompt', 'timeout', '50', 'default', 'image', '/boot/vmlinuz', 'label',
  'linux', 'alias', 'root', '/dev/hda1', 'read-only', 'read-write', 'append', '"', '\\"', '\\', '\n', ' ', '\t', '#', 'other', '/dev/hda2',
  'my_device=0x300,7', 'lba32', 'compact', 'message', 'x', 'LINUX', '\r', '\\\n',
];

describe('lilo.conf', () => {
  it('parses any text or stops at its first error with "Fatal: ... at or above line N"', () => {
    check(fc.property(soup(LILO_FRAGMENTS, 50), (text) => {
      const r = bounded(`parseLiloConf(${JSON.stringify(text)})`, () => parseLiloConf(text));
      if (!r.ok) {
        expect(r.errors.length).toBe(1);
        expect(isClearMessage(r.errors[0]!.message)).toBe(true);
        expect(r.errors[0]!.message).toMatch(/^Fatal: /);
        return;
      }
      const run = bounded('runLilo', () => runLilo(r.config, (p) => p.startsWith('/boot/')));
      if (run.status !== 0) { expect(isClearMessage(run.output)).toBe(true); return; }
      for (const typed of ['', 'linux', 'LINUX my_device=0x300,7', 'nope', '  linux  ro  ', 'other']) {
        const choice = bounded('bootPrompt', () => bootPrompt(run.bootTable!, typed));
        if (!choice.ok) expect(choice.message).toBe('No such image. [Tab] shows a list.');
      }
    }), 500);
  });

  it('reads back a configuration written from parts (round trip), the installed one included', () => {
    const quote = (s: string) => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
    const value = fc.stringMatching(/^[A-Za-z0-9_./,=-]{1,12}$/);
    // An unquoted '=' is a token of its own in lilo.conf (cfg.c): such a value must be quoted.
    const printed = (v: string) => (v.includes('=') ? quote(v) : v);
    const quotedValue = fc.stringMatching(/^[A-Za-z0-9_./,= "\\-]{0,16}$/);
    const section = fc.record({
      image: value.map((v) => `/boot/${v}`),
      label: fc.option(fc.stringMatching(/^[a-z][a-z0-9_-]{0,8}$/), { nil: undefined }),
      root: fc.option(value, { nil: undefined }),
      append: fc.option(quotedValue, { nil: undefined }),
      readOnly: fc.boolean(),
    });
    check(fc.property(fc.array(section, { minLength: 1, maxLength: 4 }), fc.boolean(), fc.nat(600), (sections, prompt, timeout) => {
      const lines = ['boot=/dev/hda', prompt ? 'prompt' : '# no prompt', `timeout=${timeout}`];
      for (const s of sections) {
        lines.push(`image=${printed(s.image)}`);
        if (s.label !== undefined) lines.push(`\tlabel=${s.label}`);
        if (s.root !== undefined) lines.push(`\troot=${printed(s.root)}`);
        if (s.append !== undefined) lines.push(`\tappend=${quote(s.append)}`);
        if (s.readOnly) lines.push('\tread-only');
      }
      const r = parseLiloConf(lines.join('\n') + '\n');
      const labels = sections.map((s) => (s.label ?? s.image.slice(s.image.lastIndexOf('/') + 1)).toLowerCase());
      if (new Set(labels).size !== labels.length) {
        expect(r.ok).toBe(false);
        if (!r.ok) expect(r.errors[0]!.message).toMatch(/^Fatal: Duplicate label/);
        return;
      }
      expect(r.ok).toBe(true);
      if (!r.ok) return;
      expect(r.config.prompt).toBe(prompt);
      expect(r.config.timeout).toBe(timeout);
      expect(r.config.sections.map((s) => ({ image: s.path, label: s.options.label, root: s.options.root, append: s.options.append, readOnly: s.options['read-only'] === true })))
        .toEqual(sections.map((s) => ({ image: s.image, label: s.label, root: s.root, append: s.append, readOnly: s.readOnly })));
    }), 300);
    for (const prompt of [true, false]) expect(parseLiloConf(defaultLiloConf(prompt)).ok).toBe(true);
  });
});

describe('what the BIOS and LILO read from the disk', () => {
  const installed = (() => {
    const conf = parseLiloConf(defaultLiloConf(true));
    if (!conf.ok) throw new Error('the installed lilo.conf does not parse');
    const run = runLilo(conf.config, () => true);
    const image = buildKernelImage({ kind: 'bzImage', version: '2.2.26-driverlab #1', rootDev: 0x301 });
    return encodeBootRecord({ table: run.bootTable!, images: run.bootTable!.entries.map(() => ({ kind: 'bytes' as const, bytes: image })) });
  })();

  it('a boot record written over by anything boots or shows what LILO shows (L 01, LIL-, LIL?)', () => {
    expect(decodeBootRecord(installed).ok).toBe(true);
    check(fc.property(mutation(installed.length, { truncate: true, maxEdits: 4 }), (m) => {
      const bytes = applyMutation(installed, m);
      const r = bounded('decodeBootRecord', () => decodeBootRecord(bytes));
      if (!r.ok) { expect(r.screen).toMatch(/^(DISK BOOT FAILURE|L 01|LIL\?|LIL-)/); return; }
      // What decodes is what the loader then uses: a table with entries and their images.
      expect(Array.isArray(r.record.table.entries)).toBe(true);
      for (const entry of r.record.table.entries) bounded('bootPrompt', () => bootPrompt(r.record.table, entry.label));
    }), 300);
    check(fc.property(fc.uint8Array({ maxLength: 2048 }), (bytes) => {
      expect(bounded('decodeBootRecord', () => decodeBootRecord(bytes)).ok).toBe(false);
    }), 200);
  });

  it('a kernel image written over by anything is a kernel image or "is not a kernel image"', () => {
    const image = buildKernelImage({ kind: 'zImage', version: '2.2.26-driverlab (builder@driverlab) #1', rootDev: 0x301, vmlinux: new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]) });
    check(fc.property(mutation(image.length, { truncate: true, maxEdits: 6, within: [0x1f0, 0x260] }), (m) => {
      const r = bounded('parseKernelImage', () => parseKernelImage(applyMutation(image, m)));
      if ('error' in r) { expect(isClearMessage(r.error)).toBe(true); return; }
      expect(typeof r.version).toBe('string');
      expect(Number.isFinite(r.loadSize)).toBe(true);
    }), 300);
  });
});
