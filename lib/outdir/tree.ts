import { lstatSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/** One entry below a root, by its `/`-separated path relative to that root. */
export interface TreeEntry {
  readonly rel: string;
  readonly kind: 'dir' | 'file' | 'symlink' | 'other';
}

/** Every entry below `root`, parents before children; symlinks are reported, never followed. */
export function walkTree(root: string): TreeEntry[] {
  const out: TreeEntry[] = [];
  const visit = (rel: string) => {
    for (const name of readdirSync(rel ? join(root, rel) : root).sort()) {
      const child = rel ? `${rel}/${name}` : name;
      const stat = lstatSync(join(root, child));
      const kind = stat.isSymbolicLink() ? 'symlink' : stat.isDirectory() ? 'dir' : stat.isFile() ? 'file' : 'other';
      out.push({ rel: child, kind });
      if (kind === 'dir') visit(child);
    }
  };
  visit('');
  return out;
}
