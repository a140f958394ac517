import { expression, INDENT, literalString, objectKey, template, VERBATIM, type Lines, type StringMode } from './values';

/** An attribute (`key = value`) or a nested block of a body, already rendered. */
export type BodyItem =
  | { readonly kind: 'attribute'; readonly key: string; readonly value: Lines }
  | { readonly kind: 'block'; readonly header: string; readonly body: readonly BodyItem[] };

export const attribute = (key: string, value: Lines): BodyItem => ({ kind: 'attribute', key, value });
export const block = (header: string, body: readonly BodyItem[]): BodyItem => ({ kind: 'block', header, body });

const indent = (lines: Lines): Lines => lines.map((line) => (line.startsWith(VERBATIM) || line === '' ? line : INDENT + line));

/**
 * The lines of a body. Runs of one-line attributes have their `=` aligned, as `terraform fmt`
 * aligns them (a heredoc among them too); another multi-line value or a block ends a run. Blocks are set apart by blank lines.
 */
export function renderBody(items: readonly BodyItem[]): Lines {
  const lines: Lines = [];
  let run: { key: string; value: Lines }[] = [];
  const flush = () => {
    const width = Math.max(0, ...run.map((a) => a.key.length));
    for (const a of run) lines.push(`${a.key.padEnd(width)} = ${a.value[0]}`, ...a.value.slice(1));
    run = [];
  };
  items.forEach((item, i) => {
    // A heredoc counts as one line: aligned with the attributes before and after it.
    const heredoc = item.kind === 'attribute' && item.value[0].startsWith('<<');
    if (item.kind === 'attribute' && (item.value.length === 1 || heredoc)) {
      run.push({ key: item.key, value: item.value });
      return;
    }
    flush();
    if (item.kind === 'attribute') {
      lines.push(`${item.key} = ${item.value[0]}`, ...item.value.slice(1));
      return;
    }
    if (i > 0) lines.push('');
    lines.push(...renderBlock(item.header, item.body));
    if (i < items.length - 1) lines.push('');
  });
  flush();
  return lines.filter((line, i, all) => !(line === '' && all[i - 1] === ''));
}

export function renderBlock(header: string, body: readonly BodyItem[]): Lines {
  if (body.length === 0) return [`${header} {}`];
  return [`${header} {`, ...indent(renderBody(body)), '}'];
}

/** A JSON value as an HCL expression; strings are read as `mode` says. */
export function valueLines(value: unknown, mode: StringMode): Lines {
  if (value === null || value === undefined) return ['null'];
  if (typeof value === 'boolean' || typeof value === 'number') return [String(value)];
  if (typeof value === 'string') {
    if (mode === 'template') return template(value);
    return [mode === 'expression' ? expression(value) : literalString(value)];
  }
  if (Array.isArray(value)) return listLines(value.map((v) => valueLines(v, mode)));
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length === 0) return ['{}'];
  return ['{', ...indent(renderBody(entries.map(([k, v]) => attribute(objectKey(k), valueLines(v, mode))))), '}'];
}

/** `[a, b]` on one line when short, one element a line otherwise. */
export function listLines(elements: readonly Lines[]): Lines {
  if (elements.length === 0) return ['[]'];
  const flat = elements.every((e) => e.length === 1 && !e[0].startsWith('{'));
  const oneLine = `[${elements.map((e) => e[0]).join(', ')}]`;
  if (flat && oneLine.length <= 80) return [oneLine];
  return ['[', ...indent(elements.flatMap((e) => [...e.slice(0, -1), `${e[e.length - 1]},`])), ']'];
}
