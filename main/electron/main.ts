// The desktop face (`npm start`): Electron's main process. It owns the core (sessions and
// their machine threads, the settings store), opens one window per lab session, serves the
// renderer from driverlab://, and applies the security checklist of security.ts to everything.
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { app, BrowserWindow, ipcMain, protocol, session as electronSession } from 'electron';
import { DriverLabCore } from '../app/core.js';
import { packageRoot } from '../host/node-host.js';
import { FREE_PLAY, type SessionId } from '../ipc/common/contract.js';
import type { Sender } from '../ipc/server.js';
import { folderLabProvider } from '../labs/catalog.js';
import { workerLabFramework } from '../app/worker-framework.js';
import { serveAppFile } from './app-protocol.js';
import { bridgeIpc } from './ipc-bridge.js';
import { APP_ENTRY, APP_SCHEME, APP_SCHEME_PRIVILEGES, denyPermissions, lockDownContents, windowOptions } from './security.js';
import { WindowSessions, windowHash } from './windows.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = packageRoot();
const rendererDir = path.join(root, 'renderer', 'dist');
const preload = path.join(here, 'preload.cjs');

// Before 'ready': the scheme must be standard and secure for origins, fetch and CSP to work.
protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { ...APP_SCHEME_PRIVILEGES } }]);
app.enableSandbox();

interface Entry { id: number; window: BrowserWindow; focus(): void }
const windows = new WindowSessions<Entry>();
let core: DriverLabCore | undefined;

function openLabWindow(session: SessionId): BrowserWindow {
  const existing = windows.windowFor(session)?.window;
  if (existing && !existing.isDestroyed()) {
    if (existing.isMinimized()) existing.restore();
    existing.focus();
    return existing;
  }
  const win = new BrowserWindow(windowOptions(preload));
  const contentsId = win.webContents.id;
  // Windows are registered by their webContents id: that is what an IPC sender carries.
  windows.bind({ id: contentsId, window: win, focus: () => win.focus() }, session);
  win.once('ready-to-show', () => win.show());
  win.on('closed', () => windows.forget(contentsId));
  void win.loadURL(`${APP_ENTRY}${windowHash(session)}`);
  return win;
}

function senderFor(contents: Electron.WebContents): Sender | undefined {
  const session = windows.sessionFor(contents.id);
  if (session === undefined) return undefined;
  return {
    description: `window ${contents.id} (${session})`,
    mayUse: (s) => windows.mayUse(contents.id, s),
    async openLab(lab) {
      if (lab === session) return true;
      openLabWindow(lab);
      return false;
    },
  };
}

app.on('web-contents-created', (_event, contents) => lockDownContents(contents));

app.whenReady().then(() => {
  denyPermissions(electronSession.defaultSession);
  protocol.handle(APP_SCHEME, (request) => serveAppFile(request.url, rendererDir));
  const labsDir = path.join(root, 'labs');
  // Check runs take seconds of CPU: they run in a worker thread, started now to be warm.
  const framework = workerLabFramework(labsDir);
  framework.checks.start();
  core = new DriverLabCore({ home: app.getPath('userData'), labs: folderLabProvider(labsDir), framework, labsDir });
  bridgeIpc(ipcMain, core.server, senderFor);
  openLabWindow(FREE_PLAY);
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) openLabWindow(FREE_PLAY);
  });
}, (e: unknown) => {
  console.error(e);
  app.exit(1);
});

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit();
});

let quitting = false;
app.on('will-quit', (event) => {
  if (quitting || !core) return;
  // Machines are powered off and the progress store closed before the process goes.
  event.preventDefault();
  quitting = true;
  void core.close().finally(() => app.quit());
});
