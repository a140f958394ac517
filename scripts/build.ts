import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { rewriteForCdktn, remainingCdktfImports } from './cdktn-rewrite';

// `npm run build`: the library as JavaScript with declarations and source maps in dist/,
// laid out like the sources (dist/main.js, dist/lib/...), plus dist/cdktn/lib: the same
// files importing cdktn and @cdktn/provider-aws. Built beside dist/ and swapped in whole,
// so a failed build leaves the previous one as it was.

const ROOT = resolve(__dirname, '..');
const OUT = join(ROOT, 'dist');

function compile(staging: string): void {
  const tsc = require.resolve('typescript/bin/tsc');
  const result = spawnSync(process.execPath, [tsc, '-p', join(ROOT, 'tsconfig.build.json'), '--outDir', staging], { stdio: 'inherit', timeout: 600_000 });
  if (result.status !== 0) throw new Error(`tsc -p tsconfig.build.json failed (exit ${result.status ?? result.signal})`);
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name));
}

/** Files the code reads at run time beside itself (the boot script, the example spec). */
function copyAssets(staging: string): number {
  const assets = filesUnder(join(ROOT, 'lib')).filter((file) => !file.endsWith('.ts'));
  for (const file of assets) {
    const target = join(staging, relative(ROOT, file));
    if (existsSync(target)) continue;
    mkdirSync(dirname(target), { recursive: true });
    cpSync(file, target, { preserveTimestamps: true });
  }
  return assets.length;
}

/** dist/cdktn/lib: every file of dist/lib, with cdktf imports turned into cdktn ones. */
function writeCdktnBuild(staging: string): void {
  const from = join(staging, 'lib');
  const to = join(staging, 'cdktn', 'lib');
  for (const file of filesUnder(from)) {
    const target = join(to, relative(from, file));
    mkdirSync(dirname(target), { recursive: true });
    if (/\.(js|d\.ts)$/.test(file)) {
      writeFileSync(target, rewriteForCdktn(readFileSync(file, 'utf8')));
    } else if (file.endsWith('.js.map')) {
      writeFileSync(target, relocateSourceMap(readFileSync(file, 'utf8'), dirname(file), dirname(target)));
    } else {
      cpSync(file, target);
    }
  }
  const left = filesUnder(to).flatMap((file) => remainingCdktfImports(readFileSync(file, 'utf8')).map((spec) => `${relative(staging, file)}: ${spec}`));
  if (left.length > 0) throw new Error(`cdktf imports left in the cdktn build:\n${left.join('\n')}`);
}

/**
 * The rewrite keeps every line's length, so the mappings hold; the embedded sources get the
 * same rewrite (they are what a debugger shows) and their paths move with the file.
 */
function relocateSourceMap(text: string, fromDir: string, toDir: string): string {
  const map = JSON.parse(text) as { sources: string[]; sourcesContent?: (string | null)[] };
  map.sources = map.sources.map((source) => relative(toDir, resolve(fromDir, source)));
  map.sourcesContent = map.sourcesContent?.map((content) => (content === null ? null : rewriteForCdktn(content)));
  return JSON.stringify(map);
}

function main(): void {
  const staging = join(ROOT, `.dist-staging-${process.pid}`);
  const previous = join(ROOT, `.dist-previous-${process.pid}`);
  rmSync(staging, { recursive: true, force: true });
  try {
    compile(staging);
    const assets = copyAssets(staging);
    writeCdktnBuild(staging);
    if (existsSync(OUT)) renameSync(OUT, previous);
    renameSync(staging, OUT);
    rmSync(previous, { recursive: true, force: true });
    process.stdout.write(`built dist/ (cdktf) and dist/cdktn/ from the same sources, ${assets} asset files\n`);
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

try {
  main();
} catch (e) {
  process.stderr.write(`build: ${(e as Error).message}\n`);
  process.exitCode = 1;
}
