// The Electron security checklist (issue 9; electronjs.org/docs/latest/tutorial/security), as
// data and small functions that test/electron-security.test.ts checks item by item. Nothing
// here loads Electron at run time: the app passes its objects in.
import type { BrowserWindowConstructorOptions, Session, WebContents, WebFrameMain, WebPreferences } from 'electron';
import { CONTENT_SECURITY_POLICY } from '../app/content-security.js';

/** The app is served from its own scheme, never from file:// (checklist: custom protocol). */
export const APP_SCHEME = 'driverlab';
export const APP_HOST = 'app';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_ENTRY = `${APP_ORIGIN}/index.html`;

/**
 * Privileges of the app scheme (protocol.registerSchemesAsPrivileged): standard (origins and
 * relative URLs work) and secure (like https). No CORS bypass, no service workers.
 */
export const APP_SCHEME_PRIVILEGES = {
  standard: true,
  secure: true,
  supportFetchAPI: true,
  bypassCSP: false,
  corsEnabled: false,
  allowServiceWorkers: false,
  stream: false,
} as const;

export { CONTENT_SECURITY_POLICY };

/** Every window's webPreferences; `preload` is the only thing a window adds. */
export const SECURE_WEB_PREFERENCES: Readonly<WebPreferences> = Object.freeze({
  contextIsolation: true,
  sandbox: true,
  nodeIntegration: false,
  nodeIntegrationInWorker: false,
  nodeIntegrationInSubFrames: false,
  webSecurity: true,
  allowRunningInsecureContent: false,
  experimentalFeatures: false,
  webviewTag: false,
  navigateOnDragDrop: false,
  safeDialogs: true,
  spellcheck: false,
});

export function windowOptions(preload: string): BrowserWindowConstructorOptions {
  return {
    width: 1400,
    height: 900,
    minWidth: 900,
    minHeight: 560,
    show: false,
    backgroundColor: '#0d1117',
    title: 'DriverLab',
    webPreferences: { ...SECURE_WEB_PREFERENCES, preload },
  };
}

/** Whether `url` is a page of the app itself. */
export function isAppUrl(url: string): boolean {
  try {
    const u = new URL(url);
    return u.protocol === `${APP_SCHEME}:` && u.host === APP_HOST;
  } catch {
    return false;
  }
}

/**
 * Requests a page may make: the app's own files, and DevTools' internals. Everything else
 * (http, https, file, ws) is cancelled: the app loads no remote content.
 */
export function isAllowedRequest(url: string): boolean {
  return isAppUrl(url) || url.startsWith('devtools://');
}

/** IPC is answered only for the top frame of an app page (checklist: validate every sender). */
export function isTrustedFrame(frame: Pick<WebFrameMain, 'url' | 'parent'> | null | undefined): boolean {
  return !!frame && frame.parent === null && isAppUrl(frame.url);
}

/** Permission requests and checks (camera, notifications, USB, HID, serial...) are all refused. */
export function denyPermissions(session: Session): void {
  session.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
  session.setDevicePermissionHandler(() => false);
  session.webRequest.onBeforeRequest((details, callback) => callback({ cancel: !isAllowedRequest(details.url) }));
}

/**
 * Navigation away from the app, new windows and <webview>s are refused for every web
 * contents (checklist: limit navigation, limit window creation). Links to the outside world
 * are not opened either: no shell.openExternal of text from a page.
 */
export function lockDownContents(contents: WebContents): void {
  contents.on('will-navigate', (event) => {
    if (!isAppUrl(event.url)) event.preventDefault();
  });
  contents.on('will-redirect', (event) => {
    if (!isAppUrl(event.url)) event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
}

/**
 * Electron fuses for release builds (electron-builder.yml, electronFuses): the packaged binary
 * cannot be turned into a plain Node (RunAsNode, NODE_OPTIONS, --inspect), loads the app only
 * from its integrity-checked asar, and gives file:// no extra privileges.
 */
export const RELEASE_FUSES = {
  runAsNode: false,
  enableCookieEncryption: true,
  enableNodeOptionsEnvironmentVariable: false,
  enableNodeCliInspectArguments: false,
  enableEmbeddedAsarIntegrityValidation: true,
  onlyLoadAppFromAsar: true,
  loadBrowserProcessSpecificV8Snapshot: false,
  grantFileProtocolExtraPrivileges: false,
} as const;
