import { Fn, Op, propertyAccess, TerraformLocal, TerraformStack, Token, type IResolvable } from 'cdktf';
import type { Construct } from 'constructs';
import { mapEach } from './for-each';
import { WATCHDOG_BOOT_FILES } from './watchdog';
import { bootFile, cloudConfig, cloudConfigText, SHIPPED_BOOT_FILES, SHIPPED_COMMENT_PATTERN, SHIPPED_INDENT_PATTERN, SHIPPED_KEPT_COMMENT_PATTERN, USER_DATA_LIMIT, type UserDataProps, type WriteFile } from './user-data';

/** The cloud-config text when every value in it is known here; undefined when Terraform must render it. */
export function plainCloudConfigText(props: UserDataProps): string | undefined {
  if (Token.isUnresolved(props.writeFiles ?? []) || Token.isUnresolved(props.runcmd ?? [])) return undefined;
  const text = cloudConfigText(props);
  return Token.isUnresolved(text) ? undefined : text;
}

export interface TerraformUserData {
  /** `base64gzip("#cloud-config\n${yamlencode(...)}")`, known at plan time when the inputs are. */
  readonly userData: string;
  /** A launch template precondition: EC2 refuses user data over 16 KB. */
  readonly sizeCheck: { condition: IResolvable; errorMessage: string };
}

/**
 * The same cloud-config as `cloudConfig`, built by Terraform: the parts known here go into a
 * local as they are (their `${` and `%{` escaped, so Terraform takes them literally), and
 * lists only Terraform knows are appended to them with `concat`.
 */
export function renderUserDataInTerraform(scope: Construct, props: UserDataProps): TerraformUserData {
  const filesLater = Token.isUnresolved(props.writeFiles ?? []);
  const runcmdLater = Token.isUnresolved(props.runcmd ?? []);
  const known = cloudConfig({ ...props, writeFiles: filesLater ? [] : props.writeFiles, runcmd: runcmdLater ? [] : props.runcmd });
  const base = new TerraformLocal(scope, 'cloud-config-base', shipBootFiles(scope, escapeTemplates(known) as Record<string, unknown>));
  const baseField = (field: string) => Token.asList(propertyAccess(base.expression, [field]));
  const appended: Record<string, unknown> = {};
  if (filesLater) appended.write_files = Fn.concat([baseField('write_files'), Token.asList(withDefaultPermissions(props.writeFiles ?? []))]);
  if (runcmdLater) appended.runcmd = Fn.concat([baseField('runcmd'), props.runcmd]);
  const document = Object.keys(appended).length > 0 ? new TerraformLocal(scope, 'cloud-config', Fn.merge([base.expression, appended])).expression : base.expression;
  const text = new TerraformLocal(scope, 'user-data-text', Fn.join('', ['#cloud-config\n', Fn.yamlencode(document)]));
  const encoded = Fn.base64gzip(text.asString);
  // Base64 of n bytes is 4 * ceil(n / 3) characters: this bound admits at most USER_DATA_LIMIT - 1 gzip bytes.
  const maxEncoded = 4 * Math.floor(USER_DATA_LIMIT / 3);
  const bytes = Fn.floor(Op.mul(Op.div(Fn.lengthOf(encoded), 4), 3));
  return {
    userData: encoded,
    sizeCheck: {
      condition: Op.lte(Fn.lengthOf(encoded), maxEncoded),
      errorMessage: `user data would be about ${Token.asString(bytes)} bytes gzip-compressed; EC2 accepts at most ${USER_DATA_LIMIT}. Shorten user_data_write_files or user_data_runcmd`,
    },
  };
}

/** What `cloudConfig` does to each extra file, as a for expression: permissions 0644 unless given. */
function withDefaultPermissions(files: readonly WriteFile[]): IResolvable {
  return mapEach(files, (_fields, _index, file) => Fn.merge([{ permissions: '0644' }, file]));
}

/**
 * Terraform reads every JSON string as a template; literal text here (the unit file, the
 * config's comments) must not start an interpolation or directive.
 */
function escapeTemplates(value: unknown): unknown {
  if (typeof value === 'string') return value.replace(/\$\{(?!TfToken\[)/g, () => '$${').replace(/%\{/g, () => '%%{');
  if (Array.isArray(value)) return value.map(escapeTemplates);
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, escapeTemplates(v)]));
  return value;
}

/** A stack that ships files beside its Terraform (a generated module), by path relative to it. */
export interface ShipsFiles {
  readonly shippedFiles: Map<string, string>;
}

/** A JavaScript string as an HCL string literal (JSON's escapes are HCL's). */
const hclQuoted = (text: string): string => JSON.stringify(text);

/** Where a module that ships them keeps the boot files, relative to the module. */
export const SHIPPED_BOOT_DIR = 'boot';

/**
 * In a stack that ships files, the boot files (script, libraries, units) become files of the
 * module, read with `file()`, so what the instance runs is readable where the module is
 * reviewed; the whole user data is compressed by Terraform. Elsewhere they stay inline.
 */
function shipBootFiles(scope: Construct, document: Record<string, unknown>): Record<string, unknown> {
  const stack = TerraformStack.of(scope) as TerraformStack & Partial<ShipsFiles>;
  if (!(stack.shippedFiles instanceof Map)) return document;
  const shipped: Record<string, string> = {};
  for (const file of [...SHIPPED_BOOT_FILES, ...WATCHDOG_BOOT_FILES]) {
    stack.shippedFiles.set(`${SHIPPED_BOOT_DIR}/${file.name}`, bootFile(file.name));
    const lines = `split("\\n", file("\${path.module}/${SHIPPED_BOOT_DIR}/${file.name}"))`;
    const kept = `!can(regex(${hclQuoted(SHIPPED_COMMENT_PATTERN)}, l)) || can(regex(${hclQuoted(SHIPPED_KEPT_COMMENT_PATTERN)}, l))`;
    const dedented = `replace(l, ${hclQuoted(`/${SHIPPED_INDENT_PATTERN}/`)}, "")`;
    shipped[file.path] = `\${join("\\n", [for l in ${lines} : ${dedented} if ${kept}])}`;
  }
  const files = document.write_files as Record<string, unknown>[];
  return { ...document, write_files: files.map((f) => (typeof f.path === 'string' && shipped[f.path] ? { ...f, content: shipped[f.path] } : f)) };
}
