import { describe, expect, it } from 'vitest';
import { bootPrompt, composeCmdline, parseLiloConf, rootDeviceNumber, runLilo, type LiloConfig } from './lilo.js';

const CONF = `# /etc/lilo.conf
boot=/dev/hda
map=/boot/map
install=/boot/boot.b
prompt
timeout=50
lba32
compact
image=/boot/vmlinuz-2.2.5
	label=linux
	root=/dev/hda1
	read-only
	append="my_device=0x200,5,0x300,7"
image=/boot/vmlinuz-2.0.36
	label=old
	root=/dev/hda1
	read-write
other=/dev/hda2
	label=dos
`;

function parse(text: string): LiloConfig {
  const r = parseLiloConf(text);
  if (!r.ok) throw new Error(r.errors[0]?.message);
  return r.config;
}

describe('parseLiloConf', () => {
  it('reads global options and sections', () => {
    const c = parse(CONF);
    expect(c).toMatchObject({ boot: '/dev/hda', map: '/boot/map', prompt: true, timeout: 50, lba32: true, compact: true, default: undefined });
    expect(c.sections.map((s) => [s.kind, s.label, s.path])).toEqual([['image', 'linux', '/boot/vmlinuz-2.2.5'], ['image', 'old', '/boot/vmlinuz-2.0.36'], ['other', 'dos', '/dev/hda2']]);
    expect(c.sections[0]?.options).toMatchObject({ 'read-only': true, append: 'my_device=0x200,5,0x300,7' });
  });
  it('joins backslash-continued lines and labels default to the file name', () => {
    const c = parse('image=/boot/vm\\\nlinuz\nappend="a\\\n    b"\n');
    expect(c.sections[0]).toMatchObject({ path: '/boot/vmlinuz', label: 'vmlinuz', options: { append: 'a b' } });
  });
  it('rejects unknown tokens with LILO wording', () => {
    const r = parseLiloConf('boot=/dev/hda\n\n\n\n\n\nfoo\n');
    expect(r).toEqual({ ok: false, errors: [{ line: 7, message: `Fatal: Unrecognized token "foo" at or above line 7 in file '/etc/lilo.conf'` }] });
  });
  it('rejects duplicate labels, values on flags, missing values and EOF in quotes', () => {
    const msg = (t: string): string | undefined => { const r = parseLiloConf(t); return r.ok ? undefined : r.errors[0]?.message; };
    expect(msg('image=/a\nlabel=linux\nimage=/b\nlabel=Linux\n')).toBe('Fatal: Duplicate label "Linux"');
    expect(msg('prompt=yes\n')).toBe(`Fatal: 'prompt' doesn't have a value at or above line 1 in file '/etc/lilo.conf'`);
    expect(msg('timeout\n')).toBe(`Fatal: Value expected for 'timeout' at or above line 1 in file '/etc/lilo.conf'`);
    expect(msg('image=/a\nappend="x\n')).toMatch(/^Fatal: (EOF in quoted string|\\n and \\t are not allowed in quoted strings) at or above line 2/);
    expect(msg('timeout=soon\nimage=/a\n')).toBe('Fatal: Not a number: "soon"');
    expect(msg('image=/a\nlabel=x\nlabel=y\n')).toBe(`Fatal: Duplicate entry 'label' at or above line 3 in file '/etc/lilo.conf'`);
  });
});

describe('runLilo', () => {
  const all = (): boolean => true;
  it('prints Added per image with a star on the first', () => {
    const r = runLilo(parse(CONF), all);
    expect(r.output).toBe('Added linux *\nAdded old\nAdded dos\n');
    expect(r.status).toBe(0);
    expect(r.bootTable?.defaultLabel).toBe('linux');
  });
  it('moves the star to default=', () => {
    expect(runLilo(parse(`default=old\n${CONF}`), all).output).toBe('Added linux\nAdded old *\nAdded dos\n');
  });
  it('fails on a missing image file or an unknown default', () => {
    const r = runLilo(parse(CONF), (p) => p !== '/boot/vmlinuz-2.0.36');
    expect(r).toEqual({ output: 'Added linux *\nFatal: open /boot/vmlinuz-2.0.36: No such file or directory\n', status: 1 });
    expect(runLilo(parse(`default=nope\n${CONF}`), all).output).toBe('Fatal: No image "nope" is defined\n');
  });
});

describe('boot prompt', () => {
  const table = runLilo(parse(CONF), () => true).bootTable;
  if (!table) throw new Error('no table');
  it('boots the default on Enter', () => {
    expect(bootPrompt(table, '')).toMatchObject({ ok: true, cmdline: 'BOOT_IMAGE=linux ro root=301 my_device=0x200,5,0x300,7' });
  });
  it('appends the words typed after the label', () => {
    expect(bootPrompt(table, 'linux my_device=0x300,7')).toMatchObject({ ok: true, extra: 'my_device=0x300,7', cmdline: 'BOOT_IMAGE=linux ro root=301 my_device=0x200,5,0x300,7 my_device=0x300,7' });
    expect(bootPrompt(table, 'OLD single')).toMatchObject({ ok: true, cmdline: 'BOOT_IMAGE=old rw root=301 single' });
  });
  it('refuses unknown labels like the second stage', () => {
    expect(bootPrompt(table, 'linux2')).toEqual({ ok: false, message: 'No such image. [Tab] shows a list.' });
  });
  it('converts root devices to numbers', () => {
    expect(rootDeviceNumber('/dev/hda1')).toBe('301');
    expect(rootDeviceNumber('/dev/hdc')).toBe('1600');
    expect(rootDeviceNumber('/dev/sdb2')).toBe('812');
    expect(rootDeviceNumber('0x301')).toBe('301');
    expect(composeCmdline({ label: 'x', aliases: [], kind: 'image', image: '/v', root: undefined, readOnly: undefined, append: undefined, literal: 'init=/bin/sh', initrd: undefined, vga: undefined, password: undefined }, '')).toBe('BOOT_IMAGE=x init=/bin/sh');
  });
});

describe('never throws', () => {
  it('on random lilo.conf text', () => {
    const alphabet = 'image=label"\\\n #ab\t';
    let seed = 7;
    const rnd = (n: number): number => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed % n; };
    for (let k = 0; k < 300; k++) {
      let s = '';
      for (let j = rnd(40); j > 0; j--) s += alphabet[rnd(alphabet.length)];
      const r = parseLiloConf(s);
      if (r.ok) {
        const run = runLilo(r.config, () => rnd(2) === 0);
        if (run.bootTable) bootPrompt(run.bootTable, s);
      }
    }
  });
});
