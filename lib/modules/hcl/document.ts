import { attribute, block, renderBlock, valueLines, type BodyItem } from './body';
import type { BlockSchema } from './block-schema';
import { literalString, renameReferences, type Lines, type StringMode } from './values';

/** Synthesized Terraform JSON (`toTerraform()` without cdktf's `//` metadata). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON of any shape, read key by key
export type TerraformJson = Record<string, any>;

/** Meta-arguments written first and last in a resource, as the Terraform style guide orders them. */
const FIRST = ['count', 'for_each', 'provider'];
const LAST = ['depends_on', 'lifecycle'];
/** Blocks of the language itself, whatever the resource. */
const META_BLOCKS = new Set(['lifecycle', 'precondition', 'postcondition', 'dynamic', 'content', 'connection', 'provisioner']);
/** Strings that are expressions (references, type constraints), not templates. */
const EXPRESSIONS = new Set(['depends_on', 'ignore_changes', 'replace_triggered_by', 'provider', 'iterator']);
/** String attributes holding a JSON document, written as `jsonencode({...})` so a reviewer reads the structure. */
const JSON_DOCUMENT = /(^|_)policy$/;

const q = (label: string) => literalString(label);

/** The blocks of one top-level section (`resource`, `variable`, ...) as HCL lines, blank lines between blocks. */
export function renderSection(section: string, json: TerraformJson, schema: BlockSchema): Lines {
  const blocks = sectionBlocks(section, json[section], schema);
  return blocks.flatMap((b, i) => [...(i > 0 ? [''] : []), ...renderBlock(b.header, b.body)]);
}

function sectionBlocks(section: string, content: TerraformJson | undefined, schema: BlockSchema): { header: string; body: BodyItem[] }[] {
  if (content === undefined) return [];
  switch (section) {
    case 'terraform':
      return [{ header: 'terraform', body: terraformBody(content) }];
    case 'locals':
      return [{ header: 'locals', body: Object.entries(content).map(([k, v]) => attribute(k, valueLines(v, 'template'))) }];
    case 'variable':
      return Object.entries(content).map(([name, v]) => ({ header: `variable ${q(name)}`, body: variableBody(v as TerraformJson) }));
    case 'output':
      return Object.entries(content).map(([name, v]) => ({ header: `output ${q(name)}`, body: outputBody(v as TerraformJson) }));
    case 'resource':
    case 'data':
      return Object.entries(content as Record<string, Record<string, TerraformJson>>).flatMap(([type, byName]) =>
        Object.entries(byName).map(([name, body]) => {
          const blocks = schema.get(`${section === 'data' ? 'data.' : ''}${type}.${name}`) ?? new Set<string>();
          return { header: `${section} ${q(type)} ${q(name)}`, body: resourceBody(body, blocks, '') };
        }),
      );
    default:
      throw new Error(`no HCL form for the top-level block "${section}"`);
  }
}

function terraformBody(content: TerraformJson): BodyItem[] {
  return Object.entries(content).map(([key, value]) => {
    if (key === 'required_providers') {
      return block(key, Object.entries(value as TerraformJson).map(([name, spec]) => attribute(name, valueLines(spec, 'literal'))));
    }
    if (key === 'backend' || key === 'cloud') throw new Error(`modules carry no ${key}; the calling configuration chooses it`);
    return attribute(key, valueLines(value, 'literal'));
  });
}

const ordered = (body: TerraformJson, keys: readonly string[]) => keys.filter((k) => body[k] !== undefined);

function variableBody(v: TerraformJson): BodyItem[] {
  const items = ordered(v, ['description', 'type', 'default', 'nullable', 'sensitive', 'ephemeral']).map((key) =>
    attribute(key, valueLines(v[key], key === 'type' ? 'expression' : key === 'default' ? 'literal' : 'template')),
  );
  const rest = Object.keys(v).filter((k) => !['description', 'type', 'default', 'nullable', 'sensitive', 'ephemeral', 'validation'].includes(k));
  if (rest.length > 0) throw new Error(`variable attributes ${rest.join(', ')} have no HCL form here`);
  for (const check of v.validation ?? []) items.push(block('validation', conditionBody(check)));
  return items;
}

function conditionBody(check: TerraformJson): BodyItem[] {
  return [attribute('condition', valueLines(check.condition, 'template')), attribute('error_message', valueLines(check.error_message, 'template'))];
}

function outputBody(o: TerraformJson): BodyItem[] {
  // cdktf writes an output's depends_on as `${address}` templates; HCL takes the addresses.
  const body = o.depends_on ? { ...o, depends_on: (o.depends_on as string[]).map((d) => d.replace(/^\$\{(.*)\}$/, '$1')) } : o;
  const items = ordered(body, ['description', 'value', 'sensitive', 'ephemeral', 'depends_on']).map((key) =>
    attribute(key, valueLines(body[key], EXPRESSIONS.has(key) ? 'expression' : 'template')),
  );
  for (const check of body.precondition ?? []) items.push(block('precondition', conditionBody(check)));
  return items;
}

/** A resource, data source or nested block body; `blocks` says which keys below it are blocks. */
function resourceBody(body: TerraformJson, blocks: ReadonlySet<string>, path: string): BodyItem[] {
  const keys = [...ordered(body, FIRST), ...Object.keys(body).filter((k) => !FIRST.includes(k) && !LAST.includes(k)), ...ordered(body, LAST)];
  // `content` is a block inside `dynamic`, and a string attribute of aws_s3_object.
  const isBlock = (key: string) => (META_BLOCKS.has(key) && typeof body[key] === 'object') || blocks.has(path + key);
  const attributes = keys.filter((k) => !isBlock(k) && !LAST.includes(k)).map((k) => attributeItem(k, body[k]));
  const nested = keys.filter((k) => isBlock(k) && !LAST.includes(k)).flatMap((k) => blockItems(k, body[k], blocks, path));
  const last = ordered(body, LAST).flatMap((k) => (isBlock(k) ? blockItems(k, body[k], blocks, path) : [attributeItem(k, body[k])]));
  return [...attributes, ...nested, ...last];
}

function attributeItem(key: string, value: unknown): BodyItem {
  const mode: StringMode = EXPRESSIONS.has(key) ? 'expression' : 'template';
  if (typeof value === 'string' && JSON_DOCUMENT.test(key)) {
    const document = jsonDocument(value);
    if (document !== undefined) {
      const lines = valueLines(document, 'template');
      return attribute(key, [`jsonencode(${lines[0]}`, ...lines.slice(1, -1), `${lines[lines.length - 1]})`]);
    }
  }
  return attribute(key, valueLines(value, mode));
}

/** The object a JSON document string holds, when it is one. */
function jsonDocument(text: string): object | undefined {
  if (!text.startsWith('{')) return undefined;
  try {
    const parsed = JSON.parse(text) as unknown;
    return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

function blockItems(key: string, value: unknown, blocks: ReadonlySet<string>, path: string): BodyItem[] {
  const bodies = (Array.isArray(value) ? value : [value]) as TerraformJson[];
  if (key === 'dynamic') {
    return bodies.flatMap((byName) =>
      Object.entries(byName).flatMap(([name, specs]) =>
        (Array.isArray(specs) ? specs : [specs]).map((spec: TerraformJson) => block(`dynamic ${q(name)}`, dynamicBody(name, spec, blocks, `${path}${name}.`))),
      ),
    );
  }
  if (key === 'lifecycle') return bodies.map((b) => block(key, lifecycleBody(b)));
  return bodies.map((b) => block(key, resourceBody(b, blocks, `${path}${key}.`)));
}

/**
 * cdktf names every dynamic block's iterator `each`, which a reader takes for the resource's
 * own `each`; the block's name is the iterator Terraform gives by default, so it is used instead.
 */
function dynamicBody(name: string, spec: TerraformJson, blocks: ReadonlySet<string>, contentPath: string): BodyItem[] {
  const byName = spec.iterator === 'each' && /^[A-Za-z_][A-Za-z0-9_-]*$/.test(name);
  const content = byName ? mapStrings(spec.content ?? {}, (s) => renameReferences(s, 'each', name)) : spec.content ?? {};
  const items = ordered(spec, byName ? ['for_each', 'labels'] : ['for_each', 'iterator', 'labels']).map((k) => attributeItem(k, spec[k]));
  return [...items, block('content', resourceBody(content as TerraformJson, blocks, contentPath))];
}

function mapStrings(value: unknown, f: (s: string) => string): unknown {
  if (typeof value === 'string') return f(value);
  if (Array.isArray(value)) return value.map((v) => mapStrings(v, f));
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, mapStrings(v, f)]));
  return value;
}

function lifecycleBody(body: TerraformJson): BodyItem[] {
  return Object.entries(body).flatMap(([key, value]): BodyItem[] =>
    key === 'precondition' || key === 'postcondition'
      ? (value as TerraformJson[]).map((check) => block(key, conditionBody(check)))
      : [attributeItem(key, value)],
  );
}
