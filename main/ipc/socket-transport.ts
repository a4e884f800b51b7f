// The contract over a message stream (browser mode's WebSocket): JSON text in, JSON text out.
// A malformed message is answered with an error where it has an id, and dropped otherwise;
// nothing a page sends can throw in the core.
import type { ClientMessage, ServerMessage } from './common/protocol.js';
import type { IpcConnection, IpcServer, Sender } from './server.js';

export class SocketPeer {
  readonly connection: IpcConnection;

  constructor(server: IpcServer, sender: Sender, private readonly sendText: (text: string) => void) {
    this.connection = server.connect(sender, (id, payload) => this.send({ kind: 'event', id, payload }));
  }

  /** One text frame from the page. */
  async receive(text: string): Promise<void> {
    let message: ClientMessage;
    try {
      message = JSON.parse(text) as ClientMessage;
    } catch {
      return;
    }
    if (typeof message !== 'object' || message === null) return;
    const id = (message as { id?: unknown }).id;
    if (typeof id !== 'number' || !Number.isSafeInteger(id)) return;
    switch (message.kind) {
      case 'call':
        this.send({ kind: 'result', id, envelope: await this.connection.call(message.service, message.method, message.args) });
        break;
      case 'listen':
        this.send({ kind: 'result', id, envelope: this.connection.listen(id, message.service, message.event, message.topic) });
        break;
      case 'unlisten':
        this.connection.unlisten(id);
        break;
      default:
        this.send({ kind: 'result', id, envelope: { ok: false, error: { code: 'unknown-method', message: 'unknown message kind' } } });
    }
  }

  close(): void {
    this.connection.close();
  }

  private send(message: ServerMessage): void {
    this.sendText(JSON.stringify(message));
  }
}
