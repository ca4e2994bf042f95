import type { ScenarioAccessKey, ScenarioRegion } from "../scenario/types";
import type { World } from "../state/world";
import { ecsError } from "./errors";
import { EcsParams } from "./params";

/** One authenticated ECS call, as an action handler sees it. */
export interface EcsCall {
  readonly action: string;
  readonly params: EcsParams;
  readonly world: World;
  /** Emulated time of the call. */
  readonly now: number;
  readonly accessKey: ScenarioAccessKey;
  readonly requestId: string;
  /** Set by a "vanish" fault: RunInstances succeeds and the instances then disappear while starting. */
  readonly vanish?: boolean;
}

/** The response body without RequestId (the pipeline adds it). */
export type EcsResponseBody = Record<string, unknown>;

export type EcsActionHandler = (call: EcsCall) => EcsResponseBody;

/** RegionId, required and known. */
export function requireRegion(call: EcsCall): ScenarioRegion {
  const regionId = call.params.require("RegionId");
  const region = call.world.regions.get(regionId);
  if (!region) throw ecsError("InvalidRegionId.NotFound", `The specified RegionId "${regionId}" does not exist.`);
  return region;
}

export function requireZone(region: ScenarioRegion, zoneId: string): void {
  if (!region.zones.some((z) => z.zoneId === zoneId)) {
    throw ecsError("InvalidZoneId.NotFound", `The specified zone "${zoneId}" does not exist in region ${region.regionId}.`);
  }
}

/**
 * MaxResults/NextToken paging. The token is opaque to callers; here it is the offset of the next page, so a token
 * stays valid while the list does not shrink (as real tokens do for a while).
 */
export function pageByToken<T>(
  items: readonly T[],
  params: EcsParams,
  defaults: { fallback: number; max: number; min?: number; /** Treat MaxResults above max as max, instead of refusing it. */ clampToMax?: boolean },
): { page: T[]; nextToken: string; maxResults: number } {
  const requested = params.int("MaxResults", { min: 1, ...(defaults.clampToMax ? {} : { max: defaults.max }), fallback: defaults.fallback });
  const maxResults = Math.min(defaults.max, Math.max(defaults.min ?? 1, requested ?? defaults.fallback));
  const token = params.get("NextToken");
  let offset = 0;
  if (token !== undefined) {
    const decoded = /^o(\d+)$/.exec(Buffer.from(token, "base64url").toString("utf8"));
    if (!decoded) throw ecsError("InvalidNextToken", `The specified NextToken "${token}" is not valid; pass the NextToken of the previous page unchanged.`);
    offset = Number(decoded[1]);
  }
  const page = items.slice(offset, offset + maxResults);
  const next = offset + maxResults < items.length ? Buffer.from(`o${offset + maxResults}`).toString("base64url") : "";
  return { page, nextToken: next, maxResults };
}

/** PageNumber/PageSize paging (the older style some Describe calls still use). */
export function pageByNumber<T>(items: readonly T[], params: EcsParams, defaults: { size: number; max: number }): { page: T[]; pageNumber: number; pageSize: number } {
  const pageNumber = params.int("PageNumber", { min: 1, fallback: 1 }) ?? 1;
  const pageSize = params.int("PageSize", { min: 1, max: defaults.max, fallback: defaults.size }) ?? defaults.size;
  return { page: items.slice((pageNumber - 1) * pageSize, pageNumber * pageSize), pageNumber, pageSize };
}
