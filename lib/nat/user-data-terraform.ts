import { Fn, Op, propertyAccess, TerraformLocal, Token, type IResolvable } from 'cdktf';
import type { Construct } from 'constructs';
import { mapEach } from './for-each';
import { cloudConfig, cloudConfigText, USER_DATA_LIMIT, type UserDataProps, type WriteFile } from './user-data';

/** True when the user data holds values only Terraform knows (module variables), so Terraform must render it. */
export function hasUnresolvedUserData(props: UserDataProps): boolean {
  if (Token.isUnresolved(props.writeFiles ?? []) || Token.isUnresolved(props.runcmd ?? [])) return true;
  return Token.isUnresolved(cloudConfigText(props));
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
  const base = new TerraformLocal(scope, 'cloud-config-base', escapeTemplates(known));
  const baseField = (field: string) => Token.asList(propertyAccess(base.expression, [field]));
  const appended: Record<string, unknown> = {};
  if (filesLater) appended.write_files = Fn.concat([baseField('write_files'), Token.asList(withDefaultPermissions(props.writeFiles ?? []))]);
  if (runcmdLater) appended.runcmd = Fn.concat([baseField('runcmd'), props.runcmd]);
  const document = Object.keys(appended).length > 0 ? new TerraformLocal(scope, 'cloud-config', Fn.merge([base.expression, appended])).expression : base.expression;
  const text = new TerraformLocal(scope, 'user-data-text', Fn.join('', ['#cloud-config\n', Fn.yamlencode(document)]));
  const userData = new TerraformLocal(scope, 'user-data-gzip', Fn.base64gzip(text.asString));
  // Compressed bytes from the base64 length (its padding makes this an upper bound of at most 2).
  const bytes = Fn.floor(Op.div(Op.mul(Fn.lengthOf(userData.expression), 3), 4));
  return {
    userData: userData.asString,
    sizeCheck: {
      condition: Op.lte(bytes, USER_DATA_LIMIT),
      errorMessage: `user data would be ${Token.asString(bytes)} bytes compressed; EC2 accepts at most ${USER_DATA_LIMIT}. Shorten user_data_write_files or user_data_runcmd`,
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
