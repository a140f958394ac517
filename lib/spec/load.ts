import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { extname } from 'node:path';
import type { z } from 'zod';
import { checkSpec, type Issue, type IssuePath } from './checks';
import { quote, safeLine } from './message';
import { MAX_SPEC_BYTES, parseSpecText } from './parse';
import { SpecSchema, type Spec } from './schema';

/** Problems printed for one spec; the rest are counted, so a huge bad spec cannot flood the terminal. */
export const MAX_PRINTED_ISSUES = 50;

/** A spec that cannot be used; `issues` holds every problem found, not just the first. */
export class SpecError extends Error {
  constructor(readonly issues: readonly Issue[]) {
    const shown = issues.slice(0, MAX_PRINTED_ISSUES).map(formatIssue);
    if (issues.length > MAX_PRINTED_ISSUES) shown.push(`error: $: ${issues.length - MAX_PRINTED_ISSUES} more problems not shown; fix the ones above first`);
    super(shown.join('\n'));
    this.name = 'SpecError';
  }
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$-]*$/;

/** `vpcs[0].cidr`; keys that are not identifier-like are quoted (`tags["team name"]`) and cut when long. */
export function formatPath(path: IssuePath): string {
  if (path.length === 0) return '$';
  return path
    .map((part, i) => {
      if (typeof part === 'number') return `[${part}]`;
      if (!IDENTIFIER.test(part) || part.length > 64) return `[${quote(part)}]`;
      return i === 0 ? part : `.${part}`;
    })
    .join('');
}

/** One physical line: control characters in anything the spec supplied are escaped. */
export function formatIssue(issue: Issue): string {
  return safeLine(`${issue.level}: ${formatPath(issue.path)}: ${issue.message}`);
}

export interface LoadedSpec {
  /** The checked spec with defaults filled in. */
  readonly spec: Spec;
  /** Problems that do not stop synthesis. */
  readonly warnings: Issue[];
}

/** The spec file's text, read at most MAX_SPEC_BYTES + 1 bytes far: a pipe of 50 MB costs no more than a file of 1 MiB. */
function readSpecText(file: string): string {
  const fail = (message: string) => new SpecError([{ path: [], message, level: 'error' }]);
  const tooLarge = (bytes: string) => fail(`the spec is ${bytes} bytes; the limit is ${MAX_SPEC_BYTES} bytes (1 MiB)`);
  const buffer = Buffer.alloc(MAX_SPEC_BYTES + 1);
  let length = 0;
  let fd: number | undefined;
  try {
    fd = file === STDIN ? 0 : openSync(file, 'r');
    const stat = fstatSync(fd);
    // Regular files are measured before reading; pipes, sockets and terminals as they are read.
    if (stat.isDirectory() || stat.isBlockDevice() || (stat.isCharacterDevice() && file !== STDIN && !file.startsWith('/dev/fd/') && file !== '/dev/stdin')) {
      throw Object.assign(new Error('not a regular file'), { code: 'not a regular file' });
    }
    if (stat.isFile() && stat.size > MAX_SPEC_BYTES) throw tooLarge(String(stat.size));
    for (;;) {
      let read: number;
      try {
        read = readSync(fd, buffer, length, buffer.length - length, null);
      } catch (e) {
        // A non-blocking stdin with nothing yet: wait a little, then read again.
        if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') throw e;
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
        continue;
      }
      if (read === 0) break;
      length += read;
      if (length > MAX_SPEC_BYTES) throw tooLarge(`more than ${MAX_SPEC_BYTES}`);
    }
  } catch (e) {
    if (e instanceof SpecError) throw e;
    throw fail(`cannot read spec file ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  } finally {
    if (fd !== undefined && fd !== 0) closeSync(fd);
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(buffer.subarray(0, length));
  } catch {
    const bad = firstInvalidUtf8(buffer.subarray(0, length));
    throw fail(`the spec is not UTF-8 text (byte ${bad} is not valid UTF-8); save it as UTF-8`);
  }
}

/** Offset of the first byte that does not begin a valid UTF-8 sequence: the longest valid prefix, by bisection. */
function firstInvalidUtf8(bytes: Buffer): number {
  const valid = (end: number) => {
    try {
      // stream: a sequence cut by the prefix's end is not an error.
      new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(0, end), { stream: true });
      return true;
    } catch {
      return false;
    }
  };
  let low = 0;
  let high = bytes.length;
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if (valid(mid)) low = mid;
    else high = mid - 1;
  }
  return low;
}

/** The spec argument that means standard input. */
export const STDIN = '-';

/** Reads, parses and checks a spec file (`.json`; anything else, `-` for standard input too, is YAML, which JSON is a subset of). Throws SpecError. */
export function loadSpecFile(file: string): LoadedSpec {
  const text = readSpecText(file);
  return parseSpec(text, extname(file).toLowerCase() === '.json' ? 'json' : 'yaml');
}

export function parseSpec(text: string, format: 'json' | 'yaml'): LoadedSpec {
  const parsed = parseSpecText(text, format);
  if (!parsed.ok) throw new SpecError(parsed.issues);
  return validateSpec(parsed.value);
}

export function validateSpec(raw: unknown): LoadedSpec {
  const parsed = SpecSchema.safeParse(raw, { reportInput: true });
  if (!parsed.success) throw new SpecError(onePerField(parsed.error.issues.flatMap(schemaIssue)));
  const issues = checkSpec(parsed.data);
  const errors = issues.filter((i) => i.level === 'error');
  if (errors.length > 0) throw new SpecError(errors);
  return { spec: parsed.data, warnings: issues.filter((i) => i.level === 'warning') };
}

/**
 * A field breaks one rule at a time: zod reports a string given for a list as the wrong type and
 * again as too long, and 1e21 for a port as too big twice; the first line for a path is the one kept.
 */
function onePerField(issues: Issue[]): Issue[] {
  const seen = new Set<string>();
  return issues.filter((issue) => {
    const key = JSON.stringify(issue.path);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** zod's own wording ("Invalid input: ...", "Too big: ..."); a schema's own message is kept as written. */
const ZOD_WORDING = /^(Invalid|Too (big|small)|Expected)/;

function schemaIssue(issue: z.core.$ZodIssue): Issue[] {
  const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
  const error = (message: string, at: IssuePath = path): Issue => ({ path: at, message, level: 'error' });
  const given = (issue as { input?: unknown }).input;
  if ((issue.code === 'invalid_type' || issue.code === 'too_big' || issue.code === 'too_small') && given !== undefined && !ZOD_WORDING.test(issue.message)) {
    return [error(issue.message)];
  }
  switch (issue.code) {
    case 'unrecognized_keys':
      return issue.keys.map((key) => error('unknown field; check its spelling against the spec format (schema/egress-spec.schema.json)', [...path, key]));
    case 'invalid_type':
      if (typeof issue.input === 'number' && !Number.isFinite(issue.input)) return [error(`must be a finite number, not ${issue.input}`)];
      return [error(issue.input === undefined ? `is required (${issue.expected})` : `must be ${article(issue.expected)}, not ${describe(issue.input)}`)];
    case 'invalid_value':
      return [error(`must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`)];
    case 'invalid_union':
      if ('options' in issue && Array.isArray(issue.options)) {
        return [error(`must be one of ${(issue.options as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`)];
      }
      return [error(issue.message)];
    case 'too_small':
      return [error(bound('at least', issue.origin, issue.minimum))];
    case 'too_big':
      return [error(bound('at most', issue.origin, issue.maximum))];
    case 'invalid_key': {
      // A record key (a tag key) that failed its own rule: say which rule, not "Invalid key".
      const inner = (issue as { issues?: z.core.$ZodIssue[] }).issues?.[0];
      const rule = inner ? schemaIssue({ ...inner, path: [] })[0]?.message : undefined;
      return [error(rule ? `the key ${rule}` : issue.message)];
    }
    case 'invalid_format':
      return [error(issue.format === 'starts_with' ? `must start with "${(issue as { prefix?: string }).prefix}"` : issue.message)];
    default:
      return [error(issue.message)];
  }
}

function bound(word: string, origin: string, limit: number | bigint): string {
  switch (origin) {
    case 'array':
      return `must list ${word} ${limit} item${limit === 1 ? '' : 's'}`;
    case 'string':
      return limit === 1 && word === 'at least' ? 'must not be empty' : `must be ${word} ${limit} characters long`;
    default:
      return `must be ${word} ${limit}`;
  }
}

/** zod's type names as the spec's documentation says them: YAML and JSON users write lists and mappings. */
function article(type: string): string {
  const spoken: Record<string, string> = { array: 'a list', object: 'a mapping', record: 'a mapping', map: 'a mapping', int: 'a whole number' };
  return spoken[type] ?? (/^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return `${typeof value} ${typeof value === 'string' ? quote(value) : String(value)}`;
}
