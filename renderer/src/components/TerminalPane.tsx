// The machine's console in xterm.js, with the fit (the screen follows the pane, and the
// machine's tty follows the screen: `stty size` tells), web-links and search addons, and a
// Linux terminal's Ctrl+Shift+C / Ctrl+Shift+V. Output arrives in batches from the core and
// each batch is acknowledged once xterm.js has drawn it (write's callback): the core never
// sends more than a window ahead of the screen, so a printk flood cannot bury what the user
// types (style.md).
import { useEffect, useImperativeHandle, useRef, useState, type Ref } from 'react';
import { Terminal } from '@xterm/xterm';
import { FitAddon } from '@xterm/addon-fit';
import { SearchAddon } from '@xterm/addon-search';
import { WebLinksAddon } from '@xterm/addon-web-links';
import '@xterm/xterm/css/xterm.css';
import { useApp } from '../app-context';
import { useI18n } from '../i18n';
import { IS_MAC, terminalKey } from '../shortcuts';

export interface TerminalHandle {
  focus(): void;
  openSearch(): void;
}

const DARK = {
  background: '#0d1117', foreground: '#d6dde6', cursor: '#7ee787', selectionBackground: '#264f78',
  scrollbarSliderBackground: 'rgba(139, 148, 158, 0.18)', scrollbarSliderHoverBackground: 'rgba(139, 148, 158, 0.32)', scrollbarSliderActiveBackground: 'rgba(139, 148, 158, 0.45)',
};
const LIGHT = {
  background: '#fbfbfa', foreground: '#1f2328', cursor: '#1a7f37', selectionBackground: '#b6d7ff',
  black: '#24292f', red: '#cf222e', green: '#116329', yellow: '#4d2d00', blue: '#0969da', magenta: '#8250df', cyan: '#1b7c83', white: '#6e7781',
  brightBlack: '#57606a', brightRed: '#a40e26', brightGreen: '#1a7f37', brightYellow: '#633c01', brightBlue: '#218bff', brightMagenta: '#a475f9', brightCyan: '#3192aa', brightWhite: '#8c959f',
  scrollbarSliderBackground: 'rgba(101, 109, 118, 0.18)', scrollbarSliderHoverBackground: 'rgba(101, 109, 118, 0.32)', scrollbarSliderActiveBackground: 'rgba(101, 109, 118, 0.45)',
};
const SEARCH_COLORS = { matchOverviewRuler: '#d29922', activeMatchColorOverviewRuler: '#f0883e', matchBackground: '#9e6a0366', activeMatchBackground: '#f0883e99' };

async function copyText(text: string): Promise<void> {
  try {
    await navigator.clipboard.writeText(text);
  } catch {
    // Without the asynchronous clipboard (a permission denied), the page's copy command.
    const area = document.createElement('textarea');
    area.value = text;
    document.body.append(area);
    area.select();
    document.execCommand('copy');
    area.remove();
  }
}

export function TerminalPane(props: { session: string; handle: Ref<TerminalHandle>; title: string }) {
  const { session } = props;
  const { api, client, dark, settings, face, report } = useApp();
  const { t } = useI18n();
  const host = useRef<HTMLDivElement>(null);
  const term = useRef<Terminal | null>(null);
  const fit = useRef<FitAddon | null>(null);
  const search = useRef<SearchAddon | null>(null);
  const searchInput = useRef<HTMLInputElement>(null);
  const [searching, setSearching] = useState(false);
  const [query, setQuery] = useState('');
  const [matches, setMatches] = useState<{ index: number; count: number }>();
  const tRef = useRef(t);
  tRef.current = t;
  const reportRef = useRef(report);
  reportRef.current = report;

  useEffect(() => {
    const element = host.current!;
    const t = new Terminal({
      fontFamily: "'DejaVu Sans Mono', 'Cascadia Mono', Menlo, Consolas, 'Liberation Mono', monospace",
      fontSize: settings.terminalFontSize,
      // At 1.0 the DOM renderer clips the underscores of some monospace fonts.
      lineHeight: 1.15,
      theme: dark ? DARK : LIGHT,
      scrollback: 5000,
      cursorBlink: true,
      allowProposedApi: true,
    });
    const f = new FitAddon();
    const s = new SearchAddon();
    t.loadAddon(f);
    t.loadAddon(s);
    // A link in the machine's output: browser mode opens it in a new tab (no opener, no
    // referrer); the desktop app opens no remote content, so it copies the link instead.
    t.loadAddon(new WebLinksAddon((_event, uri) => {
      if (face === 'browser') window.open(uri, '_blank', 'noopener,noreferrer');
      else void copyText(uri).then(() => reportRef.current(tRef.current('terminal.linkCopied', { url: uri })));
    }));
    t.attachCustomKeyEventHandler((e) => {
      const key = terminalKey(e);
      if (!key) return true;
      if (e.type !== 'keydown') return false;
      if (key === 'copy') {
        e.preventDefault();
        if (t.hasSelection()) void copyText(t.getSelection()).then(() => reportRef.current(tRef.current('terminal.copied')));
      } else if (key === 'find') {
        e.preventDefault();
        setSearching(true);
      }
      // Paste: the browser's own paste (Ctrl+Shift+V pastes plain text) reaches xterm.js's
      // textarea, which sends it to the machine as typed keys.
      return false;
    });
    s.onDidChangeResults((r) => setMatches(r.resultCount > 0 ? { index: r.resultIndex + 1, count: r.resultCount } : { index: 0, count: 0 }));
    t.open(element);
    term.current = t;
    fit.current = f;
    search.current = s;
    element.dataset.ready = 'false';

    let disposed = false;
    const stop = client.listen('terminal', 'output', session, (chunk) => {
      t.write(chunk.data, () => {
        if (!disposed) void api.terminal.ack(session, chunk.stream, chunk.data.length).catch(() => undefined);
      });
    });
    const typing = t.onData((data) => { void api.terminal.input(session, data).catch(() => undefined); });
    // The size the machine's tty gets (`stty size`), also on the element for anyone to read.
    const sized = (cols: number, rows: number) => {
      element.dataset.cols = String(cols);
      element.dataset.rows = String(rows);
      void api.terminal.resize(session, cols, rows).catch(() => undefined);
    };
    const resizing = t.onResize(({ cols, rows }) => sized(cols, rows));
    const refit = () => {
      if (element.clientWidth > 0 && element.clientHeight > 0) f.fit();
    };
    const observer = new ResizeObserver(refit);
    observer.observe(element);
    refit();
    sized(t.cols, t.rows);
    element.dataset.ready = 'true';
    t.focus();
    return () => {
      disposed = true;
      observer.disconnect();
      stop();
      typing.dispose();
      resizing.dispose();
      t.dispose();
      term.current = null;
    };
    // The terminal lives as long as the session; theme and font changes are applied below.
  }, [client, api, session, face]);

  useEffect(() => {
    const t = term.current;
    if (!t) return;
    t.options.theme = dark ? DARK : LIGHT;
    t.options.fontSize = settings.terminalFontSize;
    fit.current?.fit();
  }, [dark, settings.terminalFontSize]);

  useEffect(() => {
    if (searching) searchInput.current?.focus();
    else search.current?.clearDecorations();
  }, [searching]);

  useImperativeHandle(props.handle, () => ({
    focus: () => term.current?.focus(),
    openSearch: () => setSearching(true),
  }), []);

  const find = (direction: 'next' | 'previous', text = query) => {
    if (!text) { setMatches(undefined); return; }
    const options = { decorations: SEARCH_COLORS, incremental: direction === 'next' };
    if (direction === 'next') search.current?.findNext(text, options);
    else search.current?.findPrevious(text, options);
  };

  const closeSearch = () => {
    setSearching(false);
    setMatches(undefined);
    term.current?.focus();
  };

  return (
    <div className="terminal-pane">
      <div className="pane-title">
        <span>{t('terminal.title')}</span>
        <span className="muted">{props.title}</span>
        <span className="spacer" />
        {searching ? (
          <span className="term-search" role="search">
            <input
              ref={searchInput} value={query} placeholder={t('terminal.searchPlaceholder')} aria-label={t('terminal.search')}
              onChange={(e) => { setQuery(e.target.value); find('next', e.target.value); }}
              onKeyDown={(e) => {
                if (e.key === 'Enter') { e.preventDefault(); find(e.shiftKey ? 'previous' : 'next'); }
                if (e.key === 'Escape') { e.preventDefault(); closeSearch(); }
              }}
            />
            <span className="muted count">{matches ? `${matches.index}/${matches.count}` : ''}</span>
            <button className="icon small" title={t('terminal.previous')} aria-label={t('terminal.previous')} onClick={() => find('previous')}>↑</button>
            <button className="icon small" title={t('terminal.next')} aria-label={t('terminal.next')} onClick={() => find('next')}>↓</button>
            <button className="icon small" title={t('terminal.close')} aria-label={t('terminal.close')} onClick={closeSearch}>×</button>
          </span>
        ) : (
          <>
            <button className="small ghost" title={`${t('terminal.copy')} (${IS_MAC ? '⌘' : 'Ctrl'}+Shift+C)`}
              onClick={() => { const s = term.current?.getSelection(); if (s) void copyText(s).then(() => report(t('terminal.copied'))); term.current?.focus(); }}>{t('terminal.copyShort')}</button>
            <button className="small ghost" title={`${t('terminal.search')} (${IS_MAC ? '⌘' : 'Ctrl'}+Shift+F)`} onClick={() => setSearching(true)}>{t('terminal.searchShort')}</button>
          </>
        )}
      </div>
      <div className="terminal-host" ref={host} data-testid="terminal" />
    </div>
  );
}
