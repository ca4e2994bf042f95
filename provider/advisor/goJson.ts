import { goArchName } from "../contract/arch";
import { SpotCandidate } from "./types";

/**
 * One row of the Go spot-instance-advisor's `--json` output, its fields in its order, then ours; so scripts
 * written for the Go tool (e.g. reading `.[0].instanceTypeId`) keep working.
 */
export interface GoAdvisorRow {
  readonly instanceTypeId: string;
  readonly zoneId: string;
  readonly pricePerCore: number;
  readonly discount: number;
  readonly possibility: number;
  readonly cpuCoreCount: number;
  readonly memorySize: number;
  readonly instanceFamily: string;
  readonly arch: "x86_64" | "arm64";
  readonly spotPrice: number;
  readonly originPrice: number;
  readonly priceLimit: number;
}

export function toGoAdvisorJson(candidates: readonly SpotCandidate[]): GoAdvisorRow[] {
  return candidates.map((c) => ({
    instanceTypeId: c.instanceTypeId,
    zoneId: c.zoneId,
    pricePerCore: c.pricePerCore,
    discount: c.discount,
    possibility: c.possibility,
    cpuCoreCount: c.cpuCoreCount,
    memorySize: c.memorySize,
    instanceFamily: c.family,
    arch: goArchName(c.arch),
    spotPrice: c.spotPrice,
    originPrice: c.originPrice,
    priceLimit: c.priceLimit,
  }));
}
