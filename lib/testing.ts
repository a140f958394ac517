import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { TerraformStack, TerraformVariable, Testing, type IResolvable } from 'cdktf';
import type { Construct } from 'constructs';

/**
 * Synthesizes what `build` adds to a fresh test stack and returns the parsed cdk.tf.json.
 * Lives in lib/ so tests need no cdktf import of their own.
 */
export function synthScope(build: (scope: Construct) => void): Record<string, any> { // eslint-disable-line @typescript-eslint/no-explicit-any
  return JSON.parse(Testing.synthScope(build));
}

/** Synthesizes a whole stack (with its provider and backend) into parsed cdk.tf.json. */
export function synthStack(build: (app: Construct) => TerraformStack): Record<string, any> { // eslint-disable-line @typescript-eslint/no-explicit-any
  return JSON.parse(Testing.synth(build(Testing.app())));
}

/** What the constructs built in a fresh stack say is wrong: the checks `cdktf synth` runs before it writes anything. */
export function validationErrors(build: (scope: Construct) => void): string[] {
  const stack = new TerraformStack(Testing.app(), 'test');
  build(stack);
  return stack.node.findAll().flatMap((c) => c.node.validate());
}

/** A `list(string)` module variable: a list only Terraform knows, as module inputs are. */
export function variableList(scope: Construct, id: string): string[] {
  return new TerraformVariable(scope, id, { type: 'list(string)' }).listValue;
}
/** The stack's default aws provider, as a user's app would declare it. */
export function awsProvider(scope: Construct, config: { region?: string; defaultTags?: Record<string, string>; alias?: string }): void {
  new AwsProvider(scope, config.alias ? `aws-${config.alias}` : 'aws', {
    region: config.region,
    alias: config.alias,
    defaultTags: config.defaultTags ? [{ tags: config.defaultTags }] : undefined,
  });
}

/** A `bool` module variable: a flag only Terraform knows. */
export function variableFlag(scope: Construct, id: string): IResolvable {
  return new TerraformVariable(scope, id, { type: 'bool', default: true }).value;
}

export type { TerraformStack };
