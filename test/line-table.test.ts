// The line tables behind an oops's "(file:line)": DWARF .debug_line (versions 4 and 5) of what
// clang builds, and the source map the kernel-module build keeps through binaryen's passes.
import { describe, expect, it } from 'vitest';
import { processCompiler } from '../main/host/node-host.js';
import { bodyAnchors, codeLayout, functionNames, bodyAt } from '../emulator/wasm/binary.js';
import { DwarfError, dwarfLineTable, parseDebugLine } from '../emulator/wasm/dwarf-line.js';
import { moduleLineTable, sourceMapLineTable } from '../emulator/wasm/source-map.js';
import { KERNEL_TICK } from '../emulator/kernel/module.js';

const SRC = `extern void mark(int n);
extern int *somewhere(void);

static __attribute__((noinline)) int inner(int *p, int i)
{
	mark(1);                 /* L_MARK1 */
	return p[i] * 3;         /* L_LOAD */
}

int outer(int i)
{
	int s = inner(somewhere(), i);  /* L_CALL */
	mark(2);                 /* L_MARK2 */
	return s / i;            /* L_DIV */
}
`;
const line = (marker: string) => SRC.split('\n').findIndex((l) => l.includes(`/* ${marker} */`)) + 1;

async function build(dwarf: string): Promise<Uint8Array> {
  const c = processCompiler();
  const cc = await c.clang(['--target=wasm32', '-O2', '-fno-delete-null-pointer-checks', dwarf, '-c', '/src/t.c', '-o', '/src/t.o'], { src: { 't.c': SRC } });
  expect(cc.stderr).toBe('');
  const ld = await c.wasmLd(['--no-entry', '--allow-undefined', '--export=outer', '--export=__stack_pointer', 't.o', '-o', 't.wasm'], { 't.o': cc.outputs.get('src/t.o')! });
  expect(ld.status).toBe(0);
  return ld.outputs.get('t.wasm')!;
}

/** The line of each call (with its callee), load and division of a function, in code order, from a line table. */
function linesOf(wasm: Uint8Array, fn: string, lookup: (offset: number) => number | undefined): string[] {
  const layout = codeLayout(wasm);
  const names = functionNames(wasm);
  const body = layout.bodies.find((b) => names.get(b.index) === fn)!;
  return bodyAnchors(wasm, body)!.filter((a) => ['call', 'load', 'divide'].includes(a.kind))
    .map((a) => (a.kind === 'call' ? `call ${names.get(a.target!)}:${lookup(a.offset)}` : `${a.kind}:${lookup(a.offset)}`));
}

describe('line tables', () => {
  it('DWARF 4 and DWARF 5 line programs give every call, load and division the line of its statement', async () => {
    for (const dwarf of ['-gdwarf-4', '-gdwarf-5']) {
      const wasm = await build(`${dwarf}`);
      const table = dwarfLineTable(wasm)!;
      const start = codeLayout(wasm).codeStart;
      const at = (offset: number) => table.lookup(offset - start)?.line;
      expect(linesOf(wasm, 'inner', at)).toEqual([`call mark:${line('L_MARK1')}`, `load:${line('L_LOAD')}`]);
      expect(linesOf(wasm, 'outer', at)).toEqual([`call somewhere:${line('L_CALL')}`, `call inner:${line('L_CALL')}`, `call mark:${line('L_MARK2')}`, `divide:${line('L_DIV')}`]);
      expect(table.lookup(0x7fffffff)).toBeUndefined();
      expect(table.positions()[0]!.position.file).toBe('/src/t.c');
    }
  });

  it('a kernel-module build keeps the lines through its checks, preemption points and Asyncify, as a source map of the final code', async () => {
    const wasm = await build('-gline-tables-only');
    const ko = await processCompiler().asyncify(wasm, ['env.mark'], KERNEL_TICK, true);
    const table = moduleLineTable(ko)!;
    expect(table.size).toBeGreaterThan(0);
    // The DWARF is gone from the final code (it no longer matches it).
    expect(dwarfLineTable(ko)).toBeUndefined();
    const at = (offset: number) => table.lookup(offset)?.line;
    const calls = (fn: string) => linesOf(ko, fn, at).filter((l) => l.startsWith('call ') && !/^call asyncify_/.test(l));
    // The C calls keep their lines; the preemption point at a function's entry takes its first line.
    expect(calls('inner')).toEqual([`call __dl_tick:${line('L_MARK1')}`, `call mark:${line('L_MARK1')}`]);
    expect(calls('outer')).toEqual([`call __dl_tick:${line('L_CALL')}`, `call somewhere:${line('L_CALL')}`, `call inner:${line('L_CALL')}`, `call mark:${line('L_MARK2')}`]);
    // Every trap of a fault check reports the line of the access it guards.
    const layout = codeLayout(ko);
    const names = functionNames(ko);
    const inner = layout.bodies.find((b) => names.get(b.index) === 'inner')!;
    const traps = bodyAnchors(ko, inner)!.filter((a) => a.kind === 'unreachable').map((a) => at(a.offset));
    expect(traps).toContain(line('L_LOAD'));
    expect(bodyAt(layout, inner.start)).toBe(inner);
  });

  it('source maps: base64 VLQ segments with relative fields, and segments without a source ending a range', () => {
    // Generated column 10 -> line 3 col 4 of a.c; 20 -> nothing; 30 -> line 1 col 0 of b.c.
    const table = sourceMapLineTable({ version: 3, sources: ['a.c', 'b.c'], mappings: 'UAEI,U,UCFJ' });
    expect(table.lookup(9)).toBeUndefined();
    expect(table.lookup(10)).toEqual({ file: 'a.c', line: 3, column: 4 });
    expect(table.lookup(19)).toEqual({ file: 'a.c', line: 3, column: 4 });
    expect(table.lookup(25)).toBeUndefined();
    expect(table.lookup(31)).toEqual({ file: 'b.c', line: 1, column: 0 });
  });
});

describe('a damaged .debug_line (found by test/fuzz/wasm.test.ts)', () => {
  it('is refused with a DwarfError at once, not read for billions of steps past its end', () => {
    // A unit that claims 256 MiB in a 12-byte section: the reader used to run its program to there.
    const huge = new Uint8Array([0xf0, 0xff, 0xff, 0x0f, 4, 0, 0, 0, 0, 0, 1, 1]);
    expect(() => parseDebugLine(huge)).toThrow(DwarfError);
    expect(() => parseDebugLine(huge)).toThrow(/longer than the section/);
    // line_range 0 would divide by zero in every special opcode.
    const zeroRange = new Uint8Array([16, 0, 0, 0, 4, 0, 10, 0, 0, 0, 1, 1, 1, 0xfb, 0, 1, 0, 0, 0, 0]);
    expect(() => parseDebugLine(zeroRange)).toThrow(/line_range of 0/);
  });
});
