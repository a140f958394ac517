import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { motoRoot } from '../../moto/moto-server';
import { awsCliEnv, realAwsCli } from './boot-s3';
import { run, runOk, type RunResult } from './proc';

// A lab whose cloud is the AWS API emulator (Debian's python3-moto) instead of the lab's own
// EC2 fake: the world is made in moto (fake/motoworld.py, boto3 in the emulator's root), the
// instances' scripts call it through the real AWS CLI and a proxy (fake/motoproxy.py) that
// adds faults and the few things moto gets wrong, and makes the lab's links and IGW follow
// what moto says. See LabOptions.api.

const FAKE_DIR = join(__dirname, 'fake');
const WORLD_SCRIPT = readFileSync(join(FAKE_DIR, 'motoworld.py'), 'utf8');

/** What moto does not do, or does otherwise than EC2, and what the lab does about it. */
export const MOTO_LAB_GAPS = {
  LIFECYCLE_HOOKS: 'moto has no CompleteLifecycleAction and never puts an instance in Pending:Wait or Terminating:Wait; the lifecycle hooks stay on the lab\'s fake (replacement.test.ts)',
  PUT_METRIC_DATA: 'moto 5.1 answers the CLI\'s PutMetricData (CloudWatch\'s CBOR protocol) with 200 but stores nothing and fails reading it back; the watchdog\'s metrics stay on the lab\'s fake (watchdog.test.ts)',
  ATTACH_IN_USE: 'moto attaches an ENI that is attached elsewhere (it moves it); the proxy refuses as EC2 does, "Interface: [eni-...] in use."',
  MAC_ADDRESSES: 'moto\'s MAC addresses are not addresses and every primary interface has the same one; the proxy answers with the lab\'s MAC of each interface',
  TERMINATE_DETACH: 'moto leaves a terminated instance\'s ENIs attached to it; the lab detaches them, as EC2 does (and takes the instance out of moto\'s group first, which would launch an instance of its own the lab cannot boot)',
  NO_FAULTS: 'moto never throttles, fails or stalls; the proxy does, on request',
} as const;

export interface MotoEni {
  readonly id: string;
  readonly deviceIndex: string | null;
  /** As moto has it (MOTO_LAB_GAPS.MAC_ADDRESSES). */
  readonly mac: string;
  readonly status: string;
  readonly instanceId: string | null;
  readonly attachmentId: string | null;
}

/** What moto holds of the lab's cloud (motoworld.py describe). */
export interface MotoView {
  readonly enis: MotoEni[];
  readonly addresses: { allocationId: string; publicIp: string; networkInterfaceId: string | null; privateIp: string | null }[];
  readonly group: { instanceId: string; health: string; lifecycle: string }[];
  readonly instances: { instanceId: string; state: string }[];
}

/** One request the proxy saw (a line of proxy-calls.jsonl). */
export interface ProxyCall {
  readonly service: string;
  readonly action: string;
  readonly peer: string;
  readonly status: number;
  readonly t: number;
  /** An injected error code that answered it (moto never saw it). */
  readonly fault?: string;
  /** The proxy refused it as EC2 would (an attach of an ENI in use). */
  readonly refused?: string;
  readonly stalledMs?: number;
  readonly labError?: string;
}

/** A fault for the proxy to answer a request with: an error code, or a stall before moto answers. */
export type ProxyFault =
  | { readonly code: string; readonly message?: string }
  /** An HTML page with this HTTP status, as a front end answers: no error code the CLI can read. */
  | { readonly status: number; readonly body?: string }
  | { readonly stallMs: number };

/** The lab's cloud in moto, reached from the lab's internet namespace. */
export class MotoWorld {
  constructor(private readonly dir: string, private readonly netns: string, private readonly region: string) {}

  private async world<T>(command: string, args: Record<string, unknown>): Promise<T> {
    const root = await motoRoot();
    const out = await runOk(['ip', 'netns', 'exec', this.netns, 'chroot', root, 'env', '-i', 'PATH=/usr/bin:/bin', 'HOME=/tmp',
      'PYTHONDONTWRITEBYTECODE=1', 'python3', '-', command, JSON.stringify({ region: this.region, ...args })],
    { input: WORLD_SCRIPT, timeoutMs: 120_000 });
    return JSON.parse(out) as T;
  }

  seed(args: {
    natId: string; group: string; hubCidr: string; hubSubnet: string; eip: string; eipOn?: number;
    enis: { idx: number; ip: string; subnet: string; vpcCidr: string }[];
  }): Promise<{ enis: Record<string, string>; allocationId: string; hubSubnet: string }> {
    return this.world('seed', args);
  }

  launch(args: { natId: string; group: string; subnet: string; ip: string }): Promise<{ instanceId: string; primaryEni: string; launchTime: string }> {
    return this.world('launch', args);
  }

  /** Terminates it in moto, detaches what EC2 would (MOTO_LAB_GAPS.TERMINATE_DETACH), and has the proxy make the lab match. */
  async terminate(instanceId: string, group: string): Promise<void> {
    await this.world('terminate', { instanceId, group });
    await this.reconcile();
  }

  describe(natId: string): Promise<MotoView> {
    return this.world('describe', { natId });
  }

  /** The real AWS CLI through the proxy (its loopback listener), as an instance's call would go: for a test's own calls. */
  async cli(args: readonly string[]): Promise<RunResult> {
    return run(['ip', 'netns', 'exec', this.netns, ...(await realAwsCli()).argv, ...args, '--region', this.region,
      '--endpoint-url', `http://127.0.0.1:${PROXY_CONTROL_PORT}`, '--output', 'text'], {
      env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', ...awsCliEnv(join(this.dir, 'aws-home')), AWS_MAX_ATTEMPTS: '1' },
      timeoutMs: 60_000,
    });
  }

  /** The proxy's physics alone: the lab's links and IGW made to match moto. */
  async reconcile(): Promise<void> {
    await runOk(['ip', 'netns', 'exec', this.netns, 'curl', '-fsS', '--noproxy', '*', '--max-time', '30', '-X', 'POST',
      `http://127.0.0.1:${PROXY_CONTROL_PORT}/lab/reconcile/${this.region}`], { timeoutMs: 40_000 });
  }

  /** Interface ID -> the lab's MAC, which the proxy answers with. */
  setMacs(macs: Record<string, string>): void {
    const path = join(this.dir, 'moto-macs.json');
    const have = existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as Record<string, string>) : {};
    writeFileSync(`${path}.tmp`, JSON.stringify({ ...have, ...macs }));
    renameSync(`${path}.tmp`, path);
  }

  /** The next requests of `action` get these faults, in order. Only while no script calls the API. */
  injectFaults(action: string, faults: readonly ProxyFault[]): void {
    const path = join(this.dir, 'proxy-faults.json');
    const have = existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as Record<string, ProxyFault[]>) : {};
    writeFileSync(`${path}.tmp`, JSON.stringify({ ...have, [action]: [...(have[action] ?? []), ...faults] }));
    renameSync(`${path}.tmp`, path);
  }

  calls(): ProxyCall[] {
    const path = join(this.dir, 'proxy-calls.jsonl');
    if (!existsSync(path)) return [];
    // In the order they arrived: a stalled request is written when it is answered.
    return readFileSync(path, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as ProxyCall).sort((a, b) => a.t - b.t);
  }
}

/** The proxy also listens on the internet namespace's loopback, for the lab's reconcile requests. */
export const PROXY_CONTROL_PORT = 8081;
