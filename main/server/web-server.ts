// Browser mode (ARCHITECTURE.md decision 8): the built renderer over HTTP and the IPC contract
// over a WebSocket, on the loopback interface only. The WebSocket needs the random token of
// the URL the server prints, and a page of this server's own origin: another site open in the
// same browser, or a DNS-rebinding name pointing at 127.0.0.1, gets nothing.
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import { appFileFor, contentType, SECURITY_HEADERS } from '../app/content-security.js';
import type { DriverLabCore } from '../app/core.js';
import { SocketPeer } from '../ipc/socket-transport.js';
import type { Sender } from '../ipc/server.js';

export interface WebServerOptions {
  core: DriverLabCore;
  /** The built renderer (renderer/dist). */
  rendererDir: string;
  /** 0 (default) picks a free port. */
  port?: number;
  /** Default: 32 random bytes, hex. */
  token?: string;
}

export interface WebServer {
  /** The address to open, token included. */
  url: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

/** The path the WebSocket answers on. */
export const IPC_PATH = '/ipc';
/** The largest frame a page may send: a file the editor saves, at most MAX_FILE_CHARS, in UTF-8. */
const MAX_FRAME_BYTES = 4 * 1024 * 1024;

function sameToken(given: string | null, token: string): boolean {
  if (given === null) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && crypto.timingSafeEqual(a, b);
}

export async function startWebServer(options: WebServerOptions): Promise<WebServer> {
  const token = options.token ?? crypto.randomBytes(32).toString('hex');
  const root = path.resolve(options.rendererDir);
  if (!fs.existsSync(path.join(root, 'index.html'))) throw new Error(`${root}/index.html is missing: run 'npm run build' first`);
  let port = 0;
  const hosts = () => new Set([`127.0.0.1:${port}`, `localhost:${port}`]);
  const origins = () => new Set([`http://127.0.0.1:${port}`, `http://localhost:${port}`]);

  const server = http.createServer((req, res) => {
    if (!hosts().has(req.headers.host ?? '')) {
      res.writeHead(421, { 'Content-Type': 'text/plain' }).end('wrong host\n');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD' }).end();
      return;
    }
    const url = new URL(req.url ?? '/', `http://${req.headers.host}`);
    const file = appFileFor(url.pathname);
    const full = file && path.join(root, file);
    if (!full || !fs.existsSync(full) || !fs.statSync(full).isFile()) {
      res.writeHead(404, { 'Content-Type': 'text/plain', ...SECURITY_HEADERS }).end('not found\n');
      return;
    }
    const body = fs.readFileSync(full);
    res.writeHead(200, {
      'Content-Type': contentType(full),
      'Content-Length': body.length,
      // Hashed asset names never change content; the page itself is always asked for afresh.
      'Cache-Control': file === 'index.html' ? 'no-store' : 'max-age=31536000, immutable',
      ...SECURITY_HEADERS,
    });
    res.end(req.method === 'HEAD' ? undefined : body);
  });

  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: MAX_FRAME_BYTES,
  });
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const refuse = (status: string) => {
      socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\n\r\n`);
    };
    if (url.pathname !== IPC_PATH) return refuse('404 Not Found');
    if (!hosts().has(req.headers.host ?? '') || !origins().has(req.headers.origin ?? '')) return refuse('403 Forbidden');
    if (!sameToken(url.searchParams.get('token'), token)) return refuse('401 Unauthorized');
    wss.handleUpgrade(req, socket, head, (ws) => attach(ws, `web client ${req.socket.remoteAddress}:${req.socket.remotePort}`));
  });

  const attach = (ws: WebSocket, description: string) => {
    // The token holder is the learner at this computer: every session is theirs.
    const sender: Sender = { description, mayUse: () => true };
    const peer = new SocketPeer(options.core.server, sender, (text) => {
      if (ws.readyState === ws.OPEN) ws.send(text);
    });
    ws.on('message', (data, isBinary) => {
      if (isBinary) return;
      void peer.receive(data.toString());
    });
    ws.on('close', () => peer.close());
    ws.on('error', () => peer.close());
  };

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/?token=${token}`,
    port,
    token,
    async close() {
      for (const ws of wss.clients) ws.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
