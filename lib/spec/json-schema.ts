import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { SpecSchema } from './schema';

/** Where editors find the schema; the example specs point at it with `$schema` comments. */
export const JSON_SCHEMA_FILE = resolve(__dirname, '..', '..', 'schema', 'egress-spec.schema.json');

/** The JSON Schema of the spec as written by users (defaults are optional), from the zod schema. */
export function specJsonSchema(): string {
  const schema = z.toJSONSchema(SpecSchema, { io: 'input', target: 'draft-2020-12' });
  const document = {
    ...schema,
    $id: 'https://cdktf-egress.dev/schema/egress-spec.schema.json',
    title: 'cdktf-egress spec',
    description: 'Generated from lib/spec/schema.ts by `npm run schema`; do not edit by hand.',
  };
  return `${JSON.stringify(document, null, 2)}\n`;
}

/** Writes the schema file, or with `check` only reports whether it is current. Returns true when current. */
export function writeJsonSchema(check: boolean, file = JSON_SCHEMA_FILE): boolean {
  const wanted = specJsonSchema();
  const current = existsSync(file) ? readFileSync(file, 'utf8') : undefined;
  if (current === wanted) return true;
  if (!check) writeFileSync(file, wanted);
  return false;
}

if (require.main === module) {
  const check = process.argv.includes('--check');
  const current = writeJsonSchema(check);
  const name = join('schema', 'egress-spec.schema.json');
  if (check && !current) {
    process.stderr.write(`${name} is stale; run npm run schema\n`);
    process.exitCode = 1;
  } else {
    process.stdout.write(current ? `${name} is current\n` : `wrote ${name}\n`);
  }
}
