import { AliyunApiError } from "../../../provider/errors";
import type {
  EcsAdvisorQueries,
  InstanceTypeInfo,
  SpotAdviceRow,
  SpotPriceRow,
  ZoneTypeAvailability,
} from "../../../provider/advisor";

/** An in-memory region: what the three ECS queries would answer. */
export interface FakeRegion {
  readonly types: readonly InstanceTypeInfo[];
  readonly availability: readonly ZoneTypeAvailability[];
  /** Full price history; each query returns the rows of its type inside [StartTime, EndTime], oldest first. */
  readonly prices: readonly SpotPriceRow[];
  /** DescribeSpotAdvice's rows (interruption bands); none by default. */
  readonly advice?: readonly SpotAdviceRow[];
  readonly currency?: string;
}

export interface FakeCall {
  readonly action: "DescribeInstanceTypes" | "DescribeAvailableResource" | "DescribeSpotPriceHistory" | "DescribeSpotAdvice";
  readonly query: Record<string, unknown>;
}

export interface FakeOptions {
  /** DescribeInstanceTypes page size (the API's is 100). */
  readonly typesPageSize?: number;
  /** DescribeSpotPriceHistory page size. */
  readonly pricePageSize?: number;
  /** Makes a request fail: return an error to throw for this page request. */
  readonly fail?: (call: FakeCall) => Error | undefined;
  /**
   * Yields to the event loop this many times before answering a price page, so answers come back in an order
   * unrelated to the order of the requests (deterministically; no timers).
   */
  readonly priceTicks?: (instanceType: string) => number;
}

export interface FakeQueries extends EcsAdvisorQueries {
  /** Every request (page) in the order it was sent. */
  readonly calls: FakeCall[];
  /** Most price requests that were in flight at once. */
  readonly maxInFlight: () => number;
  /** Price requests in flight now. */
  readonly inFlight: () => number;
  /** calls.length when the last catalog page had been answered. */
  readonly catalogDoneAt: () => number;
}

export function fakeQueries(region: FakeRegion, options: FakeOptions = {}): FakeQueries {
  const calls: FakeCall[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const record = (call: FakeCall, onRequest: () => void) => {
    calls.push(call);
    onRequest();
    const error = options.fail?.(call);
    if (error) throw error;
  };
  const typesPageSize = options.typesPageSize ?? 100;
  const pricePageSize = options.pricePageSize ?? 1000;

  let catalogDoneAt = -1;
  return {
    calls,
    maxInFlight: () => maxInFlight,
    inFlight: () => inFlight,
    catalogDoneAt: () => catalogDoneAt,
    async describeInstanceTypes(query, onRequest, onPage) {
      // The API's own filters, as the emulator and ECS apply them.
      const matching = region.types.filter(
        (t) =>
          (!query.cpuArchitecture || t.cpuArchitecture === query.cpuArchitecture) &&
          (!query.families || query.families.length === 0 || query.families.includes(t.family)) &&
          (query.minCpu === undefined || t.cpuCoreCount >= query.minCpu) &&
          (query.maxCpu === undefined || t.cpuCoreCount <= query.maxCpu) &&
          (query.minMemGiB === undefined || t.memorySize >= query.minMemGiB) &&
          (query.maxMemGiB === undefined || t.memorySize <= query.maxMemGiB),
      );
      const out: InstanceTypeInfo[] = [];
      for (let start = 0; ; start += typesPageSize) {
        const call: FakeCall = { action: "DescribeInstanceTypes", query: { ...query, start } };
        calls.push(call);
        onRequest();
        await new Promise((r) => setImmediate(r));
        const error = options.fail?.(call);
        if (error) throw error;
        const page = matching.slice(start, start + typesPageSize);
        out.push(...page);
        onPage?.(page);
        if (start + typesPageSize >= matching.length) {
          catalogDoneAt = calls.length;
          return out;
        }
      }
    },
    async describeAvailableResource(query, onRequest) {
      await Promise.resolve();
      record({ action: "DescribeAvailableResource", query }, onRequest);
      return region.availability;
    },
    async describeSpotAdvice(query, onRequest) {
      await Promise.resolve();
      record({ action: "DescribeSpotAdvice", query }, onRequest);
      return (region.advice ?? []).filter((r) => query.instanceTypes.includes(r.instanceTypeId));
    },
    async describeSpotPriceHistory(query, onRequest) {
      const from = Date.parse(query.startTime);
      const to = Date.parse(query.endTime);
      const rows = region.prices
        .filter((r) => r.instanceTypeId === query.instanceType && Date.parse(r.timestamp) >= from && Date.parse(r.timestamp) <= to)
        .sort((a, b) => Date.parse(a.timestamp) - Date.parse(b.timestamp));
      const out: SpotPriceRow[] = [];
      for (let offset = 0; ; offset += pricePageSize) {
        inFlight += 1;
        maxInFlight = Math.max(maxInFlight, inFlight);
        try {
          const call: FakeCall = { action: "DescribeSpotPriceHistory", query: { ...query, offset } };
          calls.push(call);
          onRequest();
          for (let i = options.priceTicks?.(query.instanceType) ?? 1; i > 0; i--) await new Promise((r) => setImmediate(r));
          const error = options.fail?.(call);
          if (error) throw error;
        } finally {
          inFlight -= 1;
        }
        out.push(...rows.slice(offset, offset + pricePageSize));
        if (offset + pricePageSize >= rows.length) return { rows: out, currency: region.currency ?? "CNY" };
      }
    },
  };
}

export function throttled(action: string): AliyunApiError {
  return new AliyunApiError(`ECS ${action} failed: Throttling.User: Request was denied due to user flow control.`, action, "throttled", "Throttling.User", 400);
}

export function forbidden(action: string): AliyunApiError {
  return new AliyunApiError(`ECS ${action} failed: Forbidden.RAM: User not authorized`, action, "permission", "Forbidden.RAM", 403);
}

// ---- small builders ----------------------------------------------------------------------------------------

export function type(instanceTypeId: string, cpuCoreCount: number, memorySize: number, arch: "X86" | "ARM" = "X86", family?: string): InstanceTypeInfo {
  return { instanceTypeId, family: family ?? instanceTypeId.split(".").slice(0, 2).join("."), cpuCoreCount, memorySize, cpuArchitecture: arch };
}

export function stocked(instanceTypeId: string, zoneId: string, statusCategory = "WithStock", status = "Available"): ZoneTypeAvailability {
  return { instanceTypeId, zoneId, status, statusCategory, zoneStatus: "Available", zoneStatusCategory: "WithStock" };
}

export function price(instanceTypeId: string, zoneId: string, spotPrice: number, originPrice: number, timestamp: string): SpotPriceRow {
  return { instanceTypeId, zoneId, spotPrice, originPrice, timestamp };
}
