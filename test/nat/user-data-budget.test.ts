import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { renderUserDataBudget, userDataBudget } from '../../lib/nat/user-data-budget';
import { EXAMPLE_SPEC_FILE } from '../../lib/spec';
import { loadSpecFile } from '../../lib/spec/load';
import { EgressStack } from '../../lib/stacks/egress-stack';
import { decodeUserData, onlyResource, synthStack } from '../helpers/construct';
import { ROOT } from '../helpers/synth';

// `npm run user-data-budget`: the figures docs/boot-files.md quotes.
describe('the user data budget', () => {
  it('GIVEN the built-in example THEN the NAT\'s own bytes are those of its synthesized user data, the longest bucket name in the manifest', () => {
    const spec = loadSpecFile(EXAMPLE_SPEC_FILE).spec;
    const [budget] = userDataBudget(spec);
    expect(budget).toEqual({ nat: 'shared', own: expect.any(Number), withSpecUserData: undefined, left: 16384 - budget.own });
    // The synthesized document read back (its keys in Terraform's order, runcmd first) compresses within 1 % of it.
    const tf = synthStack((app) => new EgressStack(app, spec));
    const decoded = decodeUserData(tf, onlyResource(tf, 'aws_launch_template')).bytes;
    expect(Math.abs(decoded - budget.own)).toBeLessThanOrEqual(budget.own / 100);
    expect(budget.left).toBeGreaterThanOrEqual(12 * 1024);
  });

  it('GIVEN a spec with its own userData THEN both sizes are given, the NAT\'s own first', () => {
    const [budget] = userDataBudget(loadSpecFile(join(ROOT, 'specs/dedicated-with-existing-spoke.yaml')).spec);
    expect(budget.withSpecUserData).toBeGreaterThan(budget.own);
    expect(renderUserDataBudget([budget])).toMatch(/^nat: the NAT's own user data \d,\d{3} bytes, \d{2},\d{3} of 16,384 left for userData\.writeFiles and runcmd; with the spec's userData \d,\d{3}\n$/);
  });

  it('GIVEN a spec file that does not exist THEN one error line and exit 2', () => {
    const run = spawnSync('npm', ['run', '-s', 'user-data-budget', '--', '/nonexistent/spec.yaml'], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
    expect(run.status).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^error: .*\/nonexistent\/spec\.yaml/)]);
  }, 60_000);
});
