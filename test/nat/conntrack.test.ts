import { NatInstance, type NatInstanceProps } from '../../lib/nat/nat-instance';
import { NatInstanceSchema } from '../../lib/spec/schema';
import { decodeUserData, onlyResource, shellConfig, synthConstruct, type TfJson } from '../helpers/construct';

const BASE: NatInstanceProps = {
  natId: 'ct',
  region: 'ap-northeast-1',
  vpcId: 'vpc-0000000000000000a',
  publicSubnetId: 'subnet-public-a',
  servedCidrs: ['10.0.0.0/16'],
  privateRouteTableIds: ['rtb-private-a'],
  instanceTypes: ['t4g.nano'],
};

function synth(overrides: Partial<NatInstanceProps> = {}): TfJson {
  return synthConstruct((scope) => new NatInstance(scope, 'nat', { ...BASE, ...overrides }));
}

function natConf(tf: TfJson): Record<string, string> {
  const file = decodeUserData(tf, onlyResource(tf, 'aws_launch_template')).cloudConfig.write_files.find((f) => f.path === '/etc/cdktf-egress/nat.conf');
  return shellConfig(file!.content);
}

const conntrackKeys = (conf: Record<string, string>): Record<string, string> =>
  Object.fromEntries(Object.entries(conf).filter(([k]) => k.startsWith('CONNTRACK_')));

describe('connection tracking', () => {
  it('GIVEN no settings THEN the boot script sizes the table by memory and EC2 tracks the primary interface with the same timeouts', () => {
    const tf = synth();
    expect(conntrackKeys(natConf(tf))).toEqual({
      CONNTRACK_MAX: '0', CONNTRACK_TCP_ESTABLISHED_TIMEOUT: '7440', CONNTRACK_UDP_TIMEOUT: '30', CONNTRACK_UDP_STREAM_TIMEOUT: '120',
    });
    const eni = (onlyResource(tf, 'aws_launch_template').network_interfaces as Record<string, unknown>[])[0];
    expect(eni.connection_tracking_specification).toEqual({ tcp_established_timeout: 7440, udp_timeout: 30, udp_stream_timeout: 120 });
  });

  it('GIVEN overrides THEN nat.conf and the launch template carry them', () => {
    const tf = synth({ conntrack: { max: 4096, tcpEstablishedTimeout: 350, udpTimeout: 60, udpStreamTimeout: 180 } });
    expect(conntrackKeys(natConf(tf))).toEqual({
      CONNTRACK_MAX: '4096', CONNTRACK_TCP_ESTABLISHED_TIMEOUT: '350', CONNTRACK_UDP_TIMEOUT: '60', CONNTRACK_UDP_STREAM_TIMEOUT: '180',
    });
    const eni = (onlyResource(tf, 'aws_launch_template').network_interfaces as Record<string, unknown>[])[0];
    expect(eni.connection_tracking_specification).toEqual({ tcp_established_timeout: 350, udp_timeout: 60, udp_stream_timeout: 180 });
  });

  const nat = { name: 'nat', vpc: 'hub', az: 'ap-northeast-1a' };
  it.each([
    [{ max: 100 }, 'max'],
    [{ max: 1.5 }, 'max'],
    [{ tcpEstablishedTimeout: 59 }, 'tcpEstablishedTimeout'],
    [{ udpTimeout: 61 }, 'udpTimeout'],
    [{ udpStreamTimeout: 30 }, 'udpStreamTimeout'],
    [{ maxEntries: 5000 }, ''],
  ])('GIVEN conntrack %j THEN the spec is refused naming %s', (conntrack, field) => {
    const r = NatInstanceSchema.safeParse({ ...nat, conntrack });
    expect(r.success).toBe(false);
    expect(r.error!.issues[0].path.join('.')).toBe(field ? `conntrack.${field}` : 'conntrack');
  });

  it('GIVEN no conntrack in the spec THEN EC2-valid defaults are filled in', () => {
    expect(NatInstanceSchema.parse(nat).conntrack).toEqual({ tcpEstablishedTimeout: 7440, udpTimeout: 30, udpStreamTimeout: 120 });
  });
});
