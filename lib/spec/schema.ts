import { z } from 'zod';
import { BlockPublicAccessSchema } from './block-public-access';
import { ScheduleSchema } from './schedule';
import { DEFAULT_MONITORING, MonitoringSchema } from './monitoring';
import { trafficGb, wholeNumber } from './numbers';

/**
 * The spec: one schema, used to parse input, to type the code and to generate
 * `schema/egress-spec.schema.json` for editors. Cross-field checks live in `checks.ts`.
 */

const NAME = /^[a-z][a-z0-9-]{0,30}$/;
const nameField = () =>
  z.string().regex(NAME, { error: 'must match ^[a-z][a-z0-9-]{0,30}$ (lower case letters, digits and dashes, starting with a letter)' });

const ipv4Cidr = z
  .string()
  .regex(/^(\d{1,3}\.){3}\d{1,3}\/\d{1,2}$/, { error: 'must be an IPv4 CIDR such as 10.0.0.0/16' });
const ipv4Address = z
  .string()
  .regex(/^(\d{1,3}\.){3}\d{1,3}$/, { error: 'must be an IPv4 address such as 10.1.0.10' });
const az = z.string().regex(/^[a-z]{2}(-gov)?-[a-z]+-\d[a-z]$/, { error: 'must be an availability zone name such as ap-northeast-1a' });
const awsId = (prefix: string) =>
  z.string().regex(new RegExp(`^${prefix}-([0-9a-f]{8}|[0-9a-f]{17})$`), { error: `must be an ID such as ${prefix}-0123456789abcdef0` });
const tagMap = z.record(z.string().min(1).max(128), z.string().max(256));

export const BackendSchema = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('local'),
    /** State file, relative to the directory synthesis runs in; outside the output directory. @default terraform.<project>.tfstate beside the output directory */
    path: z.string().min(1).max(4096).optional(),
  }),
  z.strictObject({
    type: z.literal('s3'),
    bucket: z.string().min(3),
    key: z.string().min(1),
    region: z.string().min(1),
  }),
  z.strictObject({
    type: z.literal('cloud'),
    organization: z.string().min(1),
    workspace: z.string().min(1),
  }),
]);

export const VpcSchema = z.strictObject({
  name: nameField(),
  cidr: ipv4Cidr,
  azs: z.array(az).min(1).max(6),
  ipv6: z.boolean().default(false),
  /**
   * An internet gateway and a public subnet per AZ. Left out: yes, unless the VPC reaches the
   * internet only as a NAT's spoke (see `hasPublicSubnets`).
   */
  publicSubnets: z.boolean().optional(),
  /** Egress traffic in GB per month, for the cost report. */
  trafficGbPerMonth: trafficGb().optional(),
});

export const ExistingSubnetSchema = z.strictObject({
  id: awsId('subnet'),
  az,
  routeTableId: awsId('rtb'),
  public: z.boolean().default(false),
});

export const ExistingVpcSchema = z.strictObject({
  name: nameField(),
  id: awsId('vpc'),
  cidr: ipv4Cidr,
  // AWS allows 50 CIDR blocks per VPC (the primary and 49 more).
  secondaryCidrs: z.array(ipv4Cidr).max(49).default([]),
  subnets: z.array(ExistingSubnetSchema).min(1),
  trafficGbPerMonth: trafficGb().optional(),
});

export const PortForwardSchema = z.strictObject({
  protocol: z.enum(['tcp', 'udp']),
  port: wholeNumber(1, 65535),
  to: ipv4Address,
  toPort: wholeNumber(1, 65535).optional(),
  allowFrom: z.array(ipv4Cidr).min(1),
  /** Required to accept `0.0.0.0/0` in `allowFrom`: a forward open to the world is a decision. */
  allowAnywhere: z.boolean().default(false),
});

export const NatInstanceSchema = z.strictObject({
  name: nameField(),
  vpc: nameField(),
  az,
  enabled: z.boolean().default(true),
  instanceTypes: z
    .array(z.string().regex(/^[a-z][a-z0-9-]*\.[a-z0-9]+$/, { error: 'must be an EC2 instance type such as t4g.nano' }))
    .min(1)
    .max(20)
    .optional(),
  spot: z.boolean().default(true),
  egressInterface: z.enum(['dedicated', 'primary']).default('dedicated'),
  /** Required with egressInterface "primary" when the hub's private subnets are then left with no IPv4 default route: an egress-only hub is a decision. */
  allowHubWithoutEgress: z.boolean().default(false),
  spokes: z.array(nameField()).default([]),
  portForwards: z.array(PortForwardSchema).default([]),
  imageId: z.string().regex(/^(ami-[0-9a-f]{8,17}|resolve:ssm:\S+)$/, { error: 'must be an AMI ID (ami-...) or resolve:ssm:<parameter>' }).optional(),
  /** EC2 key pair names: up to 255 printable ASCII characters, no leading or trailing space. */
  keyName: z
    .string()
    .max(255)
    .regex(/^[\x21-\x7e]([\x20-\x7e]*[\x21-\x7e])?$/, { error: 'must be a key pair name: printable ASCII characters, no leading or trailing spaces' })
    .optional(),
  sshAllowFrom: z.array(ipv4Cidr).default([]),
  rootVolumeSize: wholeNumber(2, 100).default(8),
  /** nf_conntrack and EC2 connection tracking (lib/nat/conntrack.ts); the timeout ranges are EC2's. */
  conntrack: z
    .strictObject({
      max: wholeNumber(1024, 16_777_216).optional(),
      tcpEstablishedTimeout: wholeNumber(60, 432_000).default(7440),
      udpTimeout: wholeNumber(30, 60).default(30),
      udpStreamTimeout: wholeNumber(60, 180).default(120),
    })
    .default({ tcpEstablishedTimeout: 7440, udpTimeout: 30, udpStreamTimeout: 120 }),
  userData: z
    .strictObject({
      writeFiles: z
        .array(z.strictObject({ path: z.string().startsWith('/'), content: z.string(), permissions: z.string().regex(/^0[0-7]{3}$/).optional() }))
        .default([]),
      runcmd: z.array(z.string().min(1)).default([]),
    })
    .default({ writeFiles: [], runcmd: [] }),
  /** Start and stop the NAT on a timetable; while it is off, private subnets have no IPv4 egress. */
  schedule: ScheduleSchema.optional(),
  /** Exclusions that keep this NAT's egress working in an account with VPC Block Public Access on. */
  blockPublicAccess: BlockPublicAccessSchema.optional(),
  monitoring: MonitoringSchema.default(DEFAULT_MONITORING),
});

export const ENDPOINT_PLACEMENTS = ['single-subnet', 'per-az'] as const;

export const EndpointsSchema = z.strictObject({
  vpc: nameField(),
  gateway: z.array(z.enum(['s3', 'dynamodb'])).default([]),
  interface: z.array(z.string().regex(/^[a-z0-9][a-z0-9.-]*$/, { error: 'must be a short service name such as ssm, a preset such as ecr, or a full service name such as com.amazonaws.ap-northeast-1.ssm' })).default([]),
  placement: z.enum(ENDPOINT_PLACEMENTS).default('single-subnet'),
});

export const SpecSchema = z.strictObject({
  $schema: z.string().optional(),
  project: nameField(),
  region: z.string().regex(/^[a-z]{2}(-gov)?-[a-z]+-\d$/, { error: 'must be an AWS region such as ap-northeast-1' }),
  tags: tagMap.default({}),
  backend: BackendSchema.default({ type: 'local' }),
  vpcs: z.array(VpcSchema).default([]),
  existingVpcs: z.array(ExistingVpcSchema).default([]),
  natInstances: z.array(NatInstanceSchema).default([]),
  endpoints: z.array(EndpointsSchema).default([]),
  /** Default egress GB per VPC per month for the cost report when a VPC does not say. */
  trafficGbPerMonth: trafficGb().default(100),
});

export type Spec = z.output<typeof SpecSchema>;
export type SpecInput = z.input<typeof SpecSchema>;
export type VpcSpec = z.output<typeof VpcSchema>;
export type ExistingVpcSpec = z.output<typeof ExistingVpcSchema>;
export type NatInstanceSpec = z.output<typeof NatInstanceSchema>;
export type PortForwardSpec = z.output<typeof PortForwardSchema>;
export type EndpointsSpec = z.output<typeof EndpointsSchema>;
