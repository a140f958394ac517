import { AWS_PROVIDER_CONSTRAINT } from '../stacks/egress-stack';
import type { ModuleStack } from './module-stack';
import { generatedHeader, REGENERATE } from './header';
import { currentRelease, pinnedSource } from './release';

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
    `From outside this repository, pin a release (tags are \`v<version>\`; [CHANGELOG.md](../../CHANGELOG.md) says what each changed):`,
    '',
    '```hcl',
    `source = "${pinnedSource(currentRelease(), definition.name)}"`,
    '```',
    '',
    ...(definition.notes ? [definition.notes.trim(), ''] : []),
    // terraform-docs' inject markers: `terraform-docs markdown table --output-file README.md .` would rewrite only this part.
    '<!-- BEGIN_TF_DOCS -->',
    '## Requirements',
    '',
    '| Name | Version |',
    '|------|---------|',
    `| terraform | \`${stack.requiredVersion}\` |`,
    `| hashicorp/aws | \`${AWS_PROVIDER_CONSTRAINT}\` |`,
    '',
    'The module has no provider or backend block: it uses the aws provider of the configuration that calls it.',
    '',
    '## Inputs',
    '',
    ...inputsTable(stack),
    '',
    '## Outputs',
    '',
    ...outputsTable(stack),
    '<!-- END_TF_DOCS -->',
    '',
    ...filesSection(stack),
    `The Terraform files here are generated from the project's TypeScript constructs; regenerate them with \`${REGENERATE}\`.`,
    '',
  ].join('\n');
}

/** What the module ships besides its Terraform, and how its own tests run. */
function filesSection(stack: ModuleStack): string[] {
  const shipped = [...stack.shippedFiles.keys()].sort().map((path) => `[\`${path}\`](${path})`);
  return [
    '## Files and tests',
    '',
    ...(shipped.length > 0 ? [`What the instance runs is here, byte for byte as it runs it: ${shipped.join(', ')}. Each is uploaded to the NAT's S3 bucket and fetched at boot by the loader in the user data, which checks its SHA-256 (docs/boot-files.md in the project).`, ''] : []),
    '`terraform test` runs [`tests/`](tests/) against a mocked aws provider (no account, no credentials); [`tests/aws.tfmock.hcl`](tests/aws.tfmock.hcl) holds mock IDs and ARNs in AWS\'s formats that your own tests can load with `mock_provider "aws" { source = "<path to this module>/tests" }`.',
    '',
  ];
}
