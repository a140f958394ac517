import { DataAwsRegion } from '@cdktf/provider-aws/lib/data-aws-region';
import { S3Object } from '@cdktf/provider-aws/lib/s3-object';
import {
  TerraformDataSource,
  TerraformElement,
  TerraformLocal,
  TerraformOutput,
  TerraformResource,
  TerraformStack,
  TerraformVariable,
  type ITerraformDependable,
} from 'cdktf';
import { Node, type Construct } from 'constructs';
import { mergeMaps } from '../nat/conditional';
import { AWS_PROVIDER_CONSTRAINT } from '../stacks/egress-stack';
import type { TerraformCheck } from './terraform-checks';

/** An input of a generated module. Leave `default` out for a required input. */
export interface ModuleInput {
  /** A Terraform type constraint; never `any`. */
  readonly type: string;
  readonly description: string;
  readonly default?: unknown;
  /** Accept `null` (the default stands for "computed by the module"). @default false */
  readonly nullable?: boolean;
  readonly validations?: readonly TerraformCheck[];
}

export interface ModuleOutputSpec {
  readonly description: string;
  readonly value: unknown;
  /** What a caller using the output waits for besides the value's own resources. */
  readonly dependsOn?: ITerraformDependable[];
}

export interface ModuleStackProps {
  /** `required_version` of the module. */
  readonly requiredVersion: string;
  /**
   * Resource, data source and local names by construct path below the stack (`nat/sg`);
   * others get the path in snake_case. Names are what users see in plans and state.
   */
  readonly names?: Readonly<Record<string, string>>;
}

/**
 * A generated module: inputs are Terraform variables fed to the same constructs the spec
 * stacks use. No provider and no backend: the caller's configuration supplies both.
 */
export class ModuleStack extends TerraformStack {
  readonly inputs = new Map<string, ModuleInput & { variable: TerraformVariable }>();
  readonly outputSpecs = new Map<string, ModuleOutputSpec>();
  readonly requiredVersion: string;
  /** Files the module ships beside its Terraform (the boot script), by path relative to the module. */
  readonly shippedFiles = new Map<string, string>();
  private readonly names: Map<string, string>;
  private readonly taken = new Map<string, string>();
  private regionSource?: DataAwsRegion;

  constructor(scope: Construct, id: string, props: ModuleStackProps) {
    super(scope, id);
    this.names = new Map(Object.entries(props.names ?? {}));
    this.requiredVersion = props.requiredVersion;
    this.addOverride('terraform.required_version', props.requiredVersion);
    this.addOverride('terraform.required_providers', { aws: { source: 'hashicorp/aws', version: AWS_PROVIDER_CONSTRAINT } });
  }

  input(name: string, spec: ModuleInput): TerraformVariable {
    const variable = new TerraformVariable(this, name, {
      type: spec.type,
      description: spec.description,
      default: spec.default ?? undefined,
      nullable: spec.nullable ?? false,
      validation: spec.validations?.map((check) => ({ condition: `\${${check.condition}}`, errorMessage: check.message })),
    });
    // cdktf drops a null default; Terraform needs it to make the input optional.
    if (spec.default === null) variable.addOverride('default', null);
    this.inputs.set(name, { ...spec, variable });
    return variable;
  }

  /** A check on an input that reads other inputs too (Terraform >= 1.9). */
  addValidation(name: string, check: TerraformCheck): void {
    const input = this.inputs.get(name);
    if (!input) throw new Error(`module ${this.node.id}: no input ${name}`);
    input.variable.addValidation({ condition: `\${${check.condition}}`, errorMessage: check.message });
    this.inputs.set(name, { ...input, validations: [...(input.validations ?? []), check] });
  }

  output(name: string, spec: ModuleOutputSpec): void {
    // Outputs share the construct namespace with inputs (an output may repeat an input's name).
    new TerraformOutput(this, `output-${name}`, { value: spec.value, description: spec.description, dependsOn: spec.dependsOn }).overrideLogicalId(name);
    this.outputSpecs.set(name, spec);
  }

  /** The region of the caller's aws provider (`data.aws_region.current.id`, on the 5.x and 6.x providers alike). */
  get region(): string {
    this.regionSource ??= new DataAwsRegion(this, 'current');
    return this.regionSource.id;
  }

  /** A local holding an HCL expression, read back as a token. */
  local(name: string, expression: string): TerraformLocal {
    this.names.set(`local-${name}`, name);
    return new TerraformLocal(this, `local-${name}`, `\${${expression}}`);
  }

  /** A local holding a literal value (a lookup table), written once as an HCL map. */
  table(name: string, value: Readonly<Record<string, string | number>>): TerraformLocal {
    this.names.set(`local-${name}`, name);
    return new TerraformLocal(this, `local-${name}`, value);
  }

  /** Tags every taggable resource with `tags` under its own (its Name and cdktf-egress tags win). */
  tagEverything(tags: Record<string, string>): void {
    for (const node of this.node.findAll()) {
      if (!(node instanceof TerraformResource) || !('tagsInput' in node)) continue;
      // S3 takes at most 10 tags on an object: the boot files' objects carry none of the user's.
      if (node instanceof S3Object) continue;
      const taggable = node as TerraformResource & { tags: Record<string, string>; tagsInput?: Record<string, string> };
      taggable.tags = mergeMaps(tags, taggable.tagsInput ?? {});
    }
  }

  protected allocateLogicalId(element: TerraformElement | Node): string {
    const node = element instanceof Node ? element : element.node;
    const path = node.scopes.slice(node.scopes.indexOf(this) + 1).map((scope) => scope.node.id).join('/');
    if (element instanceof TerraformVariable || element instanceof Node) return node.id;
    const name = this.names.get(path) ?? path.replace(/[/-]/g, '_');
    const kind = kindOf(element);
    const owner = this.taken.get(`${kind}.${name}`);
    if (owner !== undefined && owner !== path) throw new Error(`module ${this.node.id}: ${kind}.${name} is both ${owner} and ${path}`);
    this.taken.set(`${kind}.${name}`, path);
    return name;
  }
}

function kindOf(element: TerraformElement): string {
  if (element instanceof TerraformDataSource) return `data.${element.terraformResourceType}`;
  if (element instanceof TerraformResource) return element.terraformResourceType;
  if (element instanceof TerraformLocal) return 'local';
  return element.constructor.name;
}
