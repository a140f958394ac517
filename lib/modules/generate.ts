import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { MARKER, markerContent, writeOutput, type Notice } from '../outdir';
import { walkTree } from '../outdir/tree';
import { MODULES } from './catalog';
import { classifyUnowned, legacyModules } from './ownership';
import { renderModule, type GeneratedFiles, type ModuleDefinition } from './render';

/** Every file of every module, by path relative to modules/. */
export function generateModules(modules: readonly ModuleDefinition[] = MODULES): GeneratedFiles {
  const files: GeneratedFiles = new Map();
  for (const module of modules) for (const [path, content] of renderModule(module)) files.set(path, content);
  return files;
}

/**
 * How a modules/ directory differs from what the generator makes (the marker included, so it
 * is committed fresh). Terraform's working files (`.terraform/`, lock file, state, plans) are
 * never drift.
 */
export interface Drift {
  /** Generated files whose content on disk differs. */
  readonly stale: string[];
  /** Generated files not on disk. */
  readonly missing: string[];
  /**
   * Files the generator does not make that Terraform loads as part of a module (`*.tf`,
   * `*.tf.json`, test and mock files): they change what users get, and `npm run modules`
   * keeps them, so they must be removed by hand. Drift.
   */
  readonly unexpected: string[];
  /** Other files the generator does not make (a user's notes): kept by the writer, reported, not drift. */
  readonly kept: string[];
}

export function driftOf(dir: string, files: GeneratedFiles): Drift {
  const expected = withMarker(files);
  const onDisk = existsSync(dir) ? walkTree(dir).filter((e) => e.kind !== 'dir').map((e) => e.rel) : [];
  const present = new Set(onDisk);
  const stale: string[] = [];
  const missing: string[] = [];
  for (const [path, content] of expected) {
    if (!present.has(path)) missing.push(path);
    else if (readFileSync(join(dir, path), 'utf8') !== content) stale.push(path);
  }
  const unowned = onDisk.filter((path) => !expected.has(path));
  return {
    stale,
    missing,
    unexpected: unowned.filter((path) => classifyUnowned(path) === 'module'),
    kept: unowned.filter((path) => classifyUnowned(path) === 'other'),
  };
}

export function hasDrift(drift: Drift): boolean {
  return drift.stale.length + drift.missing.length + drift.unexpected.length > 0;
}

/** The generated files and the marker `writeModules` writes beside them. */
function withMarker(files: GeneratedFiles): GeneratedFiles {
  return new Map([...files, [MARKER, markerContent(files.keys())]]);
}

/** How `writeModules` names its target in error lines and reports what it kept. */
export interface WriteModulesOptions {
  /** What named the directory, for error lines. @default 'modules' */
  readonly where?: string;
  /** Directories modules/ must never be or contain. @default the project root */
  readonly protectedRoots?: readonly string[];
  /** @default write to stderr */
  readonly notice?: Notice;
}

/**
 * Writes the files beside `dir` and swaps them in under a lock once all are written, keeping
 * every file there that the generator did not make (Terraform's working files, a user's files);
 * a removed module's generated files go. A failed run leaves `dir` as it was.
 */
export async function writeModules(dir: string, files: GeneratedFiles, options: WriteModulesOptions = {}): Promise<string> {
  return writeOutput({
    choice: { value: dir, where: options.where ?? 'modules' },
    protectedRoots: options.protectedRoots ?? [resolve(__dirname, '..', '..')],
    legacy: legacyModules,
    notice: options.notice ?? ((line) => process.stderr.write(`notice: ${line}\n`)),
    build: (staging) => {
      for (const [path, content] of files) {
        mkdirSync(dirname(join(staging, path)), { recursive: true });
        writeFileSync(join(staging, path), content);
      }
    },
  });
}
