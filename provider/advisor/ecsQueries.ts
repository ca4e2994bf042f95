import Ecs, * as $Ecs from "@alicloud/ecs20140526";
import { callEcs, EcsCallRecord, EcsRetryNotice, RetryPolicy } from "../aliyun/callEcs";
import { createEcsClient } from "../aliyun/ecsClient";
import { EcsAdvisorQueries, InstanceTypeInfo, OnRequest, SpotPriceRow, ZoneTypeAvailability } from "./types";

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

/** DescribeInstanceTypes returns at most 100 per page since 2023-11-15; without NextToken only the first page. */
const INSTANCE_TYPES_PAGE_SIZE = 100;
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
        onRequest();
        options.onAttempt?.(record);
      },
    });

  return {
    async describeInstanceTypes(query, onRequest, onPage) {
      const client = clientFor(query.regionId);
      const types: InstanceTypeInfo[] = [];
      let nextToken: string | undefined;
      for (let page = 0; page < MAX_PAGES; page++) {
        const request = new $Ecs.DescribeInstanceTypesRequest({
          maxResults: INSTANCE_TYPES_PAGE_SIZE,
          ...(nextToken ? { nextToken } : {}),
          ...(query.cpuArchitecture ? { cpuArchitecture: query.cpuArchitecture } : {}),
          ...(query.families && query.families.length > 0 ? { instanceTypeFamilies: [...query.families] } : {}),
          ...(query.minCpu !== undefined ? { minimumCpuCoreCount: query.minCpu } : {}),
          ...(query.maxCpu !== undefined ? { maximumCpuCoreCount: query.maxCpu } : {}),
          ...(query.minMemGiB !== undefined ? { minimumMemorySize: query.minMemGiB } : {}),
          ...(query.maxMemGiB !== undefined ? { maximumMemorySize: query.maxMemGiB } : {}),
        });
        const response = await call("DescribeInstanceTypes", () => client.describeInstanceTypes(request), onRequest);
        const page: InstanceTypeInfo[] = [];
        for (const t of response.body?.instanceTypes?.instanceType ?? []) {
          if (!t.instanceTypeId) continue;
          page.push({
            instanceTypeId: t.instanceTypeId,
            family: t.instanceTypeFamily ?? "",
            cpuCoreCount: Number(t.cpuCoreCount ?? 0),
            memorySize: Number(t.memorySize ?? 0),
            cpuArchitecture: t.cpuArchitecture ?? "",
          });
        }
        types.push(...page);
        onPage?.(page);
        const token = response.body?.nextToken || undefined;
        if (!token || token === nextToken) return types;
        nextToken = token;
      }
      throw new Error(`DescribeInstanceTypes returned more than ${MAX_PAGES} pages; giving up rather than looping`);
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
      throw new Error(`DescribeSpotPriceHistory for ${query.instanceType} returned more than ${MAX_PAGES} pages; giving up rather than looping`);
    },
  };
}
