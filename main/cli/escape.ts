// The terminal's escape key for what a PC keyboard has and a terminal cannot
// send: Ctrl-] then a key. Ctrl-] s/u/b... is Alt+SysRq+that key; Ctrl-] .
// powers the machine off and leaves; Ctrl-] Ctrl-] sends a Ctrl-] itself.
export const ESCAPE = '\x1d';

export type EscapeAction = { kind: 'input'; text: string } | { kind: 'sysrq'; key: string } | { kind: 'quit' } | { kind: 'help' };

export const ESCAPE_HELP = '\r\n[driverlab] Ctrl-] then: a SysRq key (b s u e i o t w h 0-9) | . power off and quit | ? this help | Ctrl-] a literal Ctrl-]\r\n';

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
      else actions.push({ kind: 'sysrq', key: ch.toLowerCase() });
    }
    flush();
    return actions;
  };
}
