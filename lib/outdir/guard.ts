import { existsSync, lstatSync, readdirSync, realpathSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { OutputError } from './error';
import { cdktfLegacy, type LegacyLayout } from './legacy';

/** The file that marks a directory as written by cdktf-egress and lists what it generated. */
export const MARKER = '.cdktf-egress.json';

/** Where the output goes and what named it, for error lines. */
export interface OutdirChoice {
  readonly value: string;
  /** `EGRESS_OUTDIR`, `CDKTF_OUTDIR` (`cdktf synth --output`) or `default`. */
  readonly where: string;
}

/** EGRESS_OUTDIR wins, then CDKTF_OUTDIR (set by the CDKTF CLI), then `cdktf.out`. */
export function chooseOutdir(env: NodeJS.ProcessEnv): OutdirChoice {
  if (env.EGRESS_OUTDIR !== undefined) return { value: env.EGRESS_OUTDIR, where: 'EGRESS_OUTDIR' };
  if (env.CDKTF_OUTDIR !== undefined) return { value: env.CDKTF_OUTDIR, where: 'CDKTF_OUTDIR' };
  return { value: 'cdktf.out', where: 'outdir' };
}

/**
 * Refuses an output directory that synthesis could damage; returns its absolute, symlink-free
 * path. `protectedRoots` are directories that must never be the target or inside it; `legacy`
 * recognises output an earlier version wrote without a marker.
 */
export function checkOutdir(choice: OutdirChoice, protectedRoots: readonly string[], legacy: LegacyLayout = cdktfLegacy): string {
  const fail = (message: string): never => {
    throw new OutputError(choice.where, message);
  };
  if (choice.value.trim() === '') fail('is empty; name a directory for the synthesized stacks, such as cdktf.out');
  let target = resolve(choice.value);
  if (existsSync(target)) target = realpathSync(target);
  else if (existsSync(dirname(target))) target = join(realpathSync(dirname(target)), relative(dirname(target), target));
  for (const root of protectedRoots.map((r) => (existsSync(r) ? realpathSync(r) : resolve(r)))) {
    const rel = relative(target, root);
    if (rel === '' || (!rel.startsWith('..') && !isAbsolute(rel))) {
      fail(`"${choice.value}" is ${rel === '' ? 'the project root' : `an ancestor of the project root ${root}`}; synthesis replaces what it generates there, so name a subdirectory such as cdktf.out`);
    }
  }
  if (!existsSync(target)) return target;
  const stat = lstatSync(target);
  if (!stat.isDirectory()) fail(`"${choice.value}" is a regular file, not a directory; name a directory, or move the file away`);
  if (readdirSync(target).length > 0 && !isOurs(target, legacy)) {
    fail(`"${choice.value}" is a non-empty directory that cdktf-egress did not create (it has no ${MARKER} or ${legacy.evidence}); name a new or empty directory`);
  }
  return target;
}

/** Ours: it carries the marker, or it is output an earlier version wrote (see {@link LegacyLayout}). */
export function isOurs(dir: string, legacy: LegacyLayout = cdktfLegacy): boolean {
  return existsSync(join(dir, MARKER)) || legacy.files(dir) !== undefined;
}
