import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

// The files of lib/nat/boot, shipped to the instance byte for byte: the NAT's boot files as
// S3 objects (boot-objects.ts), the loader inside user data (user-data.ts).

const BOOT_DIR = join(__dirname, 'boot');

/** Every NAT reads the same files: each is read once per process, not once per render. */
const bootFiles = new Map<string, string>();

/** A file of lib/nat/boot, exactly as it is in the repository (comments and all). */
export function bootFile(name: string): string {
  let text = bootFiles.get(name);
  if (text === undefined) bootFiles.set(name, (text = readFileSync(join(BOOT_DIR, name), 'utf8')));
  return text;
}

/** SHA-256 (hex) of a file of lib/nat/boot: the digest its manifest line pins. */
export function bootFileDigest(name: string): string {
  return createHash('sha256').update(bootFile(name)).digest('hex');
}

/** A file of lib/nat/boot that a NAT ships, and where it lands on the instance. */
export interface ShippedBootFile {
  /** Its name in lib/nat/boot (and in a generated module's boot/ directory). */
  readonly name: string;
  /** Where the loader installs it. */
  readonly path: string;
  /** Its mode (`0755`). */
  readonly permissions: string;
}

/** Where the objects are: the bucket, its region and, for an instance without public IPv4, the dual-stack endpoint. */
export interface BootManifestBucket {
  readonly bucket: string;
  readonly region: string;
  readonly endpointUrl?: string;
}

/**
 * `/etc/cdktf-egress/boot.manifest`, read by nat-load.sh: `bucket BUCKET REGION [ENDPOINT_URL]`,
 * then `file NAME SHA256 MODE DEST` per file, `digests` giving each file's SHA-256 (a
 * Terraform expression in a generated module).
 */
export function bootManifestText(where: BootManifestBucket, files: readonly ShippedBootFile[], digests: readonly string[]): string {
  const lines = [`bucket ${where.bucket} ${where.region}${where.endpointUrl ? ` ${where.endpointUrl}` : ''}`];
  files.forEach((file, i) => lines.push(`file ${file.name} ${digests[i]} ${file.permissions} ${file.path}`));
  return `# Written by cdktf-egress at synth time; read by nat-load.sh.\n${lines.join('\n')}\n`;
}

/** The longest bucket name S3 allows: a manifest measured with it is the largest the NAT can get. */
export const LONGEST_BUCKET_NAME = 'b'.repeat(63);
