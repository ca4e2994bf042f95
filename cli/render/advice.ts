import Table from "cli-table3";
import { formatRatio } from "../../provider/advisor/catalog";
import type { Advice } from "../../provider/advisor/types";

/** The readable form: one row per (type, zone), then the ratio used and the explanation. */
export function renderAdvice(advice: Advice): string {
  const table = new Table({
    head: ["#", "Instance type", "Zone", "vCPU", "GiB", "Spot/h", "Per vCPU/h", "Pay-as-you-go/h", "Of pay-as-you-go", "Price limit"],
    colAligns: ["right", "left", "left", "right", "right", "right", "right", "right", "right", "right"],
    style: { head: [], border: [], compact: true },
  });
  advice.candidates.forEach((c, i) => {
    table.push([
      String(i + 1),
      c.instanceTypeId,
      c.zoneId,
      String(c.cpuCoreCount),
      String(c.memorySize),
      c.spotPrice.toFixed(3),
      c.pricePerCore.toFixed(4),
      c.originPrice.toFixed(4),
      `${(c.discount * 10).toFixed(0)} %`,
      String(c.priceLimit),
    ]);
  });
  const { request } = advice;
  const header =
    `${request.arch} spot capacity in ${request.regionId}, ${advice.currency} per hour` +
    (advice.ratioUsed !== undefined ? `, ratio ${formatRatio(advice.ratioUsed)} (vCPU:GiB)` : "") +
    `, ${advice.apiCalls} API calls`;
  return `${header}\n${table.toString()}\n${advice.explanation.join("\n")}\n`;
}
