import { Fn, Token, type IResolvable } from 'cdktf';

/** A flag that is a plain boolean, or a Terraform boolean (a module variable) only known at plan time. */
export type Flag = boolean | IResolvable;

export function isPlainFlag(flag: Flag | undefined): flag is boolean | undefined {
  return flag === undefined || typeof flag === 'boolean';
}

/**
 * `flag ? whenTrue : whenFalse`: decided here for a plain flag, left to Terraform (a
 * conditional expression) for one it only knows. `undefined` picks the default.
 */
export function choose<T extends string | number | string[] | undefined>(flag: Flag | undefined, byDefault: boolean, whenTrue: T, whenFalse: T): T {
  if (isPlainFlag(flag)) return (flag ?? byDefault) ? whenTrue : whenFalse;
  const expression = Fn.conditional(flag, whenTrue ?? Token.nullValue(), whenFalse ?? Token.nullValue());
  // cdktf writes `c ? a : b` without parentheses; a conversion call keeps it whole inside operators.
  const sample = whenTrue ?? whenFalse;
  if (typeof sample === 'number') return Token.asNumber(Fn.tonumber(expression)) as T;
  if (Array.isArray(sample)) return Token.asList(Fn.tolist(expression)) as T;
  return Token.asString(Fn.tostring(expression)) as T;
}

/** `merge(base, extra)`: a plain object here, a Terraform `merge()` when either side is only known to Terraform. */
export function mergeMaps(base: Record<string, string> | undefined, extra: Record<string, string>): Record<string, string> {
  if (base === undefined || !Token.isUnresolved(base)) return { ...base, ...extra };
  return Token.asStringMap(Fn.merge([base, extra]));
}
