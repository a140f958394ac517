import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { checkSpec, type Issue, type IssuePath } from './checks';
import { SpecSchema, type Spec } from './schema';

/** A spec that cannot be used; `issues` holds every problem found, not just the first. */
export class SpecError extends Error {
  constructor(readonly issues: readonly Issue[]) {
    super(issues.map(formatIssue).join('\n'));
    this.name = 'SpecError';
  }
}

export function formatPath(path: IssuePath): string {
  if (path.length === 0) return '$';
  return path.map((part, i) => (typeof part === 'number' ? `[${part}]` : i === 0 ? part : `.${part}`)).join('');
}

export function formatIssue(issue: Issue): string {
  return `${issue.level}: ${formatPath(issue.path)}: ${issue.message}`;
}

export interface LoadedSpec {
  /** The checked spec with defaults filled in. */
  readonly spec: Spec;
  /** Problems that do not stop synthesis. */
  readonly warnings: Issue[];
}

/** Reads, parses and checks a spec file (`.json`, `.yaml`, `.yml`). Throws SpecError. */
export function loadSpecFile(file: string): LoadedSpec {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new SpecError([{ path: [], message: `cannot read spec file ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`, level: 'error' }]);
  }
  return parseSpec(text, extname(file).toLowerCase() === '.json' ? 'json' : 'yaml');
}

export function parseSpec(text: string, format: 'json' | 'yaml'): LoadedSpec {
  let raw: unknown;
  if (format === 'json') {
    try {
      raw = JSON.parse(text);
    } catch (e) {
      throw new SpecError([{ path: [], message: `not valid JSON: ${(e as Error).message}`, level: 'error' }]);
    }
  } else {
    const doc = parseDocument(text, { prettyErrors: false, uniqueKeys: true });
    if (doc.errors.length > 0) {
      throw new SpecError(doc.errors.map((e) => ({ path: [], message: `not valid YAML: ${e.message.split('\n')[0]}`, level: 'error' as const })));
    }
    raw = doc.toJS();
  }
  return validateSpec(raw);
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
  return `${typeof value} ${JSON.stringify(value)}`;
}
