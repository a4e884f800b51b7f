// A modal dialog: Escape or a click on the backdrop closes it; focus starts inside it.
import { useEffect, useRef, type ReactNode } from 'react';

export function Dialog(props: { title: string; onClose(): void; children: ReactNode; testId?: string }) {
  const box = useRef<HTMLDivElement>(null);
  const close = useRef(props.onClose);
  close.current = props.onClose;
  useEffect(() => {
    const previous = document.activeElement as HTMLElement | null;
    box.current?.focus();
    const onKey = (e: KeyboardEvent) => { if (e.key === 'Escape') { e.preventDefault(); close.current(); } };
    window.addEventListener('keydown', onKey);
    return () => {
      window.removeEventListener('keydown', onKey);
      previous?.focus?.();
    };
  }, []);
  return (
    <div className="backdrop" onMouseDown={(e) => { if (e.target === e.currentTarget) props.onClose(); }}>
      <div className="dialog" role="dialog" aria-modal="true" aria-label={props.title} ref={box} tabIndex={-1} data-testid={props.testId}>
        <div className="dialog-head">
          <h2>{props.title}</h2>
          <button className="icon ghost" aria-label="×" onClick={props.onClose}>×</button>
        </div>
        <div className="dialog-body">{props.children}</div>
      </div>
    </div>
  );
}
