import { adviseCosts, type Recommendation } from '../../lib/report/cost-advisor';
import { costModel } from '../../lib/report/cost-model';
import { renderCostReport } from '../../lib/report/cost-report';
import { loadSpecFile, validateSpec } from '../../lib/spec';
import type { Spec } from '../../lib/spec/schema';
import { checkedSpec, exampleSpec, PRICES, ROOT } from './fixtures';

const H = 730;
const TOKYO = PRICES['ap-northeast-1'];
const VIRGINIA = PRICES['us-east-1'];

function byId(recommendations: Recommendation[], id: Recommendation['id']): Recommendation {
  const found = recommendations.find((r) => r.id === id);
  if (!found) throw new Error(`no ${id} recommendation in ${recommendations.map((r) => r.id).join(', ')}`);
  return found;
}

/** The spec with a recommendation's change made, through the same checks a user's edit goes through. */
function applied(spec: Spec, r: Recommendation): Spec {
  const copy = structuredClone(spec) as any;
  const path = [...r.change.path.matchAll(/[^.[\]]+/g)].map(([key]) => (/^\d+$/.test(key) ? Number(key) : key));
  let at = copy;
  for (const key of path.slice(0, -1)) at = at[key];
  at[path[path.length - 1]] = r.change.to;
  return validateSpec(copy).spec;
}

const total = (spec: Spec) => costModel(spec).options[0].totalUsd;

describe('cost advisor on the built-in example', () => {
  const spec = exampleSpec();
  const advice = adviseCosts(spec);

  it('GIVEN the ssm preset in app1, which NAT "shared" serves, WHEN advised THEN dropping it saves its 3 endpoint AZ-hours', () => {
    const drop = byId(advice.recommendations, 'drop-interface-endpoint');
    expect(drop.monthlySavingUsd).toBeCloseTo(3 * H * TOKYO.interfaceEndpointAzHour.usd, 2);
    expect(drop.change).toEqual({ path: 'endpoints[0].interface', to: [] });
    expect(drop.why).toMatch(/ssm, ssmmessages, ec2messages/);
    expect(drop.why).toMatch(/Keep them if app1 must reach these APIs without the internet/);
  });

  it('GIVEN a NAT that runs all month WHEN advised THEN a weekday schedule in the region\'s time zone is offered with the hours it saves', () => {
    const schedule = byId(advice.recommendations, 'schedule');
    expect(schedule.change).toEqual({ path: 'natInstances[0].schedule', to: { timeZone: 'Asia/Tokyo', on: '0 8 * * 1-5', off: '0 20 * * 1-5' } });
    const offHours = H - costModel(applied(spec, schedule)).natHours[0].hoursPerMonth;
    const expected = offHours * (TOKYO.instances['t4g.small'].spot.usd + (8 * TOKYO.gp3GbMonth.usd) / H);
    expect(schedule.monthlySavingUsd).toBeCloseTo(expected, 2);
    expect(schedule.why).toMatch(/no IPv4 egress/);
    expect(schedule.why).toMatch(/the EIP stays and is billed every hour/);
  });

  it('GIVEN any recommendation WHEN its change is made THEN the spec is valid and costs exactly the saving less', () => {
    expect(advice.recommendations.length).toBeGreaterThan(0);
    for (const r of advice.recommendations) {
      expect(total(spec) - total(applied(spec, r))).toBeCloseTo(r.monthlySavingUsd, 2);
      expect(r.monthlySavingUsd).toBeGreaterThan(0);
    }
  });

  it('GIVEN the example (spot, primary mode, default types) WHEN advised THEN nothing is said about spot, egress layout or type', () => {
    expect(advice.recommendations.map((r) => r.id).sort()).toEqual(['drop-interface-endpoint', 'schedule']);
    expect(advice.warnings).toEqual([]);
  });

  it('GIVEN recommendations WHEN rendered THEN the report ends with them, largest saving first, each with its change', () => {
    const report = renderCostReport(spec);
    const section = report.slice(report.indexOf('## Recommendations'));
    expect(report.indexOf('## Recommendations')).toBeGreaterThan(report.indexOf('## Price sources'));
    expect(section).toMatch(/^1\. \*\*Drop the ssm interface endpoints in app1.*\*\*: saves \$30\.66 a month/m);
    expect(section).toMatch(/^ {3}Change: `endpoints\[0\]\.interface: \[\]`$/m);
    expect(section).toMatch(/^2\. \*\*Run NAT shared on weekdays/m);
  });
});

describe('cost advisor on a spec that is already cheapest', () => {
  const spec = loadSpecFile(`${ROOT}/specs/weekday-schedule.yaml`).spec;

  it('GIVEN a scheduled spot NAT in primary mode with no interface endpoints WHEN advised THEN there is no recommendation', () => {
    expect(adviseCosts(spec)).toEqual({ recommendations: [], warnings: [] });
  });

  it('GIVEN no recommendation WHEN rendered THEN the report says none and why', () => {
    expect(renderCostReport(spec)).toMatch(/## Recommendations\n\nNone: no change the advisor knows .* makes this spec cheaper\./);
  });
});

/** us-east-1: a dedicated NAT in an IPv4-only hub serving one spoke, on demand, with per-az endpoints in an unserved VPC. */
function costlySpec(overrides: Record<string, unknown> = {}): Spec {
  return checkedSpec({
    project: 'ops',
    region: 'us-east-1',
    vpcs: [
      { name: 'hub', cidr: '10.0.0.0/16', azs: ['us-east-1a'], trafficGbPerMonth: 0 },
      { name: 'app', cidr: '10.1.0.0/16', azs: ['us-east-1a'], trafficGbPerMonth: 100 },
      { name: 'isolated', cidr: '10.2.0.0/16', azs: ['us-east-1a', 'us-east-1b'] },
    ],
    natInstances: [{ name: 'nat', vpc: 'hub', az: 'us-east-1a', instanceTypes: ['t4g.medium'], spot: false, spokes: ['app'], schedule: { timeZone: 'America/New_York', on: '0 7 * * 1-5', off: '0 19 * * 1-5' } }],
    endpoints: [{ vpc: 'isolated', interface: ['sts'], placement: 'per-az' }],
    ...overrides,
  });
}

describe('cost advisor on a costly layout', () => {
  const spec = costlySpec();
  const advice = adviseCosts(spec);
  const hours = costModel(spec).natHours[0].hoursPerMonth;

  it('GIVEN an on-demand NAT WHEN advised THEN spot saves the price difference over the hours it runs', () => {
    const spot = byId(advice.recommendations, 'spot');
    expect(spot.change).toEqual({ path: 'natInstances[0].spot', to: true });
    expect(spot.monthlySavingUsd).toBeCloseTo(hours * (VIRGINIA.instances['t4g.medium'].onDemand.usd - VIRGINIA.instances['t4g.medium'].spot.usd), 2);
  });

  it('GIVEN t4g.medium for three interfaces and 100 GB WHEN advised THEN t4g.small (3 interfaces, 128 Mbit/s baseline) is offered first in the list', () => {
    const smaller = byId(advice.recommendations, 'smaller-instance-type');
    expect(smaller.change).toEqual({ path: 'natInstances[0].instanceTypes', to: ['t4g.small', 't4g.medium'] });
    expect(smaller.monthlySavingUsd).toBeCloseTo(hours * (VIRGINIA.instances['t4g.medium'].onDemand.usd - VIRGINIA.instances['t4g.small'].onDemand.usd), 2);
    expect(smaller.why).toMatch(/carries the 3 network interfaces .* baseline bandwidth of 128 Mbit\/s \(https:\/\/docs\.aws\.amazon\.com\/ec2\/latest\/instancetypes\/gp\.html#gp_network, 2026-11-29\)/);
  });

  it('GIVEN an IPv4-only hub in dedicated mode WHEN advised THEN a dual-stack hub saves the primary interface\'s address for the hours it runs', () => {
    const dual = byId(advice.recommendations, 'dual-stack-hub');
    expect(dual.change).toEqual({ path: 'vpcs[0].ipv6', to: true });
    expect(dual.monthlySavingUsd).toBeCloseTo(hours * VIRGINIA.publicIpv4Hour.usd, 2);
  });

  it('GIVEN a hub the spec says sends 0 GB WHEN advised THEN primary mode is offered; with the default traffic it is not', () => {
    const primary = byId(advice.recommendations, 'primary-egress');
    expect(primary.change).toEqual({ path: 'natInstances[0].egressInterface', to: 'primary' });
    // One field alone would be refused: primary mode leaves the hub's private subnets without IPv4 egress.
    expect(primary.alsoChange).toEqual([{ path: 'natInstances[0].allowHubWithoutEgress', to: true }]);
    expect(renderCostReport(spec)).toContain('Change: `natInstances[0].egressInterface: "primary"`, `natInstances[0].allowHubWithoutEgress: true`');
    const busyHub = costlySpec({ vpcs: [{ name: 'hub', cidr: '10.0.0.0/16', azs: ['us-east-1a'] }, { name: 'app', cidr: '10.1.0.0/16', azs: ['us-east-1a'] }, { name: 'isolated', cidr: '10.2.0.0/16', azs: ['us-east-1a', 'us-east-1b'] }] });
    expect(adviseCosts(busyHub).recommendations.map((r) => r.id)).not.toContain('primary-egress');
  });

  it('GIVEN interface endpoints in a VPC no NAT serves WHEN advised THEN they are not dropped, but placing them in one subnet is offered', () => {
    expect(advice.recommendations.map((r) => r.id)).not.toContain('drop-interface-endpoint');
    const single = byId(advice.recommendations, 'single-subnet-endpoints');
    expect(single.monthlySavingUsd).toBeCloseTo(H * VIRGINIA.interfaceEndpointAzHour.usd, 2);
  });

  it('GIVEN a schedule already set WHEN advised THEN no schedule is offered', () => {
    expect(advice.recommendations.map((r) => r.id)).not.toContain('schedule');
  });
});

describe('cost advisor bandwidth warnings', () => {
  it('GIVEN 20 TB a month through a t4g.nano WHEN advised THEN it warns the average exceeds the baseline, names a type that sustains it, and offers no smaller type', () => {
    const spec = checkedSpec({
      project: 'bulk',
      region: 'us-east-1',
      vpcs: [{ name: 'hub', cidr: '10.0.0.0/16', azs: ['us-east-1a'], trafficGbPerMonth: 20000 }],
      natInstances: [{ name: 'nat', vpc: 'hub', az: 'us-east-1a', instanceTypes: ['t4g.nano'] }],
    });
    const advice = adviseCosts(spec);
    // 20,000 GB × 8 / (730 h × 3600 s) = 60.9 Mbit/s, over t4g.nano's 32.
    expect(advice.warnings).toEqual([{ path: 'natInstances[0].instanceTypes', message: expect.stringMatching(/60\.9 Mbit\/s on average, more than t4g\.nano's baseline bandwidth of 32 Mbit\/s .*such as t4g\.micro \(64 Mbit\/s\)/) }]);
    expect(advice.recommendations.map((r) => r.id)).not.toContain('smaller-instance-type');
    expect(renderCostReport(spec)).toMatch(/## Warnings\n\n- natInstances\[0\]\.instanceTypes: NAT nat moves 20000 GB/);
  });
});
