/**
 * Just enough of Mermaid's flowchart syntax to draw a topology safely: every label is quoted
 * and escaped, and node IDs are generated, so no spec value can end a label, open a
 * subgraph or collide with a keyword such as `end`.
 */

export type NodeShape = 'box' | 'round' | 'stadium' | 'circle' | 'hexagon' | 'cylinder';
export type EdgeStyle = 'route' | 'attachment';

const SHAPES: Record<NodeShape, [string, string]> = {
  box: ['[', ']'],
  round: ['(', ')'],
  stadium: ['([', '])'],
  circle: ['((', '))'],
  hexagon: ['{{', '}}'],
  cylinder: ['[(', ')]'],
};

/**
 * Escapes one line of label text with Mermaid entity codes (`#34;` renders as `"`). `#` goes
 * first so the codes added after it survive; `<`, `>` and `&` would otherwise reach the
 * HTML label as markup, a backtick would start a Markdown string.
 */
export function escapeLabelText(text: string): string {
  return text
    .replace(/#/g, '#35;')
    .replace(/"/g, '#34;')
    .replace(/&/g, '#38;')
    .replace(/</g, '#60;')
    .replace(/>/g, '#62;')
    .replace(/`/g, '#96;')
    .replace(/[\r\n]+/g, ' ');
}

/** A quoted label; each entry of `lines` is escaped, then they are joined with line breaks. */
export function label(lines: readonly string[]): string {
  return `"${lines.map(escapeLabelText).join('<br/>')}"`;
}

export class Flowchart {
  private readonly body: string[] = [];
  private readonly ids = new Map<string, string>();
  private readonly taken = new Set<string>();
  private depth = 1;

  constructor(private readonly direction: 'LR' | 'TB' = 'LR') {}

  /**
   * A stable, readable ID for a key such as ['subnet', 'hub', 'ap-northeast-1a']. Parts are
   * reduced to [A-Za-z0-9_]; two keys that reduce alike get a numbered suffix instead of merging.
   */
  id(...parts: string[]): string {
    const key = JSON.stringify(parts);
    const known = this.ids.get(key);
    if (known) return known;
    const base = parts.map((p) => p.replace(/[^A-Za-z0-9]/g, '_')).join('__');
    let id = base;
    for (let n = 2; this.taken.has(id); n++) id = `${base}_${n}`;
    this.ids.set(key, id);
    this.taken.add(id);
    return id;
  }

  node(id: string, lines: readonly string[], shape: NodeShape = 'box'): void {
    const [open, close] = SHAPES[shape];
    this.line(`${id}${open}${label(lines)}${close}`);
  }

  subgraph(id: string, title: readonly string[], fill: () => void): void {
    this.line(`subgraph ${id}[${label(title)}]`);
    this.depth++;
    fill();
    this.depth--;
    this.line('end');
  }

  /** Routes are solid arrows; attachments (an ENI to its instance, an EIP to its ENI) dotted lines. */
  edge(from: string, to: string, style: EdgeStyle, text?: string): void {
    const arrow = style === 'route' ? '-->' : '-.-';
    this.line(text ? `${from} ${arrow}|${label([text])}| ${to}` : `${from} ${arrow} ${to}`);
  }

  render(): string {
    return [`flowchart ${this.direction}`, ...this.body].join('\n');
  }

  private line(text: string): void {
    this.body.push(`${'  '.repeat(this.depth)}${text}`);
  }
}
