// Fuzzing ext2 as our kernel mounts it and our e2fsck checks it: real images (made by our mke2fs
// and filled through the VFS) with bytes overwritten. A corrupted disk is refused ("can't find an
// ext2 filesystem", EINVAL), or mounted and its bad parts give errno values (EIO with the
// "EXT2-fs error" line) to whoever reads them; e2fsck repairs it or says why it cannot. Nothing
// throws a JavaScript exception and nothing loops forever.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Errno } from '../../emulator/kernel/errno.js';
import { e2fsck } from '../../emulator/kernel/fs/ext2/e2fsck/e2fsck.js';
import { MemoryBlockIo } from '../../emulator/kernel/fs/ext2/mem-blockio.js';
import { isDir, isReg, O_RDONLY, O_WRONLY, O_CREAT, O_APPEND } from '../../emulator/kernel/fs/types.js';
import { Ext2Bench, pattern } from '../helpers/ext2.js';
import { applyMutation, bounded, check, mutation, type Mutation } from './harness.js';

const BLOCKS = 2048;

/** A small disk with a bit of everything: directories, small and large files (indirect blocks), a symlink, a device node. */
function sampleImage(): Uint8Array {
  const bench = Ext2Bench.fresh(BLOCKS);
  bench.mount();
  bench.mkdir('/dir');
  bench.mkdir('/dir/sub');
  bench.write('/hello.c', '#include <linux/module.h>\n');
  bench.write('/dir/big', pattern(300_000));
  for (let i = 0; i < 40; i++) bench.write(`/dir/sub/file-with-a-long-name-${i}`, pattern(i * 97, i));
  bench.vfs.symlink('/dir/big', '/link', '/', { uid: 0, gid: 0 });
  bench.unmount();
  return bench.disk;
}

const ORIGINAL = sampleImage();
/** The metadata is in the first blocks (superblock, descriptors, bitmaps, inode table, directories). */
const METADATA: [number, number] = [1024, 300 * 1024];

const NOW = 1_700_100_000;

/** Everything a learner's shell might do to a mounted disk: ls -R, cat every file, write one. */
function exercise(bench: Ext2Bench, errors: number[]): void {
  const attempt = (fn: () => void) => {
    try {
      fn();
    } catch (e) {
      if (!(e instanceof Errno)) throw e;
      errors.push(e.errno);
    }
  };
  // A corrupted directory may hold an entry for its own ancestor: like find, visit each directory once.
  const seen = new Set<number>();
  let budget = 400;
  const walk = (path: string, depth: number) => {
    if (depth > 6) return;
    let names: string[] = [];
    attempt(() => { names = bench.ls(path); });
    for (const name of names.slice(0, 60)) {
      if (name === '.' || name === '..' || --budget < 0) continue;
      const full = `${path === '/' ? '' : path}/${name}`;
      attempt(() => {
        const inode = bench.stat(full);
        if (isDir(inode.mode)) {
          if (!seen.has(inode.ino)) { seen.add(inode.ino); walk(full, depth + 1); }
        } else if (isReg(inode.mode)) {
          readHead(bench, full);
        }
      });
    }
  };
  walk('/', 0);
  attempt(() => { bench.write('/dir/new', pattern(5000)); });
  attempt(() => { bench.write('/hello.c', 'more\n', O_WRONLY | O_CREAT | O_APPEND); });
  attempt(() => { bench.mkdir('/made'); });
  attempt(() => { bench.vfs.unlink('/dir/sub/file-with-a-long-name-3', '/', { uid: 0, gid: 0 }); });
  attempt(() => { bench.open('/link', O_RDONLY); });
  attempt(() => { bench.unmount(); });
}

/** cat | head -c 2M: a corrupted size may claim gigabytes of holes. */
function readHead(bench: Ext2Bench, path: string): void {
  const f = bench.open(path, O_RDONLY);
  try {
    for (let total = 0; total < 2 << 20;) {
      const r = bench.vfs.read(f, 0, 1 << 20) as number;
      if (r < 0) throw new Errno(-r);
      if (r === 0) break;
      total += r;
    }
  } finally {
    bench.vfs.close(f);
  }
}

function corrupted(m: Mutation): Uint8Array {
  return applyMutation(ORIGINAL, m, METADATA);
}

describe('ext2 on a corrupted disk', () => {
  const damage = mutation(ORIGINAL.length, { within: METADATA, maxEdits: 12 });

  it('mounts it or refuses it with the kernel\'s message; reading it gives errno values, never an exception', () => {
    check(fc.property(damage, (m) => {
      const bench = new Ext2Bench(corrupted(m));
      const errors: number[] = [];
      bounded(`mount and ls -R of a disk with ${JSON.stringify(m.edits)}`, () => {
        try {
          bench.mount();
        } catch (e) {
          if (!(e instanceof Errno)) throw e;
          return;
        }
        exercise(bench, errors);
      });
      for (const errno of errors) expect(errno).toBeGreaterThan(0);
    }), 150);
  });

  it('e2fsck -fy repairs it or says it cannot, and a second check finds nothing more to fix', () => {
    check(fc.property(damage, (m) => {
      const disk = corrupted(m);
      const what = `e2fsck -fy of a disk with ${JSON.stringify(m.edits)}`;
      const first = bounded(what, () => e2fsck(new MemoryBlockIo(disk), { mode: 'yes', force: true, deviceName: '/dev/hda1', now: NOW }));
      expect(first.output).toMatch(/^e2fsck 1\.47\.0/);
      expect([0, 1, 2, 4, 8, 12]).toContain(first.exitCode);
      if (first.exitCode >= 4) return;
      const second = bounded(`second ${what}`, () => e2fsck(new MemoryBlockIo(disk), { mode: 'no', force: true, deviceName: '/dev/hda1', now: NOW }));
      expect(second.output.split('\n').slice(1, 6).join('\n')).toBe('Pass 1: Checking inodes, blocks, and sizes\nPass 2: Checking directory structure\n' +
        'Pass 3: Checking directory connectivity\nPass 4: Checking reference counts\nPass 5: Checking group summary information');
      expect(second.exitCode).toBe(0);
      // A repaired disk mounts and can be used.
      const bench = new Ext2Bench(disk);
      bench.mount();
      const errors: number[] = [];
      exercise(bench, errors);
    }), 80);
  });

  it('e2fsck -p (at boot) fixes what is safe or stops with "UNEXPECTED INCONSISTENCY; RUN fsck MANUALLY."', () => {
    check(fc.property(damage, (m) => {
      const disk = corrupted(m);
      const r = bounded(`e2fsck -p of a disk with ${JSON.stringify(m.edits)}`, () => e2fsck(new MemoryBlockIo(disk), { mode: 'preen', force: true, deviceName: '/dev/hda1', now: NOW }));
      if (r.exitCode & 4) expect(r.output).toMatch(/RUN fsck MANUALLY|Superblock|superblock|corrupt|Bad magic/i);
    }), 80);
  });
});
