// A test bench for ext2 without a whole machine: a disk image, a block device
// over it (write-through, or write-back with crash), our mke2fs, and the real
// VFS mounted on the Ext2 root, with user memory and a virtual wall clock.
import type { BlockIo } from '../../emulator/kernel/block/blockio.js';
import { Errno } from '../../emulator/kernel/errno.js';
import { MemoryBlockIo, WritebackBlockIo } from '../../emulator/kernel/fs/ext2/mem-blockio.js';
import { mke2fs, type MkfsOptions } from '../../emulator/kernel/fs/ext2/mkfs.js';
import { Ext2Fs, type Ext2MountOptions } from '../../emulator/kernel/fs/ext2/super.js';
import { MKDEV, O_APPEND, O_CREAT, O_RDONLY, O_TRUNC, O_WRONLY, type OpenFile } from '../../emulator/kernel/fs/types.js';
import { Prng } from '../../emulator/kernel/prng.js';
import { Vfs } from '../../emulator/kernel/fs/vfs.js';

export const MKFS_TIME = 1_700_000_000;
const ROOT = { uid: 0, gid: 0, umask: 0o022 };
const CHUNK = 1 << 20;

export class Ext2Bench {
  readonly memory = new Uint8Array(CHUNK);
  nowNs = (MKFS_TIME + 100) * 1e9;
  readonly printed: string[] = [];
  io: BlockIo;
  fs!: Ext2Fs;
  vfs!: Vfs;

  /**
   * `writeback`: dirty blocks reach `disk` only on sync or eviction (and
   * crash() can lose them); `capacity`: how many buffers the cache holds.
   */
  constructor(readonly disk: Uint8Array, readonly writeback = false, capacity = Infinity) {
    this.io = writeback ? new WritebackBlockIo(disk, 1024, capacity) : new MemoryBlockIo(disk);
  }

  static fresh(blocks = 16384, opts: Partial<MkfsOptions> = {}, writeback = false, capacity = Infinity): Ext2Bench {
    const bench = new Ext2Bench(new Uint8Array(blocks * 1024), writeback, capacity);
    mke2fs(bench.io, { now: MKFS_TIME, ...opts });
    return bench;
  }

  readonly ctx = {
    now: () => (this.nowNs += 1_000_000),
    toUser: (uaddr: number, src: Uint8Array) => { this.memory.set(src, uaddr); return 0; },
    fromUser: (uaddr: number, len: number) => this.memory.slice(uaddr, uaddr + len),
  };

  mount(opts: Ext2MountOptions = {}): Ext2Fs {
    this.fs = new Ext2Fs(this.io, this.ctx, (m) => this.printed.push(m), 0x0301, { deviceName: 'hda1', ...opts });
    this.vfs = new Vfs(this.fs.root);
    return this.fs;
  }

  unmount(): void {
    this.fs.unmount();
  }

  /** Loses every dirty buffer `survives` rejects, then forgets the mount, as a reset does. */
  crash(survives: (block: number) => boolean): void {
    (this.io as WritebackBlockIo).crash(survives);
  }

  open(path: string, flags: number, mode = 0o644): OpenFile {
    const f = this.vfs.open(path, flags, mode, '/', ROOT);
    if (typeof f === 'number') throw new Errno(-f);
    return f as OpenFile;
  }

  write(path: string, data: Uint8Array | string, flags = O_WRONLY | O_CREAT | O_TRUNC, at?: number): number {
    const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
    const f = this.open(path, flags);
    if (at !== undefined) f.pos = at;
    let done = 0;
    while (done < bytes.length) {
      const n = Math.min(CHUNK, bytes.length - done);
      this.memory.set(bytes.subarray(done, done + n));
      const r = this.vfs.write(f, 0, n) as number;
      if (r < 0) { this.vfs.close(f); throw new Errno(-r); }
      done += r;
      if (r < n) break;
    }
    this.vfs.close(f);
    return done;
  }

  read(path: string): Uint8Array {
    const f = this.open(path, O_RDONLY);
    const parts: Uint8Array[] = [];
    for (;;) {
      const r = this.vfs.read(f, 0, CHUNK) as number;
      if (r < 0) throw new Errno(-r);
      if (r === 0) break;
      parts.push(this.memory.slice(0, r));
    }
    this.vfs.close(f);
    const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of parts) { out.set(p, at); at += p.length; }
    return out;
  }

  text(path: string): string {
    return new TextDecoder().decode(this.read(path));
  }

  mkdir(path: string, mode = 0o755): void {
    this.vfs.mkdir(path, mode, '/', ROOT);
  }

  ls(path: string): string[] {
    const dir = this.vfs.lookup(path, '/', ROOT).inode;
    return dir.dirOps!.list(dir).map((e) => e.name).sort();
  }

  stat(path: string) {
    return this.vfs.lookup(path, '/', ROOT, false).inode;
  }
}

/** Deterministic bytes for file contents. */
export function pattern(length: number, seed = 1): Uint8Array {
  const out = new Uint8Array(length);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0;
    out[i] = x & 0xff;
  }
  return out;
}

/**
 * A disk after a crash: a random mix of file system operations (files big
 * and small, directories, renames, links, symlinks, device nodes, truncates,
 * unlinks), with the write-back of some old dirty buffers now and then, then
 * the power fails and each remaining dirty buffer reaches the disk or not.
 * The same seed gives the same disk.
 */
export function crashImage(seed: number, blocks = [4096, 16384, 20000][seed % 3]!): Uint8Array {
  const rng = new Prng(seed * 7919);
  const bench = Ext2Bench.fresh(blocks, {}, true);
  bench.io.sync();
  bench.mount();
  const io = bench.io as WritebackBlockIo;
  const files: string[] = [];
  /** Symlinks and device nodes: their i_block holds no block numbers. */
  const others: string[] = [];
  const dirs = ['/'];
  const pick = <T>(a: T[]) => a[rng.range(0, a.length - 1)]!;
  const inDir = (d: string, n: string) => `${d === '/' ? '' : d}/${n}`;
  const cred = { uid: 0, gid: 0, umask: 0 };
  const someFile = () => files.length > 0, someDir = () => dirs.length > 1;
  const ops: [when: () => boolean, op: () => void][] = [
    [() => true, () => { const n = inDir(pick(dirs), `f${files.length}`); bench.write(n, pattern(rng.range(0, 30000), rng.next())); files.push(n); }],
    [() => true, () => { const n = inDir(pick(dirs), `d${dirs.length}`); bench.mkdir(n); dirs.push(n); }],
    [someFile, () => { const i = rng.range(0, files.length - 1); bench.vfs.unlink(files[i]!, '/', cred); files.splice(i, 1); }],
    [someFile, () => { bench.write(pick(files), pattern(rng.range(1, 3000), rng.next()), O_WRONLY | O_APPEND); }],
    [someFile, () => { const i = rng.range(0, files.length - 1); const to = inDir(pick(dirs), `r${rng.next() % 1000}`); bench.vfs.rename(files[i]!, to, '/', cred); files[i] = to; }],
    [() => true, () => { for (const b of io.dirtyBlocks()) if (rng.range(0, 2) === 0) io.syncBuffer(io.bread(b)); }],
    [someFile, () => { bench.stat(pick(files)).truncate!(rng.range(0, 5000)); }],
    [() => true, () => { const n = inDir(pick(dirs), `l${rng.next() % 1000}`); bench.vfs.symlink('t'.repeat(rng.range(1, 120)), n, '/', cred); others.push(n); }],
    [() => true, () => { const n = inDir(pick(dirs), `c${rng.next() % 1000}`); bench.vfs.mknod(n, 0o20644, MKDEV(rng.range(1, 300), rng.range(0, 300)), '/', cred); others.push(n); }],
    [() => others.length > 0, () => { const i = rng.range(0, others.length - 1); bench.vfs.unlink(others[i]!, '/', cred); others.splice(i, 1); }],
    [someFile, () => {
      const dir = bench.vfs.lookup(pick(dirs), '/', cred).inode;
      dir.dirOps!.link!(bench.stat(pick(files)), dir, `h${rng.next() % 1000}`);
    }],
    [someDir, () => { const i = rng.range(1, dirs.length - 1); bench.vfs.rmdir(dirs[i]!, '/', cred); dirs.splice(i, 1); }],
    [() => true, () => { const n = inDir(pick(dirs), `big${files.length}`); bench.write(n, pattern(rng.range(280_000, 500_000), rng.next())); files.push(n); }],
    [someDir, () => { const i = rng.range(1, dirs.length - 1); const to = inDir(pick(dirs), `m${rng.next() % 1000}`); bench.vfs.rename(dirs[i]!, to, '/', cred); dirs[i] = to; }],
  ];
  const steps = rng.range(20, 120);
  for (let step = 0; step < steps; step++) {
    const [when, op] = pick(ops);
    if (!when()) continue;
    try {
      op();
    } catch (e) {
      // ENOSPC, ENOTEMPTY, ENOENT (a renamed directory's old paths), EINVAL (a directory into itself)...
      if (!(e instanceof Errno)) throw e;
    }
  }
  bench.crash(() => rng.range(0, 1) === 0);
  return bench.disk;
}
