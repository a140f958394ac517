import { Address4 } from 'ip-address';
import { Remembered } from '../remembered';

/** IPv4 CIDR arithmetic on plain values, on top of `ip-address`. */

export interface Ipv4Range {
  readonly first: bigint;
  readonly last: bigint;
  readonly prefix: number;
}

export function isValidCidr(cidr: string): boolean {
  return cidr.includes('/') && parses(cidr);
}

export function isValidAddress(address: string): boolean {
  return !address.includes('/') && parses(address);
}

function parses(text: string): boolean {
  try {
    parse(text);
    return true;
  } catch {
    return false;
  }
}

/** A parsed address or CIDR: its own address and the block it names (a /32 for a bare address). */
interface Parsed extends Ipv4Range {
  readonly address: bigint;
}

/**
 * Parses are kept: the checks, the subnet layout and the cost advisor (which re-checks the
 * spec for every change it prices) ask about the same few CIDRs thousands of times, and
 * `ip-address` builds its bit strings each time.
 */
const known = new Remembered<string, Parsed>();

function parse(text: string): Parsed {
  return known.get(text, () => {
    const address = new Address4(text);
    return { address: address.bigInt(), first: address.startAddress().bigInt(), last: address.endAddress().bigInt(), prefix: address.subnetMask };
  });
}

/** Dotted quad of a 32-bit address. */
function dotted(address: bigint): string {
  return [24n, 16n, 8n, 0n].map((shift) => Number((address >> shift) & 255n)).join('.');
}

export function range(cidr: string): Ipv4Range {
  const { first, last, prefix } = parse(cidr);
  return { first, last, prefix };
}

/** True when the address part of the CIDR is the network address (`10.0.0.0/16`, not `10.0.0.1/16`). */
export function isNetworkAddress(cidr: string): boolean {
  const parsed = parse(cidr);
  return parsed.address === parsed.first;
}

export function networkOf(cidr: string): string {
  const { first, prefix } = parse(cidr);
  return `${dotted(first)}/${prefix}`;
}

export function overlaps(a: string, b: string): boolean {
  const x = parse(a);
  const y = parse(b);
  return x.first <= y.last && y.first <= x.last;
}

export function containsAddress(cidr: string, address: string): boolean {
  const block = parse(cidr);
  const { address: value } = parse(address);
  return block.first <= value && value <= block.last;
}

/** Terraform's `cidrsubnet(prefix, newbits, netnum)` on plain values. */
export function cidrSubnet(cidr: string, newBits: number, netNum: number): string {
  const { first, prefix } = parse(cidr);
  const newPrefix = prefix + newBits;
  if (newPrefix > 32) throw new Error(`cannot add ${newBits} bits to /${prefix}`);
  if (netNum >= 2 ** newBits) throw new Error(`network number ${netNum} does not fit in ${newBits} bits`);
  const start = first + BigInt(netNum) * 2n ** BigInt(32 - newPrefix);
  return `${dotted(start)}/${newPrefix}`;
}

const OCTET = '(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';
const STRICT_ADDRESS = new RegExp(`^${OCTET}(\\.${OCTET}){3}$`);
const STRICT_CIDR = new RegExp(`^${OCTET}(\\.${OCTET}){3}/(3[0-2]|[12]?\\d)$`);

/** Dotted quad as AWS and Terraform accept it: four octets 0..255, no leading zeros. */
export function isStrictAddress(text: string): boolean {
  return STRICT_ADDRESS.test(text);
}

/** `a.b.c.d/n` as AWS and Terraform accept it (host bits are judged separately). */
export function isStrictCidr(text: string): boolean {
  return STRICT_CIDR.test(text);
}

/**
 * The same address or CIDR with leading zeros dropped (`010.001.0.0/16` -> `10.1.0.0/16`),
 * when that is all that is wrong with it; otherwise undefined.
 */
export function withoutLeadingZeros(text: string): string | undefined {
  const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})(\/\d{1,2})?$/.exec(text);
  if (!match || !match.slice(1, 5).some((o) => /^0\d/.test(o))) return undefined;
  const fixed = `${match.slice(1, 5).map((o) => String(Number(o))).join('.')}${match[5] ?? ''}`;
  return (match[5] ? isStrictCidr(fixed) : isStrictAddress(fixed)) ? fixed : undefined;
}

/** True when the CIDRs together cover every IPv4 address (linear after sorting). */
export function coversEverything(cidrs: readonly string[]): boolean {
  const ranges = cidrs.map(range).sort((a, b) => (a.first < b.first ? -1 : a.first > b.first ? 1 : 0));
  let next = 0n;
  for (const r of ranges) {
    if (r.first > next) return false;
    if (r.last + 1n > next) next = r.last + 1n;
  }
  return next > 0xffffffffn;
}

/** What AWS reserves in a subnet: network, router (+1), DNS (+2), future use (+3), broadcast. */
export function reservedRole(subnet: string, address: string): string | undefined {
  const { first, last } = range(subnet);
  const at = parse(address).address;
  if (at === first) return 'the network address';
  if (at === first + 1n) return 'the VPC router address (AWS reserves the first four addresses)';
  if (at === first + 2n) return 'the Amazon DNS address (AWS reserves the first four addresses)';
  if (at === first + 3n) return 'reserved by AWS (the first four addresses)';
  if (at === last) return 'the broadcast address (AWS reserves it)';
  return undefined;
}
