// nat.conf is written at synth time, but the boot script trusts none of it: every value it reads
// is checked before it is used, and a bad one stops the boot, names the key in the log and has
// the instance reported Unhealthy (so the group replaces it) without touching the network.
import { appendFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { bundleFromSpec, removeBundles, type BootBundle } from './support/boot-bundle';
import { Lab } from './support/lab';
import { requireTools } from './support/proc';

jest.setTimeout(300_000);

const SPEC = `
project: dpconf
region: ap-northeast-1
vpcs:
  - { name: hub, cidr: 10.0.0.0/16, azs: [ap-northeast-1a] }
  - { name: app, cidr: 10.1.0.0/16, azs: [ap-northeast-1a] }
natInstances:
  - name: nat
    vpc: hub
    az: ap-northeast-1a
    spokes: [app]
    portForwards: [{ protocol: tcp, port: 8080, to: 10.1.128.10, allowFrom: [203.0.113.0/24] }]
`;

/** A value per class a hand-edited or corrupted nat.conf can hold, and the line the boot must log. */
const HOSTILE: { name: string; set?: Record<string, string>; append?: string; log: RegExp }[] = [
  { name: 'a NAT ID with a space and a quote', set: { NAT_ID: "dp conf'" }, log: /FAILED: NAT_ID must be 1-255 letters/ },
  { name: 'an empty NAT ID', set: { NAT_ID: '' }, log: /FAILED: NAT_ID must be/ },
  { name: 'a region that is not one', set: { REGION: 'tokyo; rm -rf /' }, log: /FAILED: REGION must be a region/ },
  { name: 'an endpoint that is not a URL', set: { EC2_ENDPOINT_URL: 'file:///etc/passwd' }, log: /FAILED: EC2_ENDPOINT_URL must be an http\(s\) URL/ },
  { name: 'an unknown egress mode', set: { EGRESS_MODE: 'both' }, log: /FAILED: EGRESS_MODE must be dedicated or primary/ },
  { name: 'a hub CIDR with a /33', set: { HUB_CIDRS: '10.0.0.0/33' }, log: /FAILED: HUB_CIDRS: bad CIDR 10\.0\.0\.0\/33/ },
  { name: 'a spoke at device index 0', set: { SPOKES: '0=10.1.0.0/16' }, log: /FAILED: SPOKES: bad entry 0=10\.1\.0\.0\/16/ },
  { name: 'a forward to port 99999', set: { PORT_FORWARDS: 'tcp:99999:10.1.128.10:8080:203.0.113.0/24' }, log: /FAILED: PORT_FORWARDS: port 99999 .* outside 1-65535/ },
  { name: 'a forward to port 0', set: { PORT_FORWARDS: 'tcp:8080:10.1.128.10:0:203.0.113.0/24' }, log: /FAILED: PORT_FORWARDS: port 0 .* outside 1-65535/ },
  { name: 'a conntrack maximum of 12 digits', set: { CONNTRACK_MAX: '999999999999' }, log: /FAILED: CONNTRACK_MAX must be 0 \(sized by memory\) or 1024-16777216/ },
  { name: 'a UDP timeout EC2 refuses', set: { CONNTRACK_UDP_TIMEOUT: '61' }, log: /FAILED: CONNTRACK_UDP_TIMEOUT must be 30-60$/m },
  { name: 'a TCP timeout in hex', set: { CONNTRACK_TCP_ESTABLISHED_TIMEOUT: '0x1d10' }, log: /FAILED: CONNTRACK_TCP_ESTABLISHED_TIMEOUT must be 60-432000$/m },
  { name: 'an arithmetic expression for attempts', set: { ATTACH_MAX_ATTEMPTS: 'a[$(id)]' }, log: /FAILED: ATTACH_MAX_ATTEMPTS must be 1-99/ },
  { name: 'a key given twice', append: 'HUB_CIDRS="0.0.0.0/0"', log: /FAILED: HUB_CIDRS is given twice/ },
  { name: 'a value with a command after it', append: 'LAUNCH_HOOK="x" $(reboot)', log: /FAILED: LAUNCH_HOOK: not one KEY="value" line/ },
];

let bundle: BootBundle;
let lab: Lab;

beforeAll(async () => {
  requireTools('ip', 'nft', 'python3', 'curl');
  bundle = await bundleFromSpec(SPEC, 'dpconf', 'dpconf-nat');
  lab = await Lab.create({ name: 'conf', bundle, natVpcCidr: '10.0.0.0/16', hosts: [] });
});

afterAll(async () => {
  await lab?.destroy();
  removeBundles();
});

test('the shipped nat.conf itself passes the checks (each case fails for its own reason)', () => {
  expect(bundle.conf.NAT_ID).toBe('dpconf-nat');
  for (const c of HOSTILE) for (const key of Object.keys(c.set ?? {})) expect(bundle.confText).toMatch(new RegExp(`^${key}=`, 'm'));
});

test.each(HOSTILE)('$name: the boot stops, names the key and reports the instance Unhealthy', async (c) => {
  const nat = await lab.launch(c.set ?? {});
  const conf = join(nat.dir, 'nat.conf');
  if (c.append) appendFileSync(conf, `${c.append}\n`);
  if (c.set) for (const [k, v] of Object.entries(c.set)) expect(readFileSync(conf, 'utf8')).toContain(`${k}="${v}"`);
  const boot = await lab.boot(nat);
  expect(boot.code).not.toBe(0);
  expect(boot.stderr).toMatch(c.log);
  expect(lab.state().health).toContainEqual({ instanceId: nat.id, status: 'Unhealthy', respectGrace: false });
  // Stopped before any change: nothing attached, no NAT table.
  expect(lab.calls().filter((call) => call.operation === 'attach-network-interface')).toEqual([]);
  expect(await lab.sh(nat.ns, 'nft list tables')).not.toMatch(/cdktf_egress/);
});
