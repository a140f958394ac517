import zlib from 'node:zlib';
import yaml from 'yaml';
import { NatInstance, type NatInstanceProps } from '../../lib/nat/nat-instance';
import { decodeUserData, resources, synthConstruct } from '../helpers/construct';

const nat = (natId: string, subnet: string): NatInstanceProps => ({
  natId,
  region: 'ap-northeast-1',
  vpcId: `vpc-${natId}`,
  publicSubnetId: subnet,
  servedCidrs: ['10.0.0.0/16'],
  privateRouteTableIds: [`rtb-${natId}`],
  instanceTypes: ['t4g.nano'],
});

afterEach(() => jest.restoreAllMocks());

describe('NatInstance user data rendering', () => {
  it('GIVEN three NATs WHEN synthesized THEN each cloud-config is rendered once and compressed once (the whole document)', () => {
    const stringify = jest.spyOn(yaml, 'stringify');
    const gzip = jest.spyOn(zlib, 'gzipSync');
    const tf = synthConstruct((scope) => ['a', 'b', 'c'].forEach((n) => new NatInstance(scope, `nat-${n}`, nat(`dev-${n}`, `subnet-${n}`))));
    expect(stringify).toHaveBeenCalledTimes(3);
    expect(gzip).toHaveBeenCalledTimes(3);
    const texts = resources(tf, 'aws_launch_template').map((lt) => decodeUserData(tf, lt).text);
    expect(texts).toHaveLength(3);
    texts.forEach((text, i) => expect(text).toContain(`NAT_ID="dev-${'abc'[i]}"`));
  });
});
