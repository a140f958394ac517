import { formatIssue, loadSpecFromEnv, SpecError, type LoadedSpec } from '../spec';
import { adviseCosts } from './cost-advisor';
import { costModel } from './cost-model';
import { priceSources, renderCostReport } from './cost-report';
import { PriceError } from './price-table';

/**
 * `npm run cost [-- --json]`: the cost table for the spec named by EGRESS_SPEC (or the built-in
 * example). Loads no cdktf or provider code, so it answers in well under a second.
 */

export interface CliIo {
  readonly env: NodeJS.ProcessEnv;
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
}

const USAGE = 'usage: npm run cost [-- --json]';

/** Exit codes: 0 printed, 1 not priceable (region or instance type missing from the price table), 2 bad spec or usage. */
export function runCostCli(args: readonly string[], io: CliIo): number {
  const unknown = args.filter((a) => a !== '--json');
  if (unknown.length > 0) {
    io.stderr(`error: unknown argument ${unknown.join(' ')}; ${USAGE}\n`);
    return 2;
  }
  let loaded: LoadedSpec;
  try {
    loaded = loadSpecFromEnv(io.env);
  } catch (e) {
    if (!(e instanceof SpecError)) throw e;
    io.stderr(`${e.message}\n`);
    return 2;
  }
  loaded.warnings.forEach((w) => io.stderr(`${formatIssue(w)}\n`));
  try {
    const json = () => ({ ...costModel(loaded.spec), priceSources: priceSources(loaded.spec), ...adviseCosts(loaded.spec) });
    io.stdout(args.includes('--json') ? `${JSON.stringify(json(), null, 2)}\n` : renderCostReport(loaded.spec));
  } catch (e) {
    if (!(e instanceof PriceError)) throw e;
    io.stderr(`error: ${e.message}\n`);
    return 1;
  }
  return 0;
}

if (require.main === module) {
  process.exitCode = runCostCli(process.argv.slice(2), {
    env: process.env,
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
  });
}
