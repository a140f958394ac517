import { readFileSync, statSync } from 'node:fs';
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

/** Reads, parses and checks a spec file (`.json`, `.yaml`, `.yml`). Throws SpecError. */
export function loadSpecFile(file: string): LoadedSpec {
  const cannot = (e: unknown) => new SpecError([{ path: [], message: `cannot read spec file ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`, level: 'error' }]);
  let text: string;
  try {
    // Checked before reading: a huge file (or /dev/zero) is refused without being loaded.
    const stat = statSync(file);
    if (!stat.isFile()) throw Object.assign(new Error('not a regular file'), { code: 'not a regular file' });
    if (stat.size > MAX_SPEC_BYTES) {
      throw new SpecError([{ path: [], message: `the spec is ${stat.size} bytes; the limit is ${MAX_SPEC_BYTES} bytes (1 MiB)`, level: 'error' }]);
    }
    text = readFileSync(file, 'utf8');
  } catch (e) {
    if (e instanceof SpecError) throw e;
    throw cannot(e);
  }
  return parseSpec(text, extname(file).toLowerCase() === '.json' ? 'json' : 'yaml');
}

export function parseSpec(text: string, format: 'json' | 'yaml'): LoadedSpec {
  const parsed = parseSpecText(text, format);
  if (!parsed.ok) throw new SpecError(parsed.issues);
  return validateSpec(parsed.value);
}

export function validateSpec(raw: unknown): LoadedSpec {
  const parsed = SpecSchema.safeParse(raw, { reportInput: true });
  if (!parsed.success) throw new SpecError(parsed.error.issues.flatMap(schemaIssue));
  const issues = checkSpec(parsed.data);
  const errors = issues.filter((i) => i.level === 'error');
  if (errors.length > 0) throw new SpecError(errors);
  return { spec: parsed.data, warnings: issues.filter((i) => i.level === 'warning') };
}

function schemaIssue(issue: z.core.$ZodIssue): Issue[] {
  const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
  const error = (message: string, at: IssuePath = path): Issue => ({ path: at, message, level: 'error' });
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

function article(type: string): string {
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return `${typeof value} ${typeof value === 'string' ? quote(value) : String(value)}`;
}
