import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { background, killGroup, run, runOk, sleep, type RunResult } from '../../dataplane/support/proc';

export interface ContainerOptions {
  /** Short name (the container's hostname and machine name). */
  readonly name: string;
  /** The cached Debian root (read-only lower layer). */
  readonly root: string;
  /** The instance's disk: the overlay's upper layer lives here and survives restarts. */
  readonly dir: string;
  /** The named network namespace (/run/netns/<ns>) the container runs in. */
  readonly netns: string;
  /** Host directories bound at the same path inside (the lab's fake cloud). */
  readonly binds?: readonly string[];
  /** Host directories bound read-only at the same path inside (the real AWS CLI's tree). */
  readonly readOnlyBinds?: readonly string[];
}

/**
 * A systemd-nspawn container booting systemd as PID 1 over an overlay of the cached root.
 * There is no host systemd here (no machinectl, no systemd-run -M): commands run inside
 * with nsenter on the container's PID 1.
 */
export class Container {
  private nspawn?: ChildProcess;
  private output: () => string = () => '';
  private pid1 = 0;
  private boots = 0;
  readonly merged: string;

  constructor(readonly opts: ContainerOptions) {
    this.merged = join(opts.dir, 'merged');
  }

  /** The instance's filesystem as the host sees it (valid while started). */
  path(p: string): string {
    return join(this.merged, p);
  }

  private async mountOverlay(): Promise<void> {
    for (const d of ['upper', 'work', 'merged']) mkdirSync(join(this.opts.dir, d), { recursive: true });
    const mounted = await run(['mountpoint', '-q', this.merged]);
    if (mounted.code === 0) return;
    await runOk(['mount', '-t', 'overlay', 'overlay', '-o',
      `lowerdir=${this.opts.root},upperdir=${join(this.opts.dir, 'upper')},workdir=${join(this.opts.dir, 'work')}`, this.merged]);
  }

  /** Writes into the instance's disk before it boots (the seed, fixtures). */
  async prepare(): Promise<void> {
    await this.mountOverlay();
  }

  /** Boots the container and waits (bounded) until systemd has finished starting up. */
  async start(timeoutMs = 180_000): Promise<string> {
    await this.mountOverlay();
    this.boots++;
    const log = join(this.opts.dir, `console-${this.boots}.log`);
    const bg = background(['sh', '-c', 'exec "$@" >"$0" 2>&1', log, 'systemd-nspawn', '--quiet', '--register=no', '--keep-unit',
      // --private-network with a namespace path joins that namespace and makes /proc/sys/net writable.
      '--capability=CAP_NET_ADMIN,CAP_NET_RAW', `--network-namespace-path=/run/netns/${this.opts.netns}`, '--private-network',
      `--machine=${this.opts.name}`, '--console=read-only', ...(this.opts.binds ?? []).map((b) => `--bind=${b}`),
      ...(this.opts.readOnlyBinds ?? []).map((b) => `--bind-ro=${b}`),
      '--boot', '-D', this.merged]);
    this.nspawn = bg.child;
    this.output = () => (existsSync(log) ? readFileSync(log, 'utf8') : bg.output());
    const end = Date.now() + timeoutMs;
    while (!this.pid1) {
      if (this.nspawn.exitCode !== null || Date.now() > end) throw new Error(`container ${this.opts.name} did not start:\n${this.output()}`);
      this.pid1 = await findPid1(this.nspawn.pid!);
      if (!this.pid1) await sleep(200);
    }
    // "running" or "degraded" both mean start-up is over; the tests look at units themselves.
    // Until PID 1 has its private socket, systemctl cannot ask and prints nothing.
    let state = '';
    while (!['running', 'degraded'].includes(state)) {
      if (Date.now() > end) throw new Error(`container ${this.opts.name}: system state ${state || 'unknown'}\n${this.output()}`);
      const r = await this.exec(['systemctl', 'is-system-running', '--wait'], Math.max(end - Date.now(), 10_000));
      state = r.stdout.trim();
      if (!state) await sleep(200);
    }
    return state;
  }

  /** Runs argv inside the container (all its namespaces). */
  exec(argv: readonly string[], timeoutMs = 60_000): Promise<RunResult> {
    if (!this.pid1) throw new Error(`container ${this.opts.name} is not running`);
    return run(['nsenter', '-t', String(this.pid1), '-a', '--', ...argv], { timeoutMs });
  }

  async sh(cmd: string, timeoutMs = 60_000): Promise<string> {
    const r = await this.exec(['sh', '-c', cmd], timeoutMs);
    if (r.code !== 0) throw new Error(`in ${this.opts.name}: \`${cmd}\` exited ${r.code ?? r.signal}\n${r.stdout}${r.stderr}`);
    return r.stdout;
  }

  /** A clean shutdown (systemctl poweroff), bounded; killed when it overruns. */
  async stop(timeoutMs = 60_000): Promise<void> {
    const child = this.nspawn;
    if (!child || child.exitCode !== null) return this.forget();
    await this.exec(['systemctl', 'poweroff', '--no-block'], 10_000).catch(() => undefined);
    const end = Date.now() + timeoutMs;
    while (child.exitCode === null && child.signalCode === null && Date.now() < end) await sleep(200);
    killGroup(child);
    this.forget();
  }

  console(): string {
    return this.output();
  }

  private forget(): void {
    this.nspawn = undefined;
    this.pid1 = 0;
  }

  /** Stops (killing if needed), unmounts and, unless EGDP_KEEP is set, removes the disk. */
  async destroy(): Promise<void> {
    if (this.nspawn) killGroup(this.nspawn);
    this.forget();
    for (let i = 0; i < 20; i++) {
      const r = await run(['umount', this.merged]);
      if (r.code === 0 || (await run(['mountpoint', '-q', this.merged])).code !== 0) break;
      await sleep(250);
    }
    if (!process.env.EGDP_KEEP) rmSync(this.opts.dir, { recursive: true, force: true });
  }
}

/** The host pid of the container's PID 1: the descendant of nspawn whose innermost pid is 1. */
async function findPid1(nspawnPid: number): Promise<number> {
  const r = await run(['sh', '-c', `
    todo=${nspawnPid}
    for _ in 1 2 3 4 5; do
      next=""
      for p in $todo; do
        [ "$(awk '/^NSpid:/ { print $NF }' /proc/$p/status 2>/dev/null)" = 1 ] && { echo "$p"; exit 0; }
        next="$next $(cat /proc/$p/task/*/children 2>/dev/null)"
      done
      todo=$next
    done`]);
  return Number(r.stdout.trim()) || 0;
}
