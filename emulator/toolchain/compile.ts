// The compiler driver of the virtual PC: turns kernel-module and user-program
// builds into clang/wasm-ld runs through the Host, with the headers of the
// running kernel personality, and caches results by content.
import type { CompileResult, FileTree, HostCompiler } from '../host.js';
import { fnv1a64 } from './hash.js';

/** A source tree for one compiler run: absolute path -> contents. */
export type SourceFiles = Map<string, Uint8Array>;

export function toFileTree(files: SourceFiles): FileTree {
  const root: FileTree = {};
  for (const [path, data] of files) {
    const parts = path.split('/').filter(Boolean);
    let dir = root;
    for (const part of parts.slice(0, -1)) {
      let next = dir[part];
      if (!next || typeof next === 'string' || next instanceof Uint8Array) { next = {}; dir[part] = next; }
      dir = next;
    }
    dir[parts[parts.length - 1]!] = data;
  }
  return root;
}

const CACHE_LIMIT = 64;

/** Runs the compiler with a content-addressed cache: an unchanged input costs nothing the second time. */
export class CompileService {
  private cache = new Map<string, CompileResult>();

  constructor(private readonly compiler: HostCompiler) {}

  async run(tool: 'clang' | 'wasm-ld', args: string[], files: SourceFiles, sharedTree?: { key: string; tree: FileTree }): Promise<CompileResult> {
    const parts: (string | Uint8Array)[] = [tool, ...args, sharedTree?.key ?? ''];
    for (const [p, d] of [...files].sort(([a], [b]) => (a < b ? -1 : 1))) parts.push(p, d);
    const key = fnv1a64(parts);
    const hit = this.cache.get(key);
    if (hit) return hit;
    const tree = toFileTree(files);
    if (sharedTree) mergeTrees(tree, sharedTree.tree);
    const result = tool === 'clang' ? await this.compiler.clang(args, tree) : await this.compiler.wasmLd(args, tree);
    // Only successful runs are cached: a failure should be re-run (and re-reported) every time.
    if (result.status === 0) {
      this.cache.set(key, result);
      if (this.cache.size > CACHE_LIMIT) this.cache.delete(this.cache.keys().next().value!);
    }
    return result;
  }
}

function mergeTrees(into: FileTree, from: FileTree): void {
  for (const [name, value] of Object.entries(from)) {
    const existing = into[name];
    if (existing && typeof existing === 'object' && !(existing instanceof Uint8Array) && typeof value === 'object' && !(value instanceof Uint8Array)) {
      mergeTrees(existing, value);
    } else if (existing === undefined) {
      into[name] = value;
    }
  }
}
