import type { Lab } from '../../dataplane/support/lab';
import type { NatHost } from './nat-host';

/** One thing the NAT needs in the kernel, and how many copies of it there are. */
export interface Need {
  readonly what: string;
  readonly count: number;
}

const count = (text: string, re: RegExp): number => text.split('\n').filter((l) => re.test(l.trim())).length;
const esc = (s: string): string => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/**
 * Every route and rule the NAT of `conf` needs (dedicated egress ENI and spokes), each
 * counted in the instance's kernel: the tests expect exactly one of each.
 */
export async function needs(lab: Lab, host: NatHost): Promise<Need[]> {
  const conf = lab.conf;
  const sh = (cmd: string): Promise<string> => lab.sh(host.inst.ns, cmd);
  const rules = await sh('ip -4 rule show');
  const main = await sh('ip -4 route show table main');
  const out: Need[] = [];
  const egress = lab.enis.find((e) => e.idx === 1);
  if (conf.EGRESS_MODE === 'dedicated' && egress) {
    const gw = lab.enis[0].subnet.replace(/\.0\/\d+$/, '.1');
    out.push({ what: `main: default via ${gw} dev ens6 (metric 0)`, count: count(main, new RegExp(`^default via ${esc(gw)} dev ens6( proto \\w+)?( metric 0)?$`)) });
    const t0 = await sh('ip -4 route show table 7000');
    out.push({ what: 'table 7000: default via the primary subnet router dev ens5', count: count(t0, /^default via \S+ dev ens5\b/) });
    out.push({ what: `rule 7000: from ${host.inst.primaryIp} lookup 7000`, count: count(rules, new RegExp(`^7000:\\s+from ${esc(host.inst.primaryIp)} lookup 7000`)) });
  }
  for (const e of lab.enis.filter((x) => x.idx !== 1)) {
    const table = 7000 + e.idx;
    const t = await sh(`ip -4 route show table ${table}`);
    const gw = e.subnet.replace(/\.0\/\d+$/, '.1');
    for (const c of e.vpcCidrs) {
      out.push({ what: `table ${table}: ${c} via ${gw} dev ens${5 + e.idx}`, count: count(t, new RegExp(`^${esc(c)} via ${esc(gw)} dev ens${5 + e.idx}\\b`)) });
    }
    out.push({ what: `rule ${table}: fwmark ${table} lookup ${table}`, count: count(rules, new RegExp(`^${table}:\\s+from all fwmark 0x${table.toString(16)} lookup ${table}`)) });
  }
  const nft = await sh('nft list ruleset');
  out.push({ what: 'nft: one masquerade rule', count: (nft.match(/masquerade/g) ?? []).length });
  return out;
}

/** `needs` with every count 1, for toEqual. */
export function once(list: readonly Need[]): Need[] {
  return list.map((n) => ({ ...n, count: 1 }));
}

/** MTU of each of the NAT's ENIs (and the primary interface), by name. */
export async function mtus(lab: Lab, host: NatHost): Promise<Record<string, number>> {
  const out = await lab.sh(host.inst.ns, "ip -o link show | awk '{ sub(/@.*/, \"\", $2); sub(/:$/, \"\", $2); for (i = 1; i < NF; i++) if ($i == \"mtu\") print $2, $(i + 1) }'");
  return Object.fromEntries(out.trim().split('\n').map((l) => l.split(' ')).filter(([d]) => d.startsWith('ens')).map(([d, m]) => [d, Number(m)]));
}
