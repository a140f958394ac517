import { NatInstance, type NatInstanceProps } from '../../lib/nat/nat-instance';
import { variableFlag } from '../../lib/testing';
import { once, onlyResource, refTo, resources, synthConstruct, type TfJson } from '../helpers/construct';

const BASE: NatInstanceProps = {
  natId: 'dev-shared',
  region: 'ap-northeast-1',
  vpcId: 'vpc-0000000000000000a',
  publicSubnetId: 'subnet-public-a',
  servedCidrs: ['10.0.0.0/16'],
  privateRouteTableIds: ['rtb-private-a'],
  instanceTypes: ['t4g.nano'],
};

const WEEKDAYS = { timeZone: 'Asia/Tokyo', on: '0 8 * * 1-5', off: '0 20 * * 1-5' };

function synthNat(overrides: Partial<NatInstanceProps> = {}): TfJson {
  return synthConstruct((scope) => new NatInstance(scope, 'nat', { ...BASE, ...overrides }));
}

const action = (tf: TfJson, name: string) => {
  const found = resources(tf, 'aws_autoscaling_schedule').find((r) => r.scheduled_action_name === `dev-shared-${name}`);
  if (!found) throw new Error(`no ${name} action`);
  return found;
};

describe('NatInstance schedule', () => {
  const tf = once(() => synthNat({ schedule: WEEKDAYS }));

  it('GIVEN a weekday schedule WHEN synthesized THEN "on" sets the desired capacity to 1 at 08:00 Tokyo time on weekdays', () => {
    const asg = onlyResource(tf(), 'aws_autoscaling_group');
    expect(action(tf(), 'on')).toMatchObject({
      autoscaling_group_name: refTo(tf(), 'aws_autoscaling_group', asg, 'name'),
      recurrence: '0 8 * * 1-5',
      time_zone: 'Asia/Tokyo',
      desired_capacity: 1,
      min_size: -1,
      max_size: -1,
    });
  });

  it('GIVEN a weekday schedule WHEN synthesized THEN "off" sets the desired capacity to 0 at 20:00 and leaves min and max alone', () => {
    expect(action(tf(), 'off')).toMatchObject({ recurrence: '0 20 * * 1-5', time_zone: 'Asia/Tokyo', desired_capacity: 0, min_size: -1, max_size: -1 });
    expect(resources(tf(), 'aws_autoscaling_schedule')).toHaveLength(2);
  });

  it('GIVEN a schedule WHEN synthesized THEN the ASG may shrink to 0 and Terraform leaves its desired capacity to the schedule', () => {
    expect(onlyResource(tf(), 'aws_autoscaling_group')).toMatchObject({ min_size: 0, max_size: 1, desired_capacity: 1, lifecycle: { ignore_changes: ['desired_capacity'] } });
  });

  it('GIVEN a schedule WHEN synthesized THEN the ENI, its EIP and the default routes stay (the address survives the nights)', () => {
    expect(resources(tf(), 'aws_network_interface')).toHaveLength(1);
    expect(resources(tf(), 'aws_eip')).toHaveLength(1);
    expect(resources(tf(), 'aws_route')).toHaveLength(1);
  });

  it('GIVEN no schedule WHEN synthesized THEN there are no actions and the ASG is pinned at one, as before', () => {
    const plain = synthNat();
    expect(resources(plain, 'aws_autoscaling_schedule')).toEqual([]);
    const asg = onlyResource(plain, 'aws_autoscaling_group');
    expect(asg).toMatchObject({ min_size: 1, max_size: 1, desired_capacity: 1 });
    expect(asg.lifecycle).toBeUndefined();
  });

  it('GIVEN a schedule and enabled false WHEN synthesized THEN the NAT stays at zero: no actions, max 0', () => {
    const off = synthNat({ schedule: WEEKDAYS, enabled: false });
    expect(resources(off, 'aws_autoscaling_schedule')).toEqual([]);
    expect(onlyResource(off, 'aws_autoscaling_group')).toMatchObject({ min_size: 0, max_size: 0, desired_capacity: 0 });
  });

  it('GIVEN enabled only Terraform knows WHEN synthesized THEN both actions are counted on it', () => {
    const tfJson = synthConstruct((scope) => {
      new NatInstance(scope, 'nat', { ...BASE, enabled: variableFlag(scope, 'enabled'), schedule: WEEKDAYS });
    });
    expect(resources(tfJson, 'aws_autoscaling_schedule').map((r) => r.count)).toEqual([expect.stringContaining('var.enabled'), expect.stringContaining('var.enabled')]);
  });

  it.each([
    [{ ...WEEKDAYS, on: '0 8 * *' }, /schedule\.on: "0 8 \* \*" has 4 fields/],
    [{ ...WEEKDAYS, off: '0 24 * * *' }, /schedule\.off: "0 24 \* \* \*": hour "24" is outside 0-23/],
    [{ ...WEEKDAYS, timeZone: 'Tokyo' }, /schedule\.timeZone: "Tokyo" is not an IANA time zone/],
  ])('GIVEN a bad schedule %j WHEN constructed THEN it throws naming the NAT and the field', (schedule, message) => {
    expect(() => synthNat({ schedule })).toThrow(message);
    expect(() => synthNat({ schedule })).toThrow(/^NatInstance dev-shared: /);
  });
});

describe('NatInstance VPC Block Public Access exclusion', () => {
  const exclusion = (overrides: Partial<NatInstanceProps>) => onlyResource(synthNat(overrides), 'aws_vpc_block_public_access_exclusion');

  it('GIVEN an account blocking both directions and nothing inbound WHEN synthesized THEN the NAT subnet gets an egress-only exclusion', () => {
    const found = exclusion({ blockPublicAccess: { accountMode: 'block-bidirectional' } });
    expect(found).toMatchObject({ internet_gateway_exclusion_mode: 'allow-egress', subnet_id: 'subnet-public-a', tags: { Name: 'dev-shared' } });
    expect(found.vpc_id).toBeUndefined();
  });

  it('GIVEN an account blocking ingress only WHEN synthesized THEN the exclusion is bidirectional (egress-only exclusions do not apply there)', () => {
    expect(exclusion({ blockPublicAccess: { accountMode: 'block-ingress' } })).toMatchObject({ internet_gateway_exclusion_mode: 'allow-bidirectional' });
  });

  it('GIVEN a port forward WHEN synthesized THEN the exclusion is bidirectional so forwarded connections arrive', () => {
    const portForwards = [{ protocol: 'tcp' as const, port: 8080, to: '10.0.128.10', allowFrom: ['203.0.113.0/24'] }];
    expect(exclusion({ portForwards, blockPublicAccess: { accountMode: 'block-bidirectional' } })).toMatchObject({ internet_gateway_exclusion_mode: 'allow-bidirectional' });
  });

  it('GIVEN SSH with a key pair from outside WHEN synthesized THEN the exclusion is bidirectional', () => {
    const found = exclusion({ keyName: 'ops', sshAllowFrom: ['198.51.100.0/24'], blockPublicAccess: { accountMode: 'block-bidirectional' } });
    expect(found.internet_gateway_exclusion_mode).toBe('allow-bidirectional');
  });

  it('GIVEN exclude vpc WHEN synthesized THEN the whole VPC is excluded, not the subnet', () => {
    const found = exclusion({ blockPublicAccess: { accountMode: 'block-bidirectional', exclude: 'vpc' } });
    expect(found).toMatchObject({ vpc_id: 'vpc-0000000000000000a', internet_gateway_exclusion_mode: 'allow-egress' });
    expect(found.subnet_id).toBeUndefined();
  });

  it('GIVEN no blockPublicAccess WHEN synthesized THEN there is no exclusion', () => {
    expect(resources(synthNat(), 'aws_vpc_block_public_access_exclusion')).toEqual([]);
  });
});
