import { Token } from 'cdktf';
import { amiParameter, type NatInstanceProps, type PortForward } from '../nat/nat-instance';
import { CONNTRACK_DEFAULTS } from '../nat/conntrack';
import { DEFAULT_SSM_POLICY_ARN } from '../nat/nat-role';
import type { WriteFile } from '../nat/user-data';
import type { ModuleStack } from './module-stack';
import {
  architectureOf,
  awsIdCheck,
  cidrListCheck,
  hclString,
  imageIdCheck,
  nameCheck,
  numberRangeChecks,
  oneOfCheck,
  type TerraformCheck,
} from './terraform-checks';

/** What both NAT modules feed to `NatInstance` from their shared inputs, as its props. */
export type NatInputs = Required<
  Pick<NatInstanceProps, 'natId' | 'enabled' | 'spot' | 'imageId' | 'keyName' | 'tags' | 'ssmPolicyArn' | 'rootVolumeSize' | 'portForwards' | 'userDataWriteFiles' | 'userDataRuncmd' | 'conntrack'>
>;

const WRITE_FILE_KEYS = ['path', 'content', 'permissions', 'owner', 'encoding'];

const PORT_FORWARD_TYPE = 'list(object({ protocol = string, port = number, to = string, to_port = optional(number), allow_from = list(string), allow_anywhere = optional(bool, false) }))';

/** lib/spec/schema.ts PortForwardSchema and lib/spec/checks.ts `checkPortForwards`, what a module can check alone. */
const PROTOCOL = oneOfCheck('f.protocol', 'port_forwards[*].protocol', ['tcp', 'udp']);
const PORT_FORWARD_CHECKS: TerraformCheck[] = [
  { condition: `alltrue([for f in var.port_forwards : ${PROTOCOL.condition}])`, message: PROTOCOL.message },
  {
    condition: 'alltrue([for f in var.port_forwards : f.port >= 1 && f.port <= 65535 && floor(f.port) == f.port && (f.to_port == null || (f.to_port >= 1 && f.to_port <= 65535))])',
    message: 'port_forwards[*].port and to_port must be whole numbers from 1 to 65535',
  },
  {
    condition: 'alltrue([for f in var.port_forwards : can(regex("^([0-9]{1,3}[.]){3}[0-9]{1,3}$", f.to))])',
    message: 'port_forwards[*].to must be an IPv4 address such as 10.1.0.10',
  },
  { condition: 'alltrue([for f in var.port_forwards : length(f.allow_from) > 0])', message: 'port_forwards[*].allow_from must list at least 1 item' },
  cidrListCheck('flatten(var.port_forwards[*].allow_from)'),
  {
    condition: 'alltrue([for f in var.port_forwards : f.allow_anywhere || !anytrue([for c in f.allow_from : can(cidrnetmask(c)) && endswith(c, "/0")])])',
    message: '0.0.0.0/0 opens the port to the whole internet; set allow_anywhere = true to mean it, or narrow the range',
  },
  {
    condition: 'length(distinct([for f in var.port_forwards : "${f.protocol}/${f.port}"])) == length(var.port_forwards)',
    message: '${join(", ", [for k, v in { for f in var.port_forwards : "${f.protocol}/${f.port}" => f... } : k if length(v) > 1])} is forwarded twice; each protocol and port can be forwarded once',
  },
];

/**
 * The inputs the NAT modules share (named as in int128/nat-instance where it has them), and
 * their adaptation to construct props: empty strings to nulls, snake_case to camelCase.
 */
export function natInputs(stack: ModuleStack, firstInstanceType: string): NatInputs {
  const name = stack.input('name', {
    type: 'string',
    description: 'Name of the NAT: prefix of every resource name, Name tag, and the cdktf-egress:nat tag the boot script finds its ENIs by.',
    validations: [nameCheck('var.name', 'name')],
  });
  const enabled = stack.input('enabled', {
    type: 'bool', default: true,
    description: 'Run the NAT instance. false scales the auto scaling group to zero and keeps the ENI, EIP and routes, so the egress address survives.',
  });
  stack.input('image_id', {
    type: 'string', default: '',
    description: 'AMI ID or resolve:ssm: parameter for the instance. "" (the default) is the latest Amazon Linux 2023 for the architecture of the first instance type.',
    validations: [imageIdCheck],
  });
  const spot = stack.input('use_spot_instance', { type: 'bool', default: true, description: 'Run on spot (capacity-rebalanced, price-capacity-optimized); false runs on demand.' });
  stack.input('key_name', {
    type: 'string', default: '',
    description: 'EC2 key pair for SSH. "" (the default) means none; Session Manager works either way. Open port 22 on sg_id yourself.',
  });
  const tags = stack.input('tags', { type: 'map(string)', default: {}, description: 'Tags for every resource of the module and what the instance launches.' });
  const userData = userDataInputs(stack);
  const ssmPolicyArn = stack.input('ssm_policy_arn', {
    type: 'string', default: DEFAULT_SSM_POLICY_ARN,
    description: 'Managed policy attached to the instance role for Session Manager.',
    validations: [{ condition: 'can(regex("^arn:aws[a-z-]*:iam::", var.ssm_policy_arn))', message: 'ssm_policy_arn must be an IAM policy ARN such as arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore' }],
  });
  const rootVolumeSize = stack.input('root_volume_size', {
    type: 'number', default: 8, description: 'Root volume size in GiB (gp3, encrypted).', validations: numberRangeChecks('root_volume_size', 2, 100),
  });
  stack.input('port_forwards', {
    type: PORT_FORWARD_TYPE, default: [],
    description: 'Ports on the egress address forwarded to hosts behind the NAT: protocol (tcp|udp), port, to (IPv4), to_port (defaults to port), allow_from (CIDRs; 0.0.0.0/0 only with allow_anywhere = true).',
    validations: PORT_FORWARD_CHECKS,
  });
  const forwards = stack.local('port_forwards', '[for f in var.port_forwards : { protocol = f.protocol, port = f.port, to = f.to, toPort = coalesce(f.to_port, f.port), allowFrom = f.allow_from }]');
  const firstArchitecture = architectureOf(firstInstanceType);
  const imageId = stack.local(
    'image_id',
    `var.image_id != "" ? var.image_id : ${firstArchitecture} == "arm64" ? ${hclString(amiParameter('arm64'))} : ${hclString(amiParameter('x86_64'))}`,
  );
  return {
    natId: name.stringValue,
    enabled: enabled.value,
    spot: spot.value,
    imageId: imageId.asString,
    keyName: stack.local('key_name', 'var.key_name != "" ? var.key_name : null').asString,
    tags: Token.asStringMap(tags.value),
    ssmPolicyArn: ssmPolicyArn.stringValue,
    rootVolumeSize: rootVolumeSize.numberValue,
    portForwards: Token.asAny(forwards.expression) as unknown as PortForward[],
    conntrack: conntrackInputs(stack),
    ...userData,
  };
}

/** lib/spec/schema.ts `conntrack`, as flat inputs. */
function conntrackInputs(stack: ModuleStack): NatInputs['conntrack'] {
  const max = stack.input('conntrack_max', {
    type: 'number', default: 0,
    description: 'nf_conntrack_max on the instance (the hash table gets a quarter as many buckets). 0 (the default) sizes it by memory: 64 entries per MiB, 16384 to 1048576.',
    validations: [
      { condition: 'var.conntrack_max == floor(var.conntrack_max)', message: 'conntrack_max must be an integer' },
      { condition: 'var.conntrack_max == 0 || (var.conntrack_max >= 1024 && var.conntrack_max <= 16777216)', message: 'conntrack_max must be 0 (sized by memory) or from 1024 to 16777216' },
    ],
  });
  const timeout = (name: string, byDefault: number, min: number, max: number, what: string): number => stack.input(name, {
    type: 'number', default: byDefault, validations: numberRangeChecks(name, min, max),
    description: `Idle timeout in seconds of ${what}, ${min}-${max}: on the instance (nf_conntrack) and in EC2's tracking of its primary interface.`,
  }).numberValue;
  return {
    max: max.numberValue,
    tcpEstablishedTimeout: timeout('conntrack_tcp_established_timeout', CONNTRACK_DEFAULTS.tcpEstablishedTimeout, 60, 432000, 'an established TCP connection'),
    udpTimeout: timeout('conntrack_udp_timeout', CONNTRACK_DEFAULTS.udpTimeout, 30, 60, 'a UDP flow seen one way'),
    udpStreamTimeout: timeout('conntrack_udp_stream_timeout', CONNTRACK_DEFAULTS.udpStreamTimeout, 60, 180, 'a UDP flow seen both ways'),
  };
}

/** int128's cloud-init additions, passed to the construct as they are (it adds the default permissions). */
function userDataInputs(stack: ModuleStack): Pick<NatInputs, 'userDataWriteFiles' | 'userDataRuncmd'> {
  const writeFiles = stack.input('user_data_write_files', {
    type: 'list(map(string))', default: [],
    description: `Extra cloud-init write_files entries, written after the NAT's own. Keys: ${WRITE_FILE_KEYS.join(', ')}; path and content are required, permissions defaults to 0644.`,
    validations: writeFileChecks(),
  });
  const runcmd = stack.input('user_data_runcmd', {
    type: 'list(list(string))', default: [],
    description: 'Extra cloud-init runcmd entries (argv lists), run after the NAT service is up.',
    validations: [{ condition: 'alltrue([for c in var.user_data_runcmd : length(c) > 0])', message: 'user_data_runcmd entries must not be empty' }],
  });
  return {
    userDataWriteFiles: Token.asAny(writeFiles.value) as unknown as WriteFile[],
    userDataRuncmd: Token.asAny(runcmd.value) as unknown as string[],
  };
}

/** lib/spec/schema.ts userData.writeFiles, for int128's map-shaped entries. */
function writeFileChecks(): TerraformCheck[] {
  const v = 'var.user_data_write_files';
  return [
    {
      condition: `alltrue([for f in ${v} : length(setsubtract(keys(f), ${hclString(WRITE_FILE_KEYS)})) == 0])`,
      message: `user_data_write_files entries take only the keys ${WRITE_FILE_KEYS.join(', ')}`,
    },
    { condition: `alltrue([for f in ${v} : contains(keys(f), "path") && contains(keys(f), "content")])`, message: 'user_data_write_files entries need a path and a content' },
    { condition: `alltrue([for f in ${v} : startswith(lookup(f, "path", "/"), "/")])`, message: 'user_data_write_files[*].path must start with "/"' },
    { condition: `alltrue([for f in ${v} : can(regex("^0[0-7]{3}$", lookup(f, "permissions", "0644")))])`, message: 'user_data_write_files[*].permissions must be an octal mode such as 0644' },
  ];
}

/** A CIDR list input whose elements must be valid. */
export function cidrListInput(stack: ModuleStack, name: string, description: string, byDefault?: string[]): string[] {
  return stack.input(name, { type: 'list(string)', description, default: byDefault, validations: [cidrListCheck(`var.${name}`)] }).listValue;
}

/** A required AWS ID input (`vpc`, `subnet`). */
export function idInput(stack: ModuleStack, name: string, prefix: string, description: string): string {
  return stack.input(name, { type: 'string', description, validations: [awsIdCheck(name, prefix)] }).stringValue;
}
