import { describe, expect, it } from 'vitest';
import { parseScript } from './parser.js';

/** Deterministic PRNG (mulberry32) so a failure can be reproduced from the printed input. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const FRAGMENTS = [
  "'", '"', '`', '$', '(', ')', '{', '}', '[', ']', '|', '&', ';', '<', '>', '\\', '\n', '#', '~', '*', '?',
  '=', '!', ' ', '\t', 'a', 'x1', '2', '-', ':', '%', '+', '$(', '$((', '))', '${', '${#', ':-', '<<', '<<-',
  'EOF', '2>&1', '&&', '||', ';;', 'if', 'then', 'elif', 'else', 'fi', 'for', 'in', 'do', 'done', 'while',
  'until', 'case', 'esac', 'function', 'f()', "$'", '\\\n',
];

function randomScript(next: () => number): string {
  const length = 1 + Math.floor(next() * 40);
  let text = '';
  for (let i = 0; i < length; i++) text += FRAGMENTS[Math.floor(next() * FRAGMENTS.length)];
  return text;
}

describe('parser robustness', () => {
  it('never throws on random metacharacter soup, and reports errors inside the input', () => {
    const next = random(20240601);
    let failures = 0;
    for (let i = 0; i < 600; i++) {
      const src = randomScript(next);
      let result;
      try {
        result = parseScript(src);
      } catch (error) {
        throw new Error(`parseScript threw on ${JSON.stringify(src)}: ${String(error)}`);
      }
      if (!result.ok) {
        failures++;
        expect(result.error.message, src).not.toBe('');
        expect(result.error.offset, src).toBeGreaterThanOrEqual(0);
        expect(result.error.offset, src).toBeLessThanOrEqual(src.length);
        expect(typeof result.incomplete, src).toBe('boolean');
      }
    }
    // The soup should exercise both outcomes.
    expect(failures).toBeGreaterThan(50);
    expect(failures).toBeLessThan(600);
  });

  it('turns absurd nesting into a syntax error instead of a stack overflow', () => {
    for (const src of [
      '('.repeat(20000),
      '('.repeat(5000) + 'x' + ')'.repeat(5000),
      '$('.repeat(5000),
      'echo ' + '${x:-'.repeat(5000),
      '{ '.repeat(5000),
      'if '.repeat(5000),
      '"$('.repeat(3000),
      'echo $((' + '('.repeat(3000),
    ]) {
      const result = parseScript(src);
      expect(result.ok, src.slice(0, 20)).toBe(false);
    }
  });

  it('parses a 1000-line script well under 50 ms', () => {
    const lines = [
      'make && sudo insmod hello.ko && cat /proc/hello_proc && echo "Test message" | sudo tee /proc/hello_proc && dmesg | tail -3',
      'KERNEL_DIR=/lib/modules/$(uname -r)/build; echo $KERNEL_DIR',
      'for i in 0 1 2 3; do mknod /dev/my_device$i c 125 $i; done',
      'if [ -e /dev/my_device0 ]; then chown root.root /dev/my_device?; else echo "missing ${dev:-none}" >&2; fi',
      'case "$1" in start|load) insmod hello.ko ;; *) echo usage 2>/dev/null ;; esac',
      'count=$((count + 1)) # a comment with $(stuff) and "quotes"',
      'head -c 6 /dev/x > out &',
      "cat <<'EOF' | grep -v '^#'",
      'body line with $not_expanded',
      'EOF',
    ];
    const script = Array.from({ length: 1000 }, (_, i) => lines[i % lines.length]).join('\n');
    // The first parses include V8 compiling and optimising the parser itself; measure it warm.
    for (let run = 0; run < 15; run++) expect(parseScript(script).ok).toBe(true);
    const times: number[] = [];
    for (let run = 0; run < 7; run++) {
      const started = performance.now();
      parseScript(script);
      times.push(performance.now() - started);
    }
    times.sort((a, b) => a - b);
    expect(times[3]).toBeLessThan(50);
  });
});
