// The terminal's escape key for what a PC and its keyboard have and a terminal cannot
// send: Ctrl-] then a key. Ctrl-] s/u/b... is Alt+SysRq+that key (a capital holds Shift:
// Ctrl-] R is Alt+Shift+SysRq+R); Ctrl-] Ctrl-R is the reset button and Ctrl-] Ctrl-P a
// power cycle (control keys, so that no SysRq key is taken); Ctrl-] . powers the machine
// off and leaves; Ctrl-] Ctrl-] sends a Ctrl-] itself.
export const ESCAPE = '\x1d';
const CTRL_P = '\x10', CTRL_R = '\x12';

export type EscapeAction =
  | { kind: 'input'; text: string }
  | { kind: 'sysrq'; key: string }
  | { kind: 'reset' }
  | { kind: 'power-cycle' }
  | { kind: 'quit' }
  | { kind: 'help' };

export const ESCAPE_HELP = '\r\n[driverlab] Ctrl-] then: a SysRq key (s sync, u remount r/o, b reboot, e/i kill processes, t tasks, w blocked tasks, h all keys)'
  + ' | Ctrl-R reset button | Ctrl-P power off and on | . power off and quit | ? this help | Ctrl-] a literal Ctrl-]\r\n';

/** Splits typed input into keys for the machine and escape commands; keeps state across chunks. */
export function createEscapeFilter(): (chunk: string) => EscapeAction[] {
  let pending = false;
  return (chunk) => {
    const actions: EscapeAction[] = [];
    let text = '';
    const flush = () => { if (text) { actions.push({ kind: 'input', text }); text = ''; } };
    for (const ch of chunk) {
      if (!pending) {
        if (ch === ESCAPE) pending = true;
        else text += ch;
        continue;
      }
      pending = false;
      if (ch === ESCAPE) { text += ESCAPE; continue; }
      flush();
      if (ch === '.') actions.push({ kind: 'quit' });
      else if (ch === '?') actions.push({ kind: 'help' });
      else if (ch === CTRL_R) actions.push({ kind: 'reset' });
      else if (ch === CTRL_P) actions.push({ kind: 'power-cycle' });
      else actions.push({ kind: 'sysrq', key: ch });
    }
    flush();
    return actions;
  };
}
