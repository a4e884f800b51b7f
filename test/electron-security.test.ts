// The Electron security checklist of issue 9, item by item. Electron's runtime cannot run on
// this machine, so each item is checked on the data and functions the app hands to Electron
// (main/electron/security.ts), with small stand-ins where Electron would call them.
import { EventEmitter } from 'node:events';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { IpcMain, Session, WebContents } from 'electron';
import { DriverLabCore } from '../main/app/core.js';
import { serveAppFile } from '../main/electron/app-protocol.js';
import { bridgeIpc, IPC_CHANNELS } from '../main/electron/ipc-bridge.js';
import {
  APP_ENTRY, APP_SCHEME, APP_SCHEME_PRIVILEGES, CONTENT_SECURITY_POLICY, RELEASE_FUSES, SECURE_WEB_PREFERENCES,
  denyPermissions, isAllowedRequest, isTrustedFrame, lockDownContents, windowOptions,
} from '../main/electron/security.js';
import { WindowSessions, windowHash } from '../main/electron/windows.js';
import { FREE_PLAY } from '../main/ipc/common/contract.js';
import type { Envelope } from '../main/ipc/common/protocol.js';
import { folderLabProvider } from '../main/labs/catalog.js';

const ROOT = path.resolve(import.meta.dirname, '..');

function sources(dir: string, pattern = /\.(ts|cts|tsx)$/): string[] {
  return fs.readdirSync(path.join(ROOT, dir), { recursive: true, encoding: 'utf8' })
    .filter((f) => pattern.test(f) && !f.includes('node_modules') && !f.startsWith('dist'))
    .map((f) => path.join(ROOT, dir, f));
}

function directives(csp: string): Map<string, string[]> {
  return new Map(csp.split(';').map((d) => d.trim().split(/\s+/)).filter((d) => d[0]).map(([name, ...values]) => [name!, values]));
}

describe('Electron security checklist', () => {
  it('1-4. windows: context isolation, sandbox, no Node integration anywhere, web security on', () => {
    const prefs = windowOptions('/app/preload.cjs').webPreferences!;
    expect(prefs).toEqual({ ...SECURE_WEB_PREFERENCES, preload: '/app/preload.cjs' });
    expect(prefs.contextIsolation).toBe(true);
    expect(prefs.sandbox).toBe(true);
    expect(prefs.nodeIntegration).toBe(false);
    expect(prefs.nodeIntegrationInWorker).toBe(false);
    expect(prefs.nodeIntegrationInSubFrames).toBe(false);
    expect(prefs.webSecurity).toBe(true);
    expect(prefs.allowRunningInsecureContent).toBe(false);
    expect(prefs.experimentalFeatures).toBe(false);
    expect(prefs.webviewTag).toBe(false);
    // Every window gets these options: main.ts creates windows only through windowOptions(), and turns the sandbox on app-wide.
    const main = fs.readFileSync(path.join(ROOT, 'main/electron/main.ts'), 'utf8');
    expect(main).toMatch(/new BrowserWindow\(windowOptions\(preload\)\)/);
    expect(main.match(/new BrowserWindow\(/g)).toHaveLength(1);
    expect(main).toMatch(/app\.enableSandbox\(\)/);
  });

  it("5-6. a strict Content-Security-Policy: script-src 'self', nothing remote", () => {
    const csp = directives(CONTENT_SECURITY_POLICY);
    expect(csp.get('script-src')).toEqual(["'self'"]);
    expect(csp.get('default-src')).toEqual(["'none'"]);
    expect(csp.get('object-src')).toEqual(["'none'"]);
    expect(csp.get('base-uri')).toEqual(["'none'"]);
    for (const [name, values] of csp) {
      for (const v of values) expect(v, `${name} ${v}`).toMatch(/^('self'|'none'|'unsafe-inline'|data:)$/);
      if (name !== 'style-src') expect(values).not.toContain("'unsafe-inline'");
    }
    // The page carries the same policy (a <meta> cannot hold frame-ancestors; the headers do).
    const html = fs.readFileSync(path.join(ROOT, 'renderer/index.html'), 'utf8');
    const meta = /http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(html)![1]!;
    const withoutFrameAncestors = new Map([...csp].filter(([name]) => name !== 'frame-ancestors'));
    expect(directives(meta)).toEqual(withoutFrameAncestors);
  });

  it('5. no remote content: requests other than the app scheme are cancelled', () => {
    expect(isAllowedRequest(`${APP_ENTRY}`)).toBe(true);
    expect(isAllowedRequest('driverlab://app/assets/index.js')).toBe(true);
    for (const url of ['https://example.com/x.js', 'http://127.0.0.1:8080/', 'file:///etc/passwd', 'ws://localhost/', 'driverlab://other/index.html', 'data:text/html,hi']) {
      expect(isAllowedRequest(url), url).toBe(false);
    }
  });

  it('7. navigation away from the app, new windows and <webview> are refused', () => {
    const contents = new EventEmitter() as EventEmitter & { windowOpen?: (d: { url: string }) => { action: string } };
    (contents as unknown as { setWindowOpenHandler: (h: (d: { url: string }) => { action: string }) => void }).setWindowOpenHandler = (h) => { contents.windowOpen = h; };
    lockDownContents(contents as unknown as WebContents);
    const navigate = (name: string, url: string) => {
      let prevented = false;
      contents.emit(name, { url, preventDefault: () => { prevented = true; } });
      return prevented;
    };
    expect(navigate('will-navigate', 'https://example.com/')).toBe(true);
    expect(navigate('will-navigate', 'file:///etc/passwd')).toBe(true);
    expect(navigate('will-navigate', 'driverlab://app/index.html#/lab/free-play')).toBe(false);
    expect(navigate('will-redirect', 'https://example.com/')).toBe(true);
    expect(navigate('will-attach-webview', 'driverlab://app/index.html')).toBe(true);
    expect(contents.windowOpen!({ url: 'https://example.com' })).toEqual({ action: 'deny' });
    expect(contents.windowOpen!({ url: APP_ENTRY })).toEqual({ action: 'deny' });
    // Applied to every web contents the app ever creates.
    expect(fs.readFileSync(path.join(ROOT, 'main/electron/main.ts'), 'utf8')).toMatch(/app\.on\('web-contents-created', \(_event, contents\) => lockDownContents\(contents\)\)/);
  });

  it('8. permission requests and checks are denied', () => {
    const handlers: Record<string, (...a: unknown[]) => unknown> = {};
    const session = {
      setPermissionRequestHandler: (h: (...a: unknown[]) => unknown) => { handlers.request = h; },
      setPermissionCheckHandler: (h: (...a: unknown[]) => unknown) => { handlers.check = h; },
      setDevicePermissionHandler: (h: (...a: unknown[]) => unknown) => { handlers.device = h; },
      webRequest: { onBeforeRequest: (h: (...a: unknown[]) => unknown) => { handlers.request2 = h; } },
    };
    denyPermissions(session as unknown as Session);
    for (const permission of ['media', 'geolocation', 'notifications', 'clipboard-read', 'openExternal', 'fullscreen']) {
      let granted: unknown;
      handlers.request!({}, permission, (ok: boolean) => { granted = ok; }, {});
      expect(granted, permission).toBe(false);
      expect(handlers.check!({}, permission, 'driverlab://app', {})).toBe(false);
    }
    expect(handlers.device!({ deviceType: 'usb' })).toBe(false);
    let cancel: unknown;
    handlers.request2!({ url: 'https://example.com/' }, (r: { cancel: boolean }) => { cancel = r.cancel; });
    expect(cancel).toBe(true);
    handlers.request2!({ url: 'driverlab://app/index.html' }, (r: { cancel: boolean }) => { cancel = r.cancel; });
    expect(cancel).toBe(false);
  });

  it('9. no shell.openExternal anywhere in the app', () => {
    for (const file of [...sources('main'), ...sources('renderer/src')]) {
      expect(fs.readFileSync(file, 'utf8'), file).not.toMatch(/\.openExternal\(|import\s*\{[^}]*\bshell\b[^}]*\}\s*from 'electron'/);
    }
  });

  it('10. the app is served from driverlab://, never file://', () => {
    expect(APP_ENTRY).toBe('driverlab://app/index.html');
    expect(APP_SCHEME_PRIVILEGES).toMatchObject({ standard: true, secure: true, bypassCSP: false, corsEnabled: false });
    const main = fs.readFileSync(path.join(ROOT, 'main/electron/main.ts'), 'utf8');
    expect(main).toMatch(/protocol\.registerSchemesAsPrivileged\(\[\{ scheme: APP_SCHEME/);
    expect(main).toMatch(/protocol\.handle\(APP_SCHEME, /);
    expect(main).toMatch(/loadURL\(`\$\{APP_ENTRY\}\$\{windowHash\(session\)\}`\)/);
    expect([windowHash(FREE_PLAY), windowHash('hello-proc')]).toEqual(['#/', '#/lab/hello-proc']);
    for (const file of sources('main/electron')) expect(fs.readFileSync(file, 'utf8'), file).not.toMatch(/loadFile\(|'file:\/\//);
    // The protocol serves the built renderer's files with the security headers, and nothing else.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'driverlab-app-'));
    fs.writeFileSync(path.join(dir, 'index.html'), '<!doctype html>');
    fs.writeFileSync(path.join(os.tmpdir(), 'outside.txt'), 'secret');
    const ok = serveAppFile('driverlab://app/index.html', dir);
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    expect(ok.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(serveAppFile('driverlab://app/', dir).status).toBe(200);
    for (const url of ['driverlab://app/../outside.txt', 'driverlab://app/%2e%2e/outside.txt', 'driverlab://app/..%2foutside.txt', 'driverlab://other/index.html', 'driverlab://app/.hidden', 'driverlab://app/nosuch.js']) {
      expect(serveAppFile(url, dir).status, url).toBe(404);
    }
    fs.rmSync(dir, { recursive: true });
  });

  it('11. the preload exposes exactly the typed client, { call, listen }, and nothing of ipcRenderer', async () => {
    const exposed: [string, unknown][] = [];
    const invoked: unknown[][] = [];
    const listenedOn: string[] = [];
    const ipcRenderer = {
      on: (channel: string) => listenedOn.push(channel),
      send: (...a: unknown[]) => invoked.push(['send', ...a]),
      invoke: async (channel: string, ...a: unknown[]): Promise<Envelope> => {
        invoked.push([channel, ...a]);
        return a[1] === 'fail' ? { ok: false, error: { code: 'failed', message: 'no' } } : { ok: true, value: 'value' };
      },
    };
    const standIn = { contextBridge: { exposeInMainWorld: (key: string, api: unknown) => exposed.push([key, api]) }, ipcRenderer };
    // The compiled preload, as Electron loads it (CommonJS, requiring only 'electron').
    const preloadFile = path.join(ROOT, 'dist/main/electron/preload.cjs');
    const require = createRequire(preloadFile);
    const electronPath = require.resolve('electron');
    require.cache[electronPath] = { id: electronPath, filename: electronPath, loaded: true, exports: standIn } as NodeJS.Module;
    try {
      delete require.cache[preloadFile];
      require(preloadFile);
    } finally {
      delete require.cache[electronPath];
    }
    expect(exposed.map(([key]) => key)).toEqual(['driverlab']);
    const api = exposed[0]![1] as Record<string, (...a: unknown[]) => unknown>;
    expect(Object.keys(api).sort()).toEqual(['call', 'listen']);
    expect(await api.call!('labs', 'list', [])).toBe('value');
    await expect(api.call!('labs', 'fail', [])).rejects.toThrow('no');
    const stop = api.listen!('machine', 'status', FREE_PLAY, () => undefined) as () => void;
    stop();
    expect(invoked).toEqual([
      [IPC_CHANNELS.call, 'labs', 'list', []],
      [IPC_CHANNELS.call, 'labs', 'fail', []],
      [IPC_CHANNELS.listen, 1, 'machine', 'status', FREE_PLAY],
      ['send', IPC_CHANNELS.unlisten, 1],
    ]);
    // The preload's own copy of the channel names (it can import nothing) is the bridge's.
    expect(listenedOn).toEqual([IPC_CHANNELS.event]);
  });

  it('12. release builds set the fuses (electron-builder.yml = RELEASE_FUSES)', () => {
    const yml = fs.readFileSync(path.join(ROOT, 'electron-builder.yml'), 'utf8');
    const block = /^electronFuses:\n((?:[ \t]+\w+: \w+\n)+)/m.exec(yml)![1]!;
    const fuses = Object.fromEntries(block.trim().split('\n').map((l) => l.trim().split(': ')).map(([k, v]) => [k, v === 'true']));
    expect(fuses).toEqual(RELEASE_FUSES);
    expect(RELEASE_FUSES.runAsNode).toBe(false);
    expect(RELEASE_FUSES.enableNodeOptionsEnvironmentVariable).toBe(false);
    expect(RELEASE_FUSES.enableNodeCliInspectArguments).toBe(false);
    expect(RELEASE_FUSES.onlyLoadAppFromAsar).toBe(true);
    expect(RELEASE_FUSES.enableEmbeddedAsarIntegrityValidation).toBe(true);
    expect(RELEASE_FUSES.grantFileProtocolExtraPrivileges).toBe(false);
  });
});

describe('Electron IPC senders', () => {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'driverlab-electron-'));
  const core = new DriverLabCore({ home, labs: folderLabProvider(path.join(home, 'labs')) });
  afterAll(async () => {
    await core.close();
    fs.rmSync(home, { recursive: true, force: true });
  });

  it('answers only the top frame of an app page, in a window of ours, for its own session', async () => {
    const handlers = new Map<string, (...a: unknown[]) => unknown>();
    const ipcMain = { handle: (ch: string, h: (...a: unknown[]) => unknown) => handlers.set(ch, h), on: (ch: string, h: (...a: unknown[]) => unknown) => handlers.set(ch, h) };
    const windows = new WindowSessions<{ id: number; focus(): void }>();
    windows.bind({ id: 1, focus: () => undefined }, FREE_PLAY);
    bridgeIpc(ipcMain as unknown as IpcMain, core.server, (contents) => {
      const session = windows.sessionFor(contents.id);
      return session === undefined ? undefined : { description: `window ${contents.id}`, mayUse: (s) => windows.mayUse(contents.id, s) };
    });
    const sent: unknown[][] = [];
    const contents = (id: number) => Object.assign(new EventEmitter(), { id, isDestroyed: () => false, send: (...a: unknown[]) => sent.push(a) });
    const window1 = contents(1);
    const event = (sender: EventEmitter, url: string, top = true) => ({ sender, senderFrame: { url, parent: top ? null : {} } });
    const call = (e: unknown, ...args: unknown[]) => handlers.get(IPC_CHANNELS.call)!(e, ...args) as Promise<Envelope>;

    expect(await call(event(window1, 'driverlab://app/index.html'), 'labs', 'get', [FREE_PLAY])).toMatchObject({ ok: true, value: { id: FREE_PLAY } });
    const forbidden = { ok: false, error: { code: 'forbidden', message: 'not a DriverLab page' } };
    expect(await call(event(window1, 'https://example.com/'), 'labs', 'list', [])).toEqual(forbidden);
    expect(await call(event(window1, 'driverlab://app/index.html', false), 'labs', 'list', [])).toEqual(forbidden);
    expect(await call({ sender: window1, senderFrame: null }, 'labs', 'list', [])).toEqual(forbidden);
    expect(await call(event(contents(2), 'driverlab://app/index.html'), 'labs', 'list', [])).toEqual(forbidden);
    expect(await call(event(window1, 'driverlab://app/index.html'), 'workspace', 'list', ['other-lab'])).toEqual({ ok: false, error: { code: 'forbidden', message: "window 1 may not use session 'other-lab'" } });

    // Events go to the page that listens, and stop when the page reloads.
    expect(handlers.get(IPC_CHANNELS.listen)!(event(window1, 'driverlab://app/index.html'), 5, 'settings', 'changed', '')).toEqual({ ok: true, value: null });
    await core.servicesFor({ description: 'test', mayUse: () => true }).settings.set('fontSize', 17);
    expect(sent).toEqual([[IPC_CHANNELS.event, 5, expect.objectContaining({ fontSize: 17 })]]);
    window1.emit('did-start-navigation', { isMainFrame: true, isSameDocument: false });
    await core.servicesFor({ description: 'test', mayUse: () => true }).settings.set('fontSize', 18);
    expect(sent).toHaveLength(1);
  });

  it('keeps one window per lab session', () => {
    const windows = new WindowSessions<{ id: number; focus(): void }>();
    windows.bind({ id: 1, focus: () => undefined }, FREE_PLAY);
    expect(() => windows.bind({ id: 2, focus: () => undefined }, FREE_PLAY)).toThrow("session 'free-play' already has window 1");
    expect(() => windows.bind({ id: 1, focus: () => undefined }, 'hello')).toThrow("window 1 already shows session 'free-play'");
    expect(windows.mayUse(1, FREE_PLAY)).toBe(true);
    expect(windows.mayUse(1, 'hello')).toBe(false);
    windows.forget(1);
    expect(windows.windowFor(FREE_PLAY)).toBeUndefined();
    expect(windows.mayUse(1, FREE_PLAY)).toBe(false);
  });

  it('trusts no frame but the top frame of an app page', () => {
    expect(isTrustedFrame({ url: 'driverlab://app/index.html#/lab/x', parent: null })).toBe(true);
    expect(isTrustedFrame({ url: 'driverlab://app/index.html', parent: {} as never })).toBe(false);
    expect(isTrustedFrame({ url: 'file:///app/index.html', parent: null })).toBe(false);
    expect(isTrustedFrame({ url: 'https://app/', parent: null })).toBe(false);
    expect(isTrustedFrame(null)).toBe(false);
    expect(APP_SCHEME).toBe('driverlab');
  });
});
