// /usr/src/linux on the 2.2 machine: the kernel tree a driver is built into, the 1998 way. Its files
// come from emulator/linux-2.2 (Makefiles, Config.in, init/main.c, drivers/char/mem.c, the help
// texts) and the 2.2 headers; its tools are programs of the machine: scripts/Configure (make config),
// scripts/mkdep (make dep) and arch/i386/boot/tools/build (the boot image).
import type { Kernel, ProgramMain } from '../../kernel/kernel.js';
import { program, SysError, type Proc } from '../../userland/libc.js';
import { kernelHeaders } from '../kbuild.js';
import { Configure } from './configure.js';
import { buildKernelImage, ZIMAGE_MAX_SYSSIZE } from '../../boot/kernel-image.js';
import { nameToKdev } from '../../kernel/bootparams.js';

export const treeDir = (k: Kernel): string => `/usr/src/linux-${k.release.release}`;

/** The tree's tools, which are programs of the machine: where each lies in the tree. */
export function kernelTreePrograms(k: Kernel): [string, ProgramMain][] {
  const top = treeDir(k);
  return [
    [`${top}/scripts/Configure`, program(configureProgram(), k)],
    [`${top}/scripts/mkdep`, program(mkdepProgram(), k)],
    [`${top}/arch/i386/boot/tools/build`, program(buildProgram(k), k)],
  ];
}

/**
 * Installs the tree (root's, as a distribution's kernel source package left it) and links
 * /usr/src/linux to it; its tools are installed with the other programs (kernelTreePrograms).
 */
export function installKernelTree(k: Kernel): void {
  const top = treeDir(k);
  for (const [path, data] of k.host.systemTree('linux-2.2')) k.writeSystemFile(`${top}/${path}`, data);
  for (const [path, data] of kernelHeaders(k)) {
    k.writeSystemFile(`${top}/include/${path.startsWith('asm/') ? `asm-i386/${path.slice(4)}` : path}`, data);
  }
  const root = { uid: 0, gid: 0 };
  k.vfs.symlink('asm-i386', `${top}/include/asm`, '/', root);
  k.vfs.symlink(top.slice('/usr/src/'.length), '/usr/src/linux', '/', root);
  // The headers user programs see were the kernel's, through these links (the article's first step).
  k.vfs.symlink('/usr/src/linux/include/linux', '/usr/include/linux', '/', root);
  k.vfs.symlink('/usr/src/linux/include/asm', '/usr/include/asm', '/', root);
}

/** The top of the tree a program runs in: $TOPDIR (the Makefiles export it), else the working directory. */
const topOf = (p: Proc): string => p.task.env.get('TOPDIR') ?? p.cwd;

/** scripts/Configure [-d] arch/i386/config.in, in the top directory. */
function configureProgram() {
  return async (p: Proc, argv: string[]): Promise<number> => {
    const defaultsOnly = argv[1] === '-d';
    const configIn = argv[defaultsOnly ? 2 : 1] ?? 'arch/i386/config.in';
    const top = p.cwd;
    let pending = '';
    let eof = false;
    const readLine = async (): Promise<string | undefined> => {
      for (;;) {
        const nl = pending.indexOf('\n');
        if (nl >= 0) { const line = pending.slice(0, nl); pending = pending.slice(nl + 1); return line; }
        if (eof) { if (pending) { const line = pending; pending = ''; return line; } return undefined; }
        const chunk = await p.read(0, 4096);
        if (chunk.length === 0) eof = true; else pending += new TextDecoder().decode(chunk);
      }
    };
    const configure = new Configure({
      readFile: async (path) => { try { return await p.readText(`${top}/${path}`); } catch (e) { if (e instanceof SysError) return undefined; throw e; } },
      out: async (text) => { await p.out(text); },
      err: async (text) => { await p.err(text); },
      readLine,
    }, defaultsOnly);
    const r = await configure.run(configIn);
    if (r.status !== 0 || r.config === undefined || r.autoconf === undefined) return r.status;
    try { await p.writeFile(`${top}/.config.old`, await p.readFile(`${top}/.config`)); } catch (e) { if (!(e instanceof SysError)) throw e; }
    await p.writeFile(`${top}/.config`, r.config);
    await p.writeFile(`${top}/include/linux/autoconf.h`, r.autoconf);
    return 0;
  };
}

/**
 * scripts/mkdep FILES: for each source, the headers it includes (found under $TOPDIR/include or
 * beside it), as make rules: "main.o: main.c \\ <headers>" for .c files, "x.h: <headers>" for headers.
 */
function mkdepProgram() {
  return async (p: Proc, argv: string[]): Promise<number> => {
    const top = topOf(p);
    let out = '';
    for (const file of argv.slice(1)) {
      let text: string;
      try { text = await p.readText(file); } catch (e) { if (e instanceof SysError) continue; throw e; }
      const deps: string[] = [];
      for (const m of text.matchAll(/^[ \t]*#[ \t]*include[ \t]*([<"])([^>"]+)[>"]/gm)) {
        const candidates = m[1] === '"' ? [`${file.replace(/[^/]*$/, '')}${m[2]}`, `${top}/include/${m[2]}`] : [`${top}/include/${m[2]}`];
        for (const c of candidates) if (await p.exists(c)) { if (!deps.includes(c)) deps.push(c); break; }
      }
      if (!deps.length) continue;
      const target = file.endsWith('.c') ? `${file.slice(0, -2)}.o: ${file}` : `${file}:`;
      out += `${target} \\\n${deps.map((d) => `   ${d}`).join(' \\\n')}\n`;
    }
    await p.out(out);
    return 0;
  };
}

/** The UTS_* and LINUX_COMPILE_* strings of include/linux/{version,compile}.h, as setup.S assembled them in. */
async function versionString(p: Proc, top: string): Promise<string> {
  let text = '';
  for (const f of ['version.h', 'compile.h']) {
    try { text += await p.readText(`${top}/include/linux/${f}`); } catch (e) { if (!(e instanceof SysError)) throw e; }
  }
  const get = (name: string) => new RegExp(`#define ${name} "([^"]*)"`).exec(text)?.[1] ?? '';
  return `${get('UTS_RELEASE')} (${get('LINUX_COMPILE_BY')}@${get('LINUX_COMPILE_HOST')}) ${get('UTS_VERSION')}`;
}

/** arch/i386/boot/tools/build [-b] vmlinux ROOT_DEV > image: the boot image, its sizes on stderr. */
function buildProgram(k: Kernel) {
  return async (p: Proc, argv: string[]): Promise<number> => {
    const args = argv.slice(1);
    const big = args[0] === '-b';
    if (big) args.shift();
    const [system, rootArg] = args;
    if (!system) { await p.err('Usage: build [-b] system [rootdev] [> image]\n'); return 1; }
    let vmlinux: Uint8Array;
    try { vmlinux = await p.readFile(system); } catch (e) {
      if (!(e instanceof SysError)) throw e;
      await p.err(`${system}: ${e.message}\n`);
      return 1;
    }
    const rootDev = !rootArg || rootArg === 'CURRENT' ? k.rootDev : rootArg === 'FLOPPY' ? 0x0200 : nameToKdev(rootArg);
    const version = await versionString(p, topOf(p));
    const image = buildKernelImage({ kind: big ? 'bzImage' : 'zImage', version, rootDev, vmlinux });
    const sysSize = Math.ceil(vmlinux.length / 16);
    await p.err(`Root device is (${rootDev >> 8}, ${rootDev & 0xff})\nBoot sector 512 bytes.\nSetup is 2048 bytes.\nSystem is ${Math.ceil(vmlinux.length / 1024)} kB\n`);
    if (!big && sysSize > ZIMAGE_MAX_SYSSIZE) { await p.err('System is too big. Try using bzImage or modules.\n'); return 1; }
    await p.write(1, image);
    return 0;
  };
}
