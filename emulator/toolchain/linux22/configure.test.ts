import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Configure, helpText } from './configure.js';

const TREE = path.resolve(import.meta.dirname, '../../linux-2.2');
const INCLUDE = path.resolve(import.meta.dirname, '../../include/2.2');

/** Runs Configure over `files` (path -> text) with `answers` typed one line each. */
async function configure(files: Record<string, string>, answers: string[], defaultsOnly = false) {
  let out = '';
  let err = '';
  const queue = [...answers];
  const c = new Configure({
    readFile: async (p) => files[p],
    out: async (t) => { out += t; },
    err: async (t) => { err += t; },
    readLine: async () => queue.shift(),
  }, defaultsOnly);
  const r = await c.run('config.in');
  return { ...r, out, err };
}

const ARTICLE_BLOCK = `tristate 'insert my device driver in kernel' CONFIG_MY_DEVICE
if [ "$CONFIG_MY_DEVICE" = "y" -o "$CONFIG_MY_DEVICE" = "m" ]; then
int ' my device value' CONFIG_MY_DEVICE_VALUE 1
bool ' support my device something' CONFIG_MY_DEVICE_SUPPORT
fi
`;

describe('scripts/Configure', () => {
  it('writes the shipped autoconf.h from the defconfig, as make oldconfig would', async () => {
    const read = (p: string) => { try { return fs.readFileSync(path.join(TREE, p), 'utf8'); } catch { return undefined; } };
    let out = '';
    const c = new Configure({ readFile: async (p) => read(p), out: async (t) => { out += t; }, err: async () => undefined, readLine: async () => undefined }, true);
    const r = await c.run('arch/i386/config.in');
    expect(r.status).toBe(0);
    expect(r.autoconf).toBe(fs.readFileSync(path.join(INCLUDE, 'linux/autoconf.h'), 'utf8'));
    expect(r.config).toBe(read('arch/i386/defconfig'));
    expect(out).toContain('Processor family (386, 486/Cx486, 586/K5/5x86/6x86, Pentium/K6/TSC, PPro/6x86MX) [PPro/6x86MX] \n  defined CONFIG_M686\n');
  });

  it("asks the article's questions: tristate with modules, then the if-fi block's int and bool, NEW for options the defaults lack", async () => {
    const r = await configure({ 'config.in': `bool 'Enable loadable module support' CONFIG_MODULES\n${ARTICLE_BLOCK}`, '.config': 'CONFIG_MODULES=y\n' }, ['', 'm', '7', 'y']);
    expect(r.out).toBe([
      '#\n# Using defaults found in .config\n#\n',
      'Enable loadable module support (CONFIG_MODULES) [Y/n/?] ',
      'insert my device driver in kernel (CONFIG_MY_DEVICE) [N/y/m/?] (NEW) ',
      ' my device value (CONFIG_MY_DEVICE_VALUE) [1] (NEW) ',
      ' support my device something (CONFIG_MY_DEVICE_SUPPORT) [N/y/?] (NEW) ',
      "\n*** End of Linux kernel configuration.\n*** Check the top-level Makefile for additional configuration.\n*** Next, you must run 'make dep'.\n\n",
    ].join(''));
    expect(r.config).toBe("#\n# Automatically generated make config: don't edit\n#\nCONFIG_MODULES=y\nCONFIG_MY_DEVICE=m\nCONFIG_MY_DEVICE_VALUE=7\nCONFIG_MY_DEVICE_SUPPORT=y\n");
    expect(r.autoconf).toBe("/*\n * Automatically generated C config: don't edit\n */\n#define AUTOCONF_INCLUDED\n#define CONFIG_MODULES 1\n#undef  CONFIG_MY_DEVICE\n#define CONFIG_MY_DEVICE_MODULE 1\n#define CONFIG_MY_DEVICE_VALUE (7)\n#define CONFIG_MY_DEVICE_SUPPORT 1\n");
    // n: the if-fi block is skipped; without modules a tristate is a bool.
    const no = await configure({ 'config.in': ARTICLE_BLOCK }, ['n']);
    expect(no.out).toContain('insert my device driver in kernel (CONFIG_MY_DEVICE) [N/y/?] (NEW) \n*** End');
    expect(no.config).toContain('# CONFIG_MY_DEVICE is not set\n');
  });

  it('shows Configure.help on ?, in 2.2 form (indented) and in the form the 1998 article prints', async () => {
    const help22 = '\nMy device support\nCONFIG_MY_DEVICE\n  This text is help message\n  for my device driver.\n\n  Second paragraph.\n\nNext option\nCONFIG_NEXT\n  other\n';
    expect(helpText(help22, 'CONFIG_MY_DEVICE')).toBe('\nCONFIG_MY_DEVICE:\n\nThis text is help message\nfor my device driver.\n\nSecond paragraph.\n\n');
    const article = '\nMy device support\nCONFIG_MY_DEVICE\nThis text is help message for my device driver\n\n';
    expect(helpText(article, 'CONFIG_MY_DEVICE')).toBe('\nCONFIG_MY_DEVICE:\n\nThis text is help message for my device driver\n\n');
    expect(helpText(article, 'CONFIG_OTHER')).toBe('\n  Sorry, no help available for this option yet.\n\n');
    const r = await configure({ 'config.in': ARTICLE_BLOCK, 'Documentation/Configure.help': article }, ['?', 'y', '', '']);
    expect(r.out).toContain('(CONFIG_MY_DEVICE) [N/y/?] (NEW) \nCONFIG_MY_DEVICE:\n\nThis text is help message for my device driver\n\ninsert my device driver in kernel (CONFIG_MY_DEVICE) [N/y/?] (NEW) ');
  });

  it('dep_tristate: nothing to ask when a dependency is n, only m or n when one is a module', async () => {
    const text = `bool 'Enable loadable module support' CONFIG_MODULES\ntristate 'SCSI support' CONFIG_SCSI\ndep_tristate 'Adaptec AIC7xxx support' CONFIG_SCSI_AIC7XXX $CONFIG_SCSI\n`;
    const r = await configure({ 'config.in': text }, ['y', 'm', 'y', 'm']);
    expect(r.out).toContain('Adaptec AIC7xxx support (CONFIG_SCSI_AIC7XXX) [N/m/?] (NEW) \n  This answer is not allowed, because it is not consistent with\n');
    expect(r.config).toContain('CONFIG_SCSI=m\nCONFIG_SCSI_AIC7XXX=m\n');
    const off = await configure({ 'config.in': text }, ['y', 'n']);
    expect(off.out).not.toContain('AIC7xxx');
    expect(off.config).toContain('# CONFIG_SCSI_AIC7XXX is not set\n');
  });

  it('asks again after an answer that is not a number, and gives up when input ends', async () => {
    const r = await configure({ 'config.in': "int 'Maximum number of Unix98 PTYs' CONFIG_PTYS 256\n", 'Documentation/Configure.help': '' }, ['lots', '64']);
    expect(r.out).toContain('[256] (NEW) \n  Sorry, no help available for this option yet.\n\nMaximum number of Unix98 PTYs (CONFIG_PTYS) [256] (NEW) ');
    expect(r.config).toContain('CONFIG_PTYS=64\n');
    expect((await configure({ 'config.in': ARTICLE_BLOCK }, [])).status).toBe(1);
  });

  it("reports a broken Config.in as bash does when Configure sources it", async () => {
    const missingFi = await configure({ 'config.in': 'source drivers/char/Config.in\n', 'drivers/char/Config.in': ARTICLE_BLOCK.replace('fi\n', '') }, ['y']);
    expect(missingFi).toMatchObject({ status: 2, err: 'drivers/char/Config.in: line 5: syntax error: unexpected end of file\n' });
    const strayFi = await configure({ 'config.in': "bool 'x' CONFIG_X\nfi\n" }, ['y']);
    expect(strayFi.err).toBe("config.in: line 2: syntax error near unexpected token `fi'\nconfig.in: line 2: `fi'\n");
    const typo = await configure({ 'config.in': "tristat 'insert my device driver in kernel' CONFIG_MY_DEVICE\nbool 'x' CONFIG_X\n" }, ['y']);
    expect(typo).toMatchObject({ status: 0, err: 'config.in: line 1: tristat: command not found\n' });
  });

  it('reports a ${ without its } as bash does, instead of reading the file over and over (found by test/fuzz/tools.test.ts)', async () => {
    const r = await configure({ 'config.in': "bool 'x' CONFIG_X\nbool 'y' ${CONFIG_A\n" }, ['y', 'y']);
    expect(r).toMatchObject({ status: 2, err: "config.in: line 2: unexpected EOF while looking for matching `}'\n" });
  });

  it('reads a Config.in saved with CRLF endings to its end (found by test/fuzz/tools.test.ts: a CR made the reader loop for ever)', async () => {
    const r = await configure({ 'config.in': "bool 'Support X' CONFIG_X\r\n" }, ['y']);
    expect(r.status).toBe(0);
    expect(r.config).toContain('CONFIG_X');
  });
});

