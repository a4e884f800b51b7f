// The lab list as the app sees it. Step 6 brings the lab format (manifest, instructions,
// starter files, checks); until then this reads what it finds in labs/<id>/lab.json and
// labs/<id>/README.md, reports a folder it cannot read as a problem (the others still load),
// and always offers free play: the machine without a lab.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { FREE_PLAY, type LabCatalog, type LabDetails, type LabProblem, type LabSummary, type Personality } from '../ipc/common/contract.js';
import { isValidLabId } from '../progress/paths.js';
import type { SessionConfig } from '../session/machine-session.js';

export const FREE_PLAY_LAB: LabDetails = {
  id: FREE_PLAY,
  title: 'Free play',
  summary: 'A virtual PC with no lab: write, build and load whatever you like.',
  topic: 'free play',
  personality: 'modern',
  instructions: [
    '# Free play',
    '',
    'A virtual PC running the modern kernel (`uname -r` says `6.8.0-driverlab`). Your files are in',
    '`/home/lab`, the folder the editor shows: save a file there and the machine sees it at once.',
    '',
    '- `make` builds a kernel module with the kernel-module Makefile; `gcc` builds a user program.',
    '- `sudo insmod hello.ko`, `lsmod`, `dmesg | tail`, `sudo rmmod hello` load and unload it.',
    '- **Reset** power-cycles the machine; your files in `/home/lab` are kept.',
  ].join('\n'),
};

export interface LabProvider {
  catalog(): Promise<LabCatalog>;
  details(id: string): Promise<LabDetails>;
  /** The machine a session of this lab runs, with `workspace` at /home/lab. */
  session(id: string, workspace: string): Promise<SessionConfig>;
}

const PERSONALITIES: readonly Personality[] = ['modern', '2.2'];

function readManifest(dir: string, folder: string): LabDetails {
  const file = path.join(dir, 'lab.json');
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new Error(`lab.json: ${e instanceof Error ? e.message : String(e)}`);
  }
  const m = raw as Record<string, unknown>;
  const text = (key: string) => {
    if (typeof m[key] !== 'string' || !m[key]) throw new Error(`lab.json: '${key}' must be a non-empty string`);
    return m[key] as string;
  };
  const id = text('id');
  if (id !== folder) throw new Error(`lab.json: id '${id}' is not the folder's name '${folder}'`);
  const personality = (m.personality ?? 'modern') as Personality;
  if (!PERSONALITIES.includes(personality)) throw new Error(`lab.json: personality must be 'modern' or '2.2'`);
  const readme = path.join(dir, 'README.md');
  return {
    id, title: text('title'), summary: text('summary'), topic: text('topic'), personality,
    instructions: fs.existsSync(readme) ? fs.readFileSync(readme, 'utf8') : '',
  };
}

/** Labs in `labsDir` (which may not exist: then there is only free play). */
export function folderLabProvider(labsDir: string): LabProvider {
  const load = (): { labs: LabDetails[]; problems: LabProblem[] } => {
    const labs: LabDetails[] = [];
    const problems: LabProblem[] = [];
    if (!fs.existsSync(labsDir)) return { labs, problems };
    for (const ent of fs.readdirSync(labsDir, { withFileTypes: true })) {
      if (!ent.isDirectory()) continue;
      if (!isValidLabId(ent.name) || ent.name === FREE_PLAY) {
        problems.push({ folder: ent.name, message: 'not a lab id: use lower-case letters, digits, ".", "_" and "-"' });
        continue;
      }
      try {
        labs.push(readManifest(path.join(labsDir, ent.name), ent.name));
      } catch (e) {
        problems.push({ folder: ent.name, message: e instanceof Error ? e.message : String(e) });
      }
    }
    labs.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    return { labs, problems };
  };
  const find = (id: string): LabDetails => {
    if (id === FREE_PLAY) return FREE_PLAY_LAB;
    const lab = load().labs.find((l) => l.id === id);
    if (!lab) throw new Error(`no lab '${id}'`);
    return lab;
  };
  return {
    async catalog() {
      const { labs, problems } = load();
      const summary = ({ instructions: _i, ...s }: LabDetails): LabSummary => s;
      return { labs: labs.map(summary), problems, freePlay: summary(FREE_PLAY_LAB) };
    },
    async details(id) {
      return find(id);
    },
    async session(id, workspace) {
      const lab = find(id);
      return { id, workspace, machine: { personality: lab.personality, pacing: 'realtime' } };
    },
  };
}
