/**
 * Start-up costs a user pays before anything useful happens, each against a bare `node -e ""` start measured in the
 * same run (the machine's speed cancels out of the ratio):
 * - the CLI: `spot-runner --help` of the built package (bin/spot-runner.js -> dist/cli/main.js). Goal: at most 12x.
 *   Commands load their work only when they run (cli/main.ts), so this is node + commander + the declarations.
 * - the provider in Pulumi's plugin host: from spawning `@pulumi/pulumi/cmd/dynamic-provider` (what `pulumi up`
 *   starts) to its answer to the first `check` carrying the serialized shim, which is when the compiled provider and
 *   its SDKs are loaded (`require("aliyun-spot-runner/runtime")`). Reported with the host's own start (port printed)
 *   apart from the provider's load.
 */
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { startProviderHost } from "../cli/demo/pluginHost";
import { spotRunnerShim } from "../provider/shim";
import type { Benchmark } from "./index";

const root = path.resolve(__dirname, "..");
const CLI_RUNS = 15;
const HOST_RUNS = 5;
const CLI_TARGET_RATIO = 12;
const URN = "urn:pulumi:bench::spot-runner-job::pulumi-nodejs:dynamic/aliyun:SpotRunner::runner";

export const startupBenchmark: Benchmark = {
  name: "startup",
  run: async () => {
    // The CLI and the shim run the build: make sure it is the current one (a no-op when it is).
    spawnChecked([path.join(root, "tools/build.cjs"), "--if-stale"]);
    const env = { PATH: process.env.PATH, HOME: process.env.HOME };

    // Interleaved, so a busy moment of the machine hits both sides alike.
    const bare: number[] = [];
    const cli: number[] = [];
    spawnChecked(["-e", ""]);
    spawnChecked([path.join(root, "bin/spot-runner.js"), "--help"]);
    for (let i = 0; i < CLI_RUNS; i++) {
      bare.push(timed(() => spawnChecked(["-e", ""], env)));
      cli.push(timed(() => {
        const out = spawnChecked([path.join(root, "bin/spot-runner.js"), "--help"], env);
        if (!out.startsWith("Usage: spot-runner")) throw new Error(`spot-runner --help printed something else: ${out.slice(0, 200)}`);
      }));
    }
    const bareMs = median(bare);
    const cliMs = median(cli);
    const ratio = cliMs / bareMs;

    const providerText = (await pulumi.runtime.serializeFunction(() => spotRunnerShim, { allowSecrets: false })).text;
    const hostUp: number[] = [];
    const firstCheck: number[] = [];
    for (let i = 0; i < HOST_RUNS; i++) {
      const started = performance.now();
      const host = await startProviderHost({ cwd: path.join(root, "stacks/runner"), env });
      const up = performance.now();
      try {
        await host.configure();
        const { failures } = await host.check(URN, {}, checkProps(providerText));
        if (failures.length > 0) throw new Error(`check refused the benchmark's inputs: ${JSON.stringify(failures)}`);
      } finally {
        firstCheck.push(performance.now() - started);
        hostUp.push(up - started);
        await host.close();
      }
    }
    const hostMs = median(hostUp);
    const checkMs = median(firstCheck);

    const lines = [
      `bare node -e "": ${bareMs.toFixed(0)} ms (median of ${CLI_RUNS})`,
      `spot-runner --help (built CLI): ${cliMs.toFixed(0)} ms, ${ratio.toFixed(1)}x bare node (target <= ${CLI_TARGET_RATIO}x)`,
      `provider in Pulumi's plugin host, spawn to first check answered: ${checkMs.toFixed(0)} ms (${(checkMs / bareMs).toFixed(1)}x bare node; ` +
        `host listening after ${hostMs.toFixed(0)} ms, provider load and check ${(checkMs - hostMs).toFixed(0)} ms; median of ${HOST_RUNS})`,
    ];
    if (ratio > CLI_TARGET_RATIO) throw new Error(`the CLI starts in ${ratio.toFixed(1)}x a bare node start, above the ${CLI_TARGET_RATIO}x target\n${lines.join("\n")}`);
    return lines;
  },
};

/** Valid inputs: check answers without a failure, so the timing covers the whole provider load. */
function checkProps(providerText: string): Record<string, unknown> {
  return {
    arch: "arm64",
    region: "cn-hangzhou",
    vSwitchIds: { "cn-hangzhou-j": "vsw-bp1benchzonej0000001" },
    securityGroupId: "sg-bp1benchgroup000000001",
    imageId: "aliyun_3_arm64_20G_alibase_20241216.vhd",
    namePrefix: "openresty",
    githubRepository: "dianplus/openresty",
    __provider: providerText,
  };
}

function spawnChecked(args: readonly string[], env: NodeJS.ProcessEnv = process.env): string {
  const result = spawnSync(process.execPath, [...args], { cwd: root, env, encoding: "utf8" });
  if (result.status !== 0) throw new Error(`node ${args.join(" ")} exited ${result.status}: ${result.stderr}`);
  return result.stdout;
}

function timed(run: () => void): number {
  const started = performance.now();
  run();
  return performance.now() - started;
}

function median(values: readonly number[]): number {
  return [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
}
