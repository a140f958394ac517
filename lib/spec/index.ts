import { join } from 'node:path';
import { loadSpecFile, type LoadedSpec } from './load';

export { formatIssue, formatPath, loadSpecFile, parseSpec, SpecError, validateSpec, type LoadedSpec } from './load';
export type { Issue } from './checks';
export type { Spec } from './schema';

export const EXAMPLE_SPEC_FILE = join(__dirname, 'example.yaml');

/** The spec named by EGRESS_SPEC, or the built-in example. */
export function loadSpecFromEnv(env: NodeJS.ProcessEnv = process.env): LoadedSpec & { file: string } {
  const file = env.EGRESS_SPEC || EXAMPLE_SPEC_FILE;
  return { ...loadSpecFile(file), file };
}
