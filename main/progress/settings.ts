// The learner's settings: what each one accepts and its default. Values are validated here,
// on the way in from the UI, the CLI and imported documents alike.

export interface Settings {
  /** Language of the UI and the lab texts. */
  language: 'en' | 'ko';
  theme: 'system' | 'light' | 'dark';
  /** The editor's font size, in CSS pixels. */
  fontSize: number;
  /** The terminal's font size, in CSS pixels. */
  terminalFontSize: number;
  /**
   * The virtual console's log level (console_loglevel, as `dmesg -n` sets it): kernel messages
   * with a level numerically below it reach the terminal. 1 shows only emergencies, 8 everything.
   */
  consoleLogLevel: number;
}

export type SettingKey = keyof Settings;

export const DEFAULT_SETTINGS: Readonly<Settings> = Object.freeze({
  language: 'en',
  theme: 'system',
  fontSize: 14,
  terminalFontSize: 14,
  // What the machine sets once userspace is up, as distributions do (kernel.printk = 4 4 1 7):
  // KERN_INFO messages go to dmesg, not the terminal, as the tutorials expect.
  consoleLogLevel: 4,
});

export class SettingError extends Error {}

function oneOf<T extends string>(key: string, allowed: readonly T[]) {
  return (v: unknown): T => {
    if (typeof v === 'string' && (allowed as readonly string[]).includes(v)) return v as T;
    throw new SettingError(`${key} must be one of ${allowed.map((a) => `'${a}'`).join(', ')}, not ${JSON.stringify(v)}`);
  };
}

function integerIn(key: string, min: number, max: number) {
  return (v: unknown): number => {
    if (typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max) return v;
    throw new SettingError(`${key} must be a whole number from ${min} to ${max}, not ${JSON.stringify(v)}`);
  };
}

const VALIDATORS: { [K in SettingKey]: (v: unknown) => Settings[K] } = {
  language: oneOf('language', ['en', 'ko']),
  theme: oneOf('theme', ['system', 'light', 'dark']),
  fontSize: integerIn('fontSize', 8, 32),
  terminalFontSize: integerIn('terminalFontSize', 8, 32),
  consoleLogLevel: integerIn('consoleLogLevel', 1, 8),
};

export function isSettingKey(key: string): key is SettingKey {
  return Object.prototype.hasOwnProperty.call(VALIDATORS, key);
}

/** The value if `key` accepts it; a SettingError saying what it accepts otherwise. */
export function validateSetting<K extends SettingKey>(key: K, value: unknown): Settings[K];
export function validateSetting(key: string, value: unknown): unknown;
export function validateSetting(key: string, value: unknown): unknown {
  if (!isSettingKey(key)) throw new SettingError(`unknown setting '${key}' (known: ${Object.keys(VALIDATORS).join(', ')})`);
  return VALIDATORS[key](value);
}
