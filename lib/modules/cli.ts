import { join, relative, resolve } from 'node:path';
import { Interrupted, OutputError } from '../outdir';
import { driftOf, generateModules, hasDrift, writeModules } from './generate';
import { REGENERATE } from './header';

/**
 * `npm run modules`: regenerates modules/ (all or nothing), keeping every file there it does not
 * generate (`.terraform/`, lock files, state, plans, a user's files). `-- --check` writes nothing
 * and exits 1 naming every stale or missing file, and every file Terraform would load as part of
 * a module that the generator does not make (regenerating keeps those, so they are removed by
 * hand); Terraform's working files are ignored, and other files are listed as kept. `--dir
 * <path>` works on another directory. Exit 2: bad arguments, a directory that cannot be written,
 * or a module that cannot be generated.
 */
async function main(argv: readonly string[]): Promise<number> {
  const check = argv.includes('--check');
  const dirAt = argv.indexOf('--dir');
  const unknown = argv.filter((arg, i) => arg !== '--check' && arg !== '--dir' && argv[i - 1] !== '--dir');
  if (unknown.length > 0 || (dirAt >= 0 && !argv[dirAt + 1])) {
    process.stderr.write(`usage: ${REGENERATE} [-- --check] [--dir <path>]\n`);
    return 2;
  }
  const dir = dirAt >= 0 ? resolve(argv[dirAt + 1]) : resolve(__dirname, '..', '..', 'modules');
  const inside = relative(process.cwd(), dir);
  const shown = inside === '' ? '.' : inside.startsWith('..') ? dir : inside;
  const files = generateModules();
  if (!check) {
    await writeModules(dir, files, { where: dirAt >= 0 ? '--dir' : 'modules' });
    process.stdout.write(`wrote ${files.size} files to ${shown}/\n`);
    return 0;
  }
  const drift = driftOf(dir, files);
  for (const path of drift.kept) process.stdout.write(`kept: ${join(shown, path)} (not generated; ${REGENERATE} leaves it in place)\n`);
  if (!hasDrift(drift)) {
    process.stdout.write(`${shown}/ is up to date (${files.size} files)\n`);
    return 0;
  }
  const lines = [
    ...drift.stale.map((path) => `stale: ${join(shown, path)}`),
    ...drift.missing.map((path) => `missing: ${join(shown, path)}`),
    ...drift.unexpected.map((path) => `unexpected: ${join(shown, path)} (Terraform loads it, the generator does not make it, and ${REGENERATE} keeps it: delete it or move it out of ${shown}/)`),
  ];
  const regenerate = drift.stale.length + drift.missing.length > 0 ? `; run \`${REGENERATE}\` and commit the result` : '';
  process.stderr.write(`${lines.join('\n')}\n${shown}/ is out of date with lib/${regenerate}\n`);
  return 1;
}

main(process.argv.slice(2)).then(
  (code) => (process.exitCode = code),
  (e: unknown) => {
    // Nothing was swapped in: modules/ is replaced only once every file is ready.
    if (e instanceof OutputError) process.stderr.write(`error: ${e.where}: ${e.message}\n`);
    else process.stderr.write(`error: ${(e as Error).message}\n`);
    process.exitCode = e instanceof Interrupted ? (e.signal === 'SIGINT' ? 130 : 143) : 2;
  },
);
