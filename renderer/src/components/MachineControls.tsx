// The machine's controls: its state, reboot (clean), the reset button, the power switch, and
// Magic SysRq through the machine's keyboard. Each is one thin call of the contract.
import type { MachineStatus } from '../../../main/ipc/common/contract';
import { useApp, why } from '../app-context';
import { useI18n, type MessageKey } from '../i18n';
import { Menu } from './Menu';

/** The keys worth a menu entry, in recovery order first (REISUB's S, U, B), then diagnosis. */
const SYSRQ_KEYS: { key: string; name: string }[] = [
  { key: 's', name: 'sync' }, { key: 'u', name: 'unmount' }, { key: 'b', name: 'reboot' },
  { key: 'e', name: 'terminate-all-tasks' }, { key: 'i', name: 'kill-all-tasks' }, { key: 'o', name: 'poweroff' },
  { key: 't', name: 'show-task-states' }, { key: 'w', name: 'show-blocked-tasks' }, { key: 'l', name: 'show-backtrace-all-active-cpus' },
  { key: 'm', name: 'show-memory-usage' }, { key: 'c', name: 'crash' }, { key: 'h', name: 'help' },
];

export function stateWord(status: MachineStatus | undefined): 'connecting' | MachineStatus['state'] {
  return status ? status.state : 'connecting';
}

export function MachineControls(props: { session: string; status: MachineStatus | undefined; onStatus(s: MachineStatus): void; afterAction(): void }) {
  const { session, status } = props;
  const { api, report } = useApp();
  const { t } = useI18n();
  const state = stateWord(status);
  const running = state === 'running' || state === 'booting';

  const act = (call: () => Promise<MachineStatus | void>) => {
    void call().then((s) => { if (s) props.onStatus(s); }, (e: unknown) => report(t('machine.failed', { why: why(e) })));
    props.afterAction();
  };
  const sysrq = (key: string) => act(() => api.machine.sysrq(session, key));

  return (
    <div className="machine-controls">
      <span className={`machine-state ${state}`} data-testid="machine-state" title={status?.reason}>
        <span className="dot" />{t(`machine.${state}` as MessageKey)}
      </span>
      <button onClick={() => act(() => api.machine.reboot(session))} disabled={!running} title={t('tip.reboot')}>{t('machine.reboot')}</button>
      <button onClick={() => act(() => api.machine.reset(session))} disabled={!status} title={t('tip.reset')}>{t('machine.reset')}</button>
      {state === 'off'
        ? <button onClick={() => act(() => api.machine.boot(session))} title={t('tip.powerOn')}>{t('machine.powerOn')}</button>
        : <button onClick={() => act(() => api.machine.powerOff(session))} disabled={!status} title={t('tip.powerOff')}>{t('machine.powerOff')}</button>}
      <button onClick={() => { if (window.confirm(t('machine.reinstallConfirm'))) act(() => api.machine.reinstall(session)); }} disabled={!status} title={t('tip.reinstall')}>{t('machine.reinstall')}</button>
      <Menu label={t('machine.sysrq')} title={t('tip.sysrq')} disabled={!running} className="sysrq">
        {(close) => (
          <>
            <div className="menu-head">{t('sysrq.title')}</div>
            {SYSRQ_KEYS.map(({ key, name }) => (
              <button key={key} role="menuitem" className="menu-item" onClick={() => { close(); sysrq(key); }}>
                <kbd>{key.toUpperCase()}</kbd><span className="menu-name">{name}</span><span className="muted">{t(`sysrq.${key}` as MessageKey)}</span>
              </button>
            ))}
            <div className="menu-head">{t('sysrq.loglevel')}</div>
            <div className="menu-row">
              {'0123456789'.split('').map((d) => <button key={d} role="menuitem" className="small" onClick={() => { close(); sysrq(d); }}>{d}</button>)}
            </div>
            <div className="menu-foot muted">{t('sysrq.recover')}</div>
          </>
        )}
      </Menu>
    </div>
  );
}
