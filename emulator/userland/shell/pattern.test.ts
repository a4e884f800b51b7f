import { describe, expect, it } from 'vitest';
import { escapeGlob, hasGlobMagic, matchAffix, matchPattern } from './pattern.js';

describe('matchPattern', () => {
  it('matches literals, ? and *', () => {
    expect(matchPattern('hello.c', 'hello.c')).toBe(true);
    expect(matchPattern('hello.c', 'hello.h')).toBe(false);
    expect(matchPattern('my_device?', 'my_device3')).toBe(true);
    expect(matchPattern('my_device?', 'my_device12')).toBe(false);
    expect(matchPattern('*.ko', 'hello.ko')).toBe(true);
    expect(matchPattern('*', '')).toBe(true);
    expect(matchPattern('a*b*c', 'aXXbYYbc')).toBe(true);
    expect(matchPattern('a*b*c', 'aXXbYYb')).toBe(false);
  });

  it('lets * cross / (case semantics)', () => {
    expect(matchPattern('/dev/*', '/dev/input/mice')).toBe(true);
  });

  it('supports bracket expressions', () => {
    expect(matchPattern('[abc]', 'b')).toBe(true);
    expect(matchPattern('[a-c]x', 'cx')).toBe(true);
    expect(matchPattern('[!a-c]', 'd')).toBe(true);
    expect(matchPattern('[^a-c]', 'a')).toBe(false);
    expect(matchPattern('[]x]', ']')).toBe(true);
    expect(matchPattern('[[:digit:]][[:upper:]]', '7Q')).toBe(true);
    expect(matchPattern('[[:space:]]', 'x')).toBe(false);
    expect(matchPattern('[a-]', '-')).toBe(true);
  });

  it('treats an unclosed [ as a literal', () => {
    expect(matchPattern('[abc', '[abc')).toBe(true);
    expect(hasGlobMagic('[abc')).toBe(false);
  });

  it('honours backslash quoting', () => {
    expect(matchPattern('\\*', '*')).toBe(true);
    expect(matchPattern('\\*', 'x')).toBe(false);
    expect(matchPattern(escapeGlob('a*[b]?\\'), 'a*[b]?\\')).toBe(true);
    expect(hasGlobMagic(escapeGlob('*?[x]'))).toBe(false);
  });

  it('stays fast on pathological patterns', () => {
    const started = Date.now();
    expect(matchPattern('*a'.repeat(30) + 'b', 'a'.repeat(200))).toBe(false);
    expect(Date.now() - started).toBeLessThan(200);
  });
});

describe('matchAffix', () => {
  it('finds the shortest and longest prefix and suffix', () => {
    expect(matchAffix('*/', 'a/b/c', 'prefix', false)).toBe(2);
    expect(matchAffix('*/', 'a/b/c', 'prefix', true)).toBe(4);
    expect(matchAffix('.*', 'x.tar.gz', 'suffix', false)).toBe(3);
    expect(matchAffix('.*', 'x.tar.gz', 'suffix', true)).toBe(7);
    expect(matchAffix('z*', 'abc', 'prefix', true)).toBe(-1);
  });
});
