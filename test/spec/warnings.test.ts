import { runSynth } from '../helpers/synth';

// A warning is said on stderr and does not stop synthesis.
describe('a spec with a questionable but working choice', () => {
  it('GIVEN per-az endpoints in a VPC with one AZ THEN synth warns that it equals single-subnet, and succeeds', () => {
    const run = runSynth({
      text: [
        'project: warn',
        'region: us-east-1',
        'vpcs: [{ name: app, cidr: 10.1.0.0/16, azs: [us-east-1a] }]',
        'endpoints: [{ vpc: app, interface: [ssm], placement: per-az }]',
      ].join('\n'),
    });
    expect(run.stderr.trim()).toBe('warning: endpoints[0].placement: per-az in VPC "app" with one AZ is the same as single-subnet');
    expect(run.status).toBe(0);
  });
});

describe('a schedule on a disabled NAT', () => {
  it('GIVEN enabled false and a schedule THEN synth warns that the schedule does nothing, and succeeds', () => {
    const run = runSynth({
      text: [
        'project: warn',
        'region: us-east-1',
        'vpcs: [{ name: hub, cidr: 10.0.0.0/16, azs: [us-east-1a] }]',
        'natInstances: [{ name: nat, vpc: hub, az: us-east-1a, enabled: false, schedule: { timeZone: America/New_York, on: "0 8 * * 1-5", off: "0 20 * * 1-5" } }]',
      ].join('\n'),
    });
    expect(run.stderr.trim()).toBe('warning: natInstances[0].schedule: has no effect while enabled is false: the NAT stays off; set enabled: true to run it on the schedule');
    expect(run.status).toBe(0);
  }, 120_000);
});
