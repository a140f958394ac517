import { join, resolve } from 'node:path';
import { loadSpecFile, SpecError, type LoadedSpec } from './load';
import { quote } from './message';

export { formatIssue, formatPath, loadSpecFile, parseSpec, SpecError, validateSpec, type LoadedSpec } from './load';
export type { Issue } from './checks';
export type { Spec } from './schema';

export const EXAMPLE_SPEC_FILE = join(__dirname, 'example.yaml');

/**
 * The spec named by the one command-line argument, or EGRESS_SPEC, or the built-in example.
 * An argument and a different EGRESS_SPEC together are refused: which one was meant is unknown.
 */
export function loadSpecFromEnv(env: NodeJS.ProcessEnv = process.env, args: readonly string[] = []): LoadedSpec & { file: string } {
  const [arg] = args;
  if (arg !== undefined && env.EGRESS_SPEC && resolve(env.EGRESS_SPEC) !== resolve(arg)) {
    throw new SpecError([{ path: [], message: `two specs named: the argument ${quote(arg)} and EGRESS_SPEC=${quote(env.EGRESS_SPEC)}; name one`, level: 'error' }]);
  }
  const file = arg || env.EGRESS_SPEC || EXAMPLE_SPEC_FILE;
  return { ...loadSpecFile(file), file };
}
