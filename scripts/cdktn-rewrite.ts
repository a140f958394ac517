// cdktn (the maintained fork of CDKTF) has the same API under new package names. The cdktn
// build is the compiled cdktf build with its module specifiers renamed; both names are the
// same length, so source maps stay valid.

/** Module specifiers in `require("x")`, `from "x"`, `import("x")` and `import "x"`. */
const SPECIFIER = /(\brequire\(\s*|\bfrom\s+|\bimport\(\s*|\bimport\s+)(['"])(cdktf|@cdktf\/provider-aws)(?=['"/])/g;

const RENAMES: Record<string, string> = { cdktf: 'cdktn', '@cdktf/provider-aws': '@cdktn/provider-aws' };

/** The same code importing `cdktn` and `@cdktn/provider-aws`; other text (tags, messages) is left alone. */
export function rewriteForCdktn(code: string): string {
  return code.replace(SPECIFIER, (_match, lead: string, quote: string, name: string) => `${lead}${quote}${RENAMES[name]}`);
}

/** Any `cdktf` or `@cdktf/*` module specifier still in `code` (a form the rewrite does not know). */
export function remainingCdktfImports(code: string): string[] {
  return [...code.matchAll(/['"](cdktf|@cdktf\/[^'"]*)['"]/g)].map((m) => m[1]).filter((spec) => spec === 'cdktf' || spec.startsWith('@cdktf/'));
}
