// The inspector's views of one state: I/O ports, the interrupt controller and lines, each
// card's shared memory, the card itself (state machine, ports, fault switches, remote
// terminal) and the tasks. Dense tables, monospace numbers, names as the datasheet and Linux
// print them.
import { useEffect, useState, type ReactNode } from 'react';
import type { CardFaultsView, CardView, InspectorState, PicView } from '../../../../main/ipc/common/inspector';
import { useApp, why } from '../../app-context';
import { useI18n } from '../../i18n';
import type { WindowImage } from './InspectorPanel';
import { bits, formatClock, hex } from './format';

function Section(props: { title: string; extra?: ReactNode; children: ReactNode; testid?: string }) {
  return (
    <section className="insp-section" data-testid={props.testid}>
      <h4>{props.title}{props.extra && <span className="insp-extra">{props.extra}</span>}</h4>
      {props.children}
    </section>
  );
}

export function PortsPane({ state }: { state: InspectorState }) {
  const { t } = useI18n();
  return (
    <div className="insp-pad">
      <Section title={t('insp.accessed')} testid="ports-accessed">
        {state.ports.length === 0 ? <p className="muted">{t('insp.noAccess')}</p> : (
          <table className="insp-table">
            <thead><tr><th>port</th><th>register</th><th className="num">in</th><th>last read</th><th className="num">out</th><th>last write</th></tr></thead>
            <tbody>
              {state.ports.map((p) => (
                <tr key={p.port} data-testid="port-row" data-port={hex(p.port, 3)} title={p.src ? `last access from a module: ${p.src}` : undefined}>
                  <td className="mono">{hex(p.port, 3)}</td>
                  <td><span className="muted">{p.owner ?? '—'}</span> <span className="reg">{p.register ?? ''}</span></td>
                  <td className="num">{p.reads.toLocaleString('en-US')}</td>
                  <td className="mono wrap">{p.lastRead !== undefined ? <>{hex(p.lastRead)}{p.decodedRead && <span className="decoded"> {p.decodedRead}</span>}</> : ''}</td>
                  <td className="num">{p.writes.toLocaleString('en-US')}</td>
                  <td className="mono wrap">{p.lastWrite !== undefined ? <>{hex(p.lastWrite)}{p.decodedWrite && <span className="decoded"> {p.decodedWrite}</span>}</> : ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Section>
      <Section title={t('insp.claimed')}>
        <table className="insp-table">
          <tbody>
            {state.portClaims.map((c, i) => (
              <tr key={i} className={c.name.startsWith('my_device') ? 'hl' : ''}>
                <td className="mono" style={{ paddingLeft: 4 + c.depth * 14 }}>{c.start.toString(16).padStart(4, '0')}-{c.end.toString(16).padStart(4, '0')}</td>
                <td>{c.name}</td>
                <td className="muted">{c.device && c.device !== c.name ? `bus: ${c.device}` : ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </Section>
    </div>
  );
}

function PicRow(props: { name: string; pic: PicView; base: number }) {
  const regs: [string, number][] = [['IRR', props.pic.irr], ['ISR', props.pic.isr], ['IMR', props.pic.imr], ['lines', props.pic.lines]];
  return (
    <>
      {regs.map(([reg, v]) => (
        <tr key={reg} data-testid={`pic-${props.name}-${reg}`} data-value={hex(v)}>
          <td>{reg === 'IRR' ? `${props.name} (vector ${hex(props.pic.vectorBase)})` : ''}</td>
          <td className="reg">{reg}</td>
          <td className="mono">{hex(v)}</td>
          {bits(v).map((b, i) => <td key={i} className={`bit ${b === '1' ? 'on' : ''} ${reg === 'IMR' ? 'mask' : ''}`}>{b}</td>)}
        </tr>
      ))}
    </>
  );
}

export function InterruptsPane({ state }: { state: InspectorState }) {
  const { t } = useI18n();
  const irq = state.interrupts;
  const interesting = irq.lines.filter((l) => l.handlers.length || l.edges || l.level || l.handled);
  return (
    <div className="insp-pad">
      <Section title="8259A PIC pair" extra={<span className={irq.intr ? 'pill warn' : 'pill'}>INTR {irq.intr ? '1' : '0'}</span>}>
        <table className="insp-table bits">
          <thead><tr><th>chip</th><th>reg</th><th>hex</th>{[7, 6, 5, 4, 3, 2, 1, 0].map((b) => <th key={b} className="bit">{b}</th>)}</tr></thead>
          <tbody>
            <PicRow name="master" pic={irq.master} base={0} />
            <PicRow name="slave" pic={irq.slave} base={8} />
          </tbody>
        </table>
      </Section>
      <Section title={t('insp.cpuFlag')}>
        <table className="insp-table">
          <tbody>
            {irq.cpus.map((c) => (
              <tr key={c.cpu} data-testid="cpu-flag">
                <td>CPU{c.cpu}</td>
                <td><span className={c.enabled ? 'pill ok' : 'pill bad'}>IF={c.enabled ? 1 : 0}</span> {c.enabled ? 'interrupts on' : 'interrupts off'}</td>
                <td className="muted">{c.by ? `${c.enabled ? 'set' : 'cleared'} by ${c.by} @ ${formatClock(c.atNs ?? 0)}` : ''}</td>
                <td className="src">{c.src?.replace(/^\/home\/lab\//, '') ?? c.fn ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </Section>
      <Section title={t('insp.lines')}>
        <table className="insp-table">
          <thead><tr><th>IRQ</th><th>level</th><th>mask</th><th className="num">edges ↑</th><th className="num">handled</th><th>handlers</th></tr></thead>
          <tbody>
            {interesting.map((l) => (
              <tr key={l.irq} data-testid="irq-row" data-irq={l.irq} data-edges={l.edges} data-handled={l.handled}>
                <td className="mono">{l.irq}</td>
                <td><span className={l.level ? 'pill warn' : 'pill'}>{l.level ? 'high' : 'low'}</span></td>
                <td>{l.masked ? <span className="pill bad">masked</span> : ''}</td>
                <td className="num">{l.edges.toLocaleString('en-US')}</td>
                <td className="num">{l.handled.toLocaleString('en-US')}</td>
                <td>{l.handlers.join(', ')}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </Section>
    </div>
  );
}

const ROW = 16;
const FLASH_MS = 2500;

function HexRows(props: { image: WindowImage; from: number; length: number; now: number }) {
  const rows: ReactNode[] = [];
  for (let off = props.from; off < props.from + props.length; off += ROW) {
    const cells: ReactNode[] = [];
    let ascii = '';
    for (let i = 0; i < ROW; i++) {
      const b = props.image.bytes[off + i]!;
      const fresh = props.now - props.image.changedAt[off + i]! < FLASH_MS;
      cells.push(<span key={i} className={`hb${fresh ? ' fresh' : ''}${b === 0 ? ' zero' : ''}`}>{b.toString(16).padStart(2, '0')}</span>);
      ascii += b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.';
    }
    rows.push(
      <div key={off} className="hex-row" data-offset={hex(off, 4)}>
        <span className="ho">{off.toString(16).padStart(4, '0')}</span>
        <span className="hbytes">{cells}</span>
        <span className="hascii">{ascii}</span>
      </div>,
    );
  }
  return <>{rows}</>;
}

export function MemoryPane({ state, images }: { state: InspectorState; images: Map<number, WindowImage> }) {
  const { t } = useI18n();
  const [open, setOpen] = useState<Record<string, boolean>>({});
  const [now, setNow] = useState(() => performance.now());
  // Highlights fade: redraw while any may be lit.
  useEffect(() => {
    const timer = setInterval(() => setNow(performance.now()), 500);
    return () => clearInterval(timer);
  }, []);
  if (state.cards.length === 0) return <p className="muted insp-pad">{t('insp.noCard')}</p>;
  return (
    <div className="insp-pad">
      {state.cards.map((card) => {
        const image = images.get(card.index);
        const writes = state.memory.find((m) => m.card === card.index)?.writes ?? [];
        return (
          <Section key={card.index} title={`${card.name} window ${hex(card.mem, 5)}-${hex(card.mem + 0x3fff, 5)}`} extra={writes.length ? `${writes.length} writes` : undefined}>
            {image && card.regions.filter((r) => r.name !== 'reserved').map((r) => {
              const key = `${card.index}:${r.name}`;
              const shown = open[key] ? r.size : Math.min(r.size, r.name === 'ROM' ? 16 : 64);
              return (
                <div key={r.name} className="region" data-testid="mem-region" data-region={r.name}>
                  <div className="region-head">
                    <span className="region-name">{r.name}</span>
                    <span className="mono muted">+{hex(r.offset, 4)} · {r.size} bytes</span>
                    {r.header && <span className="region-header mono" data-testid="region-header">{r.header}</span>}
                    <span className="spacer" />
                    {r.size > shown || open[key] ? <button className="link-button" onClick={() => setOpen({ ...open, [key]: !open[key] })}>{open[key] ? t('insp.less') : t('insp.more')}</button> : null}
                  </div>
                  <div className="hex"><HexRows image={image} from={r.offset} length={shown} now={now} /></div>
                </div>
              );
            })}
          </Section>
        );
      })}
    </div>
  );
}

const STATES: CardView['state'][] = ['halted', 'start-window', 'starting', 'running', 'busy', 'answering'];

function FaultSwitches(props: { session: string; card: CardView }) {
  const { api, report } = useApp();
  const f = props.card.faults;
  const set = (faults: Partial<CardFaultsView>) => void api.inspector.setFaults(props.session, props.card.index, faults).catch((e: unknown) => report(why(e)));
  return (
    <div className="faults">
      <label><input type="checkbox" checked={f.stuckBusy} onChange={(e) => set({ stuckBusy: e.target.checked })} /> stuck BUSY</label>
      <label>lost IRQ <select value={String(f.lostIrqProbability)} onChange={(e) => set({ lostIrqProbability: Number(e.target.value) })}>
        {[0, 0.1, 0.5, 1].map((p) => <option key={p} value={p}>{p * 100}%</option>)}
      </select></label>
      <label>extra latency <select value={String(f.extraLatencyMs)} onChange={(e) => set({ extraLatencyMs: Number(e.target.value) })}>
        {[0, 10, 100, 500, 2000].map((ms) => <option key={ms} value={ms}>{ms} ms</option>)}
      </select></label>
      <label>spurious IRQ <select value={String(f.spuriousIrqPerSec)} onChange={(e) => set({ spuriousIrqPerSec: Number(e.target.value) })}>
        {[0, 1, 10, 100].map((n) => <option key={n} value={n}>{n}/s</option>)}
      </select></label>
      <label>crash after <select value={String(f.crashAfterCommands ?? '')} onChange={(e) => set({ crashAfterCommands: e.target.value === '' ? null : Number(e.target.value) })}>
        <option value="">never</option>
        {[1, 3, 10].map((n) => <option key={n} value={n}>{n} commands</option>)}
      </select></label>
    </div>
  );
}

function RemoteTerminal(props: { session: string; card: CardView }) {
  const { api, report } = useApp();
  const { t } = useI18n();
  const [port, setPort] = useState(0);
  const [text, setText] = useState('');
  const send = () => {
    if (!text) return;
    api.inspector.remote(props.session, props.card.index, port, text).then((r) => {
      report(`${props.card.name} port ${port}: ${r.accepted} of ${new TextEncoder().encode(text).length} bytes arrived`);
      setText('');
    }, (e: unknown) => report(why(e)));
  };
  return (
    <div className="remote" title={t('insp.remoteTip')}>
      <select value={port} onChange={(e) => setPort(Number(e.target.value))} aria-label="port">
        {props.card.ports.map((p) => <option key={p.port} value={p.port}>port {p.port}</option>)}
      </select>
      <input value={text} onChange={(e) => setText(e.target.value)} onKeyDown={(e) => { if (e.key === 'Enter') send(); }} placeholder="bytes from the far end" data-testid="remote-input" />
      <button className="small" onClick={send} data-testid="remote-send">{t('insp.send')}</button>
    </div>
  );
}

export function CardPane({ state, session }: { state: InspectorState; session: string }) {
  const { t } = useI18n();
  if (state.cards.length === 0) return <p className="muted insp-pad">{t('insp.noCard')}</p>;
  return (
    <div className="insp-pad">
      {state.cards.map((card) => (
        <div key={card.index} data-testid="card">
          <Section title={`${card.name}: io ${hex(card.io, 3)}, irq ${card.irq}, mem ${hex(card.mem, 5)}`} extra={card.fwVersion ? `firmware ${card.fwVersion}` : undefined}>
            <div className="states">
              {STATES.map((s) => <span key={s} className={`state${card.state === s ? ' on' : ''}`} data-testid={card.state === s ? 'card-state' : undefined}>{s}</span>)}
            </div>
            {(card.command || card.timing) && <p className="mono small-text">{card.command ?? card.timing}</p>}
            <table className="insp-table">
              <tbody>
                <tr>
                  <td className="reg">STATUS</td><td className="mono">{hex(card.status)}</td>
                  <td>{card.statusBits.slice().reverse().map((b) => <span key={b.name} className={`flag${b.set ? ' on' : ''}`} data-testid={b.set ? 'status-flag' : undefined}>{b.name}</span>)}</td>
                </tr>
                <tr><td className="reg">ERROR</td><td className="mono">{card.error}</td><td><span className={card.error ? 'pill bad' : 'pill'}>{card.errorName}</span></td></tr>
                <tr><td className="reg">PORT_SELECT</td><td className="mono">{card.portSelect}</td><td /></tr>
              </tbody>
            </table>
          </Section>
          <Section title={t('insp.ports4')}>
            <table className="insp-table">
              <thead><tr><th>port</th><th>state</th><th className="num">rx pending</th><th>rx buffer</th><th className="num">tx total</th><th className="num">dropped</th></tr></thead>
              <tbody>
                {card.ports.map((p) => (
                  <tr key={p.port}>
                    <td className="mono">{p.port}</td><td>{p.state}</td><td className="num">{p.rxPending}</td>
                    <td className="mono">{p.rxHead.length ? JSON.stringify(String.fromCharCode(...p.rxHead)) : ''}</td>
                    <td className="num">{p.txTotal}</td><td className="num">{p.rxDropped}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </Section>
          <Section title={t('insp.remote')}><RemoteTerminal session={session} card={card} /></Section>
          <Section title={t('insp.faults')}><FaultSwitches session={session} card={card} /></Section>
          <Section title={t('insp.recentEvents')}>
            <div className="card-events">
              {card.events.slice().reverse().map((e, i) => (
                <div key={i} className={`card-event ${e.event}`}><span className="mono muted">{formatClock(e.t)}</span> <b>{e.event}</b> → {e.state}: {e.detail}</div>
              ))}
            </div>
          </Section>
        </div>
      ))}
    </div>
  );
}

export function TasksPane({ state }: { state: InspectorState }) {
  return (
    <div className="insp-pad">
      <table className="insp-table" data-testid="tasks">
        <thead><tr><th className="num">PID</th><th className="num">PPID</th><th>S</th><th>COMMAND</th><th>WCHAN</th><th>waits on</th><th>in module</th><th>CPU</th></tr></thead>
        <tbody>
          {state.tasks.map((task) => (
            <tr key={task.pid} className={task.module ? 'hl' : ''} data-testid="task-row" data-comm={task.comm} data-state={task.state}>
              <td className="num">{task.pid}</td><td className="num">{task.ppid}</td>
              <td><span className={`pill st-${task.state}`}>{task.state}</span></td>
              <td>{task.comm}</td><td className="mono">{task.wchan || '-'}</td>
              <td className="muted">{task.waitsOn ?? ''}</td>
              <td className="mono">{task.inModule ?? ''}</td>
              <td>{task.cpu ?? ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
