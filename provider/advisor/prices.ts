import { SpotPriceRow } from "./types";

/** The latest spot price of one (type, zone), with what the Go tool derives from the window's rows. */
export interface ZonePrice {
  readonly zoneId: string;
  readonly spotPrice: number;
  readonly originPrice: number;
  readonly timestamp: string;
  /** The Go tool's RMS metric over the rows of the window the price came from. */
  readonly possibility: number;
  /** The window that produced the row (wider than requested when the zone had no row in it). */
  readonly windowMinutes: number;
}

/**
 * Prices come with float32 artefacts (0.3100000023841858 for 0.310); rounding to micro-units removes them so
 * the 3-decimal price limit is not pushed up a step and output stays readable.
 */
export function normalizePrice(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}

/**
 * A row the advisor can use: positive prices (zero would rank first with a zero price per vCPU), spot not above
 * pay-as-you-go (the API's own cap; a higher value is bad data), and a parseable timestamp.
 */
export function isUsableRow(row: SpotPriceRow): boolean {
  return (
    Number.isFinite(row.spotPrice) &&
    Number.isFinite(row.originPrice) &&
    row.spotPrice > 0 &&
    row.originPrice > 0 &&
    row.spotPrice <= row.originPrice &&
    typeof row.zoneId === "string" &&
    row.zoneId !== "" &&
    !Number.isNaN(Date.parse(row.timestamp))
  );
}

/** sqrt(mean((spot - 0.1 x origin)^2)): the Go tool's "possibility", kept for output compatibility only. */
export function possibilityOf(rows: readonly Pick<SpotPriceRow, "spotPrice" | "originPrice">[]): number {
  if (rows.length === 0) return 0;
  const sum = rows.reduce((acc, r) => acc + (r.spotPrice - 0.1 * r.originPrice) ** 2, 0);
  return Math.sqrt(sum / rows.length);
}

/**
 * The latest usable row per zone among `zones`. Rows arrive oldest first, page after page, so on equal
 * timestamps the later row wins: it is the later answer.
 */
export function latestPriceByZone(
  rows: readonly SpotPriceRow[],
  zones: ReadonlySet<string>,
  windowMinutes: number,
): Map<string, ZonePrice> {
  const byZone = new Map<string, SpotPriceRow[]>();
  for (const raw of rows) {
    const row = { ...raw, spotPrice: normalizePrice(raw.spotPrice), originPrice: normalizePrice(raw.originPrice) };
    if (!zones.has(row.zoneId) || !isUsableRow(row)) continue;
    let list = byZone.get(row.zoneId);
    if (!list) byZone.set(row.zoneId, (list = []));
    list.push(row);
  }
  const result = new Map<string, ZonePrice>();
  for (const [zoneId, list] of byZone) {
    let latest = list[0];
    for (const row of list) if (Date.parse(row.timestamp) >= Date.parse(latest.timestamp)) latest = row;
    result.set(zoneId, {
      zoneId,
      spotPrice: latest.spotPrice,
      originPrice: latest.originPrice,
      timestamp: latest.timestamp,
      possibility: possibilityOf(list),
      windowMinutes,
    });
  }
  return result;
}

/** Rows of the queried type that cannot be used; reported in the explanation, never silently. */
export function countUnusableRows(rows: readonly SpotPriceRow[]): number {
  return rows.filter((r) => !isUsableRow({ ...r, spotPrice: normalizePrice(r.spotPrice), originPrice: normalizePrice(r.originPrice) })).length;
}
