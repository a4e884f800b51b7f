// The Node implementation of the emulator's Host: real files for the learner's
// workspace, the real clang (WebAssembly, @yowasp/clang) kept warm in-process.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as crypto from 'node:crypto';
import * as os from 'node:os';
import { fileURLToPath } from 'node:url';
import type { CompileResult, FileTree, Host, HostCompiler, HostDirectory, HostStat } from '../../emulator/host.js';
import { appendCustomSection } from '../../emulator/toolchain/wasm-sections.js';
import { DRIVERLAB_LINES } from '../../emulator/wasm/source-map.js';
import { KernelCodePasses, addPreemptionPoints } from './wasm-passes.js';

/** The package root (two levels above dist/main/host or main/host). */
export function packageRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!fs.existsSync(path.join(dir, 'package.json'))) {
    const up = path.dirname(dir);
    if (up === dir) throw new Error('DriverLab: cannot find the package root');
    dir = up;
  }
  return dir;
}

type YowaspCommand = (args: string[], files: FileTree, options: object) => Promise<FileTree>;
interface Yowasp { runClang: YowaspCommand; runLLVM: YowaspCommand }

type Binaryen = typeof import('binaryen').default;
let binaryenModule: Promise<Binaryen> | undefined;
function loadBinaryen(): Promise<Binaryen> {
  binaryenModule ??= import('binaryen').then((m) => (m as unknown as { default: Binaryen }).default);
  return binaryenModule;
}

let yowasp: Promise<Yowasp> | undefined;
function loadYowasp(): Promise<Yowasp> {
  // runLLVM(null) only fetches the toolchain's resources; done here once and
  // quietly, since clang's internal `-###` run would otherwise print progress.
  yowasp ??= (import('@yowasp/clang') as unknown as Promise<Yowasp & { runLLVM: (a: null, f: object, o: object) => Promise<unknown> }>)
    .then(async (mod) => { await mod.runLLVM(null, {}, { fetchProgress: () => undefined }); return mod; });
  return yowasp;
}

function collectOutputs(before: FileTree, after: FileTree, prefix: string, out: Map<string, Uint8Array>): void {
  for (const [name, value] of Object.entries(after)) {
    const p = prefix ? `${prefix}/${name}` : name;
    const old = before[name];
    if (value instanceof Uint8Array || typeof value === 'string') {
      if (old === undefined) out.set(p, typeof value === 'string' ? new TextEncoder().encode(value) : value);
    } else {
      collectOutputs(old && typeof old === 'object' && !(old instanceof Uint8Array) ? old : {}, value, p, out);
    }
  }
}

/**
 * clang and wasm-ld from @yowasp/clang. The LLVM WebAssembly is compiled once
 * per process (the first call takes ~2-3 s) and reused; calls are serialised
 * because the toolchain instance is not re-entrant.
 */
/** Changes with what the kernel passes put into a module, so that cached builds from before are not reused. */
const KERNEL_PASSES_VERSION = 'kernel-4';
/** Changes with how preemption points are made, for the same reason. */
const PREEMPTION_VERSION = 'points-2';

export class YowaspCompiler implements HostCompiler {
  private queue: Promise<unknown> = Promise.resolve();

  /**
   * `cacheDir`: successful results are kept on disk by a hash of the tool, its
   * arguments and every input byte, so an unchanged file never compiles twice,
   * even across processes (each `driverlab sh` is a new process).
   */
  constructor(private readonly cacheDir?: string) {}

  clang(args: string[], files: FileTree): Promise<CompileResult> {
    return this.run('clang', args, files);
  }

  wasmLd(args: string[], files: FileTree): Promise<CompileResult> {
    return this.run('wasm-ld', args, files);
  }

  async asyncify(wasm: Uint8Array, imports: string[], tick?: string, kernel = false): Promise<Uint8Array> {
    const recipe = `${imports.join(',')}\0${tick ? `${tick}:${PREEMPTION_VERSION}` : ''}\0${kernel ? KERNEL_PASSES_VERSION : ''}\0`;
    const key = this.cacheDir ? path.join(this.cacheDir, `asyncify-${crypto.createHash('sha256').update(recipe).update(wasm).digest('hex')}.wasm`) : undefined;
    if (key) { try { return new Uint8Array(fs.readFileSync(key)); } catch { /* not cached */ } }
    const binaryen = await loadBinaryen();
    // The name section is kept: the kernel names C functions in its reports (%ps, oops, lockups).
    binaryen.setDebugInfo(true);
    const mod = binaryen.readBinary(wasm);
    try {
      const passes = kernel ? new KernelCodePasses(binaryen, mod) : undefined;
      if (passes) {
        passes.attachSourcePositions(wasm);
        passes.addMemoryChecks();
        passes.addStackLimit();
      }
      if (tick) addPreemptionPoints(binaryen, mod, tick, passes?.locatePoint);
      binaryen.setPassArgument('asyncify-imports', [...imports, ...(tick ? [tick] : [])].join(','));
      binaryen.setOptimizeLevel(1);
      mod.runPasses(['asyncify']);
      let out: Uint8Array;
      if (kernel) {
        // The DWARF no longer matches the code; the source map binaryen kept up to date replaces it.
        mod.runPasses(['strip-dwarf']);
        const { binary, sourceMap } = mod.emitBinary(DRIVERLAB_LINES);
        out = appendCustomSection(binary, DRIVERLAB_LINES, new TextEncoder().encode(sourceMap ?? '{}'));
      } else {
        out = mod.emitBinary();
      }
      if (key) {
        try { fs.mkdirSync(this.cacheDir!, { recursive: true }); fs.writeFileSync(`${key}.${process.pid}.tmp`, out); fs.renameSync(`${key}.${process.pid}.tmp`, key); } catch { /* only slower */ }
      }
      return out;
    } finally {
      mod.dispose();
    }
  }

  /** Loads and runs the toolchain once so that the next compile is warm. */
  async warm(): Promise<void> {
    await this.clang(['--target=wasm32', '-c', 'warm.c', '-o', 'warm.o'], { 'warm.c': 'int warm;\n' });
  }

  private run(tool: 'clang' | 'wasm-ld', args: string[], files: FileTree): Promise<CompileResult> {
    const job = this.queue.then(() => this.runCached(tool, args, files));
    this.queue = job.catch(() => undefined);
    return job;
  }

  private async runCached(tool: 'clang' | 'wasm-ld', args: string[], files: FileTree): Promise<CompileResult> {
    if (!this.cacheDir) return this.runNow(tool, args, files);
    const hash = crypto.createHash('sha256');
    hash.update(`${tool}\0${args.join('\0')}\0`);
    hashTree(hash, files, '');
    const file = path.join(this.cacheDir, `${hash.digest('hex')}.json`);
    try {
      const cached = JSON.parse(fs.readFileSync(file, 'utf8')) as { stderr: string; stdout: string; outputs: [string, string][] };
      return { status: 0, stderr: cached.stderr, stdout: cached.stdout, outputs: new Map(cached.outputs.map(([k, v]) => [k, new Uint8Array(Buffer.from(v, 'base64'))])) };
    } catch { /* not cached yet */ }
    const result = await this.runNow(tool, args, files);
    if (result.status === 0) {
      try {
        fs.mkdirSync(this.cacheDir, { recursive: true });
        const tmp = `${file}.${process.pid}.tmp`;
        fs.writeFileSync(tmp, JSON.stringify({ stderr: result.stderr, stdout: result.stdout, outputs: [...result.outputs].map(([k, v]) => [k, Buffer.from(v).toString('base64')]) }));
        fs.renameSync(tmp, file);
      } catch { /* a cache that cannot be written is only slower */ }
    }
    return result;
  }

  private async runNow(tool: 'clang' | 'wasm-ld', args: string[], files: FileTree): Promise<CompileResult> {
    const { runClang, runLLVM } = await loadYowasp();
    const stderr: Uint8Array[] = [];
    const stdout: Uint8Array[] = [];
    const options = {
      stdout: (b: Uint8Array | null) => { if (b) stdout.push(b.slice()); },
      stderr: (b: Uint8Array | null) => { if (b) stderr.push(b.slice()); },
      fetchProgress: () => undefined,
    };
    let status = 0;
    let tree: FileTree = files;
    try {
      tree = tool === 'clang' ? await runClang(['clang', ...args], files, options) : await runLLVM(['wasm-ld', ...args], files, options);
    } catch (e) {
      const err = e as { code?: number; files?: FileTree; message?: string };
      if (typeof err.code !== 'number') throw e;
      status = err.code;
      tree = err.files ?? files;
    }
    const outputs = new Map<string, Uint8Array>();
    collectOutputs(files, tree, '', outputs);
    const dec = new TextDecoder();
    return { status, stderr: dec.decode(Buffer.concat(stderr)), stdout: dec.decode(Buffer.concat(stdout)), outputs };
  }
}

/** The learner's workspace: a real host folder; every write is synchronous and complete. */
export class NodeDirectory implements HostDirectory {
  constructor(readonly root: string) {}

  private real(p: string): string {
    const norm = path.posix.normalize('/' + p);
    if (norm.split('/').includes('..')) throw new Error(`path escapes the workspace: ${p}`);
    return path.join(this.root, norm);
  }

  stat(p: string): HostStat | undefined {
    try {
      const s = fs.lstatSync(this.real(p));
      const kind = s.isFile() ? 'file' : s.isDirectory() ? 'dir' : s.isSymbolicLink() ? 'symlink' : 'other';
      return { kind, size: s.size, mode: s.mode & 0o7777, mtimeMs: s.mtimeMs };
    } catch {
      return undefined;
    }
  }
  readdir(p: string): string[] { return fs.readdirSync(this.real(p)).sort(); }
  readFile(p: string): Uint8Array { return fs.readFileSync(this.real(p)); }
  writeFile(p: string, data: Uint8Array): void {
    // Write-then-rename keeps the previous good copy if the host disk fills up.
    const target = this.real(p);
    const tmp = `${target}.driverlab-tmp`;
    try {
      const fd = fs.openSync(tmp, 'w');
      try {
        fs.writeSync(fd, data);
        fs.fsyncSync(fd);
      } finally {
        fs.closeSync(fd);
      }
      fs.renameSync(tmp, target);
    } catch (e) {
      try { fs.rmSync(tmp, { force: true }); } catch { /* nothing more to undo */ }
      const code = (e as { code?: string }).code;
      if (code !== 'ENOSPC' && code !== 'EDQUOT') throw e;
      // Same code, so the kernel still answers ENOSPC; a message the editor can show as it is.
      throw Object.assign(new Error(`${p} was not saved: the host disk is full. The previous version is kept; free some space and save again.`), { code });
    }
  }
  mkdir(p: string): void { fs.mkdirSync(this.real(p)); }
  unlink(p: string): void { fs.unlinkSync(this.real(p)); }
  rmdir(p: string): void { fs.rmdirSync(this.real(p)); }
  rename(from: string, to: string): void { fs.renameSync(this.real(from), this.real(to)); }
  chmod(p: string, mode: number): void { fs.chmodSync(this.real(p), mode); }
}

function hashTree(hash: crypto.Hash, tree: FileTree, prefix: string): void {
  for (const name of Object.keys(tree).sort()) {
    const value = tree[name]!;
    const p = `${prefix}/${name}`;
    if (value instanceof Uint8Array || typeof value === 'string') { hash.update(`${p}\0`); hash.update(value); hash.update('\0'); }
    else hashTree(hash, value, p);
  }
}

function readTree(dir: string, prefix: string, out: Map<string, Uint8Array>): void {
  for (const ent of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, ent.name);
    const rel = prefix ? `${prefix}/${ent.name}` : ent.name;
    if (ent.isDirectory()) readTree(full, rel, out);
    else out.set(rel, fs.readFileSync(full));
  }
}

let sharedCompiler: YowaspCompiler | undefined;
/** One compiler per process: loading clang costs seconds, keeping it costs nothing. */
export function processCompiler(): YowaspCompiler {
  sharedCompiler ??= new YowaspCompiler(compileCacheDir());
  return sharedCompiler;
}

/** ~/.cache/driverlab/compile, or $DRIVERLAB_CACHE; DRIVERLAB_CACHE=off disables it. */
export function compileCacheDir(): string | undefined {
  const env = process.env.DRIVERLAB_CACHE;
  if (env === 'off') return undefined;
  return env ?? path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache'), 'driverlab', 'compile');
}

const treeCache = new Map<string, Map<string, Uint8Array>>();

export function createNodeHost(options: { workspace?: string }): Host {
  const root = packageRoot();
  return {
    compiler: processCompiler(),
    workspace: options.workspace ? new NodeDirectory(path.resolve(options.workspace)) : undefined,
    systemTree(name) {
      let tree = treeCache.get(name);
      if (!tree) {
        tree = new Map();
        readTree(path.join(root, 'emulator', name), '', tree);
        treeCache.set(name, tree);
      }
      return tree;
    },
    wallNow: () => performance.now(),
    sleepWall: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  };
}
