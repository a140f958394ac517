import { NatInstance, type NatInstanceProps } from '../../lib/nat/nat-instance';
import { natMetricsPolicy } from '../../lib/nat/nat-role';
import { onlyResource, refTo, resources, resourcesWhere, synthConstruct } from '../helpers/construct';

const BASE: NatInstanceProps = {
  natId: 'dev-shared', region: 'ap-northeast-1', vpcId: 'vpc-hub', publicSubnetId: 'subnet-a', instanceTypes: ['t4g.nano'],
};
const synthNat = (props: Partial<NatInstanceProps>) => synthConstruct((scope) => new NatInstance(scope, 'nat', { ...BASE, ...props }));
const metricsPolicies = (props: Partial<NatInstanceProps>) => resourcesWhere(synthNat(props), 'aws_iam_role_policy', 'name', 'nat-metrics');

describe('natMetricsPolicy', () => {
  it('GIVEN the policy THEN it allows cloudwatch:PutMetricData only, and only into the CdktfEgress namespace', () => {
    expect((natMetricsPolicy() as { Statement: unknown[] }).Statement).toEqual([{
      Sid: 'PutOwnMetrics',
      Effect: 'Allow',
      Action: 'cloudwatch:PutMetricData',
      Resource: '*',
      Condition: { StringEquals: { 'cloudwatch:namespace': 'CdktfEgress' } },
    }]);
  });
});

describe('NatInstance metrics permission', () => {
  it('GIVEN a metrics period THEN the role gets the namespace-limited policy', () => {
    const tf = synthNat({ watchdog: { metricsPeriod: 60 } });
    const policy = resourcesWhere(tf, 'aws_iam_role_policy', 'name', 'nat-metrics');
    expect(policy).toHaveLength(1);
    expect(JSON.parse(policy[0].policy)).toEqual(natMetricsPolicy());
    expect(policy[0].role).toBe(refTo(tf, 'aws_iam_role', onlyResource(tf, 'aws_iam_role')));
  });

  it.each([
    ['no watchdog settings', {}],
    ['metricsPeriod 0', { watchdog: { metricsPeriod: 0 } }],
    ['no watchdog', { watchdog: false as const }],
  ])('GIVEN %s THEN the role cannot put metrics at all', (_name, props) => {
    expect(metricsPolicies(props)).toHaveLength(0);
    const all = resources(synthNat(props), 'aws_iam_role_policy').map((p) => p.policy as string);
    expect(all.some((p) => p.includes('cloudwatch:'))).toBe(false);
  });
});
