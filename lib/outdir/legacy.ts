import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** How output an earlier version wrote before it wrote a marker is recognised. */
export interface LegacyLayout {
  /**
   * The files the earlier version generated in `dir`; undefined when `dir` is not recognisably
   * such output (then it is not ours to write into).
   */
  readonly files: (dir: string) => ReadonlySet<string> | undefined;
  /** What identifies it, for the error line refusing a directory: `CDKTF manifest.json`. */
  readonly evidence: string;
}

/** Files each stack directory held in CDKTF output written before the marker existed. */
const LEGACY_STACK_FILES = ['cdk.tf.json', 'cost.md', 'topology.md'];

/** Stack names in a CDKTF `manifest.json` written before the marker existed; undefined when there is none. */
export function legacyManifestStacks(dir: string): string[] | undefined {
  try {
    const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as { stacks?: unknown };
    if (!manifest.stacks || typeof manifest.stacks !== 'object') return undefined;
    return Object.keys(manifest.stacks);
  } catch {
    return undefined;
  }
}

/** Synthesized stacks as an earlier version wrote them: CDKTF's manifest.json and each stack's files. */
export const cdktfLegacy: LegacyLayout = {
  evidence: 'CDKTF manifest.json',
  files: (dir) => {
    const stacks = legacyManifestStacks(dir);
    if (stacks === undefined) return undefined;
    return new Set(['manifest.json', ...stacks.flatMap((s) => LEGACY_STACK_FILES.map((f) => `stacks/${s}/${f}`))]);
  },
};
