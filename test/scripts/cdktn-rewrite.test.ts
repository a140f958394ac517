import { remainingCdktfImports, rewriteForCdktn } from '../../scripts/cdktn-rewrite';

describe('the cdktn rewrite of the compiled library', () => {
  it.each([
    ['require', 'const cdktf_1 = require("cdktf");', 'const cdktf_1 = require("cdktn");'],
    ['a deep provider require', 'const eip_1 = require("@cdktf/provider-aws/lib/eip");', 'const eip_1 = require("@cdktn/provider-aws/lib/eip");'],
    ['a declaration import', "import { Token } from 'cdktf';", "import { Token } from 'cdktn';"],
    ['a type import', "readonly eni?: import('@cdktf/provider-aws/lib/network-interface').NetworkInterface;", "readonly eni?: import('@cdktn/provider-aws/lib/network-interface').NetworkInterface;"],
    ['a re-export', "export type { TerraformStack } from 'cdktf';", "export type { TerraformStack } from 'cdktn';"],
  ])('GIVEN %s WHEN rewritten THEN it names the cdktn package, at the same length', (_form, code, expected) => {
    expect(rewriteForCdktn(code)).toBe(expected);
    expect(rewriteForCdktn(code)).toHaveLength(code.length);
    expect(remainingCdktfImports(rewriteForCdktn(code))).toEqual([]);
  });

  it('GIVEN tags, messages and other packages that contain "cdktf" WHEN rewritten THEN they are left alone', () => {
    const code = 'exports.NAT_TAG = "cdktf-egress:nat"; require("cdktf-egress"); require("cdktf-cli"); const s = "see cdktf docs";';
    expect(rewriteForCdktn(code)).toBe(code);
    expect(remainingCdktfImports(code)).toEqual([]);
  });

  it('GIVEN a cdktf specifier in a form the rewrite does not know WHEN checked THEN it is reported', () => {
    expect(remainingCdktfImports('const m = "cdktf"; load("@cdktf/provider-aws/lib/vpc");')).toEqual(['cdktf', '@cdktf/provider-aws/lib/vpc']);
  });
});
