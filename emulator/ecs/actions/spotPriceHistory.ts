import { EcsCall, EcsResponseBody, requireRegion, requireZone } from "../call";
import { ecsError } from "../errors";
import { HOUR_MS, isoSeconds, parseUtc } from "../../format";

/** Rows per page. The real page size is undocumented; the documentation's example shows NextOffset 1000. */
export const SPOT_PRICE_PAGE_SIZE = 1000;
const DEFAULT_WINDOW_MS = 3 * HOUR_MS;
const MAX_WINDOW_MS = 30 * 24 * HOUR_MS;

/**
 * DescribeSpotPriceHistory: rows in [StartTime, EndTime] (default the last 3 hours, at most 30 days), oldest first,
 * every zone of the region that sells the type when ZoneId is omitted, paged with Offset/NextOffset. NextOffset is
 * 0 on the last page. An EndTime at or after the server's clock is refused (InvalidParams.EndTime).
 */
export function describeSpotPriceHistory(call: EcsCall): EcsResponseBody {
  const p = call.params;
  const region = requireRegion(call);
  const networkType = p.require("NetworkType");
  if (networkType !== "vpc" && networkType !== "classic") throw ecsError("InvalidParams.NetworkType", `The specified NetworkType "${networkType}" is not valid; use vpc or classic.`);
  const instanceTypeId = p.require("InstanceType");
  const instanceType = call.world.instanceTypes.get(instanceTypeId);
  if (!instanceType) throw ecsError("InvalidInstanceType.ValueNotSupported", `The specified InstanceType "${instanceTypeId}" does not exist in ${region.regionId}.`);
  const ioOptimized = p.oneOf("IoOptimized", ["optimized", "none"], "optimized", "InvalidParams.IoOptimized");
  p.oneOf("OSType", ["linux", "windows"], "linux", "InvalidParams.OSType");
  p.int("SpotDuration", { min: 0, max: 6, code: "InvalidSpotDuration" });
  const zoneId = p.get("ZoneId");
  if (zoneId !== undefined) requireZone(region, zoneId);

  const endText = p.get("EndTime");
  const startText = p.get("StartTime");
  const end = endText === undefined ? call.now : parseUtc(endText);
  if (end === undefined) throw ecsError("InvalidParams.EndTime", `The specified EndTime "${endText}" is not in UTC ISO 8601 format (yyyy-MM-ddTHH:mm:ssZ).`);
  // Undocumented; the Go advisor notes the API rejects EndTime >= now, so the emulator does (the worse case).
  if (endText !== undefined && end >= call.now) {
    throw ecsError("InvalidParams.EndTime", `The specified EndTime ${endText} is not earlier than the current time ${isoSeconds(call.now)}.`);
  }
  const start = startText === undefined ? end - DEFAULT_WINDOW_MS : parseUtc(startText);
  if (start === undefined) throw ecsError("InvalidParams.StartTime", `The specified StartTime "${startText}" is not in UTC ISO 8601 format (yyyy-MM-ddTHH:mm:ssZ).`);
  if (start > end) throw ecsError("InvalidParams.StartTime", `The specified StartTime ${startText} is after the EndTime ${isoSeconds(end)}.`);
  if (end - start > MAX_WINDOW_MS) throw ecsError("InvalidParams.StartTime", `The specified StartTime ${startText} is more than 30 days before the EndTime ${isoSeconds(end)}.`);
  const offset = p.int("Offset", { min: 0, fallback: 0, code: "InvalidParams.Offset" }) ?? 0;

  const rows = region.zones
    .filter((z) => zoneId === undefined || z.zoneId === zoneId)
    .flatMap((zone) => {
      const offering = call.world.offering(region.regionId, zone.zoneId, instanceTypeId);
      if (!offering) return [];
      return offering.prices.rows(start, end).map((row) => ({ zoneId: zone.zoneId, ...row }));
    })
    .sort((a, b) => a.at - b.at || a.zoneId.localeCompare(b.zoneId));

  const page = rows.slice(offset, offset + SPOT_PRICE_PAGE_SIZE);
  const nextOffset = offset + SPOT_PRICE_PAGE_SIZE < rows.length ? offset + SPOT_PRICE_PAGE_SIZE : 0;
  return {
    Currency: "CNY",
    NextOffset: nextOffset,
    SpotPrices: {
      SpotPriceType: page.map((row) => ({
        ZoneId: row.zoneId,
        InstanceType: instanceTypeId,
        IoOptimized: ioOptimized,
        NetworkType: networkType,
        SpotPrice: row.price,
        OriginPrice: instanceType.onDemandPrice,
        Timestamp: isoSeconds(row.at),
      })),
    },
  };
}
