import { Address4 } from 'ip-address';

/** IPv4 CIDR arithmetic on plain values, on top of `ip-address`. */

export interface Ipv4Range {
  readonly first: bigint;
  readonly last: bigint;
  readonly prefix: number;
}

export function isValidCidr(cidr: string): boolean {
  return cidr.includes('/') && Address4.isValid(cidr);
}

export function isValidAddress(address: string): boolean {
  return !address.includes('/') && Address4.isValid(address);
}

export function range(cidr: string): Ipv4Range {
  const address = new Address4(cidr);
  return { first: address.startAddress().bigInt(), last: address.endAddress().bigInt(), prefix: address.subnetMask };
}

/** True when the address part of the CIDR is the network address (`10.0.0.0/16`, not `10.0.0.1/16`). */
export function isNetworkAddress(cidr: string): boolean {
  const address = new Address4(cidr);
  return address.bigInt() === address.startAddress().bigInt();
}

export function networkOf(cidr: string): string {
  const address = new Address4(cidr);
  return `${address.startAddress().correctForm()}/${address.subnetMask}`;
}

export function overlaps(a: string, b: string): boolean {
  const x = range(a);
  const y = range(b);
  return x.first <= y.last && y.first <= x.last;
}

export function containsAddress(cidr: string, address: string): boolean {
  return new Address4(address).isInSubnet(new Address4(cidr));
}

/** Terraform's `cidrsubnet(prefix, newbits, netnum)` on plain values. */
export function cidrSubnet(cidr: string, newBits: number, netNum: number): string {
  const { first, prefix } = range(cidr);
  const newPrefix = prefix + newBits;
  if (newPrefix > 32) throw new Error(`cannot add ${newBits} bits to /${prefix}`);
  if (netNum >= 2 ** newBits) throw new Error(`network number ${netNum} does not fit in ${newBits} bits`);
  const start = first + BigInt(netNum) * 2n ** BigInt(32 - newPrefix);
  return `${Address4.fromBigInt(start).correctForm()}/${newPrefix}`;
}
