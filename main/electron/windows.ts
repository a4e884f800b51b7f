// One window per lab session (issue 9): opening a lab that already has a window focuses it.
// A window is bound to the session it shows and may address no other; the binding is what its
// IPC sender is checked against.
import { FREE_PLAY, type SessionId } from '../ipc/common/contract.js';

/** Where a session's window opens: free play's (the first window) on the catalog, a lab's on its lab. */
export function windowHash(session: SessionId): string {
  return session === FREE_PLAY ? '#/' : `#/lab/${session}`;
}

export interface LabWindow {
  /** Electron's webContents id. */
  readonly id: number;
  focus(): void;
}

export class WindowSessions<W extends LabWindow> {
  private readonly bySession = new Map<SessionId, W>();
  private readonly sessionOf = new Map<number, SessionId>();

  /** The window showing `session`, if any. */
  windowFor(session: SessionId): W | undefined {
    return this.bySession.get(session);
  }

  sessionFor(windowId: number): SessionId | undefined {
    return this.sessionOf.get(windowId);
  }

  /** Binds a window to a session; a window shows one session for its whole life. */
  bind(window: W, session: SessionId): void {
    const current = this.sessionOf.get(window.id);
    if (current !== undefined && current !== session) throw new Error(`window ${window.id} already shows session '${current}'`);
    const other = this.bySession.get(session);
    if (other && other.id !== window.id) throw new Error(`session '${session}' already has window ${other.id}`);
    this.bySession.set(session, window);
    this.sessionOf.set(window.id, session);
  }

  /** Whether the window may use `session`: its own only. */
  mayUse(windowId: number, session: SessionId): boolean {
    return this.sessionOf.get(windowId) === session;
  }

  forget(windowId: number): void {
    const session = this.sessionOf.get(windowId);
    this.sessionOf.delete(windowId);
    if (session !== undefined && this.bySession.get(session)?.id === windowId) this.bySession.delete(session);
  }
}
