import { describe, expect, it } from 'vitest';
import { FakeSystem, run } from './fake-proc.js';
import { ln, mkdir, mknod, touch } from './create.js';
import { rm, rmdir } from './remove.js';
import { cp, mv } from './copy.js';
import { chgrp, chmod, chown } from './attrs.js';
import { readlink, realpath, stat } from './stat.js';
import { compileMode, modeString } from './mode.js';

const S_IFMT = 0o170000, S_IFCHR = 0o020000, S_IFIFO = 0o010000;

function home(): FakeSystem {
  const sys = new FakeSystem();
  sys.file('/home/user/file', 'data\n');
  sys.mkdirs('/home/user/x', 1000);
  return sys;
}

describe('mkdir', () => {
  it('creates directories, with parents and modes', async () => {
    const sys = home();
    expect((await run(sys, mkdir, ['mkdir', 'new'])).status).toBe(0);
    expect(sys.lookup('/home/user/new')!.mode & 0o7777).toBe(0o755);
    expect((await run(sys, mkdir, ['mkdir', '-p', 'a/b/c'])).status).toBe(0);
    expect(sys.lookup('/home/user/a/b/c')).toBeDefined();
    expect((await run(sys, mkdir, ['mkdir', '-p', 'a/b/c'])).status).toBe(0);
    await run(sys, mkdir, ['mkdir', '-m', '700', 'private']);
    expect(sys.lookup('/home/user/private')!.mode & 0o7777).toBe(0o700);
    await run(sys, mkdir, ['mkdir', '-m', 'a=rwx', 'open']);
    expect(sys.lookup('/home/user/open')!.mode & 0o7777).toBe(0o777);
    expect((await run(sys, mkdir, ['mkdir', '-v', 'q'])).out).toBe("mkdir: created directory 'q'\n");
  });

  it('reports GNU errors', async () => {
    const sys = home();
    const exists = await run(sys, mkdir, ['mkdir', 'x']);
    expect(exists.err).toBe("mkdir: cannot create directory 'x': File exists\n");
    expect(exists.status).toBe(1);
    expect((await run(sys, mkdir, ['mkdir'])).err).toBe("mkdir: missing operand\nTry 'mkdir --help' for more information.\n");
    expect((await run(sys, mkdir, ['mkdir', '-p', 'file'])).err).toBe("mkdir: cannot create directory 'file': File exists\n");
    expect((await run(sys, mkdir, ['mkdir', '-p', 'file/sub'])).err).toBe("mkdir: cannot create directory 'file': Not a directory\n");
    expect((await run(sys, mkdir, ['mkdir', '/etc/new'])).err).toBe("mkdir: cannot create directory '/etc/new': Permission denied\n");
    expect((await run(sys, mkdir, ['mkdir', '-m', 'bogus', 'z'])).err).toBe("mkdir: invalid mode 'bogus'\n");
  });
});

describe('rm and rmdir', () => {
  it('removes files, and directories with -r', async () => {
    const sys = home();
    sys.file('/home/user/x/inner', 'i');
    expect((await run(sys, rm, ['rm', 'file'])).status).toBe(0);
    expect(sys.lookup('/home/user/file')).toBeUndefined();
    expect((await run(sys, rm, ['rm', '-r', 'x'])).status).toBe(0);
    expect(sys.lookup('/home/user/x')).toBeUndefined();
  });

  it('reports GNU errors and ignores missing files with -f', async () => {
    const sys = home();
    const missing = await run(sys, rm, ['rm', 'nofile']);
    expect(missing.err).toBe("rm: cannot remove 'nofile': No such file or directory\n");
    expect(missing.status).toBe(1);
    const forced = await run(sys, rm, ['rm', '-f', 'nofile']);
    expect(forced.err).toBe('');
    expect(forced.status).toBe(0);
    expect((await run(sys, rm, ['rm', 'x'])).err).toBe("rm: cannot remove 'x': Is a directory\n");
    expect((await run(sys, rm, ['rm', '-r', '.'])).err).toBe("rm: refusing to remove '.' or '..' directory: skipping '.'\n");
    expect((await run(sys, rm, ['rm'])).err).toBe("rm: missing operand\nTry 'rm --help' for more information.\n");
    expect((await run(sys, rm, ['rm', '-f'])).status).toBe(0);
    expect((await run(sys, rm, ['rm', '/etc/passwd'])).err).toBe("rm: cannot remove '/etc/passwd': Permission denied\n");
  });

  it('rmdir removes empty directories only', async () => {
    const sys = home();
    sys.file('/home/user/x/inner', 'i');
    expect((await run(sys, rmdir, ['rmdir', 'x'])).err).toBe("rmdir: failed to remove 'x': Directory not empty\n");
    expect((await run(sys, rmdir, ['rmdir', 'nofile'])).err).toBe("rmdir: failed to remove 'nofile': No such file or directory\n");
    expect((await run(sys, rmdir, ['rmdir', 'file'])).err).toBe("rmdir: failed to remove 'file': Not a directory\n");
    sys.mkdirs('/home/user/p/q/r', 1000);
    expect((await run(sys, rmdir, ['rmdir', '-p', 'p/q/r'])).status).toBe(0);
    expect(sys.lookup('/home/user/p')).toBeUndefined();
  });
});

describe('cp and mv', () => {
  it('copies a file to a file or into a directory', async () => {
    const sys = home();
    expect((await run(sys, cp, ['cp', 'file', 'copy'])).status).toBe(0);
    expect(sys.text('/home/user/copy')).toBe('data\n');
    await run(sys, cp, ['cp', 'file', 'x']);
    expect(sys.text('/home/user/x/file')).toBe('data\n');
  });

  it('copies trees with -r, keeping symlinks and device nodes', async () => {
    const sys = home();
    sys.file('/home/user/x/a', 'A');
    sys.symlink('/home/user/x/link', 'a');
    sys.device('/home/user/x/dev', 125, 0);
    const r = await run(sys, cp, ['cp', '-r', 'x', 'y'], { uid: 0, cwd: '/home/user' });
    expect(r.err).toBe('');
    expect(sys.text('/home/user/y/a')).toBe('A');
    expect(sys.lookup('/home/user/y/link', false)!.linkTarget).toBe('a');
    expect(sys.lookup('/home/user/y/dev')!.rdev).toBe((125 << 20) >>> 0);
  });

  it('reports GNU errors', async () => {
    const sys = home();
    const tryHelp = "Try 'cp --help' for more information.\n";
    expect((await run(sys, cp, ['cp'])).err).toBe(`cp: missing file operand\n${tryHelp}`);
    expect((await run(sys, cp, ['cp', 'file'])).err).toBe(`cp: missing destination file operand after 'file'\n${tryHelp}`);
    expect((await run(sys, cp, ['cp', 'nofile', 'y'])).err).toBe("cp: cannot stat 'nofile': No such file or directory\n");
    expect((await run(sys, cp, ['cp', 'x', 'y'])).err).toBe("cp: -r not specified; omitting directory 'x'\n");
    expect((await run(sys, cp, ['cp', 'file', 'file'])).err).toBe("cp: 'file' and 'file' are the same file\n");
    expect((await run(sys, cp, ['cp', 'file', 'x', 'c'])).err).toBe("cp: target 'c': No such file or directory\n");
    expect((await run(sys, cp, ['cp', 'file', 'x', 'file'])).err).toBe("cp: target 'file' is not a directory\n");
    expect((await run(sys, cp, ['cp', 'file', '/etc/f'])).err).toBe("cp: cannot create regular file '/etc/f': Permission denied\n");
  });

  it('moves and renames', async () => {
    const sys = home();
    expect((await run(sys, mv, ['mv', 'file', 'renamed'])).status).toBe(0);
    expect(sys.text('/home/user/renamed')).toBe('data\n');
    await run(sys, mv, ['mv', 'renamed', 'x']);
    expect(sys.text('/home/user/x/renamed')).toBe('data\n');
    expect((await run(sys, mv, ['mv', 'nofile', 'y'])).err).toBe("mv: cannot stat 'nofile': No such file or directory\n");
    expect((await run(sys, mv, ['mv', 'x', 'x/sub'])).err).toBe("mv: cannot move 'x' to a subdirectory of itself, 'x/sub'\n");
    expect((await run(sys, mv, ['mv', 'x', '/etc/x'])).err).toBe("mv: cannot move 'x' to '/etc/x': Permission denied\n");
  });
});

describe('chmod', () => {
  it('applies octal and symbolic modes', async () => {
    const sys = home();
    const f = sys.lookup('/home/user/file')!;
    await run(sys, chmod, ['chmod', '755', 'file']);
    expect(f.mode & 0o7777).toBe(0o755);
    await run(sys, chmod, ['chmod', 'go-w,u+x', 'file']);
    expect(f.mode & 0o7777).toBe(0o755);
    await run(sys, chmod, ['chmod', 'a=r', 'file']);
    expect(f.mode & 0o7777).toBe(0o444);
    await run(sys, chmod, ['chmod', '+x', 'file']);
    expect(f.mode & 0o7777).toBe(0o555);
    await run(sys, chmod, ['chmod', '-x', 'file']);
    expect(f.mode & 0o7777).toBe(0o444);
    await run(sys, chmod, ['chmod', 'u+w,g+s,o+t', 'file']);
    expect(modeString(f.mode)).toBe('-rw-r-Sr-T');
    const v = await run(sys, chmod, ['chmod', '-v', '644', 'file']);
    expect(v.out).toBe("mode of 'file' changed from 3644 (rw-r-Sr-T) to 0644 (rw-r--r--)\n");
  });

  it('recurses with -R', async () => {
    const sys = home();
    sys.file('/home/user/x/a', '');
    await run(sys, chmod, ['chmod', '-R', 'go-rwx', 'x']);
    expect(sys.lookup('/home/user/x')!.mode & 0o777).toBe(0o700);
    expect(sys.lookup('/home/user/x/a')!.mode & 0o777).toBe(0o600);
  });

  it('reports GNU errors', async () => {
    const sys = home();
    const tryHelp = "Try 'chmod --help' for more information.\n";
    expect((await run(sys, chmod, ['chmod'])).err).toBe(`chmod: missing operand\n${tryHelp}`);
    expect((await run(sys, chmod, ['chmod', '755'])).err).toBe(`chmod: missing operand after '755'\n${tryHelp}`);
    expect((await run(sys, chmod, ['chmod', 'xyz', 'file'])).err).toBe(`chmod: invalid mode: 'xyz'\n${tryHelp}`);
    const missing = await run(sys, chmod, ['chmod', '755', 'nofile']);
    expect(missing.err).toBe("chmod: cannot access 'nofile': No such file or directory\n");
    expect(missing.status).toBe(1);
    expect((await run(sys, chmod, ['chmod', '777', '/etc/passwd'])).err).toBe("chmod: changing permissions of '/etc/passwd': Operation not permitted\n");
  });

  it('computes modes as gnulib does', () => {
    const apply = (text: string, old: number, dir = false, umask = 0o022) => compileMode(text)!.apply(old, dir, umask);
    expect(apply('u+x', 0o644)).toBe(0o744);
    expect(apply('g=u', 0o640)).toBe(0o660);
    expect(apply('a+X', 0o644)).toBe(0o644);
    expect(apply('a+X', 0o744)).toBe(0o755);
    expect(apply('a+X', 0o644, true)).toBe(0o755);
    expect(apply('=', 0o777)).toBe(0o000);
    expect(apply('+w', 0o444)).toBe(0o644);
    expect(apply('0', 0o2755, true)).toBe(0o2000);
    expect(compileMode('u+q')).toBeUndefined();
    expect(compileMode('8')).toBeUndefined();
  });
});

describe('chown and chgrp', () => {
  it('changes owner and group as root, including the old user.group form', async () => {
    const sys = home();
    const f = sys.lookup('/home/user/file')!;
    expect((await run(sys, chown, ['chown', 'root:root', '/home/user/file'], { uid: 0 })).status).toBe(0);
    expect([f.uid, f.gid]).toEqual([0, 0]);
    await run(sys, chown, ['chown', 'user:', '/home/user/file'], { uid: 0 });
    expect([f.uid, f.gid]).toEqual([1000, 1000]);
    const dotted = await run(sys, chown, ['chown', 'root.root', '/home/user/file'], { uid: 0 });
    expect(dotted.err).toBe("chown: warning: '.' should be ':': 'root.root'\n");
    expect([f.uid, f.gid]).toEqual([0, 0]);
    await run(sys, chown, ['chown', '1000', '/home/user/file'], { uid: 0 });
    expect([f.uid, f.gid]).toEqual([1000, 0]);
    await run(sys, chgrp, ['chgrp', 'user', '/home/user/file'], { uid: 0 });
    expect(f.gid).toBe(1000);
  });

  it('reports GNU errors', async () => {
    const sys = home();
    const tryHelp = "Try 'chown --help' for more information.\n";
    expect((await run(sys, chown, ['chown'])).err).toBe(`chown: missing operand\n${tryHelp}`);
    expect((await run(sys, chown, ['chown', 'root'])).err).toBe(`chown: missing operand after 'root'\n${tryHelp}`);
    expect((await run(sys, chown, ['chown', 'nobody1', 'file'])).err).toBe("chown: invalid user: 'nobody1'\n");
    expect((await run(sys, chown, ['chown', 'root:nogrp', 'file'])).err).toBe("chown: invalid group: 'root:nogrp'\n");
    const denied = await run(sys, chown, ['chown', 'root', 'file']);
    expect(denied.err).toBe("chown: changing ownership of 'file': Operation not permitted\n");
    expect(denied.status).toBe(1);
    expect((await run(sys, chown, ['chown', 'root', 'nofile'], { uid: 0 })).err).toBe("chown: cannot access 'nofile': No such file or directory\n");
  });
});

describe('mknod', () => {
  it('creates a character device as root with rdev = MKDEV(major, minor)', async () => {
    const sys = home();
    const r = await run(sys, mknod, ['mknod', '/dev/my_device0', 'c', '125', '0'], { uid: 0 });
    expect(r.status).toBe(0);
    const node = sys.lookup('/dev/my_device0')!;
    expect(node.mode & S_IFMT).toBe(S_IFCHR);
    expect(node.rdev).toBe((125 << 20) >>> 0);
    expect(node.mode & 0o777).toBe(0o644);
    await run(sys, mknod, ['mknod', '-m', '666', '/dev/my_device1', 'c', '125', '1'], { uid: 0 });
    expect(sys.lookup('/dev/my_device1')!.mode & 0o777).toBe(0o666);
    await run(sys, mknod, ['mknod', '/dev/hex', 'c', '0x10', '010'], { uid: 0 });
    expect(sys.lookup('/dev/hex')!.rdev).toBe(((16 << 20) | 8) >>> 0);
    await run(sys, mknod, ['mknod', 'fifo', 'p']);
    expect(sys.lookup('/home/user/fifo')!.mode & S_IFMT).toBe(S_IFIFO);
  });

  it('reports GNU errors', async () => {
    const sys = home();
    const tryHelp = "Try 'mknod --help' for more information.\n";
    const denied = await run(sys, mknod, ['mknod', '/dev/my_device0', 'c', '125', '0']);
    expect(denied.err).toBe('mknod: /dev/my_device0: Operation not permitted\n');
    expect(denied.status).toBe(1);
    expect((await run(sys, mknod, ['mknod'])).err).toBe(`mknod: missing operand\n${tryHelp}`);
    expect((await run(sys, mknod, ['mknod', 'x'])).err).toBe(`mknod: missing operand after 'x'\n${tryHelp}`);
    expect((await run(sys, mknod, ['mknod', 'x', 'c'])).err).toBe(`mknod: missing operand after 'c'\nSpecial files require major and minor device numbers.\n${tryHelp}`);
    expect((await run(sys, mknod, ['mknod', 'x', 'c', '1'])).err).toBe(`mknod: missing operand after '1'\n${tryHelp}`);
    expect((await run(sys, mknod, ['mknod', 'x', 'p', '1', '2'])).err).toBe(`mknod: extra operand '1'\nFifos do not have major and minor device numbers.\n${tryHelp}`);
    expect((await run(sys, mknod, ['mknod', 'x', 'q', '1', '2'])).err).toBe(`mknod: invalid device type 'q'\n${tryHelp}`);
    expect((await run(sys, mknod, ['mknod', 'x', 'c', 'z', '1'], { uid: 0 })).err).toBe("mknod: invalid major device number 'z'\n");
    expect((await run(sys, mknod, ['mknod', 'x', 'c', '1', 'z'], { uid: 0 })).err).toBe("mknod: invalid minor device number 'z'\n");
    expect((await run(sys, mknod, ['mknod', '/home/user/file', 'c', '1', '2'], { uid: 0 })).err).toBe('mknod: /home/user/file: File exists\n');
  });
});

describe('ln', () => {
  it('makes symbolic links, into directories and with -f', async () => {
    const sys = home();
    expect((await run(sys, ln, ['ln', '-s', 'file', 'l'])).status).toBe(0);
    expect(sys.lookup('/home/user/l', false)!.linkTarget).toBe('file');
    await run(sys, ln, ['ln', '-s', '/etc/passwd']);
    expect(sys.lookup('/home/user/passwd', false)!.linkTarget).toBe('/etc/passwd');
    await run(sys, ln, ['ln', '-s', '../file', 'x']);
    expect(sys.lookup('/home/user/x/file', false)!.linkTarget).toBe('../file');
    const again = await run(sys, ln, ['ln', '-s', 'file', 'l']);
    expect(again.err).toBe("ln: failed to create symbolic link 'l': File exists\n");
    expect((await run(sys, ln, ['ln', '-sf', 'x', 'l'])).status).toBe(0);
    expect(sys.lookup('/home/user/l', false)!.linkTarget).toBe('x');
  });

  it('reports GNU errors, and refuses hard links the kernel cannot make', async () => {
    const sys = home();
    expect((await run(sys, ln, ['ln'])).err).toBe("ln: missing file operand\nTry 'ln --help' for more information.\n");
    expect((await run(sys, ln, ['ln', 'nofile', 'h'])).err).toBe("ln: failed to access 'nofile': No such file or directory\n");
    expect((await run(sys, ln, ['ln', 'file', 'h'])).err).toBe("ln: failed to create hard link 'h' => 'file': Operation not permitted\n");
  });
});

describe('touch', () => {
  it('creates files and updates times', async () => {
    const sys = home();
    expect((await run(sys, touch, ['touch', 'new'])).status).toBe(0);
    expect(sys.text('/home/user/new')).toBe('');
    sys.clockNs += 60e9;
    await run(sys, touch, ['touch', 'file']);
    expect(sys.lookup('/home/user/file')!.mtimeNs).toBe(sys.clockNs);
    expect(sys.text('/home/user/file')).toBe('data\n');
    await run(sys, touch, ['touch', '-d', '2024-03-05 09:07:00', 'file']);
    expect(sys.lookup('/home/user/file')!.mtimeNs).toBe(Date.UTC(2024, 2, 5, 9, 7) * 1e6);
    expect((await run(sys, touch, ['touch', '-c', 'nofile'])).status).toBe(0);
    expect(sys.lookup('/home/user/nofile')).toBeUndefined();
  });

  it('reports GNU errors', async () => {
    const sys = home();
    expect((await run(sys, touch, ['touch', '/nonexist/a'])).err).toBe("touch: cannot touch '/nonexist/a': No such file or directory\n");
    expect((await run(sys, touch, ['touch', '/etc/passwd'])).err).toBe("touch: cannot touch '/etc/passwd': Permission denied\n");
    expect((await run(sys, touch, ['touch'])).err).toBe("touch: missing file operand\nTry 'touch --help' for more information.\n");
  });
});

describe('stat', () => {
  it('prints GNU\'s default layout for a device', async () => {
    const sys = home();
    sys.device('/dev/advanced_dev', 240, 0);
    const ino = sys.lookup('/dev/advanced_dev')!.ino;
    const r = await run(sys, stat, ['stat', '/dev/advanced_dev']);
    expect(r.out).toBe([
      '  File: /dev/advanced_dev',
      '  Size: 0         \tBlocks: 0          IO Block: 4096   character special file',
      `Device: 0,1\tInode: ${String(ino).padEnd(11)} Links: 1     Device type: 240,0`,
      'Access: (0666/crw-rw-rw-)  Uid: (    0/    root)   Gid: (    0/    root)',
      'Access: 2025-01-15 10:30:00.000000000 +0000',
      'Modify: 2025-01-15 10:30:00.000000000 +0000',
      'Change: 2025-01-15 10:30:00.000000000 +0000',
      ' Birth: -',
      '',
    ].join('\n'));
  });

  it('shows symlinks and regular files, and supports -c formats', async () => {
    const sys = home();
    sys.symlink('/home/user/l', 'file');
    const link = await run(sys, stat, ['stat', 'l']);
    expect(link.out.split('\n')[0]).toBe('  File: l -> file');
    expect(link.out.split('\n')[1]).toBe('  Size: 4         \tBlocks: 0          IO Block: 4096   symbolic link');
    const file = await run(sys, stat, ['stat', 'file']);
    expect(file.out.split('\n')[1]).toBe('  Size: 5         \tBlocks: 8          IO Block: 4096   regular file');
    expect(file.out.split('\n')[3]).toBe('Access: (0644/-rw-r--r--)  Uid: ( 1000/    user)   Gid: ( 1000/    user)');
    expect((await run(sys, stat, ['stat', '-c', '%n %s %a %A %U:%G %F', 'file'])).out).toBe('file 5 644 -rw-r--r-- user:user regular file\n');
    expect((await run(sys, stat, ['stat', '-L', '-c', '%F', 'l'])).out).toBe('regular file\n');
  });

  it('reports GNU errors', async () => {
    const sys = home();
    const r = await run(sys, stat, ['stat', 'nofile']);
    expect(r.err).toBe("stat: cannot statx 'nofile': No such file or directory\n");
    expect(r.status).toBe(1);
    expect((await run(sys, stat, ['stat'])).err).toBe("stat: missing operand\nTry 'stat --help' for more information.\n");
  });
});

describe('readlink and realpath', () => {
  it('prints link targets and canonical paths', async () => {
    const sys = home();
    sys.symlink('/home/user/l', 'x/../file');
    sys.symlink('/lib/build', '/home/user/x');
    expect((await run(sys, readlink, ['readlink', 'l'])).out).toBe('x/../file\n');
    expect((await run(sys, readlink, ['readlink', '-f', 'l'])).out).toBe('/home/user/file\n');
    expect((await run(sys, readlink, ['readlink', 'file'])).status).toBe(1);
    expect((await run(sys, realpath, ['realpath', '/lib/build/../file'])).out).toBe('/home/user/file\n');
    expect((await run(sys, realpath, ['realpath', 'nodir/x'])).err).toBe('realpath: nodir/x: No such file or directory\n');
  });
});
