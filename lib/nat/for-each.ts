import {
  Fn,
  FOR_EXPRESSION_KEY,
  FOR_EXPRESSION_VALUE,
  forExpression,
  propertyAccess,
  ref,
  TerraformCount,
  TerraformIterator,
  Token,
  type IResolvable,
  type ITerraformIterator,
  type TerraformResource,
} from 'cdktf';
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

/**
 * Fields of an element only Terraform knows, read through `base` (`each.value` in a resource
 * with `for_each`, `val` in a for expression). Each field is a token usable as a string,
 * number or list.
 */
function fieldsOf<T extends object>(base: IResolvable): T {
  return new Proxy({} as T, {
    get: (_target, field) => (typeof field === 'string' ? Token.asAny(propertyAccess(base, [field])) : undefined),
  });
}

/** The element a `for_each` resource is made for, field by field (`each.value.<field>`). */
export function eachValue<T extends object>(): T {
  return fieldsOf<T>(ref('each.value'));
}

/** `<resource>[<key>].<attribute>`: an attribute of one instance of a `for_each` resource. */
export function instanceAttribute(resource: TerraformResource, key: string, attribute: string): string {
  return Token.asString(propertyAccess(resource, [key, attribute]));
}

/** `one(<resource>[*].<attribute>)`: the attribute of a resource made zero or one times by `count`. */
export function optionalAttribute(resource: TerraformResource, attribute: string): string {
  return Token.asString(Fn.one(Token.asList(propertyAccess(resource, ['*', attribute]))));
}

/**
 * Resources for each element of a list of objects. A plain list gives one set each, named by
 * `idOf`; a list only Terraform knows gives one set with `for_each`, keyed by the `key` fields
 * (which must be unique and known at plan time), and `make` reads the element's fields as
 * `each.value.<field>`.
 */
export function forEachItem<T extends object>(
  scope: Construct,
  items: readonly T[],
  options: { readonly id: string; readonly key: readonly (keyof T & string)[]; readonly idOf: (item: T) => string },
  make: (scope: Construct, id: string, item: T, forEach: ITerraformIterator | undefined) => unknown,
): void {
  if (!Token.isUnresolved(items)) {
    items.forEach((item) => make(scope, options.idOf(item), item, undefined));
    return;
  }
  const key = Fn.join('/', options.key.map((field) => Token.asString(propertyAccess(FOR_EXPRESSION_VALUE, [field]))));
  make(scope, options.id, eachValue<T>(), TerraformIterator.fromMap(Token.asAnyMap(forExpression(items, FOR_EXPRESSION_VALUE, key))));
}

/**
 * Renders every element with `render` and joins the results: here for a plain list, in
 * Terraform (a for expression) for a list only Terraform knows. `render` must only read
 * fields and build a string from them.
 */
export function joinEach<T extends object>(items: readonly T[], separator: string, render: (item: T) => string): string {
  if (!Token.isUnresolved(items)) return items.map(render).join(separator);
  const element = concatenation(render(fieldsOf<T>(FOR_EXPRESSION_VALUE)));
  return Fn.join(separator, Token.asList(forExpression(items, element)));
}

/**
 * `join("", [<literal>, <expression>, ...])` for a string that mixes text and tokens: the
 * form cdktf renders inside an expression without reading the text as a template.
 */
function concatenation(text: string): string {
  const parts = text.split(/(\$\{TfToken\[[^\]]+\]\})/).filter((part) => part !== '');
  return Fn.join('', parts);
}

/** `[for index, element in list : <value>]`, `value` given the element's fields, its index and the element itself. */
export function mapEach<T extends object>(
  items: readonly T[],
  value: (fields: T, index: number, element: IResolvable) => unknown,
): IResolvable {
  return forExpression(items, value(fieldsOf<T>(FOR_EXPRESSION_VALUE), Token.asNumber(FOR_EXPRESSION_KEY), FOR_EXPRESSION_VALUE));
}

/** `{ for v in list : v.<field> => v }`: a list of objects keyed for `for_each`. */
export function keyedBy<T extends object>(items: readonly T[] | IResolvable, field: keyof T & string): IResolvable {
  return forExpression(items, FOR_EXPRESSION_VALUE, propertyAccess(FOR_EXPRESSION_VALUE, [field]));
}
