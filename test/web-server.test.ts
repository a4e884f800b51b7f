// Browser mode's server (main/server/web-server.ts): loopback only, the token for the
// WebSocket, the page's own origin only, the app's files with their security headers.
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { DriverLabCore } from '../main/app/core.js';
import { CONTENT_SECURITY_POLICY } from '../main/app/content-security.js';
import { folderLabProvider } from '../main/labs/catalog.js';
import { startWebServer, type WebServer } from '../main/server/web-server.js';

const home = fs.mkdtempSync(path.join(os.tmpdir(), 'driverlab-web-'));
const rendererDir = path.join(home, 'renderer');
fs.mkdirSync(path.join(rendererDir, 'assets'), { recursive: true });
fs.writeFileSync(path.join(rendererDir, 'index.html'), '<!doctype html><title>DriverLab</title>');
fs.writeFileSync(path.join(rendererDir, 'assets', 'app.js'), 'console.log(1)');
fs.writeFileSync(path.join(home, 'secret.txt'), 'secret');
const core = new DriverLabCore({ home, labs: folderLabProvider(path.join(home, 'labs')) });
let server: WebServer;

beforeAll(async () => {
  server = await startWebServer({ core, rendererDir });
});
afterAll(async () => {
  await server.close();
  await core.close();
  fs.rmSync(home, { recursive: true, force: true });
});

function get(pathname: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: server.port, path: pathname, headers }, (res) => {
      let body = '';
      res.on('data', (d) => { body += d; });
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Opens the IPC socket; resolves the socket, or the HTTP status that refused it. */
function openSocket(query: string, origin: string | null = `http://127.0.0.1:${server.port}`): Promise<WebSocket | number> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/ipc${query}`, origin ? { origin } : {});
    ws.on('open', () => resolve(ws));
    ws.on('unexpected-response', (_req, res) => resolve(res.statusCode!));
    ws.on('error', () => undefined);
  });
}

describe('browser mode server', () => {
  it('listens on the loopback interface only and prints an address with its token', () => {
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/?token=${server.token}`);
    expect(server.token).toMatch(/^[0-9a-f]{64}$/);
  });

  it("serves the app's files with the security headers, and nothing else", async () => {
    const page = await get('/');
    expect(page.status).toBe(200);
    expect(page.headers['content-security-policy']).toBe(CONTENT_SECURITY_POLICY);
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    expect(page.body).toContain('<title>DriverLab</title>');
    expect((await get('/assets/app.js')).headers['content-type']).toBe('text/javascript; charset=utf-8');
    for (const p of ['/../secret.txt', '/%2e%2e/secret.txt', '/assets/..%2f..%2fsecret.txt', '/nosuch', '/.env']) expect((await get(p)).status, p).toBe(404);
  });

  it('refuses requests that name another host (DNS rebinding)', async () => {
    expect((await get('/', { Host: 'evil.example:80' })).status).toBe(421);
  });

  it('opens the IPC socket only with the token and from its own origin', async () => {
    expect(await openSocket('')).toBe(401);
    expect(await openSocket('?token=' + 'f'.repeat(64))).toBe(401);
    expect(await openSocket(`?token=${server.token}`, 'http://evil.example')).toBe(403);
    expect(await openSocket(`?token=${server.token}`, null)).toBe(403);
    const ws = await openSocket(`?token=${server.token}`);
    expect(ws).toBeInstanceOf(WebSocket);
    const socket = ws as WebSocket;
    const reply = new Promise<unknown>((resolve) => socket.once('message', (d) => resolve(JSON.parse(d.toString()))));
    socket.send(JSON.stringify({ kind: 'call', id: 1, service: 'labs', method: 'list', args: [] }));
    expect(await reply).toMatchObject({ kind: 'result', id: 1, envelope: { ok: true, value: { labs: [], freePlay: { id: 'free-play' } } } });
    socket.close();
  });
});
