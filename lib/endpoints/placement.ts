export type EndpointPlacement = 'single-subnet' | 'per-az';

/**
 * Where interface endpoints go: the first private subnet of each AZ (`per-az`), or only the
 * first of them (`single-subnet`). Shared by the construct and the reports (no cdktf here).
 */
export function placementSubnets<T extends { readonly az: string }>(privateSubnets: readonly T[], placement: EndpointPlacement): T[] {
  const firstPerAz = new Map<string, T>();
  for (const subnet of privateSubnets) if (!firstPerAz.has(subnet.az)) firstPerAz.set(subnet.az, subnet);
  const placed = [...firstPerAz.values()];
  return placement === 'per-az' ? placed : placed.slice(0, 1);
}
