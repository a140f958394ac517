// The flowtable fast path for established flows, on the boot script Terraform ships. A
// kernel with nf_flow_table gets the flowtable on the egress and spoke interfaces; one
// without it (some lab and CI kernels) gets the same NAT without it, and says so.
import { bundleFromSpec, removeBundles } from './support/boot-bundle';
import { Lab, type Instance } from './support/lab';
import { expectEgressViaEip } from './support/expect-net';
import { requireTools, run } from './support/proc';
import type { RunResult } from './support/proc';

jest.setTimeout(240_000);

const SPEC = `
project: dpfast
region: ap-northeast-1
vpcs:
  - { name: hub, cidr: 10.0.0.0/16, azs: [ap-northeast-1a] }
  - { name: app, cidr: 10.1.0.0/16, azs: [ap-northeast-1a] }
natInstances:
  - { name: nat, vpc: hub, az: ap-northeast-1a, instanceTypes: [t4g.small], spokes: [app] }
`;
const HUB_HOST = '10.0.1.10';
const SPOKE_HOST = '10.1.1.10';
const FALLBACK = 'refused the flowtable fast path';

let lab: Lab;
let nat: Instance;
let boot: RunResult;
let spokeIndex: number;
let spokeDevice: string;
let kernelHasFlowtables: boolean;

beforeAll(async () => {
  requireTools('ip', 'nft', 'python3', 'curl');
  const bundle = await bundleFromSpec(SPEC, 'dpfast', 'dpfast-nat');
  spokeIndex = Number(bundle.conf.SPOKES.split('=')[0]);
  lab = await Lab.create({ name: 'fast', bundle, natVpcCidr: '10.0.0.0/16', hosts: [{ vpc: 'hub', ip: HUB_HOST }, { vpc: spokeIndex, ip: SPOKE_HOST }] });
  nat = await lab.launch();
  boot = await lab.bootOk(nat);
  spokeDevice = `ens${5 + spokeIndex}`;
  // Asked of the kernel directly, in a table of its own that is only checked, never added.
  const probe = await run(['ip', 'netns', 'exec', nat.ns, 'nft', '-c', '-f', '-'], {
    input: 'table ip fastpath_probe { flowtable f { hook ingress priority filter; devices = { "ens6" }; } }\n',
  });
  kernelHasFlowtables = probe.code === 0;
});

afterAll(async () => {
  await lab?.destroy();
  removeBundles();
});

describe('flowtable fast path', () => {
  test('the hub and the spoke still reach the internet through the EIP', async () => {
    await expectEgressViaEip(lab, lab.host('hub', HUB_HOST), 'fast-hub');
    await expectEgressViaEip(lab, lab.host(spokeIndex, SPOKE_HOST), 'fast-spoke');
  });

  test('spokes get their zone and mark chains; without port forwards there is no nat prerouting chain', async () => {
    const chains = (await lab.sh(nat.ns, 'nft list table ip cdktf_egress')).match(/^\s*chain \w+/gm)?.map((c) => c.trim().slice(6));
    expect(chains).toEqual(['zone_in', 'mark_in', 'snat_out', 'filter_forward']);
  });

  test('with nf_flow_table: established TCP and UDP flows are offloaded on the egress and spoke interfaces, before any other forward rule', async () => {
    const table = await lab.sh(nat.ns, 'nft list table ip cdktf_egress');
    if (!kernelHasFlowtables) {
      expect(boot.stderr).toContain(FALLBACK);
      expect(table).not.toMatch(/flowtable|flow add/);
      return;
    }
    expect(boot.stderr).not.toContain(FALLBACK);
    const flowtable = /flowtable fastpath \{([^}]*\{[^}]*\}[^}]*)\}/.exec(table)?.[1] ?? '';
    expect(flowtable).toContain('hook ingress priority filter');
    expect(/devices = \{ ([^}]*) \}/.exec(flowtable)?.[1].split(', ').sort()).toEqual(['ens6', spokeDevice].sort());
    const forward = (await lab.sh(nat.ns, 'nft list chain ip cdktf_egress filter_forward')).split('\n').map((l) => l.trim());
    const rules = forward.slice(forward.findIndex((l) => l.startsWith('type filter hook forward')) + 1);
    expect(rules[0]).toMatch(/^ct state established meta l4proto \{ tcp, udp \} flow add @fastpath$/);
  });
});
