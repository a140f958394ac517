import { Fn, TerraformCount, Token } from 'cdktf';
import type { Construct } from 'constructs';

/**
 * One resource per list element. A plain list gives one resource each (readable names in
 * cdk.tf.json); a list only known to Terraform (a module variable) gives one resource with
 * `count`, which plans as long as the list's length is known.
 */
export function forEachValue(
  scope: Construct,
  id: string,
  values: string[],
  make: (scope: Construct, id: string, value: string, count: TerraformCount | undefined) => unknown,
): void {
  if (Token.isUnresolved(values)) {
    const count = TerraformCount.of(Fn.lengthOf(values));
    make(scope, id, Token.asString(Fn.element(values, Token.asNumber(count.index))), count);
    return;
  }
  values.forEach((value, i) => make(scope, `${id}-${i}`, value, undefined));
}
