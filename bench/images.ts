/**
 * Runner images, measured in one run:
 *
 * 1. The bootstrap's own work on a baked image against a stock one, in the sandbox of the bootstrap tests (the real
 *    script; package managers, docker and power are stubs, the runner package comes from a fake server on
 *    127.0.0.1): its steps, package installs, image pulls and bytes downloaded. The sandbox's wall time is not a
 *    result (stubs install in no time); what the baked boot leaves out is.
 * 2. `job.sh up` to runner online, through the provider's create (what job.sh up runs), in the emulator, from a
 *    stock image and from an image RunnerImage baked, with the cloud's boot and runner start held equal: what our
 *    code does differently for a baked image, in emulated time and in API calls.
 */
import { startEmulator } from "../emulator";
import { smallScenario } from "../emulator/scenario/small";
import { createEcsAdvisorQueries } from "../provider/advisor";
import { readAliyunCredentials } from "../provider/aliyun/credentials";
import { createEcsImageApi } from "../provider/aliyun/images";
import { createEcsInstanceApi } from "../provider/aliyun/instances";
import { RunnerImageProvider } from "../provider/image/runnerImageProvider";
import { SpotRunnerProvider } from "../provider/spotRunnerProvider";
import { BootstrapSandbox, ScenarioResult } from "../test/bootstrap/support/sandbox";
import { depsFor, FAST_RETRY, virtualClock } from "../test/provider/support/harness";
import type { Benchmark } from "./index";

export const imagesBenchmark: Benchmark = {
  name: "images",
  run: async () => [...(await bootstrapWork()), ...(await upToOnline())],
};

async function bootstrapWork(): Promise<string[]> {
  const baker = BootstrapSandbox.create();
  const stock = BootstrapSandbox.create();
  try {
    const [bake, stockBoot] = await Promise.all([baker.bake(), stock.run({ runner: "job", os: "alinux", dockerInstalled: false })]);
    if (bake.exitCode !== 0) throw new Error(`the bake failed:\n${bake.log}`);
    const bakedBoot = await baker.run({ runner: "job", afterBake: true });
    for (const r of [stockBoot, bakedBoot]) if (r.poweroffReason !== "the runner finished") throw new Error(`a boot failed: ${r.poweroffReason}\n${r.log}`);
    if (bakedBoot.bytesDownloaded !== 0) throw new Error("the boot from the baked image downloaded something");
    const row = (label: string, r: ScenarioResult) => {
      const steps = r.log.split("\n").filter((l) => / step: /.test(l)).map((l) => l.replace(/.* step: /, ""));
      const installs = (r.calls.dnf ?? []).filter((c) => /install/.test(c)).length + (r.calls["apt-get"] ?? []).filter((c) => /install/.test(c)).length;
      const pulls = (r.calls.docker ?? []).filter((c) => c.startsWith("pull")).length;
      return { label, steps, installs, pulls, downloads: r.downloads.length, bytes: r.bytesDownloaded, created: (r.calls.useradd ?? []).length };
    };
    const rows = [row("stock image", stockBoot), row("baked image", bakedBoot)];
    return [
      "bootstrap's own work per boot (sandbox; the fake runner package stands in for the real ~150 MB one):",
      ...rows.map((r) => `  ${r.label.padEnd(12)} ${r.steps.length} steps, ${r.installs} package installs, ${r.created} users created, ${r.pulls} image pulls, ` +
        `${r.downloads} downloads, ${r.bytes} bytes (${r.steps.join(" > ")})`),
      `  the bake did once, for every later boot: ${(bake.calls.dnf ?? []).length} package-manager calls, ${bake.downloads.length} download (${bake.bytesDownloaded} bytes), ` +
        `${(bake.calls.docker ?? []).filter((c) => c.startsWith("pull")).length} image pull`,
    ];
  } finally {
    await Promise.all([baker.dispose(), stock.dispose()]);
  }
}

async function upToOnline(): Promise<string[]> {
  const scenario = smallScenario();
  const emu = await startEmulator({ scenario, clock: "manual" });
  try {
    const env = emu.env;
    const logs: string[] = [];
    const clock = virtualClock(emu);
    const images = new RunnerImageProvider({
      ecs: (regionId) => createEcsInstanceApi({ regionId, env, retry: FAST_RETRY }),
      images: (regionId) => createEcsImageApi({ regionId, env, retry: FAST_RETRY }),
      advisorQueries: (regionId) => createEcsAdvisorQueries({ regionId, env, retry: FAST_RETRY }),
      clock, randomSuffix: () => "bench001", log: (l) => logs.push(l), requireCredentials: () => readAliyunCredentials(env),
      pollMs: 1_000, releaseTimeoutMs: 5 * 60_000,
    });
    const vSwitchIds = Object.fromEntries(scenario.vSwitches.map((v) => [v.zoneId, v.vSwitchId]));
    const network = { arch: "arm64", region: "cn-hangzhou", vSwitchIds, securityGroupId: scenario.securityGroups[0].securityGroupId, namePrefix: "openresty" };
    const stockImage = scenario.images.find((i) => i.architecture === "arm64")!.imageId;
    const bakeStarted = clock.now();
    const baked = await images.create({ ...network, baseImageId: stockImage });
    const bakeMs = clock.now() - bakeStarted;
    const runners = new SpotRunnerProvider(depsFor(emu, env, logs, { clock }));
    const up = async (imageId: string) => {
      const seq = emu.admin.calls().at(-1)?.seq ?? 0;
      const started = clock.now();
      const { id, outs } = await runners.create({ ...network, imageId, githubRepository: scenario.github.repos[0] });
      const ms = clock.now() - started;
      const calls = emu.admin.calls(seq).filter((c) => c.seq > seq).length;
      const carries = emu.admin.state().instances.find((i) => i.instanceId === id)?.imageCarries !== undefined;
      await runners.delete(id, outs);
      return { ms, calls, carries };
    };
    const stock = await up(stockImage);
    const fromBaked = await up(baked.id);
    if (stock.carries || !fromBaked.carries) throw new Error("the emulator did not tell the baked image from the stock one");
    const t = scenario.timing!;
    return [
      `job.sh up to runner online in the emulator (boot ${(t.pendingMs! + t.startingMs!) / 1000} s and runner start ${t.runnerOnlineMs! / 1000} s held equal, emulated time):`,
      `  stock image  ${(stock.ms / 1000).toFixed(1)} s, ${stock.calls} API calls`,
      `  baked image  ${(fromBaked.ms / 1000).toFixed(1)} s, ${fromBaked.calls} API calls (the image reports what it carries)`,
      `  baked / stock: ${(fromBaked.ms / stock.ms).toFixed(2)}x time, ${fromBaked.calls - stock.calls >= 0 ? "+" : ""}${fromBaked.calls - stock.calls} calls: our code does the same for both;` +
        " the saving is the bootstrap's work above, which the emulator does not time",
      `  the bake itself (emulated, small scenario's timing): ${(bakeMs / 1000).toFixed(0)} s from RunInstances to the image Available and the builder released`,
    ];
  } finally {
    await emu.close();
  }
}
