import { joinTokens } from './spacing';
import { expressionTokens, templateTokens, type Token } from './tokens';

/**
 * How a JSON string is read in its place: most strings are templates, a variable's `type`
 * and `depends_on` entries are expressions, and defaults and the `terraform` block are literal
 * values (no interpolation).
 */
export type StringMode = 'template' | 'expression' | 'literal';

/** A rendered value: one line, or several (the first follows `key = `, the rest are indented by the caller). */
export type Lines = string[];

const INDENT = '  ';
/** Marks a line (of a heredoc) the caller must not indent. */
export const VERBATIM = '\u0000';

/** `\`, `"` and control characters escaped for a quoted HCL string. */
function escapeQuoted(text: string): string {
  return text.replace(/[\\"\n\r\t]|[\u0000-\u001f]/g, (c) => {
    const named: Record<string, string> = { '\\': '\\\\', '"': '\\"', '\n': '\\n', '\r': '\\r', '\t': '\\t' };
    return named[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
  });
}

const escapeLiteral = (text: string) => text.replace(/\$\{/g, '$${').replace(/%\{/g, '%%{');

/** An HCL expression given as source text, spaced as `terraform fmt` spaces it. */
export function expression(src: string): string {
  return joinTokens(expressionTokens(src), (t) => t.text);
}

/** A template value (as in a `.tf.json` string) as an HCL expression: bare when it is one interpolation. */
export function template(value: string): Lines {
  const tokens = templateTokens(value);
  const single = tokens.length >= 2 && tokens[0].text === '${' && closingOf(tokens, 0) === tokens.length - 1;
  if (single) return [joinTokens(tokens.slice(1, -1), (t) => t.text)];
  if (value.endsWith('\n') && value.includes('\n') && value.length > 80 && !/\r/.test(value)) return heredoc(tokens, value);
  return [joinTokens([{ type: 'oquote', text: '"' }, ...tokens, { type: 'cquote', text: '"' }], quotedLiteral)];
}

const quotedLiteral = (t: Token) => (t.raw ? escapeQuoted(t.text) : t.text);

/** The index of the `}` that closes the interpolation opened at `start`. */
function closingOf(tokens: readonly Token[], start: number): number {
  let depth = 0;
  for (let i = start; i < tokens.length; i++) {
    if (tokens[i].type === 'interp') depth++;
    if (tokens[i].type === 'seqend' && --depth === 0) return i;
  }
  return -1;
}

/** `<<EOT` ... `EOT`: what a reader sees is the text itself, lines unescaped. */
function heredoc(tokens: readonly Token[], value: string): Lines {
  let marker = 'EOT';
  while (value.split('\n').includes(marker)) marker += 'X';
  const text = joinTokens(tokens, (t) => t.text);
  return [`<<${marker}`, ...text.slice(0, -1).split('\n').map((line) => VERBATIM + line), VERBATIM + marker];
}

/** A literal string (no interpolation) as a quoted HCL string. */
export function literalString(value: string): string {
  return `"${escapeQuoted(escapeLiteral(value))}"`;
}

/** An object key: bare when it is an identifier, quoted otherwise. */
export function objectKey(key: string): string {
  return /^[A-Za-z_][A-Za-z0-9_-]*$/.test(key) ? key : literalString(key);
}

export { INDENT };

/** A template value with references through `from` (`from.key`) made through `to`; everything else as it was. */
export function renameReferences(value: string, from: string, to: string): string {
  const tokens = templateTokens(value);
  const renamed = tokens.map((t, i) => (t.type === 'ident' && t.text === from && tokens[i - 1]?.type !== 'dot' && tokens[i + 1]?.type === 'dot' ? { ...t, text: to } : t));
  return joinTokens(renamed, (t) => t.text);
}
