// A dropdown: a button that opens a list; a click elsewhere or Escape closes it.
import { useEffect, useRef, useState, type ReactNode } from 'react';

export function Menu(props: { label: ReactNode; title: string; disabled?: boolean; className?: string; children: (close: () => void) => ReactNode }) {
  const [open, setOpen] = useState(false);
  const root = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!open) return;
    const onDown = (e: MouseEvent) => { if (!root.current?.contains(e.target as Node)) setOpen(false); };
    const onKey = (e: KeyboardEvent) => { if (e.key === 'Escape') setOpen(false); };
    document.addEventListener('mousedown', onDown);
    document.addEventListener('keydown', onKey);
    return () => {
      document.removeEventListener('mousedown', onDown);
      document.removeEventListener('keydown', onKey);
    };
  }, [open]);
  return (
    <div className={`menu ${props.className ?? ''}`} ref={root}>
      <button title={props.title} aria-haspopup="menu" aria-expanded={open} disabled={props.disabled} onClick={() => setOpen((o) => !o)}>
        {props.label} <span className="caret">▾</span>
      </button>
      {open && <div className="menu-list" role="menu">{props.children(() => setOpen(false))}</div>}
    </div>
  );
}
