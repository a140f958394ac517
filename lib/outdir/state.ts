import { copyFileSync, existsSync, mkdirSync, renameSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { OutputError } from './error';

/** Where a stack's local Terraform state lives. */
export interface LocalState {
  /** Absolute path of the state file. */
  readonly file: string;
  /** The path as the backend block holds it: relative to the stack directory unless given absolute. */
  readonly backendPath: string;
}

/**
 * The default is `terraform.<project>.tfstate` beside the output directory (the project root
 * for `cdktf.out`, as CDKTF's own default); a spec's `backend.path` is taken relative to the
 * directory synthesis runs in. Either way the state is outside the tree synthesis regenerates.
 */
export function localState(project: string, outdir: string, specPath?: string, cwd = process.cwd()): LocalState {
  const stackDir = join(outdir, 'stacks', project);
  if (specPath !== undefined) {
    const file = resolve(cwd, specPath);
    const rel = relative(outdir, file);
    if (rel === '' || (!rel.startsWith('..') && !isAbsolute(rel))) {
      throw new OutputError('backend.path', `"${specPath}" is inside the output directory ${outdir}; keep state outside it, for example terraform.${project}.tfstate`);
    }
    return { file, backendPath: isAbsolute(specPath) ? specPath : relative(stackDir, file) };
  }
  const file = join(dirname(outdir), `terraform.${project}.tfstate`);
  return { file, backendPath: relative(stackDir, file) };
}

/**
 * Moves state that an earlier version kept inside the stack directory (`terraform.tfstate`
 * and its `.backup`) to `state.file`. Never deletes and never overwrites: when both exist the
 * old one stays where it is and a warning says so. Returns the lines to print.
 */
export function migrateInTreeState(outdir: string, project: string, state: LocalState): string[] {
  const lines: string[] = [];
  for (const suffix of ['', '.backup']) {
    const old = join(outdir, 'stacks', project, `terraform.tfstate${suffix}`);
    const now = `${state.file}${suffix}`;
    if (!existsSync(old) || resolve(old) === resolve(now)) continue;
    if (existsSync(now)) {
      lines.push(`warning: backend: both ${old} and ${now} exist; left the old one where it is: compare them (terraform state pull) and keep the one that matches your infrastructure`);
      continue;
    }
    mkdirSync(dirname(now), { recursive: true });
    try {
      renameSync(old, now);
      lines.push(`notice: backend: moved Terraform state ${old} to ${now}, outside the regenerated tree; run terraform init -migrate-state (cdktf deploy --migrate-state) once`);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EXDEV') throw e;
      copyFileSync(old, now);
      lines.push(`notice: backend: copied Terraform state ${old} to ${now} (another file system; the old copy is kept); run terraform init -migrate-state (cdktf deploy --migrate-state) once`);
    }
  }
  return lines;
}
