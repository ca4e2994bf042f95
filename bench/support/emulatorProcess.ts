import { ChildProcess, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { FaultSpec } from "../../emulator";
import type { Scenario } from "../../emulator/scenario/types";

/**
 * The emulator in a process of its own (the built CLI's `spot-runner emulator --json`), driven through its admin
 * API over HTTP. Benchmarks that measure our process's CPU, or many concurrent creates, use it so the emulated
 * cloud's work does not land on the process being measured.
 */
export interface EmulatorProcess {
  readonly env: Record<string, string>;
  addFault(fault: FaultSpec): Promise<void>;
  clearFaults(): Promise<void>;
  state(): Promise<{ instances: unknown[]; runners: unknown[] }>;
  /** CPU the emulator process has used so far, in ms (from /proc; 0 where /proc is missing). */
  cpuMs(): number;
  close(): Promise<void>;
}

const REPO_ROOT = path.resolve(__dirname, "../..");

export async function startEmulatorProcess(scenario: Scenario): Promise<EmulatorProcess> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "spot-runner-bench-"));
  const scenarioFile = path.join(dir, "scenario.json");
  fs.writeFileSync(scenarioFile, JSON.stringify(scenario));
  const child: ChildProcess = spawn(process.execPath, [path.join(REPO_ROOT, "bin/spot-runner.js"), "emulator", "--json", "--scenario", scenarioFile],
    { stdio: ["ignore", "pipe", "pipe"] });
  const endpoints = await new Promise<Record<string, string>>((resolve, reject) => {
    let out = "";
    let err = "";
    child.stderr!.setEncoding("utf8").on("data", (chunk: string) => (err += chunk));
    child.once("exit", (code) => reject(new Error(`emulator exited (${code}) before it listened: ${err}`)));
    child.stdout!.setEncoding("utf8").on("data", (chunk: string) => {
      out += chunk;
      const line = out.split("\n")[0];
      if (out.includes("\n")) resolve(JSON.parse(line) as Record<string, string>);
    });
  });
  const admin = `${endpoints.ecsEndpoint.replace(/\/+$/, "")}/_emulator`;
  const call = async (method: string, route: string, body?: unknown) => {
    const res = await fetch(`${admin}/${route}`, { method, ...(body !== undefined ? { body: JSON.stringify(body), headers: { "content-type": "application/json" } } : {}) });
    if (!res.ok) throw new Error(`emulator admin ${method} ${route}: HTTP ${res.status} ${await res.text()}`);
    return res.json();
  };
  return {
    env: {
      ALIBABA_CLOUD_ECS_ENDPOINT: endpoints.ecsEndpoint,
      GITHUB_API_URL: endpoints.githubApiUrl,
      ALIBABA_CLOUD_ACCESS_KEY_ID: endpoints.accessKeyId,
      ALIBABA_CLOUD_ACCESS_KEY_SECRET: endpoints.accessKeySecret,
      GITHUB_TOKEN: endpoints.githubToken,
    },
    addFault: async (fault) => void (await call("POST", "faults", fault)),
    clearFaults: async () => void (await call("DELETE", "faults")),
    state: async () => (await call("GET", "state")) as { instances: unknown[]; runners: unknown[] },
    cpuMs: () => processCpuMs(child.pid),
    close: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child.once("exit", resolve));
        child.kill("SIGTERM");
        await exited;
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** utime + stime of a process, from /proc/<pid>/stat (clock ticks of 10 ms on Linux). */
function processCpuMs(pid: number | undefined): number {
  if (pid === undefined) return 0;
  try {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return 0;
  }
}
