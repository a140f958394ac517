/** The longest quoted value a message repeats back; longer values are cut with an ellipsis. */
export const MAX_VALUE_CHARS = 80;

/**
 * One physical line, safe for a terminal: control characters (newlines, escapes, the C1 range,
 * line and paragraph separators) are written as `\n`, `\u001b`, ... so nothing a spec holds can
 * break the one-line-per-problem contract or repaint the screen.
 */
export function safeLine(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (c) => {
    const named: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };
    return named[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
  });
}

/** A value from the spec as a message quotes it: JSON-quoted, cut at MAX_VALUE_CHARS. */
export function quote(value: unknown): string {
  let text: string;
  try {
    text = typeof value === 'string' ? value : JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  const cut = [...text].length > MAX_VALUE_CHARS ? `${[...text].slice(0, MAX_VALUE_CHARS).join('')}…` : text;
  return JSON.stringify(cut);
}
