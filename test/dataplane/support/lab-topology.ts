import { host, slash24 } from './addr';

/**
 * AWS in miniature, in network namespaces (nothing is added to the root namespace):
 *
 *   inet (198.51.100.7/.8, API 203.0.113.53 + 2001:db8:53::53)
 *     | igw: 1:1 NAT public <-> private, maps kept by the fake EC2 API
 *   r0 (hub VPC router)  -- pN: NAT primary (ens5), e1: egress ENI, hN: hub hosts
 *   rK (spoke VPC router, device index K) -- eK: spoke ENI, hN: spoke hosts
 *   park: ENIs not attached to any instance (veth ends with the MAC IMDS reports)
 *   natN: one instance; IMDS on 169.254.169.254 inside it
 *
 * Each router port is point to point: the subnet gateway (.1) as a /32 plus a /32 route
 * to the interface behind it and proxy ARP, which is how the VPC fabric behaves (no ARP
 * flux between two ENIs of one subnet). Route tables follow AWS: the hub's private hosts
 * send 0.0.0.0/0 to the egress ENI (dedicated mode), a spoke's hosts to its spoke ENI.
 */

export const EIP = '192.0.2.10';
export const EIP_ALLOCATION = 'eipalloc-00000000000000e1f';
export const INTERNET = { host: '198.51.100.7', other: '198.51.100.8', api4: '203.0.113.53', api6: '2001:db8:53::53' };
/** Internet-side listeners: whoami (TCP+UDP), a byte sink, a passive acceptor (connection rate), and the port the specs forward (to show it is not hijacked). */
export const PORTS = { whoami: 7000, sink: 7001, accept: 7002, forwarded: 8080 };
export const HUB_V6 = '2001:db8:0:a::';

export type VpcRef = 'hub' | number;

export interface HostSpec {
  readonly vpc: VpcRef;
  readonly ip: string;
}

export interface EniPlan {
  readonly idx: number;
  readonly id: string;
  readonly mac: string;
  readonly ip: string;
  readonly subnet: string;
  readonly vpc: VpcRef;
  readonly vpcCidrs: string[];
}

export const hex2 = (n: number): string => n.toString(16).padStart(2, '0');

/** The NAT's ENIs from nat.conf: the egress ENI (dedicated) and one per SPOKES entry, each in the first /24 of its VPC. */
export function planEnis(conf: Readonly<Record<string, string>>, natVpcCidr: string): EniPlan[] {
  const eni = (idx: number, vpc: VpcRef, cidrs: string[]): EniPlan => {
    const subnet = slash24(host(cidrs[0], 0));
    return { idx, id: `eni-${'0'.repeat(15)}${hex2(idx)}`, mac: `02:ee:00:00:${hex2(idx)}:01`, ip: host(subnet, 5), subnet, vpc, vpcCidrs: cidrs };
  };
  const plans = conf.EGRESS_MODE === 'dedicated' ? [eni(1, 'hub', [natVpcCidr])] : [];
  for (const entry of (conf.SPOKES ?? '').split(' ').filter(Boolean)) {
    const [idx, cidrs] = entry.split('=');
    plans.push(eni(Number(idx), Number(idx), cidrs.split(',')));
  }
  return plans;
}

export interface Topology {
  readonly ns: (role: string) => string;
  readonly router: (vpc: VpcRef) => string;
  readonly natVpcCidr: string;
  readonly dedicated: boolean;
  readonly enis: readonly EniPlan[];
  readonly hosts: readonly HostSpec[];
  /** Where the IGW's nft file is written. */
  readonly igwNftPath: string;
}

/** The bash lines that build the static lab, the namespaces they create, and each host's namespace. */
export function topologyScript(t: Topology): { lines: string[]; namespaces: string[]; hostNs: Map<string, string> } {
  const L: string[] = [];
  const namespaces: string[] = [];
  const hostNs = new Map<string, string>();
  const addNs = (ns: string, forward: boolean): void => {
    namespaces.push(ns);
    L.push(`ip netns add ${ns}`, `ip -n ${ns} link set lo up`);
    if (forward) L.push(`ip netns exec ${ns} sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1`);
  };
  const [park, igw, inet, r0] = [t.ns('park'), t.ns('igw'), t.ns('inet'), t.router('hub')];
  addNs(park, false);
  addNs(igw, true);
  addNs(inet, false);
  const vpcs: VpcRef[] = ['hub', ...t.enis.filter((e) => e.vpc !== 'hub').map((e) => e.vpc)];
  for (const v of vpcs) addNs(t.router(v), true);

  // IGW between the hub router and the internet.
  L.push(`ip link add igw netns ${r0} type veth peer name vpc netns ${igw}`);
  L.push(`ip -n ${r0} addr add 100.64.0.1/30 dev igw`, `ip -n ${r0} addr add 2001:db8:0:ff::1/64 dev igw nodad`, `ip -n ${r0} link set igw up`);
  L.push(`ip -n ${r0} route add default via 100.64.0.2`, `ip -n ${r0} -6 route add default via 2001:db8:0:ff::2`);
  L.push(`ip -n ${igw} addr add 100.64.0.2/30 dev vpc`, `ip -n ${igw} addr add 2001:db8:0:ff::2/64 dev vpc nodad`, `ip -n ${igw} link set vpc up`);
  L.push(`ip -n ${igw} route add ${t.natVpcCidr} via 100.64.0.1`, `ip -n ${igw} -6 route add ${HUB_V6}/64 via 2001:db8:0:ff::1`);
  L.push(`ip link add inet netns ${igw} type veth peer name eth0 netns ${inet}`);
  for (const a of ['198.51.100.1/24', '203.0.113.1/24']) L.push(`ip -n ${igw} addr add ${a} dev inet`);
  L.push(`ip -n ${igw} addr add 2001:db8:53::1/64 dev inet nodad`, `ip -n ${igw} link set inet up`);
  for (const a of [`${INTERNET.host}/24`, `${INTERNET.other}/24`, `${INTERNET.api4}/24`]) L.push(`ip -n ${inet} addr add ${a} dev eth0`);
  L.push(`ip -n ${inet} addr add ${INTERNET.api6}/64 dev eth0 nodad`, `ip -n ${inet} link set eth0 up`);
  L.push(`ip -n ${inet} route add default via 198.51.100.1`, `ip -n ${inet} -6 route add default via 2001:db8:53::1`);
  L.push(`cat >${t.igwNftPath} <<'EOF'\n${IGW_NFT}EOF`, `ip netns exec ${igw} nft -f ${t.igwNftPath}`);
  L.push(`ip netns exec ${r0} nft -f - <<'EOF'\n${HUB_ROUTER_NFT}EOF`);

  // ENIs: parked veth ends; the peer is a port of their VPC's router.
  for (const e of t.enis) {
    const r = t.router(e.vpc);
    L.push(`ip link add eni${e.idx} address ${e.mac} netns ${park} type veth peer name e${e.idx} netns ${r}`);
    L.push(...routerPort(r, `e${e.idx}`, host(e.subnet, 1), e.ip, e.mac));
    if (e.vpc === 'hub') L.push(ownAddress(r0, `e${e.idx}`, e.ip));
    if (e.vpc !== 'hub') L.push(`ip -n ${r} route add default via ${e.ip} dev e${e.idx}`);
  }
  const egress = t.enis.find((e) => e.vpc === 'hub');
  if (t.dedicated && egress) L.push(`ip -n ${r0} route add default via ${egress.ip} dev e1 table 100`);

  // Hosts in private subnets.
  t.hosts.forEach((h, i) => {
    const ns = t.ns(`h${i + 1}`);
    const r = t.router(h.vpc);
    const gw = host(slash24(h.ip), 1);
    addNs(ns, false);
    hostNs.set(`${h.vpc}/${h.ip}`, ns);
    L.push(`ip link add eth0 netns ${ns} type veth peer name h${i + 1} netns ${r}`);
    L.push(`ip -n ${ns} addr add ${h.ip}/24 dev eth0`, `ip -n ${ns} link set eth0 up`, `ip -n ${ns} route add default via ${gw}`);
    L.push(...routerPort(r, `h${i + 1}`, gw, h.ip));
    if (h.vpc === 'hub') L.push(ownAddress(r0, `h${i + 1}`, h.ip));
    if (h.vpc === 'hub' && t.dedicated) {
      // The private route table: VPC-local routes, then 0.0.0.0/0 -> egress ENI.
      L.push(`ip -n ${r} rule add iif h${i + 1} lookup main suppress_prefixlength 0 pref 100`);
      L.push(`ip -n ${r} rule add iif h${i + 1} lookup 100 pref 101`);
    }
  });
  return { lines: L, namespaces, hostNs };
}

/** The primary interface's IPv6 address of the lab's instance number `seq`. */
export function primaryIpv6(seq: number): string {
  return `${HUB_V6}${(9 + seq).toString(16)}`;
}

/** A NAT instance's primary interface (ens5) and its hub router port, as AL2023 has them after DHCP. */
export function primaryInterfaceScript(t: Topology, inst: { ns: string; seq: number; primaryIp: string; primaryMac: string }, ipv4DefaultRoute: boolean): string[] {
  const r0 = t.router('hub');
  const port = `p${inst.seq}`;
  const pub = slash24(host(t.natVpcCidr, 0));
  const v6 = primaryIpv6(inst.seq);
  return [
    `ip netns add ${inst.ns}`,
    `ip -n ${inst.ns} link set lo up`,
    `ip -n ${inst.ns} addr add 169.254.169.254/32 dev lo`,
    `ip link add ens5 address ${inst.primaryMac} netns ${inst.ns} type veth peer name ${port} netns ${r0}`,
    `ip -n ${inst.ns} addr add ${inst.primaryIp}/24 dev ens5`,
    `ip -n ${inst.ns} addr add ${v6}/64 dev ens5 nodad`,
    `ip -n ${inst.ns} link set ens5 up`,
    // As amazon-ec2-net-utils/DHCP leave it on AL2023: metric 512 for device 0.
    ...(ipv4DefaultRoute ? [`ip -n ${inst.ns} route add default via ${host(pub, 1)} dev ens5 proto dhcp metric 512`] : []),
    `ip -n ${inst.ns} -6 route add default via fe80::1 dev ens5`,
    ...routerPort(r0, port, host(pub, 1), inst.primaryIp, inst.primaryMac),
    ownAddress(r0, port, inst.primaryIp),
    `ip -n ${r0} addr add fe80::1/64 dev ${port} nodad`,
    `ip -n ${r0} -6 route add ${v6}/128 dev ${port}`,
  ];
}

/**
 * A router port facing one interface. With `mac` the router knows the interface's MAC
 * as the VPC fabric does (no ARP, so an ENI that moves between instances is reachable
 * the moment it is up again).
 */
function routerPort(router: string, port: string, gw: string, behind: string, mac?: string): string[] {
  return [
    `ip -n ${router} link set ${port} up`,
    `ip -n ${router} addr add ${gw}/32 dev ${port}`,
    `ip -n ${router} route add ${behind}/32 dev ${port}`,
    `ip netns exec ${router} sysctl -qw net.ipv4.conf.${port}.proxy_arp=1`,
    ...(mac ? [`ip -n ${router} neigh replace ${behind} lladdr ${mac} dev ${port} nud permanent`] : []),
  ];
}

function ownAddress(r0: string, port: string, ip: string): string {
  return `ip netns exec ${r0} nft add element ip vpc own_address { "${port}" . ${ip} }`;
}

// AWS's IGW translates only the private address of the interface a packet came from: a
// packet with another source (an unmasqueraded host, a reply sent out the wrong ENI) is dropped.
const HUB_ROUTER_NFT = `table ip vpc {
  set own_address { type ifname . ipv4_addr; }
  chain to_igw {
    type filter hook forward priority filter; policy accept;
    oifname "igw" iifname . ip saddr != @own_address drop
  }
}
`;

// The IGW's 1:1 NAT for public IPs and EIPs; the fake EC2 API fills the maps.
const IGW_NFT = `table ip igw {
  map pub2priv { type ipv4_addr : ipv4_addr; }
  map priv2pub { type ipv4_addr : ipv4_addr; }
  set mapped { type ipv4_addr; }
  chain inbound {
    type nat hook prerouting priority dstnat; policy accept;
    iifname "inet" dnat to ip daddr map @pub2priv
  }
  chain outbound {
    type nat hook postrouting priority srcnat; policy accept;
    oifname "inet" snat to ip saddr map @priv2pub
  }
  chain no_public_ip {
    type filter hook forward priority filter; policy accept;
    iifname "vpc" oifname "inet" ip saddr != @mapped drop
  }
}
`;
