// Fuzzing what the host side reads from outside: IPC messages from a page, keys from the
// terminal (the Ctrl-] escape), lab manifests, the progress export document, a damaged progress
// database (salvage), and the disk image's journal after a crash or a stray write.
import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { CONTRACT, EVENTS, type Services } from '../../main/ipc/common/contract.js';
import type { ServerMessage } from '../../main/ipc/common/protocol.js';
import { IpcServer } from '../../main/ipc/server.js';
import { SocketPeer } from '../../main/ipc/socket-transport.js';
import { createEscapeFilter, ESCAPE, type EscapeAction } from '../../main/cli/escape.js';
import { parseManifest } from '../../main/labs/manifest.js';
import { DocumentError, parseDocument, type ProgressDocument } from '../../main/progress/document.js';
import { migrate } from '../../main/progress/database.js';
import { salvageInto } from '../../main/progress/salvage.js';
import { ProgressStore } from '../../main/progress/store.js';
import { FileDisk, crc32, disksDir, openDiskImage } from '../../main/host/disk-image.js';
import { seededStore, tempHome } from '../helpers/progress.js';
import { tempWorkspace } from '../helpers/machine.js';
import { applyMutation, bounded, check, checkAsync, isClearMessage, mutation, soup } from './harness.js';

describe('IPC messages from a page', () => {
  // The services answer every call: what is fuzzed is the contract's checking in front of them.
  const services = new Proxy({}, { get: () => new Proxy({}, { get: () => async () => null }) }) as unknown as Services;
  const events = new Proxy({}, { get: () => new Proxy({}, { get: () => () => () => {} }) }) as never;
  const server = new IpcServer(() => services, events);
  const names = Object.entries(CONTRACT).flatMap(([s, methods]) => Object.keys(methods).map((m) => [s, m] as const));
  const eventNames = Object.entries(EVENTS).flatMap(([s, evs]) => Object.keys(evs).map((e) => [s, e] as const));
  const arg = fc.oneof(fc.constantFrom('free-play', 'hello-proc', '../etc', '', 'a'.repeat(70), 'hello.c', '/etc/passwd', 's'), fc.integer(), fc.double(), fc.anything());
  const message = fc.oneof(
    fc.record({ kind: fc.constant('call'), id: fc.nat(), call: fc.constantFrom(...names), args: fc.oneof(fc.array(arg, { maxLength: 4 }), fc.anything()) })
      .map(({ kind, id, call, args }) => ({ kind, id, service: call[0], method: call[1], args })),
    fc.record({ kind: fc.constant('listen'), id: fc.oneof(fc.nat(), fc.double()), ev: fc.constantFrom(...eventNames), topic: arg })
      .map(({ kind, id, ev, topic }) => ({ kind, id, service: ev[0], event: ev[1], topic })),
    fc.record({ kind: fc.constantFrom('unlisten', 'call', 'bogus', '__proto__'), id: fc.anything(), service: fc.anything(), method: fc.anything() }),
    fc.anything(),
  );

  it('answers any message with an envelope, an error naming the problem, or drops it', async () => {
    const sent: string[] = [];
    const peer = new SocketPeer(server, { description: 'fuzz page', mayUse: (s) => s === 'free-play' }, (t) => sent.push(t));
    await checkAsync(fc.asyncProperty(fc.oneof(message.map((m) => JSON.stringify(m) ?? 'null'), fc.string()), async (text) => {
      sent.length = 0;
      await peer.receive(text);
      for (const t of sent) {
        const reply = JSON.parse(t) as ServerMessage;
        if (reply.kind === 'result' && !reply.envelope.ok) expect(isClearMessage(reply.envelope.error.message)).toBe(true);
      }
    }), 1500);
    peer.close();
  });
});

describe('the terminal escape (Ctrl-])', () => {
  const typed = soup([ESCAPE, 'a', 's', 'b', '.', '?', '\x12', '\x10', '\r', '\x1b[A', 'ä', '😀'], 30);

  it('gives the same keys and commands however the input is cut into chunks', () => {
    check(fc.property(typed, fc.array(fc.nat(), { maxLength: 6 }), (text, cuts) => {
      const whole = mergeInputs(createEscapeFilter()(text));
      const filter = createEscapeFilter();
      // A terminal's stdin, decoded as UTF-8, is cut between characters, never inside one.
      const chars = Array.from(text);
      const points = [...new Set(cuts.map((c) => c % (chars.length + 1)))].sort((a, b) => a - b);
      const chunks = [...points, chars.length].map((end, i, ends) => chars.slice(i === 0 ? 0 : ends[i - 1], end).join(''));
      expect(mergeInputs(chunks.flatMap((c) => filter(c)))).toEqual(whole);
      // Without the escape key, everything typed reaches the machine unchanged.
      if (!text.includes(ESCAPE)) expect(whole).toEqual(text ? [{ kind: 'input', text }] : []);
    }), 800);
  });
});

/** Adjacent input actions joined: chunking may split a run of keys, not change it. */
function mergeInputs(actions: EscapeAction[]): EscapeAction[] {
  const out: EscapeAction[] = [];
  for (const a of actions) {
    const last = out.at(-1);
    if (a.kind === 'input' && last?.kind === 'input') out[out.length - 1] = { kind: 'input', text: last.text + a.text };
    else out.push(a);
  }
  return out;
}

describe('lab manifests (lab.json)', () => {
  const valid = {
    id: 'hello-proc', title: 'Hello, /proc', difficulty: 'beginner', language: 'en',
    machine: { personality: 'modern', cards: [{ io: 0x300, irq: 5 }] },
  };

  it('parse any text or list the problems, each naming lab.json and the key', () => {
    const text = fc.oneof(
      fc.json(),
      fc.string(),
      fc.jsonValue().map((v) => JSON.stringify({ ...valid, ...(typeof v === 'object' && v && !Array.isArray(v) ? v : { extra: v }) })),
      fc.tuple(fc.constantFrom('id', 'title', 'difficulty', 'language', 'machine', 'checks', 'hints'), fc.jsonValue())
        .map(([k, v]) => JSON.stringify({ ...valid, [k]: v })),
    );
    check(fc.property(text, (t) => {
      const r = bounded('parseManifest', () => parseManifest(t, 'hello-proc'));
      if ('problems' in r) {
        expect(r.problems.length).toBeGreaterThan(0);
        for (const p of r.problems) {
          expect(p.startsWith('lab.json: ')).toBe(true);
          expect(isClearMessage(p)).toBe(true);
        }
      }
    }), 800);
  });
});

/** A copy of `doc` with the value at one path (picked by `pick`) replaced by `value`. */
function replaceAt(doc: unknown, pick: number[], value: unknown): unknown {
  const copy = structuredClone(doc) as Record<string, unknown>;
  let node: Record<string, unknown> = copy;
  for (const [depth, p] of pick.entries()) {
    const keys = Object.keys(node);
    if (keys.length === 0) break;
    const key = keys[p % keys.length]!;
    const child = node[key];
    if (depth === pick.length - 1 || typeof child !== 'object' || child === null) {
      node[key] = value;
      break;
    }
    node = child as Record<string, unknown>;
  }
  return copy;
}

describe('the progress export document', () => {
  const store = seededStore(tempHome(), 2);
  const good = JSON.parse(JSON.stringify(store.exportDocument())) as ProgressDocument;
  store.close();

  it('parses any change to a good document or refuses it with a DocumentError naming where', () => {
    check(fc.property(fc.array(fc.nat(), { minLength: 1, maxLength: 6 }), fc.jsonValue({ maxDepth: 2 }), (pick, value) => {
      const doc = replaceAt(good, pick, value);
      try {
        bounded('parseDocument', () => parseDocument(doc));
      } catch (e) {
        if (!(e instanceof DocumentError)) throw e;
        expect(isClearMessage(e.message)).toBe(true);
      }
    }), 600);
  });

  it('refuses anything that is not a document with a DocumentError', () => {
    check(fc.property(fc.anything(), (value) => {
      expect(() => parseDocument(value)).toThrow(DocumentError);
    }), 300);
  });

  it('imports what it parses, and exports it again unchanged (round trip)', () => {
    const target = ProgressStore.open({ home: tempHome() });
    target.importDocument(structuredClone(good));
    const again = JSON.parse(JSON.stringify(target.exportDocument())) as ProgressDocument;
    const comparable = (d: ProgressDocument) => ({ ...d, exportedAt: undefined });
    expect(comparable(parseDocument(again))).toEqual(comparable(parseDocument(good)));
    target.close();
  });
});

describe('salvaging a damaged progress database', () => {
  const home = tempHome();
  seededStore(home, 3).close();
  const file = path.join(home, 'progress.db');
  const original = new Uint8Array(fs.readFileSync(file));

  it('recovers what it can from any byte-wise damage and says what, never throws', () => {
    const damaged = path.join(tempHome(), 'damaged.db');
    check(fc.property(mutation(original.length, { maxEdits: 16, truncate: true }), (m) => {
      fs.writeFileSync(damaged, applyMutation(original, m));
      const db = new Database(':memory:');
      migrate(db);
      const r = bounded('salvageInto', () => salvageInto(damaged, db));
      expect(isClearMessage(r.summary)).toBe(true);
      db.close();
    }), 60);
  });

  it('says nothing could be read from random bytes', () => {
    const damaged = path.join(tempHome(), 'random.db');
    check(fc.property(fc.uint8Array({ maxLength: 8192 }), (bytes) => {
      fs.writeFileSync(damaged, bytes);
      const db = new Database(':memory:');
      migrate(db);
      expect(salvageInto(damaged, db).summary).toMatch(/^nothing could be read from it/);
      db.close();
    }), 60);
  });
});

describe('the disk image journal', () => {
  const SECTORS = 64;
  const home = tempWorkspace();
  const image = path.join(disksDir(home), 'hda.img');
  openDiskImage(home, 'hda', { sectors: SECTORS }).close();
  const header = new Uint8Array(fs.readFileSync(`${image}.journal`));
  const cleanImage = new Uint8Array(fs.readFileSync(image));
  const record = (seq: number, lba: number, fill: number) => {
    const data = new Uint8Array(512).fill(fill);
    const head = new Uint8Array(24);
    const v = new DataView(head.buffer);
    v.setUint32(0, 0x52444c44, true); v.setUint32(4, seq, true); v.setUint32(8, lba, true); v.setUint32(12, 1, true);
    v.setUint32(16, crc32(data, crc32(head.subarray(4, 16))), true);
    return Buffer.concat([head, data]);
  };
  const writes = [[1, 0x11], [2, 0x22], [1, 0x33], [5, 0x44]] as const;
  const journal = new Uint8Array(Buffer.concat([header, ...writes.map(([lba, fill], i) => record(i + 1, lba, fill))]));

  it('replays a damaged journal up to its first bad record, or refuses it saying why', () => {
    check(fc.property(mutation(journal.length, { truncate: true }), (m) => {
      fs.writeFileSync(image, cleanImage);
      fs.writeFileSync(`${image}.journal`, applyMutation(journal, m));
      let disk: FileDisk;
      try {
        disk = bounded('FileDisk.open', () => FileDisk.open(image, { sectors: SECTORS }));
      } catch (e) {
        expect(isClearMessage((e as Error).message)).toBe(true);
        return;
      }
      // What is on the disk is the effect of some prefix of the writes, never a mixture.
      const seen = [1, 2, 5].map((lba) => disk.readSectors(lba, 1));
      disk.close();
      const prefixes = writes.map((_, n) => writes.slice(0, n)).concat([writes.slice()]);
      const matches = prefixes.some((prefix) => {
        const expect = new Map<number, number>();
        for (const [lba, fill] of prefix) expect.set(lba, fill);
        return [1, 2, 5].every((lba, i) => seen[i]!.every((b) => b === (expect.get(lba) ?? 0)));
      });
      expect(matches).toBe(true);
    }), 120);
  });

  it('refuses an image file cut to a size that is not whole sectors, saying so', () => {
    check(fc.property(fc.integer({ min: 0, max: cleanImage.length - 1 }), (size) => {
      fs.writeFileSync(image, cleanImage.subarray(0, size));
      fs.writeFileSync(`${image}.journal`, header);
      try {
        FileDisk.open(image, { sectors: SECTORS }).close();
        expect(size % 512).toBe(0);
      } catch (e) {
        expect((e as Error).message).toMatch(/not a whole number of 512-byte sectors|is 0 bytes/);
      }
    }), 60);
  });
});
