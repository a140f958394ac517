// Spec validation must stay near-linear in the number of keys: parse + schema + checks of
// 10,000 and 20,000 keys, best of three, and their ratio (about 2 when linear).
// Run: SWC_NODE_SOURCE_MAP_MODE=none node -r @swc-node/register bench/spec-scaling.ts
import { parseSpec, SpecError } from '../lib/spec';

type Format = 'json' | 'yaml';

function once(text: string, format: Format): number {
  const t0 = process.hrtime.bigint();
  try {
    parseSpec(text, format);
  } catch (e) {
    if (!(e instanceof SpecError)) throw e;
  }
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

const best = (text: string, format: Format) => Math.min(once(text, format), once(text, format), once(text, format));

/** A refused spec: `keys` tags, far over the AWS limit of 50. */
const tagsYaml = (keys: number) => `project: dev\nregion: us-east-1\ntags:\n${[...Array(keys).keys()].map((i) => `  k${i}: v`).join('\n')}\n`;
/** An accepted spec: VPCs of ten keys each. */
const vpcsJson = (keys: number) =>
  JSON.stringify({
    project: 'dev',
    region: 'us-east-1',
    vpcs: [...Array(keys / 10).keys()].map((i) => ({ name: `v${i}`, cidr: `10.${i % 256}.${Math.floor(i / 256) * 16}.0/20`, azs: ['us-east-1a', 'us-east-1b'], ipv6: true, trafficGbPerMonth: 1 })),
  });

best(tagsYaml(100), 'yaml'); // warm-up: module loading is not validation
for (const [name, make, format] of [['tags (YAML, refused)', tagsYaml, 'yaml'], ['VPCs (JSON, accepted)', vpcsJson, 'json']] as const) {
  const small = best(make(10_000), format);
  const large = best(make(20_000), format);
  process.stdout.write(`${name}: 10,000 keys ${small.toFixed(0)} ms, 20,000 keys ${large.toFixed(0)} ms, ratio ${(large / small).toFixed(2)}\n`);
}
