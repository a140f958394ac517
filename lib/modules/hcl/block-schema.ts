import { DefaultTokenResolver, StringConcat, TerraformDataSource, TerraformResource, Tokenization, type TerraformStack } from 'cdktf';

/**
 * Which keys of each resource and data source are nested blocks rather than attributes, by
 * address (`aws_launch_template.this`, `data.aws_region.current`) and dotted path below it
 * (`mixed_instances_policy.launch_template.override`). JSON cannot tell `tags = {...}` from
 * `metadata_options {...}`; the provider bindings can (their HCL attribute metadata), so
 * whatever resource a construct adds is written right without a word about it here.
 */
export type BlockSchema = ReadonlyMap<string, ReadonlySet<string>>;

interface HclAttribute {
  readonly value?: unknown;
  readonly isBlock?: boolean;
}

export function blockSchemaOf(stack: TerraformStack): BlockSchema {
  const schema = new Map<string, Set<string>>();
  const resolver = new DefaultTokenResolver(new StringConcat());
  for (const node of stack.node.findAll()) {
    const data = node instanceof TerraformDataSource;
    if (!(node instanceof TerraformResource) && !data) continue;
    const element = node as TerraformResource | TerraformDataSource;
    const fragment = Tokenization.resolve(element.toHclTerraform(), { scope: stack, preparing: false, resolver }) as Record<string, Record<string, Record<string, unknown>> | undefined>;
    const body = fragment[data ? 'data' : 'resource']?.[element.terraformResourceType]?.[element.friendlyUniqueId];
    const paths = new Set<string>();
    collect(body, '', paths);
    schema.set(`${data ? 'data.' : ''}${element.terraformResourceType}.${element.friendlyUniqueId}`, paths);
  }
  return schema;
}

function collect(body: unknown, prefix: string, paths: Set<string>): void {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return;
  for (const [key, entry] of Object.entries(body as Record<string, HclAttribute>)) {
    if (entry === null || typeof entry !== 'object' || !('isBlock' in entry) || !entry.isBlock) continue;
    paths.add(prefix + key);
    const inner = Array.isArray(entry.value) ? entry.value : [entry.value];
    for (const element of inner) collect(element, `${prefix}${key}.`, paths);
  }
}
