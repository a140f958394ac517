import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { EXAMPLE_SPEC_FILE, loadSpecFile, validateSpec, type Spec } from '../../lib/spec';
import type { SpecInput } from '../../lib/spec/schema';
import prices from '../../lib/report/prices.json';

export const ROOT = resolve(__dirname, '..', '..');

/** The figures the tests compute expectations from: read straight from the price file. */
export const PRICES = prices.regions;

export function exampleSpec(): Spec {
  return loadSpecFile(EXAMPLE_SPEC_FILE).spec;
}

/** A checked spec, so the report is only ever tested on what the spec checks let through. */
export function checkedSpec(raw: SpecInput): Spec {
  return validateSpec(raw).spec;
}

const EXISTING_LEGACY = {
  name: 'legacy',
  id: 'vpc-0123456789abcdef0',
  cidr: '172.16.0.0/16',
  subnets: [
    { id: 'subnet-0123456789abcdef0', az: 'us-east-1a', routeTableId: 'rtb-0123456789abcdef0' },
    { id: 'subnet-0123456789abcdef1', az: 'us-east-1b', routeTableId: 'rtb-0123456789abcdef1' },
    { id: 'subnet-0123456789abcdef2', az: 'us-east-1a', routeTableId: 'rtb-0123456789abcdef2', public: true },
  ],
};

/**
 * us-east-1: a dual-stack hub over three AZs served by a dedicated-mode NAT (300 GB), an existing
 * VPC as a spoke (spec default traffic, private subnets in two AZs), per-az endpoints in the hub.
 */
export function dedicatedSpec(overrides: Partial<SpecInput> = {}): SpecInput {
  return {
    project: 'staging',
    region: 'us-east-1',
    vpcs: [{ name: 'hub', cidr: '10.0.0.0/16', azs: ['us-east-1a', 'us-east-1b', 'us-east-1c'], ipv6: true, trafficGbPerMonth: 300 }],
    existingVpcs: [EXISTING_LEGACY],
    natInstances: [{ name: 'main', vpc: 'hub', az: 'us-east-1a', instanceTypes: ['t4g.small'], spot: false, spokes: ['legacy'] }],
    endpoints: [
      { vpc: 'hub', gateway: ['s3', 'dynamodb'], interface: ['ecr', 'sts'], placement: 'per-az' },
      { vpc: 'legacy', interface: ['ssm'] },
    ],
    ...overrides,
  };
}

export interface ParsedFlowchart {
  readonly ok: boolean;
  readonly error?: string;
  readonly vertices: { id: string; text: string }[];
  readonly edges: { start: string; end: string; text: string; stroke: string }[];
  readonly subgraphs: { id: string; title: string; nodes: string[] }[];
}

/** Parses flowcharts with the real mermaid package, in one Node process for all of them. */
export function parseWithMermaid(texts: readonly string[]): ParsedFlowchart[] {
  const result = spawnSync(process.execPath, [join(__dirname, 'mermaid-parse.mjs')], {
    cwd: ROOT, input: JSON.stringify(texts), encoding: 'utf8', timeout: 60_000,
  });
  if (result.status !== 0) throw new Error(`mermaid-parse.mjs failed (${result.status}): ${result.stderr}`);
  return JSON.parse(result.stdout);
}

/** The text inside the document's ```mermaid block. */
export function mermaidBlock(markdown: string): string {
  const match = /```mermaid\n([\s\S]*?)\n```/.exec(markdown);
  if (!match) throw new Error(`no mermaid block in:\n${markdown}`);
  return match[1];
}
