import { appendFileSync, chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { host, slash24 } from './addr';
import type { BootBundle } from './boot-bundle';
import { deleteNamespace, sweepStaleLabs } from './lab-cleanup';
import {
  EIP, EIP_ALLOCATION, HUB_V6, hex2, primaryIpv6, INTERNET, planEnis, PORTS, primaryInterfaceScript, topologyScript,
  type EniPlan, type HostSpec, type Topology, type VpcRef,
} from './lab-topology';
import { LOADER_PATH, MANIFEST_PATH, s3Names, uploadBootObjects, writeS3Cli } from './boot-s3';
import { startMoto, type MotoServer } from '../../moto/moto-server';
import { MotoWorld, PROXY_CONTROL_PORT } from './moto-lab';
import { applyNetworkdFiles } from './networkd';
import { background, killGroup, python3, run, runOk, sleep, type RunResult } from './proc';

export { EIP, INTERNET, PORTS, type HostSpec, type VpcRef } from './lab-topology';

export const FAKE_DIR = join(__dirname, 'fake');
/** Where the lab's S3 (the AWS API emulator, for a bundle whose boot files are in S3) listens on the internet side. */
export const S3_PORT = 9000;
export const WATCH_SCRIPT_PATH = '/opt/cdktf-egress/nat-watch.sh';

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
  /**
   * Whose EC2 and Auto Scaling API the instances call: the lab's fake (fake/ec2api.py), or
   * the AWS API emulator (moto) behind a fault proxy, with the real AWS CLI (support/moto-lab.ts).
   * @default 'fake'
   */
  readonly api?: 'fake' | 'moto';
  /**
   * For a bundle whose boot files are in S3: the lab runs an S3 (the AWS API emulator) with
   * the bundle's boot objects, and every launch runs the user data's loader against it, as
   * cloud-init's first step does. Off, instances run the files the bundle's own load
   * installed from S3 (once, on the host): enough where the loader is not the subject.
   * @default false
   */
  readonly loadBootFiles?: boolean;
}

export interface Instance {
  readonly id: string;
  readonly seq: number;
  readonly ns: string;
  /** Its "disk": nat.conf (as cloud-init wrote it) and the systemd-networkd directory. */
  readonly dir: string;
  readonly primaryIp: string;
  readonly primaryMac: string;
  imds?: ChildProcess;
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

export interface MetricDatum {
  readonly namespace: string;
  readonly t: number;
  readonly MetricName: string;
  readonly Unit: string;
  readonly Value: number;
  readonly Dimensions: Record<string, string>;
}

/** state.json, shared with the fake EC2 API and IMDS (see fake/ec2api.py). */
export interface LabState {
  faults: { attachFailures: number; deliver: boolean; deliverFailures?: number; errors?: Record<string, string[]> };
  calls: ApiCall[];
  health: { instanceId: string; status: string; respectGrace: boolean }[];
  lifecycle: { instanceId: string; hook: string; result: 'CONTINUE' | 'ABANDON'; t: number }[];
  asg?: { name: string; launchHook?: string; terminateHook?: string };
  /** What put-metric-data accepted (fake/cloudwatch.py). */
  metrics?: MetricDatum[];
  igw: Record<string, string>;
  enis: Record<string, { mac: string; park: string; attachment: { instanceId: string; deviceIndex: number; delivered: boolean } | null }>;
  instances: Record<string, Record<string, unknown> & { live: boolean; primaryIp: string }>;
  addresses: { allocationId: string; publicIp: string; tags: Record<string, string>; privateIp: string | null; eni: string | null }[];
}

let swept = false;

/** One lab (see lab-topology.ts): its namespaces, fake cloud, and the NAT instances launched in it. */
export class Lab {
  readonly prefix: string;
  readonly dir: string;
  /** The NAT's ENIs; in a lab on moto, with the IDs moto gave them. */
  enis: readonly EniPlan[];
  private readonly topology: Topology;
  private readonly children: { child: ChildProcess; output: () => string }[] = [];
  private readonly namespaces = new Set<string>();
  private hostNs = new Map<string, string>();
  private instances = 0;
  private reaper?: ChildProcess;
  /** The lab's S3, serving the bundle's boot objects (only for a bundle whose boot files are in S3). */
  s3?: MotoServer;
  /** The lab's cloud in moto (a lab with `api: 'moto'`), and the proxy's record and faults. */
  moto?: MotoWorld;
  private lastLaunch = 0;
  private hubSubnetId = '';
  private readonly watchers = new Map<string, ChildProcess[]>();

  private constructor(readonly opts: LabOptions) {
    this.prefix = `egdp-${process.pid}-${Math.random().toString(36).slice(2, 6)}-${opts.name}`;
    this.dir = mkdtempSync(join(tmpdir(), `egdp-${process.pid}-${opts.name}-`));
    this.enis = planEnis(opts.bundle.conf, opts.natVpcCidr);
    this.topology = {
      ns: (role) => this.ns(role),
      router: (vpc) => this.router(vpc),
      natVpcCidr: opts.natVpcCidr,
      dedicated: opts.bundle.conf.EGRESS_MODE === 'dedicated',
      enis: this.enis,
      hosts: opts.hosts,
      igwNftPath: join(this.dir, 'igw.nft'),
    };
  }

  static async create(opts: LabOptions): Promise<Lab> {
    if (!swept) {
      swept = true;
      await sweepStaleLabs();
    }
    const lab = new Lab(opts);
    // Cleans up should this process die before destroy() (a killed jest worker).
    lab.reaper = background(['bash', join(__dirname, 'lab-reaper.sh'), String(process.pid), lab.dir]).child;
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

  router(vpc: VpcRef): string {
    return this.ns(vpc === 'hub' ? 'r0' : `r${vpc}`);
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

  /** Every namespace also goes into <lab>/namespaces, for lab-reaper.sh. */
  private track(ns: string): void {
    this.namespaces.add(ns);
    appendFileSync(join(this.dir, 'namespaces'), `${ns}\n`);
  }

  private initialState(allocationId = EIP_ALLOCATION): LabState & Record<string, unknown> {
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
        { allocationId, publicIp: EIP, tags: { 'cdktf-egress:nat': natId }, privateIp: egress?.ip ?? null, eni: egress?.id ?? null },
      ],
      igw: egress ? { [egress.ip]: EIP } : {},
      faults: { attachFailures: 0, deliver: true },
      calls: [],
      health: [],
      lifecycle: [],
    };
  }

  private async build(): Promise<void> {
    const { lines, namespaces, hostNs } = topologyScript(this.topology);
    namespaces.forEach((ns) => this.track(ns));
    this.hostNs = hostNs;
    writeFileSync(join(this.dir, 'build.sh'), ['set -euo pipefail', ...lines, ''].join('\n'));
    await runOk(['bash', join(this.dir, 'build.sh')], { timeoutMs: 30_000 });
    mkdirSync(join(this.dir, 'bin'));
    copyFileSync(join(FAKE_DIR, 'aws'), join(this.dir, 'bin', 'aws'));
    chmodSync(join(this.dir, 'bin', 'aws'), 0o755);
    // The lab's DNS for the fake CLI: the dual-stack names have only IPv6 addresses.
    const r = this.conf.REGION;
    const v4 = `${INTERNET.api4}:80`;
    const v6 = `[${INTERNET.api6}]:80`;
    if (this.opts.loadBootFiles && !this.opts.bundle.s3) throw new Error('loadBootFiles: the bundle\'s boot files are in its user data, not in S3');
    const s3 = this.opts.loadBootFiles ? this.opts.bundle.s3 : undefined;
    writeFileSync(
      join(this.dir, 'endpoints.json'),
      JSON.stringify({
        [`ec2.${r}.amazonaws.com`]: v4, [`autoscaling.${r}.amazonaws.com`]: v4, [`monitoring.${r}.amazonaws.com`]: v4,
        [`ec2.${r}.api.aws`]: v6, [`autoscaling.${r}.api.aws`]: v6, [`monitoring.${r}.api.aws`]: v6,
        ...(s3 ? s3Names(r, this.opts.ipv6Only ? undefined : `${INTERNET.api4}:${S3_PORT}`, `[${INTERNET.api6}]:${S3_PORT}`) : {}),
      }),
    );
    this.writeState(this.initialState());
    await this.syncIgw();
    const inet = this.ns('inet');
    const onMoto = this.opts.api === 'moto';
    if (s3 || onMoto) {
      // The emulator on the internet side, dual-stack (IPv4 only when the lab has it), with the stack's boot objects.
      this.s3 = await startMoto({ netns: inet, host: '::', port: S3_PORT });
      if (s3) await uploadBootObjects(`http://127.0.0.1:${S3_PORT}`, s3.manifest, s3.objects, join(this.dir, 's3'), inet);
      await writeS3Cli(this.dir);
    }
    if (onMoto) await this.seedMoto(inet);
    const listens = this.opts.ipv6Only ? ['--listen', v6] : ['--listen', v4, '--listen', v6];
    const api = onMoto
      ? [python3(), join(FAKE_DIR, 'motoproxy.py'), this.dir, '--upstream', `127.0.0.1:${S3_PORT}`, ...listens, '--listen', `127.0.0.1:${PROXY_CONTROL_PORT}`]
      : [python3(), join(FAKE_DIR, 'ec2api.py'), 'serve', this.dir, ...listens];
    const servers: [string, string[]][] = [
      [inet, api],
      [inet, [...netprobe(), 'serve', '--tcp-whoami', `0.0.0.0:${PORTS.whoami}`, '--udp-whoami', `0.0.0.0:${PORTS.whoami}`,
        '--tcp-whoami', `0.0.0.0:${PORTS.forwarded}`, '--tcp-sink', `0.0.0.0:${PORTS.sink}`, '--tcp-accept', `0.0.0.0:${PORTS.accept}`,
        '--icmp-log', join(this.dir, 'icmp.log')]],
      ...this.opts.hosts.map((h): [string, string[]] => [this.host(h.vpc, h.ip),
        [...netprobe(), 'serve', '--tcp-whoami', '0.0.0.0:80', '--tcp-whoami', `0.0.0.0:${PORTS.whoami}`]]),
    ];
    await Promise.all(servers.map(([ns, argv], i) => this.startServer(ns, argv, `server-${i}`)));
  }

  /** The Auto Scaling group moto keeps the lab's instances in. */
  private get motoGroup(): string {
    return `${this.conf.NAT_ID}-asg`;
  }

  /**
   * The lab's cloud made in moto: the VPCs, the NAT's ENIs at the lab's addresses, the EIP
   * (on the egress ENI, as the stack leaves it), a group for the instances. The lab's state
   * then names moto's IDs, and every EC2 and Auto Scaling call goes to moto (fake/aws, api-moto).
   */
  private async seedMoto(inet: string): Promise<void> {
    const natId = this.conf.NAT_ID;
    this.moto = new MotoWorld(this.dir, inet, this.conf.REGION);
    const egress = this.enis.find((e) => e.vpc === 'hub');
    const seeded = await this.moto.seed({
      natId, group: this.motoGroup, hubCidr: this.opts.natVpcCidr, hubSubnet: slash24(host(this.opts.natVpcCidr, 0)), eip: EIP, eipOn: egress?.idx,
      enis: this.enis.map((e) => ({ idx: e.idx, ip: e.ip, subnet: e.subnet, vpcCidr: e.vpcCidrs[0] })),
    });
    this.enis = this.enis.map((e) => ({ ...e, id: seeded.enis[String(e.idx)] }));
    this.moto.setMacs(Object.fromEntries(this.enis.map((e) => [e.id, e.mac])));
    this.hubSubnetId = seeded.hubSubnet;
    this.writeState(this.initialState(seeded.allocationId));
    writeFileSync(join(this.dir, 'api-moto'), '');
  }

  /** Starts a server in a namespace and waits (bounded) for its ready file. */
  private async startServer(ns: string, argv: string[], name: string): Promise<ChildProcess> {
    const ready = join(this.dir, `${name}.ready`);
    rmSync(ready, { force: true });
    const withReady = argv[1].endsWith('imds.py') ? [...argv, ready] : [...argv, '--ready', ready];
    const bg = background(['ip', 'netns', 'exec', ns, ...withReady]);
    this.children.push(bg);
    // A Python server starts in well under a second; on 2 cores under a full `npm test`
    // (load 12) it has taken over 5 s, so it gets a minute.
    for (let i = 0; i < 1200; i++) {
      if (existsSync(ready)) return bg.child;
      if (bg.child.exitCode !== null) break;
      await sleep(50);
    }
    throw new Error(`${name} (${argv.join(' ')}) in ${ns} did not start in 60 s (exit ${bg.child.exitCode}): ${bg.output()}`);
  }

  /** A TCP whoami server on `port` in a namespace (a service on the NAT itself, say). */
  async serveWhoami(ns: string, port: number): Promise<void> {
    await this.startServer(ns, [...netprobe(), 'serve', '--tcp-whoami', `0.0.0.0:${port}`], `whoami-${ns}-${port}`);
  }

  state(): LabState {
    return JSON.parse(readFileSync(join(this.dir, 'state.json'), 'utf8')) as LabState;
  }

  /** Only while no boot script runs: the fake API rewrites this file on every call. */
  writeState(state: LabState): void {
    writeFileSync(join(this.dir, 'state.json.tmp'), JSON.stringify(state, null, 1));
    renameSync(join(this.dir, 'state.json.tmp'), join(this.dir, 'state.json'));
  }

  /** Deep-merges `patch` into state.json under the fake API's lock: safe while boot scripts run. */
  async patchState(patch: Record<string, unknown>): Promise<void> {
    await runOk([python3(), join(FAKE_DIR, 'ec2api.py'), 'patch', this.dir], { input: JSON.stringify(patch) });
  }

  setFaults(faults: Partial<LabState['faults']>): void {
    const s = this.state();
    s.faults = { ...s.faults, ...faults };
    this.writeState(s);
  }

  calls(): ApiCall[] {
    return this.state().calls;
  }

  syncIgw(): Promise<string> {
    return runOk([python3(), join(FAKE_DIR, 'ec2api.py'), 'sync-igw', this.dir]);
  }

  /**
   * A new instance: its namespace, primary interface (ens5 with its address and DHCP-style
   * default route) and IMDS. In a lab that loads the boot files, cloud-init's first step is
   * run too: the loader from the user data, inside the instance, fetching from the lab's S3
   * (unless `runLoader` is false: the instance tier's cloud-init runs it itself).
   */
  async launch(confOverrides: Record<string, string> = {}, opts: { asgLifecycleState?: string; runLoader?: boolean } = {}): Promise<Instance> {
    const seq = ++this.instances;
    const pub = slash24(host(this.opts.natVpcCidr, 0));
    const primaryIp = host(pub, 9 + seq);
    const primaryMac = `02:ee:00:01:00:${hex2(seq)}`;
    let id = `i-${'0'.repeat(15)}${hex2(seq)}`;
    let primaryEni = `eni-1${'0'.repeat(14)}${hex2(seq)}`;
    let launchTime = new Date().toISOString().replace(/\.\d+Z$/, '+00:00');
    if (this.moto) {
      // EC2 launch times are whole seconds: a second apart, the later one is the successor without a tie.
      await sleep(Math.max(0, this.lastLaunch + 1100 - Date.now()));
      const m = await this.moto.launch({ natId: this.conf.NAT_ID, group: this.motoGroup, subnet: this.hubSubnetId, ip: primaryIp });
      this.lastLaunch = Date.now();
      ({ instanceId: id, primaryEni, launchTime } = m);
      this.moto.setMacs({ [primaryEni]: primaryMac });
    }
    const inst: Instance = { id, seq, ns: this.ns(`nat${seq}`), dir: join(this.dir, `instance-${seq}`), primaryIp, primaryMac };
    mkdirSync(join(inst.dir, 'networkd'), { recursive: true });
    let conf = this.opts.bundle.confText;
    for (const [k, v] of Object.entries(confOverrides)) conf = conf.replace(new RegExp(`^${k}=.*$`, 'm'), `${k}="${v}"`);
    writeFileSync(join(inst.dir, 'nat.conf'), conf);
    const s = this.state();
    s.instances[inst.id] = {
      ...(opts.asgLifecycleState ? { lifecycleState: opts.asgLifecycleState } : {}),
      ns: inst.ns, primaryEni, primaryMac: inst.primaryMac, primaryIp: inst.primaryIp,
      // An IPv6-only lab is an IPv6-enabled hub: IMDS lists the primary interface's IPv6 address.
      ...(this.opts.ipv6Only ? { primaryIpv6: primaryIpv6(seq), subnetIpv6: `${HUB_V6}/64` } : {}),
      subnet: pub, vpcCidrs: [this.opts.natVpcCidr], live: true, state: 'running', launchTime,
    };
    const igw = this.opts.ipv6Only ? {} : { [inst.primaryIp]: `192.0.2.${100 + seq}` };
    // Under the API's lock: other instances' boot scripts may be calling it now.
    await this.patchState({ instances: { [inst.id]: s.instances[inst.id] }, igw });
    await this.syncIgw();
    await this.powerOn(inst);
    if (this.opts.loadBootFiles && opts.runLoader !== false) {
      const r = await this.loadBootFiles(inst);
      if (r.code !== 0) throw new Error(`the boot loader exited ${r.code ?? r.signal} in ${inst.id} after ${r.ms} ms:\n${r.stderr}${r.stdout}`);
    }
    return inst;
  }

  /**
   * The user data's loader inside the instance, as cloud-init's runcmd runs it: the lab's fake
   * `aws` on PATH hands its S3 calls to the real CLI, IMDS is the instance's. It installs into
   * the bundle's root (the same bytes for every instance: each is checked against its digest),
   * with a cache of the instance's own, so every launch fetches from S3.
   */
  loadBootFiles(inst: Instance, timeoutMs = 180_000): Promise<RunResult> {
    const root = this.opts.bundle.root;
    const path = `${join(this.dir, 'bin')}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin`;
    return run(['ip', 'netns', 'exec', inst.ns, 'env', '-i', `PATH=${path}`, `EGRESS_BOOT_MANIFEST=${join(root, MANIFEST_PATH)}`,
      `EGRESS_BOOT_ROOT=${root}`, `EGRESS_BOOT_CACHE=${join(inst.dir, 'boot-cache')}`, 'bash', join(root, LOADER_PATH)], { timeoutMs });
  }

  private async powerOn(inst: Instance): Promise<void> {
    this.track(inst.ns);
    await runOk(['bash', '-euo', 'pipefail', '-c', primaryInterfaceScript(this.topology, inst, this.opts.ipv4DefaultRoute !== false).join('\n')]);
    // ENIs that stay attached across a reboot come back with the instance.
    for (const eni of Object.values(this.state().enis)) {
      const a = eni.attachment;
      if (a && a.instanceId === inst.id && a.delivered) {
        await runOk(['ip', '-n', this.ns('park'), 'link', 'set', 'dev', eni.park, 'netns', inst.ns]);
        await runOk(['ip', '-n', inst.ns, 'link', 'set', 'dev', eni.park, 'name', `ens${5 + a.deviceIndex}`]);
      }
    }
    inst.imds = await this.startServer(inst.ns, [python3(), join(FAKE_DIR, 'imds.py'), this.dir, inst.id], `imds-${inst.seq}`);
  }

  /** Takes the instance's attached ENIs back to the park and deletes its namespace. */
  private async powerOff(inst: Instance): Promise<void> {
    if (inst.imds) killGroup(inst.imds);
    const links = await run(['ip', '-n', inst.ns, '-br', 'link', 'show']);
    for (const eni of Object.values(this.state().enis)) {
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
    if (inst.imds) killGroup(inst.imds);
    for (const w of this.watchers.get(inst.id) ?? []) killGroup(w);
    if (this.moto) {
      await this.patchState({ instances: { [inst.id]: { live: false, state: 'terminated', terminatedAt: Date.now() / 1000 } } });
      await this.moto.terminate(inst.id, this.motoGroup);
    } else {
      await runOk([python3(), join(FAKE_DIR, 'ec2api.py'), 'terminate', this.dir, inst.id]);
    }
    await this.powerOff(inst);
    this.namespaces.delete(inst.ns);
  }

  /**
   * Starts the shipped interface watcher (nat-watch.sh) inside the instance, as its unit
   * would after a successful boot; `env` shortens its windows for a test.
   */
  watch(inst: Instance, env: Record<string, string> = {}): { output: () => string } {
    const path = `${join(this.dir, 'bin')}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin`;
    const script = join(this.opts.bundle.root, WATCH_SCRIPT_PATH);
    const bg = background(['ip', 'netns', 'exec', inst.ns, 'env', '-i', `PATH=${path}`, `EGRESS_CONF=${join(inst.dir, 'nat.conf')}`,
      `EGRESS_NETWORKD_DIR=${join(inst.dir, 'networkd')}`, `EGRESS_STATE_DIR=${join(inst.dir, 'run')}`,
      `EGRESS_BOOT_CMD=${this.opts.bundle.scriptPath}`, ...Object.entries(env).map(([k, v]) => `${k}=${v}`), script]);
    this.children.push(bg);
    this.watchers.set(inst.id, [...(this.watchers.get(inst.id) ?? []), bg.child]);
    return { output: bg.output };
  }

  /** A reboot: fresh kernel state, same disk, ENIs still attached; systemd-networkd applies its files before the unit runs. */
  async reboot(inst: Instance): Promise<void> {
    await this.powerCycle(inst);
    await applyNetworkdFiles(inst.ns, join(inst.dir, 'networkd'));
  }

  /** Off and on again: fresh kernel state (a new namespace), ENIs still attached, IMDS back; nothing configured. */
  async powerCycle(inst: Instance): Promise<void> {
    await this.powerOff(inst);
    await this.powerOn(inst);
  }

  /** Runs the boot script from the bundle inside the instance, as the unit would (or `command` in its place, with BOOT_SCRIPT set). */
  boot(inst: Instance, timeoutMs = 100_000, command: readonly string[] = [this.opts.bundle.scriptPath]): Promise<RunResult> {
    const path = `${join(this.dir, 'bin')}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin`;
    return run(
      ['ip', 'netns', 'exec', inst.ns, 'env', '-i', `PATH=${path}`, `EGRESS_CONF=${join(inst.dir, 'nat.conf')}`,
        `EGRESS_NETWORKD_DIR=${join(inst.dir, 'networkd')}`, `EGRESS_STATE_DIR=${join(inst.dir, 'run')}`,
        `BOOT_SCRIPT=${this.opts.bundle.scriptPath}`, ...command],
      { timeoutMs },
    );
  }

  async bootOk(inst: Instance): Promise<RunResult> {
    const r = await this.boot(inst);
    if (r.code !== 0) throw new Error(`boot script exited ${r.code ?? r.signal} after ${r.ms} ms:\n${r.stderr}${r.stdout}`);
    return r;
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
    if (this.reaper) killGroup(this.reaper);
    await this.s3?.stop();
    for (const c of this.children) killGroup(c.child);
    for (const ns of [...this.namespaces].reverse()) await deleteNamespace(ns);
    this.namespaces.clear();
    if (!process.env.EGDP_KEEP) rmSync(this.dir, { recursive: true, force: true });
  }
}

function netprobe(): string[] {
  return [python3(), join(FAKE_DIR, 'netprobe.py')];
}
