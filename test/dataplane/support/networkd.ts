import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runOk } from './proc';

type Section = Record<string, string>;

/** Parses a systemd .network file into its [Section]s, in order. */
export function parseNetworkFile(text: string): { name: string; keys: Section }[] {
  const sections: { name: string; keys: Section }[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#') || line.startsWith(';')) continue;
    const head = /^\[(\w+)\]$/.exec(line);
    if (head) {
      sections.push({ name: head[1], keys: {} });
      continue;
    }
    const kv = /^(\w+)=(.*)$/.exec(line);
    if (!kv || sections.length === 0) throw new Error(`bad .network line: ${line}`);
    sections[sections.length - 1].keys[kv[1]] = kv[2];
  }
  return sections;
}

/**
 * What systemd-networkd does at boot with the keys the boot script writes: for each
 * .network file, the link with the matching MAC gets its Address, Routes and
 * RoutingPolicyRules. Unknown keys fail the test: the files must stay within what is applied here.
 */
export async function applyNetworkdFiles(ns: string, dir: string): Promise<void> {
  if (!existsSync(dir)) return;
  const links = await runOk(['ip', '-n', ns, '-br', 'link', 'show']);
  const known: Record<string, string[]> = {
    Match: ['MACAddress'], Link: ['RequiredForOnline', 'MTUBytes'], Network: ['Address'],
    Route: ['Gateway', 'Destination', 'Table'], RoutingPolicyRule: ['FirewallMark', 'Table', 'Priority'],
  };
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.network')).sort()) {
    const sections = parseNetworkFile(readFileSync(join(dir, file), 'utf8'));
    for (const s of sections) {
      const bad = Object.keys(s.keys).filter((k) => !(known[s.name] ?? []).includes(k));
      if (bad.length > 0) throw new Error(`${file}: [${s.name}] ${bad.join(', ')} not understood by the lab's networkd stand-in`);
    }
    const mac = sections.find((s) => s.name === 'Match')?.keys.MACAddress;
    const line = links.split('\n').find((l) => l.split(/\s+/)[2] === mac);
    if (!line) continue;
    const dev = line.split(/\s+/)[0].replace(/@.*/, '');
    const ip = (...a: string[]): Promise<string> => runOk(['ip', '-n', ns, ...a]);
    await ip('link', 'set', dev, 'up');
    for (const s of sections) {
      const k = s.keys;
      if (s.name === 'Link' && k.MTUBytes) await ip('link', 'set', dev, 'mtu', k.MTUBytes);
      if (s.name === 'Network' && k.Address) await ip('addr', 'add', k.Address, 'dev', dev);
      if (s.name === 'Route') await ip('route', 'replace', k.Destination ?? 'default', 'via', k.Gateway, 'dev', dev, 'table', k.Table ?? 'main');
      if (s.name === 'RoutingPolicyRule') await ip('rule', 'add', 'fwmark', k.FirewallMark, 'table', k.Table, 'pref', k.Priority);
    }
  }
}
