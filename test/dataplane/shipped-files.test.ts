// What the launch template ships, read back from the synthesized user data: the boot
// script is a clean bash file, the unit runs it once per boot after the network is up,
// and cloud-init installs and starts it.
import { bundleFromSpec, CONF_PATH, removeBundles, SCRIPT_PATH, UNIT_PATH, type BootBundle } from './support/boot-bundle';
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
}, 60_000);

afterAll(removeBundles);

test('the boot script parses and is shellcheck-clean', async () => {
  await runOk(['bash', '-n', bundle.scriptPath]);
  await runOk(['shellcheck', '-x', bundle.scriptPath]);
});

test('the unit is a oneshot that runs the script after the network is online, at every boot', () => {
  const sections = Object.fromEntries(parseNetworkFile(bundle.unitText).map((s) => [s.name, s.keys]));
  expect(sections.Unit).toMatchObject({ Wants: 'network-online.target', After: 'network-online.target' });
  expect(sections.Service).toMatchObject({ Type: 'oneshot', RemainAfterExit: 'yes', ExecStart: SCRIPT_PATH });
  expect(sections.Install).toEqual({ WantedBy: 'multi-user.target' });
});

test('cloud-init writes the three files and starts the unit; it installs no packages', () => {
  const cc = bundle.cloudConfig;
  const modes = Object.fromEntries(cc.write_files.map((f) => [f.path, f.permissions]));
  expect(modes).toMatchObject({ [SCRIPT_PATH]: '0755', [CONF_PATH]: '0644', [UNIT_PATH]: expect.anything() });
  expect(cc.packages).toBeUndefined();
  expect(cc.runcmd?.slice(0, 2)).toEqual([
    ['systemctl', 'daemon-reload'],
    ['systemctl', 'enable', '--now', 'cdktf-egress-nat.service'],
  ]);
});
