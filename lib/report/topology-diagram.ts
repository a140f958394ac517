import type { Spec } from '../spec/schema';
import { Flowchart } from './mermaid';
import { describeTopology, natServing, type EndpointView, type EniView, type NatView, type SubnetView, type TopologyView, type VpcView } from './topology-model';

/**
 * A Markdown document with a Mermaid flowchart of what the spec builds: VPCs and subnets, NAT
 * instances with their interfaces, EIPs, endpoints, gateways and the default routes.
 */
export function renderTopology(spec: Spec): string {
  const topology = describeTopology(spec);
  return [
    `# Topology: ${topology.project} (${topology.region})`,
    '',
    'Solid arrows are routes, labelled with their destination; dotted lines attach a network interface',
    'to its NAT instance, an EIP to its interface, or an interface endpoint to the subnet it sits in.',
    '',
    ...topology.nats.filter((nat) => nat.enabled && nat.schedule).flatMap((nat) => [scheduleNote(nat), '']),
    '```mermaid',
    topologyFlowchart(topology),
    '```',
    '',
  ].join('\n');
}

/** A scheduled NAT leaves the VPCs it serves without IPv4 egress while it is off: say so above the picture. */
function scheduleNote(nat: NatView): string {
  const { on, off, timeZone } = nat.schedule ?? { on: '', off: '', timeZone: '' };
  const served = [...nat.routes.keys()].join(', ');
  return (
    `NAT instance ${nat.name} runs on a schedule (on \`${on}\`, off \`${off}\`, ${timeZone}). While it is off, the private subnets of ${served} ` +
    'have no IPv4 egress: their 0.0.0.0/0 route points at an interface with no instance behind it. IPv6 through an egress-only internet gateway and gateway or interface endpoints keep working.'
  );
}

/** The flowchart text alone (what goes inside the mermaid block). */
export function topologyFlowchart(topology: TopologyView): string {
  const chart = new Flowchart('LR');
  const internet = chart.id('internet');
  chart.node(internet, ['Internet'], 'circle');
  for (const vpc of topology.vpcs) drawVpc(chart, topology, vpc);
  for (const vpc of topology.vpcs) drawRoutes(chart, topology, vpc, internet);
  for (const nat of topology.nats) drawNatLinks(chart, nat, internet);
  for (const endpoints of topology.endpoints) drawEndpointLinks(chart, topology, endpoints);
  return chart.render();
}

const ids = {
  vpc: (chart: Flowchart, vpc: string) => chart.id('vpc', vpc),
  subnet: (chart: Flowchart, s: SubnetView) => chart.id('subnet', s.vpc, s.id ?? `${s.public ? 'public' : 'private'}-${s.az}`),
  igw: (chart: Flowchart, vpc: string) => chart.id('igw', vpc),
  eigw: (chart: Flowchart, vpc: string) => chart.id('eigw', vpc),
  nat: (chart: Flowchart, nat: string) => chart.id('nat', nat),
  eni: (chart: Flowchart, nat: string, eni: EniView) => chart.id('eni', nat, String(eni.deviceIndex)),
  eip: (chart: Flowchart, nat: string) => chart.id('eip', nat),
  gatewayEndpoint: (chart: Flowchart, vpc: string, service: string) => chart.id('gwe', vpc, service),
  interfaceEndpoints: (chart: Flowchart, vpc: string) => chart.id('ife', vpc),
};

function drawVpc(chart: Flowchart, topology: TopologyView, vpc: VpcView): void {
  const title = [`VPC ${vpc.name}`, vpc.existing ? `${vpc.id} · ${vpc.cidrs.join(', ')}` : vpc.cidrs.join(', ')];
  if (vpc.ipv6) title.push('dual-stack: IPv6 /56');
  chart.subgraph(ids.vpc(chart, vpc.name), [title.join(' · ')], () => {
    if (hasInternetGateway(vpc)) chart.node(ids.igw(chart, vpc.name), [vpc.existing ? 'Internet gateway (existing)' : 'Internet gateway'], 'stadium');
    if (vpc.ipv6) chart.node(ids.eigw(chart, vpc.name), ['Egress-only internet gateway'], 'stadium');
    for (const subnet of vpc.subnets) chart.node(ids.subnet(chart, subnet), subnetLabel(subnet));
    for (const nat of topology.nats) {
      if (nat.hub === vpc.name) drawNat(chart, nat);
      for (const eni of nat.enis) if (eni.role === 'spoke' && eni.vpc === vpc.name) drawEni(chart, nat, eni);
    }
    for (const endpoints of topology.endpoints) if (endpoints.vpc === vpc.name) drawEndpoints(chart, endpoints);
  });
}

/** A created VPC has one exactly when it has public subnets; an existing VPC's public subnets are taken to route to its own. */
function hasInternetGateway(vpc: VpcView): boolean {
  return vpc.subnets.some((s) => s.public);
}

function subnetLabel(subnet: SubnetView): string[] {
  const kind = `${subnet.public ? 'public' : 'private'} subnet`;
  if (subnet.id) return [`${kind} ${subnet.id}`, subnet.az, `route table ${subnet.routeTableId}`];
  return [kind, subnet.az, subnet.cidr ?? ''];
}

function drawNat(chart: Flowchart, nat: NatView): void {
  const types = `${nat.instanceTypes.join(', ')} · ${nat.spot ? 'spot' : 'on-demand'}`;
  const state = nat.enabled ? `ASG of one in ${nat.az}` : 'disabled: ASG at zero';
  const schedule = nat.enabled && nat.schedule ? [`on ${nat.schedule.on}, off ${nat.schedule.off} (${nat.schedule.timeZone})`] : [];
  chart.node(ids.nat(chart, nat.name), [`NAT instance ${nat.name}`, types, state, ...schedule], 'hexagon');
  chart.node(ids.eip(chart, nat.name), [`EIP of ${nat.name}`], 'circle');
  for (const eni of nat.enis) if (eni.role !== 'spoke') drawEni(chart, nat, eni);
}

function drawEni(chart: Flowchart, nat: NatView, eni: EniView): void {
  const role = { primary: 'primary interface', egress: 'egress ENI', spoke: `ENI of NAT ${nat.name}` }[eni.role];
  const where = `${eni.subnet.public ? 'public' : 'private'} subnet, ${eni.subnet.az}`;
  chart.node(ids.eni(chart, nat.name, eni), [role, `device ${eni.deviceIndex}`, where], 'round');
}

function drawEndpoints(chart: Flowchart, endpoints: EndpointView): void {
  for (const service of endpoints.gateway) {
    chart.node(ids.gatewayEndpoint(chart, endpoints.vpc, service), [`${service} gateway endpoint`], 'cylinder');
  }
  if (endpoints.interface.length === 0) return;
  const azs = endpoints.subnets.map((s) => s.az);
  chart.node(ids.interfaceEndpoints(chart, endpoints.vpc), [
    'interface endpoints',
    endpoints.interface.join(', '),
    `${endpoints.placement}: ${azs.join(', ')}`,
  ], 'cylinder');
}

function drawRoutes(chart: Flowchart, topology: TopologyView, vpc: VpcView, internet: string): void {
  const igw = ids.igw(chart, vpc.name);
  const eigw = ids.eigw(chart, vpc.name);
  const serving = natServing(topology, vpc.name);
  for (const subnet of vpc.subnets) {
    const from = ids.subnet(chart, subnet);
    if (subnet.public) {
      chart.edge(from, igw, 'route', vpc.ipv6 ? '0.0.0.0/0, ::/0' : '0.0.0.0/0');
      continue;
    }
    const whenOn = serving?.nat.schedule ? ', only while the NAT is on' : '';
    if (serving) chart.edge(from, ids.eni(chart, serving.nat.name, serving.eni), 'route', `0.0.0.0/0${whenOn}`);
    if (vpc.ipv6) chart.edge(from, eigw, 'route', '::/0');
  }
  if (hasInternetGateway(vpc)) chart.edge(igw, internet, 'route');
  if (vpc.ipv6) chart.edge(eigw, internet, 'route', 'outbound only');
}

function drawNatLinks(chart: Flowchart, nat: NatView, internet: string): void {
  const instance = ids.nat(chart, nat.name);
  for (const eni of nat.enis) chart.edge(instance, ids.eni(chart, nat.name, eni), 'attachment');
  const eipEni = ids.eni(chart, nat.name, nat.eipEni);
  chart.edge(ids.eip(chart, nat.name), eipEni, 'attachment');
  // The NAT's own traffic leaves through the public subnet's route table, to the hub's IGW.
  chart.edge(eipEni, ids.igw(chart, nat.hub), 'route', 'egress');
  for (const forward of nat.portForwards) {
    const text = `${forward.protocol}/${forward.port} to ${forward.to}:${forward.toPort ?? forward.port}`;
    chart.edge(internet, ids.eip(chart, nat.name), 'route', text);
  }
}

function drawEndpointLinks(chart: Flowchart, topology: TopologyView, endpoints: EndpointView): void {
  const vpc = topology.vpcs.find((v) => v.name === endpoints.vpc);
  const privateSubnets = vpc?.subnets.filter((s) => !s.public) ?? [];
  for (const service of endpoints.gateway) {
    const target = ids.gatewayEndpoint(chart, endpoints.vpc, service);
    for (const subnet of privateSubnets) chart.edge(ids.subnet(chart, subnet), target, 'route', `${service} prefix list`);
  }
  for (const subnet of endpoints.subnets) chart.edge(ids.interfaceEndpoints(chart, endpoints.vpc), ids.subnet(chart, subnet), 'attachment');
}
