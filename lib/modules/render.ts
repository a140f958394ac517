import { App } from 'cdktf';
import type { ModuleStack } from './module-stack';
import { generatedHeader } from './header';
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
  { file: 'versions.tf.json', blocks: ['terraform'] },
  { file: 'variables.tf.json', blocks: ['variable'] },
  { file: 'main.tf.json', blocks: ['data', 'locals', 'resource'] },
  { file: 'outputs.tf.json', blocks: ['output'] },
];

/** Synthesizes one module into its files: the four .tf.json files and a README. */
export function renderModule(definition: ModuleDefinition): GeneratedFiles {
  const app = new App({ outdir: '/nonexistent', skipValidation: true });
  const stack = definition.build(app);
  const json = withoutMetadata(stack.toTerraform()) as Record<string, unknown>;
  delete (json.terraform as Record<string, unknown> | undefined)?.backend;
  const known = new Set(FILES.flatMap((f) => f.blocks));
  const unexpected = Object.keys(json).filter((block) => !known.has(block));
  if (unexpected.length > 0) throw new Error(`module ${definition.name}: unexpected top-level blocks ${unexpected.join(', ')} (modules have no provider or backend)`);

  const files: GeneratedFiles = new Map();
  for (const { file, blocks } of FILES) {
    const content: Record<string, unknown> = { '//': generatedHeader() };
    for (const block of blocks) if (json[block] !== undefined) content[block] = json[block];
    if (Object.keys(content).length > 1) files.set(`${definition.name}/${file}`, `${JSON.stringify(content, null, 2)}\n`);
  }
  files.set(`${definition.name}/README.md`, renderReadme(definition, stack));
  return files;
}

/** Drops cdktf's `//` metadata (construct paths), which would churn with every refactoring. */
function withoutMetadata(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutMetadata);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).filter(([key]) => key !== '//').map(([key, v]) => [key, withoutMetadata(v)]));
}
