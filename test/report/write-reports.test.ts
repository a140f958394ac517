import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeReports } from '../../lib/report';
import { checkedSpec, exampleSpec } from './fixtures';

describe('writeReports', () => {
  it('GIVEN the example and a directory that does not exist yet WHEN written THEN cost.md and topology.md are there', () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'egress-reports-')), 'stacks', 'dev');
    const written = writeReports(exampleSpec(), dir);
    expect(written).toEqual({ files: [join(dir, 'cost.md'), join(dir, 'topology.md')], problems: [] });
    expect(readFileSync(join(dir, 'cost.md'), 'utf8')).toMatch(/^# Monthly cost: dev \(ap-northeast-1\)\n[\s\S]*\| \*\*Total a month\*\* \|/);
    expect(readFileSync(join(dir, 'topology.md'), 'utf8')).toMatch(/^# Topology: dev \(ap-northeast-1\)\n[\s\S]*```mermaid\nflowchart LR\n/);
  });

  it('GIVEN a region without prices WHEN written THEN both files still exist and cost.md and the problems say what is missing', () => {
    const dir = mkdtempSync(join(tmpdir(), 'egress-reports-'));
    const spec = checkedSpec({ project: 'eu', region: 'eu-west-1', vpcs: [{ name: 'a', cidr: '10.0.0.0/16', azs: ['eu-west-1a'] }] });
    const written = writeReports(spec, dir);
    expect(written.problems).toEqual([expect.stringMatching(/^no prices for region eu-west-1 /)]);
    expect(readFileSync(join(dir, 'cost.md'), 'utf8')).toContain('Not priced: no prices for region eu-west-1');
    expect(readFileSync(join(dir, 'topology.md'), 'utf8')).toContain('subgraph vpc__a["VPC a · 10.0.0.0/16"]');
  });
});
