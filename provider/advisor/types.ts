/**
 * The advisor's public shapes: what is asked, what comes back, and the three ECS queries it depends on.
 * Kept apart from the logic so the provider, the CLI and the tests import types without pulling in the SDK.
 */

export type { Arch } from "../contract/arch";
import type { Arch } from "../contract/arch";

export interface AdviceRequest {
  readonly regionId: string;
  readonly arch: Arch;
  /** vCPUs (the API's CpuCoreCount), inclusive. */
  readonly minCpu: number;
  readonly maxCpu: number;
  /** GiB (the API's MemorySize), inclusive. */
  readonly minMemGiB: number;
  readonly maxMemGiB: number;
  /** GiB per vCPU in order of preference, e.g. [1, 2]; the first ratio that yields any candidate wins. */
  readonly ratios: readonly number[];
  /** Exact InstanceTypeFamily matches after trimming; empty entries are ignored; none = any family. */
  readonly families?: readonly string[];
  /** Only these zones (the provider passes the zones that have a vSwitch); their order is the zone preference. */
  readonly zones?: readonly string[];
  /** How far back to look for spot prices; default 60. Widened for a zone that has stock but no row. */
  readonly priceWindowMinutes?: number;
  /** Sent to DescribeAvailableResource and DescribeSpotPriceHistory (1 = one hour of protection). */
  readonly spotDuration?: 0 | 1;
  /** Most candidates returned; default all. */
  readonly limit?: number;
  /** Price limit = factor x the latest spot price (rounded up to 3 decimals, capped at pay-as-you-go); default 1.2. */
  readonly priceLimitFactor?: number;
  /**
   * Also list pay-as-you-go options (Advice.onDemandOptions): the types offered in the allowed zones, with or
   * without spot stock, by pay-as-you-go price. Their price queries go out with the spot ones, in the same wave.
   */
  readonly onDemand?: boolean;
  /**
   * How candidates are ranked: "expected-cost" (default) by the expected cost per vCPU of a completed job,
   * counting the work an interruption loses and the re-run (interruptionModel.ts); "lowest-price" by the spot
   * price per vCPU alone, as the Go spot-instance-advisor does.
   */
  readonly strategy?: RankingStrategy;
  /** The job the expected cost is for: its length in minutes; default 20 (the guide's build, with margin). */
  readonly expectedJobMinutes?: number;
}

export type RankingStrategy = "expected-cost" | "lowest-price";
export const RANKING_STRATEGIES: readonly RankingStrategy[] = ["expected-cost", "lowest-price"];

/** A (type, zone) that can be launched pay-as-you-go, and what an hour costs. */
export interface OnDemandOption {
  readonly instanceTypeId: string;
  readonly zoneId: string;
  readonly family: string;
  readonly cpuCoreCount: number;
  readonly memorySize: number;
  /** GiB per vCPU. */
  readonly ratio: number;
  /** Pay-as-you-go price, currency per hour (the OriginPrice of the latest spot price row). */
  readonly originPrice: number;
  /** originPrice / cpuCoreCount, rounded like SpotCandidate.pricePerCore. */
  readonly pricePerCore: number;
}

export interface SpotCandidate {
  readonly instanceTypeId: string;
  readonly zoneId: string;
  readonly family: string;
  readonly arch: Arch;
  readonly cpuCoreCount: number;
  readonly memorySize: number;
  /** GiB per vCPU. */
  readonly ratio: number;
  /** Latest spot price, currency per hour. */
  readonly spotPrice: number;
  /** Pay-as-you-go price, currency per hour. */
  readonly originPrice: number;
  /** spotPrice / cpuCoreCount, rounded to 12 significant digits so equal prices per vCPU compare equal. */
  readonly pricePerCore: number;
  /** 10 x spot / pay-as-you-go (the Go tool's "zhe" scale: 1.9 = 19 % of the pay-as-you-go price). */
  readonly discount: number;
  /** The Go tool's "possibility": RMS distance of the window's spot prices from 10 % of pay-as-you-go. */
  readonly possibility: number;
  /** What to bid: ceil3(factor x spotPrice), capped at originPrice. */
  readonly priceLimit: number;
  /** Timestamp of the price row the spot price came from. */
  readonly priceTimestamp: string;
  /**
   * DescribeSpotAdvice's interruption band for the pair, as the band's upper bound, a fraction (0-3% -> 0.03);
   * absent when the API gave none.
   */
  readonly interruptionRate?: number;
  /**
   * Expected cost per vCPU (currency) of one completed job of request.expectedJobMinutes, counting the work an
   * interruption loses and the re-run; absent when the job can be interrupted and the band is unknown.
   */
  readonly expectedCostPerVcpu?: number;
}

export interface Advice {
  /** The request as applied: families trimmed, defaults filled in. */
  readonly request: AdviceRequest;
  /** The ratio that produced the candidates; absent when there is none. */
  readonly ratioUsed?: number;
  /** Cheapest first: price per vCPU, then fewer vCPUs, then zone preference, then type id. */
  readonly candidates: readonly SpotCandidate[];
  /** Per candidate type: every allowed zone with spot stock, in zone preference order (for the launch fallback). */
  readonly availableZones: Readonly<Record<string, readonly string[]>>;
  /** What was considered and what eliminated what. Always filled. */
  readonly explanation: readonly string[];
  /** As the price API reports it (CNY on the China site, USD on the international site); "" when no price was read. */
  readonly currency: string;
  /** HTTP requests sent to ECS, pages and retries included. */
  readonly apiCalls: number;
  /**
   * With `request.onDemand`: pay-as-you-go options of the first ratio that has any, cheapest per vCPU first
   * (then fewer vCPUs, zone preference, type id). Absent otherwise.
   */
  readonly onDemandOptions?: readonly OnDemandOption[];
}

// ---- The three ECS queries -------------------------------------------------------------------------------

/** One row of DescribeInstanceTypes, the fields the advisor uses. */
export interface InstanceTypeInfo {
  readonly instanceTypeId: string;
  readonly family: string;
  readonly cpuCoreCount: number;
  readonly memorySize: number;
  /** As the API spells it: "X86" | "ARM" (others possible). */
  readonly cpuArchitecture: string;
}

/**
 * Server-side filters for DescribeInstanceTypes. They only save pages: the advisor applies every filter
 * locally as well, so an API that ignores one still gives the right answer.
 */
export interface InstanceTypesQuery {
  readonly regionId: string;
  readonly cpuArchitecture?: "X86" | "ARM";
  /** InstanceTypeFamilies.N, at most 10. */
  readonly families?: readonly string[];
  readonly minCpu?: number;
  readonly maxCpu?: number;
  readonly minMemGiB?: number;
  readonly maxMemGiB?: number;
}

/** One (zone, type) entry of DescribeAvailableResource, with the zone's own status alongside. */
export interface ZoneTypeAvailability {
  readonly zoneId: string;
  readonly instanceTypeId: string;
  /** "Available" | "SoldOut" */
  readonly status: string;
  /** "WithStock" | "ClosedWithStock" | "WithoutStock" | "ClosedWithoutStock" */
  readonly statusCategory: string;
  readonly zoneStatus?: string;
  readonly zoneStatusCategory?: string;
}

/** One row of DescribeSpotPriceHistory. */
export interface SpotPriceRow {
  readonly instanceTypeId: string;
  readonly zoneId: string;
  readonly spotPrice: number;
  readonly originPrice: number;
  readonly timestamp: string;
}

export interface SpotPriceHistory {
  readonly rows: readonly SpotPriceRow[];
  readonly currency?: string;
}

/** One (type, zone) of DescribeSpotAdvice: the 30-day interruption band and average discount. */
export interface SpotAdviceRow {
  readonly zoneId: string;
  readonly instanceTypeId: string;
  /** As the API spells it: "0-3%", "3-5%", ... */
  readonly interruptRateDesc?: string;
  /** The API's own number for the rate (its unit is undocumented; the band is what we use). */
  readonly interruptionRate?: number;
  /** Percent of the pay-as-you-go price, 30-day average. */
  readonly averageSpotDiscount?: number;
}

/**
 * Called once per HTTP request a query sends (every page, every retry), when its answer is in: the advisor's
 * apiCalls, and the throttling signal that slows its queries down.
 */
export type OnRequest = (answer?: { readonly throttled: boolean }) => void;

/**
 * The ECS queries the advisor needs, each returning every page. The default implementation
 * (createEcsAdvisorQueries) uses the SDK through callEcs; tests use an in-memory catalog.
 */
export interface EcsAdvisorQueries {
  /** `onPage`, when given, sees each page as it arrives, so price queries can start before the last page. */
  describeInstanceTypes(
    query: InstanceTypesQuery,
    onRequest: OnRequest,
    onPage?: (page: readonly InstanceTypeInfo[]) => void,
  ): Promise<readonly InstanceTypeInfo[]>;
  /** Spot, post-paid, DestinationResource=InstanceType, all zones. */
  describeAvailableResource(query: { regionId: string; spotDuration?: 0 | 1 }, onRequest: OnRequest): Promise<readonly ZoneTypeAvailability[]>;
  /** vpc, optimized, linux; all zones; StartTime/EndTime as `yyyy-MM-ddTHH:mm:ssZ`. */
  describeSpotPriceHistory(
    query: { regionId: string; instanceType: string; startTime: string; endTime: string; spotDuration?: 0 | 1 },
    onRequest: OnRequest,
  ): Promise<SpotPriceHistory>;
  /** The interruption bands of up to 10 types (InstanceTypes.N), every zone of the region. */
  describeSpotAdvice(query: { regionId: string; instanceTypes: readonly string[] }, onRequest: OnRequest): Promise<readonly SpotAdviceRow[]>;
}

export interface AdvisorDeps {
  readonly queries: EcsAdvisorQueries;
  /** ms since the epoch; the emulator's manual clock in tests. */
  readonly now: () => number;
  /** Price queries in flight at once; default DEFAULT_CONCURRENCY. */
  readonly concurrency?: number;
}
