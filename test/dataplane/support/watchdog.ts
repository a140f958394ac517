import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BootBundle } from './boot-bundle';
import type { Instance, Lab } from './lab';
import { run, runOk, sleep, type RunResult } from './proc';

export const WATCHDOG_PATH = '/opt/cdktf-egress/nat-watchdog.sh';
export const WATCHDOG_CONF_PATH = '/etc/cdktf-egress/watchdog.conf';

/** The watchdog.conf the user data ships, read from the bundle. */
export function shippedWatchdogConf(bundle: BootBundle): string {
  return readFileSync(join(bundle.root, WATCHDOG_CONF_PATH), 'utf8');
}

/** Writes the instance's watchdog.conf: the shipped one with some values replaced. */
export function writeWatchdogConf(bundle: BootBundle, inst: Instance, overrides: Record<string, string> = {}): void {
  let conf = shippedWatchdogConf(bundle);
  for (const [k, v] of Object.entries(overrides)) {
    const line = `${k}="${v}"`;
    conf = new RegExp(`^${k}=`, 'm').test(conf) ? conf.replace(new RegExp(`^${k}=.*$`, 'm'), line) : `${conf}${line}\n`;
  }
  writeFileSync(join(inst.dir, 'watchdog.conf'), conf);
}

/** Forgets what earlier runs counted (as a reboot would: the state lives in /run). */
export function resetWatchdogState(inst: Instance): void {
  rmSync(join(inst.dir, 'watchdog-state'), { recursive: true, force: true });
}

/** One run of the shipped watchdog inside the instance, as its timer would start it. */
export function runWatchdog(lab: Lab, inst: Instance, timeoutMs = 120_000): Promise<RunResult> {
  const path = `${join(lab.dir, 'bin')}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin`;
  return run(
    ['ip', 'netns', 'exec', inst.ns, 'env', '-i', `PATH=${path}`, `EGRESS_CONF=${join(inst.dir, 'nat.conf')}`,
      `EGRESS_WATCHDOG_CONF=${join(inst.dir, 'watchdog.conf')}`, `EGRESS_NETWORKD_DIR=${join(inst.dir, 'networkd')}`,
      `EGRESS_WATCHDOG_STATE=${join(inst.dir, 'watchdog-state')}`, join(lab.opts.bundle.root, WATCHDOG_PATH)],
    { timeoutMs },
  );
}

export interface TimerOutcome {
  /** Milliseconds from the first run's start to the end of the run that ended it. */
  readonly ms: number;
  readonly runs: RunResult[];
  readonly log: string;
}

/**
 * The timer, compressed: runs the watchdog every `intervalMs` (between one run's end and the
 * next start) until `done` says so or `maxRuns` ran.
 */
export async function runTimer(
  lab: Lab, inst: Instance, done: (r: RunResult) => boolean | Promise<boolean>, opts: { intervalMs?: number; maxRuns?: number } = {},
): Promise<TimerOutcome> {
  const runs: RunResult[] = [];
  const t0 = Date.now();
  for (let i = 0; i < (opts.maxRuns ?? 6); i++) {
    if (i > 0) await sleep(opts.intervalMs ?? 500);
    const r = await runWatchdog(lab, inst);
    runs.push(r);
    if (await done(r)) break;
  }
  return { ms: Date.now() - t0, runs, log: runs.map((r) => r.stderr).join('') };
}

/** Detaches an ENI as EC2 would: its interface leaves the instance for the park, the API shows it free. */
export async function detachEni(lab: Lab, inst: Instance, idx: number): Promise<void> {
  const s = lab.state();
  const [id, eni] = Object.entries(s.enis).find(([, e]) => e.attachment?.instanceId === inst.id && e.attachment.deviceIndex === idx) ?? [];
  if (!id || !eni) throw new Error(`no ENI attached to ${inst.id} at device ${idx}`);
  await runOk(['ip', '-n', inst.ns, 'link', 'set', 'dev', `ens${5 + idx}`, 'netns', lab.ns('park')]);
  await runOk(['ip', '-n', lab.ns('park'), 'link', 'set', 'dev', `ens${5 + idx}`, 'name', eni.park]);
  eni.attachment = null;
  lab.writeState(s);
}

export function healthReports(lab: Lab, inst: Instance): string[] {
  return lab.state().health.filter((h) => h.instanceId === inst.id).map((h) => h.status);
}

export function stateFile(inst: Instance): Record<string, string> {
  const f = join(inst.dir, 'watchdog-state', 'watchdog.state');
  if (!existsSync(f)) return {};
  return Object.fromEntries(readFileSync(f, 'utf8').split('\n').filter(Boolean).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
}
