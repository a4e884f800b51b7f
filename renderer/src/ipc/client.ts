// The transport the page finds: Electron's preload puts the typed client on window.driverlab;
// anywhere else the page came from `npm run web` and talks over its WebSocket, with the token
// the server printed in the address.
import { serviceProxy, type IpcClient } from '../../../main/ipc/common/protocol';
import type { Services } from '../../../main/ipc/common/contract';
import { WebSocketClient } from './websocket-client';

declare global {
  interface Window {
    /** Set by main/electron/preload.cts, and only there. */
    driverlab?: IpcClient;
  }
}

export interface Connection {
  client: IpcClient;
  api: Services;
  face: 'electron' | 'browser';
  /** Browser mode: called when the server goes away. */
  onLost(handler: (why: string) => void): void;
}

const TOKEN_KEY = 'driverlab.token';

/** Takes the token out of the address bar (it stays in this tab's session storage for reloads). */
function browserToken(): string | null {
  const url = new URL(window.location.href);
  const fromUrl = url.searchParams.get('token');
  if (fromUrl) {
    sessionStorage.setItem(TOKEN_KEY, fromUrl);
    url.searchParams.delete('token');
    window.history.replaceState(null, '', url.toString());
    return fromUrl;
  }
  return sessionStorage.getItem(TOKEN_KEY);
}

export function connect(): Connection {
  if (window.driverlab) {
    const client = window.driverlab;
    return { client, api: serviceProxy(client), face: 'electron', onLost: () => undefined };
  }
  const token = browserToken();
  const scheme = window.location.protocol === 'https:' ? 'wss:' : 'ws:';
  const client = new WebSocketClient(`${scheme}//${window.location.host}/ipc?token=${encodeURIComponent(token ?? '')}`);
  return {
    client,
    api: serviceProxy(client),
    face: 'browser',
    onLost: (handler) => { client.onLost = handler; },
  };
}
