import { App } from 'cdktf';
import { blockSchemaOf } from './hcl/block-schema';
import { renderSection, type TerraformJson } from './hcl/document';
import { stripMetadata } from './hcl';
import { VERBATIM } from './hcl/values';
import type { ModuleStack } from './module-stack';
import { generatedHeader } from './header';
import { nativeTests } from './native-tests';
import { renderReadme, type ModuleDocs } from './readme';

/** A module the generator writes: how to build its stack and what its README says besides the tables. */
export interface ModuleDefinition extends ModuleDocs {
  /** Directory name under modules/. */
  readonly name: string;
  readonly build: (scope: App) => ModuleStack;
}

/** File path (relative to modules/) to content. */
export type GeneratedFiles = Map<string, string>;

/** Which file each top-level block goes to, in the layout plain-Terraform users expect. */
const FILES: readonly { file: string; blocks: readonly string[] }[] = [
  { file: 'versions.tf', blocks: ['terraform'] },
  { file: 'variables.tf', blocks: ['variable'] },
  { file: 'main.tf', blocks: ['locals', 'data', 'resource'] },
  { file: 'outputs.tf', blocks: ['output'] },
];

/** A module's stack, synthesized: the Terraform JSON the HCL is written from, and the stack itself. */
export interface SynthesizedModule {
  readonly stack: ModuleStack;
  readonly json: TerraformJson;
}

export function synthesizeModule(definition: ModuleDefinition): SynthesizedModule {
  const app = new App({ outdir: '/nonexistent', skipValidation: true });
  const stack = definition.build(app);
  // cdktf's `//` metadata (construct paths) would churn with every refactoring.
  const json = stripMetadata(stack.toTerraform()) as TerraformJson;
  delete (json.terraform as TerraformJson | undefined)?.backend;
  const known = new Set(FILES.flatMap((f) => f.blocks));
  const unexpected = Object.keys(json).filter((block) => !known.has(block));
  if (unexpected.length > 0) throw new Error(`module ${definition.name}: unexpected top-level blocks ${unexpected.join(', ')} (modules have no provider or backend)`);
  return { stack, json };
}

/** Synthesizes one module into its files: HCL, the files its resources read, and a README. */
export function renderModule(definition: ModuleDefinition): GeneratedFiles {
  const { stack, json } = synthesizeModule(definition);
  const schema = blockSchemaOf(stack);
  const files: GeneratedFiles = new Map();
  for (const { file, blocks } of FILES) {
    const sections = blocks.map((block) => renderSection(block, json, schema)).filter((lines) => lines.length > 0);
    if (sections.length === 0) continue;
    const lines = [`# ${generatedHeader()}`, '', ...sections.flatMap((lines, i) => [...(i > 0 ? [''] : []), ...lines])];
    files.set(`${definition.name}/${file}`, `${lines.map((line) => (line.startsWith(VERBATIM) ? line.slice(1) : line)).join('\n')}\n`);
  }
  for (const [path, content] of [...stack.shippedFiles, ...nativeTests(definition.name)]) files.set(`${definition.name}/${path}`, content);
  files.set(`${definition.name}/README.md`, renderReadme(definition, stack));
  return files;
}
