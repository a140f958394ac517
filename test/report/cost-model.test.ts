import { costModel, ITEM, specTotalUsd, type CostModel, type CostOption, type CostOptionId } from '../../lib/report/cost-model';
import { PriceError, priceTable, type PriceTable } from '../../lib/report/price-table';
import { checkedSpec, dedicatedSpec, exampleSpec, PRICES } from './fixtures';

const H = 730;
const TOKYO = PRICES['ap-northeast-1'];
const VIRGINIA = PRICES['us-east-1'];

function option(model: CostModel, id: CostOptionId): CostOption {
  const found = model.options.find((o) => o.id === id);
  if (!found) throw new Error(`no option ${id}`);
  return found;
}

function lineOf(o: CostOption, item: string) {
  const found = o.lines.find((l) => l.item === item);
  if (!found) throw new Error(`no line "${item}" in ${o.id}: ${o.lines.map((l) => l.item).join(', ')}`);
  return found;
}

const publicIpv4Addresses = (model: CostModel) => lineOf(option(model, 'nat-instances'), ITEM.publicIpv4).quantity / H;

describe('cost model of the built-in example (ap-northeast-1, NAT "shared" in primary mode, spokes app1 150 GB and app2 50 GB)', () => {
  const model = costModel(exampleSpec());
  // app1 has private subnets in 1a and 1c, the NAT's ENI is in 1a: half its traffic crosses AZs.
  const crossAz = 75 * TOKYO.crossAzGb.usd * 2;
  // ssm preset = ssm, ssmmessages, ec2messages, single-subnet: one AZ each.
  const endpoints = 3 * H * TOKYO.interfaceEndpointAzHour.usd;

  it('GIVEN the example WHEN costed THEN the spec total is a t4g.small spot, 8 GB gp3, one EIP, the crossing share and the endpoints', () => {
    const expected = H * TOKYO.instances['t4g.small'].spot.usd + 8 * TOKYO.gp3GbMonth.usd + H * TOKYO.publicIpv4Hour.usd + crossAz + endpoints;
    expect(option(model, 'nat-instances').totalUsd).toBeCloseTo(expected, 6);
  });

  it('GIVEN the example WHEN costed THEN NAT Gateway per VPC is two gateways with an EIP each, 200 GB processed and the same crossing', () => {
    const expected = 2 * H * (TOKYO.natGatewayHour.usd + TOKYO.publicIpv4Hour.usd) + 200 * TOKYO.natGatewayGb.usd + crossAz + endpoints;
    expect(option(model, 'nat-gateway-per-vpc').totalUsd).toBeCloseTo(expected, 6);
  });

  it('GIVEN the example WHEN costed THEN NAT Gateway per AZ is three gateways (app1 two AZs, app2 one) and nothing crosses', () => {
    const expected = 3 * H * (TOKYO.natGatewayHour.usd + TOKYO.publicIpv4Hour.usd) + 200 * TOKYO.natGatewayGb.usd + endpoints;
    expect(option(model, 'nat-gateway-per-az').totalUsd).toBeCloseTo(expected, 6);
    expect(lineOf(option(model, 'nat-gateway-per-az'), ITEM.crossAz).monthlyUsd).toBe(0);
  });

  it('GIVEN the example WHEN costed THEN the regional NAT Gateway is priced per AZ-hour it spans and says it assumes so', () => {
    const regional = option(model, 'regional-nat-gateway');
    expect(lineOf(regional, ITEM.natGatewayHours)).toMatchObject({ quantity: 3 * H, unit: 'AZ-hour', unitUsd: TOKYO.natGatewayHour.usd });
    expect(model.assumptions.join('\n')).toMatch(/Regional NAT Gateway .*assumed to bill a NAT Gateway hour for each AZ it spans/);
  });

  it('GIVEN the example WHEN costed THEN every baseline costs more and vsSpecUsd is the difference of totals', () => {
    const own = option(model, 'nat-instances').totalUsd;
    for (const baseline of model.options.slice(1)) {
      expect(baseline.totalUsd).toBeGreaterThan(own);
      expect(baseline.vsSpecUsd).toBeCloseTo(baseline.totalUsd - own, 6);
    }
  });

  it('GIVEN the hub is not served (primary mode) WHEN costed THEN only app1 and app2 traffic is counted, with its sources', () => {
    expect(model.traffic.map((t) => [t.vpc, t.gbPerMonth, t.source])).toEqual([
      ['app1', 150, 'vpcs[1].trafficGbPerMonth'],
      ['app2', 50, 'vpcs[2].trafficGbPerMonth'],
    ]);
    expect(lineOf(option(model, 'nat-gateway-per-vpc'), ITEM.natDataProcessing).quantity).toBe(200);
    expect(model.assumptions.join('\n')).toMatch(/Not served by an enabled NAT.*: hub\./);
  });

  it('GIVEN any option WHEN totalled THEN the total is the sum of its lines and internet data out is in none of them', () => {
    for (const o of model.options) expect(o.totalUsd).toBeCloseTo(o.lines.reduce((t, l) => t + l.monthlyUsd, 0), 6);
    expect(model.options.flatMap((o) => o.lines.map((l) => l.item)).filter((item) => /internet/i.test(item))).toEqual([]);
    expect(model.internetDataOut).toEqual({ gbPerMonth: 200, usdPerGb: TOKYO.internetOutGb.usd, monthlyUsd: 200 * TOKYO.internetOutGb.usd });
  });

  it('GIVEN a NAT instance WHEN costed THEN it bills no per-GB processing', () => {
    expect(lineOf(option(model, 'nat-instances'), ITEM.natDataProcessing).monthlyUsd).toBe(0);
  });
});

describe('public IPv4 addresses of a NAT', () => {
  const withHub = (ipv6: boolean, egressInterface: 'dedicated' | 'primary', enabled = true) =>
    costModel(checkedSpec(dedicatedSpec({
      vpcs: [{ name: 'hub', cidr: '10.0.0.0/16', azs: ['us-east-1a', 'us-east-1b', 'us-east-1c'], ipv6 }],
      natInstances: [{ name: 'main', vpc: 'hub', az: 'us-east-1a', instanceTypes: ['t4g.small'], egressInterface, allowHubWithoutEgress: true, enabled, spokes: ['legacy'] }],
    })));

  it('GIVEN a dedicated NAT in an IPv4-only hub WHEN costed THEN it pays for the EIP and the primary interface\'s own address', () => {
    expect(publicIpv4Addresses(withHub(false, 'dedicated'))).toBe(2);
  });

  it('GIVEN a dedicated NAT in a dual-stack hub WHEN costed THEN the primary interface has no public IPv4 and only the EIP is paid', () => {
    expect(publicIpv4Addresses(withHub(true, 'dedicated'))).toBe(1);
  });

  it.each([false, true])('GIVEN primary mode (hub ipv6 %s) WHEN costed THEN the EIP replaces the auto-assigned address: one', (ipv6) => {
    expect(publicIpv4Addresses(withHub(ipv6, 'primary'))).toBe(1);
  });

  it('GIVEN a disabled NAT WHEN costed THEN its idle EIP is still paid but no instance, volume or served traffic', () => {
    const model = withHub(false, 'dedicated', false);
    const own = option(model, 'nat-instances');
    expect(publicIpv4Addresses(model)).toBe(1);
    expect(own.lines.filter((l) => /^NAT (instance|root volume) main/.test(l.item)).map((l) => l.monthlyUsd)).toEqual([0, 0]);
    expect(model.traffic).toEqual([]);
  });

  it('GIVEN the NAT Gateway baselines WHEN costed THEN each gateway (or regional AZ) pays one public IPv4 address', () => {
    const model = withHub(false, 'dedicated');
    // hub: 3 private AZs; legacy: private subnets in 1a and 1b.
    expect(lineOf(option(model, 'nat-gateway-per-vpc'), ITEM.publicIpv4).quantity).toBe(2 * H);
    expect(lineOf(option(model, 'nat-gateway-per-az'), ITEM.publicIpv4).quantity).toBe(5 * H);
    expect(lineOf(option(model, 'regional-nat-gateway'), ITEM.publicIpv4).quantity).toBe(5 * H);
  });
});

describe('interface endpoint placement', () => {
  const endpointLine = (placement: 'per-az' | 'single-subnet') =>
    lineOf(option(costModel(checkedSpec(dedicatedSpec({
      endpoints: [{ vpc: 'hub', gateway: ['s3', 'dynamodb'], interface: ['ecr', 'sts'], placement }, { vpc: 'legacy', interface: ['sts'], placement }],
    }))), 'nat-instances'), ITEM.endpointHours);

  it('GIVEN per-az WHEN costed THEN each service pays an AZ-hour in every AZ with private subnets (hub 3, legacy 2)', () => {
    // ecr expands to ecr.api and ecr.dkr: hub has 3 services.
    expect(endpointLine('per-az')).toMatchObject({ quantity: (3 * 3 + 1 * 2) * H, unitUsd: VIRGINIA.interfaceEndpointAzHour.usd });
  });

  it('GIVEN single-subnet WHEN costed THEN each service pays one AZ-hour an hour, and gateway endpoints nothing', () => {
    expect(endpointLine('single-subnet').quantity).toBe((3 + 1) * H);
  });

  it('GIVEN endpoint traffic given as an option WHEN costed THEN it is priced per GB in every option alike', () => {
    const model = costModel(checkedSpec(dedicatedSpec()), { interfaceEndpointGbPerMonth: 40 });
    const perGb = model.options.map((o) => lineOf(o, ITEM.endpointData).monthlyUsd);
    expect(new Set(perGb)).toEqual(new Set([40 * VIRGINIA.interfaceEndpointGb.usd]));
  });
});

describe('dedicated NAT with an existing spoke (us-east-1)', () => {
  const model = costModel(checkedSpec(dedicatedSpec()));

  it('GIVEN a hub over 3 AZs and a spoke over 2 WHEN costed THEN 2/3 of the hub and 1/2 of the spoke cross AZs', () => {
    // hub 300 GB from 1b and 1c of 1a/1b/1c; legacy 100 GB (spec default) from 1b of 1a/1b.
    expect(lineOf(option(model, 'nat-instances'), ITEM.crossAz)).toMatchObject({ quantity: 200 + 50, unitUsd: VIRGINIA.crossAzGb.usd * 2 });
  });

  it('GIVEN on-demand WHEN costed THEN the instance is priced at the on-demand figure of its first type', () => {
    const instance = option(model, 'nat-instances').lines[0];
    expect(instance).toMatchObject({ item: 'NAT instance main (t4g.small, on-demand)', quantity: H, unitUsd: VIRGINIA.instances['t4g.small'].onDemand.usd });
  });

  it('GIVEN spot instead WHEN costed THEN the typical spot figure is used and the NAT costs less', () => {
    const spot = costModel(checkedSpec(dedicatedSpec({
      natInstances: [{ name: 'main', vpc: 'hub', az: 'us-east-1a', instanceTypes: ['t4g.small'], spot: true, spokes: ['legacy'] }],
    })));
    expect(option(spot, 'nat-instances').lines[0].unitUsd).toBe(VIRGINIA.instances['t4g.small'].spot.usd);
    expect(option(spot, 'nat-instances').totalUsd).toBeLessThan(option(model, 'nat-instances').totalUsd);
  });

  it('GIVEN no traffic figure on the spoke WHEN costed THEN the spec default is used and named as the source', () => {
    const spoke = model.traffic.find((t) => t.vpc === 'legacy');
    expect(spoke).toMatchObject({ gbPerMonth: 100, source: 'trafficGbPerMonth (spec default)' });
    const lower = costModel(checkedSpec(dedicatedSpec({ trafficGbPerMonth: 40 })));
    expect(lineOf(option(lower, 'nat-gateway-per-vpc'), ITEM.natDataProcessing).quantity).toBe(300 + 40);
  });

  it('GIVEN types left out WHEN costed THEN the first default type for the NAT\'s interfaces is priced', () => {
    const defaults = costModel(checkedSpec(dedicatedSpec({
      natInstances: [{ name: 'main', vpc: 'hub', az: 'us-east-1a', spokes: ['legacy'] }],
    })));
    // primary + egress + one spoke = 3 interfaces: t4g.small is the cheapest Graviton type with 3.
    expect(option(defaults, 'nat-instances').lines[0].item).toBe('NAT instance main (t4g.small, spot)');
  });
});

describe('what the price table does not know', () => {
  it('GIVEN a region missing from prices.json WHEN costed THEN a PriceError names it and the known regions', () => {
    const spec = checkedSpec({ ...dedicatedSpec(), region: 'eu-west-1', vpcs: [{ name: 'hub', cidr: '10.0.0.0/16', azs: ['eu-west-1a'] }], existingVpcs: [], natInstances: [], endpoints: [] });
    expect(() => costModel(spec)).toThrow(PriceError);
    expect(() => costModel(spec)).toThrow('no prices for region eu-west-1 in lib/report/prices.json; it has ap-northeast-1, us-east-1');
  });

  it('GIVEN an instance type missing from the region\'s prices WHEN costed THEN a PriceError names type and region, no guess', () => {
    const full = priceTable();
    const instances = { ...full.regions['us-east-1'].instances };
    delete instances['t4g.small'];
    const prices: PriceTable = { ...full, regions: { ...full.regions, 'us-east-1': { ...full.regions['us-east-1'], instances } } };
    expect(() => costModel(checkedSpec(dedicatedSpec()), { prices })).toThrow(/no price for instance type t4g\.small in region us-east-1/);
  });
});

describe('cost model of a scheduled NAT', () => {
  const WEEKDAYS = { timeZone: 'Asia/Tokyo', on: '0 8 * * 1-5', off: '0 20 * * 1-5' };
  // 2027, the year hours are counted over, has 261 weekdays of 12 hours.
  const hours = Math.round(((261 * 12) / (365 * 24)) * H * 100) / 100;
  const scheduled = (nat: Record<string, unknown>) => {
    const spec = exampleSpec();
    return { ...spec, natInstances: [{ ...spec.natInstances[0], ...nat }] } as ReturnType<typeof exampleSpec>;
  };

  it('GIVEN weekdays 08:00-20:00 WHEN costed THEN the instance and its root volume are billed for the scheduled hours only', () => {
    const own = option(costModel(scheduled({ schedule: WEEKDAYS })), 'nat-instances');
    const instance = own.lines.find((l) => l.item.startsWith('NAT instance shared'));
    const volume = own.lines.find((l) => l.item.startsWith('NAT root volume shared'));
    expect(instance).toMatchObject({ quantity: hours, unitUsd: TOKYO.instances['t4g.small'].spot.usd });
    expect(instance?.detail).toMatch(/scheduled \(on "0 8 \* \* 1-5", off "0 20 \* \* 1-5", Asia\/Tokyo: 35\.8% of the month\)/);
    expect(volume?.quantity).toBeCloseTo((8 * hours) / H, 6);
    expect(volume?.detail).toMatch(/deleted with the instance while off/);
  });

  it('GIVEN a schedule WHEN costed THEN the EIP is still billed every hour, and the report says so', () => {
    const model = costModel(scheduled({ schedule: WEEKDAYS }));
    expect(publicIpv4Addresses(model)).toBe(1);
    expect(lineOf(option(model, 'nat-instances'), ITEM.publicIpv4).detail).toMatch(/the EIP stays allocated and billed while the schedule has the NAT off/);
    expect(model.assumptions.join('\n')).toMatch(
      new RegExp(`NAT shared runs ${hours} of 730 hours a month .*the EIP stays allocated and is billed every hour, off or on\\. While it is off, the private subnets of app1, app2 have no IPv4 egress\\.`),
    );
    expect(model.natHours).toEqual([{ nat: 'shared', enabled: true, schedule: WEEKDAYS, hoursPerMonth: hours }]);
  });

  it('GIVEN a schedule WHEN costed THEN the spec total is lower than the same NAT running all month, by the hours it is off', () => {
    const always = option(costModel(exampleSpec()), 'nat-instances').totalUsd;
    const weekdays = option(costModel(scheduled({ schedule: WEEKDAYS })), 'nat-instances').totalUsd;
    expect(always - weekdays).toBeCloseTo((H - hours) * (TOKYO.instances['t4g.small'].spot.usd + (8 * TOKYO.gp3GbMonth.usd) / H), 6);
  });

  it('GIVEN a dedicated NAT in an IPv4-only hub on a schedule WHEN costed THEN its auto-assigned address is billed only while it runs', () => {
    const spec = checkedSpec({ ...dedicatedSpec(), vpcs: [{ name: 'hub', cidr: '10.0.0.0/16', azs: ['us-east-1a'] }] });
    const withSchedule = { ...spec, natInstances: [{ ...spec.natInstances[0], schedule: { ...WEEKDAYS, timeZone: 'America/New_York' } }] };
    const line = lineOf(option(costModel(withSchedule), 'nat-instances'), ITEM.publicIpv4);
    expect(line.quantity).toBeCloseTo(H + hours, 2);
  });

  it('GIVEN a schedule on a disabled NAT WHEN costed THEN it runs no hours at all', () => {
    expect(costModel(scheduled({ schedule: WEEKDAYS, enabled: false })).natHours[0].hoursPerMonth).toBe(0);
  });
});

describe('regional NAT Gateway assumptions', () => {
  it('GIVEN the example WHEN costed THEN the regional column states each assumed figure: AZs spanned per VPC, the rates and no cross-AZ transfer', () => {
    const note = costModel(exampleSpec()).assumptions.find((a) => a.startsWith('Regional NAT Gateway'));
    expect(note).toMatch(/has no price of its own in the table/);
    expect(note).toMatch(/AZs with private subnets: app1 2, app2 1\) at the zonal rate \(\$0\.062, 2026-11-21\)/);
    expect(note).toMatch(/one public IPv4 address per AZ spanned \(\$0\.005 an hour\), and no cross-AZ transfer/);
    expect(note).toMatch(/check https:\/\/aws\.amazon\.com\/vpc\/pricing\/\.$/);
  });
});

describe('the spec total alone (what the cost advisor asks for every change it prices)', () => {
  it.each([
    ['the built-in example', exampleSpec],
    ['a dedicated NAT with an existing spoke', () => checkedSpec(dedicatedSpec())],
  ])('GIVEN %s WHEN its total is asked alone THEN it is the model\'s own option total', (_, spec) => {
    expect(specTotalUsd(spec())).toBe(costModel(spec()).options[0].totalUsd);
  });
});
