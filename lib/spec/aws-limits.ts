import type { IssuePath } from './checks';
import { quote } from './message';
import type { Spec } from './schema';

type Report = (path: IssuePath, message: string) => void;

/** AWS allows 50 tags per resource; the tool's own tags count too. */
export const MAX_TAGS = 50;
/** S3 allows 10 tags per object: a NAT's boot files are objects, and the provider's default tags reach them. */
export const MAX_S3_OBJECT_TAGS = 10;
/** The default tags a spec stack's provider adds to the spec's own. */
const STACK_DEFAULT_TAG_KEYS = ['cdktf-egress:project'];
/** Tag keys the tool sets on resources besides the spec's (Name, and its own prefix). */
export const TOOL_TAG_KEYS = ['Name', 'cdktf-egress:project', 'cdktf-egress:nat', 'cdktf-egress:device-index'];
/** IAM `name_prefix` limit (role and instance profile): the name is 64, of which 26 are the random suffix. */
export const IAM_NAME_PREFIX_MAX = 38;
// IAM (whose roles the provider's default tags reach) allows only these in tag keys and values.
export const TAG_CHARACTERS = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;

/** Tag rules AWS enforces at apply, checked before it: count, reserved prefixes, characters. */
export function checkTags(spec: Spec, error: Report): void {
  const keys = Object.keys(spec.tags);
  for (const key of keys) {
    const path: IssuePath = ['tags', key];
    if (/^aws:/i.test(key)) error(path, 'tag keys starting with "aws:" are reserved for AWS; choose another key');
    else if (/^cdktf-egress:/i.test(key)) error(path, 'tag keys starting with "cdktf-egress:" are set by cdktf-egress itself; choose another key');
    else if (!TAG_CHARACTERS.test(key)) error(path, `tag key ${quote(key)} has characters AWS refuses; use letters, digits, spaces and _ . : / = + - @`);
    if (!TAG_CHARACTERS.test(spec.tags[key])) error(path, `tag value ${quote(spec.tags[key])} has characters AWS refuses; use letters, digits, spaces and _ . : / = + - @`);
  }
  const total = new Set([...keys, ...TOOL_TAG_KEYS]).size;
  if (total > MAX_TAGS) {
    error(['tags'], `${keys.length} tags plus the ${TOOL_TAG_KEYS.length} cdktf-egress sets (${TOOL_TAG_KEYS.join(', ')}) make ${total}; AWS allows ${MAX_TAGS} per resource, so drop ${total - MAX_TAGS}`);
  }
  // The generated modules do not tag their boot objects; a spec stack's provider does.
  const onObjects = new Set([...keys, ...STACK_DEFAULT_TAG_KEYS]).size;
  if (spec.natInstances.length > 0 && onObjects > MAX_S3_OBJECT_TAGS) {
    error(['tags'], `${keys.length} tags plus ${STACK_DEFAULT_TAG_KEYS.join(', ')} make ${onObjects} on each NAT boot file, an S3 object; S3 allows ${MAX_S3_OBJECT_TAGS} per object, so drop ${onObjects - MAX_S3_OBJECT_TAGS}`);
  }
}

/** Names the tool derives from the spec must fit AWS's limits; the longest is the IAM name prefix. */
export function checkGeneratedNames(spec: Spec, error: Report): void {
  // The project is the stack's construct ID, looked up in a plain object by the constructs library.
  if (spec.project in Object.prototype) {
    error(['project'], `"${spec.project}" collides with a JavaScript object member in the construct tree; choose another project name`);
  }
  spec.natInstances.forEach((nat, i) => {
    const prefix = `${spec.project}-${nat.name}-`;
    if (prefix.length > IAM_NAME_PREFIX_MAX) {
      error(['natInstances', i, 'name'], `the NAT's IAM role name prefix "${prefix}" is ${prefix.length} characters; IAM allows ${IAM_NAME_PREFIX_MAX}, so shorten the project or NAT name by ${prefix.length - IAM_NAME_PREFIX_MAX}`);
    }
  });
}

