import { INSTANCE_TYPES } from '../nat/instance-types';
import { MAX_TAGS, TAG_CHARACTERS, TOOL_TAG_KEYS } from '../spec/aws-limits';

/**
 * Validation blocks for module variables, each the Terraform form of a check the spec or a
 * construct makes in TypeScript, with the same message (variable names in place of spec
 * paths). Conditions and messages are HCL: messages may interpolate `${...}`.
 */
export interface TerraformCheck {
  readonly condition: string;
  readonly message: string;
}

/** An HCL string or tuple literal (JSON's escapes are HCL's for these characters). */
export const hclString = (value: string | readonly string[]): string => JSON.stringify(value);

const NAME = '^[a-z][a-z0-9-]{0,30}$';

/** lib/spec/schema.ts `nameField`. */
export function nameCheck(expression: string, what: string): TerraformCheck {
  return {
    condition: `can(regex(${hclString(NAME)}, ${expression}))`,
    message: `${what} must match ${NAME} (lower case, digits, dashes; starts with a letter)`,
  };
}

const KINDS: Readonly<Record<string, string>> = { vpc: 'VPC', subnet: 'subnet', rtb: 'route table' };

/**
 * An ID input is checked for presence, not format (unlike lib/spec/schema.ts `awsId`, which
 * reads IDs people type). Module inputs are mostly references to other resources, and a root
 * that tests itself with `mock_provider "aws"` passes IDs the mock made up (`hbsk3l7x`): a
 * format check would fail those tests and catch nothing AWS does not refuse by name at apply.
 * An empty string, what a missed lookup gives, is caught here.
 */
export function awsIdCheck(variable: string, prefix: string): TerraformCheck {
  return {
    condition: `trimspace(var.${variable}) != ""`,
    message: `${variable} is empty; give the ID of a ${KINDS[prefix] ?? prefix}, such as ${prefix}-0123456789abcdef0`,
  };
}

/** Every element of an ID list present (see `awsIdCheck` for why formats are not checked). */
export function awsIdListCheck(list: string, variable: string, prefix: string): TerraformCheck {
  return {
    condition: `alltrue([for id in ${list} : trimspace(id) != ""])`,
    message: `${variable} holds an empty ID; list IDs of ${KINDS[prefix] ?? prefix}s, such as ${prefix}-0123456789abcdef0`,
  };
}

const isCidr = (cidr: string) => `can(cidrnetmask(${cidr}))`;
const quotedWhere = (list: string, test: (item: string) => string) => `join(", ", [for c in ${list} : "\\"\${c}\\"" if ${test('c')}])`;
/** lib/spec/cidr.ts `withoutLeadingZeros`, as HCL: each octet as a number, the prefix as written. */
// Terraform evaluates a message even when its condition holds, so no part of one may fail.
const withoutZeros = (c: string) => `"\${try(join(".", [for o in split(".", split("/", ${c})[0]) : format("%d", tonumber(o))]), "?")}/\${try(split("/", ${c})[1], "?")}"`;
/** A CIDR whose only fault is a leading zero in an octet: AWS refuses it, Terraform's cidr functions would read it as decimal. */
const onlyLeadingZeros = (c: string) =>
  `(can(regex("^([0-9]{1,3}[.]){3}[0-9]{1,3}/[0-9]{1,2}$", ${c})) && can(regex("(^|[.])0[0-9]", split("/", ${c})[0])) && can(cidrnetmask(${withoutZeros(c)})))`;
// HCL evaluates both sides of && and ||: a guard does not stop cidrhost failing on a non-CIDR, try() does.
const isNetwork = (c: string) => `try(cidrhost(${c}, 0) == split("/", ${c})[0], true)`;
const networkOf = (c: string) => `"\${try(cidrhost(${c}, 0), "?")}/\${try(split("/", ${c})[1], "?")}"`;
const LEADING_ZERO = 'has a leading zero in an octet, which AWS and Terraform do not accept; write';

/** lib/spec/checks.ts `checkCidr` over a list: valid, no leading zeros, network addresses. */
export function cidrListChecks(list: string): TerraformCheck[] {
  const where = (test: (c: string) => string, show: (c: string) => string) => `join(", ", [for c in ${list} : ${show('c')} if ${test('c')}])`;
  const invalid = (c: string) => `!${isCidr(c)} && !${onlyLeadingZeros(c)}`;
  const hostBits = (c: string) => `!${onlyLeadingZeros(c)} && !${isNetwork(c)}`;
  return [
    {
      condition: `alltrue([for c in ${list} : !(${invalid('c')})])`,
      message: `\${${quotedWhere(list, invalid)}} is not a valid IPv4 CIDR; use a network such as 10.0.0.0/16`,
    },
    {
      condition: `alltrue([for c in ${list} : !${onlyLeadingZeros('c')}])`,
      message: `\${${quotedWhere(list, onlyLeadingZeros)}} ${LEADING_ZERO} \${${where(onlyLeadingZeros, withoutZeros)}}`,
    },
    {
      condition: `alltrue([for c in ${list} : !(${hostBits('c')})])`,
      message: `\${${where(hostBits, (c) => c)}} is not a network address; did you mean \${${where(hostBits, networkOf)}}?`,
    },
  ];
}

/** lib/spec/checks.ts `checkCidr` for one VPC CIDR: valid, no leading zeros, prefix in range, a network address. */
export function vpcCidrChecks(variable: string, prefix: { min: number; max: number }): TerraformCheck[] {
  const v = `var.${variable}`;
  const length = `tonumber(split("/", ${v})[1])`;
  const inRange = `!${isCidr(v)} || try(${length} >= ${prefix.min} && ${length} <= ${prefix.max}, true)`;
  return [
    { condition: `${isCidr(v)} || ${onlyLeadingZeros(v)}`, message: `"\${${v}}" is not a valid IPv4 CIDR; use a network such as 10.0.0.0/16` },
    { condition: `!${onlyLeadingZeros(v)}`, message: `"\${${v}}" ${LEADING_ZERO} ${withoutZeros(v).slice(1, -1)}` },
    {
      condition: inRange,
      message: `/\${try(split("/", ${v})[1], "?")} is outside /${prefix.min}../${prefix.max}; use a prefix length in that range`,
    },
    {
      condition: `${onlyLeadingZeros(v)} || ${isNetwork(v)}`,
      message: `\${${v}} is not a network address; did you mean ${networkOf(v).slice(1, -1)}?`,
    },
  ];
}

/** lib/spec/schema.ts array bounds (`must list at least N item(s)`). */
export function listLengthChecks(variable: string, min: number, max?: number): TerraformCheck[] {
  const items = (n: number) => `${n} item${n === 1 ? '' : 's'}`;
  const checks = [{ condition: `length(var.${variable}) >= ${min}`, message: `${variable} must list at least ${items(min)}` }];
  if (max !== undefined) checks.push({ condition: `length(var.${variable}) <= ${max}`, message: `${variable} must list at most ${items(max)}` });
  return checks;
}

/** zod `enum`: `must be one of "a", "b"`. */
export function oneOfCheck(expression: string, what: string, values: readonly string[]): TerraformCheck {
  return {
    condition: `contains(${hclString(values)}, ${expression})`,
    message: `${what} must be one of ${values.map((v) => `"${v}"`).join(', ')}`,
  };
}

/** lib/spec/schema.ts number bounds. */
export function numberRangeChecks(variable: string, min: number, max: number): TerraformCheck[] {
  return [
    { condition: `var.${variable} == floor(var.${variable})`, message: `${variable} must be an integer` },
    { condition: `var.${variable} >= ${min}`, message: `${variable} must be at least ${min}` },
    { condition: `var.${variable} <= ${max}`, message: `${variable} must be at most ${max}` },
  ];
}

/** lib/nat/instance-types.ts `architectureOf`, as an HCL expression over the type expression `type`. */
export function architectureOf(type: string): string {
  const family = `split(".", ${type})[0]`;
  return `(${family} == "a1" || can(regex("^[a-z]+[0-9]+g", ${family})) ? "arm64" : "x86_64")`;
}

/** Network interfaces per catalog type, the table a module holds once as `local.eni_limits`. */
export const ENI_LIMITS_TABLE: Readonly<Record<string, number>> = Object.fromEntries(INSTANCE_TYPES.map((info) => [info.type, info.maxEnis]));
/** How checks read that table (Terraform >= 1.9 lets validations read locals). */
export const ENI_LIMITS = 'local.eni_limits';

/** Instance type checks every NAT module makes: not empty, well formed, one architecture. */
export function instanceTypeChecks(list: string, variable: string): TerraformCheck[] {
  const architectures = `distinct([for t in ${list} : ${architectureOf('t')}])`;
  return [
    { condition: `length(${list}) > 0`, message: `${variable} is empty; give at least one type such as t4g.nano` },
    { condition: `alltrue([for t in ${list} : can(regex("^[a-z][a-z0-9-]*[.][a-z0-9]+$", t))])`, message: `${variable} must be EC2 instance types such as t4g.nano` },
    {
      condition: `length(${architectures}) <= 1`,
      message: `instance types mix architectures (\${join(" and ", ${architectures})}); one launch template boots one AMI, so list types of one architecture`,
    },
  ];
}

/** lib/spec/checks.ts `checkInstanceTypes`: types must be in the catalog, whose ENI limits are known. */
export function knownInstanceTypeCheck(list: string): TerraformCheck {
  const families = [...new Set(INSTANCE_TYPES.map((info) => info.type.split('.')[0]))].join(', ');
  return {
    condition: `alltrue([for t in ${list} : contains(keys(${ENI_LIMITS}), t)])`,
    message: `unknown instance type \${join(", ", [for t in ${list} : t if !contains(keys(${ENI_LIMITS}), t)])}: its ENI limit is not known; use types of the families ${families}`,
  };
}

/** lib/spec/checks.ts `checkInstanceTypes`: every type carries the interfaces the NAT needs. */
export function eniCapacityCheck(list: string, needed: string, described: string, saveOne: string): TerraformCheck {
  const short = `[for t in ${list} : "\${t} (\${${ENI_LIMITS}[t]})" if lookup(${ENI_LIMITS}, t, 99) < ${needed}]`;
  return {
    condition: `length(${short}) == 0`,
    message: `\${join(", ", ${short})} cannot carry the \${${needed}} network interfaces this NAT needs (\${${described}}); choose larger types, or ${saveOne} to save one`,
  };
}

/** lib/spec/schema.ts `imageId`, its format left to EC2 for the reason `awsIdCheck` gives. */
export const imageIdCheck: TerraformCheck = {
  condition: '!can(regex("[[:space:]]", var.image_id))',
  message: 'image_id must be an AMI ID (ami-...) or resolve:ssm:<parameter>, without spaces; "" picks Amazon Linux 2023',
};

const TAG_CHARACTERS_HINT = 'has characters AWS refuses; use letters, digits, spaces and _ . : / = + - @';

/** Keys of the `tags` map failing `test`, quoted and joined, for a message. */
const tagsWhere = (variable: string, test: (key: string) => string, show = (key: string) => key) =>
  `join(", ", [for k, v in var.${variable} : "\\"\${${show('k')}}\\"" if ${test('k')}])`;

/**
 * lib/spec/aws-limits.ts `checkTags` and the spec's tag map bounds: key and value lengths,
 * reserved prefixes, the characters IAM accepts, and room beside the tags the module sets.
 */
export function tagChecks(variable: string): TerraformCheck[] {
  const v = `var.${variable}`;
  const chars = hclString(TAG_CHARACTERS.source);
  const reserved = (prefix: string) => `alltrue([for k in keys(${v}) : !can(regex(${hclString(`^(?i)${prefix}`)}, k))])`;
  const total = `length(setunion(keys(${v}), ${hclString(TOOL_TAG_KEYS)}))`;
  return [
    { condition: `!contains(keys(${v}), "")`, message: `${variable}[""]: the key must not be empty` },
    {
      condition: `alltrue([for k in keys(${v}) : length(k) <= 128])`,
      message: `${variable}[\${${tagsWhere(variable, (k) => `length(${k}) > 128`)}}]: the key must be at most 128 characters long`,
    },
    {
      condition: `alltrue([for k, v in ${v} : length(v) <= 256])`,
      message: `${variable}[\${${tagsWhere(variable, () => 'length(v) > 256')}}]: must be at most 256 characters long`,
    },
    { condition: reserved('aws:'), message: 'tag keys starting with "aws:" are reserved for AWS; choose another key' },
    { condition: reserved('cdktf-egress:'), message: 'tag keys starting with "cdktf-egress:" are set by cdktf-egress itself; choose another key' },
    {
      condition: `alltrue([for k in keys(${v}) : can(regex(${chars}, k))])`,
      message: `tag key \${${tagsWhere(variable, (k) => `!can(regex(${chars}, ${k}))`)}} ${TAG_CHARACTERS_HINT}`,
    },
    {
      condition: `alltrue([for k, v in ${v} : can(regex(${chars}, v))])`,
      message: `tag value \${${tagsWhere(variable, () => `!can(regex(${chars}, v))`, () => 'v')}} ${TAG_CHARACTERS_HINT}`,
    },
    {
      condition: `${total} <= ${MAX_TAGS}`,
      message: `\${length(${v})} tags plus the ${TOOL_TAG_KEYS.length} cdktf-egress sets (${TOOL_TAG_KEYS.join(', ')}) make \${${total}}; AWS allows ${MAX_TAGS} per resource, so drop \${${total} - ${MAX_TAGS}}`,
    },
  ];
}
