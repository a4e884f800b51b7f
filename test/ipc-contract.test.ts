// The IPC contract as the core enforces it (main/ipc/server.ts, main/app/core.ts): every
// argument against its schema, every sender against the sessions it may use, through the same
// connection both transports use. The services behind it are the real ones.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DriverLabCore } from '../main/app/core.js';
import { FREE_PLAY, MAX_FILE_CHARS, MAX_INPUT_CHARS } from '../main/ipc/common/contract.js';
import type { Envelope, ServerMessage } from '../main/ipc/common/protocol.js';
import { MAX_LISTENERS_PER_CONNECTION, type Sender } from '../main/ipc/server.js';
import { SocketPeer } from '../main/ipc/socket-transport.js';
import { folderLabProvider } from '../main/labs/catalog.js';
import { writeLab } from './helpers/labs.js';

const home = fs.mkdtempSync(path.join(os.tmpdir(), 'driverlab-ipc-'));
const labsDir = path.join(home, 'labs');
const core = new DriverLabCore({ home, labs: folderLabProvider(labsDir) });
afterAll(async () => {
  await core.close();
  fs.rmSync(home, { recursive: true, force: true });
});

const anyone: Sender = { description: 'test client', mayUse: () => true };
/** Like an Electron window: bound to one lab session. */
const freePlayWindow: Sender = { description: 'window 1 (free-play)', mayUse: (s) => s === FREE_PLAY };

function connect(sender = anyone) {
  const events: [number, unknown][] = [];
  return { connection: core.server.connect(sender, (id, payload) => events.push([id, payload])), events };
}

function code(e: Envelope): string {
  return e.ok ? 'ok' : e.error.code;
}

describe('IPC contract', () => {
  const { connection } = connect();

  it('answers only methods of the contract, own properties only', async () => {
    for (const [service, method] of [['machine', '__proto__'], ['machine', 'constructor'], ['labs', 'toString'], ['__proto__', 'list'], ['machine', 'dispose'], ['fs', 'read'], [1, 'list'], ['labs', null]]) {
      expect(code(await connection.call(service, method, [])), `${String(service)}.${String(method)}`).toBe('unknown-method');
    }
  });

  it('checks every argument against its schema', async () => {
    const bad: [string, string, unknown][] = [
      ['labs', 'list', ['extra']],
      ['labs', 'list', {}],
      ['labs', 'get', []],
      ['machine', 'open', ['Free Play']],
      ['machine', 'open', ['../etc']],
      ['machine', 'open', [42]],
      ['terminal', 'input', [FREE_PLAY, 42]],
      ['terminal', 'input', [FREE_PLAY, 'x'.repeat(MAX_INPUT_CHARS + 1)]],
      ['terminal', 'resize', [FREE_PLAY, 0, 24]],
      ['terminal', 'resize', [FREE_PLAY, 80.5, 24]],
      ['terminal', 'resize', [FREE_PLAY, 80, -1]],
      ['terminal', 'ack', [FREE_PLAY, 1, Number.NaN]],
      ['workspace', 'read', [FREE_PLAY, '../progress.db']],
      ['workspace', 'read', [FREE_PLAY, '/etc/passwd']],
      ['workspace', 'read', [FREE_PLAY, 'a//b.c']],
      ['workspace', 'read', [FREE_PLAY, 'a\\..\\b.c']],
      ['workspace', 'read', [FREE_PLAY, './x.c']],
      ['workspace', 'write', [FREE_PLAY, 'big.c', 'x'.repeat(MAX_FILE_CHARS + 1)]],
      ['workspace', 'write', [FREE_PLAY, 'x.c', { toString: 'not a string' }]],
      ['machine', 'sysrq', [FREE_PLAY, 'ab']],
      ['machine', 'sysrq', [FREE_PLAY, 'B']],
      ['labs', 'hint', [FREE_PLAY, -1]],
      ['labs', 'asset', [FREE_PLAY, '../../progress.db']],
      ['progress', 'restore', ['hello', 1]],
      ['progress', 'planRestore', ['hello', 1.5]],
      ['settings', 'set', ['nosuch', 1]],
      ['settings', 'set', ['theme', { dark: true }]],
    ];
    for (const [service, method, args] of bad) {
      const result = await connection.call(service, method, args);
      expect(code(result), `${service}.${method}(${JSON.stringify(args).slice(0, 60)})`).toBe('invalid-argument');
      expect(result.ok ? '' : result.error.message).toMatch(new RegExp(`^${service}\\.${method}: `));
    }
  });

  it("passes a setting's value to the store's own validation, whose message reaches the UI", async () => {
    const result = await connection.call('settings', 'set', ['fontSize', 99]);
    expect(result).toEqual({ ok: false, error: { code: 'failed', message: 'fontSize must be a whole number from 8 to 32, not 99' } });
    expect(await connection.call('settings', 'set', ['theme', 'dark'])).toMatchObject({ ok: true, value: { theme: 'dark' } });
  });

  it('lists free play when there is no labs folder, and reports a broken lab without hiding the others', async () => {
    const empty = await connection.call('labs', 'list', []);
    expect(empty).toMatchObject({ ok: true, value: { labs: [], problems: [], freePlay: { id: FREE_PLAY, personality: 'modern' } } });
    writeLab(labsDir, 'hello', { manifest: { title: 'Hello, /proc', summary: 'A first module', topic: 'modules' } });
    fs.mkdirSync(path.join(labsDir, 'broken'));
    fs.writeFileSync(path.join(labsDir, 'broken', 'lab.json'), '{ "id": "broken", ');
    const listed = await connection.call('labs', 'list', []);
    expect(listed.ok && listed.value).toMatchObject({ labs: [{ id: 'hello', title: 'Hello, /proc', personality: 'modern' }], problems: [{ folder: 'broken' }] });
    expect(await connection.call('labs', 'get', ['nosuch'])).toEqual({ ok: false, error: { code: 'failed', message: "no lab 'nosuch'" } });
    fs.rmSync(labsDir, { recursive: true });
  });

  it('reads and writes workspace files, and nothing outside the workspace', async () => {
    expect(await connection.call('workspace', 'write', [FREE_PLAY, 'hello.c', 'int x;\n'])).toEqual({ ok: true, value: { path: 'hello.c', size: 7 } });
    expect(await connection.call('workspace', 'read', [FREE_PLAY, 'hello.c'])).toEqual({ ok: true, value: 'int x;\n' });
    expect(await connection.call('workspace', 'list', [FREE_PLAY])).toEqual({ ok: true, value: [{ path: 'hello.c', size: 7, text: true, mtimeMs: expect.any(Number) }] });
    const workspace = path.join(home, 'workspaces', FREE_PLAY);
    expect(fs.readFileSync(path.join(workspace, 'hello.c'), 'utf8')).toBe('int x;\n');
    // A symbolic link in the workspace does not lead the editor out of it.
    fs.symlinkSync(home, path.join(workspace, 'out'));
    expect(await connection.call('workspace', 'write', [FREE_PLAY, 'out/escaped.c', 'x'])).toEqual({ ok: false, error: { code: 'failed', message: 'out/escaped.c: outside the workspace' } });
    expect(fs.existsSync(path.join(home, 'escaped.c'))).toBe(false);
    expect(code(await connection.call('workspace', 'read', [FREE_PLAY, 'out/progress.db']))).toBe('failed');
    expect(code(await connection.call('workspace', 'list', ['nosuch-lab']))).toBe('failed');
    expect(fs.existsSync(path.join(home, 'workspaces', 'nosuch-lab'))).toBe(false);
  });

  it("refuses a sender the sessions it may not use, in calls and in listeners", async () => {
    const { connection: window } = connect(freePlayWindow);
    for (const [service, method, args] of [['machine', 'open', ['other-lab']], ['terminal', 'input', ['other-lab', 'ls\n']], ['workspace', 'read', ['other-lab', 'a.c']]] as const) {
      const result = await window.call(service, method, args);
      expect(result).toEqual({ ok: false, error: { code: 'forbidden', message: "window 1 (free-play) may not use session 'other-lab'" } });
    }
    expect(code(window.listen(1, 'terminal', 'output', 'other-lab'))).toBe('forbidden');
    expect(code(window.listen(2, 'settings', 'changed', FREE_PLAY))).toBe('invalid-argument');
    expect(code(window.listen(3, 'machine', 'nosuch', FREE_PLAY))).toBe('unknown-method');
    expect(code(window.listen(4, 'machine', '__proto__', FREE_PLAY))).toBe('unknown-method');
    expect(code(window.listen(-1, 'settings', 'changed', ''))).toBe('invalid-argument');
    window.close();
  });

  it('delivers events to listeners and stops them when the page goes away', async () => {
    const { connection: page, events } = connect();
    expect(page.listen(7, 'settings', 'changed', '')).toEqual({ ok: true, value: null });
    expect(code(page.listen(7, 'settings', 'changed', ''))).toBe('invalid-argument');
    await connection.call('settings', 'set', ['fontSize', 16]);
    expect(events).toEqual([[7, expect.objectContaining({ fontSize: 16 })]]);
    page.close();
    await connection.call('settings', 'set', ['fontSize', 15]);
    expect(events).toHaveLength(1);
    expect(page.listenerCount).toBe(0);
  });

  it('bounds the listeners of one connection', () => {
    const { connection: page } = connect();
    for (let i = 0; i < MAX_LISTENERS_PER_CONNECTION; i++) expect(code(page.listen(i, 'settings', 'changed', ''))).toBe('ok');
    expect(code(page.listen(MAX_LISTENERS_PER_CONNECTION, 'settings', 'changed', ''))).toBe('forbidden');
    page.close();
  });

  it('carries the same contract over WebSocket messages, ignoring malformed ones', async () => {
    const sent: ServerMessage[] = [];
    const peer = new SocketPeer(core.server, anyone, (text) => sent.push(JSON.parse(text) as ServerMessage));
    await peer.receive('not json');
    await peer.receive('null');
    await peer.receive(JSON.stringify({ kind: 'call', id: 'x', service: 'labs', method: 'list', args: [] }));
    expect(sent).toEqual([]);
    await peer.receive(JSON.stringify({ kind: 'call', id: 1, service: 'labs', method: 'get', args: [FREE_PLAY] }));
    await peer.receive(JSON.stringify({ kind: 'call', id: 2, service: 'labs', method: 'get', args: ['x/y'] }));
    await peer.receive(JSON.stringify({ kind: 'shout', id: 3 }));
    expect(sent).toEqual([
      { kind: 'result', id: 1, envelope: { ok: true, value: expect.objectContaining({ id: FREE_PLAY, title: 'Free play' }) } },
      { kind: 'result', id: 2, envelope: { ok: false, error: { code: 'invalid-argument', message: expect.stringMatching(/^labs\.get: /) } } },
      { kind: 'result', id: 3, envelope: { ok: false, error: { code: 'unknown-method', message: 'unknown message kind' } } },
    ]);
    peer.close();
  });
});
