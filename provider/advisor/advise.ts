import { catalogQueryFor, compareText, filterCatalog, hasRatio, matchesShape, ratioOf } from "./catalog";
import { DEFAULT_CONCURRENCY } from "./defaults";
import { explainCatalog, explainRatio, explainStrategy, explainVerdict, RatioOutcome } from "./explain";
import { PriceBook } from "./priceBook";
import { QueryScheduler } from "./queryScheduler";
import { priceWindowEnd, priceWindows } from "./priceWindow";
import { bandUpperBound, JobShape } from "./interruptionModel";
import { buildCandidate, pricePerCoreOf, rankCandidates, withInterruptionCost } from "./rank";
import { adviceKey, SpotAdviceBook } from "./spotAdviceBook";
import { indexStock, StockIndex } from "./stock";
import { Advice, AdviceRequest, AdvisorDeps, InstanceTypeInfo, OnDemandOption, OnRequest, SpotCandidate, ZoneTypeAvailability } from "./types";
import { zoneComparator } from "./zones";
import { AppliedAdviceRequest, validateAdviceRequest, validateConcurrency } from "./validate";

/**
 * The cheapest spot capacity per vCPU for a request:
 * 1. every page of DescribeInstanceTypes and, at the same time, DescribeAvailableResource (spot, post-paid);
 * 2. the catalog narrowed by architecture, exact family, vCPU and memory;
 * 3. for each ratio in order of preference: the types at that ratio with stock in an allowed zone, their
 *    latest spot price per zone (bounded parallel queries, window widened for zones without a row); the
 *    first ratio that yields any candidate wins;
 * 4. (type, zone) ranked by price per vCPU with deterministic ties, each with its price limit.
 * Price queries start as soon as a catalog page and the stock are in, for every ratio of the preference list (a
 * fallback ratio then costs no extra round trip), the first ratio's first; once a ratio has candidates, the
 * queued queries of worse ratios are skipped. Same inputs and clock, same advice: nothing depends on the order in
 * which answers arrive.
 */
export async function advise(input: AdviceRequest, deps: AdvisorDeps): Promise<Advice> {
  const request = validateAdviceRequest(input);
  const concurrency = validateConcurrency(deps.concurrency ?? DEFAULT_CONCURRENCY);
  const scheduler = new QueryScheduler(concurrency);
  let apiCalls = 0;
  const onRequest: OnRequest = (answer) => {
    apiCalls += 1;
    if (answer) scheduler.onAnswer(answer.throttled);
  };
  const { queries } = deps;
  const book = new PriceBook(
    {
      queries,
      regionId: request.regionId,
      ...spotDurationOf(request),
      endMs: priceWindowEnd(deps.now()),
      windows: priceWindows(request.priceWindowMinutes),
      onRequest,
    },
    scheduler,
  );
  const bands = new SpotAdviceBook({ queries, regionId: request.regionId, onRequest }, scheduler);

  try {
    const prefetch = pricePrefetch(request, book, bands);
    const catalog = catalogQueryFor(request);
    const [types, availability] = await settleBoth(
      queries.describeInstanceTypes(catalog.query, onRequest, prefetch.onPage),
      queries.describeAvailableResource({ regionId: request.regionId, ...spotDurationOf(request) }, onRequest).then((a) => (prefetch.onStock(a), a)),
    );
    const funnel = filterCatalog(types, request);
    const stock = indexStock(availability, request.zones);
    bands.flush();

    const outcomes: RatioOutcome[] = [];
    let currency = "";
    const shape = jobShapeOf(request);
    for (const [rank, ratio] of request.ratios.entries()) {
      const { outcome, currency: seen } = await evaluateRatio(ratio, rank, funnel.inShape, stock, request, book);
      outcomes.push(outcome);
      currency ||= seen;
      if (outcome.candidates.length > 0) {
        book.mootAfter(rank);
        break;
      }
    }

    const winner = outcomes.find((o) => o.candidates.length > 0);
    const banded = await bands.collect();
    const withCosts = (winner?.candidates ?? []).map((c) => withInterruptionCost(c, bandUpperBound(banded.rows.get(adviceKey(c.instanceTypeId, c.zoneId))?.interruptRateDesc), shape));
    const onDemand = request.onDemand ? await onDemandOptionsOf(funnel.inShape, stock, request, book) : undefined;
    currency ||= onDemand?.currency ?? "";
    const onDemandOptions = onDemand?.options;
    const ranked = rankCandidates(withCosts, request.zones, request.strategy);
    const candidates = request.limit !== undefined ? ranked.slice(0, request.limit) : ranked;
    const availableZones: Record<string, readonly string[]> = {};
    for (const c of candidates) availableZones[c.instanceTypeId] ??= stock.stockedZones(c.instanceTypeId);

    await book.idle();
    const explanation = [
      explainVerdict(request, outcomes, ranked, candidates.length, currency),
      ...explainStrategy(request, shape, ranked, banded.failure),
      ...explainCatalog(request, funnel, catalog.shapeByApi),
      ...outcomes.flatMap((o) => explainRatio(request, o)),
    ];
    return {
      request,
      ...(winner ? { ratioUsed: winner.ratio } : {}),
      candidates,
      availableZones,
      explanation,
      currency,
      apiCalls,
      ...(onDemandOptions ? { onDemandOptions } : {}),
    };
  } catch (err) {
    // Price queries started early must not outlive the call that failed.
    await book.drain();
    throw err;
  }
}

/**
 * Starts price queries while the catalog is still paging: a type qualifies once its page and the stock are both
 * in, for whichever ratio of the list it has (its rank orders the queue). The same tests as the funnel's, so
 * nothing is queried that the ranking could not ask for.
 */
function pricePrefetch(request: AppliedAdviceRequest, book: PriceBook, bands: SpotAdviceBook) {
  const pending: InstanceTypeInfo[] = [];
  let stock: StockIndex | undefined;
  const flush = () => {
    if (!stock) return;
    for (const t of pending.splice(0)) {
      if (!matchesShape(t, request)) continue;
      const rank = request.ratios.findIndex((ratio) => hasRatio(t, ratio));
      const zones = pricedZones(t.instanceTypeId, stock, request);
      if (rank >= 0 && zones.length > 0) {
        book.request(t.instanceTypeId, zones, rank);
        if (stock.stockedZones(t.instanceTypeId).length > 0) bands.request(t.instanceTypeId, rank);
      }
    }
  };
  return {
    onPage: (page: readonly InstanceTypeInfo[]) => {
      pending.push(...page);
      flush();
    },
    onStock: (availability: readonly ZoneTypeAvailability[]) => {
      stock = indexStock(availability, request.zones);
      flush();
    },
  };
}

/** One ratio of the preference list: stock, prices, candidates, and what eliminated the rest. */
async function evaluateRatio(
  ratio: number,
  rank: number,
  inShape: readonly InstanceTypeInfo[],
  stock: StockIndex,
  request: AppliedAdviceRequest,
  book: PriceBook,
): Promise<{ outcome: RatioOutcome; currency: string }> {
  const matched = inShape.filter((t) => hasRatio(t, ratio));
  const stocked = matched.filter((t) => stock.stockedZones(t.instanceTypeId).length > 0);
  const unstocked = matched.filter((t) => stock.stockedZones(t.instanceTypeId).length === 0);
  const onlyOutside = unstocked.filter((t) => stock.zonesOutsideRequest(t.instanceTypeId).length > 0);
  const noStock = unstocked.filter((t) => stock.zonesOutsideRequest(t.instanceTypeId).length === 0);

  const { prices, failures } = await book.collect(stocked.map((t) => ({ instanceTypeId: t.instanceTypeId, zones: pricedZones(t.instanceTypeId, stock, request) })), rank);
  // A price stage that failed for every type is an outage, not "no capacity": report the API's error.
  if (stocked.length > 0 && failures.length === stocked.length) throw failures[0].error;

  const candidates: SpotCandidate[] = [];
  const widened: { instanceTypeId: string; zoneId: string; windowMinutes: number }[] = [];
  const unpriced: { instanceTypeId: string; zoneId: string }[] = [];
  let unusableRows = 0;
  let currency = "";
  for (const type of stocked) {
    const typePrices = prices.get(type.instanceTypeId);
    if (!typePrices) continue;
    currency ||= typePrices.currency ?? "";
    unusableRows += typePrices.unusableRows;
    for (const zoneId of stock.stockedZones(type.instanceTypeId)) {
      const price = typePrices.byZone.get(zoneId);
      if (!price) continue;
      if (price.windowMinutes !== request.priceWindowMinutes) widened.push({ instanceTypeId: type.instanceTypeId, zoneId, windowMinutes: price.windowMinutes });
      candidates.push(buildCandidate(type, request.arch, price, request.priceLimitFactor));
    }
    for (const zoneId of typePrices.unpricedZones) unpriced.push({ instanceTypeId: type.instanceTypeId, zoneId });
  }
  const outsideZones = [...new Set(onlyOutside.flatMap((t) => stock.zonesOutsideRequest(t.instanceTypeId)))].sort();
  return {
    outcome: {
      ratio,
      matched: matched.map((t) => t.instanceTypeId),
      noStock: noStock.map((t) => t.instanceTypeId),
      onlyOutsideZones: onlyOutside.map((t) => t.instanceTypeId),
      outsideZones,
      priceFailures: failures.map((f) => ({ instanceTypeId: f.instanceTypeId, code: f.error.code })),
      widened,
      unpriced,
      unusableRows,
      candidates,
    },
    currency,
  };
}

/** The job the expected cost is for: the request's length, and the protection period SpotDuration gives. */
function jobShapeOf(request: AppliedAdviceRequest): JobShape {
  return { jobMinutes: request.expectedJobMinutes, protectedMinutes: (request.spotDuration ?? 1) * 60 };
}

/** Where a type's prices are asked for: its stocked zones, and with on-demand options every zone that sells it. */
function pricedZones(instanceTypeId: string, stock: StockIndex, request: AppliedAdviceRequest): readonly string[] {
  return request.onDemand ? stock.offeredZones(instanceTypeId) : stock.stockedZones(instanceTypeId);
}

/**
 * Pay-as-you-go options: the first ratio with any type offered in an allowed zone and a known pay-as-you-go price
 * (the OriginPrice of its price rows, whose queries went out with the spot ones). Cheapest per vCPU first.
 */
async function onDemandOptionsOf(
  inShape: readonly InstanceTypeInfo[], stock: StockIndex, request: AppliedAdviceRequest, book: PriceBook,
): Promise<{ options: OnDemandOption[]; currency: string }> {
  const order = zoneComparator(request.zones);
  for (const [rank, ratio] of request.ratios.entries()) {
    const offered = inShape.filter((t) => hasRatio(t, ratio) && stock.offeredZones(t.instanceTypeId).length > 0);
    if (offered.length === 0) continue;
    const { prices } = await book.collect(offered.map((t) => ({ instanceTypeId: t.instanceTypeId, zones: stock.offeredZones(t.instanceTypeId) })), rank);
    const options: OnDemandOption[] = [];
    let currency = "";
    for (const t of offered) {
      currency ||= prices.get(t.instanceTypeId)?.currency ?? "";
      for (const [zoneId, price] of prices.get(t.instanceTypeId)?.byZone ?? []) {
        options.push({
          instanceTypeId: t.instanceTypeId, zoneId, family: t.family.trim(), cpuCoreCount: t.cpuCoreCount, memorySize: t.memorySize,
          ratio: ratioOf(t), originPrice: price.originPrice, pricePerCore: pricePerCoreOf(price.originPrice, t.cpuCoreCount),
        });
      }
    }
    if (options.length > 0) {
      options.sort((a, b) => a.pricePerCore - b.pricePerCore || a.cpuCoreCount - b.cpuCoreCount || order(a.zoneId, b.zoneId) ||
        compareText(a.instanceTypeId, b.instanceTypeId));
      return { options, currency };
    }
  }
  return { options: [], currency: "" };
}

/** Both queries run at once; if either fails, wait for the other so no request outlives the call, then throw. */
async function settleBoth<A, B>(a: Promise<A>, b: Promise<B>): Promise<[A, B]> {
  const [ra, rb] = await Promise.allSettled([a, b]);
  if (ra.status === "rejected") throw ra.reason;
  if (rb.status === "rejected") throw rb.reason;
  return [ra.value, rb.value];
}

function spotDurationOf(request: AdviceRequest): { spotDuration?: 0 | 1 } {
  return request.spotDuration !== undefined ? { spotDuration: request.spotDuration } : {};
}
