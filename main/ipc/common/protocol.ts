// How the contract travels: the client interface the renderer programs against (call and
// listen), the result envelope, and the messages of the WebSocket transport. Electron's
// preload implements the same IpcClient over ipcRenderer (main/electron/preload.cts).
import type { EventName, EventPayload, MethodArgs, MethodName, MethodResult, ServiceName, Services } from './contract.js';

export type IpcErrorCode =
  /** An argument failed its schema. */
  | 'invalid-argument'
  /** No such service, method or event. */
  | 'unknown-method'
  /** The sender may not do this (a session it does not own, an unknown frame). */
  | 'forbidden'
  /** The service refused or failed; the message says why, for the learner. */
  | 'failed';

export interface IpcErrorShape {
  code: IpcErrorCode;
  message: string;
}

/** What a call returns over any transport: errors travel as values, never as thrown objects. */
export type Envelope = { ok: true; value: unknown } | { ok: false; error: IpcErrorShape };

export class IpcError extends Error {
  constructor(readonly code: IpcErrorCode, message: string) {
    super(message);
    this.name = 'IpcError';
  }
}

export interface IpcClient {
  call<S extends ServiceName, M extends MethodName<S>>(service: S, method: M, args: MethodArgs<S, M>): Promise<MethodResult<S, M>>;
  /** Starts listening; the returned function stops. */
  listen<S extends ServiceName, E extends EventName<S>>(service: S, event: E, topic: string, handler: (payload: EventPayload<S, E>) => void): () => void;
}

/** Unwraps an envelope: the value, or an IpcError carrying the core's message. */
export function unwrap(envelope: Envelope): unknown {
  if (envelope.ok) return envelope.value;
  throw new IpcError(envelope.error.code, envelope.error.message);
}

/** `api.machine.open(id)` instead of `client.call('machine', 'open', [id])`. */
export function serviceProxy(client: IpcClient): Services {
  return new Proxy({} as Services, {
    get(_target, service) {
      return new Proxy({}, {
        get(_t, method) {
          return (...args: unknown[]) => (client.call as (s: string, m: string, a: unknown[]) => Promise<unknown>)(String(service), String(method), args);
        },
      });
    },
  });
}

// ---- WebSocket messages (JSON text frames) -------------------------------------------------

export type ClientMessage =
  | { kind: 'call'; id: number; service: string; method: string; args: unknown[] }
  | { kind: 'listen'; id: number; service: string; event: string; topic: string }
  | { kind: 'unlisten'; id: number };

export type ServerMessage =
  | { kind: 'result'; id: number; envelope: Envelope }
  | { kind: 'event'; id: number; payload: unknown };
