// The app shell: the lab list and instructions on the left, the workspace editor and the
// machine's terminal on the right, the machine's state and controls on top. The address's hash
// names the lab session (#/lab/<id>); without one it is free play.
import { useCallback, useEffect, useMemo, useState } from 'react';
import { FREE_PLAY, type LabCatalog, type LabDetails, type MachineStatus, type Settings } from '../../main/ipc/common/contract';
import type { Connection } from './ipc/client';
import { EditorPane } from './components/EditorPane';
import { TerminalPane } from './components/TerminalPane';
import { Markdown } from './components/Markdown';

function sessionFromHash(): string {
  const m = /^#\/lab\/([a-z0-9][a-z0-9._-]{0,63})$/.exec(window.location.hash);
  return m ? m[1]! : FREE_PLAY;
}

const DEFAULT_SETTINGS: Settings = { language: 'en', theme: 'system', fontSize: 14, consoleLogLevel: 7 };

function usePrefersDark(): boolean {
  const query = useMemo(() => window.matchMedia('(prefers-color-scheme: dark)'), []);
  const [dark, setDark] = useState(query.matches);
  useEffect(() => {
    const on = () => setDark(query.matches);
    query.addEventListener('change', on);
    return () => query.removeEventListener('change', on);
  }, [query]);
  return dark;
}

function describe(status: MachineStatus | undefined): string {
  if (!status) return 'connecting';
  if (status.state === 'off') return 'off';
  return status.state;
}

export function App(props: { connection: Connection }) {
  const { api, client, face } = props.connection;
  const [session, setSession] = useState(sessionFromHash);
  const [catalog, setCatalog] = useState<LabCatalog>();
  const [lab, setLab] = useState<LabDetails>();
  const [status, setStatus] = useState<MachineStatus>();
  const [settings, setSettings] = useState<Settings>(DEFAULT_SETTINGS);
  const [message, setMessage] = useState('');
  const [lost, setLost] = useState<string>();
  const [focusTerminal, setFocusTerminal] = useState(0);
  const prefersDark = usePrefersDark();
  const dark = settings.theme === 'dark' || (settings.theme === 'system' && prefersDark);

  const report = useCallback((text: string) => setMessage(text), []);
  const fail = useCallback((what: string) => (e: unknown) => setMessage(`${what}: ${e instanceof Error ? e.message : String(e)}`), []);

  useEffect(() => {
    props.connection.onLost((why) => setLost(why));
    void api.labs.list().then(setCatalog, fail('Cannot list the labs'));
    void api.settings.get().then(setSettings, fail('Settings unavailable, using the defaults'));
    return client.listen('settings', 'changed', '', setSettings);
  }, [api, client, props.connection, fail]);

  useEffect(() => {
    const onHash = () => setSession(sessionFromHash());
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);

  // Open the session: its machine boots on first open and keeps running across reloads.
  useEffect(() => {
    let stop: (() => void) | undefined;
    let cancelled = false;
    setStatus(undefined);
    setLab(undefined);
    void api.labs.get(session).then((l) => { if (!cancelled) setLab(l); }, fail(`No lab '${session}'`));
    void api.machine.open(session).then((s) => {
      if (cancelled) return;
      setStatus(s);
      stop = client.listen('machine', 'status', session, setStatus);
    }, fail('Cannot start the machine'));
    return () => { cancelled = true; stop?.(); };
  }, [api, client, session, fail]);

  useEffect(() => {
    document.documentElement.dataset.theme = dark ? 'dark' : 'light';
  }, [dark]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.ctrlKey && e.key === '`') { e.preventDefault(); setFocusTerminal((n) => n + 1); }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  const openLab = async (id: string) => {
    if (id === session) return;
    try {
      const { here } = await api.labs.open(id);
      if (here) window.location.hash = `#/lab/${id}`;
    } catch (e) {
      fail(`Cannot open ${id}`)(e);
    }
  };

  const toggleTheme = () => {
    void api.settings.set('theme', dark ? 'light' : 'dark').then(setSettings, () => setSettings({ ...settings, theme: dark ? 'light' : 'dark' }));
  };

  const machineAction = (action: 'reset' | 'powerOff' | 'boot' | 'reinstall') => () => {
    if (action === 'reinstall' && !window.confirm('Reinstall the machine? Its disk is installed afresh: /home/user, /etc and any kernel you built are lost. Your workspace (/home/lab) is kept.')) return;
    void api.machine[action](session).then(setStatus, fail('The machine did not answer'));
    setFocusTerminal((n) => n + 1);
  };

  const off = status?.state === 'off';
  const labs = catalog ? [catalog.freePlay, ...catalog.labs] : [];

  return (
    <div className="app">
      <header className="topbar">
        <span className="brand">Driver<b>Lab</b></span>
        <span className="lab-title" data-testid="lab-title">{lab?.title ?? session}</span>
        {lab && <span className="badge" title="kernel personality">{lab.personality === '2.2' ? 'Linux 2.2' : 'Linux 6.8'}</span>}
        <span className="spacer" />
        <span className={`machine-state ${describe(status)}`} data-testid="machine-state">
          <span className="dot" />machine {describe(status)}
        </span>
        <button onClick={machineAction('reset')} disabled={!status} title="Power-cycle the machine; files in /home/lab are kept">Reset</button>
        {off
          ? <button onClick={machineAction('boot')} title="Power on">Boot</button>
          : <button onClick={machineAction('powerOff')} disabled={!status} title="Cut the power">Power off</button>}
        <button onClick={machineAction('reinstall')} disabled={!status} title="Install the machine's disk afresh; files in /home/lab are kept">Reinstall</button>
        <button className="icon" onClick={toggleTheme} title={dark ? 'Light theme' : 'Dark theme'} aria-label="Toggle theme">{dark ? '☀' : '☾'}</button>
      </header>

      <aside className="sidebar">
        <section className="catalog">
          <h2>Labs</h2>
          <ul>
            {labs.map((l) => (
              <li key={l.id}>
                <button className={l.id === session ? 'lab-item current' : 'lab-item'} onClick={() => void openLab(l.id)}>
                  <span className="lab-name">{l.title}</span>
                  <span className="lab-summary">{l.summary}</span>
                </button>
              </li>
            ))}
          </ul>
          {catalog && catalog.labs.length === 0 && <p className="muted">No labs installed yet: free play is always here.</p>}
          {catalog?.problems.map((p) => <p key={p.folder} className="problem">labs/{p.folder}: {p.message}</p>)}
        </section>
        <section className="instructions" data-testid="instructions">
          {lab ? <Markdown text={lab.instructions} /> : null}
        </section>
      </aside>

      <main className="work">
        <section className="editor-area">
          <EditorPane key={session} api={api} session={session} fontSize={settings.fontSize} onMessage={report} />
        </section>
        <section className="terminal-area">
          <div className="pane-title">
            <span>Terminal</span>
            <span className="muted">{status ? `boot ${status.boot}` : ''}</span>
          </div>
          {status && <TerminalPane key={session} client={client} api={api} session={session} theme={{ dark, fontSize: settings.fontSize }} focusKey={focusTerminal} />}
          {off && status?.reason !== 'not started' && (
            <div className="powered-off" role="alert" data-testid="powered-off">
              <p className="title">The machine powered off.</p>
              <p className="muted">{status?.reason}</p>
              <button className="primary" onClick={machineAction('boot')}>Boot again</button>
            </div>
          )}
        </section>
      </main>

      <footer className="statusbar">
        <span data-testid="status-message">{message}</span>
        <span className="spacer" />
        <span className="muted">{face === 'electron' ? 'desktop' : 'browser mode'} · Ctrl+S save · Ctrl+` terminal</span>
      </footer>

      {lost && <div className="lost" role="alert">{lost}</div>}
    </div>
  );
}
