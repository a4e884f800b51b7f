// The boot scripts init runs once per boot, before the console's shell (/etc/init.d/rcS and
// runlevel 2, Debian's sysvinit in miniature, run by init itself):
//
//   checkroot   fsck -a of the root, which the kernel mounted read-only: "clean", or after an
//               unclean shutdown "was not cleanly unmounted, check forced." and the repairs. When
//               preen stops ("UNEXPECTED INCONSISTENCY; RUN fsck MANUALLY") it runs fsck -y, as
//               Debian does with FSCKFIX=yes; a repaired root (e2fsck's exit status 2 or 3) means
//               "Automatic reboot in progress". The log goes to /var/log/fsck/checkroot.
//               Then / is remounted read-write (as /etc/fstab says).
//   hostname    the name in /etc/hostname (sethostname(2)).
//   mtab        2.2's /etc/mtab starts afresh with the root.
//   bootclean   /tmp is emptied: what it held belonged to the last boot.
//   mountall    what /etc/fstab lists: /proc, /sys, the lab workspace (which DriverLab mounts on
//               /home/lab even if fstab lost its line: the learner's code is never on the disk).
//   syslog      klogd starts writing /var/log/messages.
import type { Kernel } from '../kernel/kernel.js';
import { FSCK_REBOOT, FSCK_UNCORRECTED } from '../kernel/fs/ext2/index.js';
import { deviceOfSuper, MS_RDONLY, MS_REMOUNT } from '../kernel/fs/namespace.js';
import { kernelShutdown } from '../kernel/reboot.js';
import { S_IFDIR, S_IFMT } from '../kernel/fs/types.js';
import { SysError, type Proc } from './libc.js';
import { e2fsckDevice } from './commands/e2fsprogs.js';
import { mountAll, mountFlags, mountOne, parseFstab, type FstabEntry } from './commands/mount.js';
import { ctime } from './commands/coreutils/common.js';

/** What checkroot found: e2fsck's exit status and output (what /var/log/fsck/checkroot keeps). */
export interface RootCheck {
  device: string;
  exitCode: number;
  output: string;
  /** e2fsck found the file system clean and did not check it. */
  clean: boolean;
}

export interface BootResult {
  /** The root was checked (undefined: not on a disk, or fstab says not to). */
  check: RootCheck | undefined;
  /** The scripts rebooted the machine (after fsck repaired the mounted root). */
  rebooting: boolean;
}


async function readFstab(p: Proc): Promise<FstabEntry[]> {
  try {
    return parseFstab(await p.readText('/etc/fstab'));
  } catch (e) {
    if (e instanceof SysError) return [];
    throw e;
  }
}

/** Runs the boot scripts in init (`p`), printing on the console as they do. */
export async function bootScripts(k: Kernel, p: Proc): Promise<BootResult> {
  const modern = k.personality === 'modern';
  const say = (text: string) => p.out(text);
  await say(`INIT: version ${modern ? '3.06' : '2.74'} booting\n`);
  const fstab = await readFstab(p);
  const rootEntry = fstab.find((e) => e.file === '/');
  const rootSb = k.vfs.mounted()[0]!.root.sb;
  const rootDev = deviceOfSuper(k, rootSb);
  let check: RootCheck | undefined;
  if (rootDev) {
    const device = rootEntry?.spec ?? `/dev/${rootDev.name}`;
    if (rootSb.readOnly && (rootEntry?.pass ?? 1) > 0) {
      const run = await checkRoot(k, p, device);
      check = run.check;
      if (run.reboot) {
        await say('Automatic reboot in progress...\n');
        k.block.syncAll();
        kernelShutdown(k, 'restart');
        return { check, rebooting: true };
      }
    }
    const wanted = mountFlags(rootEntry?.options ?? ['defaults']) & MS_RDONLY;
    if (rootSb.readOnly && !wanted && !(check && check.exitCode & FSCK_UNCORRECTED)) {
      try {
        await p.mount(device, '/', 'ext2', MS_REMOUNT);
      } catch (e) {
        if (!(e instanceof SysError)) throw e;
        await say(`mount: cannot remount ${device} read-write: ${e.message}\n`);
      }
    }
    if (!modern) await startMtab(p, `${device} / ext2 ${rootSb.readOnly ? 'ro' : 'rw'} 0 0\n`);
    if (check) await writeCheckLog(k, p, check);
  }
  await setHostname(k, p);
  await cleanTmp(p);
  await say('Mounting local filesystems...');
  await mountAll(p, { modern, prog: 'mount' });
  await say('done.\n');
  await mountWorkspace(k, p, modern);
  k.klogd?.start();
  await say('INIT: Entering runlevel: 2\n');
  return { check, rebooting: false };
}

/** checkroot: fsck -a, then -y if preen gave up; whether the root was changed and the machine must reboot. */
async function checkRoot(k: Kernel, p: Proc, device: string): Promise<{ check: RootCheck; reboot: boolean }> {
  const modern = k.personality === 'modern';
  const title = modern ? 'fsck from util-linux 2.38.1\n' : 'Parallelizing fsck version 1.12 (9-Jul-98)\n';
  await p.out(`Checking root file system...${title}`);
  let r = await e2fsckDevice(k, p, device, 'preen', false);
  await p.out(r.output);
  let output = title + r.output;
  const clean = r.exitCode === 0 && r.output.includes(': clean, ');
  if (r.exitCode & FSCK_UNCORRECTED && r.exitCode < 8) {
    // FSCKFIX=yes: what preen would not decide, fsck -y does.
    const again = `fsck -y ${device}\n`;
    await p.out(again);
    const y = await e2fsckDevice(k, p, device, 'yes', false);
    await p.out(y.output);
    output += again + y.output;
    r = { output: y.output, exitCode: y.exitCode | (r.exitCode & ~FSCK_UNCORRECTED) };
  }
  const failed = r.exitCode & FSCK_UNCORRECTED || r.exitCode >= 8;
  if (failed) await p.out(`failed (code ${r.exitCode}).\nThe root file system has errors fsck could not repair: it stays read-only. Run e2fsck by hand.\n`);
  else await p.out('done.\n');
  return { check: { device, exitCode: r.exitCode, output, clean }, reboot: !failed && (r.exitCode & FSCK_REBOOT) !== 0 };
}

/** logsave's record of the check, as Debian keeps it in /var/log/fsck/checkroot. */
async function writeCheckLog(k: Kernel, p: Proc, check: RootCheck): Promise<void> {
  const when = ctime(k.epochMs + k.clock.now / 1e6);
  const text = `Log of fsck -C -a -t ext2 ${check.device} \n${when}\n\n${check.output}\n${when}\n----------------\n`;
  try {
    await p.writeFile('/var/log/fsck/checkroot', text, false, 0o644);
  } catch (e) {
    if (!(e instanceof SysError)) throw e;
  }
}

/** 2.2's mount keeps /etc/mtab: at boot it holds the root only (the rest is added as it is mounted). */
async function startMtab(p: Proc, rootLine: string): Promise<void> {
  try {
    if (((await p.lstat('/etc/mtab')).mode & S_IFMT) === 0o120000) return;
  } catch (e) {
    if (!(e instanceof SysError)) throw e;
  }
  try {
    await p.writeFile('/etc/mtab', rootLine);
  } catch (e) {
    if (!(e instanceof SysError)) throw e;
  }
}

/** hostname.sh: the machine takes the name /etc/hostname gives it (its first word). */
async function setHostname(k: Kernel, p: Proc): Promise<void> {
  try {
    const name = (await p.readText('/etc/hostname')).trim().split(/\s+/)[0];
    if (name && /^[A-Za-z0-9][A-Za-z0-9.-]{0,63}$/.test(name)) k.hostname = name;
  } catch (e) {
    if (!(e instanceof SysError)) throw e;
  }
}

/** bootclean: whatever /tmp held (but /tmp itself). */
async function cleanTmp(p: Proc): Promise<void> {
  const remove = async (path: string): Promise<void> => {
    const st = await p.lstat(path);
    if ((st.mode & S_IFMT) === S_IFDIR) {
      for (const name of await p.readdir(path)) await remove(`${path}/${name}`);
      await p.rmdir(path);
    } else {
      await p.unlink(path);
    }
  };
  try {
    for (const name of await p.readdir('/tmp')) await remove(`/tmp/${name}`);
  } catch (e) {
    if (!(e instanceof SysError)) throw e;
  }
}

/** The learner's workspace on /home/lab, whatever /etc/fstab says: their code is never on the virtual disk. */
async function mountWorkspace(k: Kernel, p: Proc, modern: boolean): Promise<void> {
  if (!k.host.workspace) return;
  if (k.vfs.mounted().some((m) => m.path === '/home/lab' && m.root.sb.type === 'hostfs')) return;
  try {
    await p.mkdir('/home/lab', 0o755);
  } catch (e) {
    if (!(e instanceof SysError)) throw e;
  }
  await mountOne(p, { modern, prog: 'mount' }, { spec: 'lab', file: '/home/lab', type: 'hostfs', options: ['defaults'] });
}
