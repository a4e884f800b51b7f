// Lab instructions in Markdown: headings, paragraphs, nested lists, block quotes, rules, fenced
// code (C highlighted like the editor), GitHub's pipe tables, and images from the lab's folder.
// It builds React elements, never HTML strings, so nothing in a lab text can run as code; an
// image comes to the page as a data: URL through the contract (the page loads nothing itself).
import { Fragment, useEffect, useState, type ReactNode } from 'react';
import { classHighlighter, highlightCode } from '@lezer/highlight';
import { cppLanguage } from '@codemirror/lang-cpp';

export type AssetLoader = (path: string) => Promise<string>;

interface Options {
  loadAsset?: AssetLoader;
}

const INLINE = /(`[^`]+`)|(!\[[^\]]*\]\([^)\s]+\))|(\[[^\]]+\]\([^)\s]+\))|(\*\*[^*]+\*\*)|(\*[^*\s][^*]*\*)|(_[^_\s][^_]*_(?![A-Za-z0-9]))/g;

function inline(text: string, keyBase: string, options: Options): ReactNode[] {
  const out: ReactNode[] = [];
  let last = 0;
  let n = 0;
  for (const m of text.matchAll(INLINE)) {
    if (m.index > last) out.push(text.slice(last, m.index));
    const token = m[0];
    const key = `${keyBase}-${n++}`;
    if (m[1]) out.push(<code key={key}>{token.slice(1, -1)}</code>);
    else if (m[2]) {
      const [, alt, src] = /^!\[([^\]]*)\]\(([^)\s]+)\)$/.exec(token)!;
      out.push(<LabImage key={key} alt={alt!} src={src!} options={options} />);
    } else if (m[3]) {
      // Links are shown, not followed: the app opens no remote content.
      const [, label, href] = /^\[([^\]]+)\]\(([^)\s]+)\)$/.exec(token)!;
      out.push(<span key={key} className="link" title={href}>{inline(label!, key, options)}</span>);
    } else if (m[4]) out.push(<strong key={key}>{inline(token.slice(2, -2), key, options)}</strong>);
    else out.push(<em key={key}>{inline(token.slice(1, -1), key, options)}</em>);
    last = m.index + token.length;
  }
  if (last < text.length) out.push(text.slice(last));
  return out;
}

function LabImage(props: { alt: string; src: string; options: Options }) {
  const { src, options } = props;
  const [url, setUrl] = useState<string>();
  const [failed, setFailed] = useState<string>();
  useEffect(() => {
    if (/^[a-z]+:/i.test(src) || !options.loadAsset) {
      setFailed('remote images are not shown');
      return;
    }
    let live = true;
    options.loadAsset(src.replace(/^\.\//, '')).then((u) => { if (live) setUrl(u); }, (e: unknown) => { if (live) setFailed(e instanceof Error ? e.message : String(e)); });
    return () => { live = false; };
  }, [src, options]);
  if (failed) return <span className="image-missing" title={failed}>[{props.alt || src}]</span>;
  return url ? <img src={url} alt={props.alt} /> : <span className="image-loading">{props.alt}</span>;
}

function CodeBlock(props: { code: string; language: string }) {
  const { code, language } = props;
  if (!/^(c|h|cpp|c\+\+)$/i.test(language)) return <pre className={language ? `lang-${language}` : undefined}><code>{code}</code></pre>;
  const parts: ReactNode[] = [];
  let n = 0;
  highlightCode(code, cppLanguage.parser.parse(code), classHighlighter,
    (text, classes) => parts.push(classes ? <span key={n++} className={classes}>{text}</span> : text),
    () => parts.push('\n'));
  return <pre className="lang-c"><code>{parts}</code></pre>;
}

type Align = 'left' | 'center' | 'right' | undefined;

function splitRow(line: string): string[] {
  const body = line.trim().replace(/^\|/, '').replace(/\|$/, '');
  return body.split(/(?<!\\)\|/).map((c) => c.trim().replace(/\\\|/g, '|'));
}

const TABLE_RULE = /^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$/;
const LIST_ITEM = /^(\s*)([-*+]|\d+[.)])\s+(.*)$/;
const BLOCK_START = /^(#{1,6}\s|```|~~~|>|\s*([-*+]|\d+[.)])\s|\s*(---+|\*\*\*+)\s*$)/;

function Table(props: { lines: string[]; keyBase: string; options: Options }) {
  const [head, rule, ...rows] = props.lines;
  const aligns: Align[] = splitRow(rule!).map((c) => (c.startsWith(':') && c.endsWith(':') ? 'center' : c.endsWith(':') ? 'right' : c.startsWith(':') ? 'left' : undefined));
  const cells = (line: string, tag: 'th' | 'td', row: number) => splitRow(line).map((c, i) => {
    const Tag = tag;
    return <Tag key={i} style={aligns[i] ? { textAlign: aligns[i] } : undefined}>{inline(c, `${props.keyBase}-${row}-${i}`, props.options)}</Tag>;
  });
  return (
    <table>
      <thead><tr>{cells(head!, 'th', 0)}</tr></thead>
      <tbody>{rows.map((r, i) => <tr key={i}>{cells(r, 'td', i + 1)}</tr>)}</tbody>
    </table>
  );
}

/** Lines of a list starting at `start`, as nested items (indentation makes a sub-list). */
function List(props: { lines: string[]; keyBase: string; options: Options }) {
  const { lines, keyBase, options } = props;
  const first = LIST_ITEM.exec(lines[0]!)!;
  const indent = first[1]!.length;
  const ordered = /\d/.test(first[2]!);
  const items: { text: string[]; children: string[] }[] = [];
  for (const line of lines) {
    const m = LIST_ITEM.exec(line);
    if (m && m[1]!.length <= indent) items.push({ text: [m[3]!], children: [] });
    else if (m || /^\s{2,}/.test(line)) {
      const item = items[items.length - 1]!;
      if (m || item.children.length > 0) item.children.push(line);
      else item.text.push(line.trim());
    }
  }
  const body = items.map((item, i) => (
    <li key={i}>
      {inline(item.text.join(' '), `${keyBase}-${i}`, options)}
      {item.children.length > 0 && LIST_ITEM.test(item.children[0]!) && <List lines={item.children} keyBase={`${keyBase}-${i}`} options={options} />}
    </li>
  ));
  const start = ordered ? Number(/\d+/.exec(first[2]!)![0]) : 1;
  return ordered ? <ol start={start === 1 ? undefined : start}>{body}</ol> : <ul>{body}</ul>;
}

function blocks(text: string, options: Options, keyBase = 'b'): ReactNode[] {
  const out: ReactNode[] = [];
  const lines = text.replace(/\r\n/g, '\n').split('\n');
  let i = 0;
  const key = () => `${keyBase}${out.length}`;
  while (i < lines.length) {
    const line = lines[i]!;
    const fence = /^(```|~~~)\s*([\w+-]*)/.exec(line);
    if (fence) {
      const body: string[] = [];
      for (i++; i < lines.length && !lines[i]!.startsWith(fence[1]!); i++) body.push(lines[i]!);
      i++;
      out.push(<CodeBlock key={key()} code={body.join('\n')} language={fence[2] ?? ''} />);
      continue;
    }
    const heading = /^(#{1,6})\s+(.*?)\s*#*\s*$/.exec(line);
    if (heading) {
      const level = Math.min(heading[1]!.length, 4);
      const content = inline(heading[2]!, key(), options);
      out.push(level === 1 ? <h1 key={key()}>{content}</h1> : level === 2 ? <h2 key={key()}>{content}</h2> : level === 3 ? <h3 key={key()}>{content}</h3> : <h4 key={key()}>{content}</h4>);
      i++;
      continue;
    }
    if (/^\s*(---+|\*\*\*+)\s*$/.test(line)) { out.push(<hr key={key()} />); i++; continue; }
    if (line.includes('|') && i + 1 < lines.length && TABLE_RULE.test(lines[i + 1]!)) {
      const rows: string[] = [];
      for (; i < lines.length && lines[i]!.includes('|') && lines[i]!.trim() !== ''; i++) rows.push(lines[i]!);
      out.push(<Table key={key()} lines={rows} keyBase={key()} options={options} />);
      continue;
    }
    if (line.startsWith('>')) {
      const quoted: string[] = [];
      for (; i < lines.length && lines[i]!.startsWith('>'); i++) quoted.push(lines[i]!.replace(/^>\s?/, ''));
      out.push(<blockquote key={key()}>{blocks(quoted.join('\n'), options, `${key()}q`)}</blockquote>);
      continue;
    }
    if (LIST_ITEM.test(line)) {
      const items: string[] = [];
      for (; i < lines.length && (LIST_ITEM.test(lines[i]!) || (/^\s{2,}\S/.test(lines[i]!) && items.length > 0)); i++) items.push(lines[i]!);
      out.push(<List key={key()} lines={items} keyBase={key()} options={options} />);
      continue;
    }
    if (line.trim() === '') { i++; continue; }
    const para: string[] = [];
    for (; i < lines.length && lines[i]!.trim() !== '' && !(para.length > 0 && BLOCK_START.test(lines[i]!)); i++) para.push(lines[i]!.trim());
    out.push(<p key={key()}>{inline(para.join(' '), key(), options)}</p>);
  }
  return out;
}

/** One line of Markdown (code, emphasis) without the paragraph around it: a check's title. */
export function InlineMarkdown(props: { text: string }) {
  return <Fragment>{inline(props.text, 'i', {})}</Fragment>;
}

export function Markdown(props: { text: string; loadAsset?: AssetLoader }) {
  return <Fragment>{blocks(props.text, { loadAsset: props.loadAsset })}</Fragment>;
}
