import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { withoutCreationStacks } from './lib/creation-stacks';
import { chooseOutdir, Interrupted, localState, migrateInTreeState, OutputError, writeOutput } from './lib/outdir';
import { writeReports } from './lib/report';
import { formatIssue, loadSpecFromEnv, SpecError, type LoadedSpec } from './lib/spec';
import { safeLine } from './lib/spec/message';

// main.ts runs from the sources or, compiled, from dist/: the project root holds package.json.
const PROJECT_ROOT = existsSync(join(__dirname, 'package.json')) ? __dirname : dirname(__dirname);
const USAGE = 'usage: npm run synth [-- SPEC_FILE]  (- reads standard input; or EGRESS_SPEC=SPEC_FILE; EGRESS_OUTDIR picks the output directory)';

/**
 * Reads the spec (the one argument, EGRESS_SPEC, or the built-in example) and synthesizes its
 * stack into cdktf.out (CDKTF_OUTDIR when run by `cdktf synth`, EGRESS_OUTDIR to choose another
 * place), keeping whatever in that directory it did not generate.
 */
async function main(args: readonly string[]): Promise<number> {
  let loaded: LoadedSpec;
  try {
    loaded = loadSpecFromEnv(process.env, args);
  } catch (e) {
    if (!(e instanceof SpecError)) throw e;
    process.stderr.write(`${e.message}\n`);
    return 2;
  }
  loaded.warnings.forEach((w) => process.stderr.write(`${formatIssue(w)}\n`));
  const spec = loaded.spec;
  const say = (line: string) => process.stderr.write(`${safeLine(line)}\n`);
  try {
    const target = await writeOutput({
      choice: chooseOutdir(process.env),
      protectedRoots: [process.cwd(), PROJECT_ROOT],
      notice: (line) => say(`notice: output: ${line}`),
      build: (staging, finalTarget) => {
        const state = spec.backend.type === 'local' ? localState(spec.project, finalTarget, spec.backend.path) : undefined;
        // Loaded only once the spec is known to be good: a bad spec fails in milliseconds.
        const { App } = require('cdktf') as typeof import('cdktf');
        const { EgressStack } = require('./lib/stacks/egress-stack') as typeof import('./lib/stacks/egress-stack');
        withoutCreationStacks(() => {
          const app = new App({ outdir: staging });
          new EgressStack(app, spec, { localStatePath: state?.backendPath });
          app.synth();
        });
        // The same checked spec feeds the stack, the cost report and the diagram: one pass, no re-parse.
        const reports = writeReports(spec, join(staging, 'stacks', spec.project));
        reports.problems.forEach((p) => say(`warning: cost report: ${p}`));
      },
      beforeSwap: (finalTarget) => {
        if (spec.backend.type !== 'local') return;
        migrateInTreeState(finalTarget, spec.project, localState(spec.project, finalTarget, spec.backend.path)).forEach(say);
      },
    });
    process.stdout.write(`synthesized ${spec.project} into ${join(target, 'stacks', spec.project)}\n`);
    return 0;
  } catch (e) {
    if (e instanceof OutputError) {
      say(`error: ${e.where}: ${e.message}`);
      return 2;
    }
    if (e instanceof Interrupted) return e.signal === 'SIGINT' ? 130 : 143;
    throw e;
  }
}

const args = process.argv.slice(2);
if (args.length > 1 || args.some((a) => a.startsWith('-') && a !== '-')) {
  process.stderr.write(`error: arguments: ${safeLine(args.join(' '))} not understood; ${USAGE}\n`);
  process.exitCode = 2;
} else {
  main(args).then((code) => (process.exitCode = code));
}
