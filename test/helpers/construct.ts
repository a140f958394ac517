import { gunzipSync, gzipSync } from 'node:zlib';
import type { Construct } from 'constructs';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { LONGEST_BUCKET_NAME } from '../../lib/nat/boot-files';
import { synthScope, synthStack as synthWholeStack, variableList, type TerraformStack } from '../../lib/testing';

/** A synthesized cdk.tf.json, parsed. Keys are snake_case, as Terraform reads them. */
export interface TfJson {
  readonly resource: Record<string, Record<string, TfResource>>;
  readonly terraform: Record<string, any>;
  readonly provider?: Record<string, any>;
  readonly output?: Record<string, any>;
  readonly variable?: Record<string, any>;
}

export type TfResource = Record<string, any>;

function withDefaults(parsed: Partial<TfJson>): TfJson {
  return { ...parsed, resource: parsed.resource ?? {}, terraform: parsed.terraform ?? {} };
}

/** Builds constructs inside a fresh test stack and returns its cdk.tf.json. */
export function synthConstruct(build: (scope: Construct) => void): TfJson {
  return withDefaults(synthScope(build));
}

/** A stack made by `make` in a test app, synthesized with its provider and backend. */
export function synthStack(make: (app: Construct) => TerraformStack): TfJson {
  return withDefaults(synthWholeStack(make));
}

/** A `list(string)` module variable: a value only Terraform knows (a token list). */
export function tokenList(scope: Construct, id: string): string[] {
  return variableList(scope, id);
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

/** The only resource of a type whose property `key` equals `value`; fails unless exactly one. */
export function onlyWhere(tf: TfJson, type: string, key: string, value: unknown): TfResource {
  const found = resourcesWhere(tf, type, key, value);
  if (found.length !== 1) throw new Error(`expected one ${type} with ${key} = ${JSON.stringify(value)}, found ${found.length}`);
  return found[0];
}

/** What a launch template's `user_data` decodes to: the raw text and the cloud-config it parses to. */
export interface DecodedUserData {
  readonly text: string;
  readonly bytes: number;
  readonly cloudConfig: { write_files: { path: string; permissions: string; content: string }[]; runcmd: unknown[] } & Record<string, any>;
}

export function decodeUserData(tf: TfJson, launchTemplate: TfResource): DecodedUserData {
  const userData = String(launchTemplate.user_data);
  const rendered = /^\$\{base64gzip\(local\.([^)]+)\)\}$/.exec(userData);
  const raw = rendered ? gzipSync(renderedUserDataText(tf, rendered[1]), { level: 9 }) : Buffer.from(userData, 'base64');
  // cloud-init accepts gzip-compressed user data as well; EC2's limit applies to what it is sent.
  const text = (raw[0] === 0x1f && raw[1] === 0x8b ? gunzipSync(raw) : raw).toString('utf8');
  const cloudConfig = parseYaml(text);
  cloudConfig.write_files = (cloudConfig.write_files ?? []).map(decodeWriteFile);
  return { text, bytes: raw.length, cloudConfig };
}

/** The bucket name the decoded user data's manifest gets in place of the one Terraform learns at apply: the longest S3 allows. */
export const STAND_IN_BUCKET = LONGEST_BUCKET_NAME;

/**
 * The cloud-config text of user data Terraform renders (`#cloud-config` and `yamlencode` of a
 * local), as EC2 would get it: the manifest's local put in, the bucket's name given as
 * STAND_IN_BUCKET and Terraform's template escapes undone. Formatted by the yaml package, so
 * its size is close to, not equal to, what Terraform's `yamlencode` makes.
 */
function renderedUserDataText(tf: TfJson, textLocal: string): string {
  const locals = (tf as unknown as { locals?: Record<string, unknown> }).locals ?? {};
  const join = /^\$\{join\("", \["#cloud-config\\n", yamlencode\(local\.([^)]+)\)\]\)\}$/.exec(String(locals[textLocal]));
  if (!join) throw new Error(`local.${textLocal} is not the cloud-config join this helper evaluates: ${String(locals[textLocal]).slice(0, 120)}`);
  const resolve = (value: unknown): unknown => {
    if (typeof value === 'string') {
      const text = value
        .replace(/\$\{local\.([A-Za-z0-9_-]+)\}/g, (_m, name: string) => {
          const local = locals[name];
          if (typeof local !== 'string') throw new Error(`local.${name} is not a string local`);
          return local;
        })
        .replace(/\$\{aws_s3_bucket\.[A-Za-z0-9_-]+\.bucket\}/g, STAND_IN_BUCKET);
      if (/(^|[^$])\$\{/.test(text)) throw new Error(`user data holds an expression this helper cannot evaluate: ${/(^|[^$])\$\{[^}]*\}/.exec(text)?.[0]}`);
      return text.replace(/\$\$\{/g, '${').replace(/%%\{/g, '%{');
    }
    if (Array.isArray(value)) return value.map(resolve);
    if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolve(v)]));
    return value;
  };
  const document = locals[join[1]];
  if (typeof document !== 'object' || document === null) throw new Error(`local.${join[1]} is not the cloud-config document (Terraform merges it: evaluate with terraform)`);
  return `#cloud-config\n${stringifyYaml(resolve(document), { lineWidth: 0 })}`;
}

/** A write_files entry with its content as the file will hold it (cloud-init's b64 and gz+b64 encodings undone). */
function decodeWriteFile(file: { encoding?: string; content: string }): { path: string; permissions: string; content: string } {
  const { encoding, ...rest } = file as { encoding?: string; content: string; path: string; permissions: string };
  if (encoding === undefined || encoding === 'text/plain') return rest;
  const bytes = Buffer.from(file.content, 'base64');
  if (/^(b64|base64)$/.test(encoding)) return { ...rest, content: bytes.toString('utf8') };
  if (/^(gz|gzip)\+(b64|base64)$/.test(encoding)) return { ...rest, content: gunzipSync(bytes).toString('utf8') };
  throw new Error(`write_files encoding ${encoding} is not one cloud-init reads`);
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
