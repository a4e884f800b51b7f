// The lab list as the app sees it (the IPC contract's labs service): the labs of a labs/ folder
// (main/labs/loader.ts), the problems of the folders that could not be loaded, and free play,
// the machine without a lab, which is always there.
import { FREE_PLAY, type LabCatalog, type LabDetails, type LabProblem, type LabSummary } from '../ipc/common/contract.js';
import type { SessionConfig } from '../session/machine-session.js';
import { checksCacheDir } from './compile-checks.js';
import { loadLabs, localized, type Lab } from './loader.js';
import type { Drill } from './drill.js';
import type { Language } from './manifest.js';

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
  /** The lab with its instructions in `language` (English when the lab has no such translation). */
  details(id: string, language?: Language): Promise<LabDetails>;
  /** The machine a session of this lab runs, with `workspace` at /home/lab. */
  session(id: string, workspace: string): Promise<SessionConfig>;
  /** The files a new workspace of the lab starts with (none for free play). */
  starter(id: string): Promise<ReadonlyMap<string, Uint8Array>>;
}

function summary(lab: Lab): LabSummary {
  const m = lab.manifest;
  return {
    id: m.id, title: m.title, summary: m.summary, topic: m.topic, personality: m.personality, kind: 'lab', order: m.order,
    difficulty: m.difficulty, estimatedMinutes: m.estimatedMinutes, prerequisites: m.prerequisites, languages: [...m.languages],
  };
}

/** Drills come after the labs, in the catalog's drill section (the renderer lists kind 'drill' apart). */
const DRILL_ORDER = 1000;

function drillSummary(drill: Drill): LabSummary {
  const m = drill.manifest;
  return {
    id: m.id, title: m.title, summary: m.summary, topic: 'drills', personality: m.personality, kind: 'drill', order: DRILL_ORDER,
    difficulty: 'intermediate', estimatedMinutes: 15, prerequisites: [], languages: ['en'],
  };
}

/** One entry per folder: the renderer lists a folder once, with all that is wrong with it. */
function byFolder(problems: readonly LabProblem[]): LabProblem[] {
  const grouped = new Map<string, string[]>();
  for (const p of problems) grouped.set(p.folder, [...(grouped.get(p.folder) ?? []), p.message]);
  return [...grouped].map(([folder, messages]) => ({ folder, message: messages.join('\n') }));
}

/** Labs in `labsDir` (which may not exist: then there is only free play). */
export function folderLabProvider(labsDir: string, options: { cacheDir?: string } = {}): LabProvider {
  const load = () => loadLabs(labsDir, { cacheDir: options.cacheDir ?? checksCacheDir() });
  const find = async (id: string): Promise<Lab | Drill> => {
    const set = await load();
    const found = set.labs.find((l) => l.manifest.id === id) ?? set.drills.find((d) => d.manifest.id === id);
    if (!found) throw new Error(`no lab '${id}'`);
    return found;
  };
  return {
    async catalog() {
      const { labs, drills, problems } = await load();
      const { instructions: _i, ...freePlay } = FREE_PLAY_LAB;
      return { labs: [...labs.map(summary), ...drills.map(drillSummary)], problems: byFolder(problems), freePlay };
    },
    async details(id, language = 'en') {
      if (id === FREE_PLAY) return FREE_PLAY_LAB;
      const lab = await find(id);
      if (!('checks' in lab)) {
        return {
          ...drillSummary(lab), instructions: lab.goal, drill: { goal: lab.goal },
          checkItems: lab.fix?.checks.checks.map((c) => ({ id: c.id, title: c.title })),
        };
      }
      return {
        ...summary(lab), instructions: localized(lab.instructions, language) ?? '',
        hintCount: lab.hints.en.length, checkItems: lab.checks.checks.map((c) => ({ id: c.id, title: c.title })),
      };
    },
    async session(id, workspace) {
      if (id === FREE_PLAY) return { id, workspace, machine: { personality: 'modern', pacing: 'realtime' } };
      const m = (await find(id)).manifest;
      return {
        id, workspace,
        machine: { personality: m.personality, pacing: 'realtime', seed: m.machine.seed ?? 1, cards: m.machine.cards, cmdline: m.machine.cmdline ?? '' },
      };
    },
    async starter(id) {
      return id === FREE_PLAY ? new Map() : (await find(id)).starter;
    },
  };
}
