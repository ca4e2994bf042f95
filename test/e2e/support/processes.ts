import * as fs from "node:fs";

/**
 * Every process a scenario starts (job.sh, pulumi, its language host and plugins, node) inherits one marker
 * variable. Pulumi puts its plugins in process groups of their own, so when `pulumi` is killed they live on
 * (GitHub's runner kills the whole process tree at the end of a cancelled job); the marker is how a test finds
 * exactly those processes, and no other, to end them by id.
 */
export const MARKER_VARIABLE = "SPOT_RUNNER_E2E_MARK";

export function markedProcesses(marker: string): number[] {
  const needle = Buffer.from(`${MARKER_VARIABLE}=${marker}\0`);
  const pids: number[] = [];
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      if (fs.readFileSync(`/proc/${entry}/environ`).includes(needle)) pids.push(Number(entry));
    } catch {
      // Gone in the meantime, or not ours to read.
    }
  }
  return pids;
}

/** Parent pid and command name, from /proc/<pid>/stat; undefined once the process is gone. */
export function processStat(pid: number): { ppid: number; comm: string } | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    const comm = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    if (fields[0] === "Z") return undefined; // a zombie has done all it will do
    return { ppid: Number(fields[1]), comm };
  } catch {
    return undefined;
  }
}

/** SIGKILLs every marked process and waits (bounded) until none is left; returns how many there were. */
export async function killMarked(marker: string, timeoutMs = 10_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  const seen = new Set<number>();
  for (;;) {
    const alive = markedProcesses(marker).filter((pid) => processStat(pid) !== undefined);
    if (alive.length === 0) return seen.size;
    if (Date.now() > deadline) throw new Error(`processes ${alive.join(", ")} (marker ${marker}) survived SIGKILL for ${timeoutMs} ms`);
    for (const pid of alive) {
      seen.add(pid);
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // Exited between the scan and the kill.
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
