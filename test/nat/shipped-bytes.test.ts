import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { NatInstance, type NatInstanceProps } from '../../lib/nat/nat-instance';
import { SHIPPED_BOOT_FILES } from '../../lib/nat/user-data';
import { WATCHDOG_BOOT_FILES } from '../../lib/nat/watchdog';
import { EXAMPLE_SPEC_FILE } from '../../lib/spec';
import { loadSpecFile } from '../../lib/spec/load';
import { EgressStack } from '../../lib/stacks/egress-stack';
import { decodeUserData, onlyResource, resources, synthConstruct, synthStack, type TfJson } from '../helpers/construct';
import { ROOT } from '../helpers/synth';

// Byte for byte: what runs on the instance is the file in lib/nat/boot, comments and all.
// Each boot object's content (as Terraform reads the JSON string) is its source file; each
// module's boot/<file> is lib/nat/boot/<file>; the loader in user data is nat-load.sh.
const BOOT = join(ROOT, 'lib', 'nat', 'boot');
const source = (name: string): string => readFileSync(join(BOOT, name), 'utf8');
/** Terraform reads `$${` and `%%{` in a JSON string as a literal `${` and `%{`. */
const asTerraformReads = (text: string): string => text.replace(/\$\$\{/g, '${').replace(/%%\{/g, '%{');
const ALL = [...SHIPPED_BOOT_FILES, ...WATCHDOG_BOOT_FILES];

function expectObjectsAreSources(tf: TfJson, names: string[]): void {
  const objects = resources(tf, 'aws_s3_object');
  expect(objects.map((o) => String(o.key).split('/').pop()).sort()).toEqual([...names].sort());
  for (const object of objects) {
    const name = String(object.key).split('/').pop()!;
    // No interpolation left for Terraform to evaluate: the bytes are the file's.
    expect(object.content).not.toMatch(/(^|[^$])\$\{/);
    expect(object.content).not.toMatch(/(^|[^%])%\{/);
    expect(asTerraformReads(object.content)).toBe(source(name));
  }
}

const NAT: NatInstanceProps = {
  natId: 'dev-shared', region: 'ap-northeast-1', vpcId: 'vpc-hub', publicSubnetId: 'subnet-pub-a', servedCidrs: ['10.0.0.0/16'],
  privateRouteTableIds: ['rtb-priv'], instanceTypes: ['t4g.nano'],
};

describe('the files shipped, byte for byte', () => {
  it('GIVEN a NAT THEN each of its boot objects holds its source file, comments and indentation included', () => {
    const tf = synthConstruct((scope) => new NatInstance(scope, 'nat', NAT));
    expectObjectsAreSources(tf, ALL.map((f) => f.name));
    expect(source('nat-boot.sh')).toMatch(/^\s+#/m);
  });

  it('GIVEN a NAT without the watchdog THEN its objects are the boot files alone, each its source', () => {
    expectObjectsAreSources(synthConstruct((scope) => new NatInstance(scope, 'nat', { ...NAT, watchdog: false })), SHIPPED_BOOT_FILES.map((f) => f.name));
  });

  it('GIVEN the built-in example stack THEN its objects are the sources and its user data carries nat-load.sh unchanged', () => {
    const tf = synthStack((app) => new EgressStack(app, loadSpecFile(EXAMPLE_SPEC_FILE).spec));
    expectObjectsAreSources(tf, ALL.map((f) => f.name));
    const loader = decodeUserData(tf, onlyResource(tf, 'aws_launch_template')).cloudConfig.write_files.find((f) => f.path === '/opt/cdktf-egress/nat-load.sh');
    expect(loader?.content).toBe(source('nat-load.sh'));
  });

  it.each(['nat-instance', 'multi-vpc-nat'])('GIVEN modules/%s THEN its boot/ holds exactly the boot files, each byte for byte lib/nat/boot/<file>', (module) => {
    const dir = join(ROOT, 'modules', module, 'boot');
    expect(readdirSync(dir).sort()).toEqual(ALL.map((f) => f.name).sort());
    for (const name of readdirSync(dir)) expect([name, readFileSync(join(dir, name), 'utf8')]).toEqual([name, source(name)]);
  });
});
