import Table from "cli-table3";
import { formatDuration } from "../../provider/reaper/durations";
import type { ListedInstance, Listing } from "../../provider/reaper/listing";
import { describeRunnerState } from "../../provider/reaper/runnerView";

/** `spot-runner list` for people: a table of our instances, then runners with our names and no instance. */
export function renderListing(listing: Listing): string {
  const lines: string[] = [];
  const n = listing.instances.length;
  lines.push(`${n} instance${n === 1 ? "" : "s"} of ours in ${listing.region} at ${listing.now}`);
  if (n > 0) {
    const table = new Table({
      head: ["Instance", "Stack", "Arch", "Type", "Zone", "Spot", "Age", "TTL left", "Status", "Runner"],
      style: { head: [], border: [], compact: true },
    });
    for (const i of listing.instances) {
      table.push([
        i.instanceId,
        i.stack ?? "-",
        i.arch ?? "-",
        i.instanceType,
        i.zoneId,
        spotText(i),
        i.ageMinutes === undefined ? "?" : formatDuration(i.ageMinutes * 60_000),
        ttlText(i.ttlLeftMinutes),
        [i.status, ...i.locks].join(", "),
        describeRunnerState({ state: i.runner.state, ...(i.runner.why ? { why: i.runner.why } : {}) }),
      ]);
    }
    lines.push(table.toString());
  }
  if (listing.runnersWithoutInstance.length > 0) {
    lines.push(`Runners with our names and no instance of ours in ${listing.region}:`);
    for (const r of listing.runnersWithoutInstance) lines.push(`  ${r.name} (${r.scope}): ${r.state}`);
  }
  return `${lines.join("\n")}\n`;
}

function spotText(i: ListedInstance): string {
  if (i.spotStrategy === "SpotAsPriceGo") return "as price-go";
  if (i.spotStrategy === "SpotWithPriceLimit") return i.spotPriceLimit !== undefined ? `limit ${i.spotPriceLimit}` : "with limit";
  return i.spotStrategy ?? "-";
}

function ttlText(minutes: number | undefined): string {
  if (minutes === undefined) return "none";
  return minutes >= 0 ? formatDuration(minutes * 60_000) : `overdue ${formatDuration(-minutes * 60_000)}`;
}
