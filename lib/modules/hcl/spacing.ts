import type { Token } from './tokens';

/**
 * Joins tokens with the spacing `terraform fmt` gives them (hclwrite's rules: a space
 * between most tokens; none inside templates, around dots, before commas, after opening
 * and before closing brackets, between a function name or an indexed value and its bracket;
 * braces of object constructors padded unless empty).
 */
export function joinTokens(tokens: readonly Token[], literal: (token: Token) => string): string {
  let out = '';
  tokens.forEach((token, i) => {
    const before = tokens[i - 1];
    if (before && spaceBetween(before, token, tokens[i - 2])) out += ' ';
    out += token.type === 'lit' ? literal(token) : token.text;
  });
  return out;
}

const opensBracket = (t: Token) => t.type === 'open' || t.type === 'interp';
const closesBracket = (t: Token) => t.type === 'close' || t.type === 'seqend';
const endsOperand = (t: Token) => t.type === 'ident' || t.type === 'number' || t.type === 'close' || t.type === 'cbrace' || t.type === 'cquote';

function spaceBetween(subject: Token, after: Token, before: Token | undefined): boolean {
  if (subject.type === 'ident' && after.text === '(') return false;
  if (subject.type === 'dot' || after.type === 'dot') return false;
  if (after.type === 'comma' || after.type === 'ellipsis') return false;
  if (subject.type === 'comma') return true;
  if (subject.type === 'oquote' || subject.type === 'lit' || after.type === 'lit' || after.type === 'cquote') return false;
  if (subject.type === 'obrace' || after.type === 'cbrace') return !(subject.type === 'obrace' && after.type === 'cbrace');
  if (subject.type === 'interp' && after.type === 'obrace') return true;
  if (subject.type === 'cbrace' && after.type === 'seqend') return true;
  if (subject.type === 'seqend' && after.type === 'interp') return false;
  if (opensBracket(subject) || closesBracket(after)) return false;
  if (subject.type === 'ident' && subject.text === 'in' && before?.type === 'ident') return true;
  if (after.text === '[' && endsOperand(subject)) return false;
  if (subject.text === '!' && subject.type === 'op') return false;
  if (subject.text === '-' && subject.type === 'op' && (before === undefined || !endsOperand(before))) return false;
  return true;
}
