import { INTERFACE_SERVICES, PRESETS, expandEndpoints, isFullServiceName, serviceName } from '../../lib/endpoints/services';

describe('serviceName', () => {
  it('GIVEN a short name THEN it becomes the regional service name', () => {
    expect(serviceName('ap-northeast-1', 'ecr.dkr')).toBe('com.amazonaws.ap-northeast-1.ecr.dkr');
  });

  it.each(['com.amazonaws.us-east-1.s3', 'aws.sagemaker.ap-northeast-1.notebook'])('GIVEN the full name %s THEN it is kept', (name) => {
    expect(isFullServiceName(name)).toBe(true);
    expect(serviceName('ap-northeast-1', name)).toBe(name);
  });

  it.each(['ssm', 'ecr.api', 'com.amazonaws', 'com.amazonaws.'])('GIVEN %s THEN it is not a full name', (name) => {
    expect(isFullServiceName(name)).toBe(false);
  });
});

describe('expandEndpoints', () => {
  it('GIVEN short names THEN they are kept in order with no problems', () => {
    expect(expandEndpoints(['sts', 'logs'], [])).toEqual({ interface: ['sts', 'logs'], gateway: [], problems: [] });
  });

  it('GIVEN the ssm preset THEN it expands to ssm, ssmmessages and ec2messages', () => {
    expect(expandEndpoints(['ssm'], []).interface).toEqual(['ssm', 'ssmmessages', 'ec2messages']);
  });

  it('GIVEN the ecr preset THEN it expands to ecr.api and ecr.dkr, and adds the s3 gateway once', () => {
    expect(expandEndpoints(['ecr'], ['s3'])).toEqual({ interface: ['ecr.api', 'ecr.dkr'], gateway: ['s3'], problems: [] });
    expect(expandEndpoints(['ecr'], ['dynamodb']).gateway).toEqual(['dynamodb', 's3']);
  });

  it('GIVEN the presets THEN every service they name is a known short name', () => {
    for (const preset of Object.values(PRESETS)) for (const service of preset.interface) expect(INTERFACE_SERVICES).toContain(service);
  });

  it('GIVEN an unknown name THEN the problem points at its index and lists presets, short names and the full form', () => {
    const { problems, interface: services } = expandEndpoints(['sts', 'ssm-agent'], []);
    expect(services).toEqual(['sts']);
    expect(problems).toEqual([
      {
        index: 1,
        message: `unknown interface endpoint "ssm-agent"; use a preset (ssm, ecr), a short name (${INTERFACE_SERVICES.join(', ')}) or a full name such as com.amazonaws.<region>.<service>`,
      },
    ]);
  });

  it('GIVEN a short name listed twice THEN the second is a problem naming the first', () => {
    expect(expandEndpoints(['kms', 'sts', 'kms'], []).problems).toEqual([{ index: 2, message: '"kms" is listed twice (also from "kms"); list it once' }]);
  });

  it('GIVEN a service that a preset also brings THEN it is a problem naming the preset', () => {
    expect(expandEndpoints(['ecr', 'ecr.dkr'], []).problems).toEqual([{ index: 1, message: '"ecr.dkr" is listed twice (also from "ecr"); list it once' }]);
    expect(expandEndpoints(['ecr.api', 'ecr'], []).problems).toEqual([{ index: 1, message: '"ecr.api" is listed twice (also from "ecr.api"); list it once' }]);
  });

  it('GIVEN a preset listed twice THEN each of its services is a problem at the second index', () => {
    expect(expandEndpoints(['ssm', 'ssm'], []).problems).toEqual(
      ['ssm', 'ssmmessages', 'ec2messages'].map((s) => ({ index: 1, message: `"${s}" is listed twice (also from "ssm"); list it once` })),
    );
  });

  it('GIVEN a short name and the full name of the same regional service THEN it is a problem: two endpoints would claim one private DNS name', () => {
    const { problems } = expandEndpoints(['ecr.api', 'com.amazonaws.ap-northeast-1.ecr.api'], []);
    expect(problems).toEqual([{ index: 1, message: expect.stringContaining('listed twice') }]);
  });
});
