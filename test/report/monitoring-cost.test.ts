import { costModel, type CostModel } from '../../lib/report/cost-model';
import { MONITORING_ITEM } from '../../lib/report/monitoring-cost';
import { renderCostModel } from '../../lib/report/cost-report';
import { checkedSpec, PRICES } from './fixtures';

const TOKYO = PRICES['ap-northeast-1'];

const spec = (monitoring: Record<string, unknown> | undefined, nat: Record<string, unknown> = {}) => checkedSpec({
  project: 'dev',
  region: 'ap-northeast-1',
  vpcs: [
    { name: 'hub', cidr: '10.0.0.0/16', azs: ['ap-northeast-1a'] },
    { name: 'app1', cidr: '10.1.0.0/16', azs: ['ap-northeast-1a'] },
    { name: 'app2', cidr: '10.2.0.0/16', azs: ['ap-northeast-1a'] },
  ],
  natInstances: [{ name: 'shared', vpc: 'hub', az: 'ap-northeast-1a', spokes: ['app1', 'app2'], ...(monitoring ? { monitoring } : {}), ...nat }],
});

const lines = (model: CostModel, id = 'nat-instances') => model.options.find((o) => o.id === id)!.lines;
const lineOf = (model: CostModel, item: string) => lines(model).find((l) => l.item === item);

describe('monitoring in the cost report', () => {
  it('GIVEN no metrics and no alarms THEN nothing is priced for monitoring (the watchdog itself is free)', () => {
    const model = costModel(spec(undefined));
    for (const item of Object.values(MONITORING_ITEM)) expect(lineOf(model, item)).toBeUndefined();
  });

  it('GIVEN metrics every 60 s on a NAT serving a hub and two spokes THEN 12 metrics and 43.8 thousand calls are priced', () => {
    const model = costModel(spec({ metrics: true }));
    expect(lineOf(model, MONITORING_ITEM.metrics)).toMatchObject({ quantity: 12, unit: 'metric-month' });
    expect(lineOf(model, MONITORING_ITEM.metrics)!.monthlyUsd).toBeCloseTo(12 * TOKYO.cloudwatchMetricMonth.usd, 6);
    const requests = lineOf(model, MONITORING_ITEM.requests)!;
    expect(requests.quantity).toBeCloseTo(43.8, 6);
    expect(requests.monthlyUsd).toBeCloseTo(43.8 * TOKYO.cloudwatchRequests1k.usd, 6);
  });

  it('GIVEN metrics every 300 s THEN a fifth of the calls', () => {
    expect(lineOf(costModel(spec({ metrics: true, metricsPeriod: 300 })), MONITORING_ITEM.requests)!.quantity).toBeCloseTo(8.76, 6);
  });

  it('GIVEN alarms with metrics THEN five alarm metrics (capacity reads two, watchdog one, conntrack two); without metrics two', () => {
    expect(lineOf(costModel(spec({ metrics: true, alarms: {} })), MONITORING_ITEM.alarms)).toMatchObject({ quantity: 5 });
    expect(lineOf(costModel(spec({ metrics: true, alarms: {} })), MONITORING_ITEM.alarms)!.monthlyUsd).toBeCloseTo(5 * TOKYO.cloudwatchAlarmMetricMonth.usd, 6);
    expect(lineOf(costModel(spec({ alarms: {} })), MONITORING_ITEM.alarms)).toMatchObject({ quantity: 2 });
  });

  it('GIVEN a disabled NAT THEN it sends no metrics, so none are priced', () => {
    expect(lineOf(costModel(spec({ metrics: true }, { enabled: false })), MONITORING_ITEM.metrics)).toBeUndefined();
  });

  it('GIVEN monitoring THEN the NAT Gateway baselines do not carry it, and the report shows the rows', () => {
    const model = costModel(spec({ metrics: true, alarms: {} }));
    for (const id of ['nat-gateway-per-vpc', 'nat-gateway-per-az', 'regional-nat-gateway']) {
      expect(lines(model, id).map((l) => l.item)).not.toContain(MONITORING_ITEM.metrics);
    }
    const text = renderCostModel(model);
    expect(text).toContain(`| ${MONITORING_ITEM.metrics} | $3.60 |`);
    expect(text).toMatch(/NAT Gateways publish their own metrics free/);
  });
});
