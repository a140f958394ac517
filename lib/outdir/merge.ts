import { chmodSync, copyFileSync, existsSync, linkSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, renameSync, rmdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { MARKER } from './guard';
import { cdktfLegacy, type LegacyLayout } from './legacy';
import { walkTree } from './tree';

/** What the marker file holds: the files this tool generated, relative to the output directory. */
interface Marker {
  readonly generatedBy: 'cdktf-egress';
  readonly files: string[];
}

/**
 * The marker's content for these generated files: sorted, so the same files always give the
 * same bytes (modules/ commits its marker and drift-checks it).
 */
export function markerContent(files: Iterable<string>): string {
  const marker: Marker = { generatedBy: 'cdktf-egress', files: [...files].sort() };
  return `${JSON.stringify(marker, null, 2)}\n`;
}

/** The files the previous run generated in `dir`; everything else there belongs to someone else. */
export function generatedFiles(dir: string, legacy: LegacyLayout = cdktfLegacy): Set<string> {
  try {
    const marker = JSON.parse(readFileSync(join(dir, MARKER), 'utf8')) as Partial<Marker>;
    if (Array.isArray(marker.files)) return new Set(marker.files.filter((f): f is string => typeof f === 'string'));
  } catch {
    // No marker: an earlier version's output, or an empty directory.
  }
  return new Set(legacy.files(dir) ?? []);
}

/** Reports what the writer did that a user should know (kept files, recoveries). */
export type Notice = (line: string) => void;

/**
 * Recovers from a run that died mid-swap or mid-sweep: a missing target is restored from its
 * `.old-` copy, and every leftover `.old-` copy is swept into the target. Staging copies
 * (`.new-`) hold only generated files and links, so they are removed. Call under the lock.
 */
export function recoverLeftovers(target: string, notice: Notice): void {
  const parent = dirname(target);
  const prefix = `.${basename(target)}.`;
  for (const name of readdirSync(parent).filter((n) => n.startsWith(prefix))) {
    const path = join(parent, name);
    if (name.startsWith(`${prefix}new-`)) {
      rmSync(path, { recursive: true, force: true });
    } else if (name.startsWith(`${prefix}old-`) && existsSync(join(path, MARKER))) {
      if (!existsSync(target)) {
        renameSync(path, target);
        notice(`restored ${target} from ${path}, left by an interrupted synthesis`);
      } else {
        sweep(path, target, generatedFiles(path));
      }
    }
  }
}

/** Creates the staging directory beside `target`, where the new output is built. */
export function makeStaging(target: string): string {
  const staging = mkdtempSync(join(dirname(target), `.${basename(target)}.new-`));
  // mkdtemp makes it private (0700); the output directory gets the usual mode.
  chmodSync(staging, 0o777 & ~process.umask());
  return staging;
}

/**
 * Swaps `staging` in for `target`, keeping every entry of `target` that the previous synthesis
 * did not generate (`.terraform/`, lock files, plans, state, a user's files). Those are
 * hard-linked (or copied) into staging first, so until the final rename the old tree is whole.
 */
export function swapIn(staging: string, target: string, notice: Notice, legacy: LegacyLayout = cdktfLegacy): void {
  const generated = walkTree(staging).filter((e) => e.kind === 'file').map((e) => e.rel);
  const previous = existsSync(target) ? generatedFiles(target, legacy) : new Set<string>();
  if (existsSync(target)) {
    carryOver(target, staging, previous, new Set(generated), notice);
    pruneEmptied(target, staging);
  }
  writeFileSync(join(staging, MARKER), markerContent(generated));
  if (!existsSync(target)) {
    renameSync(staging, target);
    return;
  }
  const old = `${staging.replace(/\.new-([^/]*)$/, '.old-$1')}`;
  renameSync(target, old);
  renameSync(staging, target);
  sweep(old, target, previous);
}

function carryOver(from: string, to: string, previous: Set<string>, generated: Set<string>, notice: Notice): void {
  // Directories of the user's that had to move aside (`x` -> `x.kept`); their contents follow.
  const moved: [string, string][] = [];
  for (const entry of walkTree(from)) {
    if (entry.rel === MARKER || previous.has(entry.rel)) continue;
    const src = join(from, entry.rel);
    const under = moved.find(([old]) => entry.rel.startsWith(`${old}/`));
    let rel = under ? `${under[1]}${entry.rel.slice(under[0].length)}` : entry.rel;
    if (!under && existsSync(join(to, rel)) && (generated.has(rel) || entry.kind !== 'dir' || !lstatSync(join(to, rel)).isDirectory())) {
      // The user's entry where we now generate one: keep it under a new name, never overwrite.
      notice(`kept your ${rel} as ${rel}.kept: cdktf-egress now generates a file at that path`);
      if (entry.kind === 'dir') moved.push([rel, `${rel}.kept`]);
      rel = `${rel}.kept`;
    }
    const dst = join(to, rel);
    if (entry.kind === 'dir') mkdirSync(dst, { recursive: true, mode: lstatSync(src).mode });
    else if (entry.kind === 'symlink') symlinkSync(readlinkSync(src), dst);
    else if (entry.kind === 'file') linkOrCopy(src, dst);
    else notice(`left ${entry.rel} behind: it is neither a file, a directory nor a symlink`);
  }
}

/**
 * Removes directories of `to` that are empty only because everything they held was generated
 * before and is not now (a removed stack or module); a directory that was empty is the user's.
 */
function pruneEmptied(from: string, to: string): void {
  const dirs = walkTree(to).filter((e) => e.kind === 'dir').reverse();
  for (const { rel } of dirs) {
    const before = join(from, rel);
    const heldSomething = lstatExists(before) && lstatSync(before).isDirectory() && readdirSync(before).length > 0;
    if (heldSomething && readdirSync(join(to, rel)).length === 0) rmdirSync(join(to, rel));
  }
}

function linkOrCopy(src: string, dst: string): void {
  try {
    linkSync(src, dst);
  } catch {
    copyFileSync(src, dst);
  }
}

/**
 * Moves into `target` whatever `old` holds that is not generated and not already there (written
 * while we synthesized), then removes `old`: only generated files and extra links remain in it.
 */
function sweep(old: string, target: string, previous: Set<string>): void {
  for (const entry of walkTree(old)) {
    if (entry.rel === MARKER || previous.has(entry.rel)) continue;
    const src = join(old, entry.rel);
    const dst = join(target, keptPath(target, entry.rel));
    if (!lstatExists(src) || lstatExists(dst)) continue;
    // Entry by entry, never a whole directory: one may still hold generated files (a removed module's).
    if (entry.kind === 'dir') {
      if (readdirSync(src).length === 0) mkdirSync(dst, { recursive: true });
      continue;
    }
    mkdirSync(dirname(dst), { recursive: true });
    renameSync(src, dst);
  }
  rmSync(old, { recursive: true, force: true });
}

/** `rel` with any ancestor that is now a generated file replaced by its `.kept` directory (see carryOver). */
function keptPath(root: string, rel: string): string {
  const parts = rel.split('/');
  for (let i = 1; i < parts.length; i++) {
    const prefix = join(root, ...parts.slice(0, i));
    if (lstatExists(prefix) && !lstatSync(prefix).isDirectory()) parts[i - 1] = `${parts[i - 1]}.kept`;
  }
  return parts.join('/');
}

function lstatExists(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}
