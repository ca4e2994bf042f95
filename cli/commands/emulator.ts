import { Command } from "commander";
import { RunningEmulator, startEmulator } from "../../emulator";
import { ScenarioError } from "../../emulator/scenario/validate";
import { CliIo, UsageError } from "../io";

interface EmulatorFlags {
  scenario?: string;
  port?: string;
  json?: boolean;
}

/**
 * `spot-runner emulator`: the offline ECS + GitHub API emulator on 127.0.0.1, on the real clock, until the user
 * interrupts. A thin shell over startEmulator; everything it serves is described in docs/emulator.md.
 */
export function register(program: Command, io: CliIo, done: (code: number) => void): void {
  program
    .command("emulator")
    .description("serve an offline Aliyun ECS + GitHub API on 127.0.0.1 that the real SDKs talk to (until Ctrl-C)")
    .option("--scenario <file>", "a JSON scenario (format: docs/emulator.md); default: the bundled cn-hangzhou scenario")
    .option("--port <n>", "port to listen on (default: any free port)")
    .option("--json", 'print one JSON line {"ecsEndpoint", "githubApiUrl", "adminUrl", "accessKeyId", "accessKeySecret", "githubToken"} for scripts')
    .addHelpText(
      "after",
      "\nThe credentials printed are the scenario's own (fake) ones; nothing leaves this machine.\n" +
        "Admin API (faults, state, call log): http://127.0.0.1:<port>/_emulator/ (see docs/emulator.md).\n" +
        "Exit codes: 0 stopped by SIGINT/SIGTERM, 1 the scenario or the port cannot be used, 2 bad flags.",
    )
    .action(async (flags: EmulatorFlags) => {
      const port = parsePort(flags.port);
      let emu: RunningEmulator;
      try {
        emu = await startEmulator({ ...(flags.scenario !== undefined ? { scenario: flags.scenario } : {}), port, clock: "real" });
      } catch (err) {
        io.stderr(`error: ${startFailure(err, port)}\n`);
        done(1);
        return;
      }
      io.stdout(flags.json ? `${JSON.stringify(endpointsOf(emu))}\n` : summaryOf(emu, flags.scenario));
      await io.interrupted;
      await emu.close();
      if (!flags.json) io.stderr("emulator stopped\n");
      done(0);
    });
}

function parsePort(text: string | undefined): number {
  if (text === undefined) return 0;
  if (!/^\d+$/.test(text.trim()) || Number(text) > 65535) throw new UsageError(`--port: "${text}" is not a port number (0-65535)`);
  return Number(text);
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
