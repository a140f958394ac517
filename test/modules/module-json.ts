import { MODULES } from '../../lib/modules/catalog';
import { generateModules } from '../../lib/modules/generate';
import { synthesizeModule } from '../../lib/modules/render';
import { once } from '../helpers/construct';

/**
 * A generated module: the Terraform JSON its HCL is written from (keys as Terraform reads
 * them), and its files as text.
 */
export interface ModuleJson {
  readonly main: { data?: Record<string, any>; locals: Record<string, any>; resource: Record<string, Record<string, any>> } & Record<string, any>;
  readonly variables: { variable: Record<string, TfVariable> } & Record<string, any>;
  readonly outputs: { output: Record<string, { value: unknown; description?: string }> } & Record<string, any>;
  readonly versions: { terraform: Record<string, any> } & Record<string, any>;
  readonly readme: string;
  /** Every generated file of the module, by name, as text. */
  readonly files: Record<string, string>;
}

export interface TfVariable {
  readonly type: string;
  readonly description?: string;
  readonly default?: unknown;
  readonly nullable?: boolean;
  readonly validation?: { condition: string; error_message: string }[];
}

export const allModuleFiles = once(() => generateModules());

export function moduleJson(name: string): ModuleJson {
  const files: Record<string, string> = {};
  for (const [path, content] of allModuleFiles()) if (path.startsWith(`${name}/`)) files[path.slice(name.length + 1)] = content;
  const definition = MODULES.find((m) => m.name === name);
  if (!definition) throw new Error(`no module ${name}`);
  const { json } = synthesizeModule(definition);
  return {
    main: { data: json.data, locals: json.locals, resource: json.resource },
    variables: { variable: json.variable },
    outputs: { output: json.output },
    versions: { terraform: json.terraform },
    readme: files['README.md'] ?? '',
    files,
  };
}

/** The resource of a type and name; fails when absent. */
export function resourceOf(module: ModuleJson, type: string, name: string): Record<string, any> {
  const resource = module.main.resource[type]?.[name];
  if (!resource) throw new Error(`no ${type}.${name}; there are ${Object.keys(module.main.resource[type] ?? {}).join(', ') || 'none'}`);
  return resource;
}

/** The error messages of a variable's validation blocks. */
export function messagesOf(module: ModuleJson, variable: string): string[] {
  return (module.variables.variable[variable]?.validation ?? []).map((v) => v.error_message);
}
