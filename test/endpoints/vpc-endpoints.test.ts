import { placementSubnets } from '../../lib/endpoints/placement';
import { VpcEndpoints, type VpcEndpointsProps } from '../../lib/endpoints/vpc-endpoints';
import { EgressVpc } from '../../lib/network/egress-vpc';
import type { VpcRef } from '../../lib/network/vpc-ref';
import { onlyResource, refTo, resources, resourcesWhere, synthConstruct, type TfJson } from '../helpers/construct';

// Two private subnets in one AZ share a route table, as existing VPCs often do.
const VPC: VpcRef = {
  name: 'app1',
  vpcId: 'vpc-app1',
  cidrBlocks: ['10.1.0.0/16', '100.64.0.0/20'],
  ipv6: false,
  publicSubnets: [{ id: 'subnet-public-a', az: 'ap-northeast-1a', routeTableId: 'rtb-public' }],
  privateSubnets: [
    { id: 'subnet-private-a1', az: 'ap-northeast-1a', routeTableId: 'rtb-private-a' },
    { id: 'subnet-private-a2', az: 'ap-northeast-1a', routeTableId: 'rtb-private-a' },
    { id: 'subnet-private-c', az: 'ap-northeast-1c', routeTableId: 'rtb-private-c' },
  ],
};

const synthEndpoints = (props: Partial<VpcEndpointsProps>): TfJson =>
  synthConstruct((scope) => new VpcEndpoints(scope, 'endpoints', { name: 'dev-app1', region: 'ap-northeast-1', vpc: VPC, ...props }));

const endpointsOfType = (tf: TfJson, type: 'Gateway' | 'Interface') => resourcesWhere(tf, 'aws_vpc_endpoint', 'vpc_endpoint_type', type);
const serviceNames = (tf: TfJson, type: 'Gateway' | 'Interface') => endpointsOfType(tf, type).map((e) => e.service_name).sort();

describe('VpcEndpoints gateway endpoints', () => {
  it('GIVEN s3 and dynamodb THEN both are gateway endpoints in the VPC on every private route table, each once', () => {
    const tf = synthEndpoints({ gateway: ['s3', 'dynamodb'] });
    expect(serviceNames(tf, 'Gateway')).toEqual(['com.amazonaws.ap-northeast-1.dynamodb', 'com.amazonaws.ap-northeast-1.s3']);
    for (const endpoint of endpointsOfType(tf, 'Gateway')) {
      expect(endpoint).toMatchObject({ vpc_id: 'vpc-app1', route_table_ids: ['rtb-private-a', 'rtb-private-c'] });
    }
  });

  it('GIVEN only gateway endpoints THEN no security group is made', () => {
    expect(resources(synthEndpoints({ gateway: ['s3'] }), 'aws_security_group')).toHaveLength(0);
  });

  it('GIVEN an EgressVpc THEN the gateway endpoint is on each of its private route tables and not on the public one', () => {
    const tf = synthConstruct((scope) => {
      const vpc = new EgressVpc(scope, 'app1', { name: 'dev-app1', cidr: '10.1.0.0/16', azs: ['ap-northeast-1a', 'ap-northeast-1c'] });
      new VpcEndpoints(scope, 'endpoints', { name: 'dev-app1', region: 'ap-northeast-1', vpc, gateway: ['s3'] });
    });
    const privateTables = Object.keys(tf.resource.aws_route_table).filter((name) => name.includes('_private-'));
    expect(privateTables).toHaveLength(2);
    expect(onlyResource(tf, 'aws_vpc_endpoint').route_table_ids).toEqual(privateTables.map((name) => `\${aws_route_table.${name}.id}`));
  });
});

describe('VpcEndpoints interface endpoints', () => {
  it('GIVEN the ssm preset THEN the three Session Manager endpoints are made, with private DNS', () => {
    const tf = synthEndpoints({ interface: ['ssm'] });
    expect(serviceNames(tf, 'Interface')).toEqual(
      ['ec2messages', 'ssm', 'ssmmessages'].map((s) => `com.amazonaws.ap-northeast-1.${s}`),
    );
    for (const endpoint of endpointsOfType(tf, 'Interface')) expect(endpoint.private_dns_enabled).toBe(true);
    expect(endpointsOfType(tf, 'Gateway')).toHaveLength(0);
  });

  it('GIVEN the ecr preset THEN ecr.api and ecr.dkr are interface endpoints and S3 a gateway endpoint', () => {
    const tf = synthEndpoints({ interface: ['ecr'] });
    expect(serviceNames(tf, 'Interface')).toEqual(['com.amazonaws.ap-northeast-1.ecr.api', 'com.amazonaws.ap-northeast-1.ecr.dkr']);
    expect(serviceNames(tf, 'Gateway')).toEqual(['com.amazonaws.ap-northeast-1.s3']);
  });

  it('GIVEN the ecr preset and s3 listed as a gateway too THEN there is still one S3 endpoint', () => {
    expect(serviceNames(synthEndpoints({ interface: ['ecr'], gateway: ['s3'] }), 'Gateway')).toEqual(['com.amazonaws.ap-northeast-1.s3']);
  });

  it('GIVEN a full service name THEN it is used as it is', () => {
    const tf = synthEndpoints({ interface: ['com.amazonaws.us-east-1.sts', 'aws.sagemaker.ap-northeast-1.notebook'] });
    expect(serviceNames(tf, 'Interface')).toEqual(['aws.sagemaker.ap-northeast-1.notebook', 'com.amazonaws.us-east-1.sts']);
  });

  it('GIVEN interface endpoints THEN one security group in the VPC admits HTTPS from every VPC CIDR and nothing else', () => {
    const tf = synthEndpoints({ interface: ['logs', 'sts'] });
    const sg = onlyResource(tf, 'aws_security_group');
    expect(sg.vpc_id).toBe('vpc-app1');
    expect(onlyResource(tf, 'aws_security_group_rule')).toMatchObject({
      type: 'ingress',
      protocol: 'tcp',
      from_port: 443,
      to_port: 443,
      cidr_blocks: ['10.1.0.0/16', '100.64.0.0/20'],
      security_group_id: refTo(tf, 'aws_security_group', sg),
    });
    for (const endpoint of endpointsOfType(tf, 'Interface')) expect(endpoint.security_group_ids).toEqual([refTo(tf, 'aws_security_group', sg)]);
  });

  it('GIVEN single-subnet placement (the default) THEN every interface endpoint sits in the first private subnet only', () => {
    for (const endpoint of endpointsOfType(synthEndpoints({ interface: ['ssm'] }), 'Interface')) {
      expect(endpoint.subnet_ids).toEqual(['subnet-private-a1']);
    }
  });

  it('GIVEN per-az placement THEN every interface endpoint sits in one private subnet per AZ', () => {
    for (const endpoint of endpointsOfType(synthEndpoints({ interface: ['ssm'], placement: 'per-az' }), 'Interface')) {
      expect(endpoint.subnet_ids).toEqual(['subnet-private-a1', 'subnet-private-c']);
    }
  });
});

describe('placementSubnets', () => {
  it('GIVEN single-subnet THEN one subnet; GIVEN per-az THEN the first subnet of each AZ', () => {
    const ids = (placement: 'single-subnet' | 'per-az') => placementSubnets(VPC.privateSubnets, placement).map((s) => s.id);
    expect(ids('single-subnet')).toEqual(['subnet-private-a1']);
    expect(ids('per-az')).toEqual(['subnet-private-a1', 'subnet-private-c']);
  });
});

describe('VpcEndpoints validation', () => {
  it('GIVEN an unknown interface service THEN it is rejected naming it and what would be accepted', () => {
    expect(() => synthEndpoints({ interface: ['sssm'] })).toThrow(
      /^VpcEndpoints dev-app1: unknown interface endpoint "sssm"; use a preset \(ssm, ecr\), a short name \(autoscaling, .*, xray\) or a full name such as com\.amazonaws\.<region>\.<service>$/,
    );
  });

  it('GIVEN a service twice, once through a preset THEN it is rejected', () => {
    expect(() => synthEndpoints({ interface: ['ssm', 'ssmmessages'] })).toThrow(
      'VpcEndpoints dev-app1: "ssmmessages" is listed twice (also from "ssm"); list it once',
    );
  });

  it('GIVEN several problems THEN all are reported in one error', () => {
    expect(() => synthEndpoints({ interface: ['nope', 'kms', 'kms'] })).toThrow(
      /^VpcEndpoints dev-app1: unknown interface endpoint "nope";.*; "kms" is listed twice \(also from "kms"\); list it once$/,
    );
  });

  it('GIVEN interface endpoints in a VPC without private subnets THEN it is rejected', () => {
    const vpc: VpcRef = { ...VPC, privateSubnets: [] };
    expect(() => synthConstruct((scope) => new VpcEndpoints(scope, 'e', { name: 'dev-app1', region: 'ap-northeast-1', vpc, interface: ['sts'] }))).toThrow(
      'VpcEndpoints dev-app1: VPC app1 has no private subnet for interface endpoints',
    );
  });
});
