/**
 * Instance types people run NATs on: CPU architecture and how many network interfaces each
 * carries (EC2 "Maximum network interfaces", https://docs.aws.amazon.com/ec2/latest/instancetypes/gp.html
 * and .../co.html, checked 2026-11). Within an architecture the list is ordered by us-east-1
 * on-demand price, cheapest first, which is the order default types are chosen in.
 */
export type Architecture = 'arm64' | 'x86_64';

export interface InstanceTypeInfo {
  /** EC2 instance type, e.g. `t4g.nano`. */
  readonly type: string;
  /** CPU architecture of the type. */
  readonly architecture: Architecture;
  /** Maximum network interfaces the type carries. */
  readonly maxEnis: number;
}

const t = (type: string, architecture: Architecture, maxEnis: number): InstanceTypeInfo => ({ type, architecture, maxEnis });

export const INSTANCE_TYPES: readonly InstanceTypeInfo[] = [
  t('t4g.nano', 'arm64', 2), t('t4g.micro', 'arm64', 2), t('t4g.small', 'arm64', 3),
  t('t4g.medium', 'arm64', 3), t('c6g.medium', 'arm64', 2), t('c7g.medium', 'arm64', 2),
  t('m6g.medium', 'arm64', 2), t('m7g.medium', 'arm64', 2), t('c6gn.medium', 'arm64', 2),
  t('c7gn.medium', 'arm64', 2), t('t4g.large', 'arm64', 3), t('c6g.large', 'arm64', 3),
  t('c7g.large', 'arm64', 3), t('m6g.large', 'arm64', 3), t('m7g.large', 'arm64', 3),
  t('c6gn.large', 'arm64', 3), t('c7gn.large', 'arm64', 3), t('t4g.xlarge', 'arm64', 4),
  t('c6g.xlarge', 'arm64', 4), t('m6g.xlarge', 'arm64', 4), t('c6gn.xlarge', 'arm64', 4),
  t('c7gn.xlarge', 'arm64', 4), t('t4g.2xlarge', 'arm64', 4), t('c6gn.2xlarge', 'arm64', 4),
  t('c7gn.2xlarge', 'arm64', 4), t('c6gn.4xlarge', 'arm64', 8), t('c7gn.4xlarge', 'arm64', 8),
  t('t3a.nano', 'x86_64', 2), t('t3.nano', 'x86_64', 2), t('t3a.micro', 'x86_64', 2),
  t('t3.micro', 'x86_64', 2), t('t3a.small', 'x86_64', 3), t('t3.small', 'x86_64', 3),
  t('t3a.medium', 'x86_64', 3), t('t3.medium', 'x86_64', 3), t('t3a.large', 'x86_64', 3),
  t('t3.large', 'x86_64', 3), t('m5.large', 'x86_64', 3), t('m6i.large', 'x86_64', 3),
  t('m7i.large', 'x86_64', 3), t('c6in.large', 'x86_64', 3), t('t3a.xlarge', 'x86_64', 4),
  t('t3.xlarge', 'x86_64', 4), t('m5.xlarge', 'x86_64', 4), t('m6i.xlarge', 'x86_64', 4),
  t('c6in.xlarge', 'x86_64', 4), t('t3a.2xlarge', 'x86_64', 4), t('t3.2xlarge', 'x86_64', 4),
  t('c6in.2xlarge', 'x86_64', 4), t('c6in.4xlarge', 'x86_64', 8),
];

const BY_TYPE = new Map(INSTANCE_TYPES.map((info) => [info.type, info]));

export function instanceTypeInfo(type: string): InstanceTypeInfo | undefined {
  return BY_TYPE.get(type);
}

/** Graviton families carry a `g` right after the generation digit (t4g, c6gn, m7g); a1 was the first. */
export function architectureOf(type: string): Architecture {
  const family = type.split('.')[0];
  return family === 'a1' || /^[a-z]+\d+g/.test(family) ? 'arm64' : 'x86_64';
}

/** Network interfaces the NAT needs: primary, the egress ENI when dedicated, one per spoke. */
export function enisNeeded(egressInterface: 'dedicated' | 'primary', spokeCount: number): number {
  return 1 + (egressInterface === 'dedicated' ? 1 : 0) + spokeCount;
}

/** Device index of the first spoke ENI: after the egress ENI (1) when there is one. */
export function firstSpokeDeviceIndex(egressInterface: 'dedicated' | 'primary'): number {
  return egressInterface === 'dedicated' ? 2 : 1;
}

/** Listed types that cannot carry `needed` interfaces (unknown types are not judged here). */
export function typesShortOfEnis(types: readonly string[], needed: number): InstanceTypeInfo[] {
  return types.flatMap((type) => {
    const info = instanceTypeInfo(type);
    return info && info.maxEnis < needed ? [info] : [];
  });
}

/**
 * The default when a NAT lists no types: the cheapest Graviton types that carry `needed`
 * interfaces, two of them so a spot pool running dry does not stop a replacement.
 */
export function defaultInstanceTypes(needed: number): string[] {
  const fitting = INSTANCE_TYPES.filter((info) => info.architecture === 'arm64' && info.maxEnis >= needed);
  if (fitting.length === 0) {
    throw new Error(`no instance type in the catalog carries ${needed} network interfaces (the most is 8)`);
  }
  return fitting.slice(0, 2).map((info) => info.type);
}

/** The types a NAT launches: the listed ones, or the default for its interface count. */
export function instanceTypesFor(listed: string[] | undefined, egressInterface: 'dedicated' | 'primary', spokeCount: number): string[] {
  return listed ?? defaultInstanceTypes(enisNeeded(egressInterface, spokeCount));
}
