// The IPC contract over Electron's IPC: the preload's call/listen arrive here on three
// channels. Every message's sender is checked first (the top frame of a page of the app, in a
// window of ours); each page gets a connection of its own, closed when the page goes away
// (reload, navigation, closed window), which stops its listeners.
import type { IpcMain, IpcMainEvent, IpcMainInvokeEvent, WebContents } from 'electron';
import type { Envelope } from '../ipc/common/protocol.js';
import type { IpcConnection, IpcServer, Sender } from '../ipc/server.js';
import { isTrustedFrame } from './security.js';

export const IPC_CHANNELS = {
  call: 'driverlab:call',
  listen: 'driverlab:listen',
  unlisten: 'driverlab:unlisten',
  event: 'driverlab:event',
} as const;

/** The sender a window's page is, as the app's window registry knows it; undefined: not ours. */
export type SenderFor = (contents: WebContents) => Sender | undefined;

const untrusted: Envelope = { ok: false, error: { code: 'forbidden', message: 'not a DriverLab page' } };

export function bridgeIpc(ipcMain: IpcMain, server: IpcServer, senderFor: SenderFor): void {
  const connections = new Map<number, IpcConnection>();

  const connectionFor = (event: IpcMainEvent | IpcMainInvokeEvent): IpcConnection | undefined => {
    if (!isTrustedFrame(event.senderFrame)) return undefined;
    const contents = event.sender;
    let connection = connections.get(contents.id);
    if (connection) return connection;
    const sender = senderFor(contents);
    if (!sender) return undefined;
    connection = server.connect(sender, (id, payload) => {
      if (!contents.isDestroyed()) contents.send(IPC_CHANNELS.event, id, payload);
    });
    connections.set(contents.id, connection);
    const drop = () => {
      connections.get(contents.id)?.close();
      connections.delete(contents.id);
    };
    contents.once('destroyed', drop);
    contents.on('did-start-navigation', (details) => {
      if (details.isMainFrame && !details.isSameDocument) drop();
    });
    return connection;
  };

  ipcMain.handle(IPC_CHANNELS.call, async (event, service: unknown, method: unknown, args: unknown) => {
    const connection = connectionFor(event);
    return connection ? connection.call(service, method, args) : untrusted;
  });
  ipcMain.handle(IPC_CHANNELS.listen, (event, id: unknown, service: unknown, name: unknown, topic: unknown) => {
    const connection = connectionFor(event);
    return connection ? connection.listen(id, service, name, topic) : untrusted;
  });
  ipcMain.on(IPC_CHANNELS.unlisten, (event, id: unknown) => {
    connectionFor(event)?.unlisten(id);
  });
}
