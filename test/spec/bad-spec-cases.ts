// The bad-spec table: every class of input the spec contract refuses, each with its exact line.
// Shared by the in-process table and the subprocess sample in bad-specs.test.ts.

export type Spec = Record<string, any>;

/** A valid spec: a dedicated NAT in `hub` serving `app1`, an existing VPC, endpoints. */
export function base(): Spec {
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

export interface Case {
  readonly name: string;
  readonly mutate?: (spec: Spec) => void;
  /** Raw spec text instead of a mutated base. */
  readonly text?: string;
  readonly ext?: 'yaml' | 'json';
  readonly lines: string[];
}

const nat = (s: Spec) => s.natInstances[0];
const schedule = (fields: Record<string, unknown>) => (s: Spec) => (nat(s).schedule = { timeZone: 'Asia/Tokyo', on: '0 8 * * 1-5', off: '0 20 * * 1-5', ...fields });
const CRON_FIX = 'use five fields "minute hour day-of-month month day-of-week" such as "0 8 * * 1-5"';
const SCHEDULE_CASES: Case[] = [
  { name: 'schedule with an hour of 25', mutate: schedule({ on: '0 25 * * 1-5' }), lines: [`error: natInstances[0].schedule.on: "0 25 * * 1-5": hour "25" is outside 0-23; ${CRON_FIX}`] },
  { name: 'schedule in Quartz syntax', mutate: schedule({ off: '0 20 ? * MON-FRI *' }), lines: [`error: natInstances[0].schedule.off: "0 20 ? * MON-FRI *" has 6 fields; ${CRON_FIX}`] },
  { name: 'schedule with L for the last day', mutate: schedule({ off: '0 20 L * *' }), lines: [`error: natInstances[0].schedule.off: "0 20 L * *": day of month "L" is outside 1-31; ${CRON_FIX}`] },
  { name: 'schedule that never fires', mutate: schedule({ on: '0 8 31 2 *' }), lines: [`error: natInstances[0].schedule.on: "0 8 31 2 *" never fires (no such date); ${CRON_FIX}`] },
  { name: 'schedule firing every 5 minutes', mutate: schedule({ on: '*/5 * * * *' }), lines: ['error: natInstances[0].schedule.on: "*/5 * * * *" fires more often than hourly; start and stop the NAT at most once an hour'] },
  { name: 'schedule with on equal to off', mutate: schedule({ off: '0 8 * * 1-5' }), lines: ['error: natInstances[0].schedule.off: is the same as on ("0 8 * * 1-5"); give the time the NAT stops'] },
  { name: 'schedule whose on and off coincide on weekdays', mutate: schedule({ on: '0 8 * * *', off: '0 8 * * 1-5' }), lines: ['error: natInstances[0].schedule.off: fires at the same minute as on (first 2027-01-01 08:00 Asia/Tokyo), when Auto Scaling may run either; give on and off times that never coincide'] },
  { name: 'schedule in an unknown time zone', mutate: schedule({ timeZone: 'Tokyo/Japan' }), lines: ['error: natInstances[0].schedule.timeZone: "Tokyo/Japan" is not an IANA time zone; use a name such as Etc/UTC, Europe/Berlin or Asia/Tokyo'] },
  { name: 'schedule with a UTC offset for a time zone', mutate: schedule({ timeZone: '+09:00' }), lines: ['error: natInstances[0].schedule.timeZone: "+09:00" is not an IANA time zone; use a name such as Etc/UTC, Europe/Berlin or Asia/Tokyo'] },
  { name: 'schedule without a time zone', mutate: (s) => (nat(s).schedule = { on: '0 8 * * 1-5', off: '0 20 * * 1-5' }), lines: ['error: natInstances[0].schedule.timeZone: is required (string)'] },
  { name: 'schedule with a cron that is a number', mutate: schedule({ on: 8 }), lines: ['error: natInstances[0].schedule.on: must be a string, not number 8'] },
  { name: 'block public access in an unknown mode', mutate: (s) => (nat(s).blockPublicAccess = { accountMode: 'block-all' }), lines: ['error: natInstances[0].blockPublicAccess.accountMode: must be one of "block-bidirectional", "block-ingress"'] },
];
/** Random CJK text (3 bytes a character in UTF-8) that gzip cannot shrink: seeded, the same every run. */
export function incompressibleCjk(chars: number, seed = 1): string {
  let x = seed;
  const out: string[] = [];
  for (let i = 0; i < chars; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    out.push(String.fromCharCode(0x4e00 + ((x >>> 8) % 20_000)));
  }
  return out.join('');
}

const WHOLE = (path: string, min: number, max: number, given: string) => `error: ${path}: must be a whole number from ${min} to ${max}, not ${given}`;
const forward = (s: Spec) => nat(s).portForwards[0];
/**
 * One case per class of input, each with its exact line: a scalar where a list goes, a list or
 * a scalar where a mapping goes, numbers out of range, fractional or of the wrong type, YAML
 * merge keys misused, sizes counted in bytes, and specs too large to parse.
 */
const CLASS_CASES: Case[] = [
  { name: 'a string for the AZ list', mutate: (s) => (s.vpcs[0].azs = 'ap-northeast-1a'), lines: ['error: vpcs[0].azs: must be a list, not string "ap-northeast-1a"'] },
  { name: 'a string for the spoke list', mutate: (s) => (nat(s).spokes = 'app1'), lines: ['error: natInstances[0].spokes: must be a list, not string "app1"'] },
  { name: 'a string for the instance types', mutate: (s) => (nat(s).instanceTypes = 't4g.nano'), lines: ['error: natInstances[0].instanceTypes: must be a list, not string "t4g.nano"'] },
  { name: 'a string for allowFrom', mutate: (s) => (forward(s).allowFrom = '203.0.113.0/24'), lines: ['error: natInstances[0].portForwards[0].allowFrom: must be a list, not string "203.0.113.0/24"'] },
  { name: 'a string for runcmd', mutate: (s) => (nat(s).userData = { runcmd: 'echo hi' }), lines: ['error: natInstances[0].userData.runcmd: must be a list, not string "echo hi"'] },
  { name: 'a mapping for writeFiles', mutate: (s) => (nat(s).userData = { writeFiles: { path: '/etc/motd', content: 'x' } }), lines: ['error: natInstances[0].userData.writeFiles: must be a list, not a mapping'] },
  { name: 'a string for the gateway endpoints', mutate: (s) => (s.endpoints[0].gateway = 's3'), lines: ['error: endpoints[0].gateway: must be a list, not string "s3"'] },
  { name: 'a number for the secondary CIDRs', mutate: (s) => (s.existingVpcs[0].secondaryCidrs = 10), lines: ['error: existingVpcs[0].secondaryCidrs: must be a list, not number 10'] },
  { name: 'a mapping for the VPC list', mutate: (s) => (s.vpcs = { name: 'hub' }), lines: ['error: vpcs: must be a list, not a mapping'] },
  { name: 'a list for the tags', mutate: (s) => (s.tags = ['owner']), lines: ['error: tags: must be a mapping, not a list'] },
  { name: 'a string for the conntrack block', mutate: (s) => (nat(s).conntrack = 'big'), lines: ['error: natInstances[0].conntrack: must be a mapping, not string "big"'] },
  { name: 'a port of 1e21', mutate: (s) => (forward(s).port = 1e21), lines: [WHOLE('natInstances[0].portForwards[0].port', 1, 65535, '1e+21')] },
  { name: 'a fractional port', mutate: (s) => (forward(s).port = 80.5), lines: [WHOLE('natInstances[0].portForwards[0].port', 1, 65535, '80.5')] },
  { name: 'a port given as a string', mutate: (s) => (forward(s).port = '80'), lines: [WHOLE('natInstances[0].portForwards[0].port', 1, 65535, 'string "80"')] },
  { name: 'a port given as a boolean', mutate: (s) => (forward(s).toPort = true), lines: [WHOLE('natInstances[0].portForwards[0].toPort', 1, 65535, 'boolean true')] },
  { name: 'a negative target port', mutate: (s) => (forward(s).toPort = -80), lines: [WHOLE('natInstances[0].portForwards[0].toPort', 1, 65535, '-80')] },
  { name: 'a port of 65536', mutate: (s) => (forward(s).port = 65536), lines: [WHOLE('natInstances[0].portForwards[0].port', 1, 65535, '65536')] },
  { name: 'a root volume of 1e21 GiB', mutate: (s) => (nat(s).rootVolumeSize = 1e21), lines: [WHOLE('natInstances[0].rootVolumeSize', 2, 100, '1e+21')] },
  { name: 'a fractional root volume', mutate: (s) => (nat(s).rootVolumeSize = 8.5), lines: [WHOLE('natInstances[0].rootVolumeSize', 2, 100, '8.5')] },
  { name: 'a conntrack maximum past the safe integers', mutate: (s) => (nat(s).conntrack = { max: 2 ** 53 + 2 }), lines: [WHOLE('natInstances[0].conntrack.max', 1024, 16777216, '9007199254740994')] },
  { name: 'a UDP timeout EC2 refuses', mutate: (s) => (nat(s).conntrack = { udpTimeout: 61 }), lines: [WHOLE('natInstances[0].conntrack.udpTimeout', 30, 60, '61')] },
  { name: 'a fractional TCP timeout', mutate: (s) => (nat(s).conntrack = { tcpEstablishedTimeout: 7440.5 }), lines: [WHOLE('natInstances[0].conntrack.tcpEstablishedTimeout', 60, 432000, '7440.5')] },
  { name: 'no repairs before Unhealthy', mutate: (s) => (nat(s).monitoring = { repairsBeforeUnhealthy: 0 }), lines: [WHOLE('natInstances[0].monitoring.repairsBeforeUnhealthy', 1, 99, '0')] },
  { name: 'a metrics period of 1e9 seconds', mutate: (s) => (nat(s).monitoring = { metrics: true, metricsPeriod: 1e9 }), lines: [WHOLE('natInstances[0].monitoring.metricsPeriod', 60, 3600, '1000000000')] },
  { name: 'an alarm after 1.5 minutes', mutate: (s) => (nat(s).monitoring = { alarms: { noInServiceMinutes: 1.5 } }), lines: [WHOLE('natInstances[0].monitoring.alarms.noInServiceMinutes', 1, 60, '1.5')] },
  { name: 'a conntrack alarm at 101 percent', mutate: (s) => (nat(s).monitoring = { metrics: true, alarms: { conntrackPercent: 101 } }), lines: [WHOLE('natInstances[0].monitoring.alarms.conntrackPercent', 1, 100, '101')] },
  { name: 'traffic of 1e308 GB', mutate: (s) => (s.trafficGbPerMonth = 1e308), lines: ['error: trafficGbPerMonth: must be a number of GB from 0 to 10000000, not 1e+308'] },
  { name: 'VPC traffic of 1e21 GB', mutate: (s) => (s.vpcs[1].trafficGbPerMonth = 1e21), lines: ['error: vpcs[1].trafficGbPerMonth: must be a number of GB from 0 to 10000000, not 1e+21'] },
  { name: 'existing VPC traffic as a string', mutate: (s) => (s.existingVpcs[0].trafficGbPerMonth = '100GB'), lines: ['error: existingVpcs[0].trafficGbPerMonth: must be a number of GB from 0 to 10000000, not string "100GB"'] },
  {
    name: 'YAML merge key of a scalar',
    text: 'project: dev\nregion: us-east-1\nvpcs:\n  - <<: hub\n    name: hub\n',
    lines: ['error: vpcs[0]["<<"]: a merge key takes a mapping, an alias of one or a list of them (line 4, column 9); write <<: *name with &name on a mapping'],
  },
  {
    name: 'YAML merge key of a list of scalars',
    text: 'project: dev\nregion: us-east-1\ntags:\n  <<: [a, b]\n',
    lines: ['error: tags["<<"]: a merge key takes a mapping, an alias of one or a list of them (line 4, column 8); write <<: *name with &name on a mapping'],
  },
  {
    name: 'YAML merge key given twice',
    text: 'project: dev\nregion: us-east-1\ntags:\n  <<: {a: b}\n  <<: {c: d}\n',
    lines: ['error: tags["<<"]: the merge key << is given twice (line 5, column 3); merge several mappings with one key: <<: [*a, *b]'],
  },
  {
    name: 'YAML merge bringing in an unknown field',
    text: 'project: dev\nregion: us-east-1\nvpcs:\n  - &hub {name: hub, cidr: 10.0.0.0/16, azs: [us-east-1a], cidrBlock: 10.0.0.0/16}\n  - {<<: *hub, name: app, cidr: 10.1.0.0/16}\n',
    lines: [
      'error: vpcs[0].cidrBlock: unknown field; check its spelling against the spec format (schema/egress-spec.schema.json)',
      'error: vpcs[1].cidrBlock: unknown field; check its spelling against the spec format (schema/egress-spec.schema.json)',
    ],
  },
  {
    name: 'YAML merge key of an alias to a list',
    text: 'project: dev\nregion: us-east-1\nvpcs:\n  - name: hub\n    cidr: 10.0.0.0/16\n    azs: &azs [us-east-1a]\n    <<: *azs\n',
    lines: ['error: vpcs[0]["<<"]: a merge key takes a mapping, an alias of one or a list of them (line 7, column 9); write <<: *name with &name on a mapping'],
  },
  {
    name: 'user data over 16 KB in bytes, under it in characters',
    mutate: (s) => (nat(s).userData = { writeFiles: [{ path: '/etc/motd', content: incompressibleCjk(12_000) }] }),
    lines: [expect.stringMatching(/^error: natInstances\[0\]\.userData: user data would be \d{5} bytes gzip-compressed; EC2 accepts at most 16384\. /) as unknown as string],
  },
  {
    name: 'spec over 1 MiB in bytes, under it in characters',
    text: `project: dev\nregion: us-east-1\n# ${'é'.repeat(600_000)}\n`,
    lines: ['error: $: the spec is 1200034 bytes; the limit is 1048576 bytes (1 MiB)'],
  },
  {
    name: '250,000 tag keys',
    text: `project: dev\nregion: us-east-1\ntags:\n${Array.from({ length: 250_000 }, (_, i) => `  k${i}: x`).join('\n').slice(0, 1_000_000)}\n`,
    lines: ['error: $: the spec has more than 50000 entries (line 50001); a spec of a thousand VPCs has about 15000, so split it or remove repeated entries'],
  },
  {
    name: '250,000 list items in flow style',
    text: `project: dev\nregion: us-east-1\nvpcs: [${Array(250_000).fill('{}').join(',')}]\n`,
    lines: ['error: $: the spec has more than 50000 entries (line 3); a spec of a thousand VPCs has about 15000, so split it or remove repeated entries'],
  },
  {
    name: '250,000 JSON keys',
    text: JSON.stringify({ project: 'dev', region: 'us-east-1', tags: Object.fromEntries(Array.from({ length: 250_000 }, (_, i) => [i.toString(36), ''])) }),
    ext: 'json',
    lines: [expect.stringMatching(/^error: \$: the spec is \d{7} bytes; the limit is 1048576 bytes \(1 MiB\)$/) as unknown as string],
  },
];

export const CASES: Case[] = [
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
    lines: ['error: natInstances[0].az: VPC "hub" has no public subnet in ap-northeast-1a; it has no public subnets at all; set publicSubnets: true on VPC "hub"'],
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
  { name: 'port forward to port 0', mutate: (s) => (nat(s).portForwards[0].port = 0), lines: ['error: natInstances[0].portForwards[0].port: must be a whole number from 1 to 65535, not 0'] },
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
  { name: 'root volume too small', mutate: (s) => (nat(s).rootVolumeSize = 1), lines: ['error: natInstances[0].rootVolumeSize: must be a whole number from 2 to 100, not 1'] },
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
  { name: 'negative traffic', mutate: (s) => (s.trafficGbPerMonth = -1), lines: ['error: trafficGbPerMonth: must be a number of GB from 0 to 10000000, not -1'] },
  { name: 'spec is a list', text: '- project: dev\n', lines: ['error: $: must be a mapping, not a list'] },
  { name: 'JSON that does not parse', text: '{"project": "dev",', ext: 'json', lines: [expect.stringMatching(/^error: \$: not valid JSON: /) as unknown as string] },

  // YAML and JSON features: one line each, never a crash, nothing silently dropped.
  { name: 'YAML with a duplicated key', text: 'project: dev\nproject: prod\nregion: us-east-1\n', lines: ['error: project: the key "project" is given twice (line 2, column 1); give each key once'] },
  { name: 'JSON with a duplicated key', text: '{"project": "dev", "region": "us-east-1", "project": "prod"}', ext: 'json', lines: ['error: project: the key "project" is given twice (line 1, column 43); give each key once'] },
  { name: 'YAML alias bomb', text: `project: dev\nregion: us-east-1\na: &a [x, x, x, x, x, x, x, x, x, x]\n${'bcdefghi'.split('').map((l, i) => `${l}: &${l} [${Array(10).fill(`*${'abcdefghi'[i]}`).join(', ')}]`).join('\n')}\n`, lines: ['error: $: YAML aliases expand to more than 100 copies; write the repeated values out or use fewer aliases'] },
  { name: 'YAML alias with no anchor', text: 'project: *name\nregion: us-east-1\n', lines: ['error: project: alias *name names no anchor before it (line 1, column 10); define &name first'] },
  { name: 'YAML alias inside its own anchor', text: 'project: dev\nregion: us-east-1\nvpcs: &v [*v]\n', lines: ['error: vpcs[0]: alias *v refers to a value that contains it (line 3, column 11); a spec cannot be circular'] },
  { name: 'YAML custom tag', text: 'project: !env PROJECT\nregion: us-east-1\n', lines: ['error: project: YAML tag !env is not supported (line 1, column 15); write a plain string, number, boolean, list or mapping'] },
  { name: 'YAML binary tag', text: 'project: !!binary ZGV2\nregion: us-east-1\n', lines: ['error: project: YAML tag tag:yaml.org,2002:binary is not supported (line 1, column 19); write a plain string, number, boolean, list or mapping'] },
  { name: 'YAML with two documents', text: 'project: dev\nregion: us-east-1\n---\nproject: prod\n', lines: ['error: $: the file holds 2 YAML documents (separated by ---); a spec is one document'] },
  { name: 'YAML mapping used as a key', text: 'project: dev\nregion: us-east-1\n? [a, b]\n: 1\n', lines: ['error: $: a mapping key is a list or mapping (line 3, column 3); keys must be plain strings'] },
  { name: 'empty YAML file', text: '', lines: ['error: $: the spec is empty; start from lib/spec/example.yaml'] },
  { name: '__proto__ key in YAML', text: 'project: dev\nregion: us-east-1\n__proto__: {polluted: true}\n', lines: ['error: __proto__: the key "__proto__" is not allowed (line 3, column 1); JavaScript objects treat it specially, so rename it'] },
  { name: '__proto__ key in JSON tags', text: '{"project": "dev", "region": "us-east-1", "tags": {"__proto__": {"x": "y"}}}', ext: 'json', lines: ['error: tags.__proto__: the key "__proto__" is not allowed (line 1, column 52); JavaScript objects treat it specially, so rename it'] },
  { name: 'JSON nested 1,000 levels deep', text: `{"project": "dev", "region": "us-east-1", "x": ${'['.repeat(1000)}${']'.repeat(1000)}}`, ext: 'json', lines: ['error: $: lists and mappings nest deeper than 64 levels (line 1); a spec nests only a few levels'] },
  { name: 'YAML indented 300 levels deep', text: `project: dev\nregion: us-east-1\nx:\n${'- '.repeat(300)}1\n`, lines: ['error: $: line 4 is indented more than 256 columns; a spec nests only a few levels'] },
  { name: 'YAML infinity for a number', text: 'project: dev\nregion: us-east-1\ntrafficGbPerMonth: .inf\n', lines: ['error: trafficGbPerMonth: must be a number of GB from 0 to 10000000, not Infinity'] },
  {
    name: '20,000 unknown fields: the first 50 and a count',
    mutate: (s) => [...Array(20_000).keys()].forEach((i) => (s[`x${i}`] = 1)),
    lines: [
      ...[...Array(50).keys()].map((i) => `error: x${i}: unknown field; check its spelling against the spec format (schema/egress-spec.schema.json)`),
      'error: $: 19950 more problems not shown; fix the ones above first',
    ],
  },
  { name: 'spec over the size limit', text: `project: dev\nregion: us-east-1\n#${'x'.repeat(1024 * 1024)}\n`, lines: ['error: $: the spec is 1048609 bytes; the limit is 1048576 bytes (1 MiB)'] },
  { name: 'interface endpoint named like an Object member', mutate: (s) => (s.endpoints[0].interface = ['constructor']), lines: ['error: endpoints[0].interface[0]: unknown interface endpoint "constructor"; use a preset (ssm, ecr), a short name (autoscaling, cloudformation, ec2, ec2messages, ecr.api, ecr.dkr, ecs, ecs-agent, ecs-telemetry, elasticfilesystem, elasticloadbalancing, events, execute-api, kinesis-streams, kms, lambda, logs, monitoring, rds, secretsmanager, sns, sqs, ssm, ssmmessages, states, sts, xray) or a full name such as com.amazonaws.<region>.<service>'] },
  { name: 'project named like an Object member', mutate: (s) => (s.project = 'constructor'), lines: ['error: project: "constructor" collides with a JavaScript object member in the construct tree; choose another project name'] },
  { name: 'VPC name with a slash', mutate: (s) => (s.vpcs[2].name = 'a/b'), lines: ['error: vpcs[2].name: must match ^[a-z][a-z0-9-]{0,30}$ (lower case letters, digits and dashes, starting with a letter)'] },
  // Every message one physical line: control characters escaped, long values cut.
  { name: 'unknown field with a newline and an escape in its name', mutate: (s) => (s['evil\n\u001b[2J'] = 1), lines: ['error: ["evil\\n\\u001b[2J"]: unknown field; check its spelling against the spec format (schema/egress-spec.schema.json)'] },
  { name: 'long value quoted back', mutate: (s) => (s.vpcs = 'v'.repeat(500)), lines: ['error: vpcs: must be a list, not string "vvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvv…"'] },
  // Addresses, in every field that takes one.
  { name: 'VPC CIDR with a leading zero', mutate: (s) => (s.vpcs[0].cidr = '010.0.0.0/16'), lines: ['error: vpcs[0].cidr: "010.0.0.0/16" has a leading zero in an octet, which AWS and Terraform do not accept; write 10.0.0.0/16'] },
  { name: 'secondary CIDR with host bits', mutate: (s) => (s.existingVpcs[0].secondaryCidrs = ['100.64.0.1/20']), lines: ['error: existingVpcs[0].secondaryCidrs[0]: 100.64.0.1/20 is not a network address; did you mean 100.64.0.0/20?'] },
  { name: 'allowFrom with host bits', mutate: (s) => (nat(s).portForwards[0].allowFrom = ['203.0.113.7/24']), lines: ['error: natInstances[0].portForwards[0].allowFrom[0]: 203.0.113.7/24 is not a network address; did you mean 203.0.113.0/24?'] },
  { name: 'allowFrom with a prefix over 32', mutate: (s) => (nat(s).portForwards[0].allowFrom = ['203.0.113.0/33']), lines: ['error: natInstances[0].portForwards[0].allowFrom[0]: "203.0.113.0/33" is not a valid IPv4 CIDR; use a network such as 10.0.0.0/16'] },
  { name: 'sshAllowFrom with a leading zero', mutate: (s) => Object.assign(nat(s), { keyName: 'ops', sshAllowFrom: ['198.051.100.0/24'] }), lines: ['error: natInstances[0].sshAllowFrom[0]: "198.051.100.0/24" has a leading zero in an octet, which AWS and Terraform do not accept; write 198.51.100.0/24'] },
  { name: 'port forward target with an octet over 255', mutate: (s) => (nat(s).portForwards[0].to = '10.1.300.10'), lines: ['error: natInstances[0].portForwards[0].to: "10.1.300.10" is not a valid IPv4 address; use a host address such as 10.1.0.10'] },
  { name: 'port forward target with a leading zero', mutate: (s) => (nat(s).portForwards[0].to = '10.1.128.010'), lines: ['error: natInstances[0].portForwards[0].to: "10.1.128.010" has a leading zero in an octet, which AWS and Terraform do not accept; write 10.1.128.10'] },
  { name: 'port forward to a subnet network address', mutate: (s) => (nat(s).portForwards[0].to = '10.1.128.0'), lines: ['error: natInstances[0].portForwards[0].to: 10.1.128.0 is the network address of app1\'s private subnet in ap-northeast-1a (10.1.128.0/20); forward to a host address'] },
  { name: 'port forward to the VPC router address', mutate: (s) => (nat(s).portForwards[0].to = '10.1.128.1'), lines: ['error: natInstances[0].portForwards[0].to: 10.1.128.1 is the VPC router address (AWS reserves the first four addresses) of app1\'s private subnet in ap-northeast-1a (10.1.128.0/20); forward to a host address'] },
  { name: 'port forward to a subnet broadcast address', mutate: (s) => (nat(s).portForwards[0].to = '10.1.143.255'), lines: ['error: natInstances[0].portForwards[0].to: 10.1.143.255 is the broadcast address (AWS reserves it) of app1\'s private subnet in ap-northeast-1a (10.1.128.0/20); forward to a host address'] },
  { name: 'port forward to an address in no subnet', mutate: (s) => (nat(s).portForwards[0].to = '10.1.96.10'), lines: ['error: natInstances[0].portForwards[0].to: 10.1.96.10 is in no subnet of VPC "app1" (10.1.0.0/20, 10.1.128.0/20); forward to a host in one of them'] },
  {
    name: 'port forward to the DNS address of an existing VPC',
    mutate: (s) => Object.assign(nat(s), { spokes: ['legacy'], portForwards: [{ ...nat(s).portForwards[0], to: '10.9.0.2' }] }),
    lines: ['error: natInstances[0].portForwards[0].to: 10.9.0.2 is the Amazon DNS address (AWS reserves the first four addresses) of a subnet of VPC "legacy" (10.9.0.0/16); forward to a host address'],
  },
  { name: 'allowFrom covering the internet in two halves', mutate: (s) => (nat(s).portForwards[0].allowFrom = ['0.0.0.0/1', '128.0.0.0/1']), lines: ['error: natInstances[0].portForwards[0].allowFrom: 0.0.0.0/1, 128.0.0.0/1 together cover the whole internet; set allowAnywhere: true to mean it, or narrow the ranges'] },
  {
    name: 'tcp/22 forward while SSH is open',
    mutate: (s) => Object.assign(nat(s), { keyName: 'ops', sshAllowFrom: ['198.51.100.0/24'], portForwards: [{ ...nat(s).portForwards[0], port: 22 }] }),
    lines: ['error: natInstances[0].portForwards[0].port: tcp/22 is forwarded while sshAllowFrom opens SSH to the NAT: the forward would take over SSH to the EIP; forward another port (for example 2222 with toPort 22), or drop sshAllowFrom'],
  },
  // AWS tag, name and key pair rules.
  { name: 'tag key with the aws: prefix', mutate: (s) => (s.tags = { 'aws:owner': 'x' }), lines: ['error: tags["aws:owner"]: tag keys starting with "aws:" are reserved for AWS; choose another key'] },
  { name: 'tag key with the tool prefix', mutate: (s) => (s.tags = { 'cdktf-egress:nat': 'x' }), lines: ['error: tags["cdktf-egress:nat"]: tag keys starting with "cdktf-egress:" are set by cdktf-egress itself; choose another key'] },
  { name: 'tag key with a character AWS refuses', mutate: (s) => (s.tags = { 'team#1': 'x' }), lines: ['error: tags["team#1"]: tag key "team#1" has characters AWS refuses; use letters, digits, spaces and _ . : / = + - @'] },
  { name: 'tag value with a control character', mutate: (s) => (s.tags = { owner: 'a\u001b[31mred' }), lines: ['error: tags.owner: tag value "a\\u001b[31mred" has characters AWS refuses; use letters, digits, spaces and _ . : / = + - @'] },
  { name: 'tag key too long', mutate: (s) => (s.tags = { ['k'.repeat(129)]: 'x' }), lines: ['error: tags["kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk…"]: the key must be at most 128 characters long'] },
  { name: 'too many tags with the ones the tool adds', mutate: (s) => (s.tags = Object.fromEntries([...Array(47).keys()].map((i) => [`t${i}`, 'x']))), lines: [
    'error: tags: 47 tags plus the 4 cdktf-egress sets (Name, cdktf-egress:project, cdktf-egress:nat, cdktf-egress:device-index) make 51; AWS allows 50 per resource, so drop 1',
    'error: tags: 47 tags plus cdktf-egress:project make 48 on each NAT boot file, an S3 object; S3 allows 10 per object, so drop 38',
  ] },
  { name: 'more tags than an S3 object holds, with a NAT', mutate: (s) => (s.tags = Object.fromEntries([...Array(10).keys()].map((i) => [`t${i}`, 'x']))), lines: ['error: tags: 10 tags plus cdktf-egress:project make 11 on each NAT boot file, an S3 object; S3 allows 10 per object, so drop 1'] },
  { name: 'NAT name making the IAM name prefix too long', mutate: (s) => Object.assign(s, { project: 'platform-egress-prod' }) && (nat(s).name = 'shared-tokyo-az1a'), lines: ['error: natInstances[0].name: the NAT\'s IAM role name prefix "platform-egress-prod-shared-tokyo-az1a-" is 39 characters; IAM allows 38, so shorten the project or NAT name by 1'] },
  { name: 'key pair name with a trailing space', mutate: (s) => (nat(s).keyName = 'ops '), lines: ['error: natInstances[0].keyName: must be a key pair name: printable ASCII characters, no leading or trailing spaces'] },
  { name: 'key pair name that is not ASCII', mutate: (s) => (nat(s).keyName = 'opé'), lines: ['error: natInstances[0].keyName: must be a key pair name: printable ASCII characters, no leading or trailing spaces'] },
  // Topology mistakes.
  { name: 'spoke overlapping the hub', mutate: (s) => Object.assign(s.vpcs[1], { cidr: '10.0.0.0/20' }) && (nat(s).portForwards = []), lines: ['error: natInstances[0].spokes[0]: spoke "app1" (10.0.0.0/20) overlaps the NAT\'s own VPC "hub" (10.0.0.0/16); replies to hub would leave through the spoke\'s ENI, so give the spoke a CIDR outside 10.0.0.0/16'] },
  { name: 'primary egress leaving the hub without a default route', mutate: (s) => Object.assign(nat(s), { egressInterface: 'primary' }), lines: ['error: natInstances[0].egressInterface: "primary" leaves the private subnets of VPC "hub" (10.0.128.0/20 in ap-northeast-1a, 10.0.144.0/20 in ap-northeast-1c) with no IPv4 default route; use egressInterface "dedicated" to serve hub too, serve it from another NAT, or set allowHubWithoutEgress: true if nothing there needs IPv4 egress'] },
  { name: 'user data writing the NAT\'s own config', mutate: (s) => (nat(s).userData = { writeFiles: [{ path: '/etc//cdktf-egress/nat.conf', content: 'x' }] }), lines: ['error: natInstances[0].userData.writeFiles[0].path: "/etc//cdktf-egress/nat.conf" belongs to the NAT\'s boot (/opt/cdktf-egress, /etc/cdktf-egress, /var/lib/cdktf-egress, /etc/systemd/system/cdktf-egress-*, /etc/systemd/network/40-cdktf-egress-*); write your file elsewhere'] },
  { name: 'user data writing into the boot loader\'s cache', mutate: (s) => (nat(s).userData = { writeFiles: [{ path: '/var/lib/cdktf-egress/boot-cache/x', content: 'x' }] }), lines: ['error: natInstances[0].userData.writeFiles[0].path: "/var/lib/cdktf-egress/boot-cache/x" belongs to the NAT\'s boot (/opt/cdktf-egress, /etc/cdktf-egress, /var/lib/cdktf-egress, /etc/systemd/system/cdktf-egress-*, /etc/systemd/network/40-cdktf-egress-*); write your file elsewhere'] },
  { name: 'user data writing the watchdog\'s timer', mutate: (s) => (nat(s).userData = { writeFiles: [{ path: '/etc/systemd/system/cdktf-egress-watchdog.timer', content: 'x' }] }), lines: ['error: natInstances[0].userData.writeFiles[0].path: "/etc/systemd/system/cdktf-egress-watchdog.timer" belongs to the NAT\'s boot (/opt/cdktf-egress, /etc/cdktf-egress, /var/lib/cdktf-egress, /etc/systemd/system/cdktf-egress-*, /etc/systemd/network/40-cdktf-egress-*); write your file elsewhere'] },
  { name: 'user data writing one path twice', mutate: (s) => (nat(s).userData = { writeFiles: [{ path: '/etc/motd', content: 'a' }, { path: '/etc/./motd', content: 'b' }] }), lines: ['error: natInstances[0].userData.writeFiles[1].path: "/etc/./motd" is also written by writeFiles[0]; cloud-init would keep only the last; write each path once'] },
  {
    name: 'more spokes than any default instance type carries',
    mutate: (s) => {
      for (let i = 3; i <= 9; i++) s.vpcs.push({ name: `app${i}`, cidr: `10.${i}.0.0/16`, azs: ['ap-northeast-1a'] });
      Object.assign(nat(s), { instanceTypes: undefined, spokes: ['app1', 'app3', 'app4', 'app5', 'app6', 'app7', 'app8', 'app9'] });
      delete nat(s).instanceTypes;
    },
    lines: ['error: natInstances[0].spokes: 8 spokes need 10 network interfaces; the largest default instance type carries 8, so serve at most 6 spokes from this NAT and the rest from another'],
  },
  ...SCHEDULE_CASES,
  ...CLASS_CASES,
];

