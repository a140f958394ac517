/**
 * A lexer for the HCL expressions and templates that cdktf writes into `.tf.json` strings.
 * Terraform reads every JSON string as a template, so the same text is valid HCL once its
 * literal parts are escaped for a quoted string (or left as they are in a heredoc).
 */
export type TokenType =
  | 'ident' | 'number' | 'op' | 'open' | 'close' | 'obrace' | 'cbrace' | 'comma' | 'dot' | 'ellipsis'
  /** `"` opening or closing a quoted template. */
  | 'oquote' | 'cquote'
  /** Literal text of a template; `raw` when it still needs escaping for a quoted string. */
  | 'lit'
  /** `${` or `%{`, and the `}` that ends it. */
  | 'interp' | 'seqend';

export interface Token {
  readonly type: TokenType;
  readonly text: string;
  /** For `lit`: the text is the template's value (unescaped), not HCL source. */
  readonly raw?: boolean;
}

const IDENT = /[A-Za-z_][A-Za-z0-9_-]*/y;
const NUMBER = /[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?/y;
const OPERATORS = ['...', '==', '!=', '<=', '>=', '&&', '||', '=>', '+', '-', '*', '/', '%', '<', '>', '!', '?', ':', '='];

class Lexer {
  readonly tokens: Token[] = [];
  private at = 0;

  constructor(private readonly src: string) {}

  /** A template body up to `end` (a closing quote) or the end of the text. */
  template(raw: boolean, end?: string): void {
    let literal = '';
    const flush = () => {
      if (literal !== '') this.tokens.push({ type: 'lit', text: literal, raw });
      literal = '';
    };
    while (this.at < this.src.length) {
      const rest = this.src.slice(this.at, this.at + 3);
      if (end !== undefined && this.src[this.at] === end) break;
      if (rest.startsWith('$${') || rest.startsWith('%%{')) {
        literal += rest;
        this.at += 3;
      } else if (rest.startsWith('${') || rest.startsWith('%{')) {
        flush();
        this.tokens.push({ type: 'interp', text: rest.slice(0, 2) });
        this.at += 2;
        this.expression('}');
        this.tokens.push({ type: 'seqend', text: '}' });
        this.at += 1;
      } else if (!raw && this.src[this.at] === '\\') {
        literal += this.src.slice(this.at, this.at + 2);
        this.at += 2;
      } else {
        literal += this.src[this.at];
        this.at += 1;
      }
    }
    flush();
  }

  /** Expression tokens up to the unmatched `end` (not consumed), or the end of the text. */
  expression(end?: string): void {
    const depth: string[] = [];
    while (this.at < this.src.length) {
      const c = this.src[this.at];
      if (/\s/.test(c)) { this.at += 1; continue; }
      if (depth.length === 0 && c === end) return;
      if (c === '"') {
        this.tokens.push({ type: 'oquote', text: '"' });
        this.at += 1;
        this.template(false, '"');
        this.tokens.push({ type: 'cquote', text: '"' });
        this.at += 1;
        continue;
      }
      if ('([{'.includes(c)) {
        depth.push(c);
        this.tokens.push({ type: c === '{' ? 'obrace' : 'open', text: c });
      } else if (')]}'.includes(c)) {
        depth.pop();
        this.tokens.push({ type: c === '}' ? 'cbrace' : 'close', text: c });
      } else if (c === ',') {
        this.tokens.push({ type: 'comma', text: c });
      } else if (c === '.' && this.src.slice(this.at, this.at + 3) !== '...') {
        this.tokens.push({ type: 'dot', text: c });
      } else {
        this.word();
        continue;
      }
      this.at += 1;
    }
    if (end !== undefined) throw new Error(`unterminated expression in ${JSON.stringify(this.src)}`);
  }

  private word(): void {
    for (const [type, pattern] of [['ident', IDENT], ['number', NUMBER]] as const) {
      pattern.lastIndex = this.at;
      const match = pattern.exec(this.src);
      if (match) {
        this.tokens.push({ type, text: match[0] });
        this.at += match[0].length;
        return;
      }
    }
    const op = OPERATORS.find((o) => this.src.startsWith(o, this.at));
    if (!op) throw new Error(`cannot read ${JSON.stringify(this.src.slice(this.at, this.at + 20))} in ${JSON.stringify(this.src)}`);
    this.tokens.push({ type: op === '...' ? 'ellipsis' : 'op', text: op });
    this.at += op.length;
  }
}

/** Tokens of an HCL expression (source text). */
export function expressionTokens(src: string): Token[] {
  const lexer = new Lexer(src);
  lexer.expression();
  return lexer.tokens;
}

/** Tokens of a template's value, as a JSON string holds it: literal parts are `raw`. */
export function templateTokens(value: string): Token[] {
  const lexer = new Lexer(value);
  lexer.template(true);
  return lexer.tokens;
}
