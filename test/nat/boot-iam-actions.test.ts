import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { bootObjectsStatement } from '../../lib/nat/boot-objects';
import { natBootPolicy, natMetricsPolicy } from '../../lib/nat/nat-role';
import { ROOT } from '../helpers/synth';

// The NAT's role against what its scripts really call: every AWS CLI call in the shipped boot
// files (lib/nat/boot and the generated modules' copies) is read out of the code, mapped to
// its IAM action, and must be allowed; the role allows nothing else but read-only Describe*.

/** The script wrappers (lib/nat/boot/nat-aws.sh) and the CLI's own service names, to IAM's. */
const SERVICE: Record<string, string> = { ec2: 'ec2', asg: 'autoscaling', autoscaling: 'autoscaling', cloudwatch: 'cloudwatch', s3api: 's3' };
/** CLI commands whose IAM action is not the command's own name. */
const HIGH_LEVEL: Record<string, string> = { 's3 cp': 's3:GetObject', 's3 ls': 's3:ListBucket' };

const BOOT_DIRS = [join(ROOT, 'lib', 'nat', 'boot'), ...readdirSync(join(ROOT, 'modules')).map((m) => join(ROOT, 'modules', m, 'boot'))]
  .filter((dir) => { try { return readdirSync(dir).length > 0; } catch { return false; } });

const pascal = (command: string) => command.split('-').map((w) => w[0].toUpperCase() + w.slice(1)).join('');

/** `Service:Action` for each call in a script: `ec2 <cmd>`, `asg <cmd>`, `aws <service> <cmd>`, comments and tool checks skipped. */
export function calledActions(script: string): Set<string> {
  const found = new Set<string>();
  for (const raw of script.split('\n')) {
    const line = raw.replace(/(^|\s)#.*$/, '');
    // The wrapper definitions themselves (`ec2() {`, `asg() { aws_call autoscaling "$@" ...`) call nothing of their own.
    if (/^\s*(ec2|asg|aws_call)\(\)/.test(line)) continue;
    for (const m of line.matchAll(/(?:^|[\s;&|(!]|\$\()(?:aws\s+(s3|s3api|ec2|autoscaling|cloudwatch|sts|ssm)|(ec2|asg))\s+([a-z][a-z0-9-]+)/g)) {
      const service = m[1] ?? m[2];
      const command = m[3];
      if (service === 's3') {
        const action = HIGH_LEVEL[`s3 ${command}`];
        if (!action) throw new Error(`no IAM action known for aws s3 ${command}: add it to HIGH_LEVEL`);
        found.add(action);
      } else {
        const prefix = SERVICE[service] ?? service;
        found.add(`${prefix}:${pascal(command)}`);
      }
    }
  }
  return found;
}

function allowedActions(policy: object): Set<string> {
  const statements = (policy as { Statement: { Effect: string; Action: string | string[] }[] }).Statement;
  return new Set(statements.filter((s) => s.Effect === 'Allow').flatMap((s) => [s.Action].flat()));
}

const shellFiles = (dir: string) => readdirSync(dir).filter((f) => f.endsWith('.sh')).map((f) => join(dir, f));

describe('the NAT role against the boot files\' AWS calls', () => {
  const called = new Set(BOOT_DIRS.flatMap(shellFiles).flatMap((file) => [...calledActions(readFileSync(file, 'utf8'))]));
  // Everything the role can grant: the EIP statements (primary egress mode), the metrics policy and,
  // with the boot files in S3, the statement reading them (for nat-load.sh).
  const allowed = new Set([
    ...allowedActions(natBootPolicy('dev-shared', 'eipalloc-0123456789abcdef0')),
    ...allowedActions(natMetricsPolicy()),
    ...allowedActions({ Statement: [bootObjectsStatement('arn:aws:s3:::bucket/boot/*')] }),
  ]);

  it('GIVEN the shipped boot files THEN the calls are found in lib/nat/boot and in every module that ships boot files', () => {
    expect(BOOT_DIRS.map((dir) => dir.slice(ROOT.length + 1))).toEqual(expect.arrayContaining(['lib/nat/boot', 'modules/nat-instance/boot', 'modules/multi-vpc-nat/boot']));
    // A sanity floor: the handover, the EIP, the lifecycle hook, the watchdog's health and metrics.
    expect([...called]).toEqual(expect.arrayContaining(['ec2:AttachNetworkInterface', 'ec2:AssociateAddress', 'autoscaling:CompleteLifecycleAction', 'autoscaling:SetInstanceHealth', 'cloudwatch:PutMetricData']));
  });

  it('GIVEN every call the scripts make THEN the role allows it', () => {
    expect([...called].filter((action) => !allowed.has(action)).sort()).toEqual([]);
  });

  it('GIVEN the role THEN it allows nothing the scripts do not call, but read-only Describe* calls', () => {
    expect([...allowed].filter((action) => !called.has(action) && !/^[a-z0-9]+:Describe[A-Za-z]+$/.test(action)).sort()).toEqual([]);
  });

  it('GIVEN a generated module THEN each boot file it ships makes the same calls as its source in lib/nat/boot', () => {
    const calls = (file: string) => [...calledActions(readFileSync(file, 'utf8'))].sort();
    for (const dir of BOOT_DIRS.slice(1)) {
      for (const file of shellFiles(dir)) {
        const name = file.slice(dir.length + 1);
        expect([dir, name, calls(file)]).toEqual([dir, name, calls(join(BOOT_DIRS[0], name))]);
      }
    }
  });

  it('GIVEN the scanner THEN it reads wrapped, direct and commented calls as the shell would', () => {
    expect([...calledActions([
      '  ec2 describe-addresses --filters x',
      'if asg complete-lifecycle-action --lifecycle-hook-name "$1"; then',
      'x=$(timeout 20 aws autoscaling set-instance-health --instance-id "$id")',
      '# ec2 terminate-instances is never called',
      'ec2() { aws_call ec2 "$@" --region "$REGION"; }',
      'aws s3 cp "s3://bucket/key" /opt/x',
    ].join('\n'))].sort()).toEqual(['autoscaling:CompleteLifecycleAction', 'autoscaling:SetInstanceHealth', 'ec2:DescribeAddresses', 's3:GetObject']);
  });
});
