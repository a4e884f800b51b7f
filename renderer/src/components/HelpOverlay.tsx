// The keyboard shortcuts, from the same table the key handler uses.
import { useI18n } from '../i18n';
import { APP_SHORTCUTS, OTHER_KEYS } from '../shortcuts';
import { Dialog } from './Dialog';

export function HelpOverlay(props: { onClose(): void }) {
  const { t } = useI18n();
  return (
    <Dialog title={t('help.title')} onClose={props.onClose} testId="help">
      <table className="keys">
        <tbody>
          {[...APP_SHORTCUTS, ...OTHER_KEYS].map((s) => (
            <tr key={s.keys}><td>{s.keys.split('+').map((k, i) => <kbd key={i}>{k}</kbd>)}</td><td>{t(s.label)}</td></tr>
          ))}
        </tbody>
      </table>
    </Dialog>
  );
}
