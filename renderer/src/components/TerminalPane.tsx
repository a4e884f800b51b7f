// The machine's console in xterm.js. Output arrives in batches from the core and each batch is
// acknowledged once xterm.js has drawn it (write's callback): the core never sends more than a
// window ahead of the screen, so a printk flood cannot bury what the user types (style.md).
import { useEffect, useRef } from 'react';
import { Terminal } from '@xterm/xterm';
import { FitAddon } from '@xterm/addon-fit';
import '@xterm/xterm/css/xterm.css';
import type { IpcClient } from '../../../main/ipc/common/protocol';
import type { Services } from '../../../main/ipc/common/contract';

export interface TerminalTheme {
  dark: boolean;
  fontSize: number;
}

const DARK = {
  background: '#0d1117', foreground: '#d6dde6', cursor: '#7ee787', selectionBackground: '#264f78',
  scrollbarSliderBackground: 'rgba(139, 148, 158, 0.18)', scrollbarSliderHoverBackground: 'rgba(139, 148, 158, 0.32)', scrollbarSliderActiveBackground: 'rgba(139, 148, 158, 0.45)',
};
const LIGHT = {
  background: '#fbfbfa', foreground: '#1f2328', cursor: '#1a7f37', selectionBackground: '#b6d7ff',
  scrollbarSliderBackground: 'rgba(101, 109, 118, 0.18)', scrollbarSliderHoverBackground: 'rgba(101, 109, 118, 0.32)', scrollbarSliderActiveBackground: 'rgba(101, 109, 118, 0.45)',
};

export function TerminalPane(props: { client: IpcClient; api: Services; session: string; theme: TerminalTheme; focusKey: number }) {
  const { client, api, session } = props;
  const host = useRef<HTMLDivElement>(null);
  const term = useRef<Terminal | null>(null);
  const fit = useRef<FitAddon | null>(null);

  useEffect(() => {
    const element = host.current!;
    const t = new Terminal({
      fontFamily: "'DejaVu Sans Mono', 'Cascadia Mono', Menlo, Consolas, 'Liberation Mono', monospace",
      fontSize: props.theme.fontSize,
      // At 1.0 the DOM renderer clips the underscores of some monospace fonts.
      lineHeight: 1.15,
      theme: props.theme.dark ? DARK : LIGHT,
      scrollback: 5000,
      cursorBlink: true,
      allowProposedApi: false,
    });
    const f = new FitAddon();
    t.loadAddon(f);
    t.open(element);
    term.current = t;
    fit.current = f;
    element.dataset.ready = 'false';

    let disposed = false;
    const stop = client.listen('terminal', 'output', session, (chunk) => {
      t.write(chunk.data, () => {
        if (!disposed) void api.terminal.ack(session, chunk.stream, chunk.data.length).catch(() => undefined);
      });
    });
    const typing = t.onData((data) => { void api.terminal.input(session, data).catch(() => undefined); });
    const resizing = t.onResize(({ cols, rows }) => { void api.terminal.resize(session, cols, rows).catch(() => undefined); });
    const refit = () => {
      if (element.clientWidth > 0 && element.clientHeight > 0) f.fit();
    };
    const observer = new ResizeObserver(refit);
    observer.observe(element);
    refit();
    void api.terminal.resize(session, t.cols, t.rows).catch(() => undefined);
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
    // The terminal lives as long as the session; theme changes are applied below.
  }, [client, api, session]);

  useEffect(() => {
    const t = term.current;
    if (!t) return;
    t.options.theme = props.theme.dark ? DARK : LIGHT;
    t.options.fontSize = props.theme.fontSize;
    fit.current?.fit();
  }, [props.theme.dark, props.theme.fontSize]);

  useEffect(() => {
    if (props.focusKey) term.current?.focus();
  }, [props.focusKey]);

  return <div className="terminal-host" ref={host} data-testid="terminal" />;
}
