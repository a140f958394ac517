import { EIP, INTERNET, PORTS, type Instance, type Lab } from './lab';
import { sleep } from './proc';

type Probe = Record<string, unknown>;

/** What the internet host saw as the source of a TCP whoami, UDP whoami and ICMP echo from `ns`. */
export async function sourcesSeen(lab: Lab, ns: string, token: string): Promise<{ tcp: Probe; udp: Probe; icmp: Probe; icmpSource?: string }> {
  const [tcp, udp, icmp] = await Promise.all([
    lab.probe(ns, ['tcp-whoami', INTERNET.host, String(PORTS.whoami)]),
    lab.probe(ns, ['udp-whoami', INTERNET.host, String(PORTS.whoami)]),
    lab.probe(ns, ['icmp', INTERNET.host, '--token', token]),
  ]);
  // The echo's answer can arrive before the internet host's ICMP log has the line: wait for it, bounded.
  const logged = () => lab.icmpLog().split('\n').find((l) => l.endsWith(` ${token}`));
  let line = logged();
  for (let i = 0; !line && icmp.ok && i < 100; i++) {
    await sleep(100);
    line = logged();
  }
  return { tcp, udp, icmp, icmpSource: line?.split(' ')[0] };
}

/** The address part of a whoami answer ("ip port"), or the probe's error. */
export function seenIp(p: Probe): string {
  return p.ok ? String(p.seen).split(' ')[0] : `failed: ${String(p.error)}`;
}

export async function expectEgressViaEip(lab: Lab, ns: string, token: string): Promise<void> {
  const s = await sourcesSeen(lab, ns, token);
  expect({ tcp: seenIp(s.tcp), udp: seenIp(s.udp), icmp: s.icmp.ok, icmpSource: s.icmpSource }).toEqual({
    tcp: EIP, udp: EIP, icmp: true, icmpSource: EIP,
  });
}

/** The NAT's forward-filter drop counter (the last rule of filter_forward). */
export async function forwardDrops(lab: Lab, inst: Instance): Promise<number> {
  const out = await lab.sh(inst.ns, 'nft list chain ip cdktf_egress filter_forward');
  const m = /counter packets (\d+) bytes \d+ drop/.exec(out);
  if (!m) throw new Error(`no drop counter in filter_forward:\n${out}`);
  return Number(m[1]);
}

/** A TCP connection attempt that must not get through (short timeout). */
export async function expectNoConnection(lab: Lab, ns: string, ip: string, port: number, extra: string[] = []): Promise<void> {
  const r = await lab.probe(ns, ['tcp-whoami', ip, String(port), '--timeout', '1.5', ...extra]);
  expect({ from: ns, to: `${ip}:${port}`, ok: r.ok }).toEqual({ from: ns, to: `${ip}:${port}`, ok: false });
}
