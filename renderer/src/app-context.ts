// What every page of the app shares: the contract, the learner's settings, the message line.
import { createContext, useContext } from 'react';
import type { SettingKey, Services, Settings } from '../../main/ipc/common/contract';
import type { IpcClient } from '../../main/ipc/common/protocol';

export interface AppContextValue {
  api: Services;
  client: IpcClient;
  face: 'electron' | 'browser';
  settings: Settings;
  changeSetting(key: SettingKey, value: string | number): void;
  dark: boolean;
  /** Shows `text` in the status line. */
  report(text: string): void;
}

export const AppContext = createContext<AppContextValue | null>(null);

export function useApp(): AppContextValue {
  const value = useContext(AppContext);
  if (!value) throw new Error('useApp outside <AppContext>');
  return value;
}

/** An error's message, for the learner. */
export function why(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
