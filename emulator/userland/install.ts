// Installs the userland into a booted kernel: the programs in /bin, the
// kernel headers and build tree under /usr/src, and /lib/modules.
import type { Kernel } from '../kernel/kernel.js';
import { program, type Program, type Proc } from './libc.js';
import { shProgram } from './sh.js';
import { COREUTILS } from './commands/coreutils/index.js';
import { insmod, rmmod, lsmod, modinfo } from './commands/kmod.js';
import { dmesg, uname, sudo, id, whoami, hostname, clear, help } from './commands/system.js';
import { makeProgram } from './commands/make.js';
import { ps } from './commands/ps.js';
import { stty } from './commands/stty.js';
import { haltCommand, shutdownCommand } from './commands/shutdown.js';
import { free } from './commands/free.js';
import { buildModules, cleanModules, headersDir, installHeaders } from '../toolchain/kbuild.js';
import { gccProgram, installUserHeaders } from '../toolchain/gcc.js';
import { wasiLoader } from './wasi.js';
import { installBootFiles, lilo } from './commands/bootcmds.js';
import { arProgram, ldProgram, nmProgram } from '../toolchain/binutils.js';
import { installKernelTree } from '../toolchain/linux22/tree.js';

const BIN_DIRS: Record<string, string> = {
  insmod: '/sbin', rmmod: '/sbin', lsmod: '/sbin', modinfo: '/sbin', sudo: '/usr/bin', make: '/usr/bin', id: '/usr/bin',
  whoami: '/usr/bin', clear: '/usr/bin', help: '/usr/bin', gcc: '/usr/bin', cc: '/usr/bin', free: '/usr/bin',
  shutdown: '/sbin', halt: '/sbin', reboot: '/sbin', poweroff: '/sbin',
  lilo: '/sbin', ld: '/usr/bin', ar: '/usr/bin', nm: '/usr/bin',
};

export function installUserland(k: Kernel): void {
  const programs: Record<string, Program> = {
    ...COREUTILS,
    sh: shProgram(k),
    insmod: insmod(k), rmmod: rmmod(k), lsmod: lsmod(k), modinfo: modinfo(k),
    dmesg: dmesg(k), uname: uname(k), sudo, id, whoami, hostname: hostname(k), clear, help,
    make: makeProgram(k), ps: ps(k), free: free(k), stty: stty(k),
    gcc: gccProgram(k), cc: gccProgram(k),
    shutdown: shutdownCommand(k), halt: haltCommand(k), reboot: haltCommand(k), poweroff: haltCommand(k),
    lilo: lilo(k), ld: ldProgram(k), ar: arProgram, nm: nmProgram,
  };
  for (const [name, main] of Object.entries(programs)) {
    k.installProgram(`${BIN_DIRS[name] ?? '/bin'}/${name}`, program(main, k));
  }
  k.vfs.symlink('sh', '/bin/bash', '/', { uid: 0, gid: 0 });
  k.execLoaders.push(wasiLoader(k));
  installUserHeaders(k);
  installBuildTree(k);
  installBootFiles(k);
  if (k.personality === '2.2') installKernelTree(k);
}

function installBuildTree(k: Kernel): void {
  const rel = k.release.release;
  const dir = headersDir(k);
  installHeaders(k);
  k.writeSystemFile(`${dir}/Makefile`, `# DriverLab kernel build tree for ${rel}: out-of-tree modules (kbuild).
# "make -C ${dir} M=<dir> modules" builds the obj-m modules listed in <dir>/Makefile.
VERSION = ${rel.split('.')[0]}
PATCHLEVEL = ${rel.split('.')[1]}
KERNELRELEASE = ${rel}

modules:
\t@scripts/kbuild modules $(M)

clean:
\t@scripts/kbuild clean $(M)

modules_install:
\t@scripts/kbuild modules_install $(M)
`);
  k.installProgram(`${dir}/scripts/kbuild`, program(kbuildProgram(k), k));
  k.writeSystemFile(`${dir}/Module.symvers`, k.modules.exportedSymbols().map((s) => `0x00000000\t${s}\tvmlinux\tEXPORT_SYMBOL\t\n`).join(''));
  k.mkdirp(`/lib/modules/${rel}/kernel`);
  k.mkdirp(`/lib/modules/${rel}/extra`);
  k.vfs.symlink(dir, `/lib/modules/${rel}/build`, '/', { uid: 0, gid: 0 });
}

function kbuildProgram(k: Kernel) {
  return async (p: Proc, argv: string[]): Promise<number> => {
    const [, target, dir] = argv;
    if (!dir) { await p.err('kbuild: M= is not set: run "make -C <kernel build dir> M=$PWD modules"\n'); return 2; }
    if (target === 'modules') return buildModules(k, p, dir);
    if (target === 'clean') return cleanModules(p, dir);
    if (target === 'modules_install') {
      const names = (await p.readdir(dir)).filter((n) => n.endsWith('.ko'));
      for (const n of names) {
        await p.out(`  INSTALL /lib/modules/${k.release.release}/extra/${n}\n`);
        await p.writeFile(`/lib/modules/${k.release.release}/extra/${n}`, await p.readFile(`${dir}/${n}`));
      }
      return 0;
    }
    await p.err(`make[2]: *** No rule to make target '${target}'.  Stop.\n`);
    return 2;
  };
}
