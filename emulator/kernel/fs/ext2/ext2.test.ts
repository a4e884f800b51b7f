// ext2 through the real VFS, checked against itself (unmount, mount, read
// back) and against the real e2fsprogs (e2fsck -fn, debugfs, mkfs.ext2).
import { describe, expect, it } from 'vitest';
import { EFBIG, EIO, EISDIR, ENOENT, ENOSPC, ENOTDIR, ENOTEMPTY, EROFS, Errno } from '../../errno.js';
import { O_APPEND, O_CREAT, O_RDONLY, O_RDWR, O_WRONLY, MKDEV } from '../types.js';
import { MemoryBlockIo, WritebackBlockIo } from './mem-blockio.js';
import { mke2fs } from './mkfs.js';
import { Ext2Fs } from './super.js';
import { EXT2_VALID_FS, SuperBlockView } from './layout.js';
import { Ext2Bench, MKFS_TIME, pattern } from '../../../../test/helpers/ext2.js';
import { debugfs, debugfsWrite, haveE2fsprogs, realE2fsck, realMkfs, realMkfsOutput } from '../../../../test/helpers/e2fsprogs.js';

const ROOT = { uid: 0, gid: 0 };
const errnoOf = (f: () => unknown): number | undefined => {
  try { f(); } catch (e) { if (e instanceof Errno) return e.errno; throw e; }
  return undefined;
};
/** Byte equality without vitest's element-by-element diffing (megabytes of it are slow). */
const sameBytes = (a: Uint8Array, b: Uint8Array) => a.length === b.length && Buffer.from(a.buffer, a.byteOffset, a.length).equals(Buffer.from(b.buffer, b.byteOffset, b.length));
const stateOnDisk = (disk: Uint8Array) => new SuperBlockView(disk, 1024).s_state;

/** e2fsck -fn finds nothing to say beyond its pass headers and summary. */
function expectCleanByRealE2fsck(image: Uint8Array): void {
  const r = realE2fsck(image);
  expect(r.output).toMatch(/Pass 5: Checking group summary information\n\S+: \d+\/\d+ files/);
  expect(r.status, r.output).toBe(0);
}

describe('mke2fs', () => {
  it('prints what mke2fs 1.47 prints and lays out 2 groups on 16 MiB', () => {
    const io = new MemoryBlockIo(new Uint8Array(16384 * 1024));
    const r = mke2fs(io, { now: MKFS_TIME, uuid: new Uint8Array(16).fill(0x11) });
    expect(r.output).toBe(`mke2fs 1.47.0 (5-Feb-2023)
Creating filesystem with 16384 1k blocks and 2048 inodes
Filesystem UUID: 11111111-1111-1111-1111-111111111111
Superblock backups stored on blocks: 
\t8193

Allocating group tables: done                            
Writing inode tables: done                            
Writing superblocks and filesystem accounting information: done

`);
  });

  it.skipIf(!haveE2fsprogs)('makes the same file system as mkfs.ext2 -b 1024 -I 128 -O ^dir_index,^resize_inode,^ext_attr,^large_file', () => {
    for (const blocks of [16384, 65536, 8192 * 3 + 100]) {
      const ours = Ext2Bench.fresh(blocks).disk;
      const real = realMkfs(blocks, ['-b', '1024', '-I', '128', '-N', String(blocks / 8 | 0),
        '-O', '^dir_index,^resize_inode,^ext_attr,^large_file', '-E', 'root_owner=0:0']);
      expectCleanByRealE2fsck(ours);
      // Group layout, free counts and free ranges are the same line for line.
      const groups = (img: Uint8Array) => debugfs(img, 'stats').split('\n')
        .filter((l) => /^ Group|Inode count|Block count|Free blocks:|Free inodes:|Reserved block count|Inodes per group|First inode|Inode size/.test(l));
      expect(groups(ours)).toEqual(groups(real));
    }
  });

  it.skipIf(!haveE2fsprogs)('reports the geometry as mke2fs -v does', () => {
    const io = new MemoryBlockIo(new Uint8Array(16384 * 1024));
    const ours = mke2fs(io, { now: MKFS_TIME, label: 'root', verbose: true }).output;
    const real = realMkfsOutput(16384, ['-v', '-E', 'nodiscard', '-b', '1024', '-I', '128', '-N', '2048', '-L', 'root',
      '-O', '^dir_index,^resize_inode,^ext_attr,^large_file']);
    // The version line goes to stderr; the UUID differs; the rest is the same.
    const keep = (text: string) => text.split('\n').filter((l) => !/^(mke2fs 1|Creating regular file|128-byte inodes|Filesystem UUID)/.test(l));
    expect(keep(ours)).toEqual(keep(real));
  });

  it.skipIf(!haveE2fsprogs)('skips a too-small last group as mke2fs does', () => {
    const bench = Ext2Bench.fresh(8192 + 1 + 100);
    const sb = new SuperBlockView(bench.disk, 1024);
    expect(sb.s_blocks_count).toBe(8193);
    expectCleanByRealE2fsck(bench.disk.subarray(0, 8193 * 1024));
  });
});

describe('files and directories', () => {
  it('round-trips a tree through unmount and mount, and the real tools agree', () => {
    const bench = Ext2Bench.fresh();
    bench.mount();
    bench.mkdir('/home');
    bench.mkdir('/home/user');
    bench.write('/home/user/hello.txt', 'Hello from ext2\n');
    bench.write('/home/user/hello.txt', 'appended\n', O_WRONLY | O_APPEND);
    bench.mkdir('/etc');
    bench.write('/etc/motd', 'Welcome to DriverLab\n');
    bench.vfs.symlink('/etc/motd', '/motd', '/', ROOT);
    bench.vfs.symlink('x'.repeat(59), '/fast59', '/', ROOT);
    bench.vfs.symlink('y'.repeat(60), '/slow60', '/', ROOT);
    bench.mkdir('/dev');
    bench.vfs.mknod('/dev/my_device', 0o20666, MKDEV(42, 0), '/', { ...ROOT, umask: 0 });
    bench.vfs.mknod('/dev/big', 0o60660, MKDEV(259, 300), '/', { ...ROOT, umask: 0 });
    bench.vfs.mknod('/fifo', 0o10644, 0, '/', { ...ROOT, umask: 0 });
    bench.vfs.chmod('/etc/motd', 0o600, '/', ROOT);
    bench.vfs.chown('/home/user', 1000, 1000, '/', ROOT);
    bench.unmount();
    expect(stateOnDisk(bench.disk) & EXT2_VALID_FS).toBe(EXT2_VALID_FS);

    const again = new Ext2Bench(bench.disk);
    again.mount();
    expect(again.text('/home/user/hello.txt')).toBe('Hello from ext2\nappended\n');
    expect(again.text('/motd')).toBe('Welcome to DriverLab\n');
    expect(again.stat('/fast59').linkTarget).toBe('x'.repeat(59));
    expect(again.stat('/slow60').linkTarget).toBe('y'.repeat(60));
    expect(again.stat('/fast59').size()).toBe(59);
    expect(again.stat('/dev/my_device').rdev).toBe(MKDEV(42, 0));
    expect(again.stat('/dev/big').rdev).toBe(MKDEV(259, 300));
    expect(again.stat('/fifo').mode).toBe(0o10644);
    expect(again.stat('/etc/motd').mode).toBe(0o100600);
    expect(again.stat('/home/user').uid).toBe(1000);
    expect(again.stat('/').nlink).toBe(6);
    expect(again.ls('/')).toEqual(['dev', 'etc', 'fast59', 'fifo', 'home', 'lost+found', 'motd', 'slow60']);
    again.unmount();

    if (!haveE2fsprogs) return;
    expectCleanByRealE2fsck(bench.disk);
    expect(debugfs(bench.disk, 'cat /home/user/hello.txt')).toBe('Hello from ext2\nappended\n');
    expect(debugfs(bench.disk, 'stat /fast59')).toContain(`Fast link dest: "${'x'.repeat(59)}"`);
    expect(debugfs(bench.disk, 'stat /dev/my_device')).toContain('Device major/minor number: 42:00 (hex 2a:00)');
    expect(debugfs(bench.disk, 'stat /dev/big')).toContain('Device major/minor number: 259:300 (hex 103:12c)');
    expect(debugfs(bench.disk, 'ls -l /home')).toMatch(/ 40755 \(2\)\s+1000\s+1000\s+1024 .* user/);
  });

  it('unlinks, removes directories and renames with Linux errors and link counts', () => {
    const bench = Ext2Bench.fresh();
    bench.mount();
    bench.mkdir('/a');
    bench.mkdir('/a/sub');
    bench.mkdir('/b');
    bench.write('/a/f', 'one');
    bench.write('/b/g', 'two');
    expect(errnoOf(() => bench.vfs.rmdir('/a', '/', ROOT))).toBe(ENOTEMPTY);
    expect(errnoOf(() => bench.vfs.unlink('/a/sub', '/', ROOT))).toBe(EISDIR);
    expect(errnoOf(() => bench.vfs.rmdir('/a/f', '/', ROOT))).toBe(ENOTDIR);
    expect(errnoOf(() => bench.vfs.unlink('/a/nope', '/', ROOT))).toBe(ENOENT);
    expect(bench.stat('/a').nlink).toBe(3);

    bench.vfs.rename('/a/f', '/b/g', '/', ROOT);
    expect(bench.text('/b/g')).toBe('one');
    expect(bench.ls('/a')).toEqual(['sub']);
    bench.vfs.rename('/a/sub', '/b/sub', '/', ROOT);
    expect(bench.stat('/a').nlink).toBe(2);
    expect(bench.stat('/b').nlink).toBe(3);
    expect(bench.vfs.lookup('/b/sub/..', '/', { uid: 0, gid: 0 }).path).toBe('/b');
    expect(bench.stat('/b/sub').dirOps!.lookup(bench.stat('/b/sub'), '..')!.ino).toBe(bench.stat('/b').ino);
    bench.mkdir('/c');
    bench.write('/c/x', 'x');
    expect(errnoOf(() => bench.vfs.rename('/b/sub', '/c', '/', ROOT))).toBe(ENOTEMPTY);
    bench.vfs.unlink('/c/x', '/', ROOT);
    bench.vfs.rename('/b/sub', '/c', '/', ROOT);
    expect(bench.ls('/')).toEqual(['a', 'b', 'c', 'lost+found']);
    expect(bench.stat('/b').nlink).toBe(2);
    expect(bench.stat('/').nlink).toBe(6);
    expect(errnoOf(() => bench.vfs.rename('/c', '/c/inside', '/', ROOT))).toBe(22);
    bench.vfs.rmdir('/a', '/', ROOT);
    bench.unmount();
    if (haveE2fsprogs) expectCleanByRealE2fsck(bench.disk);
  });

  it('frees only real blocks when device nodes, FIFOs and symlinks go', () => {
    const bench = Ext2Bench.fresh();
    const fs = bench.mount();
    const before = fs.statfs();
    // i_block of these holds a device number or a symlink target, which must never be taken for block numbers.
    bench.vfs.mknod('/hda1', 0o60660, MKDEV(3, 1), '/', { ...ROOT, umask: 0 });
    bench.vfs.mknod('/big', 0o20600, MKDEV(300, 70000), '/', { ...ROOT, umask: 0 });
    bench.vfs.mknod('/fifo', 0o10644, 0, '/', { ...ROOT, umask: 0 });
    bench.vfs.symlink('ab', '/fast', '/', ROOT);
    bench.vfs.symlink('c'.repeat(300), '/slow', '/', ROOT);
    for (const name of ['/hda1', '/big', '/fifo', '/fast', '/slow']) bench.vfs.unlink(name, '/', ROOT);
    expect(fs.statfs()).toEqual(before);
    expect(bench.printed).toEqual([]);
    bench.unmount();
    if (haveE2fsprogs) expectCleanByRealE2fsck(bench.disk);
  });

  it('keeps an unlinked file readable while open and frees it on the last close', () => {
    const bench = Ext2Bench.fresh();
    const fs = bench.mount();
    bench.write('/tmpfile', pattern(5000));
    const freeBefore = fs.statfs().freeBlocks;
    const f = bench.open('/tmpfile', O_RDONLY);
    bench.vfs.unlink('/tmpfile', '/', ROOT);
    expect(bench.ls('/')).toEqual(['lost+found']);
    expect(bench.vfs.read(f, 0, 5000)).toBe(5000);
    expect(sameBytes(bench.memory.subarray(0, 5000), pattern(5000))).toBe(true);
    expect(fs.statfs().freeBlocks).toBe(freeBefore);
    bench.vfs.close(f);
    expect(fs.statfs().freeBlocks).toBe(freeBefore + 5);
    bench.unmount();
    if (haveE2fsprogs) expectCleanByRealE2fsck(bench.disk);
  });

  it('grows a directory past one block and finds every name again', () => {
    const bench = Ext2Bench.fresh();
    bench.mount();
    bench.mkdir('/many');
    const names = [...Array(300)].map((_, i) => `file-with-a-longish-name-${i}`);
    for (const n of names) bench.write(`/many/${n}`, n);
    for (const n of names.filter((_, i) => i % 3 === 0)) bench.vfs.unlink(`/many/${n}`, '/', ROOT);
    expect(bench.stat('/many').size()).toBeGreaterThan(8 * 1024);
    bench.unmount();
    const again = new Ext2Bench(bench.disk);
    again.mount();
    expect(again.ls('/many')).toEqual(names.filter((_, i) => i % 3 !== 0).sort());
    expect(again.text('/many/file-with-a-longish-name-299')).toBe('file-with-a-longish-name-299');
    again.unmount();
    if (haveE2fsprogs) expectCleanByRealE2fsck(bench.disk);
  });
});

describe('file data', () => {
  it('stores sparse files with holes that read as zeros and cost no blocks', () => {
    const bench = Ext2Bench.fresh();
    const fs = bench.mount();
    const free = fs.statfs().freeBlocks;
    bench.write('/sparse', 'start', O_WRONLY | O_CREAT);
    bench.write('/sparse', 'end', O_WRONLY, 10 * 1024 * 1024);
    const inode = bench.stat('/sparse');
    expect(inode.size()).toBe(10 * 1024 * 1024 + 3);
    // Two data blocks, plus a double-indirect and an indirect block for the far one.
    expect(free - fs.statfs().freeBlocks).toBe(4);
    const data = bench.read('/sparse');
    expect(new TextDecoder().decode(data.subarray(0, 5))).toBe('start');
    expect(sameBytes(data.subarray(5, 10 * 1024 * 1024), new Uint8Array(10 * 1024 * 1024 - 5))).toBe(true);
    inode.truncate!(3000);
    expect(free - fs.statfs().freeBlocks).toBe(1);
    inode.truncate!(2);
    inode.truncate!(4096);
    expect(new TextDecoder().decode(bench.read('/sparse'))).toBe('st' + '\0'.repeat(4094));
    bench.unmount();
    if (haveE2fsprogs) expectCleanByRealE2fsck(bench.disk);
  });

  it('maps big files through indirect, double and triple indirect blocks', () => {
    const bench = Ext2Bench.fresh(32768);
    bench.mount();
    const big = pattern(2 * 1024 * 1024 + 333, 7);
    bench.write('/big', big);
    // 12 + 256 + 65536 blocks in: the first byte needing the triple indirect block.
    const tind = (12 + 256 + 65536) * 1024;
    bench.write('/far', 'triple', O_WRONLY | O_CREAT, tind);
    bench.unmount();
    const again = new Ext2Bench(bench.disk);
    again.mount();
    expect(sameBytes(again.read('/big'), big)).toBe(true);
    const far = again.read('/far');
    expect(far.length).toBe(tind + 6);
    expect(new TextDecoder().decode(far.subarray(tind))).toBe('triple');
    again.unmount();
    if (!haveE2fsprogs) return;
    expectCleanByRealE2fsck(bench.disk);
    expect(sameBytes(Buffer.from(debugfs(bench.disk, 'cat /big'), 'latin1'), big)).toBe(true);
    expect(debugfs(bench.disk, 'stat /far')).toMatch(/\(TIND\):\d+, \(DIND\):\d+, \(IND\):\d+, \(65804\):\d+/);
  });

  it('fails with ENOSPC when the disk is full, keeps the reserve for root, and frees on unlink', () => {
    const bench = Ext2Bench.fresh(2048);
    let root = false;
    const fs = bench.mount({ mayUseReserve: () => root });
    const chunk = pattern(64 * 1024);
    let written = 0;
    for (let i = 0; ; i++) {
      const n = bench.write(`/fill${i}`, chunk);
      written += n;
      if (n < chunk.length) break;
    }
    expect(fs.statfs().availBlocks).toBe(0);
    expect(errnoOf(() => bench.write('/more', 'x'))).toBe(ENOSPC);
    root = true;
    expect(bench.write('/more', 'x')).toBe(1);
    for (;;) { try { bench.write('/more', chunk, O_WRONLY | O_APPEND); } catch { break; } }
    expect(fs.statfs().freeBlocks).toBe(0);
    expect(errnoOf(() => bench.mkdir('/newdir'))).toBe(ENOSPC);
    bench.vfs.unlink('/fill0', '/', ROOT);
    bench.mkdir('/newdir');
    expect(written).toBeGreaterThan(1_500_000);
    bench.unmount();
    if (haveE2fsprogs) expectCleanByRealE2fsck(bench.disk);
  });

  it('refuses to write past the largest file ext2 can map (EFBIG)', () => {
    const bench = Ext2Bench.fresh();
    const fs = bench.mount();
    const max = fs.sbi.geo.maxFileSize();
    expect(max).toBe(17247252480);
    const f = bench.open('/huge', O_RDWR | O_CREAT);
    f.pos = max;
    bench.memory.set([1, 2, 3]);
    expect(bench.vfs.write(f, 0, 3)).toBe(-EFBIG);
    f.pos = max - 1;
    expect(bench.vfs.write(f, 0, 3)).toBe(1);
    bench.vfs.close(f);
    bench.unmount();
    if (haveE2fsprogs) expectCleanByRealE2fsck(bench.disk);
  });
});

describe('mount state', () => {
  it('marks the disk not clean at mount, before any sync, and clean again at unmount', () => {
    const bench = Ext2Bench.fresh(16384, {}, true);
    bench.io.sync();
    bench.mount();
    expect(stateOnDisk(bench.disk) & EXT2_VALID_FS).toBe(0);
    expect(new SuperBlockView(bench.disk, 1024).s_mnt_count).toBe(1);
    bench.write('/file', 'data');
    bench.unmount();
    expect(stateOnDisk(bench.disk) & EXT2_VALID_FS).toBe(EXT2_VALID_FS);
    expect((bench.io as WritebackBlockIo).dirtyBlocks()).toEqual([]);
  });

  it('warns when mounting a file system that was not cleanly unmounted, in 2.2 and modern words', () => {
    const bench = Ext2Bench.fresh(16384, {}, true);
    bench.mount();
    bench.crash(() => false);
    bench.mount({ messageStyle: '2.2' });
    expect(bench.printed).toEqual(['\x014EXT2-fs warning: mounting unchecked fs, running e2fsck is recommended\n']);
    bench.unmount();
    // An unchecked file system stays unchecked: a clean unmount puts back the state found at mount.
    expect(stateOnDisk(bench.disk) & EXT2_VALID_FS).toBe(0);
    bench.printed.length = 0;
    bench.mount();
    expect(bench.printed).toEqual(['\x014EXT2-fs (hda1): warning: mounting unchecked fs, running e2fsck is recommended\n']);
  });

  it('warns when the maximal mount count is reached', () => {
    const bench = Ext2Bench.fresh(16384, { maxMountCount: 2 });
    for (let i = 0; i < 3; i++) { bench.mount(); bench.unmount(); }
    expect(bench.printed).toEqual(['\x014EXT2-fs (hda1): warning: maximal mount count reached, running e2fsck is recommended\n']);
  });

  it('refuses what is not ext2, and writes nothing when read-only', () => {
    const printed: string[] = [];
    const io = new MemoryBlockIo(new Uint8Array(1024 * 1024));
    const ctx = { now: () => 0, toUser: () => 0, fromUser: () => undefined };
    expect(() => new Ext2Fs(io, ctx, (m) => printed.push(m), 1, { deviceName: 'hda1' })).toThrow(Errno);
    expect(() => new Ext2Fs(io, ctx, (m) => printed.push(m), 1, { deviceName: 'hda1', messageStyle: '2.2' })).toThrow(Errno);
    expect(printed).toEqual([
      "\x013EXT2-fs (hda1): error: can't find an ext2 filesystem on dev hda1.\n",
      "\x013VFS: Can't find an ext2 filesystem on dev hda1.\n",
    ]);

    const bench = Ext2Bench.fresh(16384, {}, true);
    bench.io.sync();
    const before = bench.disk.slice();
    bench.mount({ readOnly: true });
    expect(errnoOf(() => bench.mkdir('/x'))).toBe(EROFS);
    expect(() => bench.write('/x', 'y')).toThrow();
    bench.fs.vfsSb.remount!(false);
    bench.write('/x', 'y');
    bench.fs.vfsSb.remount!(true);
    expect(stateOnDisk(bench.disk) & EXT2_VALID_FS).toBe(EXT2_VALID_FS);
    expect(bench.disk).not.toEqual(before);
    expect(bench.text('/x')).toBe('y');
  });

  it('reports df figures: metadata excluded, 5% reserved', () => {
    const bench = Ext2Bench.fresh();
    const st = bench.mount().statfs();
    // 1 boot block, 2 superblocks with their descriptor block, 2 x (2 bitmaps + 128 inode table blocks).
    expect(st).toEqual({ blockSize: 1024, blocks: 16384 - 265, freeBlocks: 16384 - 278, availBlocks: 16384 - 278 - 819, files: 2048, freeFiles: 2037 });
  });
});

describe.skipIf(!haveE2fsprogs)('images made by the real mkfs.ext2', () => {
  it('mounts, reads what debugfs wrote, and writes what e2fsck accepts (256-byte inodes)', () => {
    let image = realMkfs(16384, ['-b', '1024', '-O', '^dir_index,^resize_inode,^ext_attr', '-L', 'real']);
    const contents = pattern(300_000, 3);
    image = debugfsWrite(image, { '/docs/readme': 'made by debugfs\n', '/docs/blob': contents }, ['/docs']);
    const bench = new Ext2Bench(image);
    bench.mount();
    expect(bench.text('/docs/readme')).toBe('made by debugfs\n');
    expect(sameBytes(bench.read('/docs/blob'), contents)).toBe(true);
    bench.mkdir('/docs/more');
    bench.write('/docs/more/new', pattern(50_000, 9));
    bench.vfs.unlink('/docs/readme', '/', ROOT);
    bench.unmount();
    expectCleanByRealE2fsck(image);
    expect(sameBytes(Buffer.from(debugfs(image, 'cat /docs/more/new'), 'latin1'), pattern(50_000, 9))).toBe(true);
  });
});

describe('behind a small buffer cache', () => {
  it('loses nothing when buffers are written back and dropped between any two accesses', () => {
    const bench = Ext2Bench.fresh(16384, {}, true, 3);
    bench.mount();
    bench.mkdir('/src');
    const files = [...Array(40)].map((_, i) => `/src/file${i}`);
    files.forEach((f, i) => bench.write(f, pattern(1000 + i * 997, i)));
    bench.write('/src/big', pattern(400_000, 99));
    bench.vfs.symlink('z'.repeat(200), '/src/slow', '/', ROOT);
    for (const f of files.slice(0, 10)) bench.vfs.unlink(f, '/', ROOT);
    bench.vfs.rename('/src/file20', '/renamed', '/', ROOT);
    bench.stat('/src/big').truncate!(70_000);
    bench.unmount();
    const again = new Ext2Bench(bench.disk, true, 3);
    again.mount();
    expect(again.ls('/src')).toEqual(['big', ...files.slice(10).filter((f) => f !== '/src/file20').map((f) => f.slice(5)), 'slow'].sort());
    expect(sameBytes(again.read('/src/file39'), pattern(1000 + 39 * 997, 39))).toBe(true);
    expect(sameBytes(again.read('/src/big'), pattern(400_000, 99).subarray(0, 70_000))).toBe(true);
    expect(again.stat('/src/slow').linkTarget).toBe('z'.repeat(200));
    again.unmount();
    if (haveE2fsprogs) expectCleanByRealE2fsck(bench.disk);
  });
});

describe('metadata pointing past the end of the disk (found by test/fuzz/ext2.test.ts)', () => {
  it('a first data block beyond the device fails the mount with EIO, as a read past the end does', () => {
    const bench = Ext2Bench.fresh(2048);
    const sb = new SuperBlockView(bench.disk, 1024);
    sb.s_inodes_count = 0;
    sb.s_first_data_block = 2048;
    let err: unknown;
    try { bench.mount(); } catch (e) { err = e; }
    expect(err).toBeInstanceOf(Errno);
    expect((err as Errno).errno).toBe(EIO);
  });
});
