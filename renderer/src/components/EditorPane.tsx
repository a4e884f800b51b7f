// The workspace editor: CodeMirror 6 with C highlighting, a tab per source file of the lab's
// workspace (/home/lab in the machine; build products are left out), Ctrl+S (Cmd+S) to save,
// TODO markers highlighted, and the last build's diagnostics as lint markers on their file and
// line. A saved file is on the host disk before the call returns, so `cat` in the terminal
// shows it at once; a file the machine changes (make, sed, a restore) is reloaded unless it has
// unsaved edits.
import { useCallback, useEffect, useImperativeHandle, useMemo, useRef, useState, type Ref } from 'react';
import { EditorSelection, EditorState, type Extension, type Text } from '@codemirror/state';
import { Decoration, EditorView, MatchDecorator, ViewPlugin, drawSelection, highlightActiveLine, highlightActiveLineGutter, keymap, lineNumbers, type DecorationSet, type ViewUpdate } from '@codemirror/view';
import { defaultKeymap, history, historyKeymap, indentWithTab } from '@codemirror/commands';
import { bracketMatching, indentOnInput, syntaxHighlighting, HighlightStyle, StreamLanguage } from '@codemirror/language';
import { searchKeymap, highlightSelectionMatches } from '@codemirror/search';
import { lintGutter, setDiagnostics, type Diagnostic } from '@codemirror/lint';
import { cpp } from '@codemirror/lang-cpp';
import { tags } from '@lezer/highlight';
import type { BuildDiagnostic, WorkspaceEntry } from '../../../main/ipc/common/contract';
import { useApp, why } from '../app-context';
import { useI18n } from '../i18n';
import { keysOf } from '../shortcuts';

export interface EditorHandle {
  /** Saves every file with unsaved edits; false when one could not be saved. */
  saveAll(): Promise<boolean>;
  focus(): void;
  /** Opens `file` and puts the cursor on `line` (1-based) and `column` (bytes, 1-based). */
  reveal(file: string, line?: number, column?: number): Promise<void>;
  /** Looks for files added, removed or changed in the workspace. */
  refresh(): Promise<void>;
}

interface OpenFile {
  path: string;
  state: EditorState;
  /** The document as last saved (or loaded). */
  saved: string;
  /** The file's modification time when loaded or saved. */
  mtimeMs?: number;
}

const highlight = HighlightStyle.define([
  { tag: tags.keyword, color: 'var(--syn-keyword)' },
  { tag: [tags.typeName, tags.standard(tags.typeName)], color: 'var(--syn-type)' },
  { tag: [tags.string, tags.character], color: 'var(--syn-string)' },
  { tag: tags.number, color: 'var(--syn-number)' },
  { tag: [tags.comment, tags.lineComment, tags.blockComment], color: 'var(--syn-comment)', fontStyle: 'italic' },
  { tag: [tags.processingInstruction, tags.meta], color: 'var(--syn-macro)' },
  { tag: [tags.function(tags.variableName), tags.function(tags.definition(tags.variableName))], color: 'var(--syn-function)' },
  { tag: [tags.macroName], color: 'var(--syn-macro)' },
  { tag: [tags.operator], color: 'var(--syn-operator)' },
]);

/** Makefiles: comments, variables and targets; recipes keep their TABs. */
const makefile = StreamLanguage.define<object>({
  token(stream) {
    if (stream.sol() && stream.match(/^[\w.%$()/-]+(?=\s*:)/)) return 'def';
    if (stream.match(/^#.*/)) return 'comment';
    if (stream.match(/^\$\(?[\w@<^]+\)?/)) return 'variableName';
    if (stream.match(/^[:+?]?=/)) return 'operator';
    stream.next();
    return null;
  },
  startState: () => ({}),
});

function languageFor(path: string): Extension {
  const name = path.split('/').pop()!;
  if (/\.(c|h|cc|cpp)$/.test(name)) return cpp();
  if (name === 'Makefile' || name === 'Kbuild' || name.endsWith('.mk')) return makefile;
  return [];
}

/** "TODO 3:" markers of the lab format (and plain TODOs), with their line. */
const todoMarks = new MatchDecorator({ regexp: /\bTODO\b(?:\s+\d+)?:?/g, decoration: Decoration.mark({ class: 'cm-todo' }) });
const todoLine = Decoration.line({ class: 'cm-todo-line' });
const todoLines = new MatchDecorator({
  regexp: /\bTODO\b/g,
  decorate: (add, from, _to, _match, view) => {
    const line = view.state.doc.lineAt(from);
    add(line.from, line.from, todoLine);
  },
});
const todoHighlight = ViewPlugin.fromClass(class {
  marks: DecorationSet;
  lines: DecorationSet;
  constructor(view: EditorView) {
    this.marks = todoMarks.createDeco(view);
    this.lines = todoLines.createDeco(view);
  }
  update(u: ViewUpdate) {
    this.marks = todoMarks.updateDeco(u, this.marks);
    this.lines = todoLines.updateDeco(u, this.lines);
  }
}, { provide: (p) => [EditorView.decorations.of((v) => v.plugin(p)?.marks ?? Decoration.none), EditorView.decorations.of((v) => v.plugin(p)?.lines ?? Decoration.none)] });

/** kbuild's and gcc's products: not sources the learner edits. */
export function isBuildOutput(path: string): boolean {
  return /\.(o|ko|mod|mod\.c|mod\.o|a|so|d)$/.test(path) || /(^|\/)(modules\.order|Module\.symvers)$/.test(path);
}

/** Sources first (C, headers, Makefile), then everything else, each alphabetically. */
function rank(path: string): number {
  if (/\.[ch]$/.test(path)) return 0;
  if (/(^|\/)(Makefile|Kbuild)$/.test(path)) return 1;
  return 2;
}

/** Offset in `text`'s line `line` of byte column `column` (clang counts bytes, CodeMirror UTF-16 units). */
function positionOf(doc: Text, line: number, column?: number): { from: number; to: number } {
  const l = doc.line(Math.min(Math.max(line, 1), doc.lines));
  if (column === undefined) return { from: l.from, to: l.to };
  const encoder = new TextEncoder();
  let bytes = 0;
  let offset = 0;
  while (offset < l.text.length && bytes < column - 1) {
    const cp = l.text.codePointAt(offset)!;
    bytes += encoder.encode(String.fromCodePoint(cp)).length;
    offset += cp > 0xffff ? 2 : 1;
  }
  // Past the end of the line ("expected ';'" after the last token): the token before it is
  // what gets underlined, which a learner sees better than a point.
  const rest = l.text.slice(offset);
  if (rest.trim() === '' && l.text.trim() !== '') {
    const before = l.text.slice(0, offset).replace(/\s+$/, '');
    const word = /(?:[\w$]+|\S)$/.exec(before)!;
    return { from: l.from + before.length - word[0].length, to: l.from + before.length };
  }
  // Else the word at the column (clang's caret), or one character.
  const from = l.from + offset;
  const word = /^[\w$]+/.exec(rest);
  return { from, to: Math.min(l.to, from + (word ? word[0].length : 1)) };
}

function lintDiagnostics(doc: Text, diagnostics: readonly BuildDiagnostic[], file: string): Diagnostic[] {
  return diagnostics.filter((d) => d.file === file && d.line !== undefined).map((d) => ({
    ...positionOf(doc, d.line!, d.column),
    severity: d.severity === 'note' ? 'info' : d.severity,
    message: d.message,
    source: d.column !== undefined ? `${d.file}:${d.line}:${d.column}` : `${d.file}:${d.line}`,
  }));
}

export function EditorPane(props: { session: string; diagnostics: readonly BuildDiagnostic[]; handle: Ref<EditorHandle> }) {
  const { session, diagnostics } = props;
  const { api, client, report, settings } = useApp();
  const { t } = useI18n();
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  const files = useRef(new Map<string, OpenFile>());
  const [entries, setEntries] = useState<WorkspaceEntry[]>([]);
  const [active, setActive] = useState<string | undefined>();
  const [dirty, setDirty] = useState<ReadonlySet<string>>(new Set());
  const [newName, setNewName] = useState<string | undefined>();
  const activeRef = useRef<string | undefined>(undefined);
  activeRef.current = active;
  const diagnosticsRef = useRef(diagnostics);
  diagnosticsRef.current = diagnostics;
  // Messages go through a ref: a language change must not rebuild the callbacks (and with
  // them the editor, unsaved edits and all).
  const sayRef = useRef((text: string) => report(text));
  sayRef.current = (text: string) => report(text);
  const tRef = useRef(t);
  tRef.current = t;
  const say = useCallback((key: Parameters<typeof t>[0], params?: Parameters<typeof t>[1]) => sayRef.current(tRef.current(key, params)), []);

  const markDirty = useCallback(() => {
    const now = new Set<string>();
    for (const f of files.current.values()) if (f.state.doc.toString() !== f.saved) now.add(f.path);
    setDirty(now);
  }, []);

  /** The current state of `path`: the view's when it is the file shown. */
  const stateOf = (file: OpenFile) => (file.path === activeRef.current && view.current ? view.current.state : file.state);

  const saveFile = useCallback(async (path: string): Promise<boolean> => {
    const file = files.current.get(path);
    if (!file) return true;
    file.state = stateOf(file);
    const content = file.state.doc.toString();
    try {
      const saved = await api.workspace.write(session, path, content);
      file.saved = content;
      file.mtimeMs = undefined;
      markDirty();
      say('editor.saved', { path: saved.path, size: saved.size });
      return true;
    } catch (e) {
      say('editor.saveFailed', { path, why: why(e) });
      return false;
    }
  }, [api, session, markDirty, say]);

  const saveRef = useRef(saveFile);
  saveRef.current = saveFile;

  const extensions = useCallback((path: string): Extension[] => [
    lineNumbers(),
    lintGutter(),
    highlightActiveLineGutter(),
    history(),
    drawSelection(),
    indentOnInput(),
    bracketMatching(),
    highlightActiveLine(),
    highlightSelectionMatches(),
    syntaxHighlighting(highlight),
    todoHighlight,
    EditorState.tabSize.of(8),
    languageFor(path),
    keymap.of([
      { key: 'Mod-s', preventDefault: true, run: () => { if (activeRef.current) void saveRef.current(activeRef.current); return true; } },
      indentWithTab,
      ...defaultKeymap,
      ...historyKeymap,
      ...searchKeymap,
    ]),
    EditorView.updateListener.of((u) => {
      // Every update (diagnostics too), so switching tabs never brings back an older state.
      const f = activeRef.current && files.current.get(activeRef.current);
      if (f) f.state = u.state;
      if (u.docChanged) markDirty();
    }),
  ], [markDirty]);

  /** A new state for `path` holding `text`, with the last build's markers. */
  const createState = useCallback((path: string, text: string) => {
    const state = EditorState.create({ doc: text, extensions: extensions(path) });
    return state.update(setDiagnostics(state, lintDiagnostics(state.doc, diagnosticsRef.current, path))).state;
  }, [extensions]);

  const show = useCallback((path: string) => {
    const file = files.current.get(path)!;
    const current = activeRef.current && files.current.get(activeRef.current);
    if (current === file && view.current) return;
    if (current && view.current) current.state = view.current.state;
    activeRef.current = path;
    setActive(path);
    if (!view.current) view.current = new EditorView({ state: file.state, parent: host.current! });
    else view.current.setState(file.state);
  }, []);

  const open = useCallback(async (path: string, mtimeMs?: number): Promise<boolean> => {
    if (!files.current.has(path)) {
      try {
        const text = await api.workspace.read(session, path);
        files.current.set(path, { path, saved: text, state: createState(path, text), mtimeMs });
      } catch (e) {
        say('editor.openFailed', { path, why: why(e) });
        return false;
      }
    }
    show(path);
    return true;
  }, [api, session, createState, show, say]);

  /** The file list again; open files the machine changed are reloaded (or reported, when edited here). */
  const refresh = useCallback(async (): Promise<WorkspaceEntry[]> => {
    let list: WorkspaceEntry[];
    try {
      list = (await api.workspace.list(session)).filter((e) => e.text && !isBuildOutput(e.path));
    } catch (e) {
      say('editor.listFailed', { why: why(e) });
      return [];
    }
    list.sort((a, b) => rank(a.path) - rank(b.path) || (a.path < b.path ? -1 : 1));
    setEntries((old) => (JSON.stringify(old) === JSON.stringify(list) ? old : list));
    for (const entry of list) {
      const file = files.current.get(entry.path);
      if (!file || entry.mtimeMs === undefined) continue;
      if (file.mtimeMs === undefined) { file.mtimeMs = entry.mtimeMs; continue; }
      if (file.mtimeMs === entry.mtimeMs) continue;
      file.mtimeMs = entry.mtimeMs;
      const text = await api.workspace.read(session, entry.path).catch(() => undefined);
      if (text === undefined || text === file.saved) continue;
      const state = stateOf(file);
      if (state.doc.toString() !== file.saved) { say('editor.changedOnDisk', { path: entry.path }); continue; }
      file.saved = text;
      const update = state.update({ changes: { from: 0, to: state.doc.length, insert: text } });
      if (entry.path === activeRef.current && view.current) view.current.dispatch(update);
      else file.state = update.state;
      say('editor.reloaded', { path: entry.path });
    }
    markDirty();
    return list;
  }, [api, session, say, markDirty]);

  useEffect(() => {
    let cancelled = false;
    files.current.clear();
    setActive(undefined);
    activeRef.current = undefined;
    void refresh().then((list) => {
      const first = list.find((e) => rank(e.path) === 0) ?? list[0];
      if (!cancelled && first) void open(first.path, first.mtimeMs);
    });
    // A restore writes files behind the editor's back; the machine does too (make, sed, cp).
    const stop = client.listen('workspace', 'changed', session, () => void refresh());
    const poll = window.setInterval(() => { if (document.visibilityState === 'visible') void refresh(); }, 3000);
    return () => {
      cancelled = true;
      stop();
      window.clearInterval(poll);
      view.current?.destroy();
      view.current = null;
    };
  }, [client, session, refresh, open]);

  // A new build's diagnostics replace the last ones in every open file.
  useEffect(() => {
    for (const file of files.current.values()) {
      const state = stateOf(file);
      const spec = setDiagnostics(state, lintDiagnostics(state.doc, diagnostics, file.path));
      if (file.path === activeRef.current && view.current) view.current.dispatch(spec);
      else file.state = state.update(spec).state;
    }
  }, [diagnostics]);

  useImperativeHandle(props.handle, () => ({
    async saveAll() {
      let ok = true;
      for (const file of files.current.values()) {
        if (stateOf(file).doc.toString() !== file.saved) ok = (await saveFile(file.path)) && ok;
      }
      return ok;
    },
    focus() { view.current?.focus(); },
    async reveal(file, line, column) {
      if (!(await open(file))) return;
      const v = view.current;
      if (!v || line === undefined) { v?.focus(); return; }
      const { from } = positionOf(v.state.doc, line, column);
      v.dispatch({ selection: EditorSelection.cursor(from), effects: EditorView.scrollIntoView(from, { y: 'center' }) });
      v.focus();
    },
    async refresh() { await refresh(); },
  }), [saveFile, open, refresh]);

  const createFile = async (name: string) => {
    setNewName(undefined);
    const path = name.trim().replace(/^\/home\/lab\//, '');
    if (!path) return;
    try {
      if (!entries.some((e) => e.path === path)) await api.workspace.write(session, path, '');
      await refresh();
      await open(path);
      view.current?.focus();
    } catch (e) {
      say('editor.saveFailed', { path, why: why(e) });
    }
  };

  const problemCount = useMemo(() => {
    const counts = new Map<string, number>();
    for (const d of diagnostics) if (d.file && d.severity === 'error') counts.set(d.file, (counts.get(d.file) ?? 0) + 1);
    return counts;
  }, [diagnostics]);

  return (
    <div className="editor" style={{ fontSize: settings.fontSize }}>
      <div className="tabs" role="tablist">
        {entries.map((e) => (
          <button key={e.path} role="tab" aria-selected={e.path === active} className={e.path === active ? 'tab active' : 'tab'} onClick={() => void open(e.path, e.mtimeMs)} title={`/home/lab/${e.path}`}>
            {e.path}
            {problemCount.get(e.path) ? <span className="tab-errors" aria-label="errors">{problemCount.get(e.path)}</span> : null}
            {dirty.has(e.path) ? <span className="dirty" aria-label="modified"> ●</span> : null}
          </button>
        ))}
        {newName === undefined ? (
          <button className="tab add" title={t('editor.newFile')} aria-label={t('editor.newFile')} onClick={() => setNewName('')}>+</button>
        ) : (
          <input
            className="new-file" autoFocus placeholder={t('editor.newFilePlaceholder')} value={newName} aria-label={t('editor.newFile')}
            onChange={(e) => setNewName(e.target.value)}
            onKeyDown={(e) => { if (e.key === 'Enter') void createFile(newName); if (e.key === 'Escape') setNewName(undefined); }}
            onBlur={() => setNewName(undefined)}
          />
        )}
        <span className="spacer" />
        <span className="tab-hint" title={t('sc.editor')}>{keysOf('editor')}</span>
      </div>
      <div className="editor-host" ref={host} data-testid="editor" />
      {entries.length === 0 && <div className="editor-empty">{t('editor.empty')}</div>}
    </div>
  );
}
