// e2fsck on disks a crash left behind: hand-made cases with the exact text
// e2fsck prints, and many seeded crashes checked against the real e2fsck
// 1.47 (same verdict, same repairs, same output, and a result it finds clean).
import { describe, expect, it } from 'vitest';
import { Errno } from '../../errno.js';
import { O_RDONLY, O_WRONLY, O_CREAT, isDir, isReg } from '../types.js';
import { e2fsck, type E2fsckOptions } from './e2fsck/e2fsck.js';
import { MemoryBlockIo, WritebackBlockIo } from './mem-blockio.js';
import type { BlockIo } from '../../block/blockio.js';
import { EXT2_VALID_FS, SuperBlockView } from './layout.js';
import { type Ext2Inode, inodeLocation } from './inode.js';
import { Ext2Bench, crashImage, pattern } from '../../../../test/helpers/ext2.js';
import { haveE2fsprogs, realE2fsck } from '../../../../test/helpers/e2fsprogs.js';

const NOW = 1_700_100_000;
const ROOT = { uid: 0, gid: 0 };

function fsck(image: Uint8Array, mode: E2fsckOptions['mode'], extra: Partial<E2fsckOptions> = {}, io: BlockIo = new MemoryBlockIo(image)) {
  return e2fsck(io, { mode, force: mode !== 'preen', deviceName: '/dev/hda1', now: NOW, ...extra });
}

/** Real e2fsck -fy on a copy, its output with the device named as ours is. */
function realFix(image: Uint8Array): { status: number; output: string } {
  const copy = image.slice();
  const r = realE2fsck(copy, ['-fy']);
  return { status: r.status, output: r.output.replaceAll('IMAGE', '/dev/hda1') };
}

const bannerless = (s: string) => s.replace('e2fsck 1.47.0 (5-Feb-2023)\n', '');

/** A disk where a file was created and everything reached the disk but the blocks `lost` picks. */
function afterCrash(lost: (bench: Ext2Bench) => number[]): Uint8Array {
  const bench = Ext2Bench.fresh(16384, {}, true);
  bench.io.sync();
  bench.mount();
  bench.write('/notes.txt', 'written just before the crash\n');
  const dropped = new Set(lost(bench));
  bench.crash((b) => !dropped.has(b));
  return bench.disk;
}

describe('e2fsck on a clean file system', () => {
  it('skips the check unless forced, and says so as e2fsck does', () => {
    const bench = Ext2Bench.fresh();
    bench.mount();
    bench.unmount();
    const r = fsck(bench.disk, 'preen');
    expect(r).toEqual({ output: '/dev/hda1: clean, 11/2048 files, 278/16384 blocks\n', exitCode: 0 });
    const forced = fsck(bench.disk, 'yes');
    expect(forced.output).toBe('e2fsck 1.47.0 (5-Feb-2023)\nPass 1: Checking inodes, blocks, and sizes\n' +
      'Pass 2: Checking directory structure\nPass 3: Checking directory connectivity\nPass 4: Checking reference counts\n' +
      'Pass 5: Checking group summary information\n/dev/hda1: 11/2048 files (0.0% non-contiguous), 278/16384 blocks\n');
    expect(forced.exitCode).toBe(0);
  });

  it('names the device by its volume label, and counts down to a forced check', () => {
    const bench = Ext2Bench.fresh(16384, { label: 'root', maxMountCount: 5 });
    for (let i = 0; i < 3; i++) { bench.mount(); bench.unmount(); }
    expect(fsck(bench.disk, 'preen').output).toBe('root: clean, 11/2048 files, 278/16384 blocks (check in 2 mounts)\n');
    for (let i = 0; i < 2; i++) { bench.mount(); bench.unmount(); }
    const r = fsck(bench.disk, 'preen');
    expect(r.output).toBe('root has been mounted 5 times without being checked, check forced.\n' +
      'root: 11/2048 files (0.0% non-contiguous), 278/16384 blocks\n');
    expect(new SuperBlockView(bench.disk, 1024).s_mnt_count).toBe(0);
  });

  it('accepts a file system made by the real mkfs.ext2', () => {
    if (!haveE2fsprogs) return;
    const bench = Ext2Bench.fresh();
    bench.mount();
    bench.mkdir('/a');
    bench.write('/a/b', pattern(100_000));
    bench.vfs.symlink('/a/b', '/c', '/', ROOT);
    bench.unmount();
    expect(fsck(bench.disk, 'no').exitCode).toBe(0);
  });
});

describe('e2fsck after a crash', () => {
  it('reconnects a file whose directory entry never reached the disk', () => {
    const disk = afterCrash((bench) => [(bench.fs.root as Ext2Inode).bmap(0)]);
    const preen = fsck(disk.slice(), 'preen');
    expect(preen.output).toBe('/dev/hda1 was not cleanly unmounted, check forced.\n' +
      '/dev/hda1: Unattached inode 12\n\n\n/dev/hda1: UNEXPECTED INCONSISTENCY; RUN fsck MANUALLY.\n\t(i.e., without -a or -p options)\n');
    expect(preen.exitCode).toBe(4);

    const r = fsck(disk, 'yes');
    expect(bannerless(r.output)).toBe(`Pass 1: Checking inodes, blocks, and sizes
Pass 2: Checking directory structure
Pass 3: Checking directory connectivity
Pass 4: Checking reference counts
Unattached inode 12
Connect to /lost+found? yes

Inode 12 ref count is 2, should be 1.  Fix? yes

Pass 5: Checking group summary information

/dev/hda1: ***** FILE SYSTEM WAS MODIFIED *****
/dev/hda1: 12/2048 files (0.0% non-contiguous), 279/16384 blocks
`);
    expect(r.exitCode).toBe(1);
    expect(new SuperBlockView(disk, 1024).s_state).toBe(EXT2_VALID_FS);
    const bench = new Ext2Bench(disk);
    bench.mount();
    expect(bench.text('/lost+found/#12')).toBe('written just before the crash\n');
    expect(bench.printed).toEqual([]);
  });

  it('fixes bitmaps and free counts quietly when preening, and lists them with -y', () => {
    const groupTables = (bench: Ext2Bench) => {
      const gd = bench.fs.sbi.gd(0);
      return [gd.bg_block_bitmap, gd.bg_inode_bitmap, 1, 2];
    };
    const disk = afterCrash(groupTables);
    const preen = fsck(disk.slice(), 'preen');
    expect(preen).toEqual({
      output: '/dev/hda1 was not cleanly unmounted, check forced.\n/dev/hda1: 12/2048 files (0.0% non-contiguous), 279/16384 blocks\n',
      exitCode: 1,
    });
    const r = fsck(disk, 'yes');
    expect(bannerless(r.output)).toContain(`Pass 5: Checking group summary information
Block bitmap differences:  +146
Fix? yes

Free blocks count wrong for group #0 (8047, counted=8046).
Fix? yes

Free blocks count wrong (16106, counted=16105).
Fix? yes

Inode bitmap differences:  +12
Fix? yes

Free inodes count wrong for group #0 (1013, counted=1012).
Fix? yes

Free inodes count wrong (2037, counted=2036).
Fix? yes
`);
    expect(r.exitCode).toBe(1);
    expect(fsck(disk, 'no').exitCode).toBe(0);
  });

  it('clears a directory entry whose inode never reached the disk', () => {
    const disk = afterCrash((bench) => {
      const gd = bench.fs.sbi.gd(0);
      return [inodeLocation(bench.fs.sbi, 12).block, gd.bg_block_bitmap, gd.bg_inode_bitmap, 1, 2];
    });
    const r = fsck(disk, 'yes');
    expect(bannerless(r.output)).toContain("Pass 2: Checking directory structure\nEntry 'notes.txt' in / (2) has deleted/unused inode 12.  Clear? yes\n\n");
    expect(r.exitCode).toBe(1);
  });

  it('asks for a reboot when the checked file system is the mounted root', () => {
    const disk = afterCrash((bench) => [(bench.fs.root as Ext2Inode).bmap(0)]);
    const r = fsck(disk, 'yes', { isMountedRoot: true });
    expect(r.output).toContain('\n/dev/hda1: ***** FILE SYSTEM WAS MODIFIED *****\n/dev/hda1: ***** REBOOT SYSTEM *****\n');
    expect(r.exitCode).toBe(3);
  });

  it('refuses a disk without ext2 on it', () => {
    const r = fsck(new Uint8Array(1 << 20), 'preen');
    expect(r.exitCode).toBe(8);
    expect(r.output).toContain('e2fsck: Bad magic number in super-block while trying to open /dev/hda1\n');
    expect(r.output).toContain('The superblock could not be read or does not describe a valid ext2/ext3/ext4\n');
  });
});

describe.skipIf(!haveE2fsprogs)('seeded crashes, cross-checked with the real e2fsck', () => {
  const seeds = [...Array(20)].map((_, i) => i + 1);

  it('agrees on the verdict, prints the same repairs, and leaves disks the real one finds clean', () => {
    let damaged = 0;
    for (const seed of seeds) {
      const disk = crashImage(seed);
      const real = realE2fsck(disk.slice(), ['-fn']);
      const ours = fsck(disk.slice(), 'no');
      expect(ours.exitCode === 0, `seed ${seed}: verdict\n${ours.output}\n--- real\n${real.output}`).toBe(real.status === 0);
      if (real.status !== 0) damaged++;

      const expected = realFix(disk);
      // Every other seed goes through a cache of four buffers, so that no repair may rely on a buffer staying put.
      const repaired = disk.slice();
      const fixed = fsck(repaired, 'yes', {}, seed % 2 ? new MemoryBlockIo(repaired) : new WritebackBlockIo(repaired, 1024, 4));
      expect(bannerless(fixed.output), `seed ${seed}`).toBe(bannerless(expected.output).replace(/\n$/, '') + '\n');
      expect(fixed.exitCode, `seed ${seed}`).toBe(expected.status);
      const after = realE2fsck(repaired);
      expect(after.status, `seed ${seed}: the real e2fsck after ours\n${after.output}`).toBe(0);
      expect(after.output).not.toMatch(/\? no|differences|wrong/);
    }
    expect(damaged).toBeGreaterThan(seeds.length / 2);
  });

  it('leaves disks our ext2 mounts, walks and writes without complaint', () => {
    for (const seed of seeds.slice(0, 8)) {
      const disk = crashImage(seed);
      fsck(disk, 'yes');
      const bench = new Ext2Bench(disk);
      bench.mount();
      const walk = (path: string): number => {
        let files = 0;
        for (const name of bench.ls(path)) {
          const full = `${path === '/' ? '' : path}/${name}`;
          const inode = bench.stat(full);
          if (isDir(inode.mode)) files += walk(full);
          else if (isReg(inode.mode)) { expect(bench.read(full).length).toBe(inode.size()); files++; }
        }
        return files;
      };
      walk('/');
      bench.write('/after-fsck', pattern(20_000));
      bench.unmount();
      expect(bench.printed, `seed ${seed}`).toEqual([]);
      expect(realE2fsck(disk).status, `seed ${seed}`).toBe(0);
    }
  });
});

describe('ext2 on a crashed disk nobody checked', () => {
  it('mounts with the warning, fails damaged operations with EIO only, and e2fsck repairs the rest', () => {
    for (const seed of [3, 5, 11, 17, 23, 31]) {
      const disk = crashImage(seed);
      const bench = new Ext2Bench(disk, true);
      bench.mount();
      expect(bench.printed[0]).toContain('mounting unchecked fs, running e2fsck is recommended');
      const attempt = (f: () => unknown) => {
        try { f(); } catch (e) { if (!(e instanceof Errno)) throw e; }
      };
      const visit = (path: string, depth: number) => {
        let names: string[] = [];
        attempt(() => { names = bench.ls(path); });
        for (const name of names) {
          const full = `${path === '/' ? '' : path}/${name}`;
          attempt(() => {
            const inode = bench.stat(full);
            if (isDir(inode.mode) && depth < 8) visit(full, depth + 1);
            else if (isReg(inode.mode)) bench.read(full);
          });
        }
      };
      visit('/', 0);
      attempt(() => bench.write('/new', pattern(50_000), O_WRONLY | O_CREAT));
      attempt(() => bench.vfs.unlink('/new', '/', ROOT));
      attempt(() => bench.mkdir('/newdir'));
      attempt(() => { const f = bench.open('/', O_RDONLY); bench.vfs.close(f); });
      bench.unmount();
      (bench.io as WritebackBlockIo).sync();
      const repaired = fsck(disk, 'yes');
      expect(repaired.exitCode, `seed ${seed}\n${repaired.output}`).toBeLessThan(4);
      if (haveE2fsprogs) expect(realE2fsck(disk).status, `seed ${seed}`).toBe(0);
    }
  });
});

describe('the boot sequence', () => {
  it('mounts the root read-only, lets e2fsck repair it through the same buffers, then remounts read-write', () => {
    const disk = afterCrash((bench) => [(bench.fs.root as Ext2Inode).bmap(0)]);
    const bench = new Ext2Bench(disk, true);
    bench.mount({ readOnly: true });
    expect(bench.printed).toEqual([]);
    const r = e2fsck(bench.io, { mode: 'yes', deviceName: '/dev/hda1', now: NOW, isMountedRoot: true });
    expect(r.output).toContain('/dev/hda1 was not cleanly unmounted, check forced.\n');
    expect(r.output).toContain('Unattached inode 12\nConnect to /lost+found? yes\n');
    expect(r.exitCode).toBe(3);
    bench.fs.vfsSb.remount!(false);
    expect(bench.printed).toEqual([]);
    expect(bench.text('/lost+found/#12')).toBe('written just before the crash\n');
    bench.write('/after-boot', 'ok\n');
    bench.unmount();
    expect(new SuperBlockView(disk, 1024).s_state).toBe(EXT2_VALID_FS);
    expect(fsck(disk, 'preen').output).toBe('/dev/hda1: clean, 13/2048 files, 280/16384 blocks\n');
  });
});

describe('a superblock whose inode count disagrees with its groups (found by test/fuzz/ext2.test.ts)', () => {
  function damaged(): Uint8Array {
    const bench = Ext2Bench.fresh(2048);
    bench.mount();
    bench.write('/notes.txt', 'kept\n');
    bench.unmount();
    const sb = new SuperBlockView(bench.disk, 1024);
    sb.s_inodes_count ^= 0x101;
    return bench.disk;
  }
  const opening = 'ext2fs_open2: The ext2 superblock is corrupt\ne2fsck: Superblock invalid, trying backup blocks...\n' +
    'e2fsck: The ext2 superblock is corrupt while trying to open /dev/hda1\ne2fsck: Trying to load superblock despite errors...\n';

  it('-y loads it despite the error, offers the right count and checks the rest', () => {
    const disk = damaged();
    const r = fsck(disk, 'yes');
    expect(r.output).toBe(`e2fsck 1.47.0 (5-Feb-2023)\n${opening}Inode count in superblock is 1, should be 256.\nFix? yes\n\n` +
      'Pass 1: Checking inodes, blocks, and sizes\nPass 2: Checking directory structure\nPass 3: Checking directory connectivity\n' +
      'Pass 4: Checking reference counts\nPass 5: Checking group summary information\n\n/dev/hda1: ***** FILE SYSTEM WAS MODIFIED *****\n' +
      '/dev/hda1: 12/256 files (0.0% non-contiguous), 51/2048 blocks\n');
    expect(r.exitCode).toBe(1);
    expect(fsck(disk, 'no').exitCode).toBe(0);
    if (haveE2fsprogs) expect(realE2fsck(disk).status).toBe(0);
  });

  it('-n stops with "Corruption found in superblock", and -p asks for a manual run, as e2fsck 1.47 does', () => {
    const no = fsck(damaged(), 'no');
    expect(no.output).toContain(`${opening}Inode count in superblock is 1, should be 256.\nFix? no\n\n` +
      'Corruption found in superblock.  (inodes_count = 1).\n\nThe superblock could not be read');
    expect(no.exitCode).toBe(12);
    const preen = fsck(damaged(), 'preen');
    expect(preen.output).toBe('e2fsck: The ext2 superblock is corrupt while trying to open /dev/hda1\ne2fsck: Trying to load superblock despite errors...\n' +
      '/dev/hda1: Inode count in superblock is 1, should be 256.\n\n\n/dev/hda1: UNEXPECTED INCONSISTENCY; RUN fsck MANUALLY.\n\t(i.e., without -a or -p options)\n');
    expect(preen.exitCode).toBe(4);
  });

  it.skipIf(!haveE2fsprogs)('the real e2fsck reads it the same way', () => {
    const r = realFix(damaged());
    expect(r.output).toContain('Inode count in superblock is 1, should be 256.\nFix? yes\n');
    expect(r.status).toBe(1);
  });
});
