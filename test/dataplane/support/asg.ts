import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Instance, Lab } from './lab';
import { background, killGroup, python3, sleep, type RunResult } from './proc';

/**
 * An Auto Scaling group of one in the lab, as EC2 Auto Scaling drives it:
 *
 * - launch before terminate (instance refresh or a health replacement with
 *   minHealthyPercentage 100, capacity rebalance, a spot notice): the new instance waits in
 *   Pending:Wait until its launch hook is completed; CONTINUE makes it InService and the old
 *   one is terminated, ABANDON (or the hook timing out) terminates the new one instead;
 * - terminating: the instance waits in Terminating:Wait, its IMDS showing
 *   autoscaling/target-lifecycle-state Terminated, until the terminate hook is completed or
 *   times out; then it shuts down: forwarding stops at once (the OS is going down) and EC2
 *   detaches its ENIs `shutdownMs` later;
 * - crash: the instance is gone at once, then a replacement is launched.
 *
 * Without hooks (the int128 layout) a new instance is InService as soon as it runs, and
 * nothing waits for anything.
 */
export interface AsgOptions {
  readonly lab: Lab;
  /** Lifecycle hooks and the interface watcher, as NatInstance ships them. */
  readonly hooks: boolean;
  /** How a launched instance boots (the shipped script, or a baseline). */
  readonly boot: (inst: Instance) => Promise<RunResult>;
  /** Between the start of a shutdown and EC2 detaching the ENIs. @default 3000 */
  readonly shutdownMs?: number;
  /** Launch hook timeout, after which the default result (ABANDON) applies. @default 60000 */
  readonly launchHookTimeoutMs?: number;
  /** Terminate hook timeout (default result CONTINUE). @default 20000 */
  readonly terminateHookTimeoutMs?: number;
  /** nat.conf overrides for every instance it launches. */
  readonly conf?: Record<string, string>;
  /** Environment for the watcher (shortened windows). */
  readonly watchEnv?: Record<string, string>;
}

export const ASG_NAME = 'nat-asg';
export const LAUNCH_HOOK = 'cdktf-egress-launch';
export const TERMINATE_HOOK = 'cdktf-egress-terminate';

export interface Launched {
  readonly inst: Instance;
  readonly boot: Promise<RunResult>;
}

export class SimulatedAsg {
  inService?: Instance;
  readonly boots = new Map<string, RunResult>();
  readonly watchLogs = new Map<string, () => string>();

  constructor(private readonly o: AsgOptions) {}

  private get lab(): Lab {
    return this.o.lab;
  }

  async init(): Promise<void> {
    await this.lab.patchState({ asg: { name: ASG_NAME, ...(this.o.hooks ? { launchHook: LAUNCH_HOOK, terminateHook: TERMINATE_HOOK } : {}) } });
  }

  /** Launches an instance and starts its boot; with hooks it waits in Pending:Wait. */
  async launch(conf: Record<string, string> = {}): Promise<Launched> {
    const inst = await this.lab.launch({ ...this.o.conf, ...conf }, { asgLifecycleState: this.o.hooks ? 'Pending:Wait' : 'InService' });
    const boot = this.o.boot(inst).then((r) => {
      this.boots.set(inst.id, r);
      if (r.code === 0 && this.o.hooks) this.watchLogs.set(inst.id, this.lab.watch(inst, this.o.watchEnv).output);
      return r;
    });
    return { inst, boot };
  }

  /** The first instance, InService. */
  async start(): Promise<Instance> {
    const { inst, boot } = await this.launch();
    const r = await boot;
    if (r.code !== 0) throw new Error(`first boot failed:\n${r.stderr}`);
    if (this.o.hooks) await this.awaitHook(inst, LAUNCH_HOOK, this.o.launchHookTimeoutMs ?? 60_000);
    await this.setLifecycle(inst, 'InService');
    this.inService = inst;
    return inst;
  }

  /** Launch before terminate; resolves with the instance InService afterwards. */
  async replace(conf: Record<string, string> = {}): Promise<{ next: Launched; result: 'CONTINUE' | 'ABANDON' }> {
    const old = this.inService!;
    const next = await this.launch(conf);
    let result: 'CONTINUE' | 'ABANDON' = 'CONTINUE';
    if (this.o.hooks) {
      result = (await this.awaitHook(next.inst, LAUNCH_HOOK, this.o.launchHookTimeoutMs ?? 60_000)) ?? 'ABANDON';
    } else {
      // The group sees a running instance; int128's boot has no say.
      await sleep(500);
    }
    if (result === 'ABANDON') {
      await next.boot;
      await this.terminate(next.inst, false);
      return { next, result };
    }
    await this.setLifecycle(next.inst, 'InService');
    this.inService = next.inst;
    await this.terminate(old, this.o.hooks);
    await next.boot;
    return { next, result };
  }

  /** Terminate before launch after a crash: the instance is gone at once. */
  async crashAndReplace(): Promise<Launched> {
    await this.lab.terminate(this.inService!);
    const next = await this.launch();
    if (this.o.hooks) await this.awaitHook(next.inst, LAUNCH_HOOK, this.o.launchHookTimeoutMs ?? 60_000);
    await next.boot;
    await this.setLifecycle(next.inst, 'InService');
    this.inService = next.inst;
    return next;
  }

  /**
   * The holder that does not let go: the instance begins shutting down (forwarding stops) and
   * EC2 keeps its ENIs attached for `holdMs`; the group launches the replacement meanwhile.
   */
  async slowShutdownAndReplace(holdMs: number): Promise<{ next: Launched; releasedAtMs: number }> {
    const old = this.inService!;
    await this.beginShutdown(old);
    const next = await this.launch();
    await sleep(holdMs);
    await this.lab.terminate(old);
    // When EC2 detached the ENIs (the fake API's clock), not when the namespace was gone.
    const releasedAtMs = Number(this.lab.state().instances[old.id].terminatedAt) * 1000;
    if (this.o.hooks) await this.awaitHook(next.inst, LAUNCH_HOOK, this.o.launchHookTimeoutMs ?? 60_000);
    await next.boot;
    await this.setLifecycle(next.inst, 'InService');
    this.inService = next.inst;
    return { next, releasedAtMs };
  }

  /** A spot interruption notice on the instance, `secondsLeft` before EC2 reclaims it. */
  async spotNotice(inst: Instance, secondsLeft: number): Promise<void> {
    const time = new Date(Date.now() + secondsLeft * 1000).toISOString().replace(/\.\d+Z$/, 'Z');
    await this.lab.patchState({ instances: { [inst.id]: { spotAction: { action: 'terminate', time } } } });
  }

  async rebalanceRecommendation(inst: Instance): Promise<void> {
    const noticeTime = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    await this.lab.patchState({ instances: { [inst.id]: { rebalance: { noticeTime } } } });
  }

  /** Terminating:Wait (with hooks) until the terminate hook completes or times out, then the shutdown. */
  async terminate(inst: Instance, hook: boolean): Promise<void> {
    if (hook) {
      await this.lab.patchState({ instances: { [inst.id]: { lifecycleState: 'Terminating:Wait', targetLifecycleState: 'Terminated' } } });
      await this.awaitHook(inst, TERMINATE_HOOK, this.o.terminateHookTimeoutMs ?? 20_000);
    }
    await this.beginShutdown(inst);
    await sleep(this.o.shutdownMs ?? 3000);
    await this.lab.terminate(inst);
  }

  private async beginShutdown(inst: Instance): Promise<void> {
    await this.lab.patchState({ instances: { [inst.id]: { state: 'shutting-down', lifecycleState: 'Terminating:Proceed' } } });
    await this.lab.sh(inst.ns, 'echo 0 >/proc/sys/net/ipv4/ip_forward');
  }

  private async setLifecycle(inst: Instance, lifecycleState: string): Promise<void> {
    await this.lab.patchState({ instances: { [inst.id]: { lifecycleState } } });
  }

  /** The result the instance completed the hook with, or undefined when it timed out. */
  async awaitHook(inst: Instance, hook: string, timeoutMs: number): Promise<'CONTINUE' | 'ABANDON' | undefined> {
    const end = Date.now() + timeoutMs;
    while (Date.now() < end) {
      const done = this.lab.state().lifecycle.find((l) => l.instanceId === inst.id && l.hook === hook);
      if (done) return done.result;
      await sleep(100);
    }
    return undefined;
  }
}

/** Probes every 50 ms from each namespace until stop() (bounded by maxSeconds). */
export function gapProbes(lab: Lab, namespaces: Record<string, string>, target: { host: string; port: number }, maxSeconds = 300) {
  const stopFile = join(lab.dir, `gap-stop-${Date.now()}`);
  const probes = Object.entries(namespaces).map(([name, ns]) => {
    const bg = background(['ip', 'netns', 'exec', ns, python3(), join(__dirname, 'fake', 'netprobe.py'), 'gap', target.host, String(target.port),
      '--stop', stopFile, '--seconds', String(maxSeconds)]);
    const done = new Promise<GapResult>((resolve, reject) => {
      bg.child.on('close', () => {
        try {
          resolve(JSON.parse(bg.output().trim().split('\n').pop() ?? '') as GapResult);
        } catch {
          reject(new Error(`gap probe from ${name} failed: ${bg.output()}`));
        }
      });
    });
    return { name, bg, done };
  });
  return {
    async stop(): Promise<Record<string, GapResult>> {
      writeFileSync(stopFile, '');
      const timer = setTimeout(() => probes.forEach((p) => killGroup(p.bg.child)), 10_000);
      try {
        return Object.fromEntries(await Promise.all(probes.map(async (p) => [p.name, await p.done] as const)));
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

export interface GapResult {
  readonly ok: boolean;
  readonly attempts: number;
  readonly answers: number;
  readonly maxGapMs: number | null;
  readonly gapFromMs: number | null;
  readonly gapToMs: number | null;
  readonly firstMs: number | null;
  readonly lastMs: number | null;
  readonly endMs: number;
  readonly seen: Record<string, number>;
}
