import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const ROOT = resolve(__dirname, '..', '..');

export interface SynthRun {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly outdir: string;
}

type SpecSource = { text: string; ext?: 'yaml' | 'json' } | { file: string } | undefined;

function synthEnv(spec: SpecSource, outdir?: string): NodeJS.ProcessEnv {
  const work = mkdtempSync(join(tmpdir(), 'egress-synth-'));
  const env: NodeJS.ProcessEnv = { ...process.env, EGRESS_OUTDIR: outdir ?? join(work, 'cdktf.out') };
  delete env.EGRESS_SPEC;
  delete env.CDKTF_OUTDIR;
  if (spec && 'text' in spec) {
    env.EGRESS_SPEC = join(work, `spec.${spec.ext ?? 'yaml'}`);
    writeFileSync(env.EGRESS_SPEC, spec.text);
  } else if (spec) {
    env.EGRESS_SPEC = spec.file;
  }
  return env;
}

/** What `npm run synth` runs: the compiled app under plain node (dist/ is made current by the tiers' global setup). */
const APP = ['scripts/synth.js'];

/** Runs the app as `npm run synth` does, in a child process, with the given spec text or file. */
export function runSynth(spec: SpecSource, outdir?: string): SynthRun {
  const env = synthEnv(spec, outdir);
  const result = spawnSync(process.execPath, APP, { cwd: ROOT, env, encoding: 'utf8', timeout: 60_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr, outdir: env.EGRESS_OUTDIR as string };
}

/** `runSynth` without blocking, so independent runs can overlap. */
export function runSynthAsync(spec: SpecSource, outdir?: string): Promise<SynthRun> {
  const env = synthEnv(spec, outdir);
  return new Promise((done) => {
    const child = execFile(process.execPath, APP, { cwd: ROOT, env, encoding: 'utf8', timeout: 60_000 }, (_error, stdout, stderr) => {
      done({ status: child.exitCode, stdout, stderr, outdir: env.EGRESS_OUTDIR as string });
    });
  });
}

export function readStack(outdir: string, project: string): StackJson {
  return JSON.parse(readFileSync(join(outdir, 'stacks', project, 'cdk.tf.json'), 'utf8')) as StackJson;
}

export interface StackJson {
  readonly resource: Record<string, Record<string, Record<string, unknown>>>;
  readonly terraform: Record<string, unknown>;
  readonly provider: Record<string, unknown>;
  readonly output?: Record<string, unknown>;
}

/** Resources of one type in a synthesized stack. */
export function resourcesOf(stack: StackJson, type: string): Record<string, unknown>[] {
  return Object.values(stack.resource[type] ?? {});
}
