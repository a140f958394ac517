import { isAlias, isMap, isScalar, isSeq, LineCounter, parseAllDocuments, type Document, type Node } from 'yaml';
import type { Issue, IssuePath } from './checks';
import { quote } from './message';

/** A spec larger than this is refused before parsing: no real spec comes near it. */
export const MAX_SPEC_BYTES = 1024 * 1024;
/** Alias uses allowed in one YAML document: enough for anchors of shared blocks, too few for an alias bomb. */
export const MAX_ALIAS_COUNT = 100;

/** Deeper than this is refused before parsing: a spec needs about six levels, and parsers recurse. */
export const MAX_NESTING = 64;
/** Block-style YAML nests by indentation: lines indented further than this are refused. */
export const MAX_INDENT = 256;
/**
 * Entries (block lines outside block scalars, flow items) allowed before parsing: a spec of a
 * thousand VPCs has about 15,000. The YAML parser takes seconds over a few hundred thousand,
 * so more are refused by this count, in one linear pass, before it starts.
 */
export const MAX_ENTRIES = 50_000;

/** `key: |`, `- >-`, `text: |2`: a block scalar header ends its line; what follows, indented deeper, is text. */
const BLOCK_SCALAR_HEADER = /(^|[\s:-])[|>][1-9+-]{0,2}[ \t]*(#.*)?$/;

/**
 * One linear pass over the text, before any parser sees it: bracket depth outside quoted
 * strings, indentation (spaces and `- ` markers), and the number of entries, so that a
 * pathological file gets a clear line quickly, not a parser's stack overflow or a long wait.
 */
function shapeProblem(text: string): string | undefined {
  let depth = 0;
  let quote: string | undefined;
  let line = 1;
  let indent = 0;
  let spaces = 0;
  let atLineStart = true;
  let lineStart = 0;
  let entries = 0;
  /** Indentation of the line holding a block scalar header; deeper lines are its text. */
  let blockIndent = -1;
  const tooMany = () => `the spec has more than ${MAX_ENTRIES} entries (line ${line}); a spec of a thousand VPCs has about 15000, so split it or remove repeated entries`;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '\n') {
      if (!quote && depth === 0 && BLOCK_SCALAR_HEADER.test(text.slice(lineStart, i))) blockIndent = blockIndent >= 0 ? blockIndent : spaces;
      line += 1;
      atLineStart = true;
      indent = 0;
      spaces = 0;
      lineStart = i + 1;
      continue;
    }
    if (atLineStart && c === ' ') {
      indent += 1;
      spaces += 1;
      if (indent > MAX_INDENT) return `line ${line} is indented more than ${MAX_INDENT} columns; a spec nests only a few levels`;
      continue;
    }
    if (atLineStart && blockIndent >= 0) {
      // A line of a block scalar's text: skipped whole, whatever it holds.
      if (spaces > blockIndent || c === '\r') {
        const next = text.indexOf('\n', i);
        i = (next < 0 ? text.length : next) - 1;
        continue;
      }
      blockIndent = -1;
    }
    if (atLineStart && c === '-' && text[i + 1] === ' ') {
      indent += 1;
      if (indent > MAX_INDENT) return `line ${line} is indented more than ${MAX_INDENT} columns; a spec nests only a few levels`;
      continue;
    }
    if (atLineStart) {
      atLineStart = false;
      if (!quote && depth === 0 && c !== '#' && c !== '\r' && ++entries > MAX_ENTRIES) return tooMany();
    }
    if (quote) {
      if (c === '\\' && quote === '"') i += 1;
      else if (c === quote) quote = undefined;
    } else if (c === '"' || (c === "'" && /[\s[{,:]/.test(text[i - 1] ?? ' '))) {
      quote = c;
    } else if (c === '#' && /\s/.test(text[i - 1] ?? ' ')) {
      // A comment runs to the end of its line.
      const next = text.indexOf('\n', i);
      i = (next < 0 ? text.length : next) - 1;
    } else if (c === '[' || c === '{') {
      depth += 1;
      if (depth > MAX_NESTING) return `lists and mappings nest deeper than ${MAX_NESTING} levels (line ${line}); a spec nests only a few levels`;
      if (++entries > MAX_ENTRIES) return tooMany();
    } else if (c === ']' || c === '}') {
      depth = Math.max(0, depth - 1);
    } else if (c === ',' && depth > 0 && ++entries > MAX_ENTRIES) {
      return tooMany();
    }
  }
  return undefined;
}

/** Text into the plain value the schema checks, or every problem found on the way. */
export type ParseResult = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly issues: Issue[] };

const fail = (message: string, path: IssuePath = []): ParseResult => ({ ok: false, issues: [{ path, message, level: 'error' }] });

/**
 * Parses JSON or YAML with the same rules: a leading UTF-8 BOM is ignored; keys given twice,
 * `__proto__` keys, non-scalar keys, explicit tags and self-containing aliases are refused with
 * the path where they occur; alias expansion is bounded.
 */
export function parseSpecText(text: string, format: 'json' | 'yaml'): ParseResult {
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > MAX_SPEC_BYTES) return fail(`the spec is ${bytes} bytes; the limit is ${MAX_SPEC_BYTES} bytes (1 MiB)`);
  const source = text.startsWith('\uFEFF') ? text.slice(1) : text;
  const shape = shapeProblem(source);
  if (shape) return fail(shape);
  let jsonValue: unknown;
  if (format === 'json') {
    try {
      jsonValue = JSON.parse(source);
    } catch (e) {
      return fail(`not valid JSON: ${(e as Error).message}`);
    }
  }
  const lines = new LineCounter();
  // merge: YAML merge keys (`<<: *defaults`) are a common way to share blocks; they are honoured.
  const docs = parseAllDocuments(source, { prettyErrors: false, uniqueKeys: false, merge: true, lineCounter: lines });
  if (!Array.isArray(docs) || docs.length === 0) return format === 'json' ? { ok: true, value: jsonValue } : fail('the spec is empty; start from lib/spec/example.yaml');
  if (docs.length > 1) return fail(`the file holds ${docs.length} YAML documents (separated by ---); a spec is one document`);
  const doc = docs[0];
  if (format === 'yaml' && doc.errors.length > 0) {
    return { ok: false, issues: doc.errors.map((e) => ({ path: [], message: `not valid YAML: ${e.message.split('\n')[0]}`, level: 'error' as const })) };
  }
  const issues: Issue[] = [];
  if (doc.errors.length === 0) checkNodes(doc, doc.contents, [], new Set(), issues, lines);
  if (issues.length > 0) return { ok: false, issues };
  if (format === 'json') return { ok: true, value: jsonValue };
  try {
    return { ok: true, value: doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT }) };
  } catch (e) {
    const message = (e as Error).message;
    if (/alias count/i.test(message)) return fail(`YAML aliases expand to more than ${MAX_ALIAS_COUNT} copies; write the repeated values out or use fewer aliases`);
    return fail(`not valid YAML: ${message.split('\n')[0]}`);
  }
}

function where(node: { range?: [number, number, number] | null } | null | undefined, lines: LineCounter): string {
  if (!node?.range) return '';
  const { line, col } = lines.linePos(node.range[0]);
  return ` (line ${line}, column ${col})`;
}

/** One pass over the node tree (linear in its size): what JSON and YAML must both refuse. */
function checkNodes(doc: Document, node: Node | null | undefined, path: IssuePath, ancestors: Set<Node>, issues: Issue[], lines: LineCounter): void {
  const issue = (at: IssuePath, message: string) => issues.push({ path: at, message, level: 'error' });
  if (!node) return;
  if (isAlias(node)) {
    const target = node.resolve(doc);
    if (!target) issue(path, `alias *${node.source} names no anchor before it${where(node, lines)}; define &${node.source} first`);
    else if (ancestors.has(target)) issue(path, `alias *${node.source} refers to a value that contains it${where(node, lines)}; a spec cannot be circular`);
    return;
  }
  const tag = (node as { tag?: string }).tag;
  if (tag && !isPlainTag(tag)) issue(path, `YAML tag ${tag} is not supported${where(node, lines)}; write a plain string, number, boolean, list or mapping`);
  if (!isMap(node) && !isSeq(node)) return;
  ancestors.add(node);
  if (isSeq(node)) {
    node.items.forEach((item, i) => checkNodes(doc, item as Node, [...path, i], ancestors, issues, lines));
  } else {
    const seen = new Set<string>();
    for (const pair of node.items) {
      const keyNode = pair.key as Node | null;
      if (isScalar(keyNode) && typeof keyNode.value === 'symbol') {
        // A merge key (`<<: *defaults`): once per mapping, of a mapping or a list of them; what
        // it brings in is checked where the anchor is defined.
        const at = [...path, '<<'];
        if (seen.has('<<')) issue(at, `the merge key << is given twice${where(keyNode, lines)}; merge several mappings with one key: <<: [*a, *b]`);
        seen.add('<<');
        const source = pair.value as Node | null;
        const sources = isSeq(source) ? (source.items as Node[]) : [source];
        const notMap = sources.find((n) => !isMap(isAlias(n) ? n.resolve(doc) : n) && !(isAlias(n) && !n.resolve(doc)));
        if (notMap !== undefined) issue(at, `a merge key takes a mapping, an alias of one or a list of them${where(notMap ?? keyNode, lines)}; write <<: *name with &name on a mapping`);
        else checkNodes(doc, source, path, ancestors, issues, lines);
        continue;
      }
      if (!isScalar(keyNode) || (keyNode.value !== null && typeof keyNode.value === 'object')) {
        issue(path, `a mapping key is a list or mapping${where(keyNode, lines)}; keys must be plain strings`);
        continue;
      }
      const key = String(keyNode.value);
      if (key === '__proto__') issue([...path, key], `the key "__proto__" is not allowed${where(keyNode, lines)}; JavaScript objects treat it specially, so rename it`);
      else if (seen.has(key)) issue([...path, key], `the key ${quote(key)} is given twice${where(keyNode, lines)}; give each key once`);
      seen.add(key);
      checkNodes(doc, pair.value as Node, [...path, key], ancestors, issues, lines);
    }
  }
  ancestors.delete(node);
}

const PLAIN_TAGS = new Set(['str', 'int', 'float', 'bool', 'null', 'map', 'seq'].map((t) => `tag:yaml.org,2002:${t}`));

/** Core-schema tags written out (`!!str 1`) only say what the value already is; the rest (`!!binary`, `!foo`) are refused. */
function isPlainTag(tag: string): boolean {
  return PLAIN_TAGS.has(tag);
}
