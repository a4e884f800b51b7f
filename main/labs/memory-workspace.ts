// A workspace held in memory: what a check run mounts at /home/lab instead of the learner's
// folder. It starts as a copy of the learner's files; make's objects, the check's own test
// programs and anything a command writes stay here, so a check run never changes the learner's
// files. Every machine of one check run mounts the same copy: what one built, the next finds.
import type { HostDirectory, HostStat } from '../../emulator/host.js';

interface Node {
  kind: 'file' | 'dir';
  data: Uint8Array;
  mode: number;
  mtimeMs: number;
}

function hostError(code: string, p: string): Error {
  return Object.assign(new Error(`${code}: ${p}`), { code });
}

export class MemoryWorkspace implements HostDirectory {
  private readonly nodes = new Map<string, Node>([['', { kind: 'dir', data: new Uint8Array(0), mode: 0o755, mtimeMs: 0 }]]);
  private clockMs: number;

  /** `files`: relative path -> content (with the file's modification time, when known). */
  constructor(files: ReadonlyMap<string, { data: Uint8Array; mtimeMs?: number; mode?: number }> = new Map(), now = Date.now()) {
    this.clockMs = now;
    for (const [p, f] of files) {
      this.mkdirs(parentOf(p));
      this.nodes.set(p, { kind: 'file', data: f.data, mode: f.mode ?? 0o644, mtimeMs: f.mtimeMs ?? now });
    }
  }

  /** A write is always newer than everything before it, so make sees what it just built as up to date. */
  private tick(): number {
    this.clockMs = Math.max(this.clockMs + 1, Date.now());
    return this.clockMs;
  }

  private mkdirs(dir: string): void {
    if (dir === '' || this.nodes.has(dir)) return;
    this.mkdirs(parentOf(dir));
    this.nodes.set(dir, { kind: 'dir', data: new Uint8Array(0), mode: 0o755, mtimeMs: this.clockMs });
  }

  private norm(p: string): string {
    return p.split('/').filter((s) => s !== '' && s !== '.').join('/');
  }

  private get(p: string, kind?: 'file' | 'dir'): Node {
    const n = this.nodes.get(this.norm(p));
    if (!n) throw hostError('ENOENT', p);
    if (kind === 'file' && n.kind !== 'file') throw hostError('EISDIR', p);
    if (kind === 'dir' && n.kind !== 'dir') throw hostError('ENOTDIR', p);
    return n;
  }

  private requireParent(p: string): void {
    this.get(parentOf(p), 'dir');
  }

  stat(p: string): HostStat | undefined {
    const n = this.nodes.get(this.norm(p));
    return n && { kind: n.kind, size: n.data.length, mode: n.mode, mtimeMs: n.mtimeMs };
  }

  readdir(p: string): string[] {
    const dir = this.norm(p);
    this.get(dir, 'dir');
    const prefix = dir === '' ? '' : `${dir}/`;
    const names: string[] = [];
    for (const key of this.nodes.keys()) {
      if (key !== '' && key.startsWith(prefix) && !key.slice(prefix.length).includes('/')) names.push(key.slice(prefix.length));
    }
    return names.sort();
  }

  readFile(p: string): Uint8Array {
    return this.get(p, 'file').data;
  }

  writeFile(p: string, data: Uint8Array): void {
    const key = this.norm(p);
    this.requireParent(key);
    const old = this.nodes.get(key);
    if (old?.kind === 'dir') throw hostError('EISDIR', p);
    this.nodes.set(key, { kind: 'file', data: data.slice(), mode: old?.mode ?? 0o644, mtimeMs: this.tick() });
  }

  mkdir(p: string): void {
    const key = this.norm(p);
    if (this.nodes.has(key)) throw hostError('EEXIST', p);
    this.requireParent(key);
    this.nodes.set(key, { kind: 'dir', data: new Uint8Array(0), mode: 0o755, mtimeMs: this.tick() });
  }

  unlink(p: string): void {
    const key = this.norm(p);
    this.get(key, 'file');
    this.nodes.delete(key);
  }

  rmdir(p: string): void {
    const key = this.norm(p);
    this.get(key, 'dir');
    if (this.readdir(key).length > 0) throw hostError('ENOTEMPTY', p);
    this.nodes.delete(key);
  }

  rename(from: string, to: string): void {
    const src = this.norm(from), dst = this.norm(to);
    const node = this.get(src);
    this.requireParent(dst);
    const moved = [...this.nodes.keys()].filter((k) => k === src || k.startsWith(`${src}/`));
    for (const k of moved) {
      const n = this.nodes.get(k)!;
      this.nodes.delete(k);
      this.nodes.set(dst + k.slice(src.length), n);
    }
    node.mtimeMs = this.tick();
  }

  chmod(p: string, mode: number): void {
    this.get(p).mode = mode & 0o7777;
  }

  /** The files now in the copy, relative path -> content. */
  files(): Map<string, Uint8Array> {
    const out = new Map<string, Uint8Array>();
    for (const [k, n] of this.nodes) if (n.kind === 'file') out.set(k, n.data);
    return out;
  }
}

function parentOf(p: string): string {
  const i = p.lastIndexOf('/');
  return i < 0 ? '' : p.slice(0, i);
}
