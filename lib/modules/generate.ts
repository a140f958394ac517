import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { replaceDirectory } from '../output';
import { MODULES } from './catalog';
import { renderModule, type GeneratedFiles, type ModuleDefinition } from './render';

/** Every file of every module, by path relative to modules/. */
export function generateModules(modules: readonly ModuleDefinition[] = MODULES): GeneratedFiles {
  const files: GeneratedFiles = new Map();
  for (const module of modules) for (const [path, content] of renderModule(module)) files.set(path, content);
  return files;
}

/** How a modules/ directory differs from what the generator makes; all empty when it is fresh. */
export interface Drift {
  /** Generated files whose content on disk differs. */
  readonly stale: string[];
  /** Generated files not on disk. */
  readonly missing: string[];
  /** Files on disk the generator does not make. */
  readonly unexpected: string[];
}

export function driftOf(dir: string, files: GeneratedFiles): Drift {
  const onDisk = existsSync(dir) ? listFiles(dir) : [];
  const stale: string[] = [];
  const missing: string[] = [];
  for (const [path, content] of files) {
    if (!onDisk.includes(path)) missing.push(path);
    else if (readFileSync(join(dir, path), 'utf8') !== content) stale.push(path);
  }
  return { stale, missing, unexpected: onDisk.filter((path) => !files.has(path)) };
}

export function hasDrift(drift: Drift): boolean {
  return drift.stale.length + drift.missing.length + drift.unexpected.length > 0;
}

/** Writes the files into a fresh directory and swaps it in for `dir` only when all are written. */
export function writeModules(dir: string, files: GeneratedFiles): void {
  replaceDirectory(dir, (staging) => {
    for (const [path, content] of files) {
      mkdirSync(dirname(join(staging, path)), { recursive: true });
      writeFileSync(join(staging, path), content);
    }
  });
}

function listFiles(dir: string): string[] {
  const walk = (at: string): string[] =>
    readdirSync(at).flatMap((entry) => {
      const path = join(at, entry);
      return statSync(path).isDirectory() ? walk(path) : [relative(dir, path)];
    });
  return walk(dir).sort();
}
