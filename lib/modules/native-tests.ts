import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REGENERATE } from './header';

/** Where each module's `terraform test` files are written by hand (HCL, as Terraform users write them). */
export const TFTEST_DIR = join(__dirname, 'tftest');
/** Mock provider defaults every module's tests load (`mock_provider "aws" { source = "./tests" }`). */
const MOCKS = 'aws.tfmock.hcl';

const header = (from: string) => `# Copied from lib/modules/tftest/${from} by \`${REGENERATE}\`; edit it there.\n`;

/** `tests/` of a module: its `*.tftest.hcl` and the shared mocks, by path relative to the module. */
export function nativeTests(module: string): Map<string, string> {
  const dir = join(TFTEST_DIR, module);
  const files = new Map<string, string>();
  if (!existsSync(dir)) return files;
  for (const name of readdirSync(dir).filter((f) => f.endsWith('.tftest.hcl')).sort()) {
    files.set(`tests/${name}`, header(`${module}/${name}`) + readFileSync(join(dir, name), 'utf8'));
  }
  if (files.size > 0) files.set(`tests/${MOCKS}`, header(MOCKS) + readFileSync(join(TFTEST_DIR, MOCKS), 'utf8'));
  return files;
}
