import { TerraformProvider, TerraformStack, Token } from 'cdktf';
import type { Construct } from 'constructs';

interface AwsProviderLike {
  readonly region?: string;
  readonly defaultTags?: readonly { readonly tags?: Record<string, string> }[];
}

/** Region and default tags of the stack's default (unaliased) aws provider, where plain values. */
export function awsProviderDefaults(construct: Construct): { region?: string; tags?: Record<string, string> } {
  const stack = TerraformStack.of(construct);
  const provider = stack.node
    .findAll()
    .find((c): c is TerraformProvider => c instanceof TerraformProvider && c.terraformResourceType === 'aws' && !c.alias) as
    | (TerraformProvider & AwsProviderLike)
    | undefined;
  if (!provider) return {};
  const region = provider.region && !Token.isUnresolved(provider.region) ? provider.region : undefined;
  const blocks = provider.defaultTags && !Token.isUnresolved(provider.defaultTags) ? provider.defaultTags : [];
  const tags = Object.assign({}, ...blocks.map((block) => (block.tags && !Token.isUnresolved(block.tags) ? block.tags : {}))) as Record<string, string>;
  return { region, tags: Object.keys(tags).length > 0 ? tags : undefined };
}
