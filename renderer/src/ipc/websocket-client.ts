// Browser mode's transport: the IPC contract over the WebSocket of `npm run web`.
import type { EventName, EventPayload, MethodArgs, MethodName, MethodResult, ServiceName } from '../../../main/ipc/common/contract';
import { IpcError, unwrap, type ClientMessage, type Envelope, type IpcClient, type ServerMessage } from '../../../main/ipc/common/protocol';

export class WebSocketClient implements IpcClient {
  private readonly socket: WebSocket;
  private readonly opened: Promise<void>;
  private nextId = 1;
  private readonly pending = new Map<number, (envelope: Envelope) => void>();
  private readonly handlers = new Map<number, (payload: unknown) => void>();
  private lost: string | undefined;
  /** Called once when the connection to the core is gone for good. */
  onLost: ((why: string) => void) | undefined;

  constructor(url: string) {
    this.socket = new WebSocket(url);
    this.opened = new Promise((resolve, reject) => {
      this.socket.addEventListener('open', () => resolve());
      this.socket.addEventListener('error', () => reject(new IpcError('failed', 'cannot connect to DriverLab')));
    });
    this.opened.catch(() => undefined);
    this.socket.addEventListener('message', (e) => this.receive(String(e.data)));
    this.socket.addEventListener('close', () => this.lose('the connection to DriverLab closed (was the server stopped?)'));
  }

  async call<S extends ServiceName, M extends MethodName<S>>(service: S, method: M, args: MethodArgs<S, M>): Promise<MethodResult<S, M>> {
    const envelope = await this.request((id) => ({ kind: 'call', id, service, method, args: args as unknown[] }));
    return unwrap(envelope) as MethodResult<S, M>;
  }

  listen<S extends ServiceName, E extends EventName<S>>(service: S, event: E, topic: string, handler: (payload: EventPayload<S, E>) => void): () => void {
    let stopped = false;
    let listenId: number | undefined;
    void this.request((id) => {
      listenId = id;
      this.handlers.set(id, handler as (payload: unknown) => void);
      return { kind: 'listen', id, service, event, topic };
    }).then((envelope) => {
      if (!envelope.ok) console.error(`listen ${service}.${event}: ${envelope.error.message}`);
      if (stopped && listenId !== undefined) this.post({ kind: 'unlisten', id: listenId });
    });
    return () => {
      if (stopped) return;
      stopped = true;
      if (listenId === undefined) return;
      this.handlers.delete(listenId);
      this.post({ kind: 'unlisten', id: listenId });
    };
  }

  private async request(message: (id: number) => ClientMessage): Promise<Envelope> {
    await this.opened;
    if (this.lost) throw new IpcError('failed', this.lost);
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.pending.set(id, resolve);
      this.post(message(id));
    });
  }

  private post(message: ClientMessage): void {
    if (this.socket.readyState === WebSocket.OPEN) this.socket.send(JSON.stringify(message));
  }

  private receive(text: string): void {
    const message = JSON.parse(text) as ServerMessage;
    if (message.kind === 'result') {
      const resolve = this.pending.get(message.id);
      this.pending.delete(message.id);
      resolve?.(message.envelope);
    } else if (message.kind === 'event') {
      this.handlers.get(message.id)?.(message.payload);
    }
  }

  private lose(why: string): void {
    if (this.lost) return;
    this.lost = why;
    for (const resolve of this.pending.values()) resolve({ ok: false, error: { code: 'failed', message: why } });
    this.pending.clear();
    this.onLost?.(why);
  }
}
