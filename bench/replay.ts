/**
 * A day of the guide's workload, replayed in the emulator with its seeded interruptions (cn-hangzhou's synthetic
 * bands: emulator/scenario/README.md): 40 builds of 20 minutes on each architecture, one every 36 minutes, each a
 * SpotRunner create, the job, and a delete, all on the emulator's clock. A reclaimed build runs again once, as the
 * workflows do; "with fallback" the re-run goes pay-as-you-go and the spot circuit breaker (3 reclaims in 2 hours)
 * sends new builds pay-as-you-go while it is open.
 *
 * Reported per configuration: what the day cost (every attempt's hourly cost times its billed minutes), builds
 * completed, re-run, and the work lost to interruptions. With the default hour of protection a 20-minute build is
 * never interrupted, so the comparison of strategies runs with spotDuration 0 (cheaper, unprotected); the first
 * row, protected, is the reference.
 */
import { startEmulator } from "../emulator";
import { buildCnHangzhouScenario } from "../emulator/scenario/cnHangzhou";
import { SpotRunnerProvider } from "../provider/spotRunnerProvider";
import { breakerState, recordReclaim } from "../provider/resilience/breaker";
import { depsFor } from "../test/provider/support/harness";
import type { Benchmark } from "./index";

const BUILDS_PER_ARCH = 40;
const JOB_MINUTES = 20;
const SPACING_MINUTES = (24 * 60) / BUILDS_PER_ARCH;
const MINUTE = 60_000;

interface Config {
  readonly name: string;
  readonly strategy: "lowest-price" | "expected-cost";
  readonly spotDuration: 0 | 1;
  readonly fallback: boolean;
}

const CONFIGS: readonly Config[] = [
  { name: "lowest-price, protected (spotDuration 1)", strategy: "lowest-price", spotDuration: 1, fallback: false },
  { name: "lowest-price", strategy: "lowest-price", spotDuration: 0, fallback: false },
  { name: "expected-cost (default)", strategy: "expected-cost", spotDuration: 0, fallback: false },
  { name: "lowest-price + fallback", strategy: "lowest-price", spotDuration: 0, fallback: true },
  { name: "expected-cost + fallback", strategy: "expected-cost", spotDuration: 0, fallback: true },
];

interface DayResult {
  readonly cost: number;
  readonly currency: string;
  readonly completed: number;
  readonly rerun: number;
  readonly lostMinutes: number;
  readonly onDemandAttempts: number;
}

async function replayDay(config: Config): Promise<DayResult> {
  const scenario = buildCnHangzhouScenario();
  const emu = await startEmulator({ scenario, clock: "manual" });
  const provider = new SpotRunnerProvider(depsFor(emu, emu.env, []));
  const network = {
    region: "cn-hangzhou", namePrefix: "replay", githubRepository: scenario.github.repos[0],
    vSwitchIds: Object.fromEntries(scenario.vSwitches.map((v) => [v.zoneId, v.vSwitchId])),
    securityGroupId: scenario.securityGroups[0].securityGroupId,
  };
  const imageOf = (arch: string) => scenario.images.find((i) => i.architecture === (arch === "arm64" ? "arm64" : "x86_64") && /aliyun_3/.test(i.imageId))!.imageId;
  let reclaims: number[] = [];
  const result = { cost: 0, currency: "", completed: 0, rerun: 0, lostMinutes: 0, onDemandAttempts: 0 };
  const dayStart = emu.clock.now();

  /** One attempt: create, run the job until it ends or the instance is reclaimed, delete. */
  const attempt = async (arch: string, onDemand: boolean): Promise<"completed" | "reclaimed"> => {
    const { id, outs } = await provider.create({
      ...network, arch, imageId: imageOf(arch), strategy: config.strategy, spotDuration: config.spotDuration,
      onDemandFallback: config.fallback, onDemand, expectedJobMinutes: JOB_MINUTES,
      __provider: "replay",
    });
    result.currency ||= String(outs.currency);
    if (outs.chargeType === "on-demand") result.onDemandAttempts += 1;
    const jobStart = emu.clock.now();
    const jobEnd = jobStart + JOB_MINUTES * MINUTE;
    const notice = emu.admin.state().instances.find((i) => i.instanceId === id)?.reclaimNoticeAt;
    const noticeAt = notice ? Date.parse(notice) : undefined;
    const reclaimed = noticeAt !== undefined && noticeAt < jobEnd;
    emu.clock.advance((reclaimed ? Math.max(noticeAt!, jobStart) : jobEnd) - emu.clock.now());
    if (reclaimed) {
      result.lostMinutes += (emu.clock.now() - jobStart) / MINUTE;
      reclaims = recordReclaim(reclaims, emu.clock.now());
    }
    await provider.delete(id, outs);
    result.cost += Number(outs.hourlyCost) * ((emu.clock.now() - Date.parse(String(outs.launchedAt))) / (60 * MINUTE));
    return reclaimed ? "reclaimed" : "completed";
  };

  try {
    for (let slot = 0; slot < BUILDS_PER_ARCH; slot++) {
      const slotStart = dayStart + slot * SPACING_MINUTES * MINUTE;
      if (emu.clock.now() < slotStart) emu.clock.advance(slotStart - emu.clock.now());
      for (const arch of ["amd64", "arm64"]) {
        const breakerOpen = config.fallback && breakerState(reclaims, emu.clock.now()).open;
        if ((await attempt(arch, breakerOpen)) === "completed") {
          result.completed += 1;
          continue;
        }
        // Reclaimed: run once more, pay-as-you-go when the fallback is enabled.
        result.rerun += 1;
        if ((await attempt(arch, config.fallback)) === "completed") result.completed += 1;
      }
    }
    return result;
  } finally {
    await emu.close();
  }
}

export const replayBenchmark: Benchmark = {
  name: "replay",
  run: async () => {
    const lines = [
      `a day of the guide's workload: ${BUILDS_PER_ARCH} builds of ${JOB_MINUTES} minutes on each architecture (one every ${SPACING_MINUTES} min), ` +
        "cn-hangzhou with its seeded interruptions; a reclaimed build runs once more",
      "| configuration | cost | builds completed | re-run | work lost to interruptions | pay-as-you-go attempts |",
      "|---|---|---|---|---|---|",
    ];
    const results: DayResult[] = [];
    for (const config of CONFIGS) {
      const r = await replayDay(config);
      results.push(r);
      lines.push(`| ${config.name} | ${r.cost.toFixed(2)} ${r.currency} | ${r.completed} of ${2 * BUILDS_PER_ARCH} | ${r.rerun} | ` +
        `${r.lostMinutes.toFixed(0)} min | ${r.onDemandAttempts} |`);
    }
    if (results.some((r) => r.completed + r.rerun < 2 * BUILDS_PER_ARCH)) throw new Error(`builds went missing\n${lines.join("\n")}`);
    return lines;
  },
};
