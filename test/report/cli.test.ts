import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCostCli } from '../../lib/report/cli';
import type { CostModel } from '../../lib/report/cost-model';
import { ROOT } from './fixtures';

function run(args: string[], env: NodeJS.ProcessEnv = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const status = runCostCli(args, { env, stdout: (t) => out.push(t), stderr: (t) => err.push(t) });
  return { status, stdout: out.join(''), stderr: err.join('') };
}

function specFile(text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'egress-cost-')), 'spec.yaml');
  writeFileSync(file, text);
  return file;
}

describe('npm run cost', () => {
  it('GIVEN no EGRESS_SPEC WHEN run THEN it prints the example\'s Markdown table with the spec and the three baselines', () => {
    const { status, stdout, stderr } = run([]);
    expect({ status, stderr }).toEqual({ status: 0, stderr: '' });
    expect(stdout).toContain('| USD a month | This spec (NAT instances) | NAT Gateway per VPC | NAT Gateway per AZ | Regional NAT Gateway |');
    expect(stdout).toMatch(/^\| \*\*Total a month\*\* \| \*\*\$[\d,.]+\*\* \|/m);
  });

  it('GIVEN the example WHEN run THEN every price it used is listed with its source and date', () => {
    const { stdout } = run([]);
    const sources = stdout.slice(stdout.indexOf('## Price sources (ap-northeast-1)'));
    expect(sources).toContain('- NAT Gateway, per hour: $0.062 (https://aws.amazon.com/vpc/pricing/, ');
    expect(sources).toMatch(/^- t4g\.small spot \(typical\), per hour: \$[\d.]+ \(https:\/\/\S+, \d{4}-\d{2}-\d{2}\)$/m);
    const json = JSON.parse(run(['--json']).stdout) as { priceSources: { name: string; source: string }[] };
    expect(json.priceSources.map((p) => p.name)).toContain('public IPv4 address, per hour');
  });

  it('GIVEN --json WHEN run THEN it prints the model: four options whose lines are numbers that add up to their totals', () => {
    const { status, stdout } = run(['--json']);
    expect(status).toBe(0);
    const model: CostModel = JSON.parse(stdout);
    expect(model).toMatchObject({ project: 'dev', region: 'ap-northeast-1', currency: 'USD', hoursPerMonth: 730, priceFile: 'lib/report/prices.json' });
    expect(model.options.map((o) => o.id)).toEqual(['nat-instances', 'nat-gateway-per-vpc', 'nat-gateway-per-az', 'regional-nat-gateway']);
    for (const option of model.options) {
      for (const line of option.lines) {
        expect(line).toEqual({
          item: expect.any(String), quantity: expect.any(Number), unit: expect.any(String),
          unitUsd: expect.any(Number), monthlyUsd: expect.any(Number), detail: expect.any(String),
        });
      }
      expect(option.totalUsd).toBeCloseTo(option.lines.reduce((t, l) => t + l.monthlyUsd, 0), 6);
    }
    expect(model.internetDataOut).toEqual({ gbPerMonth: 200, usdPerGb: expect.any(Number), monthlyUsd: expect.any(Number) });
    expect(model.assumptions.length).toBeGreaterThan(0);
  });

  it('GIVEN an unknown argument WHEN run THEN it exits 2 naming it and the usage, printing nothing on stdout', () => {
    expect(run(['--yaml'])).toEqual({ status: 2, stdout: '', stderr: 'error: unknown argument --yaml; usage: npm run cost [-- --json]\n' });
  });

  it('GIVEN a valid spec in a region without prices WHEN run THEN it exits 1 and says which region, never a guessed figure', () => {
    const file = specFile('project: eu\nregion: eu-west-1\nvpcs:\n  - { name: a, cidr: 10.0.0.0/16, azs: [eu-west-1a] }\n');
    const { status, stdout, stderr } = run([], { EGRESS_SPEC: file });
    expect({ status, stdout }).toEqual({ status: 1, stdout: '' });
    expect(stderr).toMatch(/^error: no prices for region eu-west-1 in lib\/report\/prices\.json; it has ap-northeast-1, us-east-1/);
  });

  it('GIVEN a bad spec WHEN the npm script runs THEN it exits 2 with one error line per problem on stderr and no stack trace', () => {
    const file = specFile('project: Dev\nregion: ap-northeast-1\nvpcs:\n  - { name: a, cidr: 10.0.0.0/16, azs: [] }\n');
    const result = spawnSync('npm', ['run', '-s', 'cost'], { cwd: ROOT, env: { ...process.env, EGRESS_SPEC: file }, encoding: 'utf8', timeout: 60_000 });
    expect({ status: result.status, stdout: result.stdout }).toEqual({ status: 2, stdout: '' });
    const errors = result.stderr.split('\n').filter((l) => l.startsWith('error: '));
    expect(errors).toEqual([expect.stringMatching(/^error: project: /), expect.stringMatching(/^error: vpcs\[0\]\.azs: /)]);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('GIVEN the CLI module WHEN it runs THEN neither cdktf nor the aws provider is loaded', () => {
    const script = `require('./lib/report/cli.ts').runCostCli(['--json'], { env: {}, stdout() {}, stderr() {} });
      process.stdout.write(JSON.stringify(Object.keys(require.cache)));`;
    const result = spawnSync(process.execPath, ['-r', '@swc-node/register', '-e', script], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
    expect(result.status).toBe(0);
    const loaded: string[] = JSON.parse(result.stdout);
    expect(loaded).toContainEqual(expect.stringMatching(/lib\/report\/cost-model\.ts$/));
    expect(loaded.filter((path) => /node_modules\/(cdktf|@cdktf|constructs)\//.test(path))).toEqual([]);
  });
});
