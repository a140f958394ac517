import { AWS_PROVIDER_CONSTRAINT } from '../stacks/egress-stack';
import type { ModuleStack } from './module-stack';
import { generatedHeader, REGENERATE } from './header';

/** The prose of a module's README; the tables come from its inputs and outputs. */
export interface ModuleDocs {
  readonly title: string;
  /** Markdown paragraphs: what the module makes and when to use it. */
  readonly summary: string;
  /** An HCL example of calling the module. */
  readonly usage: string;
  /** Markdown after the usage example. */
  readonly notes?: string;
}

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

function defaultOf(value: unknown, required: boolean): string {
  if (required) return 'n/a';
  return `\`${cell(JSON.stringify(value ?? null))}\``;
}

/** Required inputs first, then by name. */
function inputsTable(stack: ModuleStack): string[] {
  const inputs = [...stack.inputs.entries()].map(([name, input]) => ({ name, input, required: input.default === undefined && !input.nullable }));
  inputs.sort((a, b) => Number(b.required) - Number(a.required) || a.name.localeCompare(b.name));
  const rows = inputs.map(({ name, input, required }) =>
    `| \`${name}\` | ${cell(input.description)} | \`${cell(input.type)}\` | ${defaultOf(input.default, required)} | ${required ? 'yes' : 'no'} |`,
  );
  return ['| Name | Description | Type | Default | Required |', '|------|-------------|------|---------|:--------:|', ...rows];
}

function outputsTable(stack: ModuleStack): string[] {
  const rows = [...stack.outputSpecs.entries()].map(([name, output]) => `| \`${name}\` | ${cell(output.description)} |`);
  return ['| Name | Description |', '|------|-------------|', ...rows];
}

export function renderReadme(definition: ModuleDocs & { readonly name: string }, stack: ModuleStack): string {
  return [
    `<!-- ${generatedHeader()} -->`,
    `# ${definition.title}`,
    '',
    definition.summary.trim(),
    '',
    '## Usage',
    '',
    '```hcl',
    definition.usage.trim(),
    '```',
    '',
    ...(definition.notes ? [definition.notes.trim(), ''] : []),
    '## Requirements',
    '',
    '| Name | Version |',
    '|------|---------|',
    `| terraform | \`${stack.requiredVersion}\` |`,
    `| hashicorp/aws | \`${AWS_PROVIDER_CONSTRAINT}\` |`,
    '',
    'The module has no provider or backend block: it uses the aws provider of the configuration that calls it.',
    '',
    '<!-- BEGIN_INPUTS -->',
    '## Inputs',
    '',
    ...inputsTable(stack),
    '<!-- END_INPUTS -->',
    '',
    '<!-- BEGIN_OUTPUTS -->',
    '## Outputs',
    '',
    ...outputsTable(stack),
    '<!-- END_OUTPUTS -->',
    '',
    `The Terraform files here are generated from the project's TypeScript constructs; regenerate them with \`${REGENERATE}\`.`,
    '',
  ].join('\n');
}
