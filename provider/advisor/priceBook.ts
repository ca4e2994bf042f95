import { AliyunApiError } from "../errors";
import { countUnusableRows, latestPriceByZone, ZonePrice } from "./prices";
import { priceQueryTimes } from "./priceWindow";
import type { QueryScheduler } from "./queryScheduler";
import { EcsAdvisorQueries, OnRequest } from "./types";

/** What the price queries found for one type. */
export interface TypePrices {
  readonly instanceTypeId: string;
  readonly byZone: ReadonlyMap<string, ZonePrice>;
  /** Stocked zones with no usable row even in the widest window. */
  readonly unpricedZones: readonly string[];
  readonly unusableRows: number;
  readonly currency?: string;
}

export interface PriceFetchContext {
  readonly queries: EcsAdvisorQueries;
  readonly regionId: string;
  readonly spotDuration?: 0 | 1;
  /** The window's end, fixed for the whole run. */
  readonly endMs: number;
  /** The requested window, then the wider ones (priceWindows). */
  readonly windows: readonly number[];
  readonly onRequest: OnRequest;
}

/**
 * Latest price per stocked zone of one type: one query covers all zones (no ZoneId), and only the zones still
 * without a row are looked for in the next, wider window.
 */
export async function fetchTypePrices(instanceTypeId: string, zones: readonly string[], ctx: PriceFetchContext): Promise<TypePrices> {
  const missing = new Set(zones);
  const byZone = new Map<string, ZonePrice>();
  let unusableRows = 0;
  let currency: string | undefined;
  for (const [index, windowMinutes] of ctx.windows.entries()) {
    const history = await ctx.queries.describeSpotPriceHistory(
      { regionId: ctx.regionId, instanceType: instanceTypeId, ...priceQueryTimes(ctx.endMs, windowMinutes), ...spotDurationOf(ctx) },
      ctx.onRequest,
    );
    currency ??= history.currency || undefined;
    // A row that names another type is not this type's price (the API filters by type; a proxy may not).
    const rows = history.rows.filter((r) => !r.instanceTypeId || r.instanceTypeId === instanceTypeId);
    // Wider windows repeat the narrower one's rows, so unusable rows are counted in the first answer only.
    if (index === 0) unusableRows = countUnusableRows(rows);
    for (const [zoneId, price] of latestPriceByZone(rows, missing, windowMinutes)) {
      byZone.set(zoneId, price);
      missing.delete(zoneId);
    }
    if (missing.size === 0) break;
  }
  return { instanceTypeId, byZone, unpricedZones: zones.filter((z) => missing.has(z)), unusableRows, ...(currency ? { currency } : {}) };
}

/** A type whose price query kept failing with throttling or 5xx after every retry. */
export interface PriceFailure {
  readonly instanceTypeId: string;
  readonly error: AliyunApiError;
}

export interface PriceFetchResult {
  readonly prices: ReadonlyMap<string, TypePrices>;
  readonly failures: readonly PriceFailure[];
}

type Outcome = { readonly prices: TypePrices } | { readonly failure: PriceFailure } | { readonly skipped: true };

/**
 * Every price query of one advise run, each type asked once, through the run's QueryScheduler. Queries start as
 * soon as a type is known to qualify (while later catalog pages are still loading), for every ratio still
 * possible, and are collected ratio by ratio; once a better ratio has won, the queued queries of worse ones are
 * skipped when their turn comes (`mootAfter`).
 *
 * A type whose query stays throttled or unavailable after callEcs's retries is reported and skipped (the others
 * still rank); any other failure (credentials, permission, a bad request) stops the run: queued queries are not
 * sent, and `collect` throws it once the queries in flight have finished.
 */
export class PriceBook {
  private readonly started = new Map<string, Promise<Outcome>>();
  private fatal: { readonly error: unknown } | undefined;
  /** Ranks above this are moot: a better ratio already has candidates. */
  private lastUsefulRank = Infinity;

  constructor(private readonly ctx: PriceFetchContext, private readonly scheduler: QueryScheduler) {}

  /** Queues the type's price query (rank = its ratio's place in the preference list) unless it is already queued. */
  request(instanceTypeId: string, zones: readonly string[], rank = 0): void {
    if (this.started.has(instanceTypeId)) return;
    this.started.set(instanceTypeId, this.scheduler.run(rank, () => this.run(instanceTypeId, zones, rank)));
  }

  /** Queries of a rank above `rank` that have not started yet are skipped: a better ratio has won. */
  mootAfter(rank: number): void {
    this.lastUsefulRank = Math.min(this.lastUsefulRank, rank);
  }

  /** The prices of these types (queued now if not yet), once all of them are in; failures sorted by type. */
  async collect(types: readonly { readonly instanceTypeId: string; readonly zones: readonly string[] }[], rank = 0): Promise<PriceFetchResult> {
    for (const t of types) this.request(t.instanceTypeId, t.zones, rank);
    const outcomes = await Promise.all(types.map((t) => this.started.get(t.instanceTypeId)!));
    if (this.fatal) {
      await this.drain();
      throw this.fatal.error;
    }
    const prices = new Map<string, TypePrices>();
    const failures: PriceFailure[] = [];
    for (const outcome of outcomes) {
      if ("prices" in outcome) prices.set(outcome.prices.instanceTypeId, outcome.prices);
      else if ("failure" in outcome) failures.push(outcome.failure);
    }
    // Completion order varies with concurrency; the result must not.
    failures.sort((a, b) => (a.instanceTypeId < b.instanceTypeId ? -1 : a.instanceTypeId > b.instanceTypeId ? 1 : 0));
    return { prices, failures };
  }

  /** Waits for every query started so far (a finished run leaves nothing in flight). */
  async idle(): Promise<void> {
    await Promise.allSettled([...this.started.values()]);
  }

  /**
   * Waits for every query started so far, so none outlives a failed run. Queued ones end at once without a
   * request (p-limit's clearQueue would leave their promises pending forever).
   */
  async drain(): Promise<void> {
    this.fatal ??= { error: new Error("advise stopped") };
    await Promise.allSettled([...this.started.values()]);
  }

  private async run(instanceTypeId: string, zones: readonly string[], rank: number): Promise<Outcome> {
    if (this.fatal || rank > this.lastUsefulRank) return { skipped: true };
    try {
      return { prices: await fetchTypePrices(instanceTypeId, zones, this.ctx) };
    } catch (err) {
      if (err instanceof AliyunApiError && (err.kind === "throttled" || err.kind === "transient")) {
        return { failure: { instanceTypeId, error: err } };
      }
      this.fatal ??= { error: err };
      return { skipped: true };
    }
  }
}

function spotDurationOf(ctx: PriceFetchContext): { spotDuration?: 0 | 1 } {
  return ctx.spotDuration !== undefined ? { spotDuration: ctx.spotDuration } : {};
}
