// A lab session's machine in its worker thread (main/session/machine-session.ts): boot, typing,
// output to screens that come and go (a reloaded page), flow control against a flood, and what
// happens when the machine stops: shut down, power cut, reset, or a thread that dies.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { MachineStatus, TerminalChunk } from '../main/ipc/common/contract.js';
import { MachineSession } from '../main/session/machine-session.js';
import { HIGH_WATER_CHARS, WINDOW_CHARS } from '../main/session/terminal-stream.js';

const sessions: MachineSession[] = [];
afterEach(async () => {
  await Promise.all(sessions.splice(0).map((s) => s.dispose()));
});

function newSession(files: Record<string, string> = {}) {
  const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'driverlab-session-'));
  for (const [name, content] of Object.entries(files)) fs.writeFileSync(path.join(workspace, name), content);
  const session = new MachineSession({ id: 'free-play', workspace, machine: { personality: 'modern', pacing: 'realtime' } });
  sessions.push(session);
  return session;
}

/** A screen that draws instantly: everything it gets, acknowledged at once. */
function screen(session: MachineSession) {
  let text = '';
  const { stream, detach } = session.output.attach((chunk: TerminalChunk) => {
    text += chunk.data;
    session.output.ack(chunk.stream, chunk.data.length);
  });
  return {
    stream, detach,
    get text() { return text; },
    async waitFor(pattern: RegExp | string, ms = 20_000): Promise<string> {
      const start = Date.now();
      while (!(typeof pattern === 'string' ? text.includes(pattern) : pattern.test(text))) {
        if (Date.now() - start > ms) throw new Error(`timed out waiting for ${pattern}; screen:\n${text.slice(-2000)}`);
        await new Promise((r) => setTimeout(r, 10));
      }
      return text;
    },
  };
}

function statuses(session: MachineSession) {
  const seen: MachineStatus[] = [];
  session.onStatus((s) => seen.push(s));
  return {
    seen,
    async waitFor(predicate: (s: MachineStatus) => boolean, ms = 20_000): Promise<MachineStatus> {
      const start = Date.now();
      while (!predicate(session.status())) {
        if (Date.now() - start > ms) throw new Error(`timed out; status ${JSON.stringify(session.status())}`);
        await new Promise((r) => setTimeout(r, 10));
      }
      return session.status();
    },
  };
}

const PROMPT = 'user@driverlab:/home/lab$ ';

describe('machine session', () => {
  it('boots a machine in a worker thread and runs what is typed', async () => {
    const session = newSession({ 'note.txt': 'from the host\n' });
    expect(session.status()).toMatchObject({ state: 'off', reason: 'not started', boot: 0 });
    const s = screen(session);
    const st = statuses(session);
    expect(session.boot()).toMatchObject({ state: 'booting', boot: 1 });
    await s.waitFor(PROMPT);
    expect(session.status()).toEqual({ session: 'free-play', state: 'running', personality: 'modern', boot: 1 });
    expect(st.seen.map((x) => x.state)).toEqual(['booting', 'running']);
    session.input('uname -r; cat note.txt\r');
    await s.waitFor(/uname -r; cat note.txt\r\n6\.8\.0-driverlab\r\nfrom the host\r\n/);
    // The thread is not the test's: the test thread stayed free while the machine ran.
    expect(session.thread).toBeDefined();
  });

  it('keeps running when its screen goes away, and replays the screen to the next one', async () => {
    const session = newSession();
    const first = screen(session);
    session.boot();
    await first.waitFor(PROMPT);
    session.input('echo before-$((40+2))\r');
    await first.waitFor('before-42\r\n');
    first.detach();
    // Typed while no screen was attached (a page reloading).
    session.input('echo during-reload\r');
    await new Promise((r) => setTimeout(r, 300));
    const second = screen(session);
    await second.waitFor(/before-42\r\n[^]*during-reload\r\n[^]*\$ $/);
    expect(session.status()).toMatchObject({ state: 'running', boot: 1 });
    session.input('echo after\r');
    await second.waitFor('after\r\n');
  });

  it('pauses a flooding machine while its screen is behind, and still takes ^C', async () => {
    const session = newSession();
    let received = 0;
    const chunks: TerminalChunk[] = [];
    // A screen that draws nothing until told: the worst reader.
    const { stream } = session.output.attach((c) => { chunks.push(c); received += c.data.length; });
    const s = screen(session);
    session.boot();
    await s.waitFor(PROMPT);
    for (const c of chunks.splice(0)) session.output.ack(stream, c.data.length);
    received = 0;
    session.input('yes flood\r');
    await s.waitFor('flood\r\nflood\r\n');
    const deadline = Date.now() + 10_000;
    while (!session.output.isPaused && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(session.output.isPaused).toBe(true);
    await new Promise((r) => setTimeout(r, 500));
    // Paused: the slow screen has a window in flight and a bounded queue, not megabytes. What
    // the machine printed while the pause was on its way to the worker (one slice, longer on a
    // loaded host) comes on top of the high-water mark; after that the queue must not grow.
    const backlog = session.output.backlog(stream)!;
    expect(backlog.inFlight).toBe(WINDOW_CHARS);
    expect(backlog.queued).toBeLessThan(HIGH_WATER_CHARS * 4);
    await new Promise((r) => setTimeout(r, 500));
    expect(session.output.backlog(stream)!.queued).toBe(backlog.queued);
    expect(received).toBeLessThanOrEqual(WINDOW_CHARS);
    session.input('\x03');
    // The slow screen catches up; then the flood has ended and the prompt is back.
    let tail = '';
    for (let i = 0; i < 200 && !tail.endsWith(PROMPT); i++) {
      for (const c of chunks.splice(0)) { tail = (tail + c.data).slice(-200); session.output.ack(stream, c.data.length); }
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(tail).toMatch(/flood\r\n(\^C\r\n)?user@driverlab:\/home\/lab\$ $/);
    expect(session.output.isPaused).toBe(false);
  });

  it('says the machine powered off when its thread dies, and boots a new one', async () => {
    const session = newSession();
    const s = screen(session);
    const st = statuses(session);
    session.boot();
    await s.waitFor(PROMPT);
    await session.thread!.terminate();
    const off = await st.waitFor((x) => x.state === 'off');
    expect(off).toMatchObject({ state: 'off', boot: 1, reason: 'crashed: the machine thread exited with code 1' });
    expect(() => session.input('ls\r')).toThrow('the machine is off: boot it first');
    expect(session.boot()).toMatchObject({ state: 'booting', boot: 2 });
    // Typed ahead while init's boot scripts still run: echoed at once, run by the shell once it is up.
    session.input('uname -r\r');
    await s.waitFor(/uname -r\r\n[^]*6\.8\.0-driverlab\r\n/);
  });

  it('reports a shell that exits as a machine that shut down', async () => {
    const session = newSession();
    const s = screen(session);
    const st = statuses(session);
    session.boot();
    await s.waitFor(PROMPT);
    session.input('exit 3\r');
    expect(await st.waitFor((x) => x.state === 'off')).toMatchObject({ reason: 'shut down (the shell exited with status 3)' });
  });

  it('resets and powers off on request', async () => {
    const session = newSession();
    const s = screen(session);
    session.boot();
    await s.waitFor(PROMPT);
    const firstThread = session.thread;
    // The machine's own reset button: the same thread boots the machine again, a new boot number and a new prompt.
    s.detach();
    const again = screen(session);
    expect(await session.reset()).toMatchObject({ state: 'running', boot: 2 });
    expect(session.thread).toBe(firstThread);
    await again.waitFor(PROMPT);
    expect(await session.powerOff()).toMatchObject({ state: 'off', boot: 2, reason: 'powered off' });
    expect(session.thread).toBeUndefined();
  });
});
