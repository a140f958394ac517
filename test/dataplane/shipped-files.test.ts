// What the launch template ships, as the instance gets it: the loader from user data installs
// the boot files from the stack's S3 objects (served by the emulator), the boot script, its
// libraries and the watcher are clean bash files, the unit runs the script once per boot after
// the network is up, the watcher's unit follows it, and cloud-init runs the loader first, then
// starts both.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { bundleFromSpec, CONF_PATH, removeBundles, SCRIPT_PATH, type BootBundle } from './support/boot-bundle';
import { parseNetworkFile } from './support/networkd';
import { requireTools, runOk } from './support/proc';

const SPEC = `
project: dpfiles
region: ap-northeast-1
vpcs:
  - { name: hub, cidr: 10.0.0.0/16, azs: [ap-northeast-1a] }
natInstances:
  - { name: nat, vpc: hub, az: ap-northeast-1a }
`;

let bundle: BootBundle;

beforeAll(async () => {
  requireTools('bash', 'shellcheck');
  bundle = await bundleFromSpec(SPEC, 'dpfiles', 'dpfiles-nat');
}, 300_000);

afterAll(removeBundles);

const WATCH_UNIT = '/etc/systemd/system/cdktf-egress-nat-watch.service';
const LOADER = '/opt/cdktf-egress/nat-load.sh';
// shellcheck -x over four files takes seconds on a busy machine.
jest.setTimeout(60_000);

test('the boot script, its libraries and the watcher parse and are shellcheck-clean, following what they source from their own directory', async () => {
  const dir = dirname(bundle.scriptPath);
  for (const name of ['nat-boot.sh', 'nat-aws.sh', 'nat-handover.sh', 'nat-watch.sh']) await runOk(['bash', '-n', join(dir, name)]);
  await runOk(['shellcheck', '-x', '--severity=info', join(dir, 'nat-boot.sh'), join(dir, 'nat-watch.sh')], { cwd: '/' });
});

test('the watcher runs continuously after the boot unit, and is restarted if it fails', () => {
  const unit = readFileSync(join(bundle.root, WATCH_UNIT), 'utf8');
  const sections = Object.fromEntries(parseNetworkFile(unit).map((s) => [s.name, s.keys]));
  expect(sections.Unit).toMatchObject({ After: 'cdktf-egress-nat.service' });
  // Never pulls the boot unit in: a failed boot is not started a second time.
  expect(sections.Unit).not.toHaveProperty('Wants');
  expect(sections.Unit).not.toHaveProperty('Requires');
  expect(sections.Unit.Requires).toBeUndefined();
  expect(sections.Service).toMatchObject({ Type: 'simple', ExecStart: '/opt/cdktf-egress/nat-watch.sh', Restart: 'on-failure', RestartPreventExitStatus: '3' });
  expect(bundle.cloudConfig.runcmd).toContainEqual(['systemctl', 'enable', '--now', 'cdktf-egress-nat-watch.service']);
});

test('the unit is a oneshot that runs the script after the network is online, at every boot', () => {
  const sections = Object.fromEntries(parseNetworkFile(bundle.unitText).map((s) => [s.name, s.keys]));
  expect(sections.Unit).toMatchObject({ Wants: 'network-online.target', After: 'network-online.target' });
  expect(sections.Service).toMatchObject({ Type: 'oneshot', RemainAfterExit: 'yes', ExecStart: SCRIPT_PATH });
  expect(sections.Install).toEqual({ WantedBy: 'multi-user.target' });
});

test('cloud-init writes the loader and the NAT\'s config, runs the loader, then starts the unit; it installs no packages', () => {
  const cc = bundle.cloudConfig;
  const modes = Object.fromEntries(cc.write_files.map((f) => [f.path, f.permissions]));
  expect(modes).toMatchObject({ [LOADER]: '0755', [CONF_PATH]: '0644' });
  // The boot files themselves are not in user data: the loader installed them, with their manifest modes.
  expect(cc.write_files.map((f) => f.path)).not.toContain(SCRIPT_PATH);
  expect(bundle.s3?.manifest.files.find((f) => f.dest === SCRIPT_PATH)?.mode).toBe('0755');
  expect(cc.packages).toBeUndefined();
  expect(cc.runcmd?.slice(0, 3)).toEqual([
    [LOADER],
    ['systemctl', 'daemon-reload'],
    ['systemctl', 'enable', '--now', 'cdktf-egress-nat.service'],
  ]);
});
