// The workspace editor: CodeMirror 6 with C highlighting, a tab per text file of the lab's
// workspace (/home/lab in the machine), Ctrl+S (Cmd+S) to save. A saved file is on the host
// disk before the call returns, so `cat` in the terminal shows it at once.
import { useCallback, useEffect, useRef, useState } from 'react';
import { EditorState, type Extension } from '@codemirror/state';
import { EditorView, keymap, lineNumbers, highlightActiveLine, highlightActiveLineGutter, drawSelection } from '@codemirror/view';
import { defaultKeymap, history, historyKeymap, indentWithTab } from '@codemirror/commands';
import { bracketMatching, indentOnInput, syntaxHighlighting, HighlightStyle, StreamLanguage } from '@codemirror/language';
import { searchKeymap, highlightSelectionMatches } from '@codemirror/search';
import { cpp } from '@codemirror/lang-cpp';
import { tags } from '@lezer/highlight';
import type { Services, WorkspaceEntry } from '../../../main/ipc/common/contract';

interface OpenFile {
  path: string;
  state: EditorState;
  /** The document as last saved (or loaded). */
  saved: string;
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

/** Sources first (C, headers, Makefile), then everything else, each alphabetically. */
function rank(path: string): number {
  if (/\.[ch]$/.test(path)) return 0;
  if (/(^|\/)(Makefile|Kbuild)$/.test(path)) return 1;
  return 2;
}

export function EditorPane(props: { api: Services; session: string; fontSize: number; onSaved?: (path: string) => void; onMessage: (text: string) => void }) {
  const { api, session, onMessage } = props;
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  const files = useRef(new Map<string, OpenFile>());
  const [entries, setEntries] = useState<WorkspaceEntry[]>([]);
  const [active, setActive] = useState<string | undefined>();
  const [dirty, setDirty] = useState<ReadonlySet<string>>(new Set());
  const [newName, setNewName] = useState<string | undefined>();
  const activeRef = useRef<string | undefined>(undefined);
  activeRef.current = active;

  const markDirty = useCallback(() => {
    const now = new Set<string>();
    for (const f of files.current.values()) if (f.state.doc.toString() !== f.saved) now.add(f.path);
    setDirty(now);
  }, []);

  const save = useCallback(async () => {
    const path = activeRef.current;
    const v = view.current;
    if (!path || !v) return;
    const file = files.current.get(path)!;
    file.state = v.state;
    const content = v.state.doc.toString();
    try {
      const saved = await api.workspace.write(session, path, content);
      file.saved = content;
      markDirty();
      onMessage(`Saved ${saved.path} (${saved.size} bytes) to /home/lab/${saved.path}`);
      props.onSaved?.(path);
    } catch (e) {
      onMessage(`Could not save ${path}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }, [api, session, markDirty, onMessage, props]);
  const saveRef = useRef(save);
  saveRef.current = save;

  const extensions = useCallback((path: string): Extension[] => [
    lineNumbers(),
    highlightActiveLineGutter(),
    history(),
    drawSelection(),
    indentOnInput(),
    bracketMatching(),
    highlightActiveLine(),
    highlightSelectionMatches(),
    syntaxHighlighting(highlight),
    EditorState.tabSize.of(8),
    languageFor(path),
    keymap.of([
      { key: 'Mod-s', preventDefault: true, run: () => { void saveRef.current(); return true; } },
      indentWithTab,
      ...defaultKeymap,
      ...historyKeymap,
      ...searchKeymap,
    ]),
    EditorView.updateListener.of((u) => {
      if (u.docChanged) {
        const f = activeRef.current && files.current.get(activeRef.current);
        if (f) f.state = u.state;
        markDirty();
      }
    }),
  ], [markDirty]);

  const refresh = useCallback(async () => {
    try {
      const list = (await api.workspace.list(session)).filter((e) => e.text);
      list.sort((a, b) => rank(a.path) - rank(b.path) || (a.path < b.path ? -1 : 1));
      setEntries(list);
      return list;
    } catch (e) {
      onMessage(`Cannot list the workspace: ${e instanceof Error ? e.message : String(e)}`);
      return [];
    }
  }, [api, session, onMessage]);

  const open = useCallback(async (path: string) => {
    let file = files.current.get(path);
    if (!file) {
      try {
        const text = await api.workspace.read(session, path);
        file = { path, saved: text, state: EditorState.create({ doc: text, extensions: extensions(path) }) };
        files.current.set(path, file);
      } catch (e) {
        onMessage(`Cannot open ${path}: ${e instanceof Error ? e.message : String(e)}`);
        return;
      }
    }
    const current = activeRef.current && files.current.get(activeRef.current);
    if (current && view.current) current.state = view.current.state;
    setActive(path);
    if (!view.current) view.current = new EditorView({ state: file.state, parent: host.current! });
    else view.current.setState(file.state);
    view.current.focus();
  }, [api, session, extensions, onMessage]);

  useEffect(() => {
    let cancelled = false;
    files.current.clear();
    setActive(undefined);
    void refresh().then((list) => {
      if (!cancelled && list[0]) void open(list[0].path);
    });
    return () => {
      cancelled = true;
      view.current?.destroy();
      view.current = null;
    };
  }, [refresh, open]);

  const createFile = async (name: string) => {
    setNewName(undefined);
    const path = name.trim();
    if (!path) return;
    try {
      await api.workspace.write(session, path, '');
      await refresh();
      await open(path);
    } catch (e) {
      onMessage(`Cannot create ${path}: ${e instanceof Error ? e.message : String(e)}`);
    }
  };

  return (
    <div className="editor" style={{ fontSize: props.fontSize }}>
      <div className="tabs" role="tablist">
        {entries.map((e) => (
          <button key={e.path} role="tab" aria-selected={e.path === active} className={e.path === active ? 'tab active' : 'tab'} onClick={() => void open(e.path)} title={`/home/lab/${e.path}`}>
            {e.path}{dirty.has(e.path) ? <span className="dirty" aria-label="modified"> ●</span> : null}
          </button>
        ))}
        {newName === undefined ? (
          <button className="tab add" title="New file in /home/lab" onClick={() => setNewName('')}>+</button>
        ) : (
          <input
            className="new-file" autoFocus placeholder="name.c" value={newName} aria-label="New file name"
            onChange={(e) => setNewName(e.target.value)}
            onKeyDown={(e) => { if (e.key === 'Enter') void createFile(newName); if (e.key === 'Escape') setNewName(undefined); }}
            onBlur={() => setNewName(undefined)}
          />
        )}
        <span className="spacer" />
        <button className="small" disabled={!active} onClick={() => void save()} title="Save (Ctrl+S)">Save</button>
      </div>
      <div className="editor-host" ref={host} data-testid="editor" />
      {entries.length === 0 && <div className="editor-empty">No files in /home/lab yet. Press <b>+</b> to create one, or write one from the terminal.</div>}
    </div>
  );
}
