// The core's side of the IPC contract, whatever carries it: a connection per sender (an
// Electron page, a WebSocket), every call checked before a service sees it. Checks, in order:
// the method exists in the contract (own properties only), the arguments pass its schema, and
// the sender may use the session the call names. A service's own error reaches the UI as a
// 'failed' envelope with the service's message; nothing is thrown across the transport.
import * as v from 'valibot';
import { eventSpec, methodSpec, SessionIdSchema, type EventName, type EventPayload, type ServiceName, type Services, type SessionId } from './common/contract.js';
import { IpcError, type Envelope, type IpcErrorCode } from './common/protocol.js';

/** Who is calling, as the transport established it (a window of ours, a client with the token). */
export interface Sender {
  /** For logs: "window 3", "web client 127.0.0.1:51234". */
  readonly description: string;
  /** Whether this sender may address `session` (an Electron window owns one lab session). */
  mayUse(session: SessionId): boolean;
  /**
   * Where lab `lab` should be shown: true for this page; false when the face opened (or
   * focused) another window for it. Browser mode shows every lab in the page that asks.
   */
  openLab?(lab: string): Promise<boolean>;
}

/** The services as one sender sees them (labs.open depends on where the sender is). */
export type ServicesFor = (sender: Sender) => Services;

export type Unsubscribe = () => void;

/** Where each event comes from: a subscription per listener, so a stream can keep per-listener state. */
export type EventSources = {
  [S in ServiceName]: { [E in EventName<S>]: (topic: string, emit: (payload: EventPayload<S, E>) => void) => Unsubscribe };
};

/** A connection may not hold more listeners than this: a page needs a handful. */
export const MAX_LISTENERS_PER_CONNECTION = 64;

function failure(code: IpcErrorCode, message: string): Envelope {
  return { ok: false, error: { code, message } };
}

export class IpcServer {
  constructor(private readonly servicesFor: ServicesFor, private readonly events: EventSources) {}

  connect(sender: Sender, emit: (listenId: number, payload: unknown) => void): IpcConnection {
    return new IpcConnection(this.servicesFor(sender), this.events, sender, emit);
  }
}

export class IpcConnection {
  private readonly listeners = new Map<number, Unsubscribe>();
  private closed = false;

  constructor(
    private readonly services: Services,
    private readonly events: EventSources,
    readonly sender: Sender,
    private readonly emit: (listenId: number, payload: unknown) => void,
  ) {}

  /** Validates and performs one call. Never throws. */
  async call(service: unknown, method: unknown, args: unknown): Promise<Envelope> {
    if (this.closed) return failure('forbidden', 'connection closed');
    if (typeof service !== 'string' || typeof method !== 'string') return failure('unknown-method', 'service and method must be names');
    const spec = methodSpec(service, method);
    if (!spec) return failure('unknown-method', `no method ${service}.${method}`);
    const parsed = v.safeParse(spec.args, args);
    if (!parsed.success) return failure('invalid-argument', `${service}.${method}: ${v.summarize(parsed.issues)}`);
    const values = parsed.output;
    if (spec.session && !this.sender.mayUse(values[0] as SessionId)) {
      return failure('forbidden', `${this.sender.description} may not use session '${String(values[0])}'`);
    }
    const impl = (this.services[service as ServiceName] as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>)[method]!;
    try {
      return { ok: true, value: await impl.apply(this.services[service as ServiceName], values) };
    } catch (e) {
      if (e instanceof IpcError) return failure(e.code, e.message);
      return failure('failed', e instanceof Error ? e.message : String(e));
    }
  }

  /** Starts listener `id` on an event; payloads go to the connection's emit with that id. */
  listen(id: unknown, service: unknown, event: unknown, topic: unknown): Envelope {
    if (this.closed) return failure('forbidden', 'connection closed');
    if (typeof id !== 'number' || !Number.isSafeInteger(id) || id < 0) return failure('invalid-argument', 'listen: the listener id must be a whole number');
    if (this.listeners.has(id)) return failure('invalid-argument', `listen: listener ${id} exists`);
    if (this.listeners.size >= MAX_LISTENERS_PER_CONNECTION) return failure('forbidden', `listen: more than ${MAX_LISTENERS_PER_CONNECTION} listeners`);
    if (typeof service !== 'string' || typeof event !== 'string') return failure('unknown-method', 'service and event must be names');
    const spec = eventSpec(service, event);
    if (!spec) return failure('unknown-method', `no event ${service}.${event}`);
    if (spec.topic === 'app') {
      if (topic !== '') return failure('invalid-argument', `${service}.${event} is app-wide: its topic is ''`);
    } else {
      const parsed = v.safeParse(SessionIdSchema, topic);
      if (!parsed.success) return failure('invalid-argument', `${service}.${event}: ${v.summarize(parsed.issues)}`);
      if (!this.sender.mayUse(parsed.output)) return failure('forbidden', `${this.sender.description} may not use session '${parsed.output}'`);
    }
    const source = (this.events[service as ServiceName] as Record<string, (topic: string, emit: (p: unknown) => void) => Unsubscribe>)[event]!;
    try {
      this.listeners.set(id, source(topic as string, (payload) => { if (!this.closed) this.emit(id, payload); }));
    } catch (e) {
      return failure('failed', e instanceof Error ? e.message : String(e));
    }
    return { ok: true, value: null };
  }

  unlisten(id: unknown): void {
    if (typeof id !== 'number') return;
    this.listeners.get(id)?.();
    this.listeners.delete(id);
  }

  get listenerCount(): number {
    return this.listeners.size;
  }

  /** The page went away (reload, closed window, dropped socket): every listener stops. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const stop of this.listeners.values()) stop();
    this.listeners.clear();
  }
}
