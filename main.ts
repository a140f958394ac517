import { join } from 'node:path';
import { withoutCreationStacks } from './lib/creation-stacks';
import { replaceDirectory } from './lib/output';
import { writeReports } from './lib/report';
import { formatIssue, loadSpecFromEnv, SpecError, type LoadedSpec } from './lib/spec';

/**
 * Reads the spec (EGRESS_SPEC, or the built-in example) and synthesizes its stack into
 * cdktf.out (CDKTF_OUTDIR when run by `cdktf synth`, EGRESS_OUTDIR to choose another place).
 */
function main(): number {
  let loaded: LoadedSpec;
  try {
    loaded = loadSpecFromEnv();
  } catch (e) {
    if (!(e instanceof SpecError)) throw e;
    process.stderr.write(`${e.message}\n`);
    return 2;
  }
  loaded.warnings.forEach((w) => process.stderr.write(`${formatIssue(w)}\n`));
  const outdir = process.env.EGRESS_OUTDIR ?? process.env.CDKTF_OUTDIR ?? 'cdktf.out';
  // Loaded only once the spec is known to be good: a bad spec fails in milliseconds.
  const { App } = require('cdktf') as typeof import('cdktf');
  const { EgressStack } = require('./lib/stacks/egress-stack') as typeof import('./lib/stacks/egress-stack');
  replaceDirectory(outdir, (staging) => {
    withoutCreationStacks(() => {
      const app = new App({ outdir: staging });
      new EgressStack(app, loaded.spec);
      app.synth();
    });
    // The same checked spec feeds the stack, the cost report and the diagram: one pass, no re-parse.
    const reports = writeReports(loaded.spec, join(staging, 'stacks', loaded.spec.project));
    reports.problems.forEach((p) => process.stderr.write(`warning: cost report: ${p}\n`));
  });
  process.stdout.write(`synthesized ${loaded.spec.project} into ${outdir}/stacks/${loaded.spec.project}\n`);
  return 0;
}

process.exitCode = main();
