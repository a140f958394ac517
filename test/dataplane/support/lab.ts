import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { host, slash24 } from './addr';
import type { BootBundle } from './boot-bundle';
import { applyNetworkdFiles } from './networkd';
import { background, killGroup, run, runOk, runSync, sleep, type RunResult } from './proc';

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

export const FAKE_DIR = join(__dirname, 'fake');
export const EIP = '192.0.2.10';
export const EIP_ALLOCATION = 'eipalloc-00000000000000e1f';
export const INTERNET = { host: '198.51.100.7', other: '198.51.100.8', api4: '203.0.113.53', api6: '2001:db8:53::53' };
/** Internet-side listeners: whoami (TCP+UDP), a byte sink, a passive acceptor (connection rate), and the port the specs forward (to show it is not hijacked). */
export const PORTS = { whoami: 7000, sink: 7001, accept: 7002, forwarded: 8080 };
const HUB_V6 = '2001:db8:0:a::';

export type VpcRef = 'hub' | number;

export interface HostSpec {
  readonly vpc: VpcRef;
  readonly ip: string;
}

export interface LabOptions {
  /** Short tag for names (letters and digits). */
  readonly name: string;
  readonly bundle: BootBundle;
  /** CIDR of the VPC the NAT lives in (its primary interface's VPC). */
  readonly natVpcCidr: string;
  readonly hosts: readonly HostSpec[];
  /** Dual-stack bootstrap: the primary interface has no public IPv4 and the EC2 API listens on IPv6 only. */
  readonly ipv6Only?: boolean;
  /** The DHCP-style IPv4 default route on the primary interface (default true). */
  readonly ipv4DefaultRoute?: boolean;
}

export interface Instance {
  readonly id: string;
  readonly seq: number;
  readonly ns: string;
  readonly dir: string;
  readonly primaryIp: string;
  readonly primaryMac: string;
  imds?: ChildProcess;
}

interface EniPlan {
  readonly idx: number;
  readonly id: string;
  readonly mac: string;
  readonly ip: string;
  readonly subnet: string;
  readonly vpc: VpcRef;
  readonly vpcCidrs: string[];
}

export interface ApiCall {
  readonly service: string;
  readonly operation: string;
  readonly params: Record<string, string | boolean>;
  readonly peer: string;
  readonly endpointUrl: string | null;
  readonly ok: boolean;
  readonly error?: string;
}

export interface LabState {
  faults: { attachFailures: number; deliver: boolean };
  calls: ApiCall[];
  health: { instanceId: string; status: string; respectGrace: boolean }[];
  igw: Record<string, string>;
  enis: Record<string, { mac: string; park: string; attachment: { instanceId: string; deviceIndex: number; delivered: boolean } | null }>;
  instances: Record<string, Record<string, unknown> & { live: boolean; primaryIp: string }>;
  addresses: { allocationId: string; publicIp: string; privateIp: string | null; eni: string | null }[];
}

const hex2 = (n: number): string => n.toString(16).padStart(2, '0');
let swept = false;

export class Lab {
  readonly prefix: string;
  readonly dir: string;
  readonly dedicated: boolean;
  readonly enis: EniPlan[];
  readonly pubSubnet: string;
  private readonly children: { child: ChildProcess; output: () => string }[] = [];
  private readonly namespaces = new Set<string>();
  private readonly hostNs = new Map<string, string>();
  private instances = 0;

  private constructor(readonly opts: LabOptions) {
    this.prefix = `egdp-${process.pid}-${Math.random().toString(36).slice(2, 6)}-${opts.name}`;
    this.dir = mkdtempSync(join(tmpdir(), `egdp-${process.pid}-${opts.name}-`));
    this.dedicated = opts.bundle.conf.EGRESS_MODE === 'dedicated';
    this.pubSubnet = slash24(host(opts.natVpcCidr, 0));
    this.enis = this.planEnis();
  }

  static async create(opts: LabOptions): Promise<Lab> {
    if (!swept) {
      swept = true;
      await sweepStaleLabs();
      // A worker ended early (interrupted, or exiting when jest goes) still cleans up.
      for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.once(sig, () => destroyAllNow(sig));
      process.once('exit', () => [...liveLabs].forEach((lab) => lab.destroyNow()));
    }
    const lab = new Lab(opts);
    liveLabs.add(lab);
    try {
      await lab.build();
    } catch (e) {
      await lab.destroy();
      throw e;
    }
    return lab;
  }

  ns(role: string): string {
    return `${this.prefix}-${role}`;
  }

  get conf(): Readonly<Record<string, string>> {
    return this.opts.bundle.conf;
  }

  /** The namespace of the host with this address in this VPC. */
  host(vpc: VpcRef, ip: string): string {
    const ns = this.hostNs.get(`${vpc}/${ip}`);
    if (!ns) throw new Error(`no lab host ${ip} in VPC ${vpc}`);
    return ns;
  }

  router(vpc: VpcRef): string {
    return this.ns(vpc === 'hub' ? 'r0' : `r${vpc}`);
  }

  private planEnis(): EniPlan[] {
    const plans: EniPlan[] = [];
    const eni = (idx: number, vpc: VpcRef, cidrs: string[]): EniPlan => {
      const subnet = slash24(host(cidrs[0], 0));
      return { idx, id: `eni-${'0'.repeat(15)}${hex2(idx)}`, mac: `02:ee:00:00:${hex2(idx)}:01`, ip: host(subnet, 5), subnet, vpc, vpcCidrs: cidrs };
    };
    if (this.dedicated) plans.push(eni(1, 'hub', [this.opts.natVpcCidr]));
    for (const entry of (this.conf.SPOKES ?? '').split(' ').filter(Boolean)) {
      const [idx, cidrs] = entry.split('=');
      plans.push(eni(Number(idx), Number(idx), cidrs.split(',')));
    }
    return plans;
  }

  private vpcs(): VpcRef[] {
    return ['hub', ...this.enis.filter((e) => e.vpc !== 'hub').map((e) => e.vpc)];
  }

  /** Lines of a bash script that builds the static part of the lab. */
  private buildScript(): string[] {
    const L: string[] = [];
    const nsx = (ns: string, cmd: string): number => L.push(`ip netns exec ${ns} ${cmd}`);
    const addNs = (ns: string, forward: boolean): void => {
      this.namespaces.add(ns);
      L.push(`ip netns add ${ns}`, `ip -n ${ns} link set lo up`);
      if (forward) nsx(ns, 'sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1');
    };
    const [park, igw, inet, r0] = [this.ns('park'), this.ns('igw'), this.ns('inet'), this.router('hub')];
    addNs(park, false);
    addNs(igw, true);
    addNs(inet, false);
    for (const v of this.vpcs()) addNs(this.router(v), true);

    // IGW between the hub router and the internet.
    L.push(`ip link add igw netns ${r0} type veth peer name vpc netns ${igw}`);
    L.push(`ip -n ${r0} addr add 100.64.0.1/30 dev igw`, `ip -n ${r0} addr add 2001:db8:0:ff::1/64 dev igw nodad`, `ip -n ${r0} link set igw up`);
    L.push(`ip -n ${r0} route add default via 100.64.0.2`, `ip -n ${r0} -6 route add default via 2001:db8:0:ff::2`);
    L.push(`ip -n ${igw} addr add 100.64.0.2/30 dev vpc`, `ip -n ${igw} addr add 2001:db8:0:ff::2/64 dev vpc nodad`, `ip -n ${igw} link set vpc up`);
    L.push(`ip -n ${igw} route add ${this.opts.natVpcCidr} via 100.64.0.1`, `ip -n ${igw} -6 route add ${HUB_V6}/64 via 2001:db8:0:ff::1`);
    L.push(`ip link add inet netns ${igw} type veth peer name eth0 netns ${inet}`);
    for (const a of ['198.51.100.1/24', '203.0.113.1/24']) L.push(`ip -n ${igw} addr add ${a} dev inet`);
    L.push(`ip -n ${igw} addr add 2001:db8:53::1/64 dev inet nodad`, `ip -n ${igw} link set inet up`);
    for (const a of [`${INTERNET.host}/24`, `${INTERNET.other}/24`, `${INTERNET.api4}/24`]) L.push(`ip -n ${inet} addr add ${a} dev eth0`);
    L.push(`ip -n ${inet} addr add ${INTERNET.api6}/64 dev eth0 nodad`, `ip -n ${inet} link set eth0 up`);
    L.push(`ip -n ${inet} route add default via 198.51.100.1`, `ip -n ${inet} -6 route add default via 2001:db8:53::1`);
    writeFileSync(join(this.dir, 'igw.nft'), IGW_NFT);
    nsx(igw, `nft -f ${join(this.dir, 'igw.nft')}`);

    // ENIs: parked veth ends; the peer is a port of their VPC's router.
    for (const e of this.enis) {
      const r = this.router(e.vpc);
      L.push(`ip link add eni${e.idx} address ${e.mac} netns ${park} type veth peer name e${e.idx} netns ${r}`);
      L.push(...routerPort(r, `e${e.idx}`, host(e.subnet, 1), e.ip, e.mac));
      if (e.vpc !== 'hub') L.push(`ip -n ${r} route add default via ${e.ip} dev e${e.idx}`);
    }
    const egress = this.enis.find((e) => e.idx === 1 && e.vpc === 'hub');
    if (this.dedicated && egress) L.push(`ip -n ${r0} route add default via ${egress.ip} dev e1 table 100`);

    // Hosts in private subnets.
    this.opts.hosts.forEach((h, i) => {
      const ns = this.ns(`h${i + 1}`);
      const r = this.router(h.vpc);
      const gw = host(slash24(h.ip), 1);
      addNs(ns, false);
      this.hostNs.set(`${h.vpc}/${h.ip}`, ns);
      L.push(`ip link add eth0 netns ${ns} type veth peer name h${i + 1} netns ${r}`);
      L.push(`ip -n ${ns} addr add ${h.ip}/24 dev eth0`, `ip -n ${ns} link set eth0 up`, `ip -n ${ns} route add default via ${gw}`);
      L.push(...routerPort(r, `h${i + 1}`, gw, h.ip));
      if (h.vpc === 'hub' && this.dedicated) {
        // The private route table: VPC-local routes, then 0.0.0.0/0 -> egress ENI.
        L.push(`ip -n ${r} rule add iif h${i + 1} lookup main suppress_prefixlength 0 pref 100`);
        L.push(`ip -n ${r} rule add iif h${i + 1} lookup 100 pref 101`);
      }
    });
    return L;
  }

  private initialState(): object {
    const natId = this.conf.NAT_ID;
    const egress = this.enis.find((e) => e.vpc === 'hub');
    return {
      region: this.conf.REGION,
      natId,
      ns: { park: this.ns('park'), igw: this.ns('igw') },
      enis: Object.fromEntries(
        this.enis.map((e) => [
          e.id,
          {
            mac: e.mac, ip: e.ip, subnet: e.subnet, vpcCidrs: e.vpcCidrs, park: `eni${e.idx}`, attachment: null,
            tags: { 'cdktf-egress:nat': natId, 'cdktf-egress:device-index': String(e.idx), Name: `${natId}-${e.idx}` },
          },
        ]),
      ),
      instances: {},
      addresses: [
        { allocationId: EIP_ALLOCATION, publicIp: EIP, tags: { 'cdktf-egress:nat': natId }, privateIp: egress?.ip ?? null, eni: egress?.id ?? null },
      ],
      igw: egress ? { [egress.ip]: EIP } : {},
      faults: { attachFailures: 0, deliver: true },
      calls: [],
      health: [],
    };
  }

  private async build(): Promise<void> {
    const script = join(this.dir, 'build.sh');
    writeFileSync(script, ['set -euo pipefail', ...this.buildScript(), ''].join('\n'));
    await runOk(['bash', script], { timeoutMs: 30_000 });
    mkdirSync(join(this.dir, 'bin'));
    copyFileSync(join(FAKE_DIR, 'aws'), join(this.dir, 'bin', 'aws'));
    runSync(['chmod', '0755', join(this.dir, 'bin', 'aws')]);
    const r = this.conf.REGION;
    const v4 = `${INTERNET.api4}:80`;
    const v6 = `[${INTERNET.api6}]:80`;
    writeFileSync(
      join(this.dir, 'endpoints.json'),
      JSON.stringify({ [`ec2.${r}.amazonaws.com`]: v4, [`autoscaling.${r}.amazonaws.com`]: v4, [`ec2.${r}.api.aws`]: v6, [`autoscaling.${r}.api.aws`]: v6 }),
    );
    this.writeState(this.initialState() as LabState);
    await this.syncIgw();
    const inet = this.ns('inet');
    const listens = this.opts.ipv6Only ? ['--listen', v6] : ['--listen', v4, '--listen', v6];
    const servers: [string, string[]][] = [
      [inet, ['python3', join(FAKE_DIR, 'ec2api.py'), 'serve', this.dir, ...listens]],
      [inet, [...netprobe(), 'serve', '--tcp-whoami', `0.0.0.0:${PORTS.whoami}`, '--udp-whoami', `0.0.0.0:${PORTS.whoami}`,
        '--tcp-whoami', `0.0.0.0:${PORTS.forwarded}`, '--tcp-sink', `0.0.0.0:${PORTS.sink}`, '--tcp-accept', `0.0.0.0:${PORTS.accept}`, '--icmp-log', join(this.dir, 'icmp.log')]],
      ...this.opts.hosts.map((h): [string, string[]] => [this.host(h.vpc, h.ip),
        [...netprobe(), 'serve', '--tcp-whoami', '0.0.0.0:80', '--tcp-whoami', `0.0.0.0:${PORTS.whoami}`]]),
    ];
    await Promise.all(servers.map(([ns, argv], i) => this.startServer(ns, argv, `server-${i}`)));
  }

  /** Starts a server in a namespace and waits (bounded) for its ready file. */
  private async startServer(ns: string, argv: string[], name: string): Promise<ChildProcess> {
    const ready = join(this.dir, `${name}.ready`);
    rmSync(ready, { force: true });
    const withReady = argv[1].endsWith('imds.py') ? [...argv, ready] : [...argv, '--ready', ready];
    const bg = background(['ip', 'netns', 'exec', ns, ...withReady]);
    this.children.push(bg);
    for (let i = 0; i < 100; i++) {
      if (existsSync(ready)) return bg.child;
      if (bg.child.exitCode !== null) break;
      await sleep(50);
    }
    throw new Error(`${name} (${argv.join(' ')}) in ${ns} did not start: ${bg.output()}`);
  }

  state(): LabState {
    return JSON.parse(readFileSync(join(this.dir, 'state.json'), 'utf8')) as LabState;
  }

  /** Only while no boot script runs: the fake API rewrites this file on every call. */
  writeState(state: LabState): void {
    writeFileSync(join(this.dir, 'state.json.tmp'), JSON.stringify(state, null, 1));
    runSync(['mv', '-f', join(this.dir, 'state.json.tmp'), join(this.dir, 'state.json')]);
  }

  setFaults(faults: Partial<LabState['faults']>): void {
    const s = this.state();
    s.faults = { ...s.faults, ...faults };
    this.writeState(s);
  }

  calls(instance?: Instance): ApiCall[] {
    return this.state().calls.filter((c) => !instance || c.params['instance-id'] === undefined || c.params['instance-id'] === instance.id);
  }

  private syncIgw(): Promise<string> {
    return runOk(['python3', join(FAKE_DIR, 'ec2api.py'), 'sync-igw', this.dir]);
  }

  /** A new instance: its namespace, primary interface (ens5 with its address and DHCP-style default route) and IMDS. */
  async launch(confOverrides: Record<string, string> = {}): Promise<Instance> {
    const seq = ++this.instances;
    const inst: Instance = {
      id: `i-${'0'.repeat(15)}${hex2(seq)}`,
      seq,
      ns: this.ns(`nat${seq}`),
      dir: join(this.dir, `instance-${seq}`),
      primaryIp: host(this.pubSubnet, 9 + seq),
      primaryMac: `02:ee:00:01:00:${hex2(seq)}`,
    };
    mkdirSync(join(inst.dir, 'networkd'), { recursive: true });
    let conf = this.opts.bundle.confText;
    for (const [k, v] of Object.entries(confOverrides)) conf = conf.replace(new RegExp(`^${k}=.*$`, 'm'), `${k}="${v}"`);
    writeFileSync(join(inst.dir, 'nat.conf'), conf);
    const s = this.state();
    s.instances[inst.id] = {
      ns: inst.ns, primaryEni: `eni-1${'0'.repeat(14)}${hex2(seq)}`, primaryMac: inst.primaryMac, primaryIp: inst.primaryIp,
      subnet: this.pubSubnet, vpcCidrs: [this.opts.natVpcCidr], live: true,
    };
    if (!this.opts.ipv6Only) s.igw[inst.primaryIp] = `192.0.2.${100 + seq}`;
    this.writeState(s);
    await this.syncIgw();
    await this.powerOn(inst);
    return inst;
  }

  private async powerOn(inst: Instance): Promise<void> {
    const r0 = this.router('hub');
    const port = `p${inst.seq}`;
    const v6 = `${HUB_V6}${(9 + inst.seq).toString(16)}`;
    this.namespaces.add(inst.ns);
    const L = [
      `ip netns add ${inst.ns}`,
      `ip -n ${inst.ns} link set lo up`,
      `ip -n ${inst.ns} addr add 169.254.169.254/32 dev lo`,
      `ip link add ens5 address ${inst.primaryMac} netns ${inst.ns} type veth peer name ${port} netns ${r0}`,
      `ip -n ${inst.ns} addr add ${inst.primaryIp}/24 dev ens5`,
      `ip -n ${inst.ns} addr add ${v6}/64 dev ens5 nodad`,
      `ip -n ${inst.ns} link set ens5 up`,
      // As amazon-ec2-net-utils/DHCP leave it on AL2023: metric 512 for device 0.
      ...(this.opts.ipv4DefaultRoute === false ? [] : [`ip -n ${inst.ns} route add default via ${host(this.pubSubnet, 1)} dev ens5 proto dhcp metric 512`]),
      `ip -n ${inst.ns} -6 route add default via fe80::1 dev ens5`,
      ...routerPort(r0, port, host(this.pubSubnet, 1), inst.primaryIp, inst.primaryMac),
      `ip -n ${r0} addr add fe80::1/64 dev ${port} nodad`,
      `ip -n ${r0} -6 route add ${v6}/128 dev ${port}`,
    ];
    await runOk(['bash', '-euo', 'pipefail', '-c', L.join('\n')]);
    // ENIs that stay attached across a reboot come back with the instance.
    for (const [, eni] of Object.entries(this.state().enis)) {
      const a = eni.attachment;
      if (a && a.instanceId === inst.id && a.delivered) {
        await runOk(['ip', '-n', this.ns('park'), 'link', 'set', 'dev', eni.park, 'netns', inst.ns]);
        await runOk(['ip', '-n', inst.ns, 'link', 'set', 'dev', eni.park, 'name', `ens${5 + a.deviceIndex}`]);
      }
    }
    inst.imds = await this.startServer(inst.ns, ['python3', join(FAKE_DIR, 'imds.py'), this.dir, inst.id], `imds-${inst.seq}`);
  }

  /** Takes the instance's attached ENIs back to the park and deletes its namespace. */
  private async powerOff(inst: Instance): Promise<void> {
    if (inst.imds) killGroup(inst.imds);
    const links = await run(['ip', '-n', inst.ns, '-br', 'link', 'show']);
    for (const [, eni] of Object.entries(this.state().enis)) {
      if (eni.attachment?.instanceId !== inst.id || !eni.attachment.delivered) continue;
      const line = links.stdout.split('\n').find((l) => l.split(/\s+/)[2] === eni.mac);
      if (!line) continue;
      const dev = line.split(/\s+/)[0].replace(/@.*/, '');
      await runOk(['ip', '-n', inst.ns, 'link', 'set', 'dev', dev, 'netns', this.ns('park')]);
      await runOk(['ip', '-n', this.ns('park'), 'link', 'set', 'dev', dev, 'name', eni.park]);
    }
    // Namespace teardown is asynchronous in the kernel: delete the primary veth (and so
    // its router port) now, so a reboot can create them again at once.
    await runOk(['ip', '-n', inst.ns, 'link', 'del', 'ens5']);
    await deleteNamespace(inst.ns);
  }

  /** Terminates the instance: the ENIs are detached, the EIP leaves a deleted primary interface. */
  async terminate(inst: Instance): Promise<void> {
    await this.powerOff(inst);
    this.namespaces.delete(inst.ns);
    const s = this.state();
    for (const eni of Object.values(s.enis)) if (eni.attachment?.instanceId === inst.id) eni.attachment = null;
    s.instances[inst.id].live = false;
    delete s.igw[inst.primaryIp];
    for (const a of s.addresses) if (a.privateIp === inst.primaryIp) Object.assign(a, { privateIp: null, eni: null });
    this.writeState(s);
    await this.syncIgw();
  }

  /** A reboot: fresh kernel state, same disk, ENIs still attached; systemd-networkd applies its files before the unit runs. */
  async reboot(inst: Instance): Promise<void> {
    await this.powerOff(inst);
    await this.powerOn(inst);
    await applyNetworkdFiles(inst.ns, join(inst.dir, 'networkd'));
  }

  /** Runs the boot script from the bundle inside the instance, as the unit would. */
  boot(inst: Instance, timeoutMs = 100_000): Promise<RunResult> {
    const path = `${join(this.dir, 'bin')}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin`;
    return run(
      ['ip', 'netns', 'exec', inst.ns, 'env', '-i', `PATH=${path}`, `EGRESS_CONF=${join(inst.dir, 'nat.conf')}`,
        `EGRESS_NETWORKD_DIR=${join(inst.dir, 'networkd')}`, this.opts.bundle.scriptPath],
      { timeoutMs },
    );
  }

  async bootOk(inst: Instance): Promise<RunResult> {
    const r = await this.boot(inst);
    if (r.code !== 0) throw new Error(`boot script exited ${r.code ?? r.signal} after ${r.ms} ms:\n${r.stderr}${r.stdout}`);
    return r;
  }

  exec(ns: string, argv: string[], timeoutMs = 15_000): Promise<RunResult> {
    return run(['ip', 'netns', 'exec', ns, ...argv], { timeoutMs });
  }

  async sh(ns: string, cmd: string): Promise<string> {
    return runOk(['ip', 'netns', 'exec', ns, 'sh', '-c', cmd]);
  }

  /** Runs a netprobe client in a namespace and returns its JSON answer. */
  async probe(ns: string, args: string[], timeoutMs = 20_000): Promise<Record<string, unknown>> {
    const out = await runOk(['ip', 'netns', 'exec', ns, ...netprobe(), ...args], { timeoutMs });
    return JSON.parse(out) as Record<string, unknown>;
  }

  icmpLog(): string {
    const p = join(this.dir, 'icmp.log');
    return existsSync(p) ? readFileSync(p, 'utf8') : '';
  }

  /** The instance's network state, counters stripped, for comparing two runs. */
  async snapshot(inst: Instance): Promise<Record<string, string>> {
    const q = async (cmd: string): Promise<string> => (await this.sh(inst.ns, cmd)).replace(/counter packets \d+ bytes \d+/g, 'counter');
    return {
      nft: await q('nft list ruleset'),
      rules: await q('ip -4 rule show'),
      routes: await q('ip -4 route show table all | grep -v "^local\\|^broadcast" | sort'),
      addrs: await q("ip -4 -o addr show | awk '{print $2, $4}' | sort"),
    };
  }

  async destroy(): Promise<void> {
    liveLabs.delete(this);
    for (const c of this.children) killGroup(c.child);
    for (const ns of [...this.namespaces].reverse()) await deleteNamespace(ns);
    this.namespaces.clear();
    if (!process.env.EGDP_KEEP) rmSync(this.dir, { recursive: true, force: true });
  }

  /** For a signal: no awaiting, everything synchronous. */
  destroyNow(): void {
    for (const c of this.children) killGroup(c.child);
    for (const ns of this.namespaces) {
      for (const pid of runSync(['ip', 'netns', 'pids', ns]).stdout.split('\n').filter(Boolean)) killPid(Number(pid));
      runSync(['ip', 'netns', 'del', ns]);
    }
    this.namespaces.clear();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

function netprobe(): string[] {
  return ['python3', join(FAKE_DIR, 'netprobe.py')];
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

const liveLabs = new Set<Lab>();

function destroyAllNow(signal: NodeJS.Signals): void {
  for (const lab of liveLabs) lab.destroyNow();
  process.kill(process.pid, signal);
}

function killPid(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // gone already
  }
}

/** Kills what still runs in a lab namespace (only lab processes live there), then deletes it. */
async function deleteNamespace(ns: string): Promise<void> {
  const pids = (await run(['ip', 'netns', 'pids', ns], { timeoutMs: 5000 })).stdout.split('\n').filter(Boolean);
  for (const pid of pids) killPid(Number(pid));
  await run(['ip', 'netns', 'del', ns], { timeoutMs: 5000 });
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/**
 * What runs whose jest worker died before its afterAll left behind: namespaces (and the
 * processes in them) and temp dirs, all named egdp-<pid>-..., for pids no longer alive.
 */
async function sweepStaleLabs(): Promise<void> {
  const list = (await run(['ip', 'netns', 'list'])).stdout;
  for (const line of list.split('\n')) {
    const m = /^(egdp-(\d+)-\S+)/.exec(line);
    if (m && !alive(Number(m[2]))) await deleteNamespace(m[1]);
  }
  for (const entry of readdirSync(tmpdir())) {
    const m = /^egdp-(\d+)-/.exec(entry);
    if (m && !alive(Number(m[1]))) rmSync(join(tmpdir(), entry), { recursive: true, force: true });
  }
}

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
