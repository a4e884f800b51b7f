// Reading the code of a wasm binary: where the sections and the function
// bodies are, and the instructions of a body with their byte offsets. The
// line-table pass matches these instructions to binaryen's IR, and the oops
// report uses the bodies for "func+0xoff/0xsize" and the bytes for "Code:".
// Reference: the WebAssembly core specification, 5 (binary format), with the
// bulk-memory, reference-types, sign-extension, non-trapping float-to-int and
// multi-value proposals that clang 22 enables for wasm32.

export interface WasmSection {
  id: number;
  /** For custom sections (id 0). */
  name?: string;
  /** Absolute offset of the section's payload and its size. */
  start: number;
  size: number;
}

export interface FunctionBody {
  /** Function index (imports first, as the binary numbers them). */
  index: number;
  /** Absolute offset of the body (its local declarations), after the size. */
  start: number;
  end: number;
}

export interface CodeLayout {
  /** Absolute offset of the code section's payload: DWARF addresses count from here. */
  codeStart: number;
  imports: number;
  bodies: FunctionBody[];
}

class Reader {
  constructor(readonly b: Uint8Array, public p: number) {}
  u8(): number { return this.b[this.p++]!; }
  uleb(): number {
    let r = 0, shift = 0, c: number;
    do { c = this.b[this.p++]!; if (shift < 32) r |= (c & 0x7f) << shift; shift += 7; } while (c & 0x80);
    return r >>> 0;
  }
  skipLeb(): void { while (this.b[this.p++]! & 0x80) { /* continuation */ } }
  name(): string { const n = this.uleb(); const s = new TextDecoder().decode(this.b.subarray(this.p, this.p + n)); this.p += n; return s; }
}

export function wasmSections(b: Uint8Array): WasmSection[] {
  const out: WasmSection[] = [];
  const r = new Reader(b, 8);
  while (r.p < b.length) {
    const id = r.u8();
    const size = r.uleb();
    const start = r.p;
    const sec: WasmSection = { id, start, size };
    if (id === 0) sec.name = r.name();
    out.push(sec);
    r.p = start + size;
  }
  return out;
}

/** A custom section's payload (after its name), or undefined. */
export function customSection(b: Uint8Array, name: string): Uint8Array | undefined {
  const sec = wasmSections(b).find((s) => s.id === 0 && s.name === name);
  if (!sec) return undefined;
  const r = new Reader(b, sec.start);
  r.name();
  return b.subarray(r.p, sec.start + sec.size);
}

/** The field names of the function imports, in function-index order. */
function functionImports(b: Uint8Array, sec: WasmSection | undefined): string[] {
  if (!sec) return [];
  const r = new Reader(b, sec.start);
  const fields: string[] = [];
  for (let n = r.uleb(); n > 0; n--) {
    r.name();
    const field = r.name();
    const kind = r.u8();
    if (kind === 0) { r.uleb(); fields.push(field); }
    else if (kind === 1) { r.u8(); limits(r); }
    else if (kind === 2) limits(r);
    else if (kind === 3) { r.u8(); r.u8(); }
    else if (kind === 4) { r.u8(); r.uleb(); }
  }
  return fields;
}

function limits(r: Reader): void {
  const flags = r.u8();
  r.uleb();
  if (flags & 1) r.uleb();
}

export function codeLayout(b: Uint8Array): CodeLayout {
  const sections = wasmSections(b);
  const code = sections.find((s) => s.id === 10);
  const imports = functionImports(b, sections.find((s) => s.id === 2)).length;
  if (!code) return { codeStart: 0, imports, bodies: [] };
  const r = new Reader(b, code.start);
  const bodies: FunctionBody[] = [];
  for (let i = 0, n = r.uleb(); i < n; i++) {
    const size = r.uleb();
    bodies.push({ index: imports + i, start: r.p, end: r.p + size });
    r.p += size;
  }
  return { codeStart: code.start, imports, bodies };
}

/** Instructions whose place in the source matters: they can fault, or they are call sites in a backtrace. */
export type AnchorKind = 'load' | 'store' | 'call' | 'call_indirect' | 'divide' | 'unreachable' | 'memory.copy' | 'memory.fill' | 'global.set' | 'loop';

export interface Anchor {
  kind: AnchorKind;
  offset: number;
  /** For a call: the function index it calls. */
  target?: number;
}

const DIVIDES = new Set([0x6d, 0x6e, 0x6f, 0x70, 0x7f, 0x80, 0x81, 0x82]);

/**
 * The anchors of one function body in execution order, or undefined when the
 * body uses instructions this reader does not know (SIMD, threads): the
 * caller then does without line information for that function.
 */
export function bodyAnchors(b: Uint8Array, body: FunctionBody): Anchor[] | undefined {
  const r = new Reader(b, body.start);
  for (let groups = r.uleb(); groups > 0; groups--) { r.uleb(); r.u8(); }
  const out: Anchor[] = [];
  while (r.p < body.end) {
    const at = r.p;
    const op = r.u8();
    if (op >= 0x28 && op <= 0x3e) {
      out.push({ kind: op <= 0x35 ? 'load' : 'store', offset: at });
      const align = r.uleb();
      if (align & 0x40) r.uleb();
      r.uleb();
      continue;
    }
    if (DIVIDES.has(op)) { out.push({ kind: 'divide', offset: at }); continue; }
    if (op >= 0x45 && op <= 0xc4) continue;
    switch (op) {
      case 0x00: out.push({ kind: 'unreachable', offset: at }); break;
      case 0x01: case 0x05: case 0x0b: case 0x0f: case 0x1a: case 0x1b: case 0x19: case 0xd1: break;
      case 0x03: out.push({ kind: 'loop', offset: at }); blockType(r); break;
      case 0x02: case 0x04: case 0x06: blockType(r); break;
      case 0x0c: case 0x0d: case 0x07: case 0x08: case 0x09: case 0x18: case 0x20: case 0x21: case 0x22: case 0x23:
      case 0x25: case 0x26: case 0xd2: r.uleb(); break;
      case 0x24: out.push({ kind: 'global.set', offset: at }); r.uleb(); break;
      case 0x0e: for (let n = r.uleb() + 1; n > 0; n--) r.uleb(); break;
      case 0x10: out.push({ kind: 'call', offset: at, target: r.uleb() }); break;
      case 0x11: out.push({ kind: 'call_indirect', offset: at }); r.uleb(); r.uleb(); break;
      case 0x1c: for (let n = r.uleb(); n > 0; n--) r.u8(); break;
      case 0x3f: case 0x40: r.uleb(); break;
      case 0x41: case 0x42: r.skipLeb(); break;
      case 0x43: r.p += 4; break;
      case 0x44: r.p += 8; break;
      case 0xd0: r.u8(); break;
      case 0xfc: {
        const sub = r.uleb();
        if (sub <= 7) break;
        if (sub === 10) { out.push({ kind: 'memory.copy', offset: at }); r.uleb(); r.uleb(); break; }
        if (sub === 11) { out.push({ kind: 'memory.fill', offset: at }); r.uleb(); break; }
        if (sub === 8 || sub === 12 || sub === 14) { r.uleb(); r.uleb(); break; }
        if (sub === 9 || sub === 13 || sub >= 15 && sub <= 17) { r.uleb(); break; }
        return undefined;
      }
      default: return undefined;
    }
  }
  return out;
}

function blockType(r: Reader): void {
  const t = r.b[r.p]!;
  if (t === 0x40 || (t >= 0x6f && t <= 0x7f)) r.p++;
  else r.skipLeb();
}

/** The function body containing absolute offset `at`. */
export function bodyAt(layout: CodeLayout, at: number): FunctionBody | undefined {
  let lo = 0, hi = layout.bodies.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const body = layout.bodies[mid]!;
    if (at < body.start) hi = mid - 1;
    else if (at >= body.end) lo = mid + 1;
    else return body;
  }
  return undefined;
}

/** Function index -> name, from the "function names" subsection (id 1) of the name section; an import without one is named by its field. */
export function functionNames(b: Uint8Array): Map<number, string> {
  const sec = customSection(b, 'name');
  const names = sec ? parseFunctionNames(sec) : new Map<number, string>();
  functionImports(b, wasmSections(b).find((x) => x.id === 2)).forEach((field, index) => { if (!names.has(index)) names.set(index, field); });
  return names;
}

/** The same from the name section's payload. */
export function parseFunctionNames(sec: Uint8Array): Map<number, string> {
  const names = new Map<number, string>();
  const r = new Reader(sec, 0);
  while (r.p < sec.length) {
    const id = r.u8();
    const size = r.uleb();
    const end = r.p + size;
    if (id === 1) for (let n = r.uleb(); n > 0; n--) { const index = r.uleb(); names.set(index, r.name()); }
    r.p = end;
  }
  return names;
}
