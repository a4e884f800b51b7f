// The preload of every DriverLab window (sandboxed: it can require only 'electron'). It
// exposes exactly the typed IPC client, { call, listen }, as window.driverlab, and nothing of
// ipcRenderer itself: a page can use the contract and nothing else.
import type { ContextBridge, IpcRenderer } from 'electron';
import type { IpcClient, Envelope } from '../ipc/common/protocol.js';

const CHANNELS = { call: 'driverlab:call', listen: 'driverlab:listen', unlisten: 'driverlab:unlisten', event: 'driverlab:event' } as const;

class PreloadIpcError extends Error {
  constructor(readonly code: string, message: string) {
    super(message);
    this.name = 'IpcError';
  }
}

function unwrapEnvelope(envelope: Envelope): unknown {
  if (envelope.ok) return envelope.value;
  throw new PreloadIpcError(envelope.error.code, envelope.error.message);
}

export function exposeDriverLabApi(contextBridge: Pick<ContextBridge, 'exposeInMainWorld'>, ipcRenderer: Pick<IpcRenderer, 'invoke' | 'send' | 'on'>): void {
  const handlers = new Map<number, (payload: unknown) => void>();
  let nextId = 1;
  ipcRenderer.on(CHANNELS.event, (_event, id: number, payload: unknown) => handlers.get(id)?.(payload));

  const api: IpcClient = {
    async call(service, method, args) {
      return unwrapEnvelope(await ipcRenderer.invoke(CHANNELS.call, service, method, args) as Envelope) as never;
    },
    listen(service, event, topic, handler) {
      const id = nextId++;
      handlers.set(id, handler as (payload: unknown) => void);
      void (ipcRenderer.invoke(CHANNELS.listen, id, service, event, topic) as Promise<Envelope>).then((envelope) => {
        if (!envelope.ok) console.error(`listen ${service}.${event}: ${envelope.error.message}`);
      });
      return () => {
        if (handlers.delete(id)) ipcRenderer.send(CHANNELS.unlisten, id);
      };
    },
  };
  contextBridge.exposeInMainWorld('driverlab', { call: api.call, listen: api.listen });
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
const electron = require('electron') as typeof import('electron');
exposeDriverLabApi(electron.contextBridge, electron.ipcRenderer);
