import { expandEndpoints } from '../../lib/endpoints/services';
import { SpecError, validateSpec } from '../../lib/spec';
import { messagesOf, moduleJson } from './module-json';

// The modules' validation blocks say what the spec checks say, with variable names for spec
// fields. Each case makes the TypeScript check fail and finds its message among the
// module's messages, read as templates (`${...}` stands for what Terraform fills in).

type Spec = Record<string, any>;

function spec(nat: Spec = {}, vpcs?: Spec[]): Spec {
  return {
    project: 'dev',
    region: 'ap-northeast-1',
    vpcs: vpcs ?? [
      { name: 'hub', cidr: '10.0.0.0/16', azs: ['ap-northeast-1a'] },
      { name: 'app1', cidr: '10.1.0.0/16', azs: ['ap-northeast-1a'] },
      { name: 'app2', cidr: '10.2.0.0/16', azs: ['ap-northeast-1a'] },
    ],
    natInstances: [{ name: 'shared', vpc: 'hub', az: 'ap-northeast-1a', spokes: ['app1', 'app2'], ...nat }],
  };
}

function specErrors(raw: Spec): string[] {
  try {
    validateSpec(raw);
  } catch (e) {
    if (e instanceof SpecError) return e.issues.map((issue) => issue.message);
    throw e;
  }
  throw new Error('the spec was accepted');
}

/** A Terraform error_message as a regex: every balanced `${...}` matches any text. */
function templatePattern(template: string): RegExp {
  let pattern = '';
  for (let i = 0; i < template.length; i++) {
    if (template.startsWith('${', i)) {
      let depth = 0;
      for (; i < template.length; i++) {
        if (template[i] === '{') depth++;
        if (template[i] === '}' && --depth === 0) break;
      }
      pattern += '(.+?)';
    } else {
      pattern += template[i].replace(/[.*+?^$()|[\]\\{}]/g, '\\$&');
    }
  }
  return new RegExp(`^${pattern}$`);
}

/**
 * A message that is one interpolation (`${join("; ", [for ... : "<message>" ...])}`) would
 * match anything; its quoted strings are the messages it is built from.
 */
function candidates(template: string): string[] {
  if (templatePattern(template).source !== '^(.+?)$') return [template];
  return [...template.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((m) => m[1].replace(/\\"/g, '"')).filter((text) => text.length > 20);
}

function expectSaidBy(module: string, variable: string, message: string): void {
  const templates = messagesOf(moduleJson(module), variable).flatMap(candidates);
  expect({ message, matched: templates.some((template) => templatePattern(template).test(message)) }).toEqual({ message, matched: true });
}

const asVariables = (message: string) => message.replace(/egressInterface/g, 'egress_interface').replace(/instanceTypes/g, 'instance_types');

describe('module validation messages are the TypeScript checks\' messages', () => {
  it('GIVEN types of two architectures THEN both say so in the same words', () => {
    const [message] = specErrors(spec({ instanceTypes: ['t4g.xlarge', 't3.xlarge'] }));
    expectSaidBy('multi-vpc-nat', 'instance_types', message);
    expectSaidBy('nat-instance', 'instance_types', message);
  });

  it('GIVEN types short of network interfaces THEN both name the types, their limits, the need and the way out', () => {
    const [message] = specErrors(spec({ instanceTypes: ['t4g.nano', 't4g.micro'] }));
    expect(message).toContain('cannot carry the 4 network interfaces');
    expectSaidBy('multi-vpc-nat', 'instance_types', asVariables(message));
  });

  it('GIVEN a type outside the catalog THEN both list the families to choose from', () => {
    const [message] = specErrors(spec({ instanceTypes: ['x9.large'] }));
    expectSaidBy('multi-vpc-nat', 'instance_types', message);
  });

  it('GIVEN primary mode without spokes THEN both say what primary serves and how to serve the hub', () => {
    const [message] = specErrors(spec({ egressInterface: 'primary', spokes: [] }));
    expectSaidBy('multi-vpc-nat', 'spokes', asVariables(message));
  });

  it('GIVEN a forward open to 0.0.0.0/0 THEN both ask for the explicit flag', () => {
    const forward = { protocol: 'tcp', port: 8080, to: '10.1.0.10', allowFrom: ['0.0.0.0/0'] };
    const [message] = specErrors(spec({ instanceTypes: ['t4g.xlarge'], portForwards: [forward] }));
    expectSaidBy('nat-instance', 'port_forwards', message.replace('allowAnywhere: true', 'allow_anywhere = true'));
  });

  it('GIVEN a forwarded port twice THEN both name the protocol and port', () => {
    const forward = { protocol: 'tcp', port: 8080, to: '10.1.0.10', allowFrom: ['203.0.113.0/24'] };
    const [message] = specErrors(spec({ instanceTypes: ['t4g.xlarge'], portForwards: [forward, forward] }));
    expectSaidBy('nat-instance', 'port_forwards', message);
  });

  it.each([
    ['not a CIDR', '10.0.0.0/33'],
    ['outside /16../24', '10.0.0.0/12'],
    ['not a network address', '10.0.0.1/16'],
    ['with a leading zero', '010.001.0.0/16'],
  ])('GIVEN a VPC CIDR %s THEN egress-vpc says what the spec says', (_name, cidr) => {
    const [message] = specErrors(spec({}, [{ name: 'hub', cidr, azs: ['ap-northeast-1a'] }]));
    expectSaidBy('egress-vpc', 'cidr', message);
  });

  it.each([
    ['with host bits', '203.0.113.5/24'],
    ['with a leading zero', '203.0.113.010/32'],
    ['not a CIDR', '203.0.113.0/33'],
  ])('GIVEN a port forward source %s THEN nat-instance says what the spec says', (_name, cidr) => {
    const forward = { protocol: 'tcp', port: 8080, to: '10.1.0.10', allowFrom: [cidr] };
    const [message] = specErrors(spec({ instanceTypes: ['t4g.xlarge'], portForwards: [forward] }));
    expectSaidBy('nat-instance', 'port_forwards', message);
  });

  it('GIVEN an AZ twice THEN egress-vpc says what the spec says', () => {
    const [message] = specErrors(spec({}, [{ name: 'hub', cidr: '10.0.0.0/16', azs: ['ap-northeast-1a', 'ap-northeast-1a'] }]));
    expectSaidBy('egress-vpc', 'azs', message);
  });

  it('GIVEN an unknown or doubled interface endpoint THEN vpc-endpoints says what the construct says', () => {
    const messages = [...expandEndpoints(['sssm'], []).problems, ...expandEndpoints(['ssm', 'ssmmessages'], []).problems].map((p) => p.message);
    expect(messages).toHaveLength(2);
    for (const message of messages) expectSaidBy('vpc-endpoints', 'interface', message);
  });

  it.each([
    ['a key in the reserved aws: prefix', { 'aws:owner': 'me' }],
    ['a key in the prefix cdktf-egress sets', { 'cdktf-egress:x': 'me' }],
    ['a key with characters IAM refuses', { 'team#1': 'me' }],
    ['a value with characters IAM refuses', { team: 'a#b' }],
    ['more tags than fit beside the tool\'s own', Object.fromEntries(Array.from({ length: 48 }, (_, i) => [`k${i}`, 'v']))],
  ])('GIVEN tags with %s THEN every module\'s tags input says what the spec says', (_name, tags) => {
    const [message] = specErrors({ ...spec(), tags });
    for (const module of ['nat-instance', 'multi-vpc-nat', 'vpc-endpoints', 'egress-vpc']) expectSaidBy(module, 'tags', message);
  });

  it.each([
    ['a key over 128 characters', { ['k'.repeat(129)]: 'v' }],
    ['an empty key', { '': 'v' }],
    ['a value over 256 characters', { k: 'v'.repeat(257) }],
  ])('GIVEN tags with %s THEN the module says the spec\'s words, naming the key as the spec\'s path does', (_name, tags) => {
    const [message] = specErrors({ ...spec(), tags });
    expectSaidBy('egress-vpc', 'tags', `tags[${JSON.stringify(Object.keys(tags)[0])}]: ${message}`);
  });

  it('GIVEN an empty instance type list THEN nat-instance says what the construct says, with the input\'s name', () => {
    expect(messagesOf(moduleJson('nat-instance'), 'instance_types')).toContain('instance_types is empty; give at least one type such as t4g.nano');
  });
});
