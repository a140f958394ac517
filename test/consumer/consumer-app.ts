import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export const ROOT = join(__dirname, '..', '..');

/** The framework a consumer app is written against, and what differs between the two. */
export interface Flavor {
  readonly name: string;
  /** Exact versions the app pins, as a user's app does. */
  readonly dependencies: Record<string, string>;
  readonly devDependencies: Record<string, string>;
  /** Module specifier renames applied to the README's example app. */
  readonly renames: readonly (readonly [string, string])[];
}

const repoPackage = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> };
const dev = repoPackage.devDependencies;

export const CDKTF: Flavor = {
  name: 'cdktf',
  // The newest constructs cdktf admits, while the repository's own app runs on 10.4.2: both ends of the peer range.
  dependencies: { cdktf: dev.cdktf, '@cdktf/provider-aws': dev['@cdktf/provider-aws'], constructs: '10.8.1' },
  devDependencies: { typescript: dev.typescript, 'ts-node': dev['ts-node'], '@types/node': dev['@types/node'] },
  renames: [],
};

/** The oldest releases the peer ranges admit: cdktf 0.20.0 with the aws provider package for aws 5.85, the first with the launch template's `connection_tracking_specification` (and after the VPC Block Public Access exclusion, 5.79). */
export const CDKTF_OLDEST: Flavor = {
  name: 'cdktf-oldest',
  dependencies: { cdktf: '0.20.0', '@cdktf/provider-aws': '19.51.0', constructs: '10.3.0' },
  devDependencies: { typescript: dev.typescript, '@types/node': dev['@types/node'] },
  renames: [],
};

export const CDKTN: Flavor = {
  name: 'cdktn',
  // cdktn admits constructs >= 10.6.0 < 10.8.0.
  dependencies: { cdktn: '0.24.0', '@cdktn/provider-aws': '25.7.0', constructs: '10.7.2' },
  devDependencies: { typescript: dev.typescript, '@types/node': dev['@types/node'] },
  renames: [
    ["from 'cdktf'", "from 'cdktn'"],
    ["from '@cdktf/provider-aws/", "from '@cdktn/provider-aws/"],
    ["from 'cdktf-egress'", "from 'cdktf-egress/cdktn'"],
  ],
};

/** The tsconfig.json `cdktf init --template=typescript` writes (cdktf-cli 0.21). */
const INIT_TSCONFIG = {
  compilerOptions: {
    alwaysStrict: true, declaration: true, experimentalDecorators: true, inlineSourceMap: true, inlineSources: true,
    lib: ['es2018'], module: 'CommonJS', noEmitOnError: true, noFallthroughCasesInSwitch: true, noImplicitAny: true,
    noImplicitReturns: true, noImplicitThis: true, noUnusedLocals: true, noUnusedParameters: true, resolveJsonModule: true,
    strict: true, strictNullChecks: true, strictPropertyInitialization: true, stripInternal: true, target: 'ES2018',
    incremental: true, skipLibCheck: true,
  },
  include: ['**/*.ts'],
  exclude: ['node_modules', 'cdktf.out'],
};

/** The complete example app in README.md, between its `example-app` markers. */
export function readmeExampleApp(): string {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const match = /<!-- example-app:start -->\s*```ts\n([\s\S]*?)```\s*<!-- example-app:end -->/.exec(readme);
  if (!match) throw new Error('README.md has no example app between <!-- example-app:start --> and <!-- example-app:end -->');
  return match[1];
}

/** The example app as written for `flavor`: every rename must apply, so a README change cannot slip past. */
export function appSource(flavor: Flavor): string {
  return flavor.renames.reduce((source, [from, to]) => {
    if (!source.includes(from)) throw new Error(`the README example app has no ${from} for the ${flavor.name} rename`);
    return source.split(from).join(to);
  }, readmeExampleApp());
}

/** Environment of a fresh shell: no npm settings inherited from the test runner, no telemetry. */
export function cleanEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^npm_/i.test(key) && key !== 'INIT_CWD'));
  return { ...env, CHECKPOINT_DISABLE: '1', CI: '1', ...extra };
}

export async function exec(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = cleanEnv(), timeout = 600_000): Promise<string> {
  try {
    const { stdout } = await run(command, args, { cwd, env, timeout, killSignal: 'SIGKILL', maxBuffer: 64 * 1024 * 1024 });
    return stdout;
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string; message: string };
    throw new Error(`${command} ${args.join(' ')} failed in ${cwd}:\n${err.stderr || ''}${err.stdout || ''}${err.message}`.slice(-8000));
  }
}

/** `npm pack` of this repository (its prepack script builds dist/) into `dir`; returns the tarball's path. */
export async function packRepository(dir: string): Promise<string> {
  const out = await exec('npm', ['pack', '--json', '--pack-destination', dir], ROOT, cleanEnv(), 900_000);
  const [{ filename }] = JSON.parse(out.slice(out.indexOf('['))) as { filename: string }[];
  return join(dir, filename);
}

/** A fresh app in `dir` like `cdktf init` makes, with the README example as main.ts, installed from the tarball. */
export async function createApp(dir: string, flavor: Flavor, tarball: string, npmCache: string): Promise<void> {
  mkdirSync(dir, { recursive: true });
  const pkg = {
    name: `consumer-${flavor.name}`, version: '1.0.0', private: true, main: 'main.js',
    dependencies: { 'cdktf-egress': `file:${tarball}`, ...flavor.dependencies },
    devDependencies: flavor.devDependencies,
  };
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify(pkg, null, 2)}\n`);
  writeFileSync(join(dir, 'tsconfig.json'), `${JSON.stringify(INIT_TSCONFIG, null, 2)}\n`);
  writeFileSync(join(dir, 'cdktf.json'), `${JSON.stringify({ language: 'typescript', app: 'npx ts-node main.ts', projectId: `consumer-${flavor.name}`, sendCrashReports: 'false', terraformProviders: [], terraformModules: [], context: {} }, null, 2)}\n`);
  writeFileSync(join(dir, 'main.ts'), appSource(flavor));
  // A cache of our own keeps repeat runs fast and leaves the user's npm cache alone.
  await exec('npm', ['install', '--cache', npmCache, '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], dir, cleanEnv(), 900_000);
}

/** The synthesized stack `stack` under `outdir`, parsed. */
export function readStack(outdir: string, stack: string): Record<string, any> {
  return JSON.parse(readFileSync(join(outdir, 'stacks', stack, 'cdk.tf.json'), 'utf8'));
}

/**
 * A stack as the comparison sees it: the framework version in the metadata, the app's own
 * directory in the local backend path and the aws provider's `required_providers` entry
 * (source spelling and pinned version) set aside; everything else must be equal.
 */
export function comparable(stack: Record<string, any>, appDir: string): Record<string, any> {
  const copy = JSON.parse(JSON.stringify(stack).split(appDir).join('<app>'));
  delete copy['//']?.metadata?.version;
  delete copy.terraform?.required_providers?.aws;
  return copy;
}
