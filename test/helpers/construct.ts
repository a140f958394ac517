import { TerraformVariable, Testing, type TerraformStack } from 'cdktf';
import { gunzipSync } from 'node:zlib';
import { parse as parseYaml } from 'yaml';
import type { Construct } from 'constructs';

// The only test file that imports cdktf: a move to another CDK for Terraform package is
// a change here, not in every test.

/** A synthesized cdk.tf.json, parsed. Keys are snake_case, as Terraform reads them. */
export interface TfJson {
  readonly resource: Record<string, Record<string, TfResource>>;
  readonly terraform: Record<string, any>;
  readonly provider?: Record<string, any>;
  readonly output?: Record<string, any>;
  readonly variable?: Record<string, any>;
}

export type TfResource = Record<string, any>;

function parse(json: string): TfJson {
  const parsed = JSON.parse(json) as Partial<TfJson>;
  return { ...parsed, resource: parsed.resource ?? {}, terraform: parsed.terraform ?? {} };
}

/** Builds constructs inside a fresh test stack and returns its cdk.tf.json. */
export function synthConstruct(build: (scope: Construct) => void): TfJson {
  return parse(Testing.synthScope((scope) => build(scope as Construct)));
}

/** A stack made by `make` in a test app, synthesized. */
export function synthStack(make: (app: Construct) => TerraformStack): TfJson {
  return parse(Testing.synth(make(Testing.app())));
}

/** A `list(string)` module variable: a value only Terraform knows (a token list). */
export function tokenList(scope: Construct, id: string): string[] {
  return new TerraformVariable(scope, id, { type: 'list(string)' }).listValue;
}

/** A string that stands for a resource attribute known only at apply time. */
export function tokenString(scope: Construct, id: string): string {
  return new TerraformVariable(scope, id, { type: 'string' }).stringValue;
}

/** Every resource of one type, keyed by its name in cdk.tf.json. */
export function resourcesByName(tf: TfJson, type: string): Record<string, TfResource> {
  return tf.resource[type] ?? {};
}

/** Every resource of one type. */
export function resources(tf: TfJson, type: string): TfResource[] {
  return Object.values(resourcesByName(tf, type));
}

/** The only resource of a type; fails the test when there are none or several. */
export function onlyResource(tf: TfJson, type: string): TfResource {
  const found = resources(tf, type);
  if (found.length !== 1) throw new Error(`expected one ${type}, found ${found.length}`);
  return found[0];
}

/** The resource of a type whose name in cdk.tf.json contains `part`; fails unless exactly one. */
export function resourceNamed(tf: TfJson, type: string, part: string): TfResource {
  const names = Object.keys(resourcesByName(tf, type)).filter((name) => name.includes(part));
  if (names.length !== 1) throw new Error(`expected one ${type} named like "${part}", found ${names.length}: ${names.join(', ')}`);
  return resourcesByName(tf, type)[names[0]];
}

/** `${aws_network_interface.<name>.id}`-style reference to a resource in `tf`. */
export function refTo(tf: TfJson, type: string, resource: TfResource, attribute = 'id'): string {
  const entry = Object.entries(resourcesByName(tf, type)).find(([, r]) => r === resource);
  if (!entry) throw new Error(`resource is not a ${type} of this stack`);
  return `\${${type}.${entry[0]}.${attribute}}`;
}

/** Resources of a type whose property `key` equals `value`. */
export function resourcesWhere(tf: TfJson, type: string, key: string, value: unknown): TfResource[] {
  return resources(tf, type).filter((r) => JSON.stringify(r[key]) === JSON.stringify(value));
}

/** What a launch template's `user_data` decodes to: the raw text and the cloud-config it parses to. */
export interface DecodedUserData {
  readonly text: string;
  readonly bytes: number;
  readonly cloudConfig: { write_files: { path: string; permissions: string; content: string }[]; runcmd: unknown[] } & Record<string, any>;
}

export function decodeUserData(launchTemplate: TfResource): DecodedUserData {
  const raw = Buffer.from(String(launchTemplate.user_data), 'base64');
  // cloud-init accepts gzip-compressed user data as well; EC2's limit applies to what it is sent.
  const text = (raw[0] === 0x1f && raw[1] === 0x8b ? gunzipSync(raw) : raw).toString('utf8');
  return { text, bytes: raw.length, cloudConfig: parseYaml(text) };
}

/** `KEY="value"` lines of a shell config file, as a map. */
export function shellConfig(content: string): Record<string, string> {
  const entries = content
    .split('\n')
    .map((line) => /^([A-Z0-9_]+)="(.*)"$/.exec(line))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => [m[1], m[2]] as const);
  return Object.fromEntries(entries);
}

/** A value made on first use and kept: a synth failure then fails the tests that need it, not the file. */
export function once<T>(make: () => T): () => T {
  let made: { value: T } | undefined;
  return () => (made ??= { value: make() }).value;
}
