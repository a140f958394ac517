import { Fn, Op, propertyAccess, TerraformLocal, Token, type IResolvable } from 'cdktf';
import type { Construct } from 'constructs';
import { mapEach } from './for-each';
import { cloudConfig, cloudConfigText, USER_DATA_LIMIT, type UserDataProps, type WriteFile } from './user-data';

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
  const base = new TerraformLocal(scope, 'cloud-config-base', escapeTemplates(known));
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
