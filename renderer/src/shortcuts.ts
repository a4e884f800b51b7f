// The app's keyboard shortcuts: one table for the key handler, the tooltips and the help list.
// Ctrl on Linux and Windows is Cmd on macOS, as in every editor.
import type { MessageKey } from './i18n';

export const IS_MAC = /Mac|iPhone|iPad/.test(navigator.platform || navigator.userAgent);

export type ShortcutId = 'build' | 'check' | 'terminal' | 'editor' | 'settings' | 'help';

export interface Shortcut {
  label: MessageKey;
  /** As shown: "Ctrl+Shift+B". */
  keys: string;
}

interface Binding extends Shortcut {
  id: ShortcutId;
  matches(e: KeyboardEvent): boolean;
}

const mod = (e: KeyboardEvent) => (IS_MAC ? e.metaKey && !e.ctrlKey : e.ctrlKey && !e.metaKey);
const MOD = IS_MAC ? '⌘' : 'Ctrl';

const BINDINGS: Binding[] = [
  { id: 'build', label: 'sc.build', keys: `${MOD}+Shift+B`, matches: (e) => mod(e) && e.shiftKey && !e.altKey && e.code === 'KeyB' },
  { id: 'check', label: 'sc.check', keys: `${MOD}+Shift+Enter`, matches: (e) => mod(e) && e.shiftKey && !e.altKey && e.key === 'Enter' },
  { id: 'terminal', label: 'sc.terminal', keys: `${MOD}+\``, matches: (e) => mod(e) && !e.shiftKey && !e.altKey && e.code === 'Backquote' },
  { id: 'editor', label: 'sc.editor', keys: `${MOD}+Shift+E`, matches: (e) => mod(e) && e.shiftKey && !e.altKey && e.code === 'KeyE' },
  { id: 'settings', label: 'sc.settings', keys: `${MOD}+,`, matches: (e) => mod(e) && !e.shiftKey && !e.altKey && e.key === ',' },
  { id: 'help', label: 'sc.help', keys: 'F1', matches: (e) => e.key === 'F1' && !e.ctrlKey && !e.metaKey && !e.altKey },
];

/** Keys the editor and the terminal handle themselves, listed in the help. */
export const OTHER_KEYS: Shortcut[] = [
  { label: 'sc.save', keys: `${MOD}+S` },
  { label: 'sc.findEditor', keys: `${MOD}+F` },
  { label: 'sc.copy', keys: `${MOD}+Shift+C` },
  { label: 'sc.paste', keys: `${MOD}+Shift+V` },
  { label: 'sc.find', keys: `${MOD}+Shift+F` },
  { label: 'sc.close', keys: 'Esc' },
];

export const APP_SHORTCUTS: readonly Shortcut[] = BINDINGS;

export function shortcutFor(e: KeyboardEvent): ShortcutId | undefined {
  return BINDINGS.find((b) => b.matches(e))?.id;
}

export function keysOf(id: ShortcutId): string {
  return BINDINGS.find((b) => b.id === id)!.keys;
}

/** Ctrl+Shift+C / V / F inside the terminal (a terminal's Ctrl+C is ^C). */
export function terminalKey(e: KeyboardEvent): 'copy' | 'paste' | 'find' | undefined {
  if (!mod(e) || !e.shiftKey || e.altKey) return undefined;
  return e.code === 'KeyC' ? 'copy' : e.code === 'KeyV' ? 'paste' : e.code === 'KeyF' ? 'find' : undefined;
}
