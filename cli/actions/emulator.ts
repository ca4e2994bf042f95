import { RunningEmulator, startEmulator } from "../../emulator";
import { ScenarioError } from "../../emulator/scenario/validate";
import type { CliContext } from "../context";
import { wholeNumberFlag } from "../flags";

export interface EmulatorFlags {
  scenario?: string;
  port?: string;
  json?: boolean;
}

/**
 * `spot-runner emulator`: the offline ECS + GitHub API emulator on 127.0.0.1, on the real clock, until the user
 * interrupts. A thin shell over startEmulator; everything it serves is described in docs/emulator.md.
 */
export async function runEmulator(flags: EmulatorFlags, ctx: CliContext): Promise<number> {
  const port = flags.port === undefined ? 0 : wholeNumberFlag("--port", flags.port, { min: 0, max: 65535 });
  let emu: RunningEmulator;
  try {
    emu = await startEmulator({ ...(flags.scenario !== undefined ? { scenario: flags.scenario } : {}), port, clock: "real" });
  } catch (err) {
    ctx.stderr(`error: ${startFailure(err, port)}\n`);
    return 1;
  }
  ctx.stdout(flags.json ? `${JSON.stringify(endpointsOf(emu))}\n` : summaryOf(emu, flags.scenario));
  await ctx.interrupted;
  await emu.close();
  if (!flags.json) ctx.stderr("emulator stopped\n");
  return 0;
}

function startFailure(err: unknown, port: number): string {
  if (err instanceof ScenarioError) return err.message;
  const code = (err as NodeJS.ErrnoException).code;
  if (code === "EADDRINUSE") return `port ${port} on 127.0.0.1 is already in use; pick another with --port, or omit it for a free one`;
  if (code === "EACCES") return `port ${port} on 127.0.0.1 needs privileges; use a port above 1023`;
  return `the emulator could not start: ${err instanceof Error ? err.message : String(err)}`;
}

function endpointsOf(emu: RunningEmulator): Record<string, string> {
  return {
    ecsEndpoint: emu.ecsEndpoint,
    githubApiUrl: emu.githubApiUrl,
    adminUrl: emu.adminUrl,
    accessKeyId: emu.accessKeyId,
    accessKeySecret: emu.accessKeySecret,
    githubToken: emu.githubToken,
  };
}

function summaryOf(emu: RunningEmulator, scenarioFile: string | undefined): string {
  const state = emu.admin.state();
  const exports = Object.entries(emu.env).map(([name, value]) => `  export ${name}=${value}`);
  return [
    `Aliyun ECS + GitHub API emulator on ${emu.ecsEndpoint} (real clock)`,
    `  scenario:    ${scenarioFile ?? "bundled cn-hangzhou"}${state.description ? ` (${state.description})` : ""}`,
    `  ECS:         ${emu.ecsEndpoint}  (RPC at "/", API version 2014-05-26)`,
    `  GitHub API:  ${emu.githubApiUrl}`,
    `  admin API:   ${emu.adminUrl}/state`,
    "",
    "Point spot-runner (or any Aliyun SDK / Octokit client) at it:",
    ...exports,
    "",
    "Press Ctrl-C to stop.",
    "",
  ].join("\n");
}
