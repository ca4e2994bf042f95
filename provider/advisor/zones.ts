import { compareText } from "./catalog";

/**
 * The zone preference: the request's zone list in its order (the provider's vSwitch zones, the guide's
 * b/j/k order); without a list, zone ids in plain order.
 */
export function zoneComparator(preferred?: readonly string[]): (a: string, b: string) => number {
  if (!preferred || preferred.length === 0) return compareText;
  const rank = new Map(preferred.map((zone, index) => [zone, index] as const));
  return (a, b) => {
    const ra = rank.get(a) ?? Number.MAX_SAFE_INTEGER;
    const rb = rank.get(b) ?? Number.MAX_SAFE_INTEGER;
    return ra !== rb ? ra - rb : compareText(a, b);
  };
}
