import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { USER_DATA_LIMIT } from '../../lib/nat/user-data';
import { EXAMPLE_SPEC_FILE } from '../../lib/spec';
import { loadSpecFile, validateSpec } from '../../lib/spec/load';
import type { Spec } from '../../lib/spec/schema';
import { EgressStack } from '../../lib/stacks/egress-stack';
import { decodeUserData, resources, synthStack, type TfJson } from '../helpers/construct';
import { ROOT } from '../helpers/synth';
import { USER_FILES_12K, USER_SHARE } from '../helpers/user-files';

// What user data leaves a user for their own writeFiles and runcmd: with the boot files in S3,
// at least 12 KB of EC2's 16 KB for the built-in example and every spec under specs/, their
// own extra user data taken out, measured with the longest bucket name S3 allows. (The roots
// under examples/ are Terraform: test/terraform/examples.test.ts measures what they plan.)
const SPECS = [EXAMPLE_SPEC_FILE, ...readdirSync(join(ROOT, 'specs')).filter((f) => /\.ya?ml$/.test(f)).sort().map((f) => join(ROOT, 'specs', f))];

const synth = (spec: Spec): TfJson => synthStack((app) => new EgressStack(app, spec));
const withUserData = (spec: Spec, writeFiles: readonly { path: string; content: string }[]): Spec =>
  validateSpec({ ...spec, natInstances: spec.natInstances.map((nat) => ({ ...nat, userData: { writeFiles, runcmd: [] } })) }).spec;

test('the spec files measured are the example and every spec under specs/', () => {
  expect(SPECS.map((f) => f.slice(ROOT.length + 1))).toEqual(['lib/spec/example.yaml', 'specs/dedicated-with-existing-spoke.yaml', 'specs/weekday-schedule.yaml']);
});

describe.each(SPECS.map((file) => [file.slice(ROOT.length + 1), file]))('%s', (_name, file) => {
  const spec = loadSpecFile(file).spec;

  it('GIVEN its NATs without the spec\'s own extra user data THEN each leaves at least 12 KB of the 16 KB for the user', () => {
    const tf = synth(withUserData(spec, []));
    const templates = resources(tf, 'aws_launch_template');
    expect(templates.length).toBe(spec.natInstances.length);
    for (const lt of templates) expect(USER_DATA_LIMIT - decodeUserData(tf, lt).bytes).toBeGreaterThanOrEqual(USER_SHARE);
  });

  it('GIVEN 12 KB of incompressible user writeFiles THEN it synthesizes, each NAT carrying them within 16 KB, where they take at least 12 KB', () => {
    const own = synth(withUserData(spec, []));
    const ownBytes = resources(own, 'aws_launch_template').map((lt) => decodeUserData(own, lt).bytes);
    const tf = synth(withUserData(spec, USER_FILES_12K));
    resources(tf, 'aws_launch_template').forEach((lt, i) => {
      const decoded = decodeUserData(tf, lt);
      for (const f of USER_FILES_12K) expect(decoded.cloudConfig.write_files).toContainEqual({ ...f, permissions: '0644' });
      expect(decoded.bytes - ownBytes[i]).toBeGreaterThanOrEqual(USER_SHARE);
      expect(decoded.bytes).toBeLessThanOrEqual(USER_DATA_LIMIT);
    });
  });
});
