import { describe, expect, it } from 'vitest';
import { createEscapeFilter } from '../main/cli/escape.js';

describe('the terminal escape (Ctrl-])', () => {
  it('passes text through, turns Ctrl-] KEY into SysRq and Ctrl-] . into quit, across chunks', () => {
    const f = createEscapeFilter();
    expect(f('ls\r')).toEqual([{ kind: 'input', text: 'ls\r' }]);
    expect(f('a\x1d')).toEqual([{ kind: 'input', text: 'a' }]);
    expect(f('b')).toEqual([{ kind: 'sysrq', key: 'b' }]);
    // A capital is a key of its own (Alt+Shift+SysRq+R replays the kernel log; r is unraw).
    expect(f('\x1dR')).toEqual([{ kind: 'sysrq', key: 'R' }]);
    expect(f('x\x1d\x1dy')).toEqual([{ kind: 'input', text: 'x\x1dy' }]);
    expect(f('\x1d?\x1d.')).toEqual([{ kind: 'help' }, { kind: 'quit' }]);
  });

  it('Ctrl-] Ctrl-R is the reset button and Ctrl-] Ctrl-P a power cycle: control keys, which no SysRq key is', () => {
    const f = createEscapeFilter();
    expect(f('\x1d\x12')).toEqual([{ kind: 'reset' }]);
    expect(f('\x1d\x10x')).toEqual([{ kind: 'power-cycle' }, { kind: 'input', text: 'x' }]);
  });
});
