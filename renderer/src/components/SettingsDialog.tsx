// Settings, stored in the progress store (they follow the learner across reloads, windows and
// the CLI): language, theme, the editor's and the terminal's font sizes, and the machine's
// console log level (dmesg -n), applied to running machines at once.
import type { Settings } from '../../../main/ipc/common/contract';
import { useApp } from '../app-context';
import { useI18n } from '../i18n';
import { Dialog } from './Dialog';

const LEVELS = ['KERN_EMERG', 'KERN_ALERT', 'KERN_CRIT', 'KERN_ERR', 'KERN_WARNING', 'KERN_NOTICE', 'KERN_INFO', 'KERN_DEBUG'];

function FontSize(props: { id: string; label: string; value: number; onChange(n: number): void }) {
  return (
    <div className="field">
      <label htmlFor={props.id}>{props.label}</label>
      <span className="stepper">
        <button className="small" aria-label={`${props.label} −`} disabled={props.value <= 8} onClick={() => props.onChange(props.value - 1)}>−</button>
        <input id={props.id} type="number" min={8} max={32} value={props.value}
          onChange={(e) => { const n = Number(e.target.value); if (Number.isInteger(n) && n >= 8 && n <= 32) props.onChange(n); }} />
        <button className="small" aria-label={`${props.label} +`} disabled={props.value >= 32} onClick={() => props.onChange(props.value + 1)}>+</button>
      </span>
    </div>
  );
}

export function SettingsDialog(props: { onClose(): void }) {
  const { settings, changeSetting } = useApp();
  const { t } = useI18n();
  const choice = <K extends 'language' | 'theme'>(key: K, options: [Settings[K], string][]) => (
    <div className="segmented" role="radiogroup" aria-label={t(`settings.${key}`)}>
      {options.map(([value, label]) => (
        <button key={value} role="radio" aria-checked={settings[key] === value} className={settings[key] === value ? 'on' : ''} onClick={() => changeSetting(key, value)}>{label}</button>
      ))}
    </div>
  );
  return (
    <Dialog title={t('settings.title')} onClose={props.onClose} testId="settings">
      <div className="field"><span>{t('settings.language')}</span>{choice('language', [['en', 'English'], ['ko', '한국어']])}</div>
      <div className="field"><span>{t('settings.theme')}</span>{choice('theme', [['system', t('theme.system')], ['light', t('theme.light')], ['dark', t('theme.dark')]])}</div>
      <FontSize id="editor-font" label={t('settings.editorFont')} value={settings.fontSize} onChange={(n) => changeSetting('fontSize', n)} />
      <FontSize id="terminal-font" label={t('settings.terminalFont')} value={settings.terminalFontSize} onChange={(n) => changeSetting('terminalFontSize', n)} />
      <div className="field">
        <label htmlFor="log-level">{t('settings.logLevel')}</label>
        <select id="log-level" value={settings.consoleLogLevel} onChange={(e) => changeSetting('consoleLogLevel', Number(e.target.value))}>
          {LEVELS.map((_, i) => (
            <option key={i + 1} value={i + 1}>{t('settings.logLevelOption', { n: i + 1, levels: i === 0 ? LEVELS[0]! : `${LEVELS[0]} … ${LEVELS[i]}` })}</option>
          ))}
        </select>
      </div>
      <p className="help-text muted">{t('settings.logLevelHelp')}</p>
    </Dialog>
  );
}
