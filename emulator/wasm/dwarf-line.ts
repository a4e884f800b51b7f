// The DWARF line-number program (.debug_line, DWARF 2 to 5), as clang writes
// it for wasm with -gline-tables-only: addresses are offsets from the start
// of the code section's payload. Reference: DWARF 5 specification, 6.2.
import { LineTable, type LineEntry } from './line-table.js';
import { customSection } from './binary.js';

const DW_LNS_copy = 1, DW_LNS_advance_pc = 2, DW_LNS_advance_line = 3, DW_LNS_set_file = 4, DW_LNS_set_column = 5,
  DW_LNS_negate_stmt = 6, DW_LNS_set_basic_block = 7, DW_LNS_const_add_pc = 8, DW_LNS_fixed_advance_pc = 9;
const DW_LNE_end_sequence = 1, DW_LNE_set_address = 2, DW_LNE_define_file = 3;
const DW_LNCT_path = 1, DW_LNCT_directory_index = 2;
const DW_FORM_block = 0x09, DW_FORM_data1 = 0x0b, DW_FORM_data2 = 0x05, DW_FORM_data4 = 0x06, DW_FORM_data8 = 0x07,
  DW_FORM_data16 = 0x1e, DW_FORM_string = 0x08, DW_FORM_strp = 0x0e, DW_FORM_line_strp = 0x1f, DW_FORM_udata = 0x0f;

/** A .debug_line that cannot be read (a damaged or truncated binary): the caller goes without lines. */
export class DwarfError extends Error {}

class Cursor {
  constructor(readonly b: Uint8Array, public p: number) {}
  private need(n: number): void {
    if (this.p < 0 || this.p + n > this.b.length) throw new DwarfError(`.debug_line is cut short at offset ${this.p}`);
  }
  /** What is left to read: a count read from the section cannot promise more entries than that. */
  get left(): number { return this.b.length - this.p; }
  u8(): number { this.need(1); return this.b[this.p++]!; }
  u16(): number { this.need(2); const v = this.b[this.p]! | (this.b[this.p + 1]! << 8); this.p += 2; return v; }
  u32(): number { this.need(4); const v = (this.b[this.p]! | (this.b[this.p + 1]! << 8) | (this.b[this.p + 2]! << 16) | (this.b[this.p + 3]! << 24)) >>> 0; this.p += 4; return v; }
  /** An 8-byte value; only the low 32 bits matter for wasm32. */
  u64(): number { this.need(8); const lo = this.u32(); this.p += 4; return lo; }
  uleb(): number {
    let r = 0, mul = 1, c: number;
    do { c = this.u8(); r += (c & 0x7f) * mul; mul *= 128; } while (c & 0x80);
    return r;
  }
  sleb(): number {
    let r = 0, mul = 1, c: number;
    do { c = this.u8(); r += (c & 0x7f) * mul; mul *= 128; } while (c & 0x80);
    return c & 0x40 ? r - mul : r;
  }
  cstr(): string {
    let e = this.p;
    while (e < this.b.length && this.b[e] !== 0) e++;
    if (e >= this.b.length) throw new DwarfError(`.debug_line has an unterminated string at offset ${this.p}`);
    const s = new TextDecoder().decode(this.b.subarray(this.p, e));
    this.p = e + 1;
    return s;
  }
}

function cstrAt(b: Uint8Array | undefined, at: number): string {
  if (!b) return '';
  if (at >= b.length) throw new DwarfError(`.debug_line names a string at offset ${at}, past the end of its string section`);
  return new Cursor(b, at).cstr();
}

function joinPath(dir: string, name: string): string {
  if (name.startsWith('/') || !dir) return name;
  return `${dir.replace(/\/$/, '')}/${name}`;
}

interface Header { files: string[]; minInst: number; defaultIsStmt: boolean; lineBase: number; lineRange: number; opcodeBase: number; stdLengths: number[]; programStart: number; end: number; addressSize: number }

function readHeader(c: Cursor, strs: { line?: Uint8Array; str?: Uint8Array }): Header | undefined {
  let length = c.u32();
  let offsetSize = 4;
  if (length === 0xffffffff) { length = c.u64(); offsetSize = 8; }
  if (length > c.left) throw new DwarfError(`.debug_line unit of ${length} bytes at offset ${c.p} is longer than the section`);
  const end = c.p + length;
  const version = c.u16();
  if (version < 2 || version > 5) return undefined;
  let addressSize = 4;
  if (version >= 5) { addressSize = c.u8(); c.u8(); }
  const headerLength = offsetSize === 8 ? c.u64() : c.u32();
  const programStart = c.p + headerLength;
  const minInst = c.u8();
  if (version >= 4) c.u8();
  const defaultIsStmt = c.u8() !== 0;
  const lineBase = (c.u8() << 24) >> 24;
  const lineRange = c.u8();
  if (lineRange === 0) throw new DwarfError('.debug_line has a line_range of 0');
  const opcodeBase = c.u8();
  const stdLengths: number[] = [];
  for (let i = 1; i < opcodeBase; i++) stdLengths.push(c.u8());
  const files: string[] = [];
  if (version < 5) {
    const dirs = [''];
    for (let d = c.cstr(); d !== ''; d = c.cstr()) dirs.push(d);
    // DWARF 2-4 number files from 1.
    files.push('');
    for (let name = c.cstr(); name !== ''; name = c.cstr()) {
      const dir = c.uleb(); c.uleb(); c.uleb();
      files.push(joinPath(dirs[dir] ?? '', name));
    }
  } else {
    const entries = (): { path: string; dir: number }[] => {
      const formats: [number, number][] = [];
      for (let n = c.u8(); n > 0; n--) formats.push([c.uleb(), c.uleb()]);
      const out: { path: string; dir: number }[] = [];
      const count = c.uleb();
      if (count > c.left) throw new DwarfError(`.debug_line promises ${count} entries in ${c.left} bytes`);
      for (let n = count; n > 0; n--) {
        const e = { path: '', dir: 0 };
        for (const [type, form] of formats) {
          const v = readForm(c, form, offsetSize, strs);
          if (type === DW_LNCT_path && typeof v === 'string') e.path = v;
          if (type === DW_LNCT_directory_index && typeof v === 'number') e.dir = v;
        }
        out.push(e);
      }
      return out;
    };
    const dirs = entries().map((d) => d.path);
    for (const f of entries()) files.push(joinPath(dirs[f.dir] ?? '', f.path));
  }
  return { files, minInst, defaultIsStmt, lineBase, lineRange, opcodeBase, stdLengths, programStart, end, addressSize };
}

function readForm(c: Cursor, form: number, offsetSize: number, strs: { line?: Uint8Array; str?: Uint8Array }): string | number | undefined {
  switch (form) {
    case DW_FORM_string: return c.cstr();
    case DW_FORM_line_strp: return cstrAt(strs.line, offsetSize === 8 ? c.u64() : c.u32());
    case DW_FORM_strp: return cstrAt(strs.str, offsetSize === 8 ? c.u64() : c.u32());
    case DW_FORM_udata: return c.uleb();
    case DW_FORM_data1: return c.u8();
    case DW_FORM_data2: return c.u16();
    case DW_FORM_data4: return c.u32();
    case DW_FORM_data8: return c.u64();
    case DW_FORM_data16: c.p += 16; return undefined;
    case DW_FORM_block: c.p += c.uleb(); return undefined;
    default: throw new DwarfError(`DWARF form 0x${form.toString(16)} in .debug_line`);
  }
}

/** Every row of every line-number program in a .debug_line section. */
export function parseDebugLine(section: Uint8Array, strs: { line?: Uint8Array; str?: Uint8Array } = {}): LineEntry[] {
  const rows: LineEntry[] = [];
  const c = new Cursor(section, 0);
  while (c.p < section.length) {
    const h = readHeader(c, strs);
    if (!h) break;
    c.p = h.programStart;
    let address = 0, file = 1, line = 1, column = 0;
    const reset = () => { address = 0; file = 1; line = 1; column = 0; };
    const emit = () => rows.push({ address, position: { file: h.files[file] ?? '', line, column } });
    while (c.p < h.end) {
      const op = c.u8();
      if (op >= h.opcodeBase) {
        const adjusted = op - h.opcodeBase;
        address += Math.floor(adjusted / h.lineRange) * h.minInst;
        line += h.lineBase + (adjusted % h.lineRange);
        emit();
        continue;
      }
      switch (op) {
        case 0: {
          const len = c.uleb();
          const next = c.p + len;
          const sub = c.u8();
          if (sub === DW_LNE_end_sequence) { rows.push({ address, position: undefined }); reset(); }
          else if (sub === DW_LNE_set_address) address = h.addressSize === 8 ? c.u64() : c.u32();
          else if (sub === DW_LNE_define_file) h.files.push(c.cstr());
          c.p = next;
          break;
        }
        case DW_LNS_copy: emit(); break;
        case DW_LNS_advance_pc: address += c.uleb() * h.minInst; break;
        case DW_LNS_advance_line: line += c.sleb(); break;
        case DW_LNS_set_file: file = c.uleb(); break;
        case DW_LNS_set_column: column = c.uleb(); break;
        case DW_LNS_negate_stmt: case DW_LNS_set_basic_block: break;
        case DW_LNS_const_add_pc: address += Math.floor((255 - h.opcodeBase) / h.lineRange) * h.minInst; break;
        case DW_LNS_fixed_advance_pc: address += c.u16(); break;
        default: for (let n = h.stdLengths[op - 1] ?? 0; n > 0; n--) c.uleb();
      }
    }
    c.p = h.end;
  }
  return rows;
}

/**
 * The line table of a wasm binary built with -g or -gline-tables-only, or
 * undefined without DWARF. Addresses count from the code section's payload.
 */
export function dwarfLineTable(wasm: Uint8Array): LineTable | undefined {
  const section = customSection(wasm, '.debug_line');
  if (!section) return undefined;
  return new LineTable(parseDebugLine(section, { line: customSection(wasm, '.debug_line_str'), str: customSection(wasm, '.debug_str') }));
}
