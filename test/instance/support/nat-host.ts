import { chmodSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parse, stringify } from 'yaml';
import type { CloudConfig } from '../../dataplane/support/boot-bundle';
import { CONF_PATH } from '../../dataplane/support/boot-bundle';
import { Lab, type Instance, type LabOptions } from '../../dataplane/support/lab';
import { realAwsCli } from '../../dataplane/support/boot-s3';
import { runOk } from '../../dataplane/support/proc';
import { Container } from './container';

const FIXTURES = join(__dirname, '..', 'fixtures');
export const UNIT = 'cdktf-egress-nat.service';

/** The cached Debian root (built on first use; see build-root.sh). */
export async function instanceRoot(): Promise<string> {
  const out = await runOk(['bash', join(__dirname, 'build-root.sh')], { timeoutMs: 1_500_000 });
  return out.trim().split('\n').pop()!;
}

/** A NAT instance of the lab whose operating system is a container: systemd, networkd and cloud-init. */
export interface NatHost {
  readonly inst: Instance;
  readonly os: Container;
}

/**
 * The user data as shipped; with overrides, nat.conf's keys are replaced in its write_files
 * entry (the rest of the document is untouched).
 */
export function seedUserData(text: string, confOverrides: Record<string, string>): string {
  if (Object.keys(confOverrides).length === 0) return text;
  const cc = parse(text) as CloudConfig;
  const conf = cc.write_files.find((f) => f.path === CONF_PATH);
  if (!conf || conf.encoding) throw new Error(`user data has no plain write_files entry for ${CONF_PATH}`);
  for (const [k, v] of Object.entries(confOverrides)) {
    const line = `${k}="${v}"`;
    conf.content = new RegExp(`^${k}=`, 'm').test(conf.content)
      ? conf.content.replace(new RegExp(`^${k}=.*$`, 'm'), line)
      : `${conf.content.trimEnd()}\n${line}\n`;
  }
  return `#cloud-config\n${stringify(cc, { lineWidth: 0 })}`;
}

function put(container: Container, path: string, content: string | Buffer, mode = 0o644): void {
  const p = container.path(path);
  mkdirSync(dirname(p), { recursive: true });
  writeFileSync(p, content);
  chmodSync(p, mode);
}

/** A lab for NAT hosts: cloud-init runs the user data's loader, so the lab serves the boot files (loadBootFiles). */
export function natHostLab(opts: Omit<LabOptions, 'loadBootFiles'>): Promise<Lab> {
  return Lab.create({ ...opts, loadBootFiles: opts.bundle.s3 !== undefined });
}

/**
 * Launches a lab instance (of natHostLab()) and boots its operating system in the instance's namespace:
 * NoCloud seed (the synthesized user data), the ec2-net-utils stand-in, and the lab's
 * fake `aws` CLI on PATH (the lab directory is bound in at the same path). With the boot
 * files in S3, the real AWS CLI's tree is bound in read-only too: cloud-init runs the
 * loader, whose S3 calls the fake CLI hands to it, against the lab's S3.
 */
export async function launchNatHost(
  lab: Lab, root: string, confOverrides: Record<string, string> = {}, beforeBoot?: (os: Container) => void,
): Promise<NatHost> {
  const inst = await lab.launch({}, { runLoader: false });
  const readOnlyBinds = lab.opts.bundle.s3 ? [(await realAwsCli()).prefix] : [];
  const os = new Container({ name: `nat${inst.seq}`, root, dir: join(lab.dir, `disk-${inst.seq}`), netns: inst.ns, binds: [lab.dir], readOnlyBinds });
  await os.prepare();
  put(os, 'var/lib/cloud/seed/nocloud/user-data', seedUserData(lab.opts.bundle.userDataText, confOverrides));
  // The root has no sshd and no locales (an AMI has both): cloud-init is told so instead of failing.
  // As on AL2023, interfaces are configured by amazon-ec2-net-utils' files, not by cloud-init.
  put(os, 'etc/cloud/cloud.cfg.d/91-egress-lab.cfg', 'ssh_genkeytypes: []\nlocale: false\nnetwork: { config: disabled }\n');
  put(os, 'var/lib/cloud/seed/nocloud/meta-data', `instance-id: ${inst.id}\nlocal-hostname: nat${inst.seq}\n`);
  put(os, 'usr/local/sbin/ec2-net-utils', readFileSync(join(FIXTURES, 'ec2-net-utils.sh')), 0o755);
  put(os, 'etc/systemd/system/ec2-net-utils.service', readFileSync(join(FIXTURES, 'ec2-net-utils.service')));
  mkdirSync(os.path('etc/systemd/system/multi-user.target.wants'), { recursive: true });
  symlinkSync('/etc/systemd/system/ec2-net-utils.service', os.path('etc/systemd/system/multi-user.target.wants/ec2-net-utils.service'));
  symlinkSync(join(lab.dir, 'bin', 'aws'), os.path('usr/local/bin/aws'));
  beforeBoot?.(os);
  if (process.env.EGDP_NETWORKD_DEBUG) {
    put(os, 'etc/systemd/system/systemd-networkd.service.d/debug.conf', '[Service]\nEnvironment=SYSTEMD_LOG_LEVEL=debug\n');
  }
  try {
    await os.start();
  } catch (e) {
    await os.destroy();
    throw e;
  }
  return { inst, os };
}

/** An image without nft, and a dnf that installs from the root's local repository (fixtures/dnf.sh). */
export function withoutNft(os: Container, repositoriesReachable = true): void {
  rmSync(os.path('usr/sbin/nft'), { force: true });
  put(os, 'usr/local/bin/dnf', readFileSync(join(FIXTURES, 'dnf.sh')), 0o755);
  if (!repositoriesReachable) put(os, 'etc/dnf-standin-unreachable', '');
}

/** Waits (bounded) until cloud-init is done with this boot, and returns the unit's state. */
export async function settle(host: NatHost, timeoutMs = 240_000): Promise<{ active: string; result: string; cloudInit: string }> {
  const ci = await host.os.exec(['cloud-init', 'status', '--wait'], timeoutMs);
  const show = await host.os.sh(`systemctl show -p ActiveState -p Result ${UNIT}`);
  const v = Object.fromEntries(show.trim().split('\n').map((l) => l.split('=') as [string, string]));
  return { active: v.ActiveState, result: v.Result, cloudInit: ci.stdout.trim().split('\n').pop() ?? '' };
}

/** settle(), failing with the unit's journal unless cloud-init is done and the unit succeeded. */
export async function settleOk(host: NatHost): Promise<void> {
  const s = await settle(host);
  if (s.active !== 'active' || s.result !== 'success' || s.cloudInit !== 'status: done') {
    throw new Error(`boot did not settle cleanly: ${JSON.stringify(s)}\n${await journal(host)}`);
  }
}

/** A reboot: clean shutdown, fresh kernel state with the ENIs still attached, the same disk. */
export async function reboot(lab: Lab, host: NatHost): Promise<void> {
  await host.os.stop();
  await lab.powerCycle(host.inst);
  // A NIC comes back at its driver's default MTU; only configuration raises it to 9001.
  await runOk(['sh', '-c', `ip -n ${host.inst.ns} -br link | awk '$1 ~ /^ens/ { sub(/@.*/, "", $1); print $1 }' |
    while read -r d; do ip -n ${host.inst.ns} link set dev "$d" mtu 1500; done`]);
  await host.os.start();
}

export async function journal(host: NatHost, unit = UNIT): Promise<string> {
  return (await host.os.exec(['journalctl', '-b', '-o', 'cat', '--no-pager', '-u', unit])).stdout;
}
