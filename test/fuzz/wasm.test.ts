// Fuzzing the wasm readers behind an oops's "(file:line)" and the kernel's symbols: the DWARF
// line-table reader and the binary's section, code and name readers, on a real clang build with
// bytes overwritten. Each gives a table (perhaps a wrong one: the bytes lie), nothing, or an
// error naming what it could not read; none throws a TypeError or RangeError, none loops.
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { processCompiler } from '../../main/host/node-host.js';
import { bodyAnchors, codeLayout, functionNames, wasmSections } from '../../emulator/wasm/binary.js';
import { dwarfLineTable, parseDebugLine } from '../../emulator/wasm/dwarf-line.js';
import { applyMutation, bounded, check, isClearMessage, mutation } from './harness.js';

const SRC = `extern void mark(int n);
static __attribute__((noinline)) int inner(int *p, int i) { mark(1); return p[i] * 3; }
int outer(int *p, int i) { int s = inner(p, i); mark(2); return s / i; }
`;

async function build(dwarf: string): Promise<Uint8Array> {
  const c = processCompiler();
  const cc = await c.clang(['--target=wasm32', '-O2', dwarf, '-c', '/src/t.c', '-o', '/src/t.o'], { src: { 't.c': SRC } });
  const ld = await c.wasmLd(['--no-entry', '--allow-undefined', '--export=outer', 't.o', '-o', 't.wasm'], { 't.o': cc.outputs.get('src/t.o')! });
  return ld.outputs.get('t.wasm')!;
}

/** Where a section's payload is, from the real (unmutated) binary. */
function payloadOf(wasm: Uint8Array, name: string): [number, number] {
  const s = wasmSections(wasm).find((x) => x.name === name)!;
  return [s.start, s.start + s.size];
}

/** The reader either answered or refused with an Error a person can read. */
function readsOrRefuses(what: string, fn: () => unknown): void {
  try {
    bounded(what, fn);
  } catch (e) {
    if (e instanceof TypeError || e instanceof RangeError || !(e instanceof Error) || !isClearMessage(e.message)) throw e;
  }
}

describe('wasm readers on a damaged binary', () => {
  const builds: Uint8Array[] = [];
  beforeAll(async () => {
    builds.push(await build('-gdwarf-4'), await build('-gdwarf-5'));
  }, 120_000);

  it('the DWARF line-table reader, whatever .debug_line holds', () => {
    for (const wasm of builds) {
      const within = payloadOf(wasm, '.debug_line');
      check(fc.property(mutation(wasm.length, { within, maxEdits: 6 }), (m) => {
        const damaged = applyMutation(wasm, m, within);
        readsOrRefuses(`dwarfLineTable with ${JSON.stringify(m.edits)}`, () => {
          const table = dwarfLineTable(damaged);
          table?.lookup(0x10);
        });
      }), 300);
    }
  });

  it('the line-program interpreter, on random bytes', () => {
    check(fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
      readsOrRefuses('parseDebugLine', () => parseDebugLine(bytes));
    }), 500);
  });

  it('the section, code-layout, name and anchor readers, whatever the binary holds', () => {
    for (const wasm of builds) {
      check(fc.property(mutation(wasm.length, { maxEdits: 4, truncate: true }), (m) => {
        const damaged = applyMutation(wasm, m);
        readsOrRefuses(`the readers with ${JSON.stringify(m)}`, () => {
          wasmSections(damaged);
          functionNames(damaged);
          const layout = codeLayout(damaged);
          for (const body of layout.bodies.slice(0, 8)) bodyAnchors(damaged, body);
        });
      }), 300);
    }
  });

  it('an intact build still reads (the properties above are not vacuous)', () => {
    for (const wasm of builds) {
      expect(dwarfLineTable(wasm)).toBeDefined();
      expect(codeLayout(wasm).bodies.length).toBeGreaterThan(0);
    }
  });
});
