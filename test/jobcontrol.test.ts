// Job control on the console: ^Z stops the foreground job (state T), jobs/fg/bg
// and kill -STOP/-CONT work on it, and a stopped sleeper keeps its deadline.
import { describe, expect, it } from 'vitest';
import { Machine } from '../emulator/machine.js';
import { createNodeHost } from '../main/host/node-host.js';
import { tempWorkspace } from './helpers/machine.js';

/** Types each line into an interactive shell, one virtual second apart; returns what the terminal showed. */
async function session(lines: string[]): Promise<string> {
  let out = '';
  const m = new Machine(createNodeHost({ workspace: tempWorkspace() }), {}, (t) => { out += t; });
  m.boot();
  out = '';
  lines.forEach((line, i) => m.clock.schedule((i + 1) * 1e9, () => m.input(line), 'test: type'));
  await m.runShell();
  return out.replace(/\r\n/g, '\n');
}

describe('job control', () => {
  it('^Z stops the foreground job; jobs, ps, bg and fg act on it', async () => {
    const out = await session(['sleep 5\r', '\x1a', 'jobs\r', 'ps -o stat,comm | grep sleep\r', 'bg\r', 'jobs\r', 'fg\r', 'echo "fg status $?"\r', 'exit\r']);
    expect(out).toContain('^Z\n[1]+  Stopped                 sleep 5\n');
    expect(out).toMatch(/\$ jobs\n\[1\]\+ {2}Stopped {17}sleep 5\n/);
    expect(out).toMatch(/grep sleep\nT {4}sleep\n/);
    expect(out).toContain('$ bg\n[1]+ sleep 5 &\n');
    expect(out).toMatch(/\$ jobs\n\[1\]\+ {2}Running {17}sleep 5 &\n/);
    // sleep 5 started at 1 s; stopped and continued, it still ends at 6 s: fg waits for it, status 0.
    expect(out).toContain('$ fg\nsleep 5\n');
    expect(out).toContain('fg status 0\n');
  });

  it('kill -STOP and kill -CONT on a background job', async () => {
    const out = await session(['sleep 10 &\r', 'kill -STOP %1\r', 'ps -o stat,comm | grep sleep\r', 'kill -CONT %1\r', 'ps -o stat,comm | grep sleep\r', 'exit\r']);
    expect(out).toMatch(/kill -STOP %1\n.*\n?.*grep sleep\nT {4}sleep\n/);
    expect(out).toMatch(/kill -CONT %1\n.*grep sleep\nS {4}sleep\n/);
  });
});
