import { createHash } from 'node:crypto';
import { NatInstance } from '../../../lib/nat/nat-instance';
import { AWS_PROVIDER_CONSTRAINT } from '../../../lib/stacks/egress-stack';
import { awsProvider, synthScope } from '../../../lib/testing';

// The built-in example's NAT (lib/spec/example.yaml: "shared" in the IPv6-enabled hub, the
// EIP on the primary interface, spokes app1 and app2, a port forward to app1) with its boot
// files in S3 and 12 KB of the user's own writeFiles, as NatInstance is given it by the stack.

export const NAT_ID = 'dev-shared';
export const REGION = 'ap-northeast-1';
export const HUB_CIDR = '10.0.0.0/16';
export const SPOKES = [
  { name: 'app1', cidr: '10.1.0.0/16', host: '10.1.128.10' },
  { name: 'app2', cidr: '10.2.0.0/16', host: '10.2.128.10' },
] as const;
export const PORT_FORWARD = { protocol: 'tcp', port: 8080, to: '10.1.128.10', toPort: 80, allowFrom: ['203.0.113.0/24'] } as const;
/** Bytes of the user's own files, in all. */
export const USER_BYTES = 12 * 1024;

/**
 * `bytes` characters of base64 of a SHA-256 chain: text no compressor brings below its
 * 6 bits of entropy per character (gzip gets it to about 76%).
 */
export function noise(seed: string, bytes: number): string {
  const out: Buffer[] = [];
  for (let h = Buffer.from(seed), n = 0; n * 4 < bytes * 3 + 96; n += 32) out.push((h = createHash('sha256').update(h).digest()));
  return Buffer.concat(out).toString('base64').slice(0, bytes);
}

/** Four files of USER_BYTES / 4 each. */
export const USER_FILES = [0, 1, 2, 3].map((i) => ({ path: `/etc/example/blob-${i}.b64`, content: noise(`blob-${i}`, USER_BYTES / 4), permissions: '0600' }));

/** The stack (cdk.tf.json, parsed) of the aws provider and the example's NAT with `bootFilesFrom: 's3'`. */
export function exampleS3Stack(): Record<string, any> {
  const tf = synthScope((scope) => {
    awsProvider(scope, { region: REGION, defaultTags: { owner: 'platform', environment: 'dev', 'cdktf-egress:project': 'dev' } });
    new NatInstance(scope, 'nat-shared', {
      natId: NAT_ID, region: REGION, vpcId: 'vpc-hub', publicSubnetId: 'subnet-hub-public-a',
      egressInterface: 'primary', servedCidrs: [HUB_CIDR], privateRouteTableIds: [], ipv6: true, hubName: 'hub',
      spokes: SPOKES.map((s) => ({ name: s.name, vpcId: `vpc-${s.name}`, subnetId: `subnet-${s.name}-private-a`, cidrs: [s.cidr], routeTableIds: [`rtb-${s.name}-private-a`] })),
      instanceTypes: ['t4g.small'], portForwards: [{ ...PORT_FORWARD, allowFrom: [...PORT_FORWARD.allowFrom] }],
      tags: { owner: 'platform', environment: 'dev' },
      userDataWriteFiles: USER_FILES,
      bootFilesFrom: 's3',
    });
  });
  tf.terraform.required_providers.aws.version = AWS_PROVIDER_CONSTRAINT;
  return tf;
}
