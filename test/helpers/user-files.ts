import { createHash } from 'node:crypto';

/** 12 KB: what a user is promised for their own writeFiles and runcmd beside the NAT's user data. */
export const USER_SHARE = 12 * 1024;

/** Base64 of a SHA-256 hash chain: deterministic, and as good as incompressible to gzip. */
export function noise(seed: string, bytes: number): string {
  const out: Buffer[] = [];
  for (let h = Buffer.from(seed), n = 0; n < bytes; n += 32) out.push((h = createHash('sha256').update(h).digest()));
  return Buffer.concat(out).subarray(0, bytes).toString('base64');
}

/**
 * Four files of noise (11,700 random bytes, base64): beside a NAT's own user data they take
 * at least USER_SHARE (12,288) bytes of the gzip-compressed user data (test/nat/user-share.test.ts
 * measures it), the share a user is promised.
 */
export const USER_FILES_12K: readonly { path: string; content: string }[] = [0, 1, 2, 3].map((i) => ({ path: `/etc/user/file-${i}`, content: noise(`file-${i}`, 2925) }));

