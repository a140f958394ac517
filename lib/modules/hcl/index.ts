import { App, TerraformStack } from 'cdktf';
import type { Construct } from 'constructs';
import { blockSchemaOf } from './block-schema';
import { renderSection, type TerraformJson } from './document';
import { VERBATIM } from './values';

export { expression, template } from './values';

/** Sections in the order a reader meets them; `provider` and backends belong to the caller, not here. */
const SECTIONS = ['terraform', 'variable', 'locals', 'data', 'resource', 'output'];

/** All of a stack's Terraform as HCL text (one file), cdktf's `//` metadata left out. */
export function renderStackHcl(stack: TerraformStack): string {
  const json = stripMetadata(stack.toTerraform()) as TerraformJson;
  delete json.provider;
  delete (json.terraform as TerraformJson | undefined)?.backend;
  const schema = blockSchemaOf(stack);
  const sections = SECTIONS.map((s) => renderSection(s, json, schema)).filter((lines) => lines.length > 0);
  return `${sections.flatMap((lines, i) => [...(i > 0 ? [''] : []), ...lines]).map((l) => (l.startsWith(VERBATIM) ? l.slice(1) : l)).join('\n')}\n`;
}

/** A whole stack made by `make` (its provider left out), as HCL. */
export function hclForStack(make: (app: Construct) => TerraformStack): string {
  return renderStackHcl(make(new App({ outdir: '/nonexistent', skipValidation: true })));
}

/** Builds constructs in a fresh stack and returns its HCL. */
export function hclForScope(build: (scope: Construct) => void): string {
  const stack = new TerraformStack(new App({ outdir: '/nonexistent', skipValidation: true }), 'test');
  build(stack);
  return renderStackHcl(stack);
}

export function stripMetadata(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stripMetadata);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).filter(([key]) => key !== '//').map(([key, v]) => [key, stripMetadata(v)]));
}
