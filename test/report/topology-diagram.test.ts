import { Flowchart } from '../../lib/report/mermaid';
import { renderTopology } from '../../lib/report/topology-diagram';
import { subnetLayout } from '../../lib/network/subnet-layout';
import { loadSpecFile } from '../../lib/spec';
import { checkedSpec, dedicatedSpec, exampleSpec, mermaidBlock, parseWithMermaid, ROOT, type ParsedFlowchart } from './fixtures';

/** The one vertex whose label matches; labels come back as Mermaid parsed them (`<br>` between lines). */
function vertex(chart: ParsedFlowchart, pattern: RegExp): string {
  const found = chart.vertices.filter((v) => pattern.test(v.text));
  if (found.length !== 1) throw new Error(`${found.length} vertices match ${pattern}: ${chart.vertices.map((v) => v.text).join(' | ')}`);
  return found[0].id;
}

function vertices(chart: ParsedFlowchart, pattern: RegExp): string[] {
  return chart.vertices.filter((v) => pattern.test(v.text)).map((v) => v.id);
}

function edgesInto(chart: ParsedFlowchart, end: string, text?: string): string[] {
  return chart.edges.filter((e) => e.end === end && (text === undefined || e.text === text)).map((e) => e.start).sort();
}

function subgraphOf(chart: ParsedFlowchart, id: string): string {
  const found = chart.subgraphs.filter((s) => s.nodes.includes(id));
  if (found.length !== 1) throw new Error(`${id} is in ${found.length} subgraphs`);
  return found[0].title;
}

/** What the browser shows: Mermaid hands labels to HTML with the entity codes turned into `&#N;`. */
const shown = (text: string) => text.replace(/&#(\d+);/g, (_, code: string) => String.fromCharCode(Number(code)));

const HOSTILE = ['say "end" ]', 'a <b> & c', '#35; stays literal', 'back`tick` and |pipes|', 'end'];

function hostileChart(): string {
  const chart = new Flowchart();
  const ids = HOSTILE.map((_, i) => chart.id('node', i === 0 ? 'a-b' : i === 1 ? 'a_b' : `n${i}`));
  chart.subgraph(chart.id('end'), ['end'], () => HOSTILE.forEach((text, i) => chart.node(ids[i], [text], 'hexagon')));
  chart.edge(ids[0], ids[1], 'route', 'edge "with" |pipes| and -->');
  return chart.render();
}

describe('topology diagram, parsed by the real mermaid package', () => {
  let example: ParsedFlowchart;
  let dedicated: ParsedFlowchart;
  let hostile: ParsedFlowchart;
  let broken: ParsedFlowchart;
  const exampleDoc = renderTopology(exampleSpec());

  beforeAll(() => {
    const texts = [mermaidBlock(exampleDoc), mermaidBlock(renderTopology(checkedSpec(dedicatedSpec()))), hostileChart(), 'flowchart LR\n  a["x"y"] --> b'];
    [example, dedicated, hostile, broken] = parseWithMermaid(texts);
  });

  it('GIVEN a flowchart with a stray quote WHEN parsed THEN the parser rejects it (the check can fail)', () => {
    expect(broken).toMatchObject({ ok: false, error: expect.stringMatching(/Parse error/) });
  });

  describe('the built-in example', () => {
    it('GIVEN the example WHEN rendered THEN it is a Markdown document with one mermaid block that parses', () => {
      expect(exampleDoc).toMatch(/^# Topology: dev \(ap-northeast-1\)\n/);
      expect(exampleDoc.match(/```mermaid/g)).toHaveLength(1);
      expect(example).toMatchObject({ ok: true });
    });

    it('GIVEN three created VPCs WHEN drawn THEN each is a subgraph titled with its CIDR and holds its layout\'s subnets, public ones only in the hub', () => {
      for (const [name, cidr, azs, spoke] of [['hub', '10.0.0.0/16', 2, false], ['app1', '10.1.0.0/16', 2, true], ['app2', '10.2.0.0/16', 1, true]] as const) {
        const layout = subnetLayout(cidr, azs);
        const pattern = (subnet: string) => new RegExp(`${subnet.replace(/\./g, '\\.')}$`);
        for (const subnet of spoke ? layout.private : [...layout.public, ...layout.private]) {
          expect(subgraphOf(example, vertex(example, pattern(subnet)))).toContain(`VPC ${name} · ${cidr}`);
        }
        if (spoke) for (const subnet of layout.public) expect(vertices(example, pattern(subnet))).toEqual([]);
      }
    });

    it('GIVEN spokes without public subnets WHEN drawn THEN only the hub has an internet gateway', () => {
      const gateways = vertices(example, /^Internet gateway$/);
      expect(gateways).toHaveLength(1);
      expect(subgraphOf(example, gateways[0])).toMatch(/^VPC hub/);
    });

    it('GIVEN spokes app1 and app2 WHEN drawn THEN their private subnets route 0.0.0.0/0 to spoke ENIs at devices 1 and 2', () => {
      const app1Eni = vertex(example, /^ENI of NAT shared<br>device 1</);
      const app2Eni = vertex(example, /^ENI of NAT shared<br>device 2</);
      expect(subgraphOf(example, app1Eni)).toMatch(/^VPC app1/);
      expect(edgesInto(example, app1Eni, '0.0.0.0/0')).toEqual(vertices(example, /^private subnet<br>.*<br>10\.1\./).sort());
      expect(edgesInto(example, app2Eni, '0.0.0.0/0')).toEqual(vertices(example, /^private subnet<br>.*<br>10\.2\./).sort());
    });

    it('GIVEN primary mode in a dual-stack hub WHEN drawn THEN hub private subnets route only ::/0, to the EIGW, and the EIP sits on device 0', () => {
      const hubPrivate = vertices(example, /^private subnet<br>.*<br>10\.0\./);
      expect(hubPrivate).toHaveLength(2);
      expect(edgesInto(example, vertex(example, /^Egress-only internet gateway$/), '::/0')).toEqual([...hubPrivate].sort());
      expect(example.edges.filter((e) => hubPrivate.includes(e.start) && e.text === '0.0.0.0/0')).toEqual([]);
      const eip = vertex(example, /^EIP of shared$/);
      expect(example.edges).toContainEqual({ start: eip, end: vertex(example, /^primary interface<br>device 0</), text: '', stroke: 'dotted' });
    });

    it('GIVEN a port forward WHEN drawn THEN the internet reaches the EIP on that port', () => {
      expect(edgesInto(example, vertex(example, /^EIP of shared$/), 'tcp/8080 to 10.1.128.10:80')).toEqual([vertex(example, /^Internet$/)]);
    });
  });

  describe('dedicated NAT, existing spoke, per-az endpoints, IPv6 (us-east-1)', () => {
    it('GIVEN the spec WHEN drawn THEN it parses', () => {
      expect(dedicated).toMatchObject({ ok: true });
    });

    it('GIVEN an existing VPC WHEN drawn THEN its subgraph names its ID and CIDR and its subnets show their IDs', () => {
      const subnet = vertex(dedicated, /^private subnet subnet-0123456789abcdef1<br>us-east-1b<br>route table rtb-0123456789abcdef1$/);
      expect(subgraphOf(dedicated, subnet)).toBe('VPC legacy · vpc-0123456789abcdef0 · 172.16.0.0/16');
    });

    it('GIVEN dedicated mode WHEN drawn THEN the hub routes to the egress ENI (device 1, EIP on it) and the spoke to device 2', () => {
      const egress = vertex(dedicated, /^egress ENI<br>device 1<br>public subnet, us-east-1a$/);
      const spoke = vertex(dedicated, /^ENI of NAT main<br>device 2<br>private subnet, us-east-1a$/);
      expect(edgesInto(dedicated, egress, '0.0.0.0/0')).toEqual(vertices(dedicated, /^private subnet<br>us-east-1[abc]<br>10\.0\./).sort());
      expect(edgesInto(dedicated, spoke, '0.0.0.0/0')).toEqual(vertices(dedicated, /^private subnet subnet-/).sort());
      expect(edgesInto(dedicated, egress).filter((start) => start === vertex(dedicated, /^EIP of main$/))).toHaveLength(1);
      expect(subgraphOf(dedicated, spoke)).toMatch(/^VPC legacy/);
    });

    it('GIVEN the NAT WHEN drawn THEN it is attached to its primary, egress and spoke interfaces', () => {
      const nat = vertex(dedicated, /^NAT instance main<br>t4g\.small · on-demand/);
      const attached = dedicated.edges.filter((e) => e.start === nat && e.stroke === 'dotted').map((e) => e.end);
      expect(attached.map((id) => dedicated.vertices.find((v) => v.id === id)?.text.split('<br>')[1])).toEqual(['device 0', 'device 1', 'device 2']);
    });

    it('GIVEN a dual-stack hub and an IPv4-only existing VPC WHEN drawn THEN only the hub has an EIGW, with ::/0 from its 3 private subnets', () => {
      const eigw = vertex(dedicated, /^Egress-only internet gateway$/);
      expect(edgesInto(dedicated, eigw, '::/0')).toHaveLength(3);
      expect(subgraphOf(dedicated, eigw)).toMatch(/^VPC hub .*dual-stack/);
      expect(edgesInto(dedicated, vertex(dedicated, /^Internet gateway \(existing\)$/), '0.0.0.0/0')).toEqual([vertex(dedicated, /^public subnet subnet-/)]);
    });

    it('GIVEN per-az interface endpoints in the hub and single-subnet in legacy WHEN drawn THEN they sit in 3 subnets and 1', () => {
      const hub = vertex(dedicated, /^interface endpoints<br>ecr\.api, ecr\.dkr, sts<br>per-az: us-east-1a, us-east-1b, us-east-1c$/);
      const legacy = vertex(dedicated, /^interface endpoints<br>ssm, ssmmessages, ec2messages<br>single-subnet: us-east-1a$/);
      expect(dedicated.edges.filter((e) => e.start === hub && e.stroke === 'dotted')).toHaveLength(3);
      expect(dedicated.edges.filter((e) => e.start === legacy && e.stroke === 'dotted')).toHaveLength(1);
    });

    it('GIVEN gateway endpoints WHEN drawn THEN every hub private subnet routes to each through its prefix list', () => {
      for (const service of ['s3', 'dynamodb']) {
        expect(edgesInto(dedicated, vertex(dedicated, new RegExp(`^${service} gateway endpoint$`)), `${service} prefix list`)).toHaveLength(3);
      }
    });
  });

  describe('labels and IDs', () => {
    it('GIVEN labels with quotes, brackets, markup, #, backticks, pipes and "end" WHEN parsed THEN each shows exactly as given', () => {
      expect(hostile).toMatchObject({ ok: true });
      expect(hostile.vertices.map((v) => shown(v.text))).toEqual(HOSTILE);
      expect(hostile.subgraphs.map((s) => shown(s.title))).toEqual(['end']);
      expect(shown(hostile.edges[0].text)).toBe('edge "with" |pipes| and -->');
    });

    it('GIVEN two keys that reduce to the same ID WHEN IDs are made THEN they stay distinct and each key keeps its ID', () => {
      const chart = new Flowchart();
      const first = chart.id('node', 'a-b');
      expect(chart.id('node', 'a_b')).not.toBe(first);
      expect(chart.id('node', 'a-b')).toBe(first);
    });
  });
});

describe('topology diagram of a scheduled NAT', () => {
  const spec = loadSpecFile(`${ROOT}/specs/weekday-schedule.yaml`).spec;
  const markdown = renderTopology(spec);
  let parsed: ParsedFlowchart;

  beforeAll(() => {
    [parsed] = parseWithMermaid([mermaidBlock(markdown)]);
  }, 120_000);

  it('GIVEN a schedule WHEN drawn THEN the text says the served private subnets have no IPv4 egress while the NAT is off', () => {
    expect(markdown).toMatch(/NAT instance shared runs on a schedule \(on `0 8 \* \* 1-5`, off `0 20 \* \* 1-5`, Asia\/Tokyo\)\. While it is off, the private subnets of app1, app2 have no IPv4 egress/);
  });

  it('GIVEN a schedule WHEN parsed by mermaid THEN the NAT shows its times and every default route to it says it works only while the NAT is on', () => {
    expect(parsed.ok).toBe(true);
    expect(parsed.vertices.find((v) => v.id === 'nat__shared')?.text).toContain('on 0 8 * * 1-5, off 0 20 * * 1-5 (Asia/Tokyo)');
    const toNat = parsed.edges.filter((e) => e.start.includes('private') && e.end.startsWith('eni__shared'));
    expect(toNat.length).toBe(3);
    for (const edge of toNat) expect(edge.text).toBe('0.0.0.0/0, only while the NAT is on');
  });

  it('GIVEN no schedule WHEN drawn THEN nothing is said about being off', () => {
    expect(renderTopology(exampleSpec())).not.toMatch(/while the NAT is on|runs on a schedule/);
  });
});
