// Medians and a printed table: figures are compared as medians of several runs
// (this machine's timings are noisy).
export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

export async function measure(runs: number, f: () => Promise<void> | void): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await f();
    out.push(performance.now() - t);
  }
  return out;
}

export interface Row { name: string; value: string; target?: string; runs?: number }

export function printTable(rows: Row[]): void {
  const w0 = Math.max(...rows.map((r) => r.name.length), 6);
  const w1 = Math.max(...rows.map((r) => r.value.length), 6);
  const line = (a: string, b: string, c: string, d: string) => `${a.padEnd(w0)}  ${b.padStart(w1)}  ${c.padEnd(14)}  ${d}`;
  console.log(line('figure', 'median', 'target', 'runs'));
  console.log(line('-'.repeat(w0), '-'.repeat(w1), '-'.repeat(14), '----'));
  for (const r of rows) console.log(line(r.name, r.value, r.target ?? '', r.runs ? String(r.runs) : ''));
}
