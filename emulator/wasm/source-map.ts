// Source maps (revision 3) of wasm binaries, as binaryen writes them: one
// "line" of segments whose generated column is a byte offset in the binary.
// Our module builds keep theirs in the DRIVERLAB_LINES custom section, where
// the kernel finds the source line of an oops frame.
import { LineTable, type LineEntry } from './line-table.js';
import { customSection } from './binary.js';

/** The custom section of a module build holding its source map (JSON). */
export const DRIVERLAB_LINES = 'driverlab.sourcemap';

export interface SourceMapJson {
  version: number;
  sources: string[];
  mappings: string;
}

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const DIGIT = new Map([...BASE64].map((ch, i) => [ch, i]));

/** The segments of a mapping string: [generated column, source, line, column, name?] with deltas resolved. */
function decodeSegments(mappings: string): number[][] {
  const out: number[][] = [];
  const state = [0, 0, 0, 0, 0];
  for (const line of mappings.split(';')) {
    state[0] = 0;
    for (const seg of line.split(',')) {
      if (!seg) continue;
      const values: number[] = [];
      let value = 0, shift = 0;
      for (const ch of seg) {
        const d = DIGIT.get(ch);
        if (d === undefined) throw new Error(`source map: bad character '${ch}'`);
        value += (d & 31) * 2 ** shift;
        if (d & 32) { shift += 5; continue; }
        values.push(value % 2 === 1 ? -(value - 1) / 2 : value / 2);
        value = 0; shift = 0;
      }
      const resolved = values.map((v, i) => (state[i]! += v));
      out.push(resolved);
    }
  }
  return out;
}

export function sourceMapLineTable(map: SourceMapJson): LineTable {
  const entries: LineEntry[] = decodeSegments(map.mappings).map((s) => ({
    address: s[0]!,
    position: s.length >= 4 ? { file: map.sources[s[1]!] ?? '', line: s[2]! + 1, column: s[3]! } : undefined,
  }));
  return new LineTable(entries);
}

/** The line table a module build left in its binary (absolute offsets), if any. */
export function moduleLineTable(wasm: Uint8Array): LineTable | undefined {
  const sec = customSection(wasm, DRIVERLAB_LINES);
  if (!sec) return undefined;
  return sourceMapLineTable(JSON.parse(new TextDecoder().decode(sec)) as SourceMapJson);
}
