import { openSync, readSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { type LegacyLayout } from '../outdir';
import { walkTree } from '../outdir/tree';

/**
 * Who owns a file under modules/ when it is not generated: Terraform's working files are
 * local to whoever ran `terraform init`, `test` or `plan` in a module directory (never
 * committed, never drift); a file Terraform loads as part of the module changes what users
 * get; anything else is a user's file the writer keeps.
 */
export type Unowned = 'terraform' | 'module' | 'other';

/** Terraform's working files, by path relative to modules/. */
export function isTerraformWorkingFile(rel: string): boolean {
  const parts = rel.split('/');
  const name = parts[parts.length - 1];
  return (
    parts.includes('.terraform') ||
    name === '.terraform.lock.hcl' ||
    name === '.terraform.tfstate.lock.info' ||
    name.startsWith('terraform.tfstate') ||
    name.endsWith('.tfplan')
  );
}

/** Configuration Terraform reads from a module directory or its tests/ (`terraform test`). */
const MODULE_CONFIG = /\.(tf|tf\.json|tftest\.hcl|tftest\.json|tfmock\.hcl|tfmock\.json)$/;

export function classifyUnowned(rel: string): Unowned {
  if (isTerraformWorkingFile(rel)) return 'terraform';
  const name = rel.split('/').pop() ?? rel;
  // Terraform skips dotfiles and editor backups in a module directory.
  if (MODULE_CONFIG.test(name) && !name.startsWith('.') && !name.startsWith('#') && !name.endsWith('~')) return 'module';
  return 'other';
}

/** What every file the generator made starts with, within its first line. */
const OUR_STAMP = 'by `npm run modules`';

/**
 * modules/ as generator versions before the marker wrote it: in each `<module>/`, the `*.tf`,
 * `*.tf.json` and README.md files carrying our header, everything in `boot/`, and the files in
 * `tests/` carrying our "Copied from lib/modules" line. A hand-written file in the same places
 * has no stamp and is kept. Undefined when nothing there is stamped: not modules/ of ours.
 */
function legacyModuleFiles(dir: string): ReadonlySet<string> | undefined {
  const files = walkTree(dir).filter((e) => e.kind === 'file').map((e) => e.rel);
  const stamped = files.filter((rel) => /^[^/]+\/([^/]+\.(tf|tf\.json)|README\.md|tests\/[^/]+)$/.test(rel) && firstLine(join(dir, rel)).includes(OUR_STAMP));
  if (stamped.length === 0) return undefined;
  const modules = new Set(stamped.map((rel) => rel.split('/')[0]));
  const boot = files.filter((rel) => /^[^/]+\/boot\/[^/]+$/.test(rel) && modules.has(rel.split('/')[0]));
  return new Set([...stamped, ...boot]);
}

/** The first line of a file (a .tf.json's header is on its second), bounded to 512 bytes. */
function firstLine(path: string): string {
  const fd = openSync(path, 'r');
  try {
    const buffer = Buffer.alloc(512);
    const length = readSync(fd, buffer, 0, buffer.length, 0);
    return buffer.subarray(0, length).toString('utf8').split('\n').slice(0, 2).join('\n');
  } finally {
    closeSync(fd);
  }
}

/** modules/ before the marker: recognised by files carrying the generator's stamp. */
export const legacyModules: LegacyLayout = { files: legacyModuleFiles, evidence: 'file stamped `npm run modules`' };
