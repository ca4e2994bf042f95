/**
 * The bid for a spot instance. RunInstances takes SpotPriceLimit with at most 3 decimals and rejects a limit
 * below the current price (InvalidSpotPriceLimit.LowerThanPublicPrice), and a spot instance never costs more
 * than pay-as-you-go, so: factor x the latest price, rounded UP to 3 decimals, capped at the pay-as-you-go price.
 */
export function priceLimitFor(spotPrice: number, originPrice: number, factor: number): number {
  const wanted = Math.max(ceil3(factor * spotPrice), ceil3(spotPrice));
  if (wanted <= originPrice) return wanted;
  // Pay-as-you-go prices can have 4 decimals (0.4076); bid the 3-decimal value under it while that still
  // covers the spot price, else the pay-as-you-go price itself (spot within 0.001 of it: a scarce pair).
  const capped = floor3(originPrice);
  return capped >= spotPrice ? capped : originPrice;
}

/**
 * Rounds up to 3 decimals. The product is first rounded to micro-units so float noise (1.2 x 0.05 =
 * 0.06000000000000001) does not push the limit up a whole step.
 */
export function ceil3(value: number): number {
  return Math.ceil(Math.round(value * 1e6) / 1e3) / 1e3;
}

export function floor3(value: number): number {
  return Math.floor(Math.round(value * 1e6) / 1e3) / 1e3;
}
