import type { SpotPriceSpec } from "../scenario/types";
import { HOUR_MS, MINUTE_MS, round3 } from "../format";

/** One row of spot price history, at an instant. */
export interface PricePoint {
  readonly at: number;
  readonly price: number;
}

/**
 * The spot price of one (zone, type) over time, from the scenario's spec plus prices set through the admin API.
 * `points` specs are a step function over their rows; `model` specs are an hourly series around ratio x on-demand:
 * a daily wave plus smooth deterministic noise, so histories move the way spot prices do without any randomness
 * at run time (same seed, same series, on any clock).
 */
export class SpotPriceSeries {
  private readonly fixed: readonly PricePoint[] | undefined;
  private readonly overrides: PricePoint[] = [];

  constructor(
    private readonly spec: SpotPriceSpec,
    private readonly onDemandPrice: number,
    /** Scenario start: `points` minutes are relative to it. */
    startMs: number,
    /** Default seed for models that give none, so offerings without seeds still differ. */
    private readonly fallbackSeed: number,
  ) {
    if ("points" in spec) {
      this.fixed = [...spec.points]
        .map((p) => ({ at: startMs + p.minutes * MINUTE_MS, price: round3(p.price) }))
        .sort((a, b) => a.at - b.at);
    }
  }

  /** From `at` on, the price is `price` (admin POST prices). */
  setPrice(at: number, price: number): void {
    this.overrides.push({ at, price: round3(price) });
    this.overrides.sort((a, b) => a.at - b.at);
  }

  /** The price in effect at `t`: the last row at or before it (before any row: the first row). */
  priceAt(t: number): number {
    // A price set through the admin API holds from its instant on, over the scenario's own rows.
    const override = lastAtOrBefore(this.overrides, t);
    if (override) return override.price;
    const base = this.baseRowAtOrBefore(t);
    if (base) return base.price;
    return this.fixed && this.fixed.length > 0 ? this.fixed[0].price : this.modelPrice(Math.floor(t / HOUR_MS));
  }

  /** History rows with from <= at <= to, oldest first. */
  rows(from: number, to: number): PricePoint[] {
    const rows: PricePoint[] = [];
    if (this.fixed) {
      for (const p of this.fixed) if (p.at >= from && p.at <= to) rows.push(p);
    } else {
      for (let hour = Math.ceil(from / HOUR_MS); hour * HOUR_MS <= to; hour++) rows.push({ at: hour * HOUR_MS, price: this.modelPrice(hour) });
    }
    const firstOverride = this.overrides[0];
    const kept = firstOverride ? rows.filter((r) => r.at < firstOverride.at) : rows;
    for (const p of this.overrides) if (p.at >= from && p.at <= to) kept.push(p);
    return kept.sort((a, b) => a.at - b.at);
  }

  private baseRowAtOrBefore(t: number): PricePoint | undefined {
    if (this.fixed) return lastAtOrBefore(this.fixed, t);
    const hour = Math.floor(t / HOUR_MS);
    return { at: hour * HOUR_MS, price: this.modelPrice(hour) };
  }

  private modelPrice(hour: number): number {
    if (!("model" in this.spec)) return 0;
    const { ratio, amplitude = 0.15, seed = this.fallbackSeed } = this.spec.model;
    const phase = unitNoise(seed, -1) * Math.PI * 2;
    const wave = 0.4 * Math.sin((2 * Math.PI * hour) / 24 + phase) + 0.6 * smoothNoise(seed, hour / 6);
    const price = this.onDemandPrice * ratio * (1 + amplitude * wave);
    // Spot never costs more than pay-as-you-go, and never rounds down to nothing.
    return Math.max(0.001, round3(Math.min(price, this.onDemandPrice)));
  }
}

function lastAtOrBefore(points: readonly PricePoint[], t: number): PricePoint | undefined {
  let found: PricePoint | undefined;
  for (const p of points) {
    if (p.at > t) break;
    found = p;
  }
  return found;
}

/** Deterministic value in [-1, 1] for (seed, index): an integer hash, no state. */
function unitNoise(seed: number, index: number): number {
  let h = (Math.imul(seed | 0, 0x9e3779b1) ^ Math.imul(index | 0, 0x85ebca6b)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d) >>> 0;
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b) >>> 0;
  h = (h ^ (h >>> 16)) >>> 0;
  return (h / 0xffffffff) * 2 - 1;
}

/** Value noise: random values at integer x, cosine-interpolated between them. */
function smoothNoise(seed: number, x: number): number {
  const i = Math.floor(x);
  const f = x - i;
  const w = (1 - Math.cos(f * Math.PI)) / 2;
  return unitNoise(seed, i) * (1 - w) + unitNoise(seed, i + 1) * w;
}

/** A stable number from a string, for default seeds. */
export function stringSeed(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h >>> 0;
}
