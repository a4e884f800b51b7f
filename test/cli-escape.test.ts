import { describe, expect, it } from 'vitest';
import { createEscapeFilter } from '../main/cli/escape.js';

describe('the terminal escape (Ctrl-])', () => {
  it('passes text through, turns Ctrl-] KEY into SysRq and Ctrl-] . into quit, across chunks', () => {
    const f = createEscapeFilter();
    expect(f('ls\r')).toEqual([{ kind: 'input', text: 'ls\r' }]);
    expect(f('a\x1d')).toEqual([{ kind: 'input', text: 'a' }]);
    expect(f('B')).toEqual([{ kind: 'sysrq', key: 'b' }]);
    expect(f('x\x1d\x1dy')).toEqual([{ kind: 'input', text: 'x\x1dy' }]);
    expect(f('\x1d?\x1d.')).toEqual([{ kind: 'help' }, { kind: 'quit' }]);
  });
});
