import { join, relative, resolve } from 'node:path';
import { driftOf, generateModules, hasDrift, writeModules } from './generate';
import { REGENERATE } from './header';

/**
 * `npm run modules`: regenerates modules/ (all or nothing). `-- --check` writes nothing and
 * exits 1 naming every stale, missing or unexpected file. `--dir <path>` works on another
 * directory. Exit 2: bad arguments or a module that cannot be generated.
 */
function main(argv: readonly string[]): number {
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
    writeModules(dir, files);
    process.stdout.write(`wrote ${files.size} files to ${shown}/\n`);
    return 0;
  }
  const drift = driftOf(dir, files);
  if (!hasDrift(drift)) {
    process.stdout.write(`${shown}/ is up to date (${files.size} files)\n`);
    return 0;
  }
  const lines = [
    ...drift.stale.map((path) => `stale: ${join(shown, path)}`),
    ...drift.missing.map((path) => `missing: ${join(shown, path)}`),
    ...drift.unexpected.map((path) => `unexpected: ${join(shown, path)}`),
  ];
  process.stderr.write(`${lines.join('\n')}\n${shown}/ is out of date with lib/; run \`${REGENERATE}\` and commit the result\n`);
  return 1;
}

try {
  process.exitCode = main(process.argv.slice(2));
} catch (e) {
  // Nothing was written: modules/ is replaced only once every file is ready.
  process.stderr.write(`error: ${(e as Error).message}\n`);
  process.exitCode = 2;
}
