// A test bench for ext2 without a whole machine: a disk image, a block device
// over it (write-through, or write-back with crash), our mke2fs, and the real
// VFS mounted on the Ext2 root, with user memory and a virtual wall clock.
import type { BlockIo } from '../../emulator/kernel/block/blockio.js';
import { Errno } from '../../emulator/kernel/errno.js';
import { MemoryBlockIo, WritebackBlockIo } from '../../emulator/kernel/fs/ext2/mem-blockio.js';
import { mke2fs, type MkfsOptions } from '../../emulator/kernel/fs/ext2/mkfs.js';
import { Ext2Fs, type Ext2MountOptions } from '../../emulator/kernel/fs/ext2/super.js';
import { O_CREAT, O_RDONLY, O_TRUNC, O_WRONLY, type OpenFile } from '../../emulator/kernel/fs/types.js';
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

  /** `writeback`: dirty blocks reach `disk` only on sync (and crash() can lose them). */
  constructor(readonly disk: Uint8Array, readonly writeback = false) {
    this.io = writeback ? new WritebackBlockIo(disk) : new MemoryBlockIo(disk);
  }

  static fresh(blocks = 16384, opts: Partial<MkfsOptions> = {}, writeback = false): Ext2Bench {
    const bench = new Ext2Bench(new Uint8Array(blocks * 1024), writeback);
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
