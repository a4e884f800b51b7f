// The C code built into the kernel: "vmlinux" from /usr/src/linux (init/main.c, drivers/char/mem.c,
// the drivers configured Y), which the boot loader brings in the kernel image. At boot the kernel
// instantiates it with the same API modules get (plus the setup functions of the kernel proper),
// offers it the words of the command line (checksetup() of init/main.c, then the __setup()
// handlers), and later, in process context, runs chr_dev_init() of drivers/char/mem.c. Its drivers
// then show in /proc/devices, /proc/ioports and /proc/interrupts as any driver does, not in lsmod.
import type { Kernel } from './kernel.js';
import { LoadedModule, kapiImports, readModinfo } from './module.js';
import { KERNEL_SETUPS } from './bootparams.js';
import type { Maybe } from './maybe.js';

/** The name the kernel's own C code goes by in reports (kallsyms calls it the same). */
export const VMLINUX = 'vmlinux';

export class BuiltinCode {
  private readonly setups: { str: string; fn: number }[] = [];

  private constructor(readonly mod: LoadedModule) {
    // __setup("name=", fn) leaves an exported accessor of its { str, fn } record.
    for (const [name, value] of Object.entries(mod.instance.exports)) {
      if (!name.startsWith('__dl_setup_') || typeof value !== 'function') continue;
      const rec = Number((value as () => number)()) >>> 0;
      const view = mod.view();
      this.setups.push({ str: mod.cstring(view.getUint32(rec, true)) ?? '', fn: view.getUint32(rec + 4, true) });
    }
  }

  /** Instantiates the image's C code; the error says why it cannot run (as a panic would). */
  static load(k: Kernel, wasm: Uint8Array): BuiltinCode | string {
    let module: WebAssembly.Module;
    try { module = new WebAssembly.Module(wasm as BufferSource); } catch (e) { return `the kernel image's code is damaged: ${(e as Error).message}`; }
    const mod = new LoadedModule(k, VMLINUX, module, readModinfo(module), wasm);
    const extra: Record<string, unknown> = {};
    for (const [name, setup] of Object.entries(KERNEL_SETUPS)) {
      extra[name] = (strPtr: number, intsPtr: number) => setup(k, mod.cstring(strPtr) ?? '', intsPtr ? readInts(mod, intsPtr) : undefined);
    }
    const { imports, unknown } = kapiImports(mod, extra);
    if (unknown.length) return `the kernel image calls ${unknown.join(', ')}, which this kernel does not have`;
    try { mod.instantiate(imports); } catch (e) { return `the kernel image's code cannot start: ${(e as Error).message}`; }
    mod.state = 'live';
    k.modules.builtin = mod;
    return new BuiltinCode(mod);
  }

  /** linux_banner of init/version.c: the kernel's first words, without the newline. */
  banner(): string | undefined {
    const g = this.mod.instance.exports.linux_banner as WebAssembly.Global | undefined;
    if (!g) return undefined;
    const ptr = this.mod.view().getUint32(Number(g.value) >>> 0, true);
    return this.mod.cstring(ptr)?.replace(/\n$/, '');
  }

  /**
   * checksetup(): the tables of init/main.c, then the __setup() handlers. The word is copied into
   * the kernel's memory and stays there: a setup function may keep the pointer it gets.
   */
  checksetup(word: string): boolean {
    const line = this.mod.allocString(word);
    if (Number(this.mod.callExport('checksetup', line) ?? 0)) return true;
    for (const s of this.setups) {
      if (!word.startsWith(s.str)) continue;
      if (Number(this.mod.call(s.fn, line + new TextEncoder().encode(s.str).length))) return true;
    }
    return false;
  }

  /** chr_dev_init() of drivers/char/mem.c, in the init task's context (it may sleep). */
  initcalls(): Maybe<number | bigint> | undefined {
    return this.mod.callExport('chr_dev_init');
  }
}

/** ints[0] and the ints[0] values after it, as a 2.2 setup function receives them. */
function readInts(mod: LoadedModule, ptr: number): number[] {
  const view = mod.view();
  const count = Math.max(0, Math.min(view.getInt32(ptr, true), 16));
  return Array.from({ length: count + 1 }, (_, i) => view.getInt32(ptr + 4 * i, true));
}
