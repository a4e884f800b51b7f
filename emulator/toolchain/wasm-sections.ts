// Small helpers for wasm binaries: appending a custom section (our .modinfo).
function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n) b |= 0x80;
    out.push(b);
  } while (n);
  return out;
}

export function appendCustomSection(wasm: Uint8Array, name: string, payload: Uint8Array): Uint8Array {
  const nameBytes = new TextEncoder().encode(name);
  const body = [...uleb(nameBytes.length), ...nameBytes];
  const size = body.length + payload.length;
  const header = [0, ...uleb(size)];
  const out = new Uint8Array(wasm.length + header.length + body.length + payload.length);
  out.set(wasm, 0);
  out.set(header, wasm.length);
  out.set(body, wasm.length + header.length);
  out.set(payload, wasm.length + header.length + body.length);
  return out;
}

// ---- symbols, for nm -----------------------------------------------------------------------------

export interface WasmSymbol {
  name: string;
  /** nm's letter: T/t text, D/d data, U undefined, W weak. */
  type: string;
  value: number;
}

class Reader {
  constructor(readonly b: Uint8Array, public at = 0) {}
  u8(): number { return this.b[this.at++]!; }
  uleb(): number {
    let result = 0, shift = 0, byte: number;
    do { byte = this.b[this.at++]!; result += (byte & 0x7f) * 2 ** shift; shift += 7; } while (byte & 0x80);
    return result;
  }
  name(): string { const n = this.uleb(); const s = new TextDecoder().decode(this.b.subarray(this.at, this.at + n)); this.at += n; return s; }
}

/** The custom sections of a module, by name, as raw payloads (in order). */
function customSections(wasm: Uint8Array): { name: string; payload: Uint8Array }[] {
  const out: { name: string; payload: Uint8Array }[] = [];
  const r = new Reader(wasm, 8);
  while (r.at < wasm.length) {
    const id = r.u8();
    const size = r.uleb();
    const end = r.at + size;
    if (id === 0) {
      const name = r.name();
      out.push({ name, payload: wasm.subarray(r.at, end) });
    }
    r.at = end;
  }
  return out;
}

const SYM_BINDING_WEAK = 0x1, SYM_BINDING_LOCAL = 0x2, SYM_UNDEFINED = 0x10, SYM_EXPLICIT_NAME = 0x40;
const KERNEL_TEXT = 0xc0100000;

/**
 * The symbols of a wasm object (`gcc -c` output, from its "linking" symbol table) or of a linked
 * module (its function names and imports), as nm lists them. A linked kernel's functions get
 * addresses from 0xc0100000, the kernel's text, so that System.map reads as on a PC.
 */
export function wasmSymbols(wasm: Uint8Array): WasmSymbol[] {
  const module = new WebAssembly.Module(wasm as BufferSource);
  const funcImports = WebAssembly.Module.imports(module).filter((i) => i.kind === 'function').map((i) => i.name);
  const sections = customSections(wasm);
  const linking = sections.find((s) => s.name === 'linking');
  const symbols: WasmSymbol[] = [];
  if (linking) {
    const r = new Reader(linking.payload);
    r.uleb(); // version
    while (r.at < linking.payload.length) {
      const type = r.u8();
      const size = r.uleb();
      const end = r.at + size;
      if (type === 8) {
        const count = r.uleb();
        for (let i = 0; i < count; i++) {
          const kind = r.u8();
          const flags = r.uleb();
          const undefinedSym = (flags & SYM_UNDEFINED) !== 0;
          const local = (flags & SYM_BINDING_LOCAL) !== 0;
          const weak = (flags & SYM_BINDING_WEAK) !== 0;
          if (kind === 0 || kind === 2 || kind === 4 || kind === 5) {
            const index = r.uleb();
            let name = '';
            if (!undefinedSym || (flags & SYM_EXPLICIT_NAME)) name = r.name();
            else if (kind === 0) name = funcImports[index] ?? '';
            if (kind !== 0 || !name) continue;
            symbols.push({ name, type: undefinedSym ? 'U' : weak ? 'W' : local ? 't' : 'T', value: undefinedSym ? 0 : index * 16 });
          } else if (kind === 1) {
            const name = r.name();
            let offset = 0;
            if (!undefinedSym) { r.uleb(); offset = r.uleb(); r.uleb(); }
            symbols.push({ name, type: undefinedSym ? 'U' : local ? 'd' : 'D', value: offset });
          } else if (kind === 3) {
            r.uleb();
          }
        }
      }
      r.at = end;
    }
    return symbols;
  }
  for (const name of funcImports) symbols.push({ name, type: 'U', value: 0 });
  const names = sections.find((s) => s.name === 'name');
  if (names) {
    const r = new Reader(names.payload);
    while (r.at < names.payload.length) {
      const id = r.u8();
      const size = r.uleb();
      const end = r.at + size;
      if (id === 1) {
        const count = r.uleb();
        for (let i = 0; i < count; i++) {
          const index = r.uleb();
          const name = r.name();
          if (index >= funcImports.length) symbols.push({ name, type: 'T', value: KERNEL_TEXT + (index - funcImports.length) * 16 });
        }
      }
      r.at = end;
    }
  }
  return symbols;
}
