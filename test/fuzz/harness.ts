// The fuzzing harness shared by test/fuzz/*.test.ts: fast-check with a fixed seed and few runs in
// `npm test`, or a random seed and many more runs in `npm run fuzz` (DRIVERLAB_FUZZ=1). A failure
// prints the seed and the shrunk input; DRIVERLAB_FUZZ_SEED=N replays it.
//
// Every property has the same shape: the parser accepts the input or refuses it with a message a
// learner can act on; it never throws anything else, and it never hangs. A hang of synchronous
// code cannot be caught by a test timeout (the event loop is blocked), so `bounded` runs the
// parser under V8's execution watchdog (node:vm's timeout), which stops it and reports the input.
import fc from 'fast-check';
import * as vm from 'node:vm';

/** `npm run fuzz`: long runs with a random seed. */
export const LONG = process.env.DRIVERLAB_FUZZ === '1';

export const SEED = process.env.DRIVERLAB_FUZZ_SEED !== undefined
  ? Number(process.env.DRIVERLAB_FUZZ_SEED)
  : LONG ? (Date.now() ^ (process.pid << 16)) >>> 0 : 0x5eed_d21b;

/** How many more runs a long session makes than the suite (DRIVERLAB_FUZZ_SCALE, default 100). */
const SCALE = LONG ? Number(process.env.DRIVERLAB_FUZZ_SCALE ?? 100) : 1;

/**
 * A parser that gives no answer within this much real time is taken to hang. It is a liveness
 * guard, not a timing assertion: the inputs are small, and every parser answers them in
 * milliseconds on the busiest machine.
 */
export const HANG_MS = Number(process.env.DRIVERLAB_FUZZ_HANG_MS ?? 10_000);

if (LONG) console.log(`fuzzing with seed ${SEED} (DRIVERLAB_FUZZ_SEED=${SEED} replays it), ${SCALE}x the suite's runs`);

export function runs(n: number): number {
  return Math.max(1, Math.round(n * SCALE));
}

/** fc.assert with the session's seed and `numRuns` scaled for long sessions. */
export function check<Ts extends [unknown, ...unknown[]]>(property: fc.IProperty<Ts>, numRuns: number, extra: Partial<fc.Parameters<Ts>> = {}): void {
  fc.assert(property, { seed: SEED, numRuns: runs(numRuns), ...extra });
}

export async function checkAsync<Ts extends [unknown, ...unknown[]]>(property: fc.IAsyncProperty<Ts>, numRuns: number, extra: Partial<fc.Parameters<Ts>> = {}): Promise<void> {
  await fc.assert(property, { seed: SEED, numRuns: runs(numRuns), ...extra });
}

export class Hang extends Error {}

const sandbox = vm.createContext({ run: undefined as unknown });
const call = new vm.Script('run()');

/** Runs synchronous `fn`, turning a hang (no answer within HANG_MS) into a Hang error naming `what`. */
export function bounded<T>(what: string, fn: () => T): T {
  (sandbox as { run: unknown }).run = fn;
  try {
    return call.runInContext(sandbox, { timeout: HANG_MS }) as T;
  } catch (e) {
    if ((e as { code?: string }).code === 'ERR_SCRIPT_EXECUTION_TIMEOUT') throw new Hang(`${what} hung: no answer within ${HANG_MS} ms`);
    throw e;
  } finally {
    (sandbox as { run: unknown }).run = undefined;
  }
}

/** A string made of `fragments` (the tokens that matter to a parser) and arbitrary characters. */
export function soup(fragments: readonly string[], maxLength = 40): fc.Arbitrary<string> {
  return fc.array(fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...fragments) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 3 }) },
  ), { maxLength }).map((parts) => parts.join(''));
}

/** A message a learner can read: not empty, and not a JavaScript error leaking through. */
export function isClearMessage(message: unknown): boolean {
  if (typeof message !== 'string' || message.trim() === '') return false;
  return !/\b(TypeError|RangeError|ReferenceError|SyntaxError|undefined is not|Cannot read properties|is not a function|Maximum call stack|internal error)\b/.test(message);
}

export type Edit =
  | { kind: 'flip'; at: number; bit: number }
  | { kind: 'byte'; at: number; value: number }
  | { kind: 'run'; at: number; bytes: number[] };

export interface Mutation { edits: Edit[]; cut: number | null }

/**
 * Byte-wise mutations of a file of `length` bytes (flipped bits, overwritten bytes and runs, and
 * with `truncate` a cut), as a list of edits: a failure prints the few edits, not the whole file.
 * `within` limits the edits to [start, end).
 */
export function mutation(length: number, options: { maxEdits?: number; within?: [number, number]; truncate?: boolean } = {}): fc.Arbitrary<Mutation> {
  const [lo, hi] = options.within ?? [0, length];
  const at = fc.integer({ min: lo, max: Math.max(lo, hi - 1) });
  const edit: fc.Arbitrary<Edit> = fc.oneof(
    fc.record({ kind: fc.constant('flip' as const), at, bit: fc.integer({ min: 0, max: 7 }) }),
    fc.record({ kind: fc.constant('byte' as const), at, value: fc.constantFrom(0, 0xff, 0x7f, 0x80, 1, 2) }),
    fc.record({ kind: fc.constant('byte' as const), at, value: fc.integer({ min: 0, max: 255 }) }),
    fc.record({ kind: fc.constant('run' as const), at, bytes: fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 1, maxLength: 16 }) }),
  );
  return fc.record({
    edits: fc.array(edit, { minLength: 1, maxLength: options.maxEdits ?? 8 }),
    cut: options.truncate ? fc.option(fc.integer({ min: 0, max: length }), { freq: 4 }) : fc.constant(null),
  });
}

export function applyMutation(original: Uint8Array, m: Mutation, within?: [number, number]): Uint8Array {
  const hi = within?.[1] ?? original.length;
  const out = original.slice();
  for (const e of m.edits) {
    if (e.at >= hi) continue;
    if (e.kind === 'flip') out[e.at] = out[e.at]! ^ (1 << e.bit);
    else if (e.kind === 'byte') out[e.at] = e.value;
    else out.set(e.bytes.slice(0, Math.max(0, hi - e.at)), e.at);
  }
  return m.cut === null ? out : out.slice(0, m.cut);
}
