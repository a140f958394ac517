import { SHIPPED_BOOT_FILES } from '../../lib/nat/user-data';
import { WATCHDOG_BOOT_FILES } from '../../lib/nat/watchdog';
import { AWS_PROVIDER_CONSTRAINT } from '../../lib/stacks/egress-stack';
import { allModuleFiles, moduleJson } from './module-json';

const MODULES = ['nat-instance', 'multi-vpc-nat', 'vpc-endpoints', 'egress-vpc'];
const TF_FILES = ['main.tf', 'variables.tf', 'outputs.tf', 'versions.tf'];
/** What the NAT modules ship for the instance to run, read there with file(). */
const BOOT_FILES = [...SHIPPED_BOOT_FILES, ...WATCHDOG_BOOT_FILES].map((f) => `boot/${f.name}`);
const NAT_MODULES = ['nat-instance', 'multi-vpc-nat'];

describe('every generated module', () => {
  it('GIVEN the generator THEN it makes exactly the four modules, each with main, variables, outputs, versions, a README and native tests, the NAT modules with their boot files', () => {
    const names = new Set([...allModuleFiles().keys()].map((path) => path.split('/')[0]));
    expect([...names].sort()).toEqual([...MODULES].sort());
    for (const name of MODULES) {
      const tests = ['tests/aws.tfmock.hcl', `tests/${name.replace(/-/g, '_')}.tftest.hcl`];
      const expected = [...TF_FILES, 'README.md', ...tests, ...(NAT_MODULES.includes(name) ? BOOT_FILES : [])];
      expect(Object.keys(moduleJson(name).files).sort()).toEqual(expected.sort());
    }
  });

  describe.each(MODULES)('%s', (name) => {
    const module = () => moduleJson(name);

    it('GIVEN its files THEN none has a provider or backend block: the calling configuration supplies both', () => {
      for (const file of TF_FILES) {
        expect(module().files[file]).not.toMatch(/^\s*(provider\s+"|backend\s+"|cloud\s*\{)/m);
      }
      expect(module().versions.terraform).not.toHaveProperty('backend');
    });

    it('GIVEN versions.tf THEN it requires a Terraform version and the aws provider range of the spec stacks (5.100 and 6.x)', () => {
      expect(module().versions.terraform.required_version).toMatch(/^>= 1\.\d+\.0$/);
      expect(module().versions.terraform.required_providers).toEqual({ aws: { source: 'hashicorp/aws', version: AWS_PROVIDER_CONSTRAINT } });
      expect(AWS_PROVIDER_CONSTRAINT).toBe('>= 5.100.0, < 7.0.0');
    });

    it('GIVEN its variables THEN each has a type other than any and a description', () => {
      const variables = Object.entries(module().variables.variable);
      expect(variables.length).toBeGreaterThan(0);
      for (const [, variable] of variables) {
        expect(variable.type).toEqual(expect.any(String));
        expect(variable.type).not.toMatch(/\bany\b/);
        expect(variable.description).toMatch(/\S/);
      }
    });

    it('GIVEN its variables THEN every validation block has a condition expression and a message', () => {
      for (const variable of Object.values(module().variables.variable)) {
        for (const validation of variable.validation ?? []) {
          expect(validation.condition).toMatch(/^\$\{.+\}$/s);
          expect(validation.error_message).toMatch(/\S/);
        }
      }
    });

    it('GIVEN its outputs THEN each has a description', () => {
      const outputs = Object.values(module().outputs.output);
      expect(outputs.length).toBeGreaterThan(0);
      for (const output of outputs) expect(output.description).toMatch(/\S/);
    });

    it('GIVEN its .tf files THEN each starts with a comment saying it is generated and how to regenerate it', () => {
      for (const file of TF_FILES) expect(module().files[file].split('\n')[0]).toMatch(/^# Generated .*`npm run modules`.*do not edit/);
    });

    it('GIVEN its README THEN it says it is generated, shows a usage example, and lists every input and output', () => {
      const readme = module().readme;
      expect(readme.split('\n')[0]).toMatch(/^<!-- Generated .*`npm run modules`.* -->$/);
      expect(readme).toContain(`source = "../../modules/${name}"`);
      for (const variable of Object.keys(module().variables.variable)) expect(readme).toMatch(new RegExp(`^\\| \`${variable}\` \\|`, 'm'));
      for (const output of Object.keys(module().outputs.output)) expect(readme).toMatch(new RegExp(`^\\| \`${output}\` \\|`, 'm'));
    });

    it('GIVEN its resources THEN none carries cdktf construct metadata', () => {
      expect(module().files['main.tf']).not.toContain('"//"');
      expect(module().files['main.tf']).not.toContain('uniqueId');
    });
  });
});
