import Ecs, * as $Ecs from "@alicloud/ecs20140526";
import { callEcs, EcsCallRecord, EcsRetryNotice, RetryPolicy } from "../aliyun/callEcs";
import { AliyunApiError, SpotRunnerError } from "../errors";
import { createEcsClient } from "../aliyun/ecsClient";
import { EcsAdvisorQueries, InstanceTypeInfo, OnRequest, SpotAdviceRow, SpotPriceRow, ZoneTypeAvailability } from "./types";

export interface EcsAdvisorQueriesOptions {
  /** The client's region; a query for another region gets a client of its own. */
  readonly regionId: string;
  /** Credentials and endpoint override are read from here (default process.env). */
  readonly env?: NodeJS.ProcessEnv;
  readonly retry?: RetryPolicy;
  readonly onAttempt?: (record: EcsCallRecord) => void;
  /** Called before each retry (the CLI says it is retrying). */
  readonly onRetry?: (notice: EcsRetryNotice) => void;
  readonly connectTimeoutMs?: number;
  readonly readTimeoutMs?: number;
  /**
   * Wraps every HTTP request (each page, each retry). The benchmark passes a one-at-a-time gate to reproduce
   * the Go tool's serial calls; normally absent.
   */
  readonly gate?: <T>(send: () => Promise<T>) => Promise<T>;
}

/**
 * What we ask DescribeInstanceTypes for per page: the SDK model documents 1600 as maximum and default; Alibaba
 * Cloud's API page has said 100 since 2023-11-15. 1600 saves 15 sequential round trips on a 1,600-type catalog;
 * if the API refuses it as a parameter error, the pages are asked again at 100.
 */
const INSTANCE_TYPES_PAGE_SIZES = [1600, 100] as const;
/** A runaway guard: a catalog of 100 pages would be 10 000 types, far beyond any region. */
const MAX_PAGES = 100;

/**
 * The advisor's three queries over the ECS SDK: every call through callEcs (classified retries with backoff
 * and jitter on throttling, 5xx and network errors; explicit timeouts from createEcsClient), every page read.
 * Clients are built on first use, from the environment, so nothing is read before the advisor has validated
 * its request.
 */
export function createEcsAdvisorQueries(options: EcsAdvisorQueriesOptions): EcsAdvisorQueries {
  const clients = new Map<string, Ecs>();
  const clientFor = (regionId: string): Ecs => {
    let client = clients.get(regionId);
    if (!client) {
      client = createEcsClient({
        regionId,
        ...(options.env ? { env: options.env } : {}),
        ...(options.connectTimeoutMs !== undefined ? { connectTimeoutMs: options.connectTimeoutMs } : {}),
        ...(options.readTimeoutMs !== undefined ? { readTimeoutMs: options.readTimeoutMs } : {}),
      });
      clients.set(regionId, client);
    }
    return client;
  };
  const gate = options.gate ?? (<T>(send: () => Promise<T>) => send());
  const call = <T>(action: string, send: () => Promise<T>, onRequest: OnRequest): Promise<T> =>
    callEcs(action, () => gate(send), {
      ...(options.retry ? { retry: options.retry } : {}),
      ...(options.onRetry ? { onRetry: options.onRetry } : {}),
      onAttempt: (record) => {
        onRequest({ throttled: record.code?.includes("Throttling") ?? false });
        options.onAttempt?.(record);
      },
    });

  return {
    async describeInstanceTypes(query, onRequest, onPage) {
      const client = clientFor(query.regionId);
      const types: InstanceTypeInfo[] = [];
      let nextToken: string | undefined;
      let pageSize: number = INSTANCE_TYPES_PAGE_SIZES[0];
      for (let page = 0; page < MAX_PAGES; page++) {
        const request = new $Ecs.DescribeInstanceTypesRequest({
          maxResults: pageSize,
          ...(nextToken ? { nextToken } : {}),
          ...(query.cpuArchitecture ? { cpuArchitecture: query.cpuArchitecture } : {}),
          ...(query.families && query.families.length > 0 ? { instanceTypeFamilies: [...query.families] } : {}),
          ...(query.minCpu !== undefined ? { minimumCpuCoreCount: query.minCpu } : {}),
          ...(query.maxCpu !== undefined ? { maximumCpuCoreCount: query.maxCpu } : {}),
          ...(query.minMemGiB !== undefined ? { minimumMemorySize: query.minMemGiB } : {}),
          ...(query.maxMemGiB !== undefined ? { maximumMemorySize: query.maxMemGiB } : {}),
        });
        let response;
        try {
          response = await call("DescribeInstanceTypes", () => client.describeInstanceTypes(request), onRequest);
        } catch (err) {
          if (page === 0 && pageSize !== INSTANCE_TYPES_PAGE_SIZES[1] && refusesPageSize(err)) {
            pageSize = INSTANCE_TYPES_PAGE_SIZES[1];
            page -= 1;
            continue;
          }
          throw err;
        }
        const page_: InstanceTypeInfo[] = [];
        for (const t of response.body?.instanceTypes?.instanceType ?? []) {
          if (!t.instanceTypeId) continue;
          page_.push({
            instanceTypeId: t.instanceTypeId,
            family: t.instanceTypeFamily ?? "",
            cpuCoreCount: Number(t.cpuCoreCount ?? 0),
            memorySize: Number(t.memorySize ?? 0),
            cpuArchitecture: t.cpuArchitecture ?? "",
          });
        }
        types.push(...page_);
        onPage?.(page_);
        const token = response.body?.nextToken || undefined;
        if (!token || token === nextToken) return types;
        nextToken = token;
      }
      throw new SpotRunnerError(`DescribeInstanceTypes returned more than ${MAX_PAGES} pages; giving up rather than looping`);
    },

    async describeAvailableResource(query, onRequest) {
      const client = clientFor(query.regionId);
      const request = new $Ecs.DescribeAvailableResourceRequest({
        regionId: query.regionId,
        destinationResource: "InstanceType",
        instanceChargeType: "PostPaid",
        spotStrategy: "SpotWithPriceLimit",
        ...(query.spotDuration !== undefined ? { spotDuration: query.spotDuration } : {}),
      });
      const response = await call("DescribeAvailableResource", () => client.describeAvailableResource(request), onRequest);
      const entries: ZoneTypeAvailability[] = [];
      for (const zone of response.body?.availableZones?.availableZone ?? []) {
        if (!zone.zoneId) continue;
        // A sold-out zone can come with an empty AvailableResource list (the Go tool panicked on it).
        for (const resource of zone.availableResources?.availableResource ?? []) {
          if (resource.type && resource.type !== "InstanceType") continue;
          for (const supported of resource.supportedResources?.supportedResource ?? []) {
            if (!supported.value) continue;
            entries.push({
              zoneId: zone.zoneId,
              instanceTypeId: supported.value,
              status: supported.status ?? "",
              statusCategory: supported.statusCategory ?? "",
              ...(zone.status ? { zoneStatus: zone.status } : {}),
              ...(zone.statusCategory ? { zoneStatusCategory: zone.statusCategory } : {}),
            });
          }
        }
      }
      return entries;
    },

    async describeSpotAdvice(query, onRequest) {
      const client = clientFor(query.regionId);
      const request = new $Ecs.DescribeSpotAdviceRequest({ regionId: query.regionId, instanceTypes: [...query.instanceTypes] });
      const response = await call("DescribeSpotAdvice", () => client.describeSpotAdvice(request), onRequest);
      const rows: SpotAdviceRow[] = [];
      for (const zone of response.body?.availableSpotZones?.availableSpotZone ?? []) {
        if (!zone.zoneId) continue;
        for (const r of zone.availableSpotResources?.availableSpotResource ?? []) {
          if (!r.instanceType) continue;
          rows.push({
            zoneId: zone.zoneId, instanceTypeId: r.instanceType,
            ...(r.interruptRateDesc ? { interruptRateDesc: r.interruptRateDesc } : {}),
            ...(typeof r.interruptionRate === "number" ? { interruptionRate: r.interruptionRate } : {}),
            ...(typeof r.averageSpotDiscount === "number" ? { averageSpotDiscount: r.averageSpotDiscount } : {}),
          });
        }
      }
      return rows;
    },

    async describeSpotPriceHistory(query, onRequest) {
      const client = clientFor(query.regionId);
      const rows: SpotPriceRow[] = [];
      let currency: string | undefined;
      let offset = 0;
      for (let page = 0; page < MAX_PAGES; page++) {
        const request = new $Ecs.DescribeSpotPriceHistoryRequest({
          regionId: query.regionId,
          instanceType: query.instanceType,
          networkType: "vpc",
          ioOptimized: "optimized",
          OSType: "linux",
          startTime: query.startTime,
          endTime: query.endTime,
          ...(query.spotDuration !== undefined ? { spotDuration: query.spotDuration } : {}),
          ...(offset > 0 ? { offset } : {}),
        });
        const response = await call("DescribeSpotPriceHistory", () => client.describeSpotPriceHistory(request), onRequest);
        currency ??= response.body?.currency || undefined;
        const pageRows = response.body?.spotPrices?.spotPriceType ?? [];
        for (const row of pageRows) {
          rows.push({
            instanceTypeId: row.instanceType ?? "",
            zoneId: row.zoneId ?? "",
            spotPrice: Number(row.spotPrice ?? NaN),
            originPrice: Number(row.originPrice ?? NaN),
            timestamp: row.timestamp ?? "",
          });
        }
        // Rows come oldest first: stopping after the first page (as the Go tool did) keeps a stale price.
        const next = Number(response.body?.nextOffset ?? 0);
        if (pageRows.length === 0 || !next || next <= offset) return { rows, ...(currency ? { currency } : {}) };
        offset = next;
      }
      throw new SpotRunnerError(`DescribeSpotPriceHistory for ${query.instanceType} returned more than ${MAX_PAGES} pages; giving up rather than looping`);
    },
  };
}

/** A parameter error about MaxResults: the API caps pages below what we asked for. */
function refusesPageSize(err: unknown): boolean {
  return err instanceof AliyunApiError && err.kind === "invalid" && /MaxResults/i.test(`${err.code} ${err.message}`);
}
