import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runSynth, runSynthAsync } from '../helpers/synth';

// Every bad spec: exit code 2, exactly the expected `error: <path>: ...` line(s) on stderr,
// no stack trace, and an existing cdktf.out left byte for byte as it was.

type Spec = Record<string, any>;

/** A valid spec: a dedicated NAT in `hub` serving `app1`, an existing VPC, endpoints. */
function base(): Spec {
  return {
    project: 'dev',
    region: 'ap-northeast-1',
    vpcs: [
      { name: 'hub', cidr: '10.0.0.0/16', azs: ['ap-northeast-1a', 'ap-northeast-1c'] },
      { name: 'app1', cidr: '10.1.0.0/16', azs: ['ap-northeast-1a'] },
      { name: 'app2', cidr: '10.2.0.0/16', azs: ['ap-northeast-1c'] },
    ],
    existingVpcs: [
      {
        name: 'legacy',
        id: 'vpc-0123456789abcdef0',
        cidr: '10.9.0.0/16',
        subnets: [{ id: 'subnet-0123456789abcdef0', az: 'ap-northeast-1a', routeTableId: 'rtb-0123456789abcdef0' }],
      },
    ],
    natInstances: [
      {
        name: 'shared',
        vpc: 'hub',
        az: 'ap-northeast-1a',
        instanceTypes: ['t4g.small'],
        spokes: ['app1'],
        portForwards: [{ protocol: 'tcp', port: 8080, to: '10.1.128.10', toPort: 80, allowFrom: ['203.0.113.0/24'] }],
      },
    ],
    endpoints: [{ vpc: 'app1', gateway: ['s3'], interface: ['ssm'] }],
  };
}

interface Case {
  readonly name: string;
  readonly mutate?: (spec: Spec) => void;
  /** Raw spec text instead of a mutated base. */
  readonly text?: string;
  readonly ext?: 'yaml' | 'json';
  readonly lines: string[];
}

const nat = (s: Spec) => s.natInstances[0];
const CASES: Case[] = [
  { name: 'project with capitals', mutate: (s) => (s.project = 'Dev'), lines: ['error: project: must match ^[a-z][a-z0-9-]{0,30}$ (lower case letters, digits and dashes, starting with a letter)'] },
  { name: 'region missing', mutate: (s) => delete s.region, lines: ['error: region: is required (string)'] },
  { name: 'region not a region', mutate: (s) => (s.region = 'tokyo'), lines: ['error: region: must be an AWS region such as ap-northeast-1'] },
  { name: 'unknown top-level field', mutate: (s) => (s.vpc = []), lines: ['error: vpc: unknown field; check its spelling against the spec format (schema/egress-spec.schema.json)'] },
  { name: 'unknown VPC field', mutate: (s) => (s.vpcs[0].cidrBlock = '10.0.0.0/16'), lines: ['error: vpcs[0].cidrBlock: unknown field; check its spelling against the spec format (schema/egress-spec.schema.json)'] },
  { name: 'CIDR without prefix', mutate: (s) => (s.vpcs[0].cidr = '10.0.0.0'), lines: ['error: vpcs[0].cidr: must be an IPv4 CIDR such as 10.0.0.0/16'] },
  { name: 'CIDR not a network address', mutate: (s) => (s.vpcs[0].cidr = '10.0.0.1/16'), lines: ['error: vpcs[0].cidr: 10.0.0.1/16 is not a network address; did you mean 10.0.0.0/16?'] },
  { name: 'VPC CIDR too large', mutate: (s) => (s.vpcs[0].cidr = '10.0.0.0/8'), lines: ['error: vpcs[0].cidr: /8 is outside /16../24; use a prefix length in that range'] },
  { name: 'CIDR with a bad octet', mutate: (s) => (s.vpcs[1].cidr = '10.300.0.0/16'), lines: ['error: vpcs[1].cidr: "10.300.0.0/16" is not a valid IPv4 CIDR; use a network such as 10.0.0.0/16'] },
  { name: 'no AZs', mutate: (s) => (s.vpcs[2].azs = []), lines: ['error: vpcs[2].azs: must list at least 1 item'] },
  { name: 'seven AZs', mutate: (s) => (s.vpcs[2].azs = 'abcdefg'.split('').map((l) => `ap-northeast-1${l}`)), lines: ['error: vpcs[2].azs: must list at most 6 items'] },
  { name: 'AZ of another region', mutate: (s) => (s.vpcs[0].azs[1] = 'us-east-1a'), lines: ['error: vpcs[0].azs[1]: "us-east-1a" is not in region ap-northeast-1; use an AZ such as ap-northeast-1a'] },
  { name: 'AZ listed twice', mutate: (s) => (s.vpcs[0].azs[1] = 'ap-northeast-1a'), lines: ['error: vpcs[0].azs[1]: "ap-northeast-1a" is listed twice; list each AZ once'] },
  { name: 'VPC names collide', mutate: (s) => (s.existingVpcs[0].name = 'app2'), lines: ['error: existingVpcs[0].name: VPC name "app2" is used twice; VPC names must be unique across vpcs and existingVpcs'] },
  { name: 'existing VPC ID malformed', mutate: (s) => (s.existingVpcs[0].id = 'vpc-123'), lines: ['error: existingVpcs[0].id: must be an ID such as vpc-0123456789abcdef0'] },
  { name: 'existing VPC without subnets', mutate: (s) => (s.existingVpcs[0].subnets = []), lines: ['error: existingVpcs[0].subnets: must list at least 1 item'] },
  {
    name: 'existing subnet listed twice',
    mutate: (s) => s.existingVpcs[0].subnets.push({ ...s.existingVpcs[0].subnets[0] }),
    lines: ['error: existingVpcs[0].subnets[1].id: subnet subnet-0123456789abcdef0 is listed twice; list each subnet once'],
  },
  {
    name: 'existing secondary CIDR overlapping the primary',
    mutate: (s) => (s.existingVpcs[0].secondaryCidrs = ['10.9.128.0/17']),
    lines: ['error: existingVpcs[0].secondaryCidrs[0]: 10.9.128.0/17 overlaps 10.9.0.0/16 of the same VPC; VPC CIDR blocks must not overlap'],
  },
  { name: 'unknown backend type', mutate: (s) => (s.backend = { type: 'gcs' }), lines: ['error: backend.type: must be one of "local", "s3", "cloud"'] },
  { name: 's3 backend without bucket', mutate: (s) => (s.backend = { type: 's3', key: 'egress.tfstate', region: 'ap-northeast-1' }), lines: ['error: backend.bucket: is required (string)'] },
  { name: 'tag value not a string', mutate: (s) => (s.tags = { owner: 1 }), lines: ['error: tags.owner: must be a string, not number 1'] },
  { name: 'NAT in an unknown VPC', mutate: (s) => (nat(s).vpc = 'core'), lines: ['error: natInstances[0].vpc: unknown VPC "core"; use one of: hub, app1, app2, legacy'] },
  {
    name: 'NAT in a VPC without public subnets',
    mutate: (s) => (s.vpcs[0].publicSubnets = false),
    lines: ['error: natInstances[0].az: VPC "hub" has no public subnet in ap-northeast-1a; use one of: (none: set publicSubnets: true)'],
  },
  {
    name: 'NAT AZ not among its VPC AZs',
    mutate: (s) => (nat(s).az = 'ap-northeast-1d'),
    lines: [
      'error: natInstances[0].az: VPC "hub" has no public subnet in ap-northeast-1d; use one of: ap-northeast-1a, ap-northeast-1c',
      'error: natInstances[0].spokes[0]: spoke "app1" has no private subnet in ap-northeast-1d (the NAT\'s AZ; the spoke has ap-northeast-1a); an ENI can only be attached in the instance\'s AZ (InvalidParameterCombination)',
    ],
  },
  {
    name: 'NAT names collide',
    mutate: (s) => s.natInstances.push({ name: 'shared', vpc: 'app2', az: 'ap-northeast-1c', instanceTypes: ['t4g.nano'] }),
    lines: ['error: natInstances[1].name: NAT name "shared" is used twice; NAT names must be unique'],
  },
  {
    name: 'unknown instance type',
    mutate: (s) => (nat(s).instanceTypes = ['z9.huge']),
    lines: [expect.stringMatching(/^error: natInstances\[0\]\.instanceTypes: unknown instance type z9\.huge: its ENI limit is not known; use types of the families t4g, c6g, .*c6in$/) as unknown as string],
  },
  {
    name: 'instance types of two architectures',
    mutate: (s) => (nat(s).instanceTypes = ['t4g.small', 't3.small']),
    lines: ['error: natInstances[0].instanceTypes: instance types mix architectures (arm64 and x86_64); one launch template boots one AMI, so list types of one architecture'],
  },
  {
    name: 'instance type short of ENIs',
    mutate: (s) => (nat(s).instanceTypes = ['t4g.nano', 't4g.small']),
    lines: ['error: natInstances[0].instanceTypes: t4g.nano (2) cannot carry the 3 network interfaces this NAT needs (primary + egress ENI + 1 spoke ENI); choose larger types, or egressInterface "primary" to save one'],
  },
  { name: 'instance type malformed', mutate: (s) => (nat(s).instanceTypes = ['large']), lines: ['error: natInstances[0].instanceTypes[0]: must be an EC2 instance type such as t4g.nano'] },
  { name: 'unknown spoke', mutate: (s) => (nat(s).spokes = ['nope']), lines: ['error: natInstances[0].spokes[0]: unknown VPC "nope"; use one of: hub, app1, app2, legacy'] },
  {
    name: 'spoke is the NAT\'s own VPC',
    mutate: (s) => (nat(s).spokes = ['hub']),
    lines: ['error: natInstances[0].spokes[0]: "hub" is the NAT\'s own VPC; the NAT serves it through its egress ENI, not as a spoke'],
  },
  {
    name: 'spoke without a subnet in the NAT AZ',
    mutate: (s) => (nat(s).spokes = ['app2']),
    lines: ['error: natInstances[0].spokes[0]: spoke "app2" has no private subnet in ap-northeast-1a (the NAT\'s AZ; the spoke has ap-northeast-1c); an ENI can only be attached in the instance\'s AZ (InvalidParameterCombination)'],
  },
  {
    name: 'VPC served by two NATs',
    mutate: (s) => s.natInstances.push({ name: 'second', vpc: 'hub', az: 'ap-northeast-1c', instanceTypes: ['t4g.nano'] }),
    lines: ['error: natInstances[1].vpc: VPC "hub" is already served by NAT "shared"; a VPC\'s private route tables can point at one NAT only'],
  },
  {
    name: 'spoke listed twice',
    mutate: (s) => Object.assign(nat(s), { spokes: ['app1', 'app1'], instanceTypes: ['t4g.xlarge'] }),
    lines: ['error: natInstances[0].spokes[1]: VPC "app1" is already served by NAT "shared"; a VPC\'s private route tables can point at one NAT only'],
  },
  {
    name: 'primary egress without spokes',
    mutate: (s) => Object.assign(nat(s), { egressInterface: 'primary', spokes: [], portForwards: [] }),
    lines: ['error: natInstances[0].spokes: egressInterface "primary" serves only spokes; list at least one spoke, or use egressInterface "dedicated" to serve the NAT\'s own VPC'],
  },
  {
    name: 'port forward open to the world without allowAnywhere',
    mutate: (s) => (nat(s).portForwards[0].allowFrom = ['0.0.0.0/0']),
    lines: ['error: natInstances[0].portForwards[0].allowFrom[0]: 0.0.0.0/0 opens the port to the whole internet; set allowAnywhere: true to mean it, or narrow the range'],
  },
  {
    name: 'port forward to an address outside every served VPC',
    mutate: (s) => (nat(s).portForwards[0].to = '10.2.128.10'),
    lines: ['error: natInstances[0].portForwards[0].to: 10.2.128.10 is in none of the VPCs this NAT serves (hub 10.0.0.0/16; app1 10.1.0.0/16); forward to a host in one of them'],
  },
  { name: 'port forward to port 0', mutate: (s) => (nat(s).portForwards[0].port = 0), lines: ['error: natInstances[0].portForwards[0].port: must be at least 1'] },
  {
    name: 'port forwarded twice',
    mutate: (s) => nat(s).portForwards.push({ ...nat(s).portForwards[0], to: '10.0.128.5' }),
    lines: ['error: natInstances[0].portForwards[1].port: tcp/8080 is forwarded twice; each protocol and port can be forwarded once'],
  },
  { name: 'port forward protocol icmp', mutate: (s) => (nat(s).portForwards[0].protocol = 'icmp'), lines: ['error: natInstances[0].portForwards[0].protocol: must be one of "tcp", "udp"'] },
  { name: 'port forward target not an address', mutate: (s) => (nat(s).portForwards[0].to = '10.1.0'), lines: ['error: natInstances[0].portForwards[0].to: must be an IPv4 address such as 10.1.0.10'] },
  {
    name: 'SSH CIDRs without a key pair',
    mutate: (s) => (nat(s).sshAllowFrom = ['198.51.100.0/24']),
    lines: ['error: natInstances[0].sshAllowFrom: SSH is opened only with a key pair; set keyName, or drop sshAllowFrom and use Session Manager'],
  },
  { name: 'root volume too small', mutate: (s) => (nat(s).rootVolumeSize = 1), lines: ['error: natInstances[0].rootVolumeSize: must be at least 2'] },
  { name: 'image ID malformed', mutate: (s) => (nat(s).imageId = 'ubuntu'), lines: ['error: natInstances[0].imageId: must be an AMI ID (ami-...) or resolve:ssm:<parameter>'] },
  { name: 'user data file with a relative path', mutate: (s) => (nat(s).userData = { writeFiles: [{ path: 'etc/motd', content: 'x' }] }), lines: ['error: natInstances[0].userData.writeFiles[0].path: must start with "/"'] },
  { name: 'endpoints in an unknown VPC', mutate: (s) => (s.endpoints[0].vpc = 'core'), lines: ['error: endpoints[0].vpc: unknown VPC "core"; use one of: hub, app1, app2, legacy'] },
  {
    name: 'unknown interface endpoint',
    mutate: (s) => (s.endpoints[0].interface = ['ssm', 'foo']),
    lines: [expect.stringMatching(/^error: endpoints\[0\]\.interface\[1\]: unknown interface endpoint "foo"; use a preset \(ssm, ecr\), a short name \(autoscaling, .*\) or a full name such as com\.amazonaws\.<region>\.<service>$/) as unknown as string],
  },
  {
    name: 'interface endpoint listed twice through a preset',
    mutate: (s) => (s.endpoints[0].interface = ['ssm', 'ssmmessages']),
    lines: ['error: endpoints[0].interface[1]: "ssmmessages" is listed twice (also from "ssm"); list it once'],
  },
  { name: 'gateway endpoint that does not exist', mutate: (s) => (s.endpoints[0].gateway = ['kinesis']), lines: ['error: endpoints[0].gateway[0]: must be one of "s3", "dynamodb"'] },
  { name: 'gateway endpoint listed twice', mutate: (s) => (s.endpoints[0].gateway = ['s3', 's3']), lines: ['error: endpoints[0].gateway[1]: "s3" is listed twice; list it once'] },
  { name: 'endpoint placement unknown', mutate: (s) => (s.endpoints[0].placement = 'everywhere'), lines: ['error: endpoints[0].placement: must be one of "single-subnet", "per-az"'] },
  {
    name: 'two endpoint entries for one VPC',
    mutate: (s) => s.endpoints.push({ vpc: 'app1', gateway: ['dynamodb'] }),
    lines: ['error: endpoints[1].vpc: VPC "app1" has a second endpoints entry; merge them into one'],
  },
  {
    name: 'private route table that already holds the IGW route',
    mutate: (s) => {
      s.existingVpcs[0].subnets.push({ id: 'subnet-0123456789abcdef1', az: 'ap-northeast-1a', routeTableId: 'rtb-0123456789abcdef0', public: true });
      Object.assign(nat(s), { spokes: ['legacy'], portForwards: [] });
    },
    lines: ['error: existingVpcs[0].subnets[0].routeTableId: route table rtb-0123456789abcdef0 also serves a public subnet and already has a default route to the internet gateway; give private subnets their own route table'],
  },
  {
    name: 'route table shared by two served VPCs',
    mutate: (s) => {
      s.existingVpcs.push({ ...s.existingVpcs[0], name: 'legacy2', id: 'vpc-0123456789abcdef1', cidr: '10.8.0.0/16' });
      Object.assign(nat(s), { spokes: ['legacy', 'legacy2'], instanceTypes: ['t4g.xlarge'], portForwards: [] });
    },
    lines: ['error: existingVpcs[1].subnets[0].routeTableId: route table rtb-0123456789abcdef0 is also used by VPC "legacy"; it would get two default routes (NAT "shared")'],
  },
  { name: 'negative traffic', mutate: (s) => (s.trafficGbPerMonth = -1), lines: ['error: trafficGbPerMonth: must be at least 0'] },
  { name: 'spec is a list', text: '- project: dev\n', lines: ['error: $: must be an object, not a list'] },
  { name: 'YAML with a duplicated key', text: 'project: dev\nproject: prod\nregion: us-east-1\n', lines: [expect.stringMatching(/^error: \$: not valid YAML: Map keys must be unique/) as unknown as string] },
  { name: 'JSON that does not parse', text: '{"project": "dev",', ext: 'json', lines: [expect.stringMatching(/^error: \$: not valid JSON: /) as unknown as string] },
];

function treeHash(dir: string): string {
  const hash = createHash('sha256');
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const path = join(d, name);
      hash.update(path);
      if (statSync(path).isDirectory()) walk(path);
      else hash.update(readFileSync(path));
    }
  };
  walk(dir);
  return hash.digest('hex');
}

describe('a bad spec', () => {
  // Set up while collecting, not in beforeAll: concurrent tests may start before hooks run.
  const outdir = join(mkdtempSync(join(tmpdir(), 'egress-bad-')), 'cdktf.out');
  const good = runSynth(undefined, outdir);
  const before = good.status === 0 ? treeHash(outdir) : '';

  it('starts from a cdktf.out that a good synth wrote', () => {
    expect(good.stderr).toBe('');
    expect(good.status).toBe(0);
  });

  it('is tested in at least 40 forms', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(40);
  });

  it.concurrent.each(CASES)('$name: exits 2 with the exact error, no stack trace, nothing written', async ({ mutate, text, ext, lines }) => {
    let specText = text;
    if (specText === undefined) {
      const spec = base();
      mutate?.(spec);
      specText = JSON.stringify(spec);
    }
    const run = await runSynthAsync({ text: specText, ext: ext ?? (text === undefined ? 'json' : 'yaml') }, outdir);
    expect(run.stderr.trimEnd().split('\n')).toEqual(lines);
    expect(run.status).toBe(2);
    expect(run.stderr).not.toMatch(/\n\s+at /);
    expect(run.stdout).toBe('');
    expect(treeHash(outdir)).toBe(before);
  });

  it('is a spec file that does not exist: exits 2 naming the file', () => {
    const run = runSynth({ file: '/nonexistent/egress.yaml' }, outdir);
    expect(run.stderr.trim()).toBe('error: $: cannot read spec file /nonexistent/egress.yaml: ENOENT');
    expect(run.status).toBe(2);
  });

  it('base spec is itself valid (so each case fails for its own reason)', () => {
    const run = runSynth({ text: JSON.stringify(base()), ext: 'json' });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
  });
});
