// The app shell: the top bar (the pages, settings, shortcuts), the page the address names
// (catalog, a lab, progress), and the status line. It holds the learner's settings, applies
// the theme and the language, and handles the app-wide shortcuts.
import { useCallback, useEffect, useMemo, useState } from 'react';
import type { SettingKey, Settings } from '../../main/ipc/common/contract';
import { AppContext, why, type AppContextValue } from './app-context';
import { HelpOverlay } from './components/HelpOverlay';
import { SettingsDialog } from './components/SettingsDialog';
import { I18nContext, translator } from './i18n';
import type { Connection } from './ipc/client';
import { CatalogPage } from './pages/CatalogPage';
import { LabPage } from './pages/LabPage';
import { ProgressPage } from './pages/ProgressPage';
import { hrefFor, useRoute } from './route';
import { keysOf, shortcutFor } from './shortcuts';

const DEFAULT_SETTINGS: Settings = { language: 'en', theme: 'system', fontSize: 14, terminalFontSize: 14, consoleLogLevel: 4 };

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

export function App(props: { connection: Connection }) {
  const { api, client, face } = props.connection;
  const route = useRoute();
  const [settings, setSettings] = useState<Settings>(DEFAULT_SETTINGS);
  const [message, setMessage] = useState('');
  const [lost, setLost] = useState<string>();
  const [dialog, setDialog] = useState<'settings' | 'help'>();
  const prefersDark = usePrefersDark();
  const dark = settings.theme === 'dark' || (settings.theme === 'system' && prefersDark);
  const i18n = useMemo(() => ({ t: translator(settings.language), language: settings.language }), [settings.language]);
  const { t } = i18n;

  const report = useCallback((text: string) => setMessage(text), []);

  useEffect(() => {
    props.connection.onLost((reason) => setLost(reason));
    api.settings.get().then(setSettings, (e: unknown) => setMessage(why(e)));
    return client.listen('settings', 'changed', '', setSettings);
  }, [api, client, props.connection]);

  const changeSetting = useCallback((key: SettingKey, value: string | number) => {
    // Shown at once; the store's answer (or its refusal) has the last word.
    setSettings((s) => ({ ...s, [key]: value }));
    api.settings.set(key, value).then(setSettings, (e: unknown) => {
      setMessage(translator(settings.language)('settings.failed', { why: why(e) }));
      api.settings.get().then(setSettings, () => undefined);
    });
  }, [api, settings.language]);

  useEffect(() => {
    document.documentElement.dataset.theme = dark ? 'dark' : 'light';
    document.documentElement.lang = settings.language;
  }, [dark, settings.language]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const id = shortcutFor(e);
      if (id !== 'settings' && id !== 'help') return;
      // Not for the terminal too: F1 would reach the machine as ESC O P.
      e.preventDefault();
      e.stopPropagation();
      setDialog((d) => (d === id ? undefined : id));
    };
    window.addEventListener('keydown', onKey, true);
    return () => window.removeEventListener('keydown', onKey, true);
  }, []);

  const context: AppContextValue = useMemo(() => ({ api, client, face, settings, changeSetting, dark, report }), [api, client, face, settings, changeSetting, dark, report]);

  const nav = (page: 'catalog' | 'progress', label: string) => (
    <a className={route.page === page ? 'nav current' : 'nav'} href={hrefFor({ page })} aria-current={route.page === page ? 'page' : undefined}>{label}</a>
  );

  return (
    <AppContext.Provider value={context}>
      <I18nContext.Provider value={i18n}>
        <div className="app">
          <header className="topbar">
            <a className="brand" href={hrefFor({ page: 'catalog' })}>Driver<b>Lab</b></a>
            <nav>
              {nav('catalog', t('nav.labs'))}
              {nav('progress', t('nav.progress'))}
            </nav>
            <span className="spacer" />
            <button className="icon ghost" onClick={() => changeSetting('theme', dark ? 'light' : 'dark')} title={dark ? t('theme.light') : t('theme.dark')} aria-label="Toggle theme">{dark ? '☀' : '☾'}</button>
            <button className="icon ghost" onClick={() => setDialog('help')} title={`${t('nav.help')} (${keysOf('help')})`} aria-label={t('nav.help')}>?</button>
            <button className="icon ghost" onClick={() => setDialog('settings')} title={`${t('nav.settings')} (${keysOf('settings')})`} aria-label={t('nav.settings')}>⚙</button>
          </header>

          <main className="content">
            {route.page === 'lab' ? <LabPage key={route.lab} lab={route.lab} />
              : route.page === 'progress' ? <ProgressPage lab={route.lab} />
              : <CatalogPage />}
          </main>

          <footer className="statusbar">
            <span data-testid="status-message" className="status-message">{message}</span>
            <span className="spacer" />
            <span className="muted">{face === 'electron' ? t('app.desktop') : t('app.browser')} · {keysOf('help')} {t('nav.help')}</span>
          </footer>

          {dialog === 'settings' && <SettingsDialog onClose={() => setDialog(undefined)} />}
          {dialog === 'help' && <HelpOverlay onClose={() => setDialog(undefined)} />}
          {lost && <div className="lost" role="alert">{lost}</div>}
        </div>
      </I18nContext.Provider>
    </AppContext.Provider>
  );
}
