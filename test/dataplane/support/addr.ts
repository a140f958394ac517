/** IPv4 arithmetic for laying out the lab's subnets. */
export function ipToInt(ip: string): number {
  const p = ip.split('.').map(Number);
  if (p.length !== 4 || p.some((o) => !Number.isInteger(o) || o < 0 || o > 255)) throw new Error(`bad IPv4 address ${ip}`);
  return ((p[0] << 24) | (p[1] << 16) | (p[2] << 8) | p[3]) >>> 0;
}

export function intToIp(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

export function network(cidr: string): { base: number; len: number } {
  const [ip, len] = cidr.split('/');
  const l = Number(len);
  const mask = l === 0 ? 0 : (0xffffffff << (32 - l)) >>> 0;
  return { base: (ipToInt(ip) & mask) >>> 0, len: l };
}

/** The /24 holding `ip`, as a CIDR. */
export function slash24(ip: string): string {
  return `${intToIp((ipToInt(ip) & 0xffffff00) >>> 0)}/24`;
}

/** Host number `n` of a subnet (n = 1 is the VPC router's address on AWS). */
export function host(cidr: string, n: number): string {
  return intToIp((network(cidr).base + n) >>> 0);
}

export function contains(cidr: string, ip: string): boolean {
  const { base, len } = network(cidr);
  const mask = len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0;
  return ((ipToInt(ip) & mask) >>> 0) === base;
}
