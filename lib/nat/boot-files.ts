import { readFileSync } from 'node:fs';
import { join } from 'node:path';

// The files of lib/nat/boot as the instance gets them, shared by the NAT's user data and the
// watchdog's.

const BOOT_DIR = join(__dirname, 'boot');

/** Every NAT reads the same files: each is read once per process, not once per render. */
const bootFiles = new Map<string, string>();

/** A file of lib/nat/boot as shipped. */
export function bootFile(name: string): string {
  let text = bootFiles.get(name);
  if (text === undefined) bootFiles.set(name, (text = readFileSync(join(BOOT_DIR, name), 'utf8')));
  return text;
}

/**
 * What a boot file leaves out where it ships in user data: EC2 takes at most 16 KB
 * (gzip-compressed), and the scripts' comments and indentation are over a third of that.
 * Comment lines go (the shebang and shellcheck directives stay) and leading blanks are cut
 * (the scripts have no heredocs; awk and continued lines do not care). The same patterns run
 * here and in Terraform (`regex()`/`replace()` in a module), so both ship the same bytes; the
 * files in lib/nat/boot and a module's boot/ keep every comment.
 */
export const SHIPPED_COMMENT_PATTERN = '^[ \\t]*#';
export const SHIPPED_KEPT_COMMENT_PATTERN = '^#!|^[ \\t]*# shellcheck ';
export const SHIPPED_INDENT_PATTERN = '^[ \\t]+';
const commentLine = new RegExp(SHIPPED_COMMENT_PATTERN);
const keptComment = new RegExp(SHIPPED_KEPT_COMMENT_PATTERN);
const indent = new RegExp(SHIPPED_INDENT_PATTERN);

/** A boot file as the instance receives it: without comment lines and indentation. */
export function shippedBootText(name: string): string {
  let text = shippedTexts.get(name);
  if (text === undefined) {
    text = bootFile(name)
      .split('\n')
      .filter((line) => !commentLine.test(line) || keptComment.test(line))
      .map((line) => line.replace(indent, ''))
      .join('\n');
    shippedTexts.set(name, text);
  }
  return text;
}
const shippedTexts = new Map<string, string>();

/** A file of lib/nat/boot that a NAT ships, and where it lands on the instance. */
export interface ShippedBootFile {
  /** Its name in lib/nat/boot (and in a generated module's boot/ directory). */
  readonly name: string;
  /** Where cloud-init writes it. */
  readonly path: string;
  /** Its mode, as cloud-init takes it (`0755`). */
  readonly permissions: string;
}
