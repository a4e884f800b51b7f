// The core behind every face of the app (ARCHITECTURE.md decision 8): the services of the IPC
// contract over the lab sessions, their machines and workspaces, and the learner's settings.
// The Electron main process and the browser-mode server each create one and connect their
// senders to its IpcServer; neither adds logic of its own.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { MachineStatus, SavedFile, Services, SessionId, Settings, WorkspaceEntry } from '../ipc/common/contract.js';
import { MAX_FILE_CHARS } from '../ipc/common/contract.js';
import { IpcServer, type EventSources, type Sender } from '../ipc/server.js';
import type { LabProvider } from '../labs/catalog.js';
import { writeFiles } from '../labs/workspace.js';
import { NodeDirectory } from '../host/node-host.js';
import { labDiskPath } from '../host/disk-image.js';
import { labWorkspaceDir } from '../progress/paths.js';
import { ProgressStore } from '../progress/store.js';
import { validateSetting } from '../progress/settings.js';
import { MachineSession, defaultWorkerFactory, type WorkerFactory } from '../session/machine-session.js';

export interface CoreOptions {
  /** The data folder: progress.db and workspaces/<lab>. */
  home: string;
  labs: LabProvider;
  workerFactory?: WorkerFactory;
}

/** The editor lists at most this many workspace entries (a build tree is not source). */
const MAX_WORKSPACE_ENTRIES = 2000;

export class DriverLabCore {
  readonly events: EventSources;
  readonly server: IpcServer;
  private readonly sessions = new Map<SessionId, MachineSession>();
  private readonly opening = new Map<SessionId, Promise<MachineSession>>();
  private readonly settingsListeners = new Set<(s: Settings) => void>();
  private store: ProgressStore | undefined;

  constructor(private readonly options: CoreOptions) {
    this.events = {
      labs: {},
      machine: {
        status: (id, emit) => this.existing(id).onStatus(emit),
      },
      terminal: {
        output: (id, emit) => this.existing(id).output.attach(emit).detach,
      },
      workspace: {},
      settings: {
        changed: (_topic, emit) => {
          this.settingsListeners.add(emit);
          return () => this.settingsListeners.delete(emit);
        },
      },
    };
    this.server = new IpcServer((sender) => this.servicesFor(sender), this.events);
  }

  /** The contract's services as `sender` sees them. */
  servicesFor(sender: Sender): Services {
    const options = this.options;
    return {
      labs: {
        list: () => options.labs.catalog(),
        get: (lab) => options.labs.details(lab, this.progress().settings().language),
        open: async (lab) => {
          await options.labs.details(lab);
          return { here: sender.openLab ? await sender.openLab(lab) : true };
        },
      },
      machine: {
        open: async (id) => {
          const session = await this.session(id);
          if (session.status().reason === 'not started') session.boot();
          return session.status();
        },
        status: async (id) => this.existing(id).status(),
        boot: async (id) => (await this.session(id)).boot(),
        reset: async (id) => (await this.session(id)).reset(),
        powerOff: async (id) => this.existing(id).powerOff(),
        reinstall: async (id) => (await this.session(id)).reinstall(),
      },
      terminal: {
        input: async (id, data) => this.existing(id).input(data),
        resize: async (id, columns, rows) => this.existing(id).resize(columns, rows),
        ack: async (id, stream, chars) => this.existing(id).output.ack(stream, chars),
      },
      workspace: {
        list: async (id) => listWorkspace(await this.workspaceDir(id)),
        read: async (id, file) => readText(new NodeDirectory(await this.workspaceDir(id)), file),
        write: async (id, file, content) => writeText(new NodeDirectory(await this.workspaceDir(id)), file, content),
      },
      settings: {
        get: async () => this.progress().settings(),
        set: async (key, value) => {
          const store = this.progress();
          store.setSetting(key, validateSetting(key, value));
          const settings = store.settings();
          for (const l of this.settingsListeners) l(settings);
          return settings;
        },
      },
    };
  }

  /** A session's machine status, or undefined when it was never opened. */
  sessionStatus(id: SessionId): MachineStatus | undefined {
    return this.sessions.get(id)?.status();
  }

  /** The open session (tests use it to pull a machine's plug). */
  sessionFor(id: SessionId): MachineSession | undefined {
    return this.sessions.get(id);
  }

  async close(): Promise<void> {
    await Promise.all([...this.sessions.values()].map((s) => s.dispose()));
    this.sessions.clear();
    this.store?.close();
    this.store = undefined;
  }

  private existing(id: SessionId): MachineSession {
    const session = this.sessions.get(id);
    if (!session) throw new Error(`session '${id}' is not open`);
    return session;
  }

  /** The session of a lab, created (not booted) on first use; one per lab, shared by its windows. */
  private session(id: SessionId): Promise<MachineSession> {
    const open = this.sessions.get(id);
    if (open) return Promise.resolve(open);
    let pending = this.opening.get(id);
    if (!pending) {
      pending = (async () => {
        const config = await this.options.labs.session(id, await this.workspaceDir(id));
        // One hard disk per lab session, in the data folder: the machine keeps it across app restarts.
        const session = new MachineSession({ ...config, diskImage: labDiskPath(this.options.home, id) }, this.options.workerFactory ?? defaultWorkerFactory);
        this.sessions.set(id, session);
        return session;
      })().finally(() => this.opening.delete(id));
      this.opening.set(id, pending);
    }
    return pending;
  }

  /**
   * The lab's workspace folder; asking the catalog first means no folder is made for a lab that
   * does not exist. A new one starts with the lab's starter files.
   */
  private async workspaceDir(id: SessionId): Promise<string> {
    await this.options.labs.details(id);
    const dir = labWorkspaceDir(this.options.home, id);
    if (!fs.existsSync(dir)) {
      fs.mkdirSync(dir, { recursive: true });
      writeFiles(dir, await this.options.labs.starter(id));
    }
    return dir;
  }

  private progress(): ProgressStore {
    this.store ??= ProgressStore.open({ home: this.options.home });
    return this.store;
  }
}

/** Files under `root`, sorted, hidden ones and editor temporaries left out. */
export function listWorkspace(root: string): WorkspaceEntry[] {
  const entries: WorkspaceEntry[] = [];
  const walk = (dir: string, prefix: string) => {
    for (const ent of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      if (entries.length >= MAX_WORKSPACE_ENTRIES) return;
      if (ent.name.startsWith('.') || ent.name.endsWith('.driverlab-tmp')) continue;
      const rel = prefix ? `${prefix}/${ent.name}` : ent.name;
      const full = path.join(dir, ent.name);
      if (ent.isDirectory()) walk(full, rel);
      else if (ent.isFile()) {
        const size = fs.statSync(full).size;
        entries.push({ path: rel, size, text: size <= MAX_FILE_CHARS && isText(fs.readFileSync(full)) });
      }
    }
  };
  walk(root, '');
  return entries;
}

function isText(data: Uint8Array): boolean {
  if (data.includes(0)) return false;
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(data);
    return true;
  } catch {
    return false;
  }
}

/**
 * Refuses a path whose folders leave the workspace through a symbolic link: the editor writes
 * the learner's files, nothing else on the host.
 */
function checkInside(dir: NodeDirectory, file: string): void {
  const root = fs.realpathSync(dir.root);
  const parent = path.dirname(path.join(dir.root, file));
  let real: string;
  try {
    real = fs.realpathSync(parent);
  } catch {
    throw new Error(`${path.posix.dirname(file)}: No such directory`);
  }
  if (real !== root && !real.startsWith(root + path.sep)) throw new Error(`${file}: outside the workspace`);
}

function readText(dir: NodeDirectory, file: string): string {
  checkInside(dir, file);
  const stat = dir.stat(file);
  if (!stat || stat.kind !== 'file') throw new Error(`${file}: No such file`);
  const data = dir.readFile(file);
  if (data.length > MAX_FILE_CHARS || !isText(data)) throw new Error(`${file}: not a text file the editor can open`);
  return new TextDecoder().decode(data);
}

function writeText(dir: NodeDirectory, file: string, content: string): SavedFile {
  checkInside(dir, file);
  if (dir.stat(file)?.kind === 'dir') throw new Error(`${file}: Is a directory`);
  const data = new TextEncoder().encode(content);
  dir.writeFile(file, data);
  return { path: file, size: data.length };
}
