import { CatalogFunnel, formatRatio } from "./catalog";
import { formatWindow } from "./priceWindow";
import { JobShape, START_MINUTES } from "./interruptionModel";
import { AdviceRequest, SpotCandidate } from "./types";
import type { AppliedAdviceRequest } from "./validate";

/** What happened at one ratio of the preference list. */
export interface RatioOutcome {
  readonly ratio: number;
  /** Types of the right shape at this ratio. */
  readonly matched: readonly string[];
  /** ...with no spot stock in any zone. */
  readonly noStock: readonly string[];
  /** ...with stock only in zones the request does not allow. */
  readonly onlyOutsideZones: readonly string[];
  /** Zones those types have stock in, outside the request. */
  readonly outsideZones: readonly string[];
  /** Types whose price query kept failing (throttling, 5xx) after every retry. */
  readonly priceFailures: readonly { readonly instanceTypeId: string; readonly code: string }[];
  /** (type, zone) pairs with stock and a price only in a wider window than requested. */
  readonly widened: readonly { readonly instanceTypeId: string; readonly zoneId: string; readonly windowMinutes: number }[];
  /** (type, zone) pairs with stock and no price row even in the widest window. */
  readonly unpriced: readonly { readonly instanceTypeId: string; readonly zoneId: string }[];
  readonly unusableRows: number;
  readonly candidates: readonly SpotCandidate[];
}

const LIST_MAX = 6;

/** "a, b, c and 4 more" */
export function listSome(items: readonly string[], max = LIST_MAX): string {
  if (items.length <= max) return items.join(", ");
  return `${items.slice(0, max).join(", ")} and ${items.length - max} more`;
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

function shapeText(request: AdviceRequest): string {
  return `${request.minCpu}-${request.maxCpu} vCPU, ${request.minMemGiB}-${request.maxMemGiB} GiB`;
}

/**
 * The catalog funnel: architecture, families, vCPUs, memory. When the API applied the vCPU and memory range
 * (`shapeByApi`), the types outside it were never seen, and the line says only what was.
 */
export function explainCatalog(request: AdviceRequest, funnel: CatalogFunnel, shapeByApi: boolean): string[] {
  if (shapeByApi) {
    return [`${request.regionId} lists ${plural(funnel.inShape.length, `${request.arch} type`)} with ${shapeText(request)}.`];
  }
  const steps = [`${request.regionId} lists ${plural(funnel.inArch.length, `${request.arch} type`)}`];
  if (request.families && request.families.length > 0) {
    steps[0] = `${request.regionId} lists ${plural(funnel.inFamilies.length, `${request.arch} type`)} in ${request.families.length === 1 ? "family" : "families"} ${request.families.join(", ")}`;
  }
  steps.push(`${funnel.inCpuRange.length} with ${request.minCpu}-${request.maxCpu} vCPU`);
  steps.push(`${funnel.inShape.length} of those with ${request.minMemGiB}-${request.maxMemGiB} GiB`);
  const lines = [`${steps.join("; ")}.`];
  for (const family of funnel.unknownFamilies) {
    lines.push(`Family ${family} has no ${request.arch} type in ${request.regionId} (DescribeInstanceTypes lists none); check the name.`);
  }
  return lines;
}

/** One ratio: how many types matched and what removed the rest. */
export function explainRatio(request: AdviceRequest, outcome: RatioOutcome): string[] {
  const at = `At ${formatRatio(outcome.ratio)}`;
  if (outcome.matched.length === 0) {
    return [`${at}, no ${request.arch} type matches ${shapeText(request)}.`];
  }
  const parts = [`${at}, ${plural(outcome.matched.length, `${request.arch} type`)} ${outcome.matched.length === 1 ? "matches" : "match"} ${shapeText(request)}`];
  if (outcome.noStock.length > 0) parts.push(`${outcome.noStock.length} ${outcome.noStock.length === 1 ? "has" : "have"} no spot stock in any zone`);
  if (outcome.onlyOutsideZones.length > 0) {
    parts.push(
      `${outcome.onlyOutsideZones.length} ${outcome.onlyOutsideZones.length === 1 ? "has" : "have"} stock only outside the allowed zones ` +
        `(in ${listSome(outcome.outsideZones)})`,
    );
  }
  if (outcome.priceFailures.length > 0) parts.push(`${outcome.priceFailures.length} could not be priced`);
  const pricedTypes = new Set(outcome.candidates.map((c) => c.instanceTypeId)).size;
  parts.push(`${plural(outcome.candidates.length, "(type, zone) candidate")} from ${plural(pricedTypes, "type")}`);
  const lines = [`${parts.join("; ")}.`];
  for (const failure of outcome.priceFailures) {
    lines.push(`Prices for ${failure.instanceTypeId} could not be read (${failure.code} after every retry); skipped. Run again later.`);
  }
  const widenedBy = groupBy(outcome.widened, (w) => w.windowMinutes);
  for (const [windowMinutes, pairs] of [...widenedBy].sort((a, b) => a[0] - b[0])) {
    lines.push(
      `No price row in the last ${formatWindow(request.priceWindowMinutes ?? 60)} for ${listSome(pairs.map((p) => `${p.instanceTypeId} in ${p.zoneId}`))}; ` +
        `used the latest row of the last ${formatWindow(windowMinutes)}.`,
    );
  }
  if (outcome.unpriced.length > 0) {
    lines.push(
      `No price row at all (widest window tried) for ${listSome(outcome.unpriced.map((p) => `${p.instanceTypeId} in ${p.zoneId}`))}; ` +
        `${outcome.unpriced.length === 1 ? "that pair is" : "those pairs are"} left out.`,
    );
  }
  if (outcome.unusableRows > 0) {
    lines.push(`${plural(outcome.unusableRows, "price row")} ignored as unusable (zero price, spot above pay-as-you-go, or a bad timestamp).`);
  }
  return lines;
}

/** The verdict: which ratio won and the cheapest offer, or that nothing qualified. */
export function explainVerdict(
  request: AdviceRequest,
  outcomes: readonly RatioOutcome[],
  ranked: readonly SpotCandidate[],
  returned: number,
  currency: string,
): string {
  const winner = outcomes.find((o) => o.candidates.length > 0);
  if (!winner || ranked.length === 0) {
    const tried = outcomes.map((o) => formatRatio(o.ratio)).join(", ");
    return `No spot candidate for ${request.arch} in ${request.regionId} at ${tried}: widen the vCPU or memory range, add ratios or families, or allow more zones.`;
  }
  const skipped = outcomes.filter((o) => o !== winner).map((o) => formatRatio(o.ratio));
  const best = ranked[0];
  const fallback = skipped.length > 0 ? ` (no candidate at ${skipped.join(", ")})` : "";
  const limit = returned < ranked.length ? `; returning the first ${returned} (limit ${request.limit})` : "";
  return (
    `Chose ${formatRatio(winner.ratio)}${fallback}: ${plural(ranked.length, "candidate")}, cheapest ${best.instanceTypeId} in ${best.zoneId} ` +
    `at ${best.pricePerCore} ${currency} per vCPU-hour (spot ${best.spotPrice}, limit ${best.priceLimit})${limit}.`
  );
}

function groupBy<T, K>(items: readonly T[], key: (item: T) => K): Map<K, T[]> {
  const map = new Map<K, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = map.get(k);
    if (list) list.push(item);
    else map.set(k, [item]);
  }
  return map;
}

/**
 * How the candidates were ranked, and the best candidate's interruption band and expected cost, or why the bands
 * are missing (the ranking then falls back to the price).
 */
export function explainStrategy(request: AppliedAdviceRequest, shape: JobShape, ranked: readonly SpotCandidate[], bandFailure: string | undefined): string[] {
  if (ranked.length === 0) return [];
  const lines: string[] = [];
  const exposed = Math.max(0, START_MINUTES + shape.jobMinutes - shape.protectedMinutes);
  if (request.strategy === "lowest-price") {
    lines.push("Ranked by spot price per vCPU (strategy lowest-price).");
  } else if (exposed === 0) {
    lines.push(`Ranked by expected cost per completed ${shape.jobMinutes}-minute job: it ends inside the ${shape.protectedMinutes}-minute ` +
      "protection period, so no interruption can touch it and the order is the price's.");
  } else {
    lines.push(`Ranked by expected cost per completed ${shape.jobMinutes}-minute job: ${exposed} minutes of each run are exposed to ` +
      "interruption; an interruption's lost work and the re-run are counted from DescribeSpotAdvice's 30-day band.");
  }
  if (bandFailure) lines.push(`DescribeSpotAdvice failed (${bandFailure}); candidates have no interruption band and rank by price.`);
  const best = ranked[0];
  if (best.interruptionRate !== undefined) {
    lines.push(`${best.instanceTypeId} in ${best.zoneId}: interruption band up to ${Math.round(best.interruptionRate * 100)}% an hour` +
      `${best.expectedCostPerVcpu !== undefined ? `, expected ${best.expectedCostPerVcpu} per vCPU per completed job` : ""}.`);
  }
  return lines;
}
