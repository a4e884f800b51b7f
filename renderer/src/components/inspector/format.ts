// Numbers as a hardware engineer reads them: virtual time in seconds with microseconds, spans
// with their unit, registers in hex and bit by bit.

/** "12.345678 s" */
export function formatClock(ns: number): string {
  const s = Math.floor(ns / 1e9);
  const us = Math.floor((ns % 1e9) / 1e3);
  return `${s}.${String(us).padStart(6, '0')} s`;
}

/** A span of virtual time with the unit that suits it: "250 ns", "12.5 µs", "3 ms", "1.5 s", "2 min". */
export function formatSpan(ns: number): string {
  const abs = Math.abs(ns);
  const fix = (v: number) => (v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1).replace(/\.0$/, '') : v.toFixed(2).replace(/\.?0+$/, ''));
  if (abs < 1e3) return `${fix(ns)} ns`;
  if (abs < 1e6) return `${fix(ns / 1e3)} µs`;
  if (abs < 1e9) return `${fix(ns / 1e6)} ms`;
  if (abs < 120e9) return `${fix(ns / 1e9)} s`;
  return `${fix(ns / 60e9)} min`;
}

export function hex(v: number, digits = 2): string {
  return `0x${v.toString(16).padStart(digits, '0')}`;
}

export function bits(v: number, n = 8): string[] {
  return Array.from({ length: n }, (_, i) => (((v >> (n - 1 - i)) & 1) === 1 ? '1' : '0'));
}
