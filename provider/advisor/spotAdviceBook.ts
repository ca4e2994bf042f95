import { errorText } from "../errors";
import type { QueryScheduler } from "./queryScheduler";
import type { EcsAdvisorQueries, OnRequest, SpotAdviceRow } from "./types";

/** InstanceTypes.N takes at most 10 types per DescribeSpotAdvice call. */
const TYPES_PER_CALL = 10;

/**
 * The interruption bands of one advise run: DescribeSpotAdvice for the types being priced, ten per call, sent
 * through the same scheduler as the price queries and at the same time, so they add no round trip.
 *
 * Bands inform the ranking; they never decide whether there is capacity. A call that fails (throttled past its
 * retries, denied: the API page discloses no RAM action for it, or anything else) leaves its types without a band,
 * and the explanation says so; the run goes on.
 */
export class SpotAdviceBook {
  private readonly pending: { instanceTypeId: string; rank: number }[] = [];
  private readonly asked = new Set<string>();
  private readonly calls: Promise<void>[] = [];
  private readonly rows = new Map<string, SpotAdviceRow>();
  private failure: string | undefined;

  constructor(
    private readonly ctx: { readonly queries: EcsAdvisorQueries; readonly regionId: string; readonly onRequest: OnRequest },
    private readonly scheduler: QueryScheduler,
  ) {}

  /** Adds a type to the next call; a call goes out as soon as ten are waiting (or at `flush`). */
  request(instanceTypeId: string, rank: number): void {
    if (this.asked.has(instanceTypeId)) return;
    this.asked.add(instanceTypeId);
    this.pending.push({ instanceTypeId, rank });
    if (this.pending.length >= TYPES_PER_CALL) this.send(this.pending.splice(0, TYPES_PER_CALL));
  }

  /** Sends what is waiting, fewer than ten: the catalog is complete. */
  flush(): void {
    if (this.pending.length > 0) this.send(this.pending.splice(0));
  }

  /** The band rows once every call sent so far has answered; why some are missing, if a call failed. */
  async collect(): Promise<{ readonly rows: ReadonlyMap<string, SpotAdviceRow>; readonly failure?: string }> {
    this.flush();
    await Promise.all(this.calls);
    return { rows: this.rows, ...(this.failure ? { failure: this.failure } : {}) };
  }

  private send(batch: readonly { instanceTypeId: string; rank: number }[]): void {
    const rank = Math.min(...batch.map((b) => b.rank));
    const instanceTypes = batch.map((b) => b.instanceTypeId);
    this.calls.push(this.scheduler.run(rank, async () => {
      try {
        for (const row of await this.ctx.queries.describeSpotAdvice({ regionId: this.ctx.regionId, instanceTypes }, this.ctx.onRequest)) {
          this.rows.set(adviceKey(row.instanceTypeId, row.zoneId), row);
        }
      } catch (err) {
        this.failure ??= errorText(err);
      }
    }));
  }
}

export function adviceKey(instanceTypeId: string, zoneId: string): string {
  return `${instanceTypeId}@${zoneId}`;
}
